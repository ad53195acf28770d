/* SPDX-License-Identifier: GPL-2.0 */
/* Fixtures shared by the loosenat KUnit suites. */
#ifndef _LNAT_KUNIT_H
#define _LNAT_KUNIT_H

#include <kunit/test.h>
#include <linux/inet.h>
#include "lnat.h"

#define LNAT_T_BITS	6

/*
 * Network-order and checksum values compared as raw bits: KUNIT_EXPECT_EQ
 * on a __be32 or __sum16 is an integer comparison sparse rightly flags.
 */
#define LNAT_EXPECT_RAW_EQ(test, a, b)					\
	KUNIT_EXPECT_EQ(test, (__force u32)(a), (__force u32)(b))

int lnat_kunit_suite_init(struct kunit_suite *suite);
void lnat_kunit_suite_exit(struct kunit_suite *suite);
int lnat_kunit_init(struct kunit *test);
void lnat_kunit_exit(struct kunit *test);

unsigned int lnat_t_stat(struct lnat_net *ln, enum lnat_stat s);
struct lnat_tuple lnat_t_tuple(const char *src, u16 sport, const char *dst,
			       u16 dport);
struct lnat_entry *lnat_t_create(struct lnat_net *ln,
				 const struct lnat_tuple *t, __be32 ext,
				 enum lnat_tcp_flags tf);
struct lnat_entry *lnat_t_tcp(struct kunit *test, u16 sport,
			      enum lnat_tcp_flags tf);
struct lnat_entry *lnat_t_open(struct kunit *test, u8 proto, const char *src,
			       u16 sport, const char *dst, u16 dport);
u16 lnat_t_port(const struct lnat_entry *e);
void lnat_t_backdate(struct lnat_entry *e, unsigned int secs);
struct sk_buff *lnat_t_skb(struct kunit *test, const struct lnat_tuple *t,
			   u8 flags, unsigned int payload, unsigned int linear);

#endif
