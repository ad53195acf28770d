// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: UDP, ICMP queries and other protocols: endpoint-independent
 * bindings, full-cone mappings, identifier mapping, address-only mappings,
 * their timeouts and their header rewrites.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/ip.h>
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

static struct lnat_entry *lnat_t_map(struct kunit *test, u8 proto,
				     const char *src, u16 sport,
				     const char *dst, u16 dport)
{
	struct lnat_tuple t = lnat_t_tuple(src, sport, dst, dport);
	struct lnat_entry *e;

	t.proto = proto;
	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton(T_EXT), LNAT_TF_NONE);
	rcu_read_unlock();
	return e;
}

static u16 lnat_t_ext(const struct lnat_entry *e)
{
	return ntohs(e->tuple[LNAT_DIR_REPLY].dport);
}

/* RFC 4787 REQ-1 and REQ-3. */
static void lnat_t_udp_eim(struct kunit *test)
{
	struct lnat_entry *a1, *a2, *b;

	a1 = lnat_t_map(test, IPPROTO_UDP, "10.0.0.2", 5353, "192.0.2.2", 53);
	a2 = lnat_t_map(test, IPPROTO_UDP, "10.0.0.2", 5353, "192.0.2.9", 53);
	b = lnat_t_map(test, IPPROTO_UDP, "10.0.0.3", 5353, "192.0.2.7", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a1));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a2));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	/* Same internal endpoint: one external port, whatever the remote. */
	KUNIT_EXPECT_EQ(test, lnat_t_ext(a1), 5353);
	KUNIT_EXPECT_EQ(test, lnat_t_ext(a2), 5353);
	KUNIT_EXPECT_PTR_EQ(test, a1->bind, a2->bind);
	KUNIT_EXPECT_EQ(test, a1->bind->refs, 2U);
	/* Another endpoint never shares it, even towards another remote. */
	KUNIT_EXPECT_NE(test, lnat_t_ext(b), 5353);
	KUNIT_EXPECT_GE(test, lnat_t_ext(b), 1024);
}

static void lnat_t_bind_release(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_map(test, IPPROTO_UDP, "10.0.0.2", 7000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	rcu_read_lock();
	KUNIT_EXPECT_NOT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_EXT,
						     in_aton(T_EXT), htons(7000),
						     IPPROTO_UDP));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, true, false), 1U);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_EXT,
						 in_aton(T_EXT), htons(7000),
						 IPPROTO_UDP));
	KUNIT_EXPECT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_INT,
						 in_aton("10.0.0.2"), htons(7000),
						 IPPROTO_UDP));
	rcu_read_unlock();
}

