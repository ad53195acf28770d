// SPDX-License-Identifier: GPL-2.0
/* KUnit: ports.c, endpoint-independent bindings and their external ports. */
#include "lnat_kunit.h"

#define T_EXT	"192.0.2.1"

static struct lnat_entry *lnat_t_map(struct kunit *test, const char *src,
				     u16 sport)
{
	struct lnat_tuple t = lnat_t_tuple(src, sport, "192.0.2.2", 80);
	struct lnat_entry *e;

	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	return e;
}

static void lnat_t_preserved(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lnat_t_port(lnat_t_map(test, "10.0.0.2", 5555)), 5555);
	/* Same port towards the same server from another client collides. */
	KUNIT_EXPECT_NE(test, lnat_t_port(lnat_t_map(test, "10.0.0.3", 5555)), 5555);
}

static void lnat_t_collision_in_range(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	u16 p;
	int i;

	ln->port_range = 20000 << 16 | 20099;
	/* Out of range: not kept. */
	p = lnat_t_port(lnat_t_map(test, "10.0.0.2", 5555));
	KUNIT_EXPECT_GE(test, p, 20000);
	KUNIT_EXPECT_LE(test, p, 20099);
	for (i = 0; i < 50; i++) {
		char addr[16];

		snprintf(addr, sizeof(addr), "10.0.1.%d", i + 1);
		p = lnat_t_port(lnat_t_map(test, addr, 20050));
		KUNIT_EXPECT_GE(test, p, 20000);
		KUNIT_EXPECT_LE(test, p, 20099);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 51);
}

/* A mapping lost and created again gets the port it had. */
static void lnat_t_recreated_same_port(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *b;
	u16 first;

	lnat_t_map(test, "10.0.0.2", 6000);
	b = lnat_t_map(test, "10.0.0.3", 6000);
	first = lnat_t_port(b);
	KUNIT_EXPECT_NE(test, first, 6000);

	/* Lose b only (expiry), keep a. */
	lnat_set_replied(ln, b);
	b->state = LNAT_TCP_CLOSE;
	WRITE_ONCE(b->last_seen, (u32)jiffies - 1000 * HZ);
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 1U);
	KUNIT_EXPECT_EQ(test, lnat_t_port(lnat_t_map(test, "10.0.0.3", 6000)), first);

	/* And after a flush of everything, in the same order. */
	lnat_collect(ln, true, false);
	KUNIT_EXPECT_EQ(test, lnat_t_port(lnat_t_map(test, "10.0.0.2", 6000)), 6000);
	KUNIT_EXPECT_EQ(test, lnat_t_port(lnat_t_map(test, "10.0.0.3", 6000)), first);
}

static void lnat_t_exhausted(struct kunit *test)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.9", 7000, "192.0.2.2", 80);
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	ln->port_range = 30000 << 16 | 30001;
	lnat_t_map(test, "10.0.0.2", 7000);
	lnat_t_map(test, "10.0.0.3", 7000);
	rcu_read_lock();
	e = lnat_t_create(ln, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_NOPORT), 1U);
	/*
	 * Towards another server too (RFC 5382 REQ-7: no port serves two
	 * internal endpoints), while an endpoint with a binding gets there.
	 */
	t.daddr = in_aton("192.0.2.3");
	rcu_read_lock();
	e = lnat_t_create(ln, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, PTR_ERR(e), -EADDRINUSE);
	t.saddr = in_aton("10.0.0.2");
	rcu_read_lock();
	e = lnat_t_create(ln, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(e));
}

static struct lnat_entry *lnat_t_from(struct kunit *test, u8 proto, u32 src,
				      u16 zone)
{
	struct lnat_tuple t = lnat_t_tuple("10.0.0.0", 5001, "192.0.2.2", 3478);
	struct lnat_entry *e;

	t.saddr = htonl(src);
	t.proto = proto;
	t.zone = zone;
	rcu_read_lock();
	e = lnat_t_create(test->priv, &t, in_aton("192.0.2.1"), LNAT_TF_SYN);
	rcu_read_unlock();
	return e;
}

