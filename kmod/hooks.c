// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. POSTROUTING translates every packet leaving a masqueraded
 * interface, creating its mapping whatever its TCP flags; PREROUTING
 * translates answers back before conntrack sees them, so a stateful firewall
 * on the router sees internal addresses in both directions; a second
 * PREROUTING hook, after conntrack's port forwards, opens mappings from
 * outside; LOCAL_IN keeps unsolicited SYNs from being reset. Packets
 * between two inside hosts through an external endpoint go to hairpin.c.
 */
#include <linux/ip.h>
#include <linux/inetdevice.h>
#include <linux/memcontrol.h>
#include <linux/tcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_bridge.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/xfrm.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include "lnat.h"

/* After defrag and raw (notrack still works), before conntrack. */
#define LNAT_PRI_IN	(NF_IP_PRI_CONNTRACK - 10)
/* New mappings from outside: after port forwards (DNAT), before routing. */
#define LNAT_PRI_IN_NEW	(NF_IP_PRI_NAT_DST + 10)
/* After stock SNAT, which keeps what it translates; before ct confirm. */
#define LNAT_PRI_OUT	(NF_IP_PRI_NAT_SRC + 10)
/* Unsolicited SYNs: after the input filter, IPVS and stock NAT. */
#define LNAT_PRI_LOCAL_IN	(NF_IP_PRI_NAT_SRC + 10)

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
 * An ICMP error the router sent from an address of the interface it leaves
 * by, a secondary one too (a VIP's port unreachable), or from @ext.
 */
static bool lnat_own_error(const struct sk_buff *skb,
			   const struct net_device *out, __be32 ext)
{
	__be32 saddr = ip_hdr(skb)->saddr;

	if (IPCB(skb)->flags & IPSKB_FORWARDED)
		return false;
	return ext ? saddr == ext : lnat_dev_has(out, saddr);
}

/*
 * Conntrack's own NAT (a masquerade or snat rule beside loosenat) gave a new
 * connection an external endpoint that a mapping answers on: the mapping
 * moves, as when a socket of the router's own takes its port, and its
 * binding takes no port conntrack uses (lnat_bind_get()).
 */
static void lnat_ct_nat_new(struct lnat_net *ln, const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	struct lnat_tuple t = {
		.saddr = r->src.u3.ip, .daddr = r->dst.u3.ip,
		.sport = r->src.u.all, .dport = r->dst.u.all,
		.proto = r->dst.protonum,
	};
	struct lnat_entry *e;

	if (t.proto == IPPROTO_ICMP) {
		t.sport = 0;
		t.dport = r->src.u.icmp.id;
	}
	e = lnat_lookup(ln, LNAT_DIR_REPLY, &t);
	if (e)
		lnat_remove(ln, e, true);
}

/*
 * Packets leaving a masqueraded interface that are not loosenat's to
 * translate: outside the fwmark selection; bridged, not routed (br_netfilter
 * shows them to the IPv4 hooks); on their way into an IPsec tunnel (what
 * "policy none" excludes from stock rules); or already source-NATed by
 * conntrack in their direction (snat rules, a port forward's replies).
 */
static bool lnat_not_ours(struct lnat_net *ln, const struct sk_buff *skb)
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
	if (!ct || !(ct->status & (CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
				   IPS_SRC_NAT : IPS_DST_NAT)))
		return false;
	if (!nf_ct_is_confirmed(ct) && ct->status & IPS_SRC_NAT)
		lnat_ct_nat_new(ln, ct);
	return true;
}

/* The conntrack zone tenants are kept apart by (VRFs, overlapping LANs). */
static u16 lnat_zone(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct ? nf_ct_zone_id(nf_ct_zone(ct), CTINFO2DIR(ctinfo)) : 0;
}

