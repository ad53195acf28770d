// SPDX-License-Identifier: GPL-2.0
/*
 * Header rewrite with incremental checksums, the way nf_nat does it: the
 * pseudo-header part of the TCP checksum follows the address, and with
 * CHECKSUM_PARTIAL (GSO included) only the pseudo-header seed changes.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
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
