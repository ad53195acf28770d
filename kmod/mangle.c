// SPDX-License-Identifier: GPL-2.0
/*
 * Header rewrite with incremental checksums, the way nf_nat does it: the
 * pseudo-header part of the TCP checksum follows the address, and with
 * CHECKSUM_PARTIAL (GSO included) only the pseudo-header seed changes.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <net/checksum.h>
#include "lnat.h"

/*
 * Rewrite the source (@dir ORIG, outbound) or destination (@dir REPLY,
 * inbound) address and port. @thoff is the TCP header's offset from
 * skb->data; the caller checked that a whole TCP header is there.
 */
int lnat_mangle(struct sk_buff *skb, unsigned int thoff, enum lnat_dir dir,
		__be32 addr, __be16 port)
{
	struct iphdr *iph;
	struct tcphdr *th;
	__be32 *a;
	__be16 *p;

	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return -ENOMEM;
	iph = ip_hdr(skb);
	th = (struct tcphdr *)(skb->data + thoff);
	a = dir == LNAT_DIR_ORIG ? &iph->saddr : &iph->daddr;
	p = dir == LNAT_DIR_ORIG ? &th->source : &th->dest;

	inet_proto_csum_replace4(&th->check, skb, *a, addr, true);
	inet_proto_csum_replace2(&th->check, skb, *p, port, false);
	csum_replace4(&iph->check, *a, addr);
	*a = addr;
	*p = port;
	return 0;
}

/*
 * Translate an ICMP error whose embedded IPv4 header is at @ihoff: @dir ORIG
 * (from inside) rewrites the outer source and the embedded destination,
 * REPLY (from outside) the outer destination and the embedded source. The
 * embedded TCP checksum is updated when its header is all there; the ICMP
 * checksum is recomputed over the whole message.
 */
int lnat_mangle_icmp(struct sk_buff *skb, unsigned int thoff,
		     unsigned int ihoff, enum lnat_dir dir, __be32 addr,
		     __be16 port)
{
	struct iphdr *iph, *inner;
	unsigned int ithoff, end;
	struct icmphdr *ih;
	struct tcphdr *th;
	__be32 *outer, *a;
	__be16 *p;

	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	end = skb_network_offset(skb) + ntohs(iph->tot_len);
	ih = (struct icmphdr *)(skb->data + thoff);
	inner = (struct iphdr *)(skb->data + ihoff);
	ithoff = ihoff + inner->ihl * 4;
	th = (struct tcphdr *)(skb->data + ithoff);
	outer = dir == LNAT_DIR_ORIG ? &iph->saddr : &iph->daddr;
	a = dir == LNAT_DIR_ORIG ? &inner->daddr : &inner->saddr;
	p = dir == LNAT_DIR_ORIG ? &th->dest : &th->source;

	csum_replace4(&iph->check, *outer, addr);
	*outer = addr;
	if (ithoff + sizeof(*th) <= end) {
		csum_replace4(&th->check, *a, addr);
		csum_replace2(&th->check, *p, port);
	}
	csum_replace4(&inner->check, *a, addr);
	*a = addr;
	*p = port;

	ih->checksum = 0;
	ih->checksum = csum_fold(skb_checksum(skb, thoff, end - thoff, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}
