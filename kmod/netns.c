// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns life cycle and the device/address notifiers. Everything lives
 * per network namespace: hooks, table, sysctls and /proc files.
 */
#include <linux/inetdevice.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "lnat.h"

static char *interfaces = "";
module_param(interfaces, charp, 0444);
MODULE_PARM_DESC(interfaces,
		 "interfaces masqueraded in the initial netns (net.loosenat.interfaces)");

static unsigned int hashsize = 16384;
module_param(hashsize, uint, 0444);
MODULE_PARM_DESC(hashsize, "hash buckets per netns, rounded up to a power of 2");

static unsigned int lnat_net_id __read_mostly;

static struct lnat_net *lnat_pernet(const struct net *net)
{
	return net_generic(net, lnat_net_id);
}

/**
 * lnat_net_state_init() - a netns's state, idle: settings at their
 *	defaults, nothing allocated, nothing armed
 * @ln: the state to fill
 * @net: its netns
 * @bits: log2 of the hash buckets lnat_enable() will allocate
 *
 * Context: process.
 */
void lnat_net_state_init(struct lnat_net *ln, struct net *net,
			 unsigned int bits)
{
	ln->net = net;
	ln->hash_bits = bits;
	mutex_init(&ln->mutex);
	lnat_sysctl_defaults(ln, bits);
	lnat_hold_init(ln);
}

/**
 * lnat_net_setup() - a netns's state with its table, without any
 *	registration
 * @ln: the state to fill
 * @net: its netns
 * @bits: log2 of the hash buckets
 *
 * Counters, table and collector, as lnat_enable() makes them but with no
 * hook; for the KUnit suites.
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int lnat_net_setup(struct lnat_net *ln, struct net *net, unsigned int bits)
{
	int err;

	lnat_net_state_init(ln, net, bits);
	ln->stats = alloc_percpu(struct lnat_stats);
	if (!ln->stats)
		return -ENOMEM;
	err = lnat_table_init(ln, bits);
	if (err) {
		free_percpu(ln->stats);
		return err;
	}
	lnat_gc_start(ln);
	return 0;
}

/**
 * lnat_net_teardown() - undo lnat_net_setup(), every mapping removed
 * @ln: the state
 *
 * Context: process, once nothing else can reach @ln; may sleep.
 */
void lnat_net_teardown(struct lnat_net *ln)
{
	lnat_hold_flush(ln, NULL);
	lnat_gc_stop(ln);
	lnat_table_destroy(ln);
	kfree(rcu_dereference_protected(ln->ifset, true));
	free_percpu(ln->stats);
}

/*
 * A netns costs its state, sysctl table and /proc entries; the table, the
 * counters, the collector and the hooks come with its first interface
 * (lnat_enable()), so the idle namespaces of a container host cost no more.
 */
static int __net_init lnat_net_init(struct net *net)
{
	struct lnat_net *ln = lnat_pernet(net);
	int err;

	lnat_net_state_init(ln, net,
			    order_base_2(clamp(hashsize, 16U, 1U << 24)));
	err = lnat_sysctl_init(ln);
	if (err)
		return err;
	err = lnat_proc_init(ln);
	if (err)
		goto err_sysctl;
	if (net_eq(net, &init_net)) {
		err = lnat_ifaces_set(ln, interfaces);
		if (err)
			goto err_proc;
	}
	return 0;

err_proc:
	lnat_proc_exit(ln);
err_sysctl:
	lnat_sysctl_exit(ln);
	return err;
}

static void __net_exit lnat_net_exit(struct net *net)
{
	struct lnat_net *ln = lnat_pernet(net);

	/* Readers and writers first: then nobody enables it again. */
	lnat_proc_exit(ln);
	lnat_sysctl_exit(ln);
	mutex_lock(&ln->mutex);
	lnat_disable(ln);
	mutex_unlock(&ln->mutex);
	kfree(rcu_dereference_protected(ln->ifset, true));
	free_percpu(ln->stats);
}

static struct pernet_operations lnat_net_ops = {
	.init	= lnat_net_init,
	.exit	= lnat_net_exit,
	.id	= &lnat_net_id,
	.size	= sizeof(struct lnat_net),
};

/*
 * As MASQUERADE: when a masqueraded device goes down or loses an address,
 * its mappings go. Notifiers run under RTNL and take the netns's mutex
 * (never the other way round), so a disabled netns's collector is not
 * queued again; the walk itself is deferred to the collector's work.
 */
static void lnat_revalidate(struct net_device *dev)
{
	struct lnat_net *ln = lnat_pernet(dev_net(dev));
	bool match;

	mutex_lock(&ln->mutex);
	rcu_read_lock();
	match = ln->active && lnat_iface_match(ln, dev);
	rcu_read_unlock();
	if (match)
		lnat_gc_revalidate(ln);
	mutex_unlock(&ln->mutex);
}

static int lnat_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_DOWN)
		lnat_revalidate(dev);
	/* Held SYNs keep their device: it may not go with them. */
	if (event == NETDEV_UNREGISTER)
		lnat_hold_flush(lnat_pernet(dev_net(dev)), dev);
	return NOTIFY_DONE;
}

static int lnat_inetaddr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	const struct in_ifaddr *ifa = ptr;

	if (event == NETDEV_DOWN)
		lnat_revalidate(ifa->ifa_dev->dev);
	return NOTIFY_DONE;
}

static struct notifier_block lnat_netdev_nb = {
	.notifier_call = lnat_netdev_event,
};

static struct notifier_block lnat_inetaddr_nb = {
	.notifier_call = lnat_inetaddr_event,
};

/**
 * lnat_netns_register() - set up every netns, now and to come, and the
 *	device and address notifiers
 *
 * Context: process, module load.
 * Return: 0 or the error of a registration.
 */
int lnat_netns_register(void)
{
	int err;

	err = register_pernet_subsys(&lnat_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&lnat_netdev_nb);
	if (err)
		goto err_pernet;
	err = register_inetaddr_notifier(&lnat_inetaddr_nb);
	if (err)
		goto err_netdev;
	return 0;

err_netdev:
	unregister_netdevice_notifier(&lnat_netdev_nb);
err_pernet:
	unregister_pernet_subsys(&lnat_net_ops);
	return err;
}

/**
 * lnat_netns_unregister() - undo lnat_netns_register()
 *
 * Context: process, module unload; each netns's exit waits for its packets.
 */
void lnat_netns_unregister(void)
{
	unregister_inetaddr_notifier(&lnat_inetaddr_nb);
	unregister_netdevice_notifier(&lnat_netdev_nb);
	unregister_pernet_subsys(&lnat_net_ops);
}
