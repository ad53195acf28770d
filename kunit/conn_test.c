// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: conn.c, the mappings: creation whatever the TCP flags, creation
 * from outside as filtering allows, identifier and address-only mappings, timeouts, expired
 * mappings letting nothing in, eviction when full.
 */
#include <linux/icmp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

static void lnat_t_loose_counters(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4001, LNAT_TF_FIN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_LOOSE, &e->flags));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_FIN_WAIT);
	e = lnat_t_tcp(test, 4002, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, e->state, (u32)LNAT_TCP_CLOSE);
	e = lnat_t_tcp(test, 4003, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_LOOSE), 3U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_NEW_TEARDOWN), 2U);
}

static void lnat_t_loose_timeout(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4020, LNAT_TF_ACK);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TO_LOOSE] = 30;
	/* Unanswered pickup: the loose timeout caps ESTABLISHED's. */
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 30UL * HZ);
	lnat_set_replied(ln, e);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e),
			(unsigned long)ln->timeout[LNAT_TCP_ESTABLISHED] * HZ);
	/* The loose timeout never lengthens a shorter state timeout. */
	e = lnat_t_tcp(test, 4021, LNAT_TF_RST);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	ln->timeout[LNAT_TCP_CLOSE] = 10;
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, e), 10UL * HZ);
}

/*
 * An expired mapping the collector has not reached yet lets nothing in:
 * the packet goes to the router untranslated, the mapping untouched. Once
 * refreshed from inside, it translates again.
 */
static void lnat_t_expired_inbound(struct kunit *test)
{
	struct lnat_tuple reply = lnat_t_tuple("192.0.2.2", 80, "192.0.2.1", 4011);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *used;
	struct sk_buff *skb;
	unsigned int v;

	e = lnat_t_tcp(test, 4011, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_ASSERT_EQ(test, ntohs(e->tuple[LNAT_DIR_REPLY].dport), 4011);
	lnat_t_backdate(e, ln->timeout[LNAT_TCP_SYN_SENT] + 1);

	used = NULL;
	skb = lnat_t_skb(test, &reply, TCPHDR_SYN | TCPHDR_ACK, 0, 64);
	rcu_read_lock();
	v = lnat_xlat_in(ln, skb, false, &used);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_NULL(test, used);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, reply.daddr);
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_REPLIED, &e->flags));
	kfree_skb(skb);

	lnat_refresh(e);
	skb = lnat_t_skb(test, &reply, TCPHDR_SYN | TCPHDR_ACK, 0, 64);
	rcu_read_lock();
	v = lnat_xlat_in(ln, skb, false, &used);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	KUNIT_EXPECT_PTR_EQ(test, used, e);
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_REPLIED, &e->flags));
	kfree_skb(skb);
}

/*
 * lnat_xlat_in() on an answer to @e (that a notrack rule marked, with
 * @untracked); what conntrack will get, or NULL.
 */
static struct nf_conn *lnat_t_answer(struct kunit *test, struct lnat_entry *e,
				     struct sk_buff **skbp, bool untracked)
{
	struct lnat_tuple r = e->tuple[LNAT_DIR_REPLY];
	enum ip_conntrack_info ctinfo;
	struct sk_buff *skb;

	skb = lnat_t_skb(test, &r, TCPHDR_SYN | TCPHDR_ACK, 0, 64);
	if (untracked)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	local_bh_disable();
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, lnat_xlat_in(test->priv, skb, false, NULL),
			NF_ACCEPT);
	rcu_read_unlock();
	local_bh_enable();
	LNAT_EXPECT_RAW_EQ(test, ip_hdr(skb)->daddr,
			   e->tuple[LNAT_DIR_ORIG].saddr);
	*skbp = skb;
	return nf_ct_get(skb, &ctinfo);
}

/*
 * An answer to a tenant's mapping (conntrack zone 3, both directions)
 * reaches conntrack in that zone, whatever zone a rule would give the WAN;
 * while one packet holds the CPU's template, the next gets one of its own.
 * A zone of the original direction only (ct original zone set), or zone 0,
 * gets no template: conntrack has those answers in zone 0; nor does an
 * answer a notrack rule marked.
 */
