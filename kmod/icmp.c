// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about mapped flows (RFC 5382 REQ-9, RFC 5508 REQ-3..5):
 * destination unreachable (fragmentation needed included, so Path MTU
 * discovery works), time exceeded and parameter problem. From outside, the
 * outer destination and the embedded headers are translated back; from
 * inside, the outer source and the embedded headers are translated out. An
 * error never creates, refreshes or removes a mapping.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/ip.h>
#include "lnat.h"

/*
 * The embedded packet of the ICMP error at @thoff, up to @end, crossing in
 * direction @dir. Returns 1 if this is nothing to translate, 0 with @emb (the
 * embedded packet as it was sent) and @ihoff (its offset) filled, -EINVAL if
 * malformed.
 */
static int lnat_icmp_embedded(struct sk_buff *skb, unsigned int thoff,
			      unsigned int end, enum lnat_dir dir,
			      struct lnat_tuple *emb, unsigned int *ihoff)
{
	const struct icmphdr *ih, *inner_ih;
	struct icmphdr _ih, _inner_ih;
	const struct iphdr *iph;
	struct iphdr _iph;
	const __be16 *ports;
	__be16 _ports[2];
	unsigned int off;

	ih = skb_header_pointer(skb, thoff, sizeof(_ih), &_ih);
	if (!ih)
		return -EINVAL;
	if (!lnat_icmp_is_error(ih->type))
		return 1;
	off = thoff + sizeof(*ih);
	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	/* RFC 792: the embedded header and at least 8 bytes after it. */
	if (off + iph->ihl * 4 + 8 > end)
		return -EINVAL;
	emb->saddr = iph->saddr;
	emb->daddr = iph->daddr;
	emb->sport = 0;
	emb->dport = 0;
	emb->proto = iph->protocol;
	*ihoff = off;
	/* A later fragment carries no ports to match. */
	if (iph->frag_off & htons(IP_OFFSET))
		return -EINVAL;

	switch (iph->protocol) {
	case IPPROTO_ICMP:
		inner_ih = skb_header_pointer(skb, off + iph->ihl * 4,
					      sizeof(_inner_ih), &_inner_ih);
		/* Never an error about an error (RFC 1122 3.2.2). */
		if (!inner_ih || lnat_icmp_is_error(inner_ih->type))
			return -EINVAL;
		/*
		 * As in lnat_parse(): the identifier is the source port of a
		 * query going out (an error from outside quotes one), the
		 * destination port of one coming in (from inside).
		 */
		if (lnat_icmp_is_query(inner_ih->type) && dir == LNAT_DIR_REPLY)
			emb->sport = inner_ih->un.echo.id;
		else if (lnat_icmp_is_query(inner_ih->type))
			emb->dport = inner_ih->un.echo.id;
		break;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = skb_header_pointer(skb, off + iph->ihl * 4,
					   sizeof(_ports), _ports);
		if (!ports)
			return -EINVAL;
		emb->sport = ports[0];
		emb->dport = ports[1];
		break;
	}
	return 0;
}

/**
 * lnat_icmp_error() - the headers of an ICMP error, checked
 * @skb: an IPv4 packet, network header at skb->data
 * @dir: ORIG leaving the masqueraded interface (an embedded query's
 *	identifier is its destination port), REPLY arriving (its source port)
 * @thoff: set to the ICMP header's offset
 * @ihoff: set to the embedded IPv4 header's offset
 * @emb: set to the embedded packet's tuple, as it was sent (zone 0)
 *
 * Context: any.
 * Return: 0 with the outputs set; 1 for what is no ICMP error to translate
 * (another protocol, a query, a fragment from a local raw socket); -EINVAL
 * for a malformed error, which is dropped.
 */
