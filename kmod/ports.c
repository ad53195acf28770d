// SPDX-License-Identifier: GPL-2.0
/*
 * External ports: endpoint-independent bindings for TCP, UDP and ICMP
 * queries (RFC 4787 REQ-1, RFC 5382 REQ-1). The client's port is kept when
 * free. Otherwise the search starts at an offset derived from the internal
 * endpoint and the kernel's per-boot secret, so a binding lost and
 * re-created (flush, expiry, module reload) lands on the same port and a
 * connection's FIN or RST still reaches the server's socket.
 */
#include <linux/jhash.h>
#include <net/inet_hashtables.h>
#include <net/secure_seq.h>
#include <net/udp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include "lnat.h"

/**
 * lnat_bind_lookup() - a binding by its internal or external endpoint
 * @ln: the netns's state
 * @k: which of the two @addr and @port are
 * @addr: the address
 * @port: the port or ICMP identifier
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP
 *
 * Context: @ln->lock or rcu_read_lock held.
 * Return: the binding or NULL.
 */
struct lnat_bind *lnat_bind_lookup(struct lnat_net *ln, enum lnat_bind_key k,
				   __be32 addr, __be16 port, u8 proto)
{
	u32 hash = lnat_bind_hash(ln, addr, port, proto);
	struct lnat_hashes *tab;
	struct lnat_bind *b;
	unsigned int seq;

	/* A miss that raced lnat_table_grow() looks again. */
	do {
		seq = read_seqcount_begin(&ln->tab_seq);
		tab = lnat_tab(ln);
		hlist_for_each_entry_rcu(b, &tab->bind[k][lnat_bucket(tab, hash)],
					 hnode[k], lockdep_is_held(&ln->lock)) {
			if (b->proto != proto)
				continue;
			if (k == LNAT_BIND_INT && b->int_addr == addr &&
			    b->int_port == port)
				return b;
			if (k == LNAT_BIND_EXT && b->ext_addr == addr &&
			    b->ext_port == port)
				return b;
		}
	} while (read_seqcount_retry(&ln->tab_seq, seq));
	return NULL;
}

#define LNAT_POOL_BITS	65536

/* Caller holds ln->lock: @ext's pool for @proto, made if it has none. */
static struct lnat_pool *lnat_pool_get(struct lnat_net *ln, __be32 ext,
				       u8 proto)
{
	struct lnat_pool *p;

	lockdep_assert_held(&ln->lock);
	hlist_for_each_entry(p, &ln->pools, node)
		if (p->addr == ext && p->proto == proto)
			return p;
	p = kzalloc(sizeof(*p), LNAT_GFP_PKT);
	if (!p)
		return NULL;
	p->used = bitmap_zalloc(LNAT_POOL_BITS, LNAT_GFP_PKT);
	if (!p->used) {
		kfree(p);
		return NULL;
	}
	p->addr = ext;
	p->proto = proto;
	hlist_add_head_rcu(&p->node, &ln->pools);
	return p;
}

/* Hairpinning reads the list's addresses under RCU, never the bits. */
static void lnat_pool_free(struct lnat_pool *p)
{
	hlist_del_rcu(&p->node);
	bitmap_free(p->used);
	kfree_rcu(p, rcu);
}

/*
 * Conntrack has a connection between @orig's remote end and @ext:@port that
 * its answers would go to: one its own NAT made (a masquerade or snat rule
 * beside loosenat, a port forward) or the router's own, a ping included.
 * Not one a stray packet from that remote end opened: the remote end could
 * move a binding at will.
 */
static bool lnat_ct_taken(struct lnat_net *ln, const struct lnat_tuple *orig,
			  __be32 ext, __be16 port)
{
	struct nf_conntrack_tuple t = {
		.src.l3num = NFPROTO_IPV4,
		.src.u3.ip = orig->daddr,
		.src.u.all = orig->dport,
		.dst.u3.ip = ext,
		.dst.u.all = port,
		.dst.protonum = orig->proto,
	};
	struct nf_conntrack_tuple_hash *h;
	struct nf_conn *ct;
	bool taken;

	/* No connection in conntrack here (no rule made one): none to find. */
	if (!nf_conntrack_count(ln->net))
		return false;
	if (orig->proto == IPPROTO_ICMP) {
		t.src.u.icmp.id = port;
		t.dst.u.icmp.type = ICMP_ECHOREPLY;
		t.dst.u.icmp.code = 0;
	}
	h = nf_conntrack_find_get(ln->net, &nf_ct_zone_dflt, &t);
	if (!h)
		return false;
	ct = nf_ct_tuplehash_to_ctrack(h);
	taken = NF_CT_DIRECTION(h) == IP_CT_DIR_REPLY ||
		ct->status & IPS_NAT_MASK;
	nf_ct_put(ct);
	return taken;
}

