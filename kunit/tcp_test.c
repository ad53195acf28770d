// SPDX-License-Identifier: GPL-2.0
/* KUnit: loose TCP state tracking, every state x direction x flag class. */
#include <net/tcp.h>
#include "lnat_kunit.h"

#define O LNAT_DIR_ORIG
#define R LNAT_DIR_REPLY

static bool lnat_t_closing(u32 s)
{
	return s >= LNAT_TCP_FIN_WAIT;
}

/* RFC 793 flag meanings, written independently of lnat_tcp_classify. */
static void lnat_t_classify(struct kunit *test)
{
	unsigned int f;

	for (f = 0; f < 64; f++) {
		enum lnat_tcp_flags want;

		if (f & TCPHDR_RST)
			want = LNAT_TF_RST;
		else if ((f & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK))
			want = LNAT_TF_SYNACK;
		else if (f & TCPHDR_SYN)
			want = LNAT_TF_SYN;
		else if (f & TCPHDR_FIN)
			want = LNAT_TF_FIN;
		else if (f & TCPHDR_ACK)
			want = LNAT_TF_ACK;
		else
			want = LNAT_TF_NONE;
		KUNIT_EXPECT_EQ_MSG(test, lnat_tcp_classify(f), want,
				    "flags %#x", f);
	}
	/* The ones conntrack refuses to create state for. */
	KUNIT_EXPECT_EQ(test, lnat_tcp_classify(TCPHDR_FIN | TCPHDR_ACK), LNAT_TF_FIN);
	KUNIT_EXPECT_EQ(test, lnat_tcp_classify(TCPHDR_RST | TCPHDR_ACK), LNAT_TF_RST);
	KUNIT_EXPECT_EQ(test, lnat_tcp_classify(0), LNAT_TF_NONE);
	KUNIT_EXPECT_EQ(test, lnat_tcp_classify(TCPHDR_SYN | TCPHDR_FIN | TCPHDR_RST |
						 TCPHDR_URG), LNAT_TF_RST);
}

static void lnat_t_initial(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_SYN), LNAT_TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_SYNACK), LNAT_TCP_SYN_RECV);
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_ACK), LNAT_TCP_ESTABLISHED);
	/* Teardowns start in a closing state with a short timeout. */
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_FIN), LNAT_TCP_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_RST), LNAT_TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, lnat_tcp_initial(LNAT_TF_NONE), LNAT_TCP_CLOSE);
}

/* Properties every one of the 8 x 2 x 6 transitions must have. */
static void lnat_t_all_transitions(struct kunit *test)
{
	u32 s, d, f, n;

	for (s = 0; s < LNAT_TCP_MAX; s++)
		for (d = 0; d < LNAT_DIR_MAX; d++)
			for (f = 0; f < LNAT_TF_MAX; f++) {
				n = lnat_tcp_next(s, d, f);
				KUNIT_EXPECT_LT(test, n, (u32)LNAT_TCP_MAX);
				if (f == LNAT_TF_RST)
					KUNIT_EXPECT_EQ(test, n, (u32)LNAT_TCP_CLOSE);
				if (f == LNAT_TF_NONE)
					KUNIT_EXPECT_EQ(test, n, s);
				/* A FIN never opens anything. */
				if (f == LNAT_TF_FIN)
					KUNIT_EXPECT_TRUE(test, n == s || lnat_t_closing(n));
				/* Closing only moves forward, unless we reopen. */
				if (lnat_t_closing(s) && !(d == O && f == LNAT_TF_SYN))
					KUNIT_EXPECT_GE_MSG(test, n, s, "s %u d %u f %u", s, d, f);
				/* Only an inside SYN reopens a closed mapping. */
				if ((s == LNAT_TCP_TIME_WAIT || s == LNAT_TCP_CLOSE) &&
				    f != LNAT_TF_RST)
					KUNIT_EXPECT_EQ(test, n, d == O && f == LNAT_TF_SYN ?
							(u32)LNAT_TCP_SYN_SENT : s);
				/* The outside never moves us to SYN_SENT. */
				if (d == R && s != LNAT_TCP_SYN_SENT)
					KUNIT_EXPECT_NE(test, n, (u32)LNAT_TCP_SYN_SENT);
			}
}

