// SPDX-License-Identifier: GPL-2.0
/*
 * Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): a TCP or UDP packet from
 * inside to a live binding's external address and port reaches the
 * binding's internal endpoint, from the sender's own external address and
 * port, as if both ends had met outside.
 *
 * The destination is rewritten at PREROUTING, before conntrack and
 * routing; the source at POSTROUTING, after routing, since an arriving
 * packet with the router's own address as its source is a martian. So
 * conntrack sees the two inside hosts talk directly, one connection for
 * both directions, as it does for stock DNAT plus SNAT hairpinning.
 *
 * An ICMP error an inside host sends about a hairpinned packet goes back to
 * the sender the same way (RFC 5508 REQ-7): its destination half at
 * PREROUTING, so conntrack sees it RELATED to the two hosts' connection, its
 * source half at POSTROUTING. ICMP queries are not hairpinned: an echo
 * carries one identifier for both ends, so it cannot be mapped on both
 * sides at once; an echo to the external address is the router's to answer.
 */
#include <linux/ip.h>
#include <linux/netfilter_bridge.h>
#include <net/route.h>
#include "lnat.h"

/*
 * A sender that may get a binding: not an address of the router's own
 * (which a LAN host could spoof to have outside SYNs led to the router's
 * own ports), nor one that is no host's.
 */
static bool lnat_hairpin_sender(struct lnat_net *ln, const struct sk_buff *skb,
				__be32 saddr)
{
	if (ipv4_is_zeronet(saddr) || ipv4_is_lbcast(saddr) ||
	    ipv4_is_multicast(saddr) || ipv4_is_loopback(saddr))
		return false;
	return inet_addr_type_dev_table(ln->net, skb->dev, saddr) != RTN_LOCAL;
}

/* Routed (not bridged) and within the fwmark selection. */
static bool lnat_hairpin_selected(struct lnat_net *ln,
				  const struct sk_buff *skb)
{
	u32 mask = READ_ONCE(ln->mark_mask);

	return (skb->mark & mask) == (READ_ONCE(ln->mark) & mask) &&
	       !nf_bridge_get_physoutdev(skb);
}

/* Count @a among the hairpinned mappings, once, until it is unlinked. */
static void lnat_hairpin_mark(struct lnat_net *ln, struct lnat_entry *a)
{
	if (test_bit(LNAT_F_HAIRPIN, &a->flags))
		return;
	spin_lock_bh(&ln->lock);
	if (!test_bit(LNAT_F_DEAD, &a->flags) &&
	    !test_and_set_bit(LNAT_F_HAIRPIN, &a->flags))
		atomic_inc(&ln->hairpins);
	spin_unlock_bh(&ln->lock);
}

/**
 * lnat_hairpin_in() - turn a packet to an external endpoint back inside
 * @ln: the netns's state
 * @skb: a packet arriving on an interface that is not masqueraded
 * @zone: its conntrack zone, 0 if none
 * @create: make the two mappings if missing (after port forwards had
 *	their turn), or only use existing ones (before conntrack)
 *
 * When @skb is TCP or UDP for a live binding's external address and port,
 * the sender gets its mapping towards that endpoint, as if it had left by
 * the binding's interface; the binding's side gets the mapping an inbound
 * packet from the sender's external endpoint would, subject to the same
 * filtering (tcp_filtering, udp_filtering); and the destination becomes
 * the binding's internal endpoint. lnat_hairpin_find() finds the mapping
 * again at POSTROUTING to rewrite the source.
 *
 * Context: softirq, rcu_read_lock held.
 * Return: NF_ACCEPT (translated, or not ours: for the router itself), or
 * NF_DROP when a mapping could not be made, counted.
 */
