// SPDX-License-Identifier: GPL-2.0
/*
 * loosenat: IPv4 masquerade with its own loose connection table, so that no
 * TCP packet (mid-stream FIN and RST included) ever leaves a masqueraded
 * interface with a private source address.
 */
#include <linux/module.h>
#include "lnat.h"

static int __init lnat_init(void)
{
	int err;

	lnat_max_total_init();
	err = lnat_mangle_init();
	if (err)
		return err;
	err = lnat_cache_init();
	if (err)
		goto mangle;
	err = lnat_netns_register();
	if (err)
		goto cache;
	return 0;
cache:
	lnat_cache_exit();
mangle:
	lnat_mangle_exit();
	return err;
}

static void __exit lnat_exit(void)
{
	lnat_netns_unregister();
	lnat_cache_exit();
	lnat_mangle_exit();
}

module_init(lnat_init);
module_exit(lnat_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("loosenat developers");
MODULE_DESCRIPTION("Loose IPv4 masquerade that never forwards an untranslated teardown");
MODULE_ALIAS("net-pf-2-loosenat");
MODULE_VERSION(LNAT_VERSION);