static void lnat_t_zone_answer(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", 4050, "192.0.2.2", 80);
	struct sk_buff *skb[2];
	struct lnat_entry *e;
	struct nf_conn *ct[2];
	int i;

	t.zone = 3;
	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_NULL(test, lnat_t_answer(test, e, &skb[0], false));
	kfree_skb(skb[0]);

	set_bit(LNAT_F_ZONE_REPLY, &e->flags);
	for (i = 0; i < 2; i++) {
		ct[i] = lnat_t_answer(test, e, &skb[i], false);
		KUNIT_ASSERT_NOT_NULL(test, ct[i]);
		KUNIT_EXPECT_TRUE(test, nf_ct_is_template(ct[i]));
		KUNIT_EXPECT_EQ(test, nf_ct_zone(ct[i])->id, 3);
		KUNIT_EXPECT_EQ(test, nf_ct_zone(ct[i])->dir,
				NF_CT_DEFAULT_ZONE_DIR);
	}
	KUNIT_EXPECT_PTR_NE(test, ct[0], ct[1]);
	kfree_skb(skb[0]);
	kfree_skb(skb[1]);
	/* A notrack rule's choice stands. */
	KUNIT_EXPECT_NULL(test, lnat_t_answer(test, e, &skb[0], true));
	KUNIT_EXPECT_EQ(test, skb_get_nfct(skb[0]),
			(unsigned long)IP_CT_UNTRACKED);
	kfree_skb(skb[0]);

	e = lnat_t_tcp(test, 4051, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_NULL(test, lnat_t_answer(test, e, &skb[0], false));
	kfree_skb(skb[0]);
}

static void lnat_t_full(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *a, *b, *c;

	ln->max_entries = 2;
	a = lnat_t_tcp(test, 4030, LNAT_TF_SYN);
	b = lnat_t_tcp(test, 4031, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	lnat_set_replied(ln, a);
	lnat_set_replied(ln, b);
	/* Both answered: nothing may be evicted, the new flow is refused. */
	c = lnat_t_tcp(test, 4032, LNAT_TF_SYN);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 2);

	/* Room again, then fill with unanswered ones: the oldest goes. */
	ln->max_entries = 4;
	a = lnat_t_tcp(test, 4033, LNAT_TF_SYN);
	b = lnat_t_tcp(test, 4034, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	/* The evicted entry is only freed after a grace period. */
	rcu_read_lock();
	c = lnat_t_tcp(test, 4035, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &a->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &b->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 4);
}

/*
 * A full table reclaims an expired mapping the collector has not reached
 * yet before it evicts a live unanswered one.
 */
static void lnat_t_reclaim(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *old, *u, *c;

	ln->max_entries = 2;
	old = lnat_t_tcp(test, 4040, LNAT_TF_SYN);
	u = lnat_t_tcp(test, 4041, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(old));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(u));
	lnat_set_replied(ln, old);
	lnat_t_backdate(old, 10000);
	/* Its bucket among the next few a full table looks at. */
	ln->reclaim_pos = lnat_hash(ln, &old->tuple[LNAT_DIR_ORIG]) - 3;
	rcu_read_lock();
	c = lnat_t_tcp(test, 4042, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &old->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &u->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EXPIRED), 1U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 2);

	/* None expired: the oldest unanswered one goes. */
	rcu_read_lock();
	c = lnat_t_tcp(test, 4043, LNAT_TF_SYN);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &u->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
}

/*
 * max_entries_total bounds all namespaces together; a netns at the bound
 * makes room from its own unanswered mappings only.
 */
static struct lnat_entry *lnat_t_tcp_in(struct lnat_net *ln, u16 sport)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.2", sport, "192.0.2.2", 80);
	struct lnat_entry *e;

	rcu_read_lock();
	e = lnat_t_create(ln, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	return e;
}

static void lnat_t_total(struct kunit *test)
{
	struct lnat_net *ln = test->priv, *ln2;
	int saved = lnat_max_total;
	struct lnat_entry *a, *b, *c, *u;

	ln2 = kunit_kzalloc(test, sizeof(*ln2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ln2);
	KUNIT_ASSERT_EQ(test, lnat_net_setup(ln2, &init_net, LNAT_T_BITS), 0);
	/* A mapping is made while total + CPUs <= max: room for three. */
	lnat_max_total = num_possible_cpus() + 2;
	a = lnat_t_tcp_in(ln, 4050);
	b = lnat_t_tcp_in(ln, 4051);
	u = lnat_t_tcp_in(ln2, 4052);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(u));
	if (!IS_ERR_OR_NULL(a) && !IS_ERR_OR_NULL(b)) {
		lnat_set_replied(ln, a);
		lnat_set_replied(ln, b);
	}
	/* ln2's unanswered mapping is not ln's to evict. */
	c = lnat_t_tcp_in(ln, 4053);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln2->count), 1);
	/* ln2 evicts its own for a new one; the total stays at three. */
	rcu_read_lock();
	c = lnat_t_tcp_in(ln2, 4054);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	if (!IS_ERR_OR_NULL(u))
		KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_DEAD, &u->flags));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln2, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count) + atomic_read(&ln2->count),
			3);
	lnat_max_total = saved;
	lnat_net_teardown(ln2);
}

