// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: table.c, the storage: both directions, lookups of the dead, and the
 * keyed hash against crafted tuples.
 */
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

#define LNAT_T_EXT		cpu_to_be32(0xc0000201)	/* 192.0.2.1 */
#define LNAT_T_CHAIN_BITS	12

static void lnat_t_both_directions(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_tuple orig = lnat_t_tuple("10.0.0.2", 4000, "192.0.2.2", 80);
	struct lnat_tuple reply = lnat_t_tuple("192.0.2.2", 80, "192.0.2.1", 4000);
	struct lnat_tuple other = lnat_t_tuple("10.0.0.3", 4000, "192.0.2.2", 80);
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4000, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(ln, LNAT_DIR_ORIG, &orig), e);
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(ln, LNAT_DIR_REPLY, &reply), e);
	/* A reply tuple is not an original one, and vice versa. */
	KUNIT_EXPECT_NULL(test, lnat_lookup(ln, LNAT_DIR_ORIG, &reply));
	KUNIT_EXPECT_NULL(test, lnat_lookup(ln, LNAT_DIR_REPLY, &orig));
	KUNIT_EXPECT_NULL(test, lnat_lookup(ln, LNAT_DIR_ORIG, &other));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_SYN_SENT);
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_LOOSE, &e->flags));

	/* A second create of the same flow finds the first. */
	KUNIT_EXPECT_PTR_EQ(test, lnat_t_tcp(test, 4000, LNAT_TF_ACK), e);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 1);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW), 1U);

	/* Delete: both directions are gone. */
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, true, false), 1U);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, lnat_lookup(ln, LNAT_DIR_ORIG, &orig));
	KUNIT_EXPECT_NULL(test, lnat_lookup(ln, LNAT_DIR_REPLY, &reply));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

/*
 * A reply seen by a reader that found the entry just before it was evicted:
 * the dead entry's list node now holds its RCU head and must stay intact.
 */
static void lnat_t_reply_to_dead(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *a, *b;

	ln->max_entries = 1;
	rcu_read_lock();
	a = lnat_t_tcp(test, 4040, LNAT_TF_SYN);
	b = lnat_t_tcp(test, 4041, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(b));
	if (!IS_ERR_OR_NULL(a)) {
		KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &a->flags));
		lnat_set_replied(ln, a);
		KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_REPLIED, &a->flags));
	}
	rcu_read_unlock();
	/* The callback runs on the head the reply left alone. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 1);
}

/* Crafted tuples cannot pile up in one bucket: the hash is keyed. */
static void lnat_t_hash_spread(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	unsigned int hits[1 << LNAT_T_BITS] = { 0 }, i, max = 0;
	struct lnat_tuple t;

	for (i = 0; i < 4096; i++) {
		t = lnat_t_tuple("10.0.0.2", 1024 + i, "192.0.2.2", 80);
		hits[lnat_hash(ln, &t) & (ARRAY_SIZE(hits) - 1)]++;
	}
	for (i = 0; i < ARRAY_SIZE(hits); i++)
		max = max(max, hits[i]);
	/* 64 per bucket on average; far from all in one. */
	KUNIT_EXPECT_LT(test, max, 128U);
}

/* Each table hashes with its own key: the same tuples spread differently. */
static void lnat_t_hash_key(struct kunit *test)
{
	struct lnat_net *ln = test->priv, *other;
	unsigned int i, same = 0;
	struct lnat_tuple t;

	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, lnat_net_setup(other, &init_net, LNAT_T_BITS), 0);
	KUNIT_EXPECT_NE(test, memcmp(&ln->hash_key, &other->hash_key,
				     sizeof(ln->hash_key)), 0);
	for (i = 0; i < 64; i++) {
		t = lnat_t_tuple("10.0.0.2", 1024 + i, "192.0.2.2", 80);
		same += !((lnat_hash(ln, &t) ^ lnat_hash(other, &t)) & 63);
	}
	/*
	 * Two keys put a tuple in the same of 64 buckets with probability
	 * 1/64: about one of the 64 tuples. 16 or more: below 1e-14.
	 */
	KUNIT_EXPECT_LT(test, same, 16U);
	lnat_net_teardown(other);
}

/*
 * Tuples crafted against an unkeyed hash: saddr ^ daddr is the same for all,
 * so are the ports, and they differ from one another only in address bits
 * 12-23, in both directions. An XOR-and-mask hash chains all 4096 in one
 * bucket; a keyed one spreads them like 4096 balls in 4096 bins, where the
 * longest chain is about 5 and P(some chain >= 13) <= n / 13! < 1e-6.
 */
