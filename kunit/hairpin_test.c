// SPDX-License-Identifier: GPL-2.0
/* KUnit: hairpin.c, inside to inside through an external endpoint. */
#include <linux/icmp.h>
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

/* The port unreachable a host sends about @orig (linear): to its source. */
static struct sk_buff *lnat_t_unreach(struct kunit *test,
				      const struct sk_buff *orig)
{
	const struct iphdr *oiph = ip_hdr(orig);
	unsigned int quote = oiph->ihl * 4 + 8;
	struct sk_buff *skb;
	struct icmphdr *ih;
	struct iphdr *iph;

	skb = alloc_skb(sizeof(*iph) + sizeof(*ih) + quote, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	ih = skb_put_zero(skb, sizeof(*ih));
	skb_put_data(skb, orig->data, quote);
	ih->type = ICMP_DEST_UNREACH;
	ih->code = ICMP_PORT_UNREACH;
	ih->checksum = csum_fold(csum_partial(ih, sizeof(*ih) + quote, 0));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->tot_len = htons(skb->len);
	iph->saddr = oiph->daddr;
	iph->daddr = oiph->saddr;
	iph->check = ip_fast_csum(iph, iph->ihl);
	return skb;
}

static unsigned int lnat_t_hp_icmp(struct kunit *test, struct sk_buff *skb,
				   enum lnat_dir dir)
{
	unsigned int v;

	rcu_read_lock();
	v = lnat_hairpin_icmp(test->priv, skb, dir, 0);
	rcu_read_unlock();
	return v;
}

/*
 * RFC 5508 REQ-7: B's port unreachable about A's hairpinned datagram
 * reaches A from B's external endpoint, quoting what A sent; every checksum
 * stays right. An error about anything else is left to the router.
 */
static void lnat_t_hairpin_error(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct sk_buff *skb, *err;
	struct lnat_entry *b;
	struct lnat_tuple t;
	struct iphdr *inner;
	__be16 *ports;
	u16 pb;

	ln->tcp_filtering = LNAT_FILTER_EI;
	b = lnat_t_open(test, IPPROTO_TCP, "10.0.1.2", 7000, "192.0.2.2", 80);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	pb = lnat_t_port(b);
	t = lnat_t_tuple("10.0.0.2", 6000, T_EXT, pb);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	KUNIT_ASSERT_EQ(test, lnat_t_hp_in(test, skb), (unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.0.1.2"));
	kfree_skb(skb);

	/* What B got: A's external endpoint -> B. Its error goes there. */
	t = lnat_t_tuple(T_EXT, 6000, "10.0.1.2", 7000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	err = lnat_t_unreach(test, skb);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_REPLY),
			(unsigned int)NF_ACCEPT);
	inner = (struct iphdr *)(err->data + sizeof(struct iphdr) +
				 sizeof(struct icmphdr));
	ports = (__be16 *)(inner + 1);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->saddr, in_aton("10.0.1.2"));
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->daddr, in_aton("10.0.0.2"));
	LNAT_EXPECT_RAW_EQ(test, inner->saddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_EQ(test, ntohs(ports[0]), 6000);
	LNAT_EXPECT_RAW_EQ(test, inner->daddr, in_aton("10.0.1.2"));
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_ICMP_XLAT), 1U);
	/* POSTROUTING: from B's external endpoint, about what A sent. */
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_ORIG),
			(unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->saddr, in_aton(T_EXT));
	LNAT_EXPECT_RAW_EQ(test, inner->daddr, in_aton(T_EXT));
	KUNIT_EXPECT_EQ(test, ntohs(ports[1]), pb);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(ip_hdr(err), 5), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(inner, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_fold(skb_checksum(err, sizeof(struct iphdr),
							err->len - sizeof(struct iphdr), 0)), 0);
	/* Again at POSTROUTING: B's endpoint is no binding's inside. */
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_ORIG),
			(unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->saddr, in_aton(T_EXT));
	kfree_skb(err);

	/*
	 * The router's own error about the packet on its way to B (its LAN's
	 * MTU): the quote becomes what A sent, the source stays the router's.
	 */
	t = lnat_t_tuple("10.0.0.2", 6000, "10.0.1.2", 7000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	err = lnat_t_unreach(test, skb);
	kfree_skb(skb);
	ip_hdr(err)->saddr = in_aton("10.0.0.1");
	ip_hdr(err)->check = 0;
	ip_hdr(err)->check = ip_fast_csum(ip_hdr(err), 5);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_ORIG),
			(unsigned int)NF_ACCEPT);
	inner = (struct iphdr *)(err->data + sizeof(struct iphdr) +
				 sizeof(struct icmphdr));
	ports = (__be16 *)(inner + 1);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->saddr, in_aton("10.0.0.1"));
	LNAT_EXPECT_RAW_EQ(test, inner->daddr, in_aton(T_EXT));
	KUNIT_EXPECT_EQ(test, ntohs(ports[1]), pb);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(ip_hdr(err), 5), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_fold(skb_checksum(err, sizeof(struct iphdr),
							err->len - sizeof(struct iphdr), 0)), 0);
	kfree_skb(err);

	/* About a port A's mapping does not have: the router's. */
	t = lnat_t_tuple(T_EXT, 6001, "10.0.1.2", 7000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	err = lnat_t_unreach(test, skb);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_in(test, err), (unsigned int)NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_REPLY),
			(unsigned int)NF_ACCEPT);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(err)->daddr, in_aton(T_EXT));

	/* A corrupted error about the hairpinned packet: dropped, counted. */
	t = lnat_t_tuple(T_EXT, 6000, "10.0.1.2", 7000);
	skb = lnat_t_skb(test, &t, TCPHDR_SYN, 0, 200);
	kfree_skb(err);
	err = lnat_t_unreach(test, skb);
	kfree_skb(skb);
	err->data[sizeof(struct iphdr) + 4] ^= 1;
	KUNIT_EXPECT_EQ(test, lnat_t_hp_icmp(test, err, LNAT_DIR_REPLY),
			(unsigned int)NF_DROP);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_ICMP_DROP), 1U);
	kfree_skb(err);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_ICMP_XLAT), 1U);
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
	KUNIT_CASE(lnat_t_hairpin_error),
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
