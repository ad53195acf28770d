// SPDX-License-Identifier: GPL-2.0
/* KUnit: gc.c, the collector: expiry, revalidation, its sweeps' interval. */
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

static void lnat_t_expiry(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	e = lnat_t_tcp(test, 4010, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	lnat_set_replied(ln, e);
	e->state = LNAT_TCP_ESTABLISHED;
	lnat_t_backdate(e, 100);
	KUNIT_EXPECT_FALSE(test, lnat_expired(ln, e, jiffies));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 0U);

	/* A new timeout applies to the existing entry at once. */
	ln->timeout[LNAT_TCP_ESTABLISHED] = 50;
	KUNIT_EXPECT_TRUE(test, lnat_expired(ln, e, jiffies));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 1U);
	KUNIT_EXPECT_EQ(test, lnat_t_stat(ln, LNAT_STAT_EXPIRED), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

static void lnat_t_revalidate(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;

	/* ifindex 1 is lo, not a masqueraded device: invalid. */
	e = lnat_t_tcp(test, 4040, LNAT_TF_SYN);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, false), 0U);
	KUNIT_EXPECT_EQ(test, lnat_collect(ln, false, true), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 0);
}

/* A sweep now; how long until the next, in jiffies. */
static long lnat_t_sweep(struct lnat_net *ln)
{
	lnat_gc_kick(ln);
	flush_delayed_work(&ln->gc_work);
	return (long)(READ_ONCE(ln->gc_work.timer.expires) - jiffies);
}

/* After a sweep the collector waits the mappings' average time left. */
static void lnat_t_interval(struct kunit *test)
{
	struct lnat_net *ln = test->priv;
	struct lnat_entry *e;
	unsigned int i;
	long wait;

	/* Empty: a look in a second, no walk. */
	KUNIT_EXPECT_LE(test, lnat_t_sweep(ln), (long)HZ);

	/* An hour left each: counted as 300 s, the wait capped at 60 s. */
	ln->timeout[LNAT_TCP_ESTABLISHED] = 3600;
	for (i = 0; i < 8; i++) {
		e = lnat_t_tcp(test, 4100 + i, LNAT_TF_SYN);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(e));
		lnat_set_replied(ln, e);
		e->state = LNAT_TCP_ESTABLISHED;
	}
	wait = lnat_t_sweep(ln);
	KUNIT_EXPECT_GT(test, wait, 55L * HZ);
	KUNIT_EXPECT_LE(test, wait, 60L * HZ);

	/* Ten seconds left each: the next sweep about when they expire. */
	ln->timeout[LNAT_TCP_ESTABLISHED] = 10;
	wait = lnat_t_sweep(ln);
	KUNIT_EXPECT_GT(test, wait, 5L * HZ);
	KUNIT_EXPECT_LE(test, wait, 10L * HZ);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->count), 8);
}

static struct kunit_case lnat_gc_cases[] = {
	KUNIT_CASE(lnat_t_expiry),
	KUNIT_CASE(lnat_t_revalidate),
	KUNIT_CASE(lnat_t_interval),
	{}
};

static struct kunit_suite lnat_gc_suite = {
	.name = "loosenat_gc",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_gc_cases,
};

kunit_test_suite(lnat_gc_suite);
