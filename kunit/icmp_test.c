// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ICMP errors about mapped TCP flows. Every header and checksum of the
 * translated error is verified by recomputation.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

#define T_INT	"10.0.0.2"
#define T_EXT	"192.0.2.1"
#define T_SRV	"192.0.2.2"
#define T_HOP	"198.51.100.1"

/* What the router sent out for the mapping, embedded in the error. */
struct lnat_t_err {
	struct iphdr outer;
	struct icmphdr icmp;
	struct iphdr inner;
	struct tcphdr tcp;
} __packed;

static struct lnat_entry *lnat_t_mapping(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple(T_INT, 4000, T_SRV, 80);
	struct lnat_entry *e;

	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton(T_EXT), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_ASSERT_EQ(test, ntohs(e->tuple[LNAT_DIR_REPLY].dport), 4000);
	return e;
}

/*
 * A fragmentation-needed error from a hop beyond the router (@in) or from
 * the inside host about an inbound packet, embedding @tcplen bytes of TCP.
 */
static struct sk_buff *lnat_t_error(struct kunit *test, bool in,
				    unsigned int tcplen, u8 inner_proto)
{
	unsigned int len = sizeof(struct iphdr) * 2 + sizeof(struct icmphdr) +
			   tcplen;
	struct lnat_t_err m = { };
	struct sk_buff *skb;

	m.inner.version = 4;
	m.inner.ihl = 5;
	m.inner.ttl = 1;
	m.inner.protocol = inner_proto;
	m.inner.tot_len = htons(sizeof(m.inner) + sizeof(m.tcp));
	m.tcp.doff = 5;
	m.tcp.syn = 1;
	if (in) {
		m.inner.saddr = in_aton(T_EXT);
		m.inner.daddr = in_aton(T_SRV);
		m.tcp.source = htons(4000);
		m.tcp.dest = htons(80);
	} else {
		m.inner.saddr = in_aton(T_SRV);
		m.inner.daddr = in_aton(T_INT);
		m.tcp.source = htons(80);
		m.tcp.dest = htons(4000);
	}
	m.inner.check = ip_fast_csum(&m.inner, 5);
	m.tcp.check = csum_tcpudp_magic(m.inner.saddr, m.inner.daddr,
					sizeof(m.tcp), IPPROTO_TCP,
					csum_partial(&m.tcp, sizeof(m.tcp), 0));
	m.icmp.type = ICMP_DEST_UNREACH;
	m.icmp.code = ICMP_FRAG_NEEDED;
	m.icmp.un.frag.mtu = htons(1280);
	m.icmp.checksum = csum_fold(csum_partial(&m.icmp, len - sizeof(m.outer), 0));
	m.outer.version = 4;
	m.outer.ihl = 5;
	m.outer.ttl = 64;
	m.outer.protocol = IPPROTO_ICMP;
	m.outer.tot_len = htons(len);
	m.outer.saddr = in_aton(in ? T_HOP : T_INT);
	m.outer.daddr = in_aton(in ? T_EXT : T_SRV);
	m.outer.check = ip_fast_csum(&m.outer, 5);

	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_data(skb, &m, len);
	return skb;
}

static unsigned int lnat_t_verdict(struct kunit *test, struct sk_buff *skb,
				   enum lnat_dir dir)
{
	unsigned int v;

	rcu_read_lock();
	/* As lnat_xlat_out() tells it: sent by the router, from T_EXT. */
	v = lnat_icmp(test->priv, skb, dir, 0,
		      ip_hdr(skb)->saddr == in_aton(T_EXT));
	rcu_read_unlock();
	return v;
}

