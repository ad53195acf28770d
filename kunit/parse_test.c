// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: packet parsing on malformed input. Each skb holds exactly the bytes
 * given, so under KASAN any read past them is caught.
 */
#include <linux/ip.h>
#include <net/ip.h>
#include <linux/icmp.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

/* Up to two bytes of a valid 60-byte packet changed, and its length cut. */
struct lnat_t_bad {
	const char *what;
	unsigned int len;
	int off[2];		/* -1: no change */
	u8 val[2];
	int want;
};

static const struct lnat_t_bad lnat_t_bads[] = {
	{ "valid", 60, { -1, -1 }, { 0, 0 }, 0 },
	{ "tcp options within the packet", 60, { 32, -1 }, { 10 << 4 }, 0 },
	{ "another protocol", 60, { 9, -1 }, { IPPROTO_GRE }, 0 },
	{ "udp length beyond the packet", 60, { 9, -1 }, { IPPROTO_UDP }, -EINVAL },
	{ "icmp error", 60, { 9, 20 }, { IPPROTO_ICMP, ICMP_DEST_UNREACH }, 1 },
	{ "empty", 0, { -1, -1 }, { 0, 0 }, -EINVAL },
	{ "truncated ip header", 19, { -1, -1 }, { 0, 0 }, -EINVAL },
	{ "truncated tcp header", 39, { -1, -1 }, { 0, 0 }, -EINVAL },
	{ "ip version 6", 60, { 0, -1 }, { 0x65 }, -EINVAL },
	{ "ihl below 5", 60, { 0, -1 }, { 0x44 }, -EINVAL },
	{ "ihl beyond the packet", 40, { 0, -1 }, { 0x4f }, -EINVAL },
	{ "tot_len beyond the packet", 60, { 3, -1 }, { 61 }, -EINVAL },
	{ "tot_len cutting the tcp header", 60, { 3, -1 }, { 39 }, -EINVAL },
	{ "tot_len zero", 60, { 2, 3 }, { 0, 0 }, -EINVAL },
	{ "first fragment", 60, { 6, -1 }, { 0x20 }, -EINVAL },
	{ "later fragment", 60, { 7, -1 }, { 0x10 }, -EINVAL },
	{ "doff below 5", 60, { 32, -1 }, { 4 << 4 }, -EINVAL },
	{ "doff zero", 60, { 32, -1 }, { 0 }, -EINVAL },
	{ "doff beyond the packet", 60, { 32, -1 }, { 11 << 4 }, -EINVAL },
};

static void lnat_t_parse_cases(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", 40003, "192.0.2.2", 80);
	struct lnat_tuple got;
	struct lnat_pkt p;
	unsigned int i;
	struct sk_buff *full, *skb;
	u8 pkt[60];

	/* 60 bytes: IP + TCP + 20 payload; tot_len 60. */
	full = lnat_t_skb(test, &t, TCPHDR_RST, 20, ~0U);
	memcpy(pkt, full->data, sizeof(pkt));
	kfree_skb(full);

	for (i = 0; i < ARRAY_SIZE(lnat_t_bads); i++) {
		const struct lnat_t_bad *b = &lnat_t_bads[i];
		u8 copy[60];
		int j;

		memcpy(copy, pkt, sizeof(copy));
		for (j = 0; j < 2; j++)
			if (b->off[j] >= 0)
				copy[b->off[j]] = b->val[j];
		skb = alloc_skb(b->len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_reset_network_header(skb);
		skb_put_data(skb, copy, b->len);
		KUNIT_EXPECT_EQ_MSG(test, lnat_parse(skb, LNAT_DIR_ORIG, &p),
				    b->want, "%s", b->what);
		got = p.t;
		if (b->want == 0 && got.proto != IPPROTO_TCP) {
			KUNIT_EXPECT_EQ(test, got.proto, IPPROTO_GRE);
			LNAT_EXPECT_RAW_EQ(test, got.sport | got.dport, 0);
		} else if (b->want == 0) {
			LNAT_EXPECT_RAW_EQ(test, got.saddr, t.saddr);
			LNAT_EXPECT_RAW_EQ(test, got.daddr, t.daddr);
			LNAT_EXPECT_RAW_EQ(test, got.sport, t.sport);
			LNAT_EXPECT_RAW_EQ(test, got.dport, t.dport);
			KUNIT_EXPECT_EQ(test, p.thoff, 20U);
			KUNIT_EXPECT_EQ(test, p.tf, LNAT_TF_RST);
		}
		kfree_skb(skb);
	}
}

static struct kunit_case lnat_parse_cases[] = {
	KUNIT_CASE(lnat_t_parse_cases),
	{}
};

static struct kunit_suite lnat_parse_suite = {
	.name = "loosenat_parse",
	.test_cases = lnat_parse_cases,
};

kunit_test_suite(lnat_parse_suite);