static struct lnat_entry *lnat_t_udp(struct kunit *test, u32 src, u16 zone)
{
	return lnat_t_from(test, IPPROTO_UDP, src, zone);
}

/* Tenants in two conntrack zones (VRFs) never share an external endpoint. */
static void lnat_t_zones_apart(struct kunit *test)
{
	struct lnat_entry *a = lnat_t_udp(test, 0x0a000002, 1);
	struct lnat_entry *b = lnat_t_udp(test, 0x0a000002, 2);
	struct lnat_tuple r;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, a->bind, b->bind);
	KUNIT_EXPECT_NE(test, lnat_t_port(a), lnat_t_port(b));
	/* Each answer finds its own tenant's mapping. */
	rcu_read_lock();
	r = b->tuple[LNAT_DIR_REPLY];
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(test->priv, LNAT_DIR_REPLY, &r), b);
	r = a->tuple[LNAT_DIR_REPLY];
	KUNIT_EXPECT_PTR_EQ(test, lnat_lookup(test->priv, LNAT_DIR_REPLY, &r), a);
	rcu_read_unlock();
}

/*
 * TCP and UDP: every free port of a narrowed range is found, however few
 * are left (one bitmap search, no capped probing).
 */
static void lnat_t_pool_exact(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_TCP };
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;
	u32 i, k;

	ln->port_range = 20000 << 16 | 20199;
	for (k = 0; k < ARRAY_SIZE(protos); k++) {
		for (i = 0; i < 200; i++) {
			e = lnat_t_from(test, protos[k], 0x0a010000 + i, 0);
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
			KUNIT_EXPECT_GE(test, lnat_t_port(e), 20000);
			KUNIT_EXPECT_LE(test, lnat_t_port(e), 20199);
		}
		e = lnat_t_from(test, protos[k], 0x0a020000, 0);
		KUNIT_EXPECT_EQ(test, PTR_ERR(e), -EADDRINUSE);
		KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_DROP_NOPORT),
				k + 1);
	}
}

/*
 * RFC 5382 REQ-1 and REQ-7: one TCP external port per internal endpoint,
 * whatever the destination, kept while any of its connections lives.
 */
static void lnat_t_tcp_eim(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *a1, *a2, *b1, *b2;

	a1 = lnat_t_open(test, IPPROTO_TCP, "10.0.0.2", 5000, "192.0.2.2", 80);
	b1 = lnat_t_open(test, IPPROTO_TCP, "10.0.0.3", 5000, "192.0.2.2", 80);
	/* Towards another server 5000 would be free for b: stock takes it. */
	b2 = lnat_t_open(test, IPPROTO_TCP, "10.0.0.3", 5000, "192.0.2.9", 80);
	a2 = lnat_t_open(test, IPPROTO_TCP, "10.0.0.2", 5000, "192.0.2.9", 443);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a1));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a2));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b1));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b2));
	KUNIT_EXPECT_EQ(test, lnat_t_port(a1), 5000);
	KUNIT_EXPECT_EQ(test, lnat_t_port(a2), 5000);
	KUNIT_EXPECT_NE(test, lnat_t_port(b1), 5000);
	KUNIT_EXPECT_EQ(test, lnat_t_port(b2), lnat_t_port(b1));
	KUNIT_EXPECT_PTR_EQ(test, b1->bind, b2->bind);
	/* One connection closes and goes: the other keeps the port. */
	spin_lock_bh(&ln->lock);
	lnat_unlink(ln, b1, NULL);
	spin_unlock_bh(&ln->lock);
	b1 = lnat_t_open(test, IPPROTO_TCP, "10.0.0.3", 5000, "192.0.2.2", 80);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b1));
	KUNIT_EXPECT_EQ(test, lnat_t_port(b1), lnat_t_port(b2));
}