static u32 lnat_t_run(u32 s, const u8 (*seq)[2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		s = lnat_tcp_next(s, seq[i][0], seq[i][1]);
	return s;
}

static void lnat_t_sequences(struct kunit *test)
{
	static const u8 open[][2] = {
		{ R, LNAT_TF_SYNACK }, { O, LNAT_TF_ACK },
	};
	static const u8 client_close[][2] = {
		{ O, LNAT_TF_FIN }, { R, LNAT_TF_ACK }, { R, LNAT_TF_FIN },
		{ O, LNAT_TF_ACK },
	};
	static const u8 server_close[][2] = {
		{ R, LNAT_TF_FIN }, { O, LNAT_TF_ACK }, { O, LNAT_TF_FIN },
		{ R, LNAT_TF_ACK },
	};
	static const u8 simultaneous[][2] = {
		{ R, LNAT_TF_SYN }, { O, LNAT_TF_SYNACK }, { R, LNAT_TF_SYNACK },
		{ O, LNAT_TF_ACK },
	};
	static const u8 answered[][2] = {
		{ R, LNAT_TF_ACK },
	};

	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_SYN_SENT, open, 1),
			(u32)LNAT_TCP_SYN_RECV);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_SYN_SENT, open, 2),
			(u32)LNAT_TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_ESTABLISHED, client_close, 1),
			(u32)LNAT_TCP_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_ESTABLISHED, client_close, 2),
			(u32)LNAT_TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_ESTABLISHED, client_close, 3),
			(u32)LNAT_TCP_LAST_ACK);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_ESTABLISHED, client_close, 4),
			(u32)LNAT_TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_ESTABLISHED, server_close, 4),
			(u32)LNAT_TCP_TIME_WAIT);
	/* RFC 5382 REQ-2: simultaneous open. */
	KUNIT_EXPECT_EQ(test, lnat_t_run(LNAT_TCP_SYN_SENT, simultaneous, 4),
			(u32)LNAT_TCP_ESTABLISHED);
	/* A mapping created from an inside SYN+ACK is completed from outside. */
	KUNIT_EXPECT_EQ(test, lnat_t_run(lnat_tcp_initial(LNAT_TF_SYNACK),
					 answered, 1), (u32)LNAT_TCP_ESTABLISHED);
	/* A mapping created from a lone FIN still closes properly. */
	KUNIT_EXPECT_EQ(test, lnat_t_run(lnat_tcp_initial(LNAT_TF_FIN),
					 client_close + 1, 3),
			(u32)LNAT_TCP_TIME_WAIT);
	/* Port reuse: a new SYN after TIME_WAIT starts over. */
	KUNIT_EXPECT_EQ(test, lnat_tcp_next(LNAT_TCP_TIME_WAIT, O, LNAT_TF_SYN),
			LNAT_TCP_SYN_SENT);
}

static void lnat_t_assured(struct kunit *test)
{
	struct lnat_entry e = { .state = LNAT_TCP_SYN_SENT };

	lnat_tcp_update(&e, R, LNAT_TF_SYNACK);
	KUNIT_EXPECT_EQ(test, e.state, (u32)LNAT_TCP_SYN_RECV);
	lnat_tcp_update(&e, O, LNAT_TF_ACK);
	KUNIT_EXPECT_EQ(test, e.state, (u32)LNAT_TCP_ESTABLISHED);
	/* Never answered: not assured, whatever the state. */
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_ASSURED, &e.flags));
	set_bit(LNAT_F_REPLIED, &e.flags);
	lnat_tcp_update(&e, R, LNAT_TF_ACK);
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_ASSURED, &e.flags));
	lnat_tcp_update(&e, O, LNAT_TF_RST);
	KUNIT_EXPECT_EQ(test, e.state, (u32)LNAT_TCP_CLOSE);
	KUNIT_EXPECT_STREQ(test, lnat_tcp_state_name(e.state), "CLOSE");
	KUNIT_EXPECT_STREQ(test, lnat_tcp_state_name(99), "UNKNOWN");
}

static struct kunit_case lnat_tcp_cases[] = {
	KUNIT_CASE(lnat_t_classify),
	KUNIT_CASE(lnat_t_initial),
	KUNIT_CASE(lnat_t_all_transitions),
	KUNIT_CASE(lnat_t_sequences),
	KUNIT_CASE(lnat_t_assured),
	{}
};

static struct kunit_suite lnat_tcp_suite = {
	.name = "loosenat_tcp",
	.test_cases = lnat_tcp_cases,
};

kunit_test_suite(lnat_tcp_suite);