/* Is the packet's zone its answers' too (ct zone set, both directions)? */
static bool lnat_zone_answers(const struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	return ct && nf_ct_zone_matches_dir(nf_ct_zone(ct),
					    !CTINFO2DIR(ctinfo));
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
 *
 * Each test is a lookup, so each is made only where it can hold: a
 * forwarded packet is not the router's own (the stack refuses a local
 * source from the wire, fib_validate_source(); with accept_local it is a
 * client's, which stock masquerade translates too), and only a packet
 * that came in on a masqueraded interface can be an answer lnat_xlat_in()
 * translated.
 */
static bool lnat_leave_alone(struct lnat_net *ln, const struct sk_buff *skb,
			     const struct net_device *out,
			     const struct lnat_pkt *p)
{
	const struct lnat_tuple *t = &p->t;
	struct lnat_tuple inv = {
		.saddr = t->daddr, .daddr = t->saddr,
		.sport = t->dport, .dport = t->sport, .proto = t->proto,
	};
	struct lnat_entry *e;

	if (!(IPCB(skb)->flags & IPSKB_FORWARDED)) {
		if (inet_addr_type_dev_table(ln->net, out, t->saddr) != RTN_LOCAL)
			return false;
		e = lnat_lookup(ln, LNAT_DIR_REPLY, &inv);
		/* An echo reply of the router's answers a ping: it owns no id. */
		if (e && (t->proto != IPPROTO_ICMP || p->icmp_type == ICMP_ECHO))
			lnat_remove(ln, e, true);
		return true;
	}
	/* The interface ip_rcv() saw, even if a VRF took the packet then. */
	if (!lnat_iface_match(ln, dev_get_by_index_rcu(ln->net, IPCB(skb)->iif)))
		return false;
	inv.zone = t->zone;
	return lnat_lookup(ln, LNAT_DIR_ORIG, &inv);
}

/**
 * lnat_xlat_out() - translate a packet leaving a masqueraded interface
 * @ln: the netns's state
 * @skb: the packet, at POSTROUTING
 * @out: the interface it leaves by
 * @ext: the masquerade address, or 0 to take @out's own (the KUnit fuzzer,
 *	which has no WAN device, passes one)
 * @ep: if not NULL, set to the mapping used
 *
 * The whole of the POSTROUTING hook but the interface match, so the KUnit
 * fuzzer runs this very code. Finds or creates the packet's mapping
 * (whatever its TCP flags) and rewrites its source, unless the packet is not
 * ours to translate (lnat_not_ours(), lnat_leave_alone()).
 *
 * Context: softirq or process, rcu_read_lock held.
 * Return: NF_ACCEPT, or NF_DROP with the reason counted: never a packet of
 * a mapping left untranslated.
 */
unsigned int lnat_xlat_out(struct lnat_net *ln, struct sk_buff *skb,
			   const struct net_device *out, __be32 ext,
			   struct lnat_entry **ep)
{
	struct lnat_entry *e;
	bool refresh = true;
	struct lnat_pkt p;
	u32 hash;
	int ret;

	if (lnat_not_ours(ln, skb))
		return NF_ACCEPT;
	ret = lnat_parse(skb, LNAT_DIR_ORIG, &p);
	if (ret > 0)
		return lnat_icmp(ln, skb, LNAT_DIR_ORIG, lnat_zone(skb),
				 lnat_own_error(skb, out, ext));
	if (ret < 0) {
		LNAT_STAT_INC(ln, INVALID);
		return NF_DROP;
	}
	p.t.zone = lnat_zone(skb);

	hash = lnat_hash(ln, &p.t);
	e = lnat_lookup_hashed(ln, LNAT_DIR_ORIG, &p.t, hash);
	/* Leaving by another uplink, or its address went: it moves. */
	if (e && unlikely(e->ifindex != out->ifindex ||
			  (!ext && !lnat_dev_has(out, e->tuple[LNAT_DIR_REPLY].daddr)))) {
		lnat_remove(ln, e, false);
		e = NULL;
	}
	if (e) {
		LNAT_STAT_INC(ln, FOUND);
		if (p.t.proto == IPPROTO_TCP)
			lnat_tcp_update(e, LNAT_DIR_ORIG, p.tf);
		/*
		 * A mapping the outside opened becomes the inside's once it
		 * answers, but not by an RST: that answer does not keep it
		 * (RFC 7857 section 3.2).
		 */
		if (unlikely(test_bit(LNAT_F_INBOUND, &e->flags))) {
			if (p.t.proto == IPPROTO_TCP && p.tf == LNAT_TF_RST)
				refresh = false;
			else
				lnat_inbound_answered(ln, e);
		}
	} else {
		if (lnat_leave_alone(ln, skb, out, &p))
			return NF_ACCEPT;
		if (!ext)
			ext = lnat_masq_addr(skb, out, p.t.daddr);
		if (!ext) {
			LNAT_STAT_INC(ln, DROP_NOADDR);
			return NF_DROP;
		}
		e = lnat_create(ln, &p, hash, ext, out->ifindex);
		if (IS_ERR(e)) {
			/* RFC 5508 REQ-8: no room or no port, so tell the sender. */
			if (PTR_ERR(e) != -ENOMEM)
				icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
			return NF_DROP;
		}
		/* Set before the packet leaves, so before any answer. */
		if (p.t.zone && lnat_zone_answers(skb))
			set_bit(LNAT_F_ZONE_REPLY, &e->flags);
	}
	/* Simultaneous open: the remote end's SYN may be held. */
	if (p.t.proto == IPPROTO_TCP && p.tf == LNAT_TF_SYN)
		lnat_hold_cancel(ln, &e->tuple[LNAT_DIR_REPLY]);
	if (!lnat_keep_off_flowtable(skb)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	if (ep)
		*ep = e;
	if (refresh) {
		lnat_refresh(e);
		if (e->bind)
			lnat_bind_touch(e->bind);
	}
	if (lnat_mangle(skb, p.thoff, LNAT_DIR_ORIG, e->tuple[LNAT_DIR_REPLY].daddr,
			e->tuple[LNAT_DIR_REPLY].dport)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/* A hairpinned packet leaving for the inside host: its source now. */
static unsigned int lnat_hairpin_out(struct lnat_net *ln, struct sk_buff *skb)
{
	struct lnat_entry *a;
	struct lnat_pkt p;

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP)
		return lnat_hairpin_icmp(ln, skb, LNAT_DIR_ORIG, lnat_zone(skb));
	a = lnat_hairpin_find(ln, skb, lnat_zone(skb), &p);
	if (!a)
		return NF_ACCEPT;
	if (!lnat_keep_off_flowtable(skb) ||
	    lnat_mangle(skb, p.thoff, LNAT_DIR_ORIG, a->tuple[LNAT_DIR_REPLY].daddr,
			a->tuple[LNAT_DIR_REPLY].dport)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

static unsigned int lnat_out(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct lnat_net *ln = priv;

	if (lnat_iface_match(ln, state->out))
		return lnat_xlat_out(ln, skb, state->out, 0, NULL);
	/* Other interfaces pay for hairpinning only while it is in use. */
	if (likely(!atomic_read(&ln->hairpins)))
		return NF_ACCEPT;
	return lnat_hairpin_out(ln, skb);
}

/**
 * lnat_xlat_in() - translate a packet arriving on a masqueraded interface
 * @ln: the netns's state
 * @skb: the packet, at PREROUTING
 * @create: give an unsolicited packet a mapping if filtering lets it in
 *	(after conntrack's port forwards); false before conntrack
 * @ep: if not NULL, set to the mapping used
 *
 * The PREROUTING hooks but the interface match, as lnat_xlat_out(). A
 * packet of a live mapping gets its destination rewritten back; anything
 * else is for the router itself and passes untouched.
 *
 * Context: softirq, rcu_read_lock held.
 * Return: NF_ACCEPT, or NF_DROP for malformed input, counted.
 */
unsigned int lnat_xlat_in(struct lnat_net *ln, struct sk_buff *skb,
			  bool create, struct lnat_entry **ep)
{
	struct lnat_entry *e;
	struct lnat_pkt p;
	u32 hash;
	int ret;

	ret = lnat_parse(skb, LNAT_DIR_REPLY, &p);
	if (ret > 0)
		return lnat_icmp(ln, skb, LNAT_DIR_REPLY, 0, false);
	if (ret < 0) {
		LNAT_STAT_INC(ln, INVALID);
		return NF_DROP;
	}

	hash = lnat_hash(ln, &p.t);
	e = lnat_lookup_hashed(ln, LNAT_DIR_REPLY, &p.t, hash);
	/* Expired, the collector not there yet: it lets nothing in. */
	if (e && lnat_expired(ln, e, jiffies))
		e = NULL;
	if (!e && create) {
		e = lnat_create_inbound(ln, &p, hash);
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
	if (p.t.proto == IPPROTO_TCP)
		lnat_tcp_update(e, LNAT_DIR_REPLY, p.tf);
	lnat_refresh(e);
	if (lnat_mangle(skb, p.thoff, LNAT_DIR_REPLY, e->tuple[LNAT_DIR_ORIG].saddr,
			e->tuple[LNAT_DIR_ORIG].sport) ||
	    lnat_set_zone(ln->net, skb, e)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

static unsigned int lnat_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	struct lnat_net *ln = priv;

	if (lnat_iface_match(ln, state->in))
		return lnat_xlat_in(ln, skb, false, NULL);
	return lnat_hairpin_in(ln, skb, lnat_zone(skb), false);
}

/* What raw and mangle rules set on the connection of the first lookup. */
static void lnat_ct_inherit(struct sk_buff *skb, const struct nf_conn *old)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct && !nf_ct_is_template(ct) && !nf_ct_is_confirmed(ct))
		WRITE_ONCE(ct->mark, READ_ONCE(old->mark));
#endif
}

/*
 * After conntrack and its port forwards (DNAT rules, which keep precedence
 * over dynamic bindings): an unsolicited packet to a binding's external
 * endpoint, from outside or hairpinned from inside, that filtering lets in.
 * Conntrack saw it addressed to the router; once its destination is the
 * inside host's, conntrack looks at it again (keeping the first lookup's
 * mark), so the connection it confirms is the one its next packets,
 * translated before conntrack, match.
 */
static unsigned int lnat_in_new(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct lnat_net *ln = priv;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	__be32 daddr = ip_hdr(skb)->daddr;
	unsigned int v;

	if (!lnat_pool_addr(ln, daddr))
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	/* A port forward's, or a flow the router itself already has. */
	if (ct && !nf_ct_is_template(ct) &&
	    (ct->status & IPS_DST_NAT || nf_ct_is_confirmed(ct)))
		return NF_ACCEPT;
	if (lnat_iface_match(ln, state->in))
		v = lnat_xlat_in(ln, skb, true, NULL);
	else
		v = lnat_hairpin_in(ln, skb, lnat_zone(skb), true);
	/* A template's zone would be lost: those keep the stale lookup. */
	if (v != NF_ACCEPT || ip_hdr(skb)->daddr == daddr || !ct ||
	    nf_ct_is_template(ct) ||
	    nf_ct_zone(ct)->id != NF_CT_DEFAULT_ZONE_ID)
		return v;
	nf_conntrack_get(&ct->ct_general);
	nf_reset_ct(skb);
	v = nf_conntrack_in(skb, state);
	lnat_ct_inherit(skb, ct);
	nf_ct_put(ct);
	/* As lnat_xlat_out() does for the flows it opens. */
	if (v == NF_ACCEPT && !lnat_keep_off_flowtable(skb)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	return v;
}

/*
 * RFC 5382 REQ-4: a SYN from outside to a port of port_range on the
 * interface's own address, that nothing before LOCAL_IN took (no binding,
 * port forward, IPVS or TPROXY) and no socket of the router's own takes, is
 * dropped (or held, then answered: unsolicited.c), never answered at once
 * with the stack's RST: the inside host it is meant for may be sending its
 * own SYN to that peer (simultaneous open, TCP hole punching). Cheapest
 * tests first: the router's own traffic passes here.
 */
static unsigned int lnat_local_in(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct lnat_net *ln = priv;
	const struct iphdr *iph = ip_hdr(skb);
	u32 range = READ_ONCE(ln->port_range);
	const struct tcphdr *th;
	struct tcphdr _th;
	struct sock *sk;
	u16 port;

	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) || skb->sk)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th || !th->syn || th->ack || th->rst)
		return NF_ACCEPT;
	port = ntohs(th->dest);
	if (port < range >> 16 || port > (range & 0xffff) ||
	    !lnat_iface_match(ln, state->in) ||
	    !lnat_dev_has(state->in, iph->daddr))
		return NF_ACCEPT;
	sk = inet_lookup(ln->net, NULL, 0, iph->saddr, th->source, iph->daddr,
			 th->dest, state->in->ifindex);
	if (sk) {
		sock_gen_put(sk);
		return NF_ACCEPT;
	}
	LNAT_STAT_INC(ln, DROP_UNSOLICITED);
	if (READ_ONCE(ln->tcp_unsolicited_syn) == LNAT_UNSOL_UNREACH &&
	    lnat_hold_syn(ln, skb, th))
		return NF_STOLEN;
	return NF_DROP;
}

static const struct nf_hook_ops lnat_ops[] = {
	{
		.hook		= lnat_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= LNAT_PRI_IN,
	},
	{
		.hook		= lnat_in_new,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= LNAT_PRI_IN_NEW,
	},
	{
		.hook		= lnat_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= LNAT_PRI_OUT,
	},
	{
		.hook		= lnat_local_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= LNAT_PRI_LOCAL_IN,
	},
};

/* The hooks find @ln in their priv, no lookup. */
static int lnat_hooks_register(struct lnat_net *ln)
{
	unsigned int i;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(lnat_ops) != ARRAY_SIZE(ln->ops));
	for (i = 0; i < ARRAY_SIZE(lnat_ops); i++) {
		ln->ops[i] = lnat_ops[i];
		ln->ops[i].priv = ln;
	}
	err = nf_defrag_ipv4_enable(ln->net);
	if (err)
		return err;
	err = nf_register_net_hooks(ln->net, ln->ops, ARRAY_SIZE(ln->ops));
	if (err)
		nf_defrag_ipv4_disable(ln->net);
	return err;
}

/**
 * lnat_enable() - start translating in @ln's netns
 * @ln: the netns's state
 *
 * Allocates the table (and, the first time, the per-CPU counters), charged
 * to the memory cgroup of the task that enables it, as the mappings will be
 * (lnat_create()); starts the collector and registers the hooks. Nothing if
 * already enabled.
 *
 * Context: process, @ln->mutex held; may sleep.
 * Return: 0, -ENOMEM, or the error of enabling defrag or registering the
 * hooks.
 */
int lnat_enable(struct lnat_net *ln)
{
	int err;

	lockdep_assert_held(&ln->mutex);
	if (ln->active)
		return 0;
	if (!ln->stats) {
		struct lnat_stats __percpu *stats;

		stats = alloc_percpu_gfp(struct lnat_stats, GFP_KERNEL_ACCOUNT);
		if (!stats)
			return -ENOMEM;
		/* Published zeroed, for /proc/net/stat/loosenat's readers. */
		smp_store_release(&ln->stats, stats);
	}
	err = lnat_table_init(ln, ln->hash_bits);
	if (err)
		return err;
	ln->memcg = get_mem_cgroup_from_mm(current->mm);
	lnat_gc_start(ln);
	err = lnat_hooks_register(ln);
	if (err) {
		lnat_gc_stop(ln);
		lnat_table_destroy(ln);
		mem_cgroup_put(ln->memcg);
		return err;
	}
	ln->active = true;
	return 0;
}

/**
 * lnat_disable() - stop translating in @ln's netns and release its table
 * @ln: the netns's state
 *
 * Every mapping and held SYN goes; the counters stay. Nothing if not
 * enabled.
 *
 * Context: process, @ln->mutex held; may sleep. Returns once no packet is in
 * a hook and no /proc reader can see the table.
 */
void lnat_disable(struct lnat_net *ln)
{
	lockdep_assert_held(&ln->mutex);
	if (!ln->active)
		return;
	nf_unregister_net_hooks(ln->net, ln->ops, ARRAY_SIZE(ln->ops));
	nf_defrag_ipv4_disable(ln->net);
	ln->active = false;
	lnat_hold_flush(ln, NULL);
	lnat_gc_stop(ln);
	lnat_table_destroy(ln);
	mem_cgroup_put(ln->memcg);
	ln->memcg = NULL;
}