/* RFC 4787 REQ-1 and REQ-3. */
static void lnat_t_udp_eim(struct kunit *test)
{
	struct lnat_entry *a1, *a2, *b;

	a1 = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 5353, "192.0.2.2", 53);
	a2 = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 5353, "192.0.2.9", 53);
	b = lnat_t_open(test, IPPROTO_UDP, "10.0.0.3", 5353, "192.0.2.7", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a1));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(a2));
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(b));
	/* Same internal endpoint: one external port, whatever the remote. */
	KUNIT_EXPECT_EQ(test, lnat_t_port(a1), 5353);
	KUNIT_EXPECT_EQ(test, lnat_t_port(a2), 5353);
	KUNIT_EXPECT_PTR_EQ(test, a1->bind, a2->bind);
	KUNIT_EXPECT_EQ(test, a1->bind->refs, 2U);
	/* Another endpoint never shares it, even towards another remote. */
	KUNIT_EXPECT_NE(test, lnat_t_port(b), 5353);
	KUNIT_EXPECT_GE(test, lnat_t_port(b), 1024);
}

/*
 * RFC 4787 REQ-3a and REQ-4: a moved port stays in its endpoint's range,
 * 0-1023 or 1024-65535, where port_range allows, and keeps its parity.
 */
static void lnat_t_range_parity(struct kunit *test)
{
	static const u16 ports[] = { 123, 5000, 5001 };
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;
	unsigned int i;
	u16 p;

	ln->port_range = 1 << 16 | 65535;
	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", ports[i],
				"192.0.2.2", 53);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
		KUNIT_EXPECT_EQ(test, lnat_t_port(e), ports[i]);
		e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.3", ports[i],
				"192.0.2.2", 53);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
		p = lnat_t_port(e);
		KUNIT_EXPECT_NE(test, p, ports[i]);
		KUNIT_EXPECT_EQ(test, p < 1024, ports[i] < 1024);
		KUNIT_EXPECT_EQ(test, p & 1, ports[i] & 1);
	}
	/* The default range has no low port: a low one maps above, parity kept. */
	ln->port_range = 1024 << 16 | 65535;
	e = lnat_t_open(test, IPPROTO_TCP, "10.0.0.4", 124, "192.0.2.2", 80);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_GE(test, lnat_t_port(e), 1024);
	KUNIT_EXPECT_EQ(test, lnat_t_port(e) & 1, 0);
	/* Only odd ports left: an even endpoint still gets one. */
	ln->port_range = 30001 << 16 | 30001;
	e = lnat_t_open(test, IPPROTO_TCP, "10.0.0.5", 4000, "192.0.2.2", 80);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_t_port(e), 30001);
}

static void lnat_t_bind_release(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_open(test, IPPROTO_UDP, "10.0.0.2", 7000, "192.0.2.2", 53);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	rcu_read_lock();
	KUNIT_EXPECT_NOT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_EXT,
						     in_aton(T_EXT), htons(7000),
						     IPPROTO_UDP));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, true, false), 1U);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_EXT,
						 in_aton(T_EXT), htons(7000),
						 IPPROTO_UDP));
	KUNIT_EXPECT_NULL(test, lnat_bind_lookup(ln, LNAT_BIND_INT,
						 in_aton("10.0.0.2"), htons(7000),
						 IPPROTO_UDP));
	rcu_read_unlock();
}

static struct kunit_case lnat_ports_cases[] = {
	KUNIT_CASE(lnat_t_preserved),
	KUNIT_CASE(lnat_t_collision_in_range),
	KUNIT_CASE(lnat_t_recreated_same_port),
	KUNIT_CASE(lnat_t_exhausted),
	KUNIT_CASE(lnat_t_zones_apart),
	KUNIT_CASE(lnat_t_pool_exact),
	KUNIT_CASE(lnat_t_udp_eim),
	KUNIT_CASE(lnat_t_tcp_eim),
	KUNIT_CASE(lnat_t_range_parity),
	KUNIT_CASE(lnat_t_bind_release),
	{}
};

static struct kunit_suite lnat_ports_suite = {
	.name = "loosenat_ports",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_ports_cases,
};

kunit_test_suite(lnat_ports_suite);