unsigned int lnat_hairpin_in(struct lnat_net *ln, struct sk_buff *skb,
			     u16 zone, bool create)
{
	struct lnat_entry *a, *b;
	const struct lnat_bind *bind;
	struct lnat_pkt p, q;
	u32 hash;
	int ret;

	if (!lnat_pool_addr(ln, ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	ret = lnat_parse(skb, LNAT_DIR_ORIG, &p);
	/* Errors: before conntrack, so it finds their connection. */
	if (ret > 0 && !create)
		return lnat_hairpin_icmp(ln, skb, LNAT_DIR_REPLY, zone);
	/* Malformed packets for the router are its stack's to refuse. */
	if (ret || (p.t.proto != IPPROTO_TCP && p.t.proto != IPPROTO_UDP))
		return NF_ACCEPT;
	bind = lnat_bind_lookup(ln, LNAT_BIND_EXT, p.t.daddr, p.t.dport,
				p.t.proto);
	if (!bind || !lnat_hairpin_sender(ln, skb, p.t.saddr))
		return NF_ACCEPT;
	p.t.zone = zone;

	hash = lnat_hash(ln, &p.t);
	a = lnat_lookup_hashed(ln, LNAT_DIR_ORIG, &p.t, hash);
	if (!a) {
		if (!create)
			return NF_ACCEPT;
		a = lnat_create(ln, &p, hash, p.t.daddr, bind->ifindex);
		if (IS_ERR(a))
			return NF_DROP;
	}
	/* What the binding's side sees: sender's external endpoint -> it. */
	q = p;
	q.t.saddr = a->tuple[LNAT_DIR_REPLY].daddr;
	q.t.sport = a->tuple[LNAT_DIR_REPLY].dport;
	q.t.zone = 0;
	hash = lnat_hash(ln, &q.t);
	b = lnat_lookup_hashed(ln, LNAT_DIR_REPLY, &q.t, hash);
	if (b && lnat_expired(ln, b, jiffies))
		b = NULL;
	if (!b) {
		if (!create)
			return NF_ACCEPT;
		b = lnat_create_inbound(ln, &q, hash);
		if (IS_ERR(b))
			return NF_DROP;
		/* Filtered, as from outside: the router's stack answers. */
		if (!b)
			return NF_ACCEPT;
	}
	lnat_hairpin_mark(ln, a);
	if (unlikely(test_bit(LNAT_F_INBOUND, &a->flags)))
		lnat_inbound_answered(ln, a);
	lnat_set_replied(ln, b);
	if (p.t.proto == IPPROTO_TCP) {
		lnat_tcp_update(a, LNAT_DIR_ORIG, p.tf);
		lnat_tcp_update(b, LNAT_DIR_REPLY, p.tf);
	}
	lnat_refresh(a);
	lnat_refresh(b);
	lnat_bind_touch(a->bind);
	if (lnat_mangle(skb, p.thoff, LNAT_DIR_REPLY, b->tuple[LNAT_DIR_ORIG].saddr,
			b->tuple[LNAT_DIR_ORIG].sport)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	LNAT_STAT_INC(ln, HAIRPIN);
	return NF_ACCEPT;
}

/**
 * lnat_hairpin_find() - the mapping whose source a hairpinned packet takes
 * @ln: the netns's state, with hairpinned mappings (ln->hairpins)
 * @skb: a packet leaving an interface that is not masqueraded
 * @zone: its conntrack zone
 * @p: filled with @skb's parsed form when a mapping is returned
 *
 * A packet lnat_hairpin_in() sent to a binding's internal endpoint: its
 * sender's mapping towards the binding's external endpoint. Bridged frames
 * and packets outside the fwmark selection are not loosenat's. Known
 * limits: a sender that also talks to the same inside endpoint directly,
 * from the same port, has that flow translated too (conntrack sees the two
 * as one connection either way); and only the first binding of the
 * destination endpoint is looked at, so a hairpin through another uplink's
 * address or to a retired binding reaches its host untranslated, from the
 * sender's inside address (on the LAN, never outside).
 *
 * Context: softirq, rcu_read_lock held.
 * Return: the mapping, or NULL for every other packet.
 */
struct lnat_entry *lnat_hairpin_find(struct lnat_net *ln, struct sk_buff *skb,
				     u16 zone, struct lnat_pkt *p)
{
	const struct lnat_bind *bind;
	struct lnat_entry *a;
	struct lnat_tuple t;

	if (!lnat_hairpin_selected(ln, skb))
		return NULL;
	if (lnat_parse(skb, LNAT_DIR_ORIG, p) ||
	    (p->t.proto != IPPROTO_TCP && p->t.proto != IPPROTO_UDP))
		return NULL;
	bind = lnat_bind_lookup(ln, LNAT_BIND_INT, p->t.daddr, p->t.dport,
				p->t.proto);
	if (!bind)
		return NULL;
	t = p->t;
	t.daddr = bind->ext_addr;
	t.dport = bind->ext_port;
	t.zone = zone;
	a = lnat_lookup(ln, LNAT_DIR_ORIG, &t);
	if (!a || !test_bit(LNAT_F_HAIRPIN, &a->flags))
		return NULL;
	return a;
}

/**
 * lnat_hairpin_icmp() - turn an error about a hairpinned packet back
 * @ln: the netns's state
 * @skb: an ICMP message from an inside host, on an interface that is not
 *	masqueraded
 * @dir: REPLY at PREROUTING, the error addressed to an external endpoint;
 *	ORIG at POSTROUTING, leaving to the host that sent the packet
 * @zone: its conntrack zone, 0 if none
 *
 * RFC 5508 REQ-7: host B's error about a packet that host A hairpinned to
 * it (from A's external endpoint) reaches A as an error from B's external
 * endpoint about what A sent. REPLY rewrites the outer destination and the
 * embedded source to A's internal endpoint (A's hairpinned mapping, found
 * through B's live mapping towards A's external endpoint); ORIG then
 * rewrites the embedded destination to B's external endpoint (its binding,
 * the first as in lnat_hairpin_find()), and the outer source too when the
 * error is B's own. An error from a hop between (the router itself when
 * the packet does not fit the LAN's MTU, a router on the LAN) keeps its
 * source, so Path MTU discovery works through a hairpin. An error never
 * creates or refreshes a mapping.
 *
 * Context: softirq, rcu_read_lock held.
 * Return: NF_ACCEPT (translated, or not such an error: the router's stack
 * has it), NF_DROP for a corrupted error (icmp_drop) or no memory.
 */
unsigned int lnat_hairpin_icmp(struct lnat_net *ln, struct sk_buff *skb,
			       enum lnat_dir dir, u16 zone)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct lnat_bind *bind = NULL;
	unsigned int thoff, ihoff;
	struct lnat_tuple emb, key;
	struct lnat_entry *a, *b;
	__be32 addr;
	__be16 port;

	if (dir == LNAT_DIR_ORIG && !lnat_hairpin_selected(ln, skb))
		return NF_ACCEPT;
	/* An error goes to the source of what it quotes. */
	if (lnat_icmp_error(skb, LNAT_DIR_ORIG, &thoff, &ihoff, &emb) ||
	    (emb.proto != IPPROTO_TCP && emb.proto != IPPROTO_UDP) ||
	    iph->daddr != emb.saddr)
		return NF_ACCEPT;
	if (dir == LNAT_DIR_REPLY) {
		/* emb: A's external endpoint -> B; B's mapping answers it. */
		if (!lnat_hairpin_sender(ln, skb, iph->saddr))
			return NF_ACCEPT;
		key = (struct lnat_tuple){
			.saddr = emb.daddr, .sport = emb.dport,
			.daddr = emb.saddr, .dport = emb.sport,
			.proto = emb.proto, .zone = zone,
		};
		b = lnat_lookup(ln, LNAT_DIR_ORIG, &key);
		if (!b || lnat_expired(ln, b, jiffies))
			return NF_ACCEPT;
		/* What B's external endpoint sends A's: A's mapping. */
		key = (struct lnat_tuple){
			.saddr = b->tuple[LNAT_DIR_REPLY].daddr,
			.sport = b->tuple[LNAT_DIR_REPLY].dport,
			.daddr = b->tuple[LNAT_DIR_REPLY].saddr,
			.dport = b->tuple[LNAT_DIR_REPLY].sport,
			.proto = emb.proto,
		};
		a = lnat_lookup(ln, LNAT_DIR_REPLY, &key);
		if (!a)
			return NF_ACCEPT;
		addr = a->tuple[LNAT_DIR_ORIG].saddr;
		port = a->tuple[LNAT_DIR_ORIG].sport;
	} else {
		/* emb: A -> B, as the REPLY half left it. */
		bind = lnat_bind_lookup(ln, LNAT_BIND_INT, emb.daddr, emb.dport,
					emb.proto);
		if (!bind)
			return NF_ACCEPT;
		key = emb;
		key.daddr = bind->ext_addr;
		key.dport = bind->ext_port;
		key.zone = zone;
		a = lnat_lookup(ln, LNAT_DIR_ORIG, &key);
		addr = bind->ext_addr;
		port = bind->ext_port;
	}
	if (!a || !test_bit(LNAT_F_HAIRPIN, &a->flags))
		return NF_ACCEPT;
	if (!lnat_icmp_csum_ok(skb, thoff)) {
		LNAT_STAT_INC(ln, ICMP_DROP);
		return NF_DROP;
	}
	if (lnat_mangle_icmp(skb, thoff, ihoff, dir, addr, port,
			     dir == LNAT_DIR_REPLY || iph->saddr == emb.daddr)) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return NF_DROP;
	}
	if (dir == LNAT_DIR_REPLY)
		LNAT_STAT_INC(ln, ICMP_XLAT);
	return NF_ACCEPT;
}
