// SPDX-License-Identifier: GPL-2.0
/* KUnit: sysctl.c's parsing of interface names. */
#include "lnat_kunit.h"

static void lnat_t_ifset(struct kunit *test)
{
	struct lnat_ifset *set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("", set), 0);
	KUNIT_EXPECT_EQ(test, set->n, 0U);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse(" eth0,ppp0  wan.7\n", set), 0);
	KUNIT_EXPECT_EQ(test, set->n, 3U);
	KUNIT_EXPECT_STREQ(test, set->name[2], "wan.7");
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("abcdefghijklmno", set), 0);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("abcdefghijklmnop", set), -EINVAL);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("a/b", set), -EINVAL);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("..", set), -EINVAL);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("a b c d e f g h", set), 0);
	KUNIT_EXPECT_EQ(test, lnat_ifset_parse("a b c d e f g h i", set), -EINVAL);
}

static struct kunit_case lnat_sysctl_cases[] = {
	KUNIT_CASE(lnat_t_ifset),
	{}
};

static struct kunit_suite lnat_sysctl_suite = {
	.name = "loosenat_sysctl",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_sysctl_cases,
};

kunit_test_suite(lnat_sysctl_suite);
