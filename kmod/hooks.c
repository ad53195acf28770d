// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. POSTROUTING translates every packet leaving a masqueraded
 * interface, creating its mapping whatever its TCP flags; PREROUTING
 * translates answers back before conntrack sees them, so a stateful firewall
 * on the router sees internal addresses in both directions.
 */
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <net/tcp.h>
#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include "lnat.h"

/* After defrag and raw (notrack still works), before conntrack. */
#define LNAT_PRI_IN	(NF_IP_PRI_CONNTRACK - 10)
/* After stock SNAT, which keeps what it translates; before ct confirm. */
#define LNAT_PRI_OUT	(NF_IP_PRI_NAT_SRC + 10)

/* Caller holds rcu_read_lock. */
bool lnat_iface_match(struct lnat_net *ln, const struct net_device *dev)
{
	const struct lnat_ifset *set = rcu_dereference(ln->ifset);
	unsigned int i;

	if (!set || !dev)
		return false;
	for (i = 0; i < set->n; i++)
		if (!strncmp(dev->name, set->name[i], IFNAMSIZ))
			return true;
	return false;
}

/*
 * Fill @t from an IPv4 packet at skb_network_offset, as seen on the wire in
 * direction @dir (an ICMP query identifier stands in for the source port
 * going out, for the destination port coming in) and @info (see
 * lnat_create()). Returns 1 for an ICMP error (handled by lnat_icmp()), 0 for
 * a packet whose headers are all within it, -EINVAL for anything malformed,
 * never reading past the buffer.
 */