/* An inbound packet as lnat_parse() would read it. */
static struct lnat_entry *lnat_t_in(struct lnat_net *ln, u8 proto,
				    const char *src, u16 sport, u16 dport,
				    enum lnat_tcp_flags tf)
{
	struct lnat_pkt p = {
		.t = lnat_t_tuple(src, sport, T_EXT, dport),
		.tf = tf,
	};
	struct lnat_entry *e;

	p.t.proto = proto;
	rcu_read_lock();
	e = lnat_create_inbound(ln, &p, lnat_hash(ln, &p.t));
	rcu_read_unlock();
	return e;
}

/* Endpoint-independent filtering (RFC 4787 REQ-8, RFC 5382 REQ-3). */
static void lnat_t_inbound_ei(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c, *t;

	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	/* The default, address-and-port-dependent: nobody new gets in. */
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_UDP, "198.51.100.9",
					  9000, 6000, LNAT_TF_NONE));
	ln->udp_filtering = LNAT_FILTER_EI;
	c = lnat_t_in(ln, IPPROTO_UDP, "198.51.100.9", 9000, 6000, LNAT_TF_NONE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	LNAT_EXPECT_RAW_EQ(test, c->tuple[LNAT_DIR_ORIG].saddr, in_aton("10.0.0.2"));
	KUNIT_EXPECT_EQ(test, ntohs(c->tuple[LNAT_DIR_ORIG].sport), 6000);
	LNAT_EXPECT_RAW_EQ(test, c->tuple[LNAT_DIR_ORIG].daddr,
			   in_aton("198.51.100.9"));
	KUNIT_EXPECT_PTR_EQ(test, c->bind, e->bind);
	KUNIT_EXPECT_TRUE(test, test_bit(LNAT_F_INBOUND, &c->flags));
	/* No binding on that port: the outside creates nothing. */
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_UDP, "198.51.100.9",
					  9000, 6999, LNAT_TF_NONE));

	/* TCP: a SYN opens a connection through a binding, nothing else. */
	t = lnat_t_tcp(test, 4100, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t));
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_TCP, "198.51.100.9",
					  9000, 4100, LNAT_TF_SYN));
	ln->tcp_filtering = LNAT_FILTER_EI;
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_TCP, "198.51.100.9",
					  9000, 4100, LNAT_TF_ACK));
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_TCP, "198.51.100.9",
					  9000, 4100, LNAT_TF_RST));
	c = lnat_t_in(ln, IPPROTO_TCP, "198.51.100.9", 9000, 4100, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_PTR_EQ(test, c->bind, t->bind);
	KUNIT_EXPECT_EQ(test, c->state, (u32)LNAT_TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 4);
}

/* Address-dependent: only hosts the internal endpoint sent to get in. */
static void lnat_t_inbound_ad(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c;

	ln->udp_filtering = LNAT_FILTER_AD;
	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	/* Another port of the same host: in. */
	c = lnat_t_in(ln, IPPROTO_UDP, "192.0.2.2", 5353, 6000, LNAT_TF_NONE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_PTR_EQ(test, c->bind, e->bind);
	/* Another host: filtered, and an inbound-made mapping vouches for none. */
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_UDP, "192.0.2.3", 53,
					  6000, LNAT_TF_NONE));
	/* Once the mapping the inside made expires, its host is filtered too. */
	lnat_t_backdate(e, 3600);
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_UDP, "192.0.2.2", 123,
					  6000, LNAT_TF_NONE));
}

/*
 * The outside cannot fill the table: a binding admits LNAT_INBOUND_MAX
 * (64) unanswered mappings, they go first when the table is full, and an
 * answer makes one an ordinary mapping.
 */
