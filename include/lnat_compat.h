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

/* 6.2: the UDP socket table moved into the netns. */
#if LNAT_KERNEL_BEFORE(6, 2)
#define lnat_udp_table(net)	(&udp_table)
#else
#define lnat_udp_table(net)	((net)->ipv4.udp_table)
#endif

#endif /* _LNAT_COMPAT_H */
