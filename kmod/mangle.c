// SPDX-License-Identifier: GPL-2.0
/*
 * Header rewrite with incremental checksums, the way nf_nat does it: the
 * pseudo-header part of the TCP and UDP checksums follows the address, and
 * with CHECKSUM_PARTIAL (GSO included) only the pseudo-header seed changes.
 * An answer translated back also gets the conntrack zone of its mapping.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include "lnat.h"

/* One template per CPU, reused while no queued packet holds it, as nft's. */
static DEFINE_PER_CPU(struct nf_conn *, lnat_zone_tmpl);

/**
 * lnat_set_zone() - have conntrack look an answer up in its mapping's zone
 * @net: the packet's netns
 * @skb: an answer translated back, before conntrack (PREROUTING)
 * @e: its mapping
 *
 * Tenants in different zones (VRFs) may share an inside address, and
 * conntrack sees answers with it once loosenat has translated them; no
 * rule on the WAN can tell which tenant's zone an answer belongs to, the
 * mapping can, when its zone is its answers' too (``ct zone set``; with
 * ``ct original zone set`` answers stay in zone 0). Whatever a raw rule
 * attached (a template, notrack) stands.
 *
 * Context: softirq, or process context after an NFQUEUE verdict;
 * rcu_read_lock held.
 * Return: 0, or -ENOMEM (the template was in use and none could be made).
 */
int lnat_set_zone(struct net *net, struct sk_buff *skb,
		  const struct lnat_entry *e)
{
	struct nf_conntrack_zone zone = {
		.id = e->tuple[LNAT_DIR_ORIG].zone,
		.dir = NF_CT_DEFAULT_ZONE_DIR,
	};
	struct nf_conn *tmpl;
	int old;

	if (!test_bit(LNAT_F_ZONE_REPLY, &e->flags) || skb_get_nfct(skb))
		return 0;
	tmpl = this_cpu_read(lnat_zone_tmpl);
	__refcount_inc(&tmpl->ct_general.use, &old);
	if (likely(old == 1)) {
		nf_ct_zone_add(tmpl, &zone);
	} else {
		/* A queued packet holds it, or one on this CPU meanwhile. */
		refcount_dec(&tmpl->ct_general.use);
		tmpl = nf_ct_tmpl_alloc(net, &zone, GFP_ATOMIC);
		if (!tmpl)
			return -ENOMEM;
		__set_bit(IPS_CONFIRMED_BIT, &tmpl->status);
	}
	nf_ct_set(skb, tmpl, IP_CT_NEW);
	return 0;
}

/**
 * lnat_mangle_init() - make the per-CPU zone templates
 *
 * Context: module load, process context.
 * Return: 0 or -ENOMEM.
 */
int lnat_mangle_init(void)
{
	struct nf_conntrack_zone zone = { .dir = NF_CT_DEFAULT_ZONE_DIR };
	struct nf_conn *tmpl;
	int cpu;

	for_each_possible_cpu(cpu) {
		tmpl = nf_ct_tmpl_alloc(&init_net, &zone, GFP_KERNEL);
		if (!tmpl) {
			lnat_mangle_exit();
			return -ENOMEM;
		}
		__set_bit(IPS_CONFIRMED_BIT, &tmpl->status);
		per_cpu(lnat_zone_tmpl, cpu) = tmpl;
	}
	return 0;
}

/**
 * lnat_mangle_exit() - drop the zone templates; a packet still holding one
 *	frees it when conntrack is done with it
 *
 * Context: module unload or failed load, process context.
 */
void lnat_mangle_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(lnat_zone_tmpl, cpu))
			nf_ct_put(per_cpu(lnat_zone_tmpl, cpu));
		per_cpu(lnat_zone_tmpl, cpu) = NULL;
	}
}

/*
 * The port (or ICMP query identifier) of the transport header at @l4 that a
 * translation in direction @dir rewrites, and the checksum to update with
 * it: none for a UDP checksum of zero, which stays zero.
 */
static __be16 *lnat_l4_port(u8 proto, void *l4, enum lnat_dir dir,
			    __sum16 **check, bool partial)
{
	struct icmphdr *ih = l4;
	struct tcphdr *th = l4;
	struct udphdr *uh = l4;

	*check = NULL;
	switch (proto) {
	case IPPROTO_TCP:
		*check = &th->check;
		return dir == LNAT_DIR_ORIG ? &th->source : &th->dest;
	case IPPROTO_UDP:
		if (uh->check || partial)
			*check = &uh->check;
		return dir == LNAT_DIR_ORIG ? &uh->source : &uh->dest;
	case IPPROTO_ICMP:
		if (!lnat_icmp_is_query(ih->type))
			return NULL;
		*check = &ih->checksum;
		return &ih->un.echo.id;
	}
	return NULL;
}