static void lnat_t_inbound_bounded(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c, *first = NULL;
	char src[16];
	int i;

	ln->udp_filtering = LNAT_FILTER_EI;
	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	lnat_set_replied(ln, e);
	for (i = 0; i < 65; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i + 1);
		c = lnat_t_in(ln, IPPROTO_UDP, src, 9000, 6000, LNAT_TF_NONE);
		if (i < 64)
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
		else
			KUNIT_EXPECT_NULL(test, c);
		if (!first)
			first = c;
	}
	KUNIT_EXPECT_EQ(test, e->bind->inbound, 64U);
	/* Unanswered, it lives as briefly as an unreplied outbound one. */
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, first),
			(unsigned long)ln->timeout[LNAT_TO_UDP] * HZ);
	/* The inside answers the first: it leaves the inbound share. */
	rcu_read_lock();
	lnat_inbound_answered(ln, first);
	rcu_read_unlock();
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_INBOUND, &first->flags));
	KUNIT_EXPECT_EQ(test, e->bind->inbound, 63U);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, first),
			(unsigned long)ln->timeout[LNAT_TO_UDP_STREAM] * HZ);
	c = lnat_t_in(ln, IPPROTO_UDP, "198.51.100.200", 9000, 6000, LNAT_TF_NONE);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	/* Full: a new outbound mapping evicts the oldest unanswered inbound one. */
	ln->max_entries = atomic_read(&ln->count);
	c = lnat_t_open(test, IPPROTO_UDP, "10.0.0.3", 6001, "192.0.2.2", 53);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EARLY_DROP), 1U);
	KUNIT_EXPECT_EQ(test, e->bind->inbound, 63U);
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &e->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(LNAT_F_DEAD, &first->flags));
}

/*
 * A binding the inside stopped using lets nothing in, however busy the
 * outside keeps its mappings; and a full table of answered mappings is an
 * error, not NULL, so the hook drops the packet instead of passing it on.
 */
static void lnat_t_inbound_expired(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e, *c;

	ln->udp_filtering = LNAT_FILTER_EI;
	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 6000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	lnat_set_replied(ln, e);
	ln->max_entries = 1;
	c = lnat_t_in(ln, IPPROTO_UDP, "198.51.100.9", 9000, 6000, LNAT_TF_NONE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_FULL), 1U);
	ln->max_entries = 16;
	e->bind->last_out = (u32)jiffies -
			    (ln->timeout[LNAT_TO_UDP_STREAM] + 1) * HZ;
	KUNIT_EXPECT_NULL(test, lnat_t_in(ln, IPPROTO_UDP, "198.51.100.9",
					  9000, 6000, LNAT_TF_NONE));
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 1);
}

/* RFC 5508 REQ-1: identifiers mapped like ports, per internal host. */
static void lnat_t_icmp_id(struct kunit *test)
{
	struct lnat_entry *a, *b;

	a = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.2", 0x1234, "192.0.2.2", 0);
	b = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.3", 0x1234, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_EQ(test, lnat_t_port(a), 0x1234);
	KUNIT_EXPECT_NE(test, lnat_t_port(b), 0x1234);
	LNAT_EXPECT_RAW_EQ(test, a->tuple[LNAT_DIR_REPLY].sport, 0);
}

static void lnat_t_generic(struct kunit *test)
{
	struct lnat_entry *a, *b, *c;

	a = lnat_t_open(test, IPPROTO_GRE, "10.0.0.2", 0, "192.0.2.2", 0);
	b = lnat_t_open(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.2", 0);
	c = lnat_t_open(test, IPPROTO_GRE, "10.0.0.3", 0, "192.0.2.5", 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(a));
	/* Address only: one inside host per remote address and protocol. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(c));
}

static void lnat_t_proto_timeouts(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *u, *i, *g;

	u = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 5000, "192.0.2.2", 53);
	i = lnat_t_open(test, IPPROTO_ICMP, "10.0.0.2", 77, "192.0.2.2", 0);
	g = lnat_t_open(test, IPPROTO_ESP, "10.0.0.2", 0, "192.0.2.2", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(u));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(i));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(g));
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 120UL * HZ);
	lnat_set_replied(ln, u);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, u), 300UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, i), 60UL * HZ);
	KUNIT_EXPECT_EQ(test, lnat_timeout(ln, g), 600UL * HZ);
}

static struct kunit_case lnat_conn_cases[] = {
	KUNIT_CASE(lnat_t_loose_counters),
	KUNIT_CASE(lnat_t_loose_timeout),
	KUNIT_CASE(lnat_t_expired_inbound),
	KUNIT_CASE(lnat_t_zone_answer),
	KUNIT_CASE(lnat_t_full),
	KUNIT_CASE(lnat_t_reclaim),
	KUNIT_CASE(lnat_t_total),
	KUNIT_CASE(lnat_t_inbound_ei),
	KUNIT_CASE(lnat_t_inbound_ad),
	KUNIT_CASE(lnat_t_inbound_bounded),
	KUNIT_CASE(lnat_t_inbound_expired),
	KUNIT_CASE(lnat_t_icmp_id),
	KUNIT_CASE(lnat_t_generic),
	KUNIT_CASE(lnat_t_proto_timeouts),
	{}
};

static struct kunit_suite lnat_conn_suite = {
	.name = "loosenat_conn",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_conn_cases,
};

kunit_test_suite(lnat_conn_suite);
