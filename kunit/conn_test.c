// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: conn.c, the mappings: creation whatever the TCP flags, full-cone
 * creation, identifier and address-only mappings, timeouts, expired
 * mappings letting nothing in, eviction when full.
 */
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

static void lnat_t_loose_counters(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4001, LNAT_TF_FIN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_LOOSE, &e->flags));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_FIN_WAIT);
	e = lnat_t_tcp(test, 4002, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_CLOSE);
	e = lnat_t_tcp(test, 4003, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_LOOSE), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_TEARDOWN), 2U);
}

static void lnat_t_loose_timeout(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4020, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TO_LOOSE] = 30;
	/* Unanswered pickup: the loose timeout caps ESTABLISHED's. */
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 30UL * HZ);
	lnat_set_replied(ln, e);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e),
			(unsigned long)ln->timeout[LNAT_TCP_ESTABLISHED] * HZ);
	/* The loose timeout never lengthens a shorter state timeout. */
	e = lnat_t_tcp(test, 4021, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TCP_CLOSE] = 10;
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 10UL * HZ);
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

	e = lnat_t_tcp(test, 4011, LNAT_TF_SYN);
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

static void lnat_t_full(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *a, *b, *c;

	ln->max_entries = 2;
	a = lnat_t_tcp(test, 4030, LNAT_TF_SYN);
	b = lnat_t_tcp(test, 4031, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	lnat_set_replied(ln, a);
	lnat_set_replied(ln, b);
	/* Both answered: nothing may be evicted, the new flow is refused. */
	c = lnat_t_tcp(test, 4032, LNAT_TF_SYN);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 2);

	/* Room again, then fill with unanswered ones: the oldest goes. */
	ln->max_entries = 4;
	a = lnat_t_tcp(test, 4033, LNAT_TF_SYN);
	b = lnat_t_tcp(test, 4034, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	/* The evicted entry is only freed after a grace period. */
	rcu_read_lock();
	c = lnat_t_tcp(test, 4035, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &a->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &b->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 4);
}

static void lnat_t_full_cone(struct kunit *test)
{
	struct lnat_tuple in = lnat_t_tuple("198.51.100.9", 9000, T_EXT, 6000);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c;

	in.proto = IPPROTO_UDP;
	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	rcu_read_lock();
	c = lnat_create_cone(ln, &in);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	LNAT_EXPECT_RAW_EQ(test, c->tuple[LNAT_DIR_ORIG].saddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_EQ(test, ntohs(c->tuple[LNAT_DIR_ORIG].sport), 6000);
	LNAT_EXPECT_RAW_EQ(test, c->tuple[LNAT_DIR_ORIG].daddr, in.saddr);
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(ln, LNAT_DIR_REPLY, &in), c);
	KUNIT_EXPECT_PTR_EQ(test, c->bind, e->bind);
	/* No binding on that port: the outside creates nothing. */
	in.dport = htons(6999);
	KUNIT_EXPECT_NULL(test, lnat_create_cone(ln, &in));
	/*
	 * A full table of answered mappings: an error, not NULL, so the hook
	 * drops the packet instead of passing it on untranslated.
	 */
	lnat_set_replied(ln, e);
	lnat_set_replied(ln, c);
	ln->max_entries = 2;
	in.saddr = in_aton("198.51.100.10");
	in.dport = htons(6000);
	c = lnat_create_cone(ln, &in);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 2);
}

/* RFC 5508 REQ-1: identifiers mapped like ports, per internal host. */
static void lnat_t_icmp_id(struct kunit *test)
{
	struct lnat_entry *a, *b;

	a = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.2", 0x1234, "192.0.2.2", 0);
	b = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.3", 0x1234, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_EQ(test, lnat_t_port(a), 0x1234);
	KUNIT_EXPECT_NE(test, lnat_t_port(b), 0x1234);
	LNAT_EXPECT_RAW_EQ(test, a->tuple[LNAT_DIR_REPLY].sport, 0);
}

static void lnat_t_generic(struct kunit *test)
{
	struct lnat_entry *a, *b, *c;

	a = lnat_t_open(test, IPPROTO_GRE, "10.0.0.2", 0, "192.0.2.2", 0);
	b = lnat_t_open(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.2", 0);
	c = lnat_t_open(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.5", 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(a));
	/* Address only: one inside host per remote address and protocol. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
}

static void lnat_t_proto_timeouts(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *u, *i, *g;

	u = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 5000, "192.0.2.2", 53);
	i = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.2", 77, "192.0.2.2", 0);
	g = lnat_t_open(test, IPPROTO_ESP, "10.0.0.2", 0, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(u));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(i));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(g));
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 120UL * HZ);
	lnat_set_replied(ln, u);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 300UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, i), 60UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, g), 600UL * HZ);
}

static struct kunit_case lnat_conn_cases[] = {
	KUNIT_CASE(lnat_t_loose_counters),
	KUNIT_CASE(lnat_t_loose_timeout),
	KUNIT_CASE(lnat_t_expired_inbound),
	KUNIT_CASE(lnat_t_full),
	KUNIT_CASE(lnat_t_full_cone),
	KUNIT_CASE(lnat_t_icmp_id),
	KUNIT_CASE(lnat_t_generic),
	KUNIT_CASE(lnat_t_proto_timeouts),
	{}
};

static struct kunit_suite lnat_conn_suite = {
	.name = "loosenat_conn",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_conn_cases,
};

kunit_test_suite(lnat_conn_suite);
