// SPDX-License-Identifier: GPL-2.0
/* KUnit: hairpin.c, inside to inside through an external endpoint. */
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

/* PREROUTING's part, after conntrack (mappings made): the verdict. */
static unsigned int lnat_t_hp_in(struct kunit *test, struct sk_buff *skb)
{
	unsigned int v;

	rcu_read_lock();
	v = lnat_hairpin_in(test->priv, skb, 0, true);
	rcu_read_unlock();
	return v;
}

/* POSTROUTING's part: the mapping whose external port is the source. */
static struct lnat_entry *lnat_t_hp_find(struct kunit *test,
					 struct sk_buff *skb)
{
	struct lnat_entry *a;
	struct lnat_pkt p;

	rcu_read_lock();
	a = lnat_hairpin_find(test->priv, skb, 0, &p);
	rcu_read_unlock();
	if (a)
		KUNIT_EXPECT_EQ(test, p.thoff, (unsigned int)sizeof(struct iphdr));
	return a;
}

/*
 * A's SYN to B's external endpoint reaches B from A's external endpoint:
 * destination at PREROUTING, source found again at POSTROUTING.
 */
static void lnat_t_hairpin_tcp(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_tuple t;
	struct lnat_entry *b, *a;
	struct sk_buff *skb;
	u16 pb;

	b = lnat_t_open(test, IPPROTO_TCP, "10.0.1.2", 7000, "192.0.2.2", 80);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	pb = lnat_t_port(b);
	t = lnat_t_tuple("10.0.0.2", 6000, T_EXT, pb);
	/* B never sent to A's external endpoint: filtered, left for the router. */
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton(T_EXT));
	kfree_skb(skb);

	ln->tcp_filtering = LNAT_FILTER_EI;
	/* Before conntrack only existing mappings are used: none yet. */
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, lnat_hairpin_in(ln, skb, 0, false),
			(unsigned int)NF_ACCEPT);
	rcu_read_unlock();
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton(T_EXT));
	kfree_skb(skb);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.0.1.2"));
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->dest), 7000);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_HAIRPIN), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->hairpins), 1);
	/* POSTROUTING: A's mapping towards B's endpoint gives the source. */
	a = lnat_t_hp_find(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, a);
	LNAT_EXPECT_RAW_EQ(test, a->tuple[LNAT_DIR_REPLY].daddr, in_aton(T_EXT));
	KUNIT_EXPECT_EQ(test, lnat_t_port(a), 6000);
	kfree_skb(skb);

	/* B's answer goes back to A, from B's external endpoint. */
	t = lnat_t_tuple("10.0.1.2", 7000, T_EXT, 6000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN | TCPHDR_ACK, 0, 200);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->dest), 6000);
	a = lnat_t_hp_find(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, lnat_t_port(a), pb);
	kfree_skb(skb);

	/*
	 * A sender with the router's own address (spoofed, or its loopback
	 * traffic) never gets a binding a SYN from outside could then reach.
	 */
	t = lnat_t_tuple("127.0.0.1", 22, T_EXT, pb);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton(T_EXT));
	kfree_skb(skb);

	/* A direct packet between the two is left alone. */
	t = lnat_t_tuple("10.0.0.2", 6001, "10.0.1.2", 7000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_EXPECT_NULL(test, lnat_t_hp_find(test, skb));
	kfree_skb(skb);

	/* The count goes with the mappings. */
	lnat_collect(ln, true, false);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->hairpins), 0);
}

/* A packet to an address that holds no binding costs no lookup. */
static void lnat_t_hairpin_other(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", 6000, "198.51.100.1", 80);
	struct lnat_net *ln = test->priv;
	struct sk_buff *skb;

	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("198.51.100.1"));
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

static struct kunit_case lnat_hairpin_cases[] = {
	KUNIT_CASE(lnat_t_hairpin_tcp),
	KUNIT_CASE(lnat_t_hairpin_other),
	{}
};

static struct kunit_suite lnat_hairpin_suite = {
	.name = "loosenat_hairpin",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_hairpin_cases,
};

kunit_test_suite(lnat_hairpin_suite);
