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
	sk = inet_lookup(ln->net, ln->net->ipv4.tcp_death_row.hashinfo, NULL,
			 0, r->saddr, r->sport, r->daddr, r->dport, 0);
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