/**
 * lnat_mangle() - rewrite a packet's address and port, checksums updated
 * @skb: the packet, made writable here as far as its transport header
 * @thoff: the transport header's offset from skb->data; lnat_parse()
 *	checked that the whole header is there
 * @dir: ORIG rewrites the source (outbound), REPLY the destination
 * @addr: the new address
 * @port: the new port or ICMP query identifier (network order)
 *
 * Context: any.
 * Return: 0, or -ENOMEM if the header could not be made writable.
 */
int lnat_mangle(struct sk_buff *skb, unsigned int thoff, enum lnat_dir dir,
		__be32 addr, __be16 port)
{
	u8 proto = ip_hdr(skb)->protocol;
	unsigned int need = thoff;
	struct iphdr *iph;
	__sum16 *check;
	__be32 *a;
	__be16 *p;

	if (proto == IPPROTO_TCP)
		need += sizeof(struct tcphdr);
	else if (proto == IPPROTO_UDP || proto == IPPROTO_ICMP)
		need += 8;
	if (skb_ensure_writable(skb, need))
		return -ENOMEM;
	iph = ip_hdr(skb);
	a = dir == LNAT_DIR_ORIG ? &iph->saddr : &iph->daddr;
	p = lnat_l4_port(proto, skb->data + thoff, dir, &check,
			 skb->ip_summed == CHECKSUM_PARTIAL);

	if (check && proto != IPPROTO_ICMP)
		inet_proto_csum_replace4(check, skb, *a, addr, true);
	if (check && p)
		inet_proto_csum_replace2(check, skb, *p, port, false);
	if (check && proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	csum_replace4(&iph->check, *a, addr);
	*a = addr;
	if (p)
		*p = port;
	return 0;
}

/**
 * lnat_mangle_icmp() - translate an ICMP error and the packet it quotes
 * @skb: the ICMP error
 * @thoff: the ICMP header's offset from skb->data
 * @ihoff: the embedded IPv4 header's offset
 * @dir: ORIG (from inside) rewrites the outer source and the embedded
 *	destination, REPLY (from outside) the outer destination and the
 *	embedded source
 * @addr: the new address
 * @port: the new embedded port or query identifier (network order)
 * @outer: rewrite the outer address too; false leaves it (an error about a
 *	hairpinned packet from a host other than the one it quotes)
 *
 * The embedded transport checksum is updated when it lies within the error;
 * the ICMP checksum is recomputed over the whole message.
 *
 * Context: any.
 * Return: 0, or -ENOMEM if the packet could not be made writable.
 */
int lnat_mangle_icmp(struct sk_buff *skb, unsigned int thoff,
		     unsigned int ihoff, enum lnat_dir dir, __be32 addr,
		     __be16 port, bool outer)
{
	struct iphdr *iph, *inner;
	unsigned int ithoff, end;
	struct icmphdr *ih;
	__be32 *oa, *a;
	__sum16 *check;
	enum lnat_dir idir;
	__be16 *p;

	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	iph = ip_hdr(skb);
	end = skb_network_offset(skb) + ntohs(iph->tot_len);
	ih = (struct icmphdr *)(skb->data + thoff);
	inner = (struct iphdr *)(skb->data + ihoff);
	ithoff = ihoff + inner->ihl * 4;
	oa = dir == LNAT_DIR_ORIG ? &iph->saddr : &iph->daddr;
	a = dir == LNAT_DIR_ORIG ? &inner->daddr : &inner->saddr;
	/* The embedded packet travelled the other way. */
	idir = dir == LNAT_DIR_ORIG ? LNAT_DIR_REPLY : LNAT_DIR_ORIG;
	p = lnat_l4_port(inner->protocol, skb->data + ithoff, idir, &check,
			 false);
	/* Only 8 bytes of the embedded transport header are guaranteed. */
	if (check && (void *)(check + 1) > (void *)(skb->data + end))
		check = NULL;

	if (outer) {
		csum_replace4(&iph->check, *oa, addr);
		*oa = addr;
	}
	if (check && inner->protocol != IPPROTO_ICMP)
		csum_replace4(check, *a, addr);
	if (check && p)
		csum_replace2(check, *p, port);
	if (check && inner->protocol == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	csum_replace4(&inner->check, *a, addr);
	*a = addr;
	if (p)
		*p = port;

	ih->checksum = 0;
	ih->checksum = csum_fold(skb_checksum(skb, thoff, end - thoff, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}