/*
 * A socket of the router's own on @ifindex would take what @orig's remote
 * end sends to @ext:@port: UDP bound to the address, the wildcard or the
 * device, or connected to that remote end; TCP listening there, or
 * connected to that remote end. Or conntrack gives such packets to a
 * connection of its own.
 */
static bool lnat_sock_taken(struct lnat_net *ln, const struct lnat_tuple *orig,
			    __be32 ext, __be16 port, int ifindex)
{
	struct sock *sk;

	if (lnat_ct_taken(ln, orig, ext, port))
		return true;
	switch (orig->proto) {
	case IPPROTO_UDP:
		return __udp4_lib_lookup(ln->net, orig->daddr, orig->dport, ext,
					 port, ifindex, 0, NULL);
	case IPPROTO_TCP:
		sk = inet_lookup(ln->net, NULL, 0, orig->daddr, orig->dport, ext,
				 port, ifindex);
		if (!sk)
			return false;
		sock_gen_put(sk);
		return true;
	}
	return false;
}

/**
 * lnat_bind_sock_taken() - would the router's own socket take this packet?
 * @ln: the netns's state
 * @b: a TCP or UDP binding
 * @raddr: a remote address
 * @rport: its port
 *
 * A socket of the router's own, bound or connected since @b took its port,
 * that would receive what @raddr:@rport sends to @b's external endpoint.
 *
 * Context: rcu_read_lock held.
 * Return: true if there is one: @b is not to admit that packet.
 */
bool lnat_bind_sock_taken(struct lnat_net *ln, const struct lnat_bind *b,
			  __be32 raddr, __be16 rport)
{
	struct lnat_tuple orig = {
		.saddr = b->int_addr, .daddr = raddr,
		.sport = b->int_port, .dport = rport, .proto = b->proto,
	};

	return lnat_sock_taken(ln, &orig, b->ext_addr, b->ext_port, b->ifindex);
}

/**
 * lnat_pool_addr() - is @addr the external address of a binding?
 * @ln: the netns's state
 * @addr: an address
 *
 * One compare per address with bindings (per protocol): what packets that
 * cannot be for a binding pay before any parsing.
 *
 * Context: rcu_read_lock held.
 * Return: true if some binding's external address is @addr.
 */
bool lnat_pool_addr(struct lnat_net *ln, __be32 addr)
{
	struct lnat_pool *p;

	hlist_for_each_entry_rcu(p, &ln->pools, node)
		if (p->addr == addr)
			return true;
	return false;
}

/* @port is free in @p for @orig: no binding holds it, no socket takes it. */
static bool lnat_pool_free_port(struct lnat_net *ln, struct lnat_pool *p,
				const struct lnat_tuple *orig, u32 port,
				int ifindex)
{
	return !test_bit(port, p->used) &&
	       !lnat_sock_taken(ln, orig, p->addr, htons(port), ifindex);
}

/* Free ports of the wrong parity passed over before any will do. */
#define LNAT_PARITY_TRIES	64

/*
 * The first free port from an offset @off into [lo, hi], wrapping: one
 * bitmap search, a socket lookup only for a port no binding holds. With
 * @parity 0 or 1, ports of that parity first (RFC 4787 REQ-4), passing
 * over at most LNAT_PARITY_TRIES others. -1 if none.
 */
static int lnat_pool_find(struct lnat_net *ln, struct lnat_pool *p,
			  const struct lnat_tuple *orig, u32 lo, u32 hi,
			  u32 off, int ifindex, int parity)
{
	u32 start = lo + off % (hi - lo + 1), port = start, passed = 0;
	bool wrapped = false;

	for (;;) {
		port = find_next_zero_bit(p->used, hi + 1, port);
		if (port > hi) {
			if (wrapped)
				break;
			wrapped = true;
			port = lo;
			continue;
		}
		if (wrapped && port >= start)
			break;
		if (parity >= 0 && (port & 1) != parity &&
		    passed++ < LNAT_PARITY_TRIES) {
			port++;
			continue;
		}
		if (lnat_pool_free_port(ln, p, orig, port, ifindex))
			return port;
		port++;
	}
	/* Only ports of the other parity are left: any will do. */
	return parity >= 0 ? lnat_pool_find(ln, p, orig, lo, hi, off, ifindex,
					    -1) : -1;
}