static void lnat_t_verify_error(struct kunit *test, struct sk_buff *skb,
				bool full_tcp)
{
	struct lnat_t_err *m = (struct lnat_t_err *)skb->data;

	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(&m->outer, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(&m->inner, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_fold(csum_partial(&m->icmp, skb->len -
							sizeof(m->outer), 0)), 0);
	if (full_tcp)
		LNAT_EXPECT_RAW_EQ(test, csum_tcpudp_magic(m->inner.saddr,
							   m->inner.daddr,
							   sizeof(m->tcp),
							   IPPROTO_TCP,
							   csum_partial(&m->tcp,
									sizeof(m->tcp), 0)),
				   0);
	/* Type, code and MTU are kept (RFC 5508 REQ-4). */
	KUNIT_EXPECT_EQ(test, m->icmp.type, ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, ntohs(m->icmp.un.frag.mtu), 1280);
}

static void lnat_t_inbound(struct kunit *test, unsigned int tcplen)
{
	struct lnat_t_err *m;
	struct sk_buff *skb;

	lnat_t_mapping(test);
	skb = lnat_t_error(test, true, tcplen, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_ACCEPT);
	m = (struct lnat_t_err *)skb->data;
	LNAT_EXPECT_RAW_EQ(test, m->outer.daddr, in_aton(T_INT));
	LNAT_EXPECT_RAW_EQ(test, m->outer.saddr, in_aton(T_HOP));
	LNAT_EXPECT_RAW_EQ(test, m->inner.saddr, in_aton(T_INT));
	LNAT_EXPECT_RAW_EQ(test, m->inner.daddr, in_aton(T_SRV));
	KUNIT_EXPECT_EQ(test, ntohs(m->tcp.source), 4000);
	lnat_t_verify_error(test, skb, tcplen == sizeof(struct tcphdr));
	kfree_skb(skb);
}

static void lnat_t_inbound_full(struct kunit *test)
{
	lnat_t_inbound(test, sizeof(struct tcphdr));
}

/* Only the 8 bytes RFC 792 guarantees: no embedded TCP checksum to fix. */
static void lnat_t_inbound_short(struct kunit *test)
{
	lnat_t_inbound(test, 8);
}

/* RFC 5508 REQ-5: an error from inside leaves with the router's address. */
static void lnat_t_outbound(struct kunit *test)
{
	struct lnat_t_err *m;
	struct sk_buff *skb;

	lnat_t_mapping(test);
	skb = lnat_t_error(test, false, sizeof(struct tcphdr), IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_ORIG), NF_ACCEPT);
	m = (struct lnat_t_err *)skb->data;
	LNAT_EXPECT_RAW_EQ(test, m->outer.saddr, in_aton(T_EXT));
	LNAT_EXPECT_RAW_EQ(test, m->inner.daddr, in_aton(T_EXT));
	KUNIT_EXPECT_EQ(test, ntohs(m->tcp.dest), 4000);
	lnat_t_verify_error(test, skb, true);
	kfree_skb(skb);
}

static void lnat_t_malformed(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e = lnat_t_mapping(test);
	u32 state = e->state, seen = e->last_seen;
	struct sk_buff *skb;
	u8 *icmp;

	/* Embedded header cut below its 8 bytes of payload. */
	skb = lnat_t_error(test, true, 4, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_DROP);
	kfree_skb(skb);
	/* Bad ICMP checksum. */
	skb = lnat_t_error(test, true, 8, IPPROTO_TCP);
	icmp = skb->data + sizeof(struct iphdr);
	icmp[2] ^= 0xff;
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_DROP);
	kfree_skb(skb);
	/* An error about an error. */
	skb = lnat_t_error(test, true, 8, IPPROTO_ICMP);
	icmp = skb->data + sizeof(struct iphdr) * 2 + sizeof(struct icmphdr);
	icmp[0] = ICMP_TIME_EXCEEDED;
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_DROP);
	kfree_skb(skb);
	/* Outer destination other than the embedded translated source. */
	skb = lnat_t_error(test, true, 8, IPPROTO_TCP);
	((struct iphdr *)skb->data)->daddr = in_aton("192.0.2.7");
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_ICMP_DROP), 4U);
	/* No error touched the mapping. */
	KUNIT_EXPECT_EQ(test, e->state, state);
	KUNIT_EXPECT_EQ(test, e->last_seen, seen);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 1);
}

/* No mapping: the error is about the router's own traffic, left alone. */
static void lnat_t_not_ours(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct sk_buff *skb;
	u8 copy[64];

	skb = lnat_t_error(test, true, 8, IPPROTO_TCP);
	memcpy(copy, skb->data, skb->len);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_REPLY), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, memcmp(copy, skb->data, skb->len), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
	kfree_skb(skb);
}

/*
 * An error from inside about a flow with no mapping (lost, or forged) cannot
 * be translated: it is dropped, not sent with its private source. The
 * router's own errors, from its address there, pass.
 */
static void lnat_t_outbound_unmapped(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct sk_buff *skb;

	skb = lnat_t_error(test, false, sizeof(struct tcphdr), IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_ORIG), NF_DROP);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_ICMP_DROP), 1U);
	kfree_skb(skb);

	skb = lnat_t_error(test, false, sizeof(struct tcphdr), IPPROTO_TCP);
	((struct iphdr *)skb->data)->saddr = in_aton(T_EXT);
	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_ORIG), NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
	kfree_skb(skb);
}

