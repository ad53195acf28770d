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
#include <linux/netfilter_bridge.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>
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
		if (!strncmp(dev->name, set->name[i], set->cmp[i]))
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
	t->zone = 0;
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

/*
 * The address to masquerade with on @out: its primary address on the next
 * hop's subnet, else its first primary one, as inet_select_addr() picks,
 * but never another interface's: a WAN without an address of its own gets
 * nothing translated (0). Caller holds rcu_read_lock.
 */
static __be32 lnat_dev_addr(const struct net_device *out, __be32 nh)
{
	const struct in_device *idev = __in_dev_get_rcu(out);
	const struct in_ifaddr *ifa;
	__be32 addr = 0;

	if (!idev)
		return 0;
	in_dev_for_each_ifa_rcu(ifa, idev) {
		if (ifa->ifa_flags & IFA_F_SECONDARY ||
		    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
			continue;
		if (inet_ifa_match(nh, ifa))
			return ifa->ifa_local;
		if (!addr)
			addr = ifa->ifa_local;
	}
	return addr;
}

static __be32 lnat_masq_addr(const struct sk_buff *skb,
			     const struct net_device *out, __be32 daddr)
{
	const struct rtable *rt = skb_rtable(skb);

	return lnat_dev_addr(out, rt ? rt_nexthop(rt, daddr) : daddr);
}

/* Is @addr one of @out's addresses now? Caller holds rcu_read_lock. */
static bool lnat_dev_has(const struct net_device *out, __be32 addr)
{
	const struct in_device *idev = __in_dev_get_rcu(out);
	const struct in_ifaddr *ifa;

	if (idev)
		in_dev_for_each_ifa_rcu(ifa, idev)
			if (ifa->ifa_local == addr)
				return true;
	return false;
}

/*
 * Packets leaving a masqueraded interface that are not loosenat's to
 * translate: outside the fwmark selection; bridged, not routed (br_netfilter
 * shows them to the IPv4 hooks); on their way into an IPsec tunnel (what
 * "policy none" excludes from stock rules); or already source-NATed by
 * conntrack in their direction (snat rules, a port forward's replies).
 */
static bool lnat_not_ours(const struct lnat_net *ln, const struct sk_buff *skb)
{
	u32 mask = READ_ONCE(ln->mark_mask);
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;

	if ((skb->mark & mask) != (READ_ONCE(ln->mark) & mask))
		return true;
	if (nf_bridge_get_physoutdev(skb))
		return true;
	if (skb_dst(skb) && dst_xfrm(skb_dst(skb)))
		return true;
	ct = nf_ct_get(skb, &ctinfo);
	return ct && ct->status & (CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
				   IPS_SRC_NAT : IPS_DST_NAT);
}

/* The conntrack zone tenants are kept apart by (VRFs, overlapping LANs). */
static u16 lnat_zone(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct ? nf_ct_zone_id(nf_ct_zone(ct), CTINFO2DIR(ctinfo)) : 0;
}

/*
 * The flowtable fast path (nftables "flow add", OpenWrt's offloading)
 * forwards a connection's packets past POSTROUTING, so past loosenat, with
 * only conntrack's own NAT. It offloads no connection that carries a helper
 * extension: a connection loosenat translates gets an empty one when its
 * first packet passes, before conntrack confirms it. False: no memory.
 */
static bool lnat_keep_off_flowtable(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || nf_ct_is_template(ct) || nf_ct_is_confirmed(ct) ||
	    nfct_help(ct))
		return true;
	return nf_ct_helper_ext_add(ct, GFP_ATOMIC);
}

/*
 * A packet with no mapping that is not to get one: the router's own
 * (its source is a local address: primary, secondary, a VIP), or an answer
 * loosenat translated on its way in, leaving again (a bridge, a second
 * uplink). When the router's own socket now talks on a mapping's external
 * 4-tuple, the mapping moves: the client's next packet gets another port.
 */
static bool lnat_leave_alone(struct lnat_net *ln, const struct net_device *out,
			     const struct lnat_tuple *t)
{
	struct lnat_tuple inv = {
		.saddr = t->daddr, .daddr = t->saddr,
		.sport = t->dport, .dport = t->sport, .proto = t->proto,
	};
	struct lnat_entry *e;

	if (inet_addr_type_dev_table(ln->net, out, t->saddr) == RTN_LOCAL) {
		e = lnat_lookup(ln, LNAT_DIR_REPLY, &inv);
		if (e && t->proto != IPPROTO_ICMP)
			lnat_remove(ln, e, true);
		return true;
	}
	inv.zone = t->zone;
	return lnat_lookup(ln, LNAT_DIR_ORIG, &inv);
}

/*
 * A packet leaving through @out, a masqueraded interface: the whole of
 * lnat_out() but the interface match, so the KUnit fuzzer runs this very
 * code. @ext is the masquerade address, or 0 to take @out's own (the fuzzer
 * has no WAN device and passes its own). The mapping used is returned in
 * @ep, if not NULL. Caller holds rcu_read_lock.
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

	if (lnat_not_ours(ln, skb))
		return NF_ACCEPT;
	ret = lnat_parse(skb, LNAT_DIR_ORIG, &t, &thoff, &info);
	if (ret > 0)
		return lnat_icmp(ln, skb, LNAT_DIR_ORIG, lnat_zone(skb),
				 ext ?: lnat_masq_addr(skb, out, t.daddr));
	if (ret < 0) {
		LNAT_STAT_INC(ln, INVALID);
		return NF_DROP;
	}
	t.zone = lnat_zone(skb);

	e = lnat_lookup(ln, LNAT_DIR_ORIG, &t);
	/* Leaving by another uplink, or its address went: it moves. */
	if (e && unlikely(e->ifindex != out->ifindex ||
			  (!ext && !lnat_dev_has(out, e->tuple[LNAT_DIR_REPLY].daddr)))) {
		lnat_remove(ln, e, false);
		e = NULL;
	}
	if (e) {
		LNAT_STAT_INC(ln, FOUND);
		if (t.proto == IPPROTO_TCP)
			lnat_tcp_update(e, LNAT_DIR_ORIG, info);
	} else {
		if (lnat_leave_alone(ln, out, &t))
			return NF_ACCEPT;
		if (!ext)
			ext = lnat_masq_addr(skb, out, t.daddr);
		if (!ext) {
			LNAT_STAT_INC(ln, DROP_NOADDR);
			return NF_DROP;
		}
		e = lnat_create(ln, &t, ext, out->ifindex, info);
		if (IS_ERR(e))
			return NF_DROP;
	}
	if (!lnat_keep_off_flowtable(skb)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
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
		return lnat_icmp(ln, skb, LNAT_DIR_REPLY, 0, 0);
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