/*
 * A port for @orig's endpoint in [lo, hi]: in the same range as its own,
 * 0-1023 or 1024-65535, when port_range has room there (RFC 4787 REQ-3a),
 * else anywhere in it; of its own port's parity when one is free.
 */
static int lnat_pool_pick(struct lnat_net *ln, struct lnat_pool *p,
			  const struct lnat_tuple *orig, u32 lo, u32 hi,
			  int ifindex)
{
	u32 want = ntohs(orig->sport), slo, shi, off;
	int parity = -1, port;

	off = jhash_2words((u32)secure_ipv4_port_ephemeral(orig->saddr, 0,
							   orig->sport),
			   orig->proto, 0);
	/* ICMP identifiers have neither ranges nor parity. */
	if (orig->proto == IPPROTO_ICMP)
		return lnat_pool_find(ln, p, orig, lo, hi, off, ifindex, -1);
	parity = want & 1;
	slo = max(lo, want < 1024 ? 1U : 1024U);
	shi = min(hi, want < 1024 ? 1023U : 65535U);
	if (slo <= shi) {
		port = lnat_pool_find(ln, p, orig, slo, shi, off, ifindex,
				      parity);
		if (port >= 0)
			return port;
	}
	return lnat_pool_find(ln, p, orig, lo, hi, off, ifindex, parity);
}

/*
 * Caller holds ln->lock or rcu_read_lock: the endpoint's binding on @ext;
 * @hash is lnat_bind_hash() of its internal endpoint.
 */
static struct lnat_bind *lnat_bind_find(struct lnat_net *ln,
					const struct lnat_tuple *orig,
					__be32 ext, u32 hash)
{
	struct lnat_hashes *tab;
	struct lnat_bind *b;
	unsigned int seq;

	/* A miss that raced lnat_table_grow() looks again. */
	do {
		seq = read_seqcount_begin(&ln->tab_seq);
		tab = lnat_tab(ln);
		hlist_for_each_entry_rcu(b, &tab->bind[LNAT_BIND_INT][lnat_bucket(tab, hash)],
					 hnode[LNAT_BIND_INT],
					 lockdep_is_held(&ln->lock))
			if (b->int_addr == orig->saddr &&
			    b->int_port == orig->sport &&
			    b->proto == orig->proto && b->zone == orig->zone &&
			    b->ext_addr == ext)
				return b;
	} while (read_seqcount_retry(&ln->tab_seq, seq));
	return NULL;
}

/**
 * lnat_bind_get() - the internal endpoint's binding, made if it has none
 * @ln: the netns's state
 * @orig: the outbound tuple of the mapping that needs it (zone included)
 * @ext_addr: the external address (one binding per uplink)
 * @ifindex: the interface it leaves by
 *
 * A new binding takes its own port when free and (TCP, UDP) in port_range,
 * else the first free port from an offset derived from the endpoint alone,
 * so the binding is the same whatever the remote end (RFC 4787 REQ-1,
 * RFC 5382 REQ-1) and stays the same if re-created; in the endpoint's own
 * port range (0-1023 or above) and of its parity where port_range allows
 * (RFC 4787 REQ-3a, REQ-4). ICMP identifiers may take any value. A port a
 * socket of the router's own takes on that interface is never given.
 *
 * Context: @ln->lock and rcu_read_lock held; allocates with LNAT_GFP_PKT.
 * Return: the binding, its reference not yet taken; ERR_PTR(-EADDRINUSE)
 * when every port of the range is held, ERR_PTR(-ENOMEM) when it could not
 * be allocated (the memory cgroup's limit, LNAT_GFP_PKT).
 */