int lnat_icmp_error(struct sk_buff *skb, enum lnat_dir dir,
		    unsigned int *thoff, unsigned int *ihoff,
		    struct lnat_tuple *emb)
{
	unsigned int nhoff = skb_network_offset(skb), end;
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->protocol != IPPROTO_ICMP || ip_is_fragment(iph))
		return 1;
	*thoff = nhoff + iph->ihl * 4;
	end = nhoff + ntohs(iph->tot_len);
	if (end > skb->len || *thoff > end)
		return -EINVAL;
	memset(emb, 0, sizeof(*emb));
	return lnat_icmp_embedded(skb, *thoff, end, dir, emb, ihoff);
}

/**
 * lnat_icmp_csum_ok() - is an ICMP message's checksum right?
 * @skb: the ICMP message, network header at skb->data
 * @thoff: its ICMP header's offset
 *
 * RFC 5508 REQ-3: a corrupted error is not translated. Called once the error
 * is known to be about a mapping, so other ICMP traffic costs no checksum.
 *
 * Context: any.
 * Return: true if the checksum over the ICMP message is right.
 */
bool lnat_icmp_csum_ok(struct sk_buff *skb, unsigned int thoff)
{
	unsigned int end = skb_network_offset(skb) + ntohs(ip_hdr(skb)->tot_len);

	return !csum_fold(skb_checksum(skb, thoff, end - thoff, 0));
}

/**
 * lnat_icmp() - translate an ICMP error about a mapped flow
 * @ln: the netns's state
 * @skb: the ICMP packet
 * @dir: ORIG leaving the masqueraded interface, REPLY arriving on it
 * @zone: ORIG: the conntrack zone of the connection it is about; REPLY: 0
 * @own: ORIG: the router sent it from an address of that interface;
 *	REPLY: unused
 *
 * Errors about a mapping are translated (outer address and the embedded
 * headers). Malformed errors are dropped, and so are errors leaving about
 * no mapping that the router did not send (@own): untranslated, they would
 * leak their source. An error never creates, refreshes or removes a
 * mapping.
 *
 * Context: softirq, rcu_read_lock held.
 * Return: NF_ACCEPT or NF_DROP (counted in icmp_drop).
 */
unsigned int lnat_icmp(struct lnat_net *ln, struct sk_buff *skb,
		       enum lnat_dir dir, u16 zone, bool own)
{
	unsigned int thoff, ihoff;
	struct lnat_tuple emb, key;
	struct lnat_entry *e;
	int ret;

	ret = lnat_icmp_error(skb, dir, &thoff, &ihoff, &emb);
	if (ret > 0)
		return NF_ACCEPT;
	if (ret < 0)
		goto drop;

	/* The embedded packet went the other way: look up its inverse. */
	key.saddr = emb.daddr;
	key.daddr = emb.saddr;
	key.sport = emb.dport;
	key.dport = emb.sport;
	key.proto = emb.proto;
	key.zone = zone;
	e = lnat_lookup(ln, dir, &key);
	if (!e) {
		/* About the router's own traffic, or nothing we mapped. */
		if (dir == LNAT_DIR_REPLY || own)
			return NF_ACCEPT;
		goto drop;
	}
	/* RFC 5508 REQ-4: sent to the address the flow was translated to. */
	if (dir == LNAT_DIR_REPLY && ip_hdr(skb)->daddr != emb.saddr)
		goto drop;
	if (!lnat_icmp_csum_ok(skb, thoff))
		goto drop;

	if (dir == LNAT_DIR_REPLY)
		ret = lnat_mangle_icmp(skb, thoff, ihoff, dir,
				       e->tuple[LNAT_DIR_ORIG].saddr,
				       e->tuple[LNAT_DIR_ORIG].sport, true) ?:
		      lnat_set_zone(ln->net, skb, e);
	else
		ret = lnat_mangle_icmp(skb, thoff, ihoff, dir,
				       e->tuple[LNAT_DIR_REPLY].daddr,
				       e->tuple[LNAT_DIR_REPLY].dport, true);
	if (ret) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	LNAT_STAT_INC(ln, ICMP_XLAT);
	return NF_ACCEPT;

drop:
	LNAT_STAT_INC(ln, ICMP_DROP);
	return NF_DROP;
}
