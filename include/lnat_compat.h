/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim of loosenat lives here. The module is written
 * against the newest API; older kernels get it through these macros.
 * Force-included by Kbuild (-include), so no source file includes it.
 */
#ifndef _LNAT_COMPAT_H
#define _LNAT_COMPAT_H

#include <linux/version.h>

/* The one version test; make style lets checkpatch pass it here only. */
#define LNAT_KERNEL_BEFORE(major, minor)				\
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

/* 6.11: proc handlers take a const table. */
#if LNAT_KERNEL_BEFORE(6, 11)
#define LNAT_CTL_CONST
#else
#define LNAT_CTL_CONST const
#endif

/* 6.6: register_net_sysctl_sz; before it the table is sentinel-terminated. */
#if LNAT_KERNEL_BEFORE(6, 6)
#define register_net_sysctl_sz(net, path, table, size) \
	register_net_sysctl(net, path, table)
#endif

/*
 * The socket lookups below are called as the newest kernels declare them.
 * Their headers come first, so the macros do not rewrite the declarations.
 */
#include <net/inet_hashtables.h>
#include <net/udp.h>

/*
 * 6.18: inet_lookup() finds the TCP hash table from the netns, which has
 * had its own since 6.1.
 */
#if LNAT_KERNEL_BEFORE(6, 1)
#define LNAT_TCP_HASHINFO(net)	(&tcp_hashinfo)
#else
#define LNAT_TCP_HASHINFO(net)	((net)->ipv4.tcp_death_row.hashinfo)
#endif
#if LNAT_KERNEL_BEFORE(6, 18)
#define inet_lookup(net, skb, doff, saddr, sport, daddr, dport, dif)	\
	({								\
		typeof(net) __lnat_net = (net);				\
		inet_lookup(__lnat_net, LNAT_TCP_HASHINFO(__lnat_net),	\
			    skb, doff, saddr, sport, daddr, dport, dif);	\
	})
#endif

/*
 * 7.1: __udp4_lib_lookup() finds the UDP table from the netns, where it
 * moved in 6.2.
 */
#if LNAT_KERNEL_BEFORE(6, 2)
#define LNAT_UDP_TABLE(net)	(&udp_table)
#else
#define LNAT_UDP_TABLE(net)	((net)->ipv4.udp_table)
#endif
#if LNAT_KERNEL_BEFORE(7, 1)
#define __udp4_lib_lookup(net, saddr, sport, daddr, dport, dif, sdif, skb) \
	({								\
		typeof(net) __lnat_net = (net);				\
		__udp4_lib_lookup(__lnat_net, saddr, sport, daddr, dport, \
				  dif, sdif, LNAT_UDP_TABLE(__lnat_net), skb); \
	})
#endif

#endif /* _LNAT_COMPAT_H */