static void lnat_t_full_cone(struct kunit *test)
{
	struct lnat_tuple in = lnat_t_tuple("198.51.100.9", 9000, T_EXT, 6000);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c;

	in.proto = IPPROTO_UDP;
	e = lnat_t_map(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
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

	a = lnat_t_map(test, IPPROTO_ICMP, "10.0.0.2", 0x1234, "192.0.2.2", 0);
	b = lnat_t_map(test, IPPROTO_ICMP, "10.0.0.3", 0x1234, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_EQ(test, lnat_t_ext(a), 0x1234);
	KUNIT_EXPECT_NE(test, lnat_t_ext(b), 0x1234);
	LNAT_EXPECT_RAW_EQ(test, a->tuple[LNAT_DIR_REPLY].sport, 0);
}

static void lnat_t_generic(struct kunit *test)
{
	struct lnat_entry *a, *b, *c;

	a = lnat_t_map(test, IPPROTO_GRE, "10.0.0.2", 0, "192.0.2.2", 0);
	b = lnat_t_map(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.2", 0);
	c = lnat_t_map(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.5", 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(a));
	/* Address only: one inside host per remote address and protocol. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
}

static void lnat_t_proto_timeouts(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *u, *i, *g;

	u = lnat_t_map(test, IPPROTO_UDP, "10.0.0.2", 5000, "192.0.2.2", 53);
	i = lnat_t_map(test, IPPROTO_ICMP, "10.0.0.2", 77, "192.0.2.2", 0);
	g = lnat_t_map(test, IPPROTO_ESP, "10.0.0.2", 0, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(u));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(i));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(g));
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 120UL * HZ);
	lnat_set_replied(ln, u);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 300UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, i), 60UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, g), 600UL * HZ);
}

/* An IPv4 packet with @l4 (checksummed by the caller) after its header. */
static struct sk_buff *lnat_t_raw(struct kunit *test, u8 proto,
				  const void *l4, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(sizeof(struct iphdr) + len, GFP_KERNEL);
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(*iph) + len);
	iph->saddr = in_aton("10.0.0.2");
	iph->daddr = in_aton("192.0.2.2");
	iph->check = ip_fast_csum(iph, 5);
	skb_put_data(skb, l4, len);
	return skb;
}

static void lnat_t_udp_rewrite(struct kunit *test)
{
	struct {
		struct udphdr uh;
		u8 data[13];
	} __packed m = { .uh = { .source = htons(5353), .dest = htons(53),
				 .len = htons(sizeof(m)) } };
	struct sk_buff *skb;
	struct iphdr *iph;
	struct udphdr *uh;

	memset(m.data, 0x5a, sizeof(m.data));
	m.uh.check = csum_tcpudp_magic(in_aton("10.0.0.2"), in_aton("192.0.2.2"),
				       sizeof(m), IPPROTO_UDP,
				       csum_partial(&m, sizeof(m), 0));
	skb = lnat_t_raw(test, IPPROTO_UDP, &m, sizeof(m));
	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, sizeof(struct iphdr),
					  LNAT_DIR_ORIG, in_aton(T_EXT),
					  htons(40000)), 0);
	iph = ip_hdr(skb);
	uh = (struct udphdr *)(iph + 1);
	KUNIT_EXPECT_EQ(test, ntohs(uh->source), 40000);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(iph, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_tcpudp_magic(iph->saddr, iph->daddr,
						   sizeof(m), IPPROTO_UDP,
						   csum_partial(uh, sizeof(m), 0)),
			   0);
	kfree_skb(skb);

	/* A zero UDP checksum means "none" and stays zero. */
	m.uh.check = 0;
	skb = lnat_t_raw(test, IPPROTO_UDP, &m, sizeof(m));
	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, sizeof(struct iphdr),
					  LNAT_DIR_ORIG, in_aton(T_EXT),
					  htons(40000)), 0);
	uh = (struct udphdr *)(ip_hdr(skb) + 1);
	LNAT_EXPECT_RAW_EQ(test, uh->check, 0);
	KUNIT_EXPECT_EQ(test, ntohs(uh->source), 40000);
	kfree_skb(skb);
}

static void lnat_t_echo_rewrite(struct kunit *test)
{
	struct {
		struct icmphdr ih;
		u8 data[21];
	} __packed m = { .ih = { .type = ICMP_ECHO } };
	struct icmphdr *ih;
	struct sk_buff *skb;
	struct lnat_pkt p;

	m.ih.un.echo.id = htons(0x1234);
	m.ih.un.echo.sequence = htons(7);
	memset(m.data, 0x33, sizeof(m.data));
	m.ih.checksum = csum_fold(csum_partial(&m, sizeof(m), 0));
	skb = lnat_t_raw(test, IPPROTO_ICMP, &m, sizeof(m));
	/* The identifier is the source port; type and code are kept. */
	KUNIT_ASSERT_EQ(test, lnat_parse(skb, LNAT_DIR_ORIG, &p), 0);
	KUNIT_EXPECT_EQ(test, ntohs(p.t.sport), 0x1234);
	KUNIT_EXPECT_EQ(test, p.icmp_type, ICMP_ECHO);
	KUNIT_EXPECT_EQ(test, p.icmp_code, 0);
	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, sizeof(struct iphdr),
					  LNAT_DIR_ORIG, in_aton(T_EXT),
					  htons(0x4321)), 0);
	ih = (struct icmphdr *)(ip_hdr(skb) + 1);
	KUNIT_EXPECT_EQ(test, ntohs(ih->un.echo.id), 0x4321);
	KUNIT_EXPECT_EQ(test, ntohs(ih->un.echo.sequence), 7);
	LNAT_EXPECT_RAW_EQ(test, csum_fold(csum_partial(ih, sizeof(m), 0)), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(ip_hdr(skb), 5), 0);
	kfree_skb(skb);
}

static struct kunit_case lnat_proto_cases[] = {
	KUNIT_CASE(lnat_t_udp_eim),
	KUNIT_CASE(lnat_t_bind_release),
	KUNIT_CASE(lnat_t_full_cone),
	KUNIT_CASE(lnat_t_icmp_id),
	KUNIT_CASE(lnat_t_generic),
	KUNIT_CASE(lnat_t_proto_timeouts),
	KUNIT_CASE(lnat_t_udp_rewrite),
	KUNIT_CASE(lnat_t_echo_rewrite),
	{}
};

static struct kunit_suite lnat_proto_suite = {
	.name = "loosenat_proto",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_proto_cases,
};

kunit_test_suite(lnat_proto_suite);
