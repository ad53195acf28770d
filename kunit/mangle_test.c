// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: header rewrite. Every incremental checksum update is checked against
 * a full recomputation over the rewritten packet, linear and non-linear, and
 * with CHECKSUM_PARTIAL as GSO and checksum-offload paths hand it to us.
 */
#include <linux/ip.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

#define LNAT_T_PAYLOAD	333	/* odd, so byte order mistakes show */

/* Verify the whole packet as a receiver would, from a flat copy. */
static void lnat_t_verify(struct kunit *test, struct sk_buff *skb)
{
	unsigned int len = skb->len, tlen = len - sizeof(struct iphdr);
	struct iphdr *iph;
	u8 *buf;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, len), 0);
	iph = (struct iphdr *)buf;
	LNAT_EXPECT_RAW_EQ(test, ip_fast_csum(iph, iph->ihl), 0);
	LNAT_EXPECT_RAW_EQ(test, csum_tcpudp_magic(iph->saddr, iph->daddr, tlen,
						   IPPROTO_TCP,
						   csum_partial(buf + sizeof(*iph),
								tlen, 0)), 0);
}

static void lnat_t_rewrite(struct kunit *test, unsigned int linear)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", 40001, "192.0.2.2", 80);
	unsigned int thoff = sizeof(struct iphdr);
	struct sk_buff *skb;
	struct tcphdr th;

	skb = lnat_t_skb(test, &t, TCPHDR_FIN | TCPHDR_ACK, LNAT_T_PAYLOAD, linear);
	lnat_t_verify(test, skb);

	/* Outbound: source becomes the router's. */
	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, thoff, LNAT_DIR_ORIG,
					  in_aton("192.0.2.1"), htons(61234)), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->saddr, in_aton("192.0.2.1"));
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, thoff, &th, sizeof(th)), 0);
	KUNIT_EXPECT_EQ(test, ntohs(th.source), 61234);
	lnat_t_verify(test, skb);

	/* Inbound: destination goes back to the client. */
	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, thoff, LNAT_DIR_REPLY,
					  in_aton("10.9.8.7"), htons(1)), 0);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.9.8.7"));
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, thoff, &th, sizeof(th)), 0);
	KUNIT_EXPECT_EQ(test, ntohs(th.dest), 1);
	lnat_t_verify(test, skb);
	kfree_skb(skb);
}

static void lnat_t_linear(struct kunit *test)
{
	lnat_t_rewrite(test, ~0U);
}

/* Headers linear, payload in a page fragment. */
static void lnat_t_frag_payload(struct kunit *test)
{
	lnat_t_rewrite(test, sizeof(struct iphdr) + sizeof(struct tcphdr));
}

/* The TCP header itself split across the linear part and a fragment. */
static void lnat_t_frag_header(struct kunit *test)
{
	lnat_t_rewrite(test, sizeof(struct iphdr) + 6);
}

/* CHECKSUM_PARTIAL: only the pseudo-header seed may change. */
static void lnat_t_partial(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", 40002, "192.0.2.2", 443);
	unsigned int thoff = sizeof(struct iphdr), tlen;
	__be32 ext = in_aton("192.0.2.1");
	struct sk_buff *skb;
	struct tcphdr *th;

	skb = lnat_t_skb(test, &t, TCPHDR_ACK | TCPHDR_PSH, LNAT_T_PAYLOAD,
			 thoff + sizeof(*th));
	tlen = skb->len - thoff;
	th = tcp_hdr(skb);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	th->check = ~csum_tcpudp_magic(t.saddr, t.daddr, tlen, IPPROTO_TCP, 0);

	KUNIT_ASSERT_EQ(test, lnat_mangle(skb, thoff, LNAT_DIR_ORIG, ext,
					  htons(50000)), 0);
	th = tcp_hdr(skb);
	LNAT_EXPECT_RAW_EQ(test, th->check,
			   (__sum16)~csum_tcpudp_magic(ext, t.daddr, tlen,
						       IPPROTO_TCP, 0));
	/* What the NIC would do; the result must then verify. */
	KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	lnat_t_verify(test, skb);
	kfree_skb(skb);
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

static struct kunit_case lnat_mangle_cases[] = {
	KUNIT_CASE(lnat_t_linear),
	KUNIT_CASE(lnat_t_frag_payload),
	KUNIT_CASE(lnat_t_frag_header),
	KUNIT_CASE(lnat_t_partial),
	KUNIT_CASE(lnat_t_udp_rewrite),
	KUNIT_CASE(lnat_t_echo_rewrite),
	{}
};

static struct kunit_suite lnat_mangle_suite = {
	.name = "loosenat_mangle",
	.test_cases = lnat_mangle_cases,
};

kunit_test_suite(lnat_mangle_suite);