/* An error from inside quoting an echo reply it received. */
struct lnat_t_qerr {
	struct iphdr outer;
	struct icmphdr icmp;
	struct iphdr inner;
	struct icmphdr echo;
} __packed;

/*
 * The identifier of a query that came in is its destination port: an error
 * from inside quoting an echo reply must find the echo's mapping by it and
 * leave with the router's address and the external identifier. Regression
 * test for the fuzzer's seed 0x6c6e6174, iteration 1259.
 */
static void lnat_t_outbound_query(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple(T_INT, 0x14e9, T_SRV, 0);
	struct lnat_entry *other, *e;
	struct lnat_t_qerr m = { };
	struct sk_buff *skb;

	t.proto = IPPROTO_ICMP;
	rcu_read_lock();
	other = lnat_t_create(test->priv, &t, in_aton(T_EXT), LNAT_TF_NONE);
	t.saddr = in_aton("10.0.0.3");
	e = lnat_t_create(test->priv, &t, in_aton(T_EXT), LNAT_TF_NONE);
	rcu_read_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(other));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	/* The second host's identifier had to move: the test can tell them. */
	KUNIT_ASSERT_NE(test, ntohs(e->tuple[LNAT_DIR_REPLY].dport), 0x14e9);

	m.echo.type = ICMP_ECHOREPLY;
	m.echo.un.echo.id = htons(0x14e9);
	m.echo.checksum = csum_fold(csum_partial(&m.echo, sizeof(m.echo), 0));
	m.inner.version = 4;
	m.inner.ihl = 5;
	m.inner.ttl = 64;
	m.inner.protocol = IPPROTO_ICMP;
	m.inner.tot_len = htons(sizeof(m.inner) + sizeof(m.echo));
	m.inner.saddr = in_aton(T_SRV);
	m.inner.daddr = in_aton("10.0.0.3");
	m.inner.check = ip_fast_csum(&m.inner, 5);
	m.icmp.type = ICMP_DEST_UNREACH;
	m.icmp.code = ICMP_FRAG_NEEDED;
	m.icmp.un.frag.mtu = htons(1280);
	m.icmp.checksum = csum_fold(csum_partial(&m.icmp, sizeof(m) -
						 sizeof(m.outer), 0));
	m.outer.version = 4;
	m.outer.ihl = 5;
	m.outer.ttl = 64;
	m.outer.protocol = IPPROTO_ICMP;
	m.outer.tot_len = htons(sizeof(m));
	m.outer.saddr = in_aton("10.0.0.3");
	m.outer.daddr = in_aton(T_SRV);
	m.outer.check = ip_fast_csum(&m.outer, 5);
	skb = alloc_skb(sizeof(m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	skb_put_data(skb, &m, sizeof(m));

	KUNIT_EXPECT_EQ(test, lnat_t_verdict(test, skb, LNAT_DIR_ORIG), NF_ACCEPT);
	memcpy(&m, skb->data, sizeof(m));
	LNAT_EXPECT_RAW_EQ(test, m.outer.saddr, in_aton(T_EXT));
	LNAT_EXPECT_RAW_EQ(test, m.inner.daddr, in_aton(T_EXT));
	LNAT_EXPECT_RAW_EQ(test, m.echo.un.echo.id, e->tuple[LNAT_DIR_REPLY].dport);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(&m.outer, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(&m.inner, 5), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_fold(csum_partial(&m.icmp, sizeof(m) -
							sizeof(m.outer), 0)), 0);
	kfree_skb(skb);
}

static struct kunit_case lnat_icmp_cases[] = {
	KUNIT_CASE(lnat_t_inbound_full),
	KUNIT_CASE(lnat_t_inbound_short),
	KUNIT_CASE(lnat_t_outbound),
	KUNIT_CASE(lnat_t_malformed),
	KUNIT_CASE(lnat_t_not_ours),
	KUNIT_CASE(lnat_t_outbound_unmapped),
	KUNIT_CASE(lnat_t_outbound_query),
	{}
};

static struct kunit_suite lnat_icmp_suite = {
	.name = "loosenat_icmp",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_icmp_cases,
};

kunit_test_suite(lnat_icmp_suite);
