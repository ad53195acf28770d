// SPDX-License-Identifier: GPL-2.0
/*
 * An IPv4 packet read into a struct lnat_pkt: the only place that reads a
 * packet's headers for the mapping logic (ICMP errors' embedded headers are
 * icmp.c's). A second address family is a second parser here.
 */
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat.h"

/**
 * lnat_parse() - read a packet's tuple and what moves its mapping's state
 * @skb: the packet, its IPv4 header at skb_network_offset()
 * @dir: which way it crosses: an ICMP query identifier stands in for the
 *	source port going out (ORIG), for the destination port coming in
 * @p: filled in: tuple as on the wire (zone 0), transport header offset
 *	from skb->data, TCP flag class, ICMP type and code
 *
 * Never reads past the buffer: every header is copied or bounds-checked
 * through skb_header_pointer() against the IPv4 total length.
 *
 * Context: any; changes nothing.
 * Return: 0 for a packet whose headers are all within it, 1 for an ICMP
 * error (for lnat_icmp()), -EINVAL for anything malformed or a fragment.
 */
int lnat_parse(struct sk_buff *skb, enum lnat_dir dir, struct lnat_pkt *p)
{
	unsigned int nhoff = skb_network_offset(skb), ihl, len;
	struct lnat_tuple *t = &p->t;
	const struct iphdr *iph;
	struct iphdr _iph;
	union {
		struct tcphdr th;
		struct udphdr uh;
		struct icmphdr ih;
	} _h;
	const struct tcphdr *th;
	const struct udphdr *uh;
	const struct icmphdr *ih;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	ihl = iph->ihl * 4;
	len = ntohs(iph->tot_len);
	/* IPv4 BIG TCP: GSO packets over 64k carry tot_len 0. */
	if (!len && skb_is_gso(skb))
		len = skb->len - nhoff;
	if (len < ihl || len > skb->len - nhoff)
		return -EINVAL;
	/* A fragment cannot be matched to a mapping: defrag ran before us. */
	if (ip_is_fragment(iph))
		return -EINVAL;

	memset(p, 0, sizeof(*p));
	t->saddr = iph->saddr;
	t->daddr = iph->daddr;
	t->proto = iph->protocol;
	p->thoff = nhoff + ihl;
	p->tf = LNAT_TF_NONE;

	switch (iph->protocol) {
	case IPPROTO_TCP:
		th = skb_header_pointer(skb, p->thoff, sizeof(_h.th), &_h.th);
		if (!th || len < ihl + sizeof(*th) || th->doff < 5 ||
		    ihl + th->doff * 4 > len)
			return -EINVAL;
		t->sport = th->source;
		t->dport = th->dest;
		p->tf = lnat_tcp_classify(tcp_flag_byte(th));
		break;
	case IPPROTO_UDP:
		uh = skb_header_pointer(skb, p->thoff, sizeof(_h.uh), &_h.uh);
		if (!uh || len < ihl + sizeof(*uh) ||
		    ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > len - ihl)
			return -EINVAL;
		t->sport = uh->source;
		t->dport = uh->dest;
		break;
	case IPPROTO_ICMP:
		ih = skb_header_pointer(skb, p->thoff, sizeof(_h.ih), &_h.ih);
		if (!ih || len < ihl + sizeof(*ih))
			return -EINVAL;
		if (lnat_icmp_is_error(ih->type))
			return 1;
		p->icmp_type = ih->type;
		p->icmp_code = ih->code;
		/* Other ICMP messages are translated by address only. */
		if (!lnat_icmp_is_query(ih->type))
			break;
		if (dir == LNAT_DIR_ORIG)
			t->sport = ih->un.echo.id;
		else
			t->dport = ih->un.echo.id;
		break;
	}
	return 0;
}
