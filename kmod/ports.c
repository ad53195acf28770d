// SPDX-License-Identifier: GPL-2.0
/*
 * External port choice. The client's port is kept when the external 4-tuple
 * is free. Otherwise the search starts at an offset derived from the flow and
 * the kernel's per-boot secret, so a mapping lost and re-created (flush,
 * expiry, module reload) lands on the same port and its FIN or RST still
 * reaches the server's socket.
 */
#include <linux/jhash.h>
#include <net/inet_hashtables.h>
#include <net/secure_seq.h>
#include <net/udp.h>
#include "lnat.h"

/* Bounded work in softirq, as nf_nat's unique_tuple search. */
#define LNAT_PORT_TRIES	128

/* Caller holds ln->lock and rcu_read_lock. */
static bool lnat_port_free(struct lnat_net *ln, const struct lnat_tuple *r)
{
	struct sock *sk;

	if (lnat_reply_taken(ln, r))
		return false;
	/* A socket of the router's own would receive this 4-tuple. */
	sk = inet_lookup(ln->net, NULL, 0, r->saddr, r->sport, r->daddr,
			 r->dport, 0);
	if (sk) {
		sock_gen_put(sk);
		return false;
	}
	return true;
}

static u32 lnat_port_offset(const struct lnat_tuple *orig)
{
	u64 h = secure_ipv4_port_ephemeral(orig->saddr, orig->daddr,
					   orig->dport);

	return jhash_1word(ntohs(orig->sport), (u32)h ^ (u32)(h >> 32));
}

int lnat_port_choose(struct lnat_net *ln, const struct lnat_tuple *orig,
		     struct lnat_tuple *reply)
{
	u32 range = READ_ONCE(ln->port_range);
	u32 lo = range >> 16, hi = range & 0xffff;
	u32 size = hi - lo + 1, want = ntohs(orig->sport);
	u32 off, i, tries;

	if (want >= lo && want <= hi) {
		reply->dport = orig->sport;
		if (lnat_port_free(ln, reply))
			return 0;
	}
	off = lnat_port_offset(orig);
	tries = min_t(u32, size, LNAT_PORT_TRIES);
	for (i = 0; i < tries; i++) {
		reply->dport = htons(lo + (off + i) % size);
		if (lnat_port_free(ln, reply))
			return 0;
	}
	return -EADDRINUSE;
}

static u32 lnat_bind_hash(const struct lnat_net *ln, __be32 addr, __be16 port,
			  u8 proto)
{
	return hsiphash_3u32((__force u32)addr, (__force u16)port, proto,
			     &ln->hash_key) & ((1U << ln->hash_bits) - 1);
}

/* Caller holds ln->lock or rcu_read_lock. */
struct lnat_bind *lnat_bind_lookup(struct lnat_net *ln, enum lnat_bind_key k,
				   __be32 addr, __be16 port, u8 proto)
{
	struct hlist_head *head;
	struct lnat_bind *b;

	head = &ln->bhash[k][lnat_bind_hash(ln, addr, port, proto)];
	hlist_for_each_entry_rcu(b, head, hnode[k], lockdep_is_held(&ln->lock)) {
		if (b->proto != proto)
			continue;
		if (k == LNAT_BIND_INT && b->int_addr == addr &&
		    b->int_port == port)
			return b;
		if (k == LNAT_BIND_EXT && b->ext_addr == addr &&
		    b->ext_port == port)
			return b;
	}
	return NULL;
}

/* Free for a new binding: no other binding, no socket of the router's own. */
static bool lnat_bind_free(struct lnat_net *ln, __be32 ext, __be16 port,
			   u8 proto)
{
	if (lnat_bind_lookup(ln, LNAT_BIND_EXT, ext, port, proto))
		return false;
	return proto != IPPROTO_UDP ||
	       !__udp4_lib_lookup(ln->net, 0, 0, ext, port, 0, 0, NULL);
}

/*
 * Caller holds ln->lock and rcu_read_lock. The internal endpoint's binding,
 * made if it has none: its own port when free and (for UDP) in port_range,
 * else a search from an offset derived from the endpoint alone, so the
 * binding is the same whatever the remote end (REQ-1) and stays the same if
 * re-created. ICMP identifiers may take any value. Bounded work.
 */
struct lnat_bind *lnat_bind_get(struct lnat_net *ln,
				const struct lnat_tuple *orig, __be32 ext_addr,
				int ifindex)
{
	u32 lo = 0, hi = 65535, size, off, i, tries, want = ntohs(orig->sport);
	struct lnat_bind *b;
	__be16 port;

	b = lnat_bind_lookup(ln, LNAT_BIND_INT, orig->saddr, orig->sport,
			     orig->proto);
	if (b && b->ext_addr == ext_addr)
		return b;
	if (b)
		return NULL;	/* its address is leaving: flushed soon */
	if (orig->proto == IPPROTO_UDP) {
		u32 range = READ_ONCE(ln->port_range);

		lo = range >> 16;
		hi = range & 0xffff;
	}
	size = hi - lo + 1;
	port = orig->sport;
	if (want < lo || want > hi ||
	    !lnat_bind_free(ln, ext_addr, port, orig->proto)) {
		off = jhash_2words((u32)secure_ipv4_port_ephemeral(orig->saddr, 0,
								   orig->sport),
				   orig->proto, 0);
		tries = min_t(u32, size, LNAT_PORT_TRIES);
		for (i = 0; i < tries; i++) {
			port = htons(lo + (off + i) % size);
			if (lnat_bind_free(ln, ext_addr, port, orig->proto))
				break;
		}
		if (i == tries)
			return NULL;
	}

	b = kzalloc(sizeof(*b), GFP_ATOMIC);
	if (!b)
		return NULL;
	b->int_addr = orig->saddr;
	b->int_port = orig->sport;
	b->ext_addr = ext_addr;
	b->ext_port = port;
	b->proto = orig->proto;
	b->ifindex = ifindex;
	hlist_add_head_rcu(&b->hnode[LNAT_BIND_INT],
			   &ln->bhash[LNAT_BIND_INT][lnat_bind_hash(ln, b->int_addr,
								    b->int_port,
								    b->proto)]);
	hlist_add_head_rcu(&b->hnode[LNAT_BIND_EXT],
			   &ln->bhash[LNAT_BIND_EXT][lnat_bind_hash(ln, b->ext_addr,
								    b->ext_port,
								    b->proto)]);
	return b;
}

/* Caller holds ln->lock: a mapping let go of its binding. */
void lnat_bind_put(struct lnat_net *ln, struct lnat_bind *b)
{
	lockdep_assert_held(&ln->lock);
	if (--b->refs)
		return;
	hlist_del_rcu(&b->hnode[LNAT_BIND_INT]);
	hlist_del_rcu(&b->hnode[LNAT_BIND_EXT]);
	kfree_rcu(b, rcu);
}
