// SPDX-License-Identifier: GPL-2.0
/* KUnit: the mapping table (insert, lookup, expiry, eviction, flush). */
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

static struct lnat_entry *lnat_t_new(struct kunit *test, u16 sport,
				     enum lnat_tcp_flags tf)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", sport, "192.0.2.2", 80);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	rcu_read_lock();
	e = lnat_t_create(ln, &t, in_aton("192.0.2.1"), tf);
	rcu_read_unlock();
	return e;
}

static void lnat_t_backdate(struct lnat_entry *e, unsigned int secs)
{
	WRITE_ONCE(e->last_seen, (u32)jiffies - secs * HZ);
}

static void lnat_t_both_directions(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_tuple orig = lnat_t_tuple("10.0.0.2", 4000, "192.0.2.2", 80);
	struct lnat_tuple reply = lnat_t_tuple("192.0.2.2", 80, "192.0.2.1", 4000);
	struct lnat_tuple other = lnat_t_tuple("10.0.0.3", 4000, "192.0.2.2", 80);
	struct lnat_entry *e;

	e = lnat_t_new(test, 4000, LNAT_TF_SYN);
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
	KUNIT_EXPECT_PTR_EQ(test, lnat_t_new(test, 4000, LNAT_TF_ACK), e);
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

static void lnat_t_loose_counters(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_new(test, 4001, LNAT_TF_FIN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_LOOSE, &e->flags));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_FIN_WAIT);
	e = lnat_t_new(test, 4002, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_CLOSE);
	e = lnat_t_new(test, 4003, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_LOOSE), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_TEARDOWN), 2U);
}

static void lnat_t_expiry(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_new(test, 4010, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	lnat_set_replied(ln, e);
	e->state = LNAT_TCP_ESTABLISHED;
	lnat_t_backdate(e, 100);
	KUNIT_EXPECT_FALSE(test, lnat_expired(ln, e, jiffies));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 0U);

	/* A new timeout applies to the existing entry at once. */
	ln->timeout[LNAT_TCP_ESTABLISHED] = 50;
	KUNIT_EXPECT_TRUE(test, lnat_expired(ln, e, jiffies));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 1U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EXPIRED), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

/*
 * An expired mapping the collector has not reached yet lets nothing in:
 * the packet goes to the router untranslated, the mapping untouched. Once
 * refreshed from inside, it translates again.
 */
static void lnat_t_expired_inbound(struct kunit *test)
{
	struct lnat_tuple reply = lnat_t_tuple("192.0.2.2", 80, "192.0.2.1", 4011);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *used;
	struct sk_buff *skb;
	unsigned int v;

	e = lnat_t_new(test, 4011, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_ASSERT_EQ(test, ntohs(e->tuple[LNAT_DIR_REPLY].dport), 4011);
	lnat_t_backdate(e, ln->timeout[LNAT_TCP_SYN_SENT] + 1);

	used = NULL;
	skb = lnat_t_skb(test, &reply, TCPHDR_SYN | TCPHDR_ACK, 0, 64);
	rcu_read_lock();
	v = lnat_xlat_in(ln, skb, &used);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_NULL(test, used);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, reply.daddr);
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_REPLIED, &e->flags));
	kfree_skb(skb);

	lnat_refresh(e);
	skb = lnat_t_skb(test, &reply, TCPHDR_SYN | TCPHDR_ACK, 0, 64);
	rcu_read_lock();
	v = lnat_xlat_in(ln, skb, &used);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_PTR_EQ(test, used, e);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_REPLIED, &e->flags));
	kfree_skb(skb);
}

static void lnat_t_loose_timeout(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_new(test, 4020, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TO_LOOSE] = 30;
	/* Unanswered pickup: the loose timeout caps ESTABLISHED's. */
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 30UL * HZ);
	lnat_set_replied(ln, e);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e),
			(unsigned long)ln->timeout[LNAT_TCP_ESTABLISHED] * HZ);
	/* The loose timeout never lengthens a shorter state timeout. */
	e = lnat_t_new(test, 4021, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TCP_CLOSE] = 10;
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 10UL * HZ);
}

static void lnat_t_full(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *a, *b, *c;

	ln->max_entries = 2;
	a = lnat_t_new(test, 4030, LNAT_TF_SYN);
	b = lnat_t_new(test, 4031, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	lnat_set_replied(ln, a);
	lnat_set_replied(ln, b);
	/* Both answered: nothing may be evicted, the new flow is refused. */
	c = lnat_t_new(test, 4032, LNAT_TF_SYN);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 2);

	/* Room again, then fill with unanswered ones: the oldest goes. */
	ln->max_entries = 4;
	a = lnat_t_new(test, 4033, LNAT_TF_SYN);
	b = lnat_t_new(test, 4034, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	/* The evicted entry is only freed after a grace period. */
	rcu_read_lock();
	c = lnat_t_new(test, 4035, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &a->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &b->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 4);
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
	a = lnat_t_new(test, 4040, LNAT_TF_SYN);
	b = lnat_t_new(test, 4041, LNAT_TF_SYN);
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

static void lnat_t_revalidate(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	/* ifindex 1 is lo, not a masqueraded device: invalid. */
	e = lnat_t_new(test, 4040, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 0U);
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, true), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

/* Crafted tuples cannot pile up in one bucket: the hash is keyed. */
static void lnat_t_hash_spread(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	unsigned int hits[1 << LNAT_T_BITS] = { 0 }, i, max = 0;
	struct lnat_tuple t;

	for (i = 0; i < 4096; i++) {
		t = lnat_t_tuple("10.0.0.2", 1024 + i, "192.0.2.2", 80);
		hits[lnat_hash(ln, &t)]++;
	}
	for (i = 0; i < ARRAY_SIZE(hits); i++)
		max = max(max, hits[i]);
	/* 64 per bucket on average; far from all in one. */
	KUNIT_EXPECT_LT(test, max, 128U);
}

static struct kunit_case lnat_table_cases[] = {
	KUNIT_CASE(lnat_t_both_directions),
	KUNIT_CASE(lnat_t_loose_counters),
	KUNIT_CASE(lnat_t_expiry),
	KUNIT_CASE(lnat_t_expired_inbound),
	KUNIT_CASE(lnat_t_loose_timeout),
	KUNIT_CASE(lnat_t_full),
	KUNIT_CASE(lnat_t_reply_to_dead),
	KUNIT_CASE(lnat_t_revalidate),
	KUNIT_CASE(lnat_t_hash_spread),
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