static void lnat_t_chains(struct kunit *test)
{
	unsigned int n = 1U << LNAT_T_CHAIN_BITS, longest, total, len, i, dir;
	struct hlist_node *pos;
	struct lnat_entry *e;
	struct lnat_tuple t;
	struct lnat_net *ln;

	ln = kunit_kzalloc(test, sizeof(*ln), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ln);
	/* max_entries defaults to 4 << bits: room for all. */
	KUNIT_ASSERT_EQ(test, lnat_net_setup(ln, &init_net, LNAT_T_CHAIN_BITS),
			0);
	t.sport = htons(40000);
	t.dport = htons(80);
	t.proto = IPPROTO_TCP;
	for (i = 0; i < n; i++) {
		t.saddr = htonl(0x0a000000 | i << 12);
		t.daddr = htonl(0xc0000202 ^ i << 12);
		rcu_read_lock();
		e = lnat_t_create(ln, &t, LNAT_T_EXT, LNAT_TF_SYN);
		rcu_read_unlock();
		if (IS_ERR(e))
			break;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), (int)n);
	/* To its full size now, if the collector has not grown it yet. */
	mutex_lock(&ln->mutex);
	while (lnat_table_grow(ln))
		;
	mutex_unlock(&ln->mutex);
	for (dir = 0; dir < LNAT_DIR_MAX; dir++) {
		longest = 0;
		total = 0;
		spin_lock_bh(&ln->lock);
		KUNIT_EXPECT_EQ(test, lnat_tab(ln)->bits, LNAT_T_CHAIN_BITS);
		for (i = 0; i < n; i++) {
			len = 0;
			hlist_for_each(pos, &lnat_tab(ln)->dir[dir][i])
				len++;
			longest = max(longest, len);
			total += len;
		}
		spin_unlock_bh(&ln->lock);
		KUNIT_EXPECT_EQ(test, total, n);
		KUNIT_EXPECT_LE_MSG(test, longest, 12U, "direction %u", dir);
	}
	lnat_net_teardown(ln);
}

/*
 * The table starts with 1 << LNAT_HASH_BITS_MIN buckets; more mappings than
 * that ask the collector to grow it, fourfold at a time up to its limit, and
 * every mapping, binding and peer index entry is found again afterwards. A
 * lookup's hash from before a growth still places the mapping it creates.
 */
static void lnat_t_grow(struct kunit *test)
{
	const unsigned int n = 1500;
	struct lnat_pkt late = { .tf = LNAT_TF_SYN };
	struct lnat_entry **e, *l;
	struct lnat_tuple t;
	struct lnat_net *ln;
	unsigned int i, found = 0, bound = 0, peers = 0;
	u32 hash;

	ln = kunit_kzalloc(test, sizeof(*ln), GFP_KERNEL);
	e = kunit_kcalloc(test, n, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ln);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, lnat_net_setup(ln, &init_net, LNAT_T_CHAIN_BITS),
			0);
	/* The collector must not grow it behind the test's back. */
	mutex_lock(&ln->mutex);
	KUNIT_EXPECT_EQ(test, rcu_dereference_protected(ln->tab, true)->bits,
			(unsigned int)LNAT_HASH_BITS_MIN);
	t = lnat_t_tuple("10.0.0.2", 0, "192.0.2.2", 80);
	for (i = 0; i < n; i++) {
		t.sport = htons(20000 + i);
		t.daddr = htonl(0xc0000200 | (i % 7 + 2));
		rcu_read_lock();
		e[i] = lnat_t_create(ln, &t, LNAT_T_EXT, LNAT_TF_SYN);
		rcu_read_unlock();
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e[i]));
	}
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ln->grow));
	late.t = t;
	late.t.sport = htons(20000 + n);
	hash = lnat_hash(ln, &late.t);
	KUNIT_EXPECT_TRUE(test, lnat_table_grow(ln));
	KUNIT_EXPECT_EQ(test, rcu_dereference_protected(ln->tab, true)->bits,
			(unsigned int)LNAT_HASH_BITS_MIN + 2);
	KUNIT_EXPECT_TRUE(test, lnat_table_grow(ln));
	KUNIT_EXPECT_FALSE(test, lnat_table_grow(ln));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ln->grow));
	mutex_unlock(&ln->mutex);
	KUNIT_EXPECT_EQ(test, rcu_dereference_protected(ln->tab, true)->bits,
			(unsigned int)LNAT_T_CHAIN_BITS);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), (int)n);
	rcu_read_lock();
	l = lnat_create(ln, &late, hash, LNAT_T_EXT, 1);
	rcu_read_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(l));

	spin_lock_bh(&ln->lock);
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(ln, LNAT_DIR_ORIG, &late.t), l);
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(ln, LNAT_DIR_REPLY,
					      &l->tuple[LNAT_DIR_REPLY]), l);
	for (i = 0; i < n; i++) {
		const struct lnat_bind *b = e[i]->bind;

		found += lnat_lookup(ln, LNAT_DIR_ORIG, &e[i]->tuple[LNAT_DIR_ORIG]) == e[i] &&
			 lnat_lookup(ln, LNAT_DIR_REPLY, &e[i]->tuple[LNAT_DIR_REPLY]) == e[i];
		bound += b &&
			 lnat_bind_lookup(ln, LNAT_BIND_INT, b->int_addr, b->int_port,
					  b->proto) == b &&
			 lnat_bind_lookup(ln, LNAT_BIND_EXT, b->ext_addr, b->ext_port,
					  b->proto) == b;
		peers += b && lnat_peer_sent(ln, b, e[i]->tuple[LNAT_DIR_ORIG].daddr);
	}
	spin_unlock_bh(&ln->lock);
	KUNIT_EXPECT_EQ(test, found, n);
	KUNIT_EXPECT_EQ(test, bound, n);
	KUNIT_EXPECT_EQ(test, peers, n);
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, true, false), n + 1);
	lnat_net_teardown(ln);
}

static struct kunit_case lnat_table_cases[] = {
	KUNIT_CASE(lnat_t_both_directions),
	KUNIT_CASE(lnat_t_reply_to_dead),
	KUNIT_CASE(lnat_t_hash_spread),
	KUNIT_CASE(lnat_t_hash_key),
	KUNIT_CASE(lnat_t_chains),
	KUNIT_CASE(lnat_t_grow),
	{}
};

static struct kunit_suite lnat_table_suite = {
	.name = "loosenat_table",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_table_cases,
};

kunit_test_suite(lnat_table_suite);
