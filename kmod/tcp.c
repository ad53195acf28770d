// SPDX-License-Identifier: GPL-2.0
/*
 * Loose TCP state tracking: states and timeouts like nf_conntrack's, but no
 * sequence or window checks, and every flag combination is accepted, so that
 * a mapping exists (and is translated) for whatever the endpoints send.
 */
#include <net/tcp.h>
#include "lnat.h"

#define sSS LNAT_TCP_SYN_SENT
#define sSR LNAT_TCP_SYN_RECV
#define sES LNAT_TCP_ESTABLISHED
#define sFW LNAT_TCP_FIN_WAIT
#define sCW LNAT_TCP_CLOSE_WAIT
#define sLA LNAT_TCP_LAST_ACK
#define sTW LNAT_TCP_TIME_WAIT
#define sCL LNAT_TCP_CLOSE

/*
 * Where conntrack says "invalid" we keep the state: the packet is translated
 * either way, only its timeout class matters. Columns are the current state.
 */
static const u8 lnat_tcp_table[LNAT_DIR_MAX][LNAT_TF_MAX][LNAT_TCP_MAX] = {
	[LNAT_DIR_ORIG] = {
		/*                   sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL */
		[LNAT_TF_SYN]    = { sSS, sSR, sES, sFW, sCW, sLA, sSS, sSS },
		/* SYN+ACK after our SYN: simultaneous open. */
		[LNAT_TF_SYNACK] = { sSR, sSR, sES, sFW, sCW, sLA, sTW, sCL },
		[LNAT_TF_FIN]    = { sFW, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
		[LNAT_TF_ACK]    = { sSS, sES, sES, sCW, sCW, sTW, sTW, sCL },
		[LNAT_TF_RST]    = { sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		[LNAT_TF_NONE]   = { sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL },
	},
	[LNAT_DIR_REPLY] = {
		/*                   sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL */
		/* A SYN answering our SYN: simultaneous open. */
		[LNAT_TF_SYN]    = { sSR, sSR, sES, sFW, sCW, sLA, sTW, sCL },
		[LNAT_TF_SYNACK] = { sSR, sSR, sES, sFW, sCW, sLA, sTW, sCL },
		[LNAT_TF_FIN]    = { sSS, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
		/* Loose: the outside may complete a handshake we answered. */
		[LNAT_TF_ACK]    = { sSS, sES, sES, sCW, sCW, sTW, sTW, sCL },
		[LNAT_TF_RST]    = { sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		[LNAT_TF_NONE]   = { sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL },
	},
};

/* The state a mapping starts in, by the flags of the packet creating it. */
static const u8 lnat_tcp_start[LNAT_TF_MAX] = {
	[LNAT_TF_SYN]    = sSS,
	[LNAT_TF_SYNACK] = sSR,
	[LNAT_TF_FIN]    = sFW,
	[LNAT_TF_ACK]    = sES,
	[LNAT_TF_RST]    = sCL,
	/* No flags at all is never part of a connection: keep it short. */
	[LNAT_TF_NONE]   = sCL,
};

static const char *const lnat_tcp_names[LNAT_TCP_MAX] = {
	[sSS] = "SYN_SENT",
	[sSR] = "SYN_RECV",
	[sES] = "ESTABLISHED",
	[sFW] = "FIN_WAIT",
	[sCW] = "CLOSE_WAIT",
	[sLA] = "LAST_ACK",
	[sTW] = "TIME_WAIT",
	[sCL] = "CLOSE",
};

enum lnat_tcp_flags lnat_tcp_classify(u8 flags)
{
	if (flags & TCPHDR_RST)
		return LNAT_TF_RST;
	if (flags & TCPHDR_SYN)
		return flags & TCPHDR_ACK ? LNAT_TF_SYNACK : LNAT_TF_SYN;
	if (flags & TCPHDR_FIN)
		return LNAT_TF_FIN;
	if (flags & TCPHDR_ACK)
		return LNAT_TF_ACK;
	return LNAT_TF_NONE;
}

enum lnat_tcp_state lnat_tcp_initial(enum lnat_tcp_flags tf)
{
	return lnat_tcp_start[tf];
}

enum lnat_tcp_state lnat_tcp_next(enum lnat_tcp_state s, enum lnat_dir dir,
				  enum lnat_tcp_flags tf)
{
	return lnat_tcp_table[dir][tf][s];
}

/* Lock-free: packets of both directions may race on different CPUs. */
void lnat_tcp_update(struct lnat_entry *e, enum lnat_dir dir,
		     enum lnat_tcp_flags tf)
{
	u32 old, new;

	do {
		old = READ_ONCE(e->state);
		new = lnat_tcp_next(old, dir, tf);
		if (new == old)
			break;
	} while (cmpxchg(&e->state, old, new) != old);

	if (new == sES && test_bit(LNAT_F_REPLIED, &e->flags) &&
	    !test_bit(LNAT_F_ASSURED, &e->flags))
		set_bit(LNAT_F_ASSURED, &e->flags);
}

const char *lnat_tcp_state_name(u32 s)
{
	return s < LNAT_TCP_MAX ? lnat_tcp_names[s] : "UNKNOWN";
}