struct lnat_bind *lnat_bind_get(struct lnat_net *ln,
				const struct lnat_tuple *orig, __be32 ext_addr,
				int ifindex)
{
	u32 lo = 0, hi = 65535, want = ntohs(orig->sport), hash;
	struct lnat_hashes *tab;
	struct lnat_pool *pool;
	int port, err;
	struct lnat_bind *b;

	lockdep_assert_held(&ln->lock);
	hash = lnat_bind_hash(ln, orig->saddr, orig->sport, orig->proto);
	b = lnat_bind_find(ln, orig, ext_addr, hash);
	if (b && !lnat_sock_taken(ln, orig, ext_addr, b->ext_port, ifindex))
		return b;
	/* The router's own socket took the port: the binding moves. */
	if (b)
		lnat_bind_retire(b);
	if (orig->proto != IPPROTO_ICMP) {
		u32 range = READ_ONCE(ln->port_range);

		lo = range >> 16;
		hi = range & 0xffff;
	}
	pool = lnat_pool_get(ln, ext_addr, orig->proto);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	if (want >= lo && want <= hi &&
	    lnat_pool_free_port(ln, pool, orig, want, ifindex))
		port = want;
	else
		port = lnat_pool_pick(ln, pool, orig, lo, hi, ifindex);
	err = -EADDRINUSE;
	if (port < 0)
		goto err_pool;
	err = -ENOMEM;
	b = kzalloc(sizeof(*b), LNAT_GFP_PKT);
	if (!b)
		goto err_pool;
	b->int_addr = orig->saddr;
	b->int_port = orig->sport;
	b->ext_addr = ext_addr;
	b->ext_port = htons(port);
	b->proto = orig->proto;
	b->zone = orig->zone;
	b->last_out = (u32)jiffies;
	b->ifindex = ifindex;
	b->pool = pool;
	pool->refs++;
	__set_bit(port, pool->used);
	tab = lnat_tab(ln);
	hlist_add_head_rcu(&b->hnode[LNAT_BIND_INT],
			   &tab->bind[LNAT_BIND_INT][lnat_bucket(tab, hash)]);
	hash = lnat_bind_hash(ln, b->ext_addr, b->ext_port, b->proto);
	hlist_add_head_rcu(&b->hnode[LNAT_BIND_EXT],
			   &tab->bind[LNAT_BIND_EXT][lnat_bucket(tab, hash)]);
	return b;

err_pool:
	if (!pool->refs)
		lnat_pool_free(pool);
	return ERR_PTR(err);
}

/**
 * lnat_bind_retire() - a socket of the router's own took @b's port
 * @b: the binding
 *
 * The endpoint's next mapping gets a binding of its own on another port; the
 * mappings still using @b keep it, and it lets nothing new in.
 *
 * Context: the netns's lock held.
 */
void lnat_bind_retire(struct lnat_bind *b)
{
	if (!hlist_unhashed(&b->hnode[LNAT_BIND_INT]))
		hlist_del_init_rcu(&b->hnode[LNAT_BIND_INT]);
}

/**
 * lnat_bind_retired() - was @b retired?
 * @b: the binding
 *
 * Context: the netns's lock held.
 * Return: true if lnat_bind_retire() was called on it.
 */
bool lnat_bind_retired(const struct lnat_bind *b)
{
	return hlist_unhashed(&b->hnode[LNAT_BIND_INT]);
}

/**
 * lnat_bind_touch() - the inside sent through @b
 * @b: the binding of a mapping an outbound packet was translated by
 *
 * At most one write a tick, as lnat_refresh().
 *
 * Context: rcu_read_lock held; lockless.
 */
void lnat_bind_touch(struct lnat_bind *b)
{
	u32 now = (u32)jiffies;

	if (READ_ONCE(b->last_out) != now)
		WRITE_ONCE(b->last_out, now);
}

/**
 * lnat_bind_live() - may @b still let a packet from outside open a mapping?
 * @ln: the netns's state
 * @b: a TCP or UDP binding
 * @now: jiffies
 *
 * A binding lives as long after the inside last sent through it as its
 * longest-lived mapping would (udp_timeout_stream, tcp_timeout_established):
 * traffic from outside alone never keeps it open.
 *
 * Context: any; lockless.
 * Return: true while it lives.
 */
bool lnat_bind_live(const struct lnat_net *ln, const struct lnat_bind *b,
		    unsigned long now)
{
	int to = b->proto == IPPROTO_TCP ? LNAT_TCP_ESTABLISHED :
					   LNAT_TO_UDP_STREAM;

	return (u32)now - READ_ONCE(b->last_out) <=
	       (unsigned long)READ_ONCE(ln->timeout[to]) * HZ;
}

/**
 * lnat_bind_put() - a mapping let go of its binding
 * @ln: the netns's state
 * @b: the binding, freed after a grace period with its last mapping, its
 *	port back in the pool
 *
 * Context: @ln->lock held.
 */
void lnat_bind_put(struct lnat_net *ln, struct lnat_bind *b)
{
	lockdep_assert_held(&ln->lock);
	if (--b->refs)
		return;
	lnat_bind_retire(b);
	hlist_del_rcu(&b->hnode[LNAT_BIND_EXT]);
	__clear_bit(ntohs(b->ext_port), b->pool->used);
	if (!--b->pool->refs)
		lnat_pool_free(b->pool);
	kfree_rcu(b, rcu);
}
