// SPDX-License-Identifier: GPL-2.0
/*
 * Loose TCP state tracking: states and timeouts like nf_conntrack's, but no
 * sequence or window checks, and every flag combination is accepted, so that
 * a mapping exists (and is translated) for whatever the endpoints send.
 */
#include <net/tcp.h>
#include "lnat.h"

#define T_SS LNAT_TCP_SYN_SENT
#define T_SR LNAT_TCP_SYN_RECV
#define T_ES LNAT_TCP_ESTABLISHED
#define T_FW LNAT_TCP_FIN_WAIT
#define T_CW LNAT_TCP_CLOSE_WAIT
#define T_LA LNAT_TCP_LAST_ACK
#define T_TW LNAT_TCP_TIME_WAIT
#define T_CL LNAT_TCP_CLOSE

/*
 * Where conntrack says "invalid" we keep the state: the packet is translated
 * either way, only its timeout class matters. Columns are the current state.
 */
static const u8 lnat_tcp_table[LNAT_DIR_MAX][LNAT_TF_MAX][LNAT_TCP_MAX] = {
	[LNAT_DIR_ORIG] = {
		/*                   T_SS  T_SR  T_ES  T_FW  T_CW  T_LA  T_TW  T_CL */
		[LNAT_TF_SYN]    = { T_SS, T_SR, T_ES, T_FW, T_CW, T_LA, T_SS, T_SS },
		/* SYN+ACK after our SYN: simultaneous open. */
		[LNAT_TF_SYNACK] = { T_SR, T_SR, T_ES, T_FW, T_CW, T_LA, T_TW, T_CL },
		[LNAT_TF_FIN]    = { T_FW, T_FW, T_FW, T_LA, T_LA, T_LA, T_TW, T_CL },
		[LNAT_TF_ACK]    = { T_SS, T_ES, T_ES, T_CW, T_CW, T_TW, T_TW, T_CL },
		[LNAT_TF_RST]    = { T_CL, T_CL, T_CL, T_CL, T_CL, T_CL, T_CL, T_CL },
		[LNAT_TF_NONE]   = { T_SS, T_SR, T_ES, T_FW, T_CW, T_LA, T_TW, T_CL },
	},
	[LNAT_DIR_REPLY] = {
		/*                   T_SS  T_SR  T_ES  T_FW  T_CW  T_LA  T_TW  T_CL */
		/* A SYN answering our SYN: simultaneous open. */
		[LNAT_TF_SYN]    = { T_SR, T_SR, T_ES, T_FW, T_CW, T_LA, T_TW, T_CL },
		[LNAT_TF_SYNACK] = { T_SR, T_SR, T_ES, T_FW, T_CW, T_LA, T_TW, T_CL },
		[LNAT_TF_FIN]    = { T_SS, T_FW, T_FW, T_LA, T_LA, T_LA, T_TW, T_CL },
		/* Loose: the outside may complete a handshake we answered. */
		[LNAT_TF_ACK]    = { T_SS, T_ES, T_ES, T_CW, T_CW, T_TW, T_TW, T_CL },
		[LNAT_TF_RST]    = { T_CL, T_CL, T_CL, T_CL, T_CL, T_CL, T_CL, T_CL },
		[LNAT_TF_NONE]   = { T_SS, T_SR, T_ES, T_FW, T_CW, T_LA, T_TW, T_CL },
	},
};

/* The state a mapping starts in, by the flags of the packet creating it. */
static const u8 lnat_tcp_start[LNAT_TF_MAX] = {
	[LNAT_TF_SYN]    = T_SS,
	[LNAT_TF_SYNACK] = T_SR,
	[LNAT_TF_FIN]    = T_FW,
	[LNAT_TF_ACK]    = T_ES,
	[LNAT_TF_RST]    = T_CL,
	/* No flags at all is never part of a connection: keep it short. */
	[LNAT_TF_NONE]   = T_CL,
};

static const char *const lnat_tcp_names[LNAT_TCP_MAX] = {
	[T_SS] = "SYN_SENT",
	[T_SR] = "SYN_RECV",
	[T_ES] = "ESTABLISHED",
	[T_FW] = "FIN_WAIT",
	[T_CW] = "CLOSE_WAIT",
	[T_LA] = "LAST_ACK",
	[T_TW] = "TIME_WAIT",
	[T_CL] = "CLOSE",
};

/**
 * lnat_tcp_classify() - the class of a TCP header's flags
 * @flags: tcp_flag_byte()
 *
 * Context: any.
 * Return: the first of RST, SYN(+ACK), FIN, ACK that is set, as conntrack
 * tests them, or LNAT_TF_NONE.
 */
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

/**
 * lnat_tcp_initial() - the state of a mapping created by a packet of @tf
 * @tf: its flags' class: any, not only a SYN
 *
 * Context: any.
 * Return: the loose state.
 */
enum lnat_tcp_state lnat_tcp_initial(enum lnat_tcp_flags tf)
{
	return lnat_tcp_start[tf];
}

/**
 * lnat_tcp_next() - the state after a packet
 * @s: the state before
 * @dir: the packet's direction
 * @tf: its flags' class
 *
 * Context: any.
 * Return: the state after, as conntrack's table would move it.
 */
enum lnat_tcp_state lnat_tcp_next(enum lnat_tcp_state s, enum lnat_dir dir,
				  enum lnat_tcp_flags tf)
{
	return lnat_tcp_table[dir][tf][s];
}

/**
 * lnat_tcp_update() - move @e's state for a packet
 * @e: the mapping
 * @dir: the packet's direction
 * @tf: its flags' class
 *
 * Context: any; lock-free (cmpxchg), as packets of both directions may race
 * on different CPUs.
 */
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

	if (new == T_ES && test_bit(LNAT_F_REPLIED, &e->flags) &&
	    !test_bit(LNAT_F_ASSURED, &e->flags))
		set_bit(LNAT_F_ASSURED, &e->flags);
}

/**
 * lnat_tcp_state_name() - a state as /proc/net/nf_conntrack names it
 * @s: enum lnat_tcp_state
 *
 * Context: any.
 * Return: the name, or "UNKNOWN".
 */
const char *lnat_tcp_state_name(u32 s)
{
	return s < LNAT_TCP_MAX ? lnat_tcp_names[s] : "UNKNOWN";
}