int lnat_parse(struct sk_buff *skb, enum lnat_dir dir, struct lnat_tuple *t,
	       unsigned int *thoff, u32 *info)
{
	unsigned int nhoff = skb_network_offset(skb), ihl, len;
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

	t->saddr = iph->saddr;
	t->daddr = iph->daddr;
	t->sport = 0;
	t->dport = 0;
	t->proto = iph->protocol;
	*thoff = nhoff + ihl;
	*info = LNAT_TF_NONE;

	switch (iph->protocol) {
	case IPPROTO_TCP:
		th = skb_header_pointer(skb, *thoff, sizeof(_h.th), &_h.th);
		if (!th || len < ihl + sizeof(*th) || th->doff < 5 ||
		    ihl + th->doff * 4 > len)
			return -EINVAL;
		t->sport = th->source;
		t->dport = th->dest;
		*info = lnat_tcp_classify(tcp_flag_byte(th));
		break;
	case IPPROTO_UDP:
		uh = skb_header_pointer(skb, *thoff, sizeof(_h.uh), &_h.uh);
		if (!uh || len < ihl + sizeof(*uh) ||
		    ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > len - ihl)
			return -EINVAL;
		t->sport = uh->source;
		t->dport = uh->dest;
		break;
	case IPPROTO_ICMP:
		ih = skb_header_pointer(skb, *thoff, sizeof(_h.ih), &_h.ih);
		if (!ih || len < ihl + sizeof(*ih))
			return -EINVAL;
		if (lnat_icmp_is_error(ih->type))
			return 1;
		*info = LNAT_ICMP_INFO(ih->type, ih->code);
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

/* The address MASQUERADE would choose for this packet. */
static __be32 lnat_masq_addr(const struct sk_buff *skb,
			     const struct net_device *out, __be32 daddr)
{
	const struct rtable *rt = skb_rtable(skb);
	__be32 nh = rt ? rt_nexthop(rt, daddr) : daddr;

	return inet_select_addr(out, nh, RT_SCOPE_UNIVERSE);
}

/*
 * A packet leaving through @out, a masqueraded interface: the whole of
 * lnat_out() but the interface match, so the KUnit fuzzer runs this very
 * code. @ext is the masquerade address, or 0 to ask the route only when a
 * packet needs it (the fuzzer has no WAN device and passes its own). The
 * mapping used is returned in @ep, if not NULL.
 */
unsigned int lnat_xlat_out(struct lnat_net *ln, struct sk_buff *skb,
			   const struct net_device *out, __be32 ext,
			   struct lnat_entry **ep)
{
	struct lnat_entry *e;
	struct lnat_tuple t;
	unsigned int thoff;
	u32 info;
	int ret;

	ret = lnat_parse(skb, LNAT_DIR_ORIG, &t, &thoff, &info);
	if (ret > 0)
		return lnat_icmp(ln, skb, LNAT_DIR_ORIG,
				 ext ?: lnat_masq_addr(skb, out, t.daddr));
	if (ret < 0) {
		LNAT_STAT_INC(ln, INVALID);
		return NF_DROP;
	}

	e = lnat_lookup(ln, LNAT_DIR_ORIG, &t);
	if (e) {
		LNAT_STAT_INC(ln, FOUND);
		if (t.proto == IPPROTO_TCP)
			lnat_tcp_update(e, LNAT_DIR_ORIG, info);
	} else {
		if (!ext)
			ext = lnat_masq_addr(skb, out, t.daddr);
		if (!ext) {
			LNAT_STAT_INC(ln, DROP_NOADDR);
			return NF_DROP;
		}
		/* The router's own traffic: its ports are never mapped. */
		if (ext == t.saddr)
			return NF_ACCEPT;
		e = lnat_create(ln, &t, ext, out->ifindex, info);
		if (IS_ERR(e))
			return NF_DROP;
	}
	if (ep)
		*ep = e;
	lnat_refresh(e);
	if (lnat_mangle(skb, thoff, LNAT_DIR_ORIG, e->tuple[LNAT_DIR_REPLY].daddr,
			e->tuple[LNAT_DIR_REPLY].dport)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

static unsigned int lnat_out(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct lnat_net *ln = lnat_pernet(state->net);

	if (!lnat_iface_match(ln, state->out))
		return NF_ACCEPT;
	return lnat_xlat_out(ln, skb, state->out, 0, NULL);
}

/* lnat_in() but the interface match, as lnat_xlat_out() for lnat_out(). */
unsigned int lnat_xlat_in(struct lnat_net *ln, struct sk_buff *skb,
			  struct lnat_entry **ep)
{
	struct lnat_entry *e;
	struct lnat_tuple t;
	unsigned int thoff;
	u32 info;
	int ret;

	ret = lnat_parse(skb, LNAT_DIR_REPLY, &t, &thoff, &info);
	if (ret > 0)
		return lnat_icmp(ln, skb, LNAT_DIR_REPLY, 0);
	if (ret < 0) {
		LNAT_STAT_INC(ln, INVALID);
		return NF_DROP;
	}

	e = lnat_lookup(ln, LNAT_DIR_REPLY, &t);
	/* Expired, the collector not there yet: it lets nothing in. */
	if (e && lnat_expired(ln, e, jiffies))
		e = NULL;
	if (!e && t.proto == IPPROTO_UDP && READ_ONCE(ln->udp_full_cone)) {
		e = lnat_create_cone(ln, &t);
		if (IS_ERR(e))
			return NF_DROP;
	}
	/* No mapping: the packet is for the router itself. */
	if (!e)
		return NF_ACCEPT;
	if (ep)
		*ep = e;
	LNAT_STAT_INC(ln, FOUND);
	lnat_set_replied(ln, e);
	if (t.proto == IPPROTO_TCP)
		lnat_tcp_update(e, LNAT_DIR_REPLY, info);
	lnat_refresh(e);
	if (lnat_mangle(skb, thoff, LNAT_DIR_REPLY, e->tuple[LNAT_DIR_ORIG].saddr,
			e->tuple[LNAT_DIR_ORIG].sport)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

static unsigned int lnat_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct lnat_net *ln = lnat_pernet(state->net);

	if (!lnat_iface_match(ln, state->in))
		return NF_ACCEPT;
	return lnat_xlat_in(ln, skb, NULL);
}

static const struct nf_hook_ops lnat_ops[] = {
	{
		.hook		= lnat_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= LNAT_PRI_IN,
	},
	{
		.hook		= lnat_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= LNAT_PRI_OUT,
	},
};

int lnat_hooks_register(struct net *net)
{
	int err;

	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_register_net_hooks(net, lnat_ops, ARRAY_SIZE(lnat_ops));
	if (err)
		nf_defrag_ipv4_disable(net);
	return err;
}

void lnat_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, lnat_ops, ARRAY_SIZE(lnat_ops));
	nf_defrag_ipv4_disable(net);
}
