// SPDX-License-Identifier: GPL-2.0
/*
 * Fixtures for the loosenat KUnit suites. The test module links the module's
 * own objects, so the suites run the real code on real skbs and a real table.
 */
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

int lnat_kunit_suite_init(struct kunit_suite *suite)
{
	int err = lnat_mangle_init();

	lnat_max_total_init();
	if (err)
		return err;
	err = lnat_cache_init();
	if (err)
		lnat_mangle_exit();
	return err;
}

void lnat_kunit_suite_exit(struct kunit_suite *suite)
{
	lnat_cache_exit();
	lnat_mangle_exit();
}

/* Each case gets its own table (test->priv) in the initial netns. */
int lnat_kunit_init(struct kunit *test)
{
	struct lnat_net *ln = kzalloc(sizeof(*ln), GFP_KERNEL);

	if (!ln)
		return -ENOMEM;
	if (lnat_net_setup(ln, &init_net, LNAT_T_BITS)) {
		kfree(ln);
		return -ENOMEM;
	}
	test->priv = ln;
	return 0;
}

void lnat_kunit_exit(struct kunit *test)
{
	struct lnat_net *ln = test->priv;

	lnat_net_teardown(ln);
	kfree(ln);
}

/*
 * lnat_create() for a packet of @t with TCP flags @tf (an ICMP tuple is an
 * echo request) leaving interface 1. Caller holds rcu_read_lock.
 */
struct lnat_entry *lnat_t_create(struct lnat_net *ln,
				 const struct lnat_tuple *t, __be32 ext,
				 enum lnat_tcp_flags tf)
{
	struct lnat_pkt p = { .t = *t, .tf = tf };

	if (t->proto == IPPROTO_ICMP)
		p.icmp_type = ICMP_ECHO;
	return lnat_create(ln, &p, lnat_hash(ln, t), ext, 1);
}

/* A TCP mapping from 10.0.0.2:@sport to 192.0.2.2:80, created by @tf. */
struct lnat_entry *lnat_t_tcp(struct kunit *test, u16 sport,
			      enum lnat_tcp_flags tf)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", sport, "192.0.2.2", 80);
	struct lnat_entry *e;

	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton("192.0.2.1"), tf);
	rcu_read_unlock();
	return e;
}

/* A mapping of any protocol, as its first packet would create it. */
struct lnat_entry *lnat_t_open(struct kunit *test, u8 proto, const char *src,
			       u16 sport, const char *dst, u16 dport)
{
	struct lnat_tuple t = lnat_t_tuple(src, sport, dst, dport);
	struct lnat_entry *e;

	t.proto = proto;
	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton("192.0.2.1"), LNAT_TF_NONE);
	rcu_read_unlock();
	return e;
}

/* Its external port, host order. */
u16 lnat_t_port(const struct lnat_entry *e)
{
	return ntohs(e->tuple[LNAT_DIR_REPLY].dport);
}

/* Make @e look @secs seconds idle. */
void lnat_t_backdate(struct lnat_entry *e, unsigned int secs)
{
	WRITE_ONCE(e->last_seen, (u32)jiffies - secs * HZ);
}

/* A /proc/net/stat/loosenat column, summed over CPUs. */
unsigned int lnat_t_stat(struct lnat_net *ln, enum lnat_stat s)
{
	unsigned int cpu, sum = 0;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(ln->stats, cpu)->s[s];
	return sum;
}

struct lnat_tuple lnat_t_tuple(const char *src, u16 sport, const char *dst,
			       u16 dport)
{
	struct lnat_tuple t = {
		.saddr = in_aton(src),
		.daddr = in_aton(dst),
		.sport = htons(sport),
		.dport = htons(dport),
		.proto = IPPROTO_TCP,
	};

	return t;
}

/*
 * An IPv4/TCP packet with valid checksums. With @linear smaller than the
 * packet, the rest (TCP header included, if @linear says so) is put in a page
 * fragment, as a NIC with header split would deliver it.
 */
struct sk_buff *lnat_t_skb(struct kunit *test, const struct lnat_tuple *t,
			   u8 flags, unsigned int payload, unsigned int linear)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct tcphdr) + payload;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct page *page;
	u8 *buf;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	iph = (struct iphdr *)buf;
	th = (struct tcphdr *)(buf + sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->tot_len = htons(len);
	iph->saddr = t->saddr;
	iph->daddr = t->daddr;
	iph->check = ip_fast_csum(iph, iph->ihl);
	th->source = t->sport;
	th->dest = t->dport;
	th->seq = htonl(0x12345678);
	th->doff = 5;
	tcp_flag_byte(th) = flags;
	th->window = htons(1000);
	memset(th + 1, 0xa5, payload);
	th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, len - sizeof(*iph),
				      IPPROTO_TCP,
				      csum_partial(th, len - sizeof(*iph), 0));

	if (linear > len)
		linear = len;
	skb = alloc_skb(linear + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	skb_put_data(skb, buf, linear);
	if (linear < len) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), buf + linear, len - linear);
		skb_fill_page_desc(skb, 0, page, 0, len - linear);
		skb->len += len - linear;
		skb->data_len += len - linear;
		skb->truesize += PAGE_SIZE;
	}
	skb_set_transport_header(skb, sizeof(*iph));
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for loosenat");
