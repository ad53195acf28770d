// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/loosenat, one mapping a line in /proc/net/nf_conntrack's style,
 * /proc/net/loosenat_bindings, one binding (RFC 4787's external endpoint
 * of an internal one) a line, and /proc/net/stat/loosenat, per-CPU
 * counters like nf_conntrack's.
 */
#include <linux/icmp.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include "lnat.h"

struct lnat_seq {
	struct seq_net_private p;
	unsigned int bucket;
	unsigned int skip;	/* entries of this bucket already shown */
};

/*
 * Resume at (bucket, skip) rather than counting from the start, so a large
 * table reads in linear time. Entries may come and go between reads; like
 * conntrack's, a line may then be missed or repeated, never corrupted.
 */
/* The netns's state, the files' data: no lookup by netns id. */
static struct lnat_net *lnat_seq_net(struct seq_file *s)
{
	return pde_data(file_inode(s->file));
}

static const struct seq_operations lnat_bind_seq_ops;

/*
 * The skip'th node of the first bucket from it->bucket on that has one, in
 * the @n buckets of @heads. A walk the table's growth interrupts goes on in
 * the new one, where it may miss or repeat a few, as conntrack's file does.
 */
static struct hlist_node *lnat_seq_node(struct seq_file *s,
					struct hlist_head *heads,
					unsigned int n)
{
	struct lnat_seq *it = s->private;
	struct hlist_node *node;
	unsigned int i;

	for (; it->bucket < n; it->bucket++, it->skip = 0) {
		i = 0;
		for (node = rcu_dereference(hlist_first_rcu(&heads[it->bucket]));
		     node; node = rcu_dereference(hlist_next_rcu(node)))
			if (i++ == it->skip)
				return node;
	}
	return NULL;
}

/*
 * The mappings' file walks their original-direction hash; the bindings'
 * file their external-endpoint hash, which holds retired ones too.
 */
static void *lnat_seq_find(struct seq_file *s)
{
	struct lnat_hashes *tab = rcu_dereference(lnat_seq_net(s)->tab);
	struct hlist_node *node;

	/* A disabled netns has no table (lnat_table_destroy()). */
	if (!tab)
		return NULL;
	if (s->op == &lnat_bind_seq_ops) {
		node = lnat_seq_node(s, tab->bind[LNAT_BIND_EXT], 1U << tab->bits);
		return node ? hlist_entry(node, struct lnat_bind,
					  hnode[LNAT_BIND_EXT]) : NULL;
	}
	node = lnat_seq_node(s, tab->dir[LNAT_DIR_ORIG], 1U << tab->bits);
	return node ? hlist_entry(node, struct lnat_entry,
				  hnode[LNAT_DIR_ORIG]) : NULL;
}

static void *lnat_seq_start(struct seq_file *s, loff_t *pos)
	__acquires(RCU)
{
	struct lnat_seq *it = s->private;

	rcu_read_lock();
	if (!*pos) {
		it->bucket = 0;
		it->skip = 0;
	}
	return lnat_seq_find(s);
}

static void *lnat_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	struct lnat_seq *it = s->private;

	++*pos;
	it->skip++;
	return lnat_seq_find(s);
}

static void lnat_seq_stop(struct seq_file *s, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* The answer's type, as conntrack shows a reply tuple: echo 8 <-> 0 etc. */
static u8 lnat_icmp_answer(u8 type)
{
	switch (type) {
	case ICMP_ECHO:
		return ICMP_ECHOREPLY;
	case ICMP_ECHOREPLY:
		return ICMP_ECHO;
	case ICMP_TIMESTAMP:
	case ICMP_INFO_REQUEST:
	case ICMP_ADDRESS:
		return type + 1;
	case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REPLY:
	case ICMP_ADDRESSREPLY:
		return type - 1;
	}
	return type;
}

static void lnat_print_tuple(struct seq_file *s, const struct lnat_entry *e,
			     enum lnat_dir dir)
{
	const struct lnat_tuple *t = &e->tuple[dir];
	u8 type = e->icmp.type;

	seq_printf(s, "src=%pI4 dst=%pI4 ", &t->saddr, &t->daddr);
	if (t->proto == IPPROTO_TCP || t->proto == IPPROTO_UDP)
		seq_printf(s, "sport=%u dport=%u ", ntohs(t->sport),
			   ntohs(t->dport));
	else if (t->proto == IPPROTO_ICMP)
		seq_printf(s, "type=%u code=%u id=%u ",
			   dir == LNAT_DIR_ORIG ? type : lnat_icmp_answer(type),
			   e->icmp.code,
			   ntohs(dir == LNAT_DIR_ORIG ? t->sport : t->dport));
}

static const char *lnat_proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	}
	return "unknown";
}

static int lnat_seq_show(struct seq_file *s, void *v)
{
	struct lnat_net *ln = lnat_seq_net(s);
	const struct lnat_entry *e = v;
	u8 proto = e->tuple[LNAT_DIR_ORIG].proto;
	unsigned long idle = (u32)jiffies - READ_ONCE(e->last_seen);
	unsigned long timeout = lnat_timeout(ln, e);

	/* Expired, not yet collected: gone for every lookup, so here too. */
	if (idle > timeout)
		return 0;
	seq_printf(s, "%-8s %u %lu ", lnat_proto_name(proto), proto,
		   (timeout - idle) / HZ);
	if (proto == IPPROTO_TCP)
		seq_printf(s, "%s ", lnat_tcp_state_name(READ_ONCE(e->state)));
	lnat_print_tuple(s, e, LNAT_DIR_ORIG);
	lnat_print_tuple(s, e, LNAT_DIR_REPLY);
	if (!test_bit(LNAT_F_REPLIED, &e->flags))
		seq_puts(s, "[UNREPLIED] ");
	if (test_bit(LNAT_F_ASSURED, &e->flags))
		seq_puts(s, "[ASSURED] ");
	if (test_bit(LNAT_F_LOOSE, &e->flags))
		seq_puts(s, "[LOOSE] ");
	if (e->tuple[LNAT_DIR_ORIG].zone)
		seq_printf(s, "zone=%u ", e->tuple[LNAT_DIR_ORIG].zone);
	seq_printf(s, "ifindex=%d\n", e->ifindex);
	return 0;
}

static const struct seq_operations lnat_seq_ops = {
	.start	= lnat_seq_start,
	.next	= lnat_seq_next,
	.stop	= lnat_seq_stop,
	.show	= lnat_seq_show,
};

/*
 * "udp 17 int=10.0.0.2:5000 ext=192.0.2.1:5000 mappings=2 inbound=0
 * idle=3 [RETIRED] zone=1 ifindex=3": the counts are read without the
 * lock, a snapshot; idle is seconds since the inside last sent through it.
 */
static int lnat_bind_seq_show(struct seq_file *s, void *v)
{
	const struct lnat_bind *b = v;

	seq_printf(s, "%-8s %u int=%pI4:%u ext=%pI4:%u mappings=%u inbound=%u idle=%u ",
		   lnat_proto_name(b->proto), b->proto, &b->int_addr,
		   ntohs(b->int_port), &b->ext_addr, ntohs(b->ext_port),
		   READ_ONCE(b->refs), READ_ONCE(b->inbound),
		   ((u32)jiffies - READ_ONCE(b->last_out)) / HZ);
	if (hlist_unhashed_lockless(&b->hnode[LNAT_BIND_INT]))
		seq_puts(s, "[RETIRED] ");
	if (b->zone)
		seq_printf(s, "zone=%u ", b->zone);
	seq_printf(s, "ifindex=%d\n", b->ifindex);
	return 0;
}

static const struct seq_operations lnat_bind_seq_ops = {
	.start	= lnat_seq_start,
	.next	= lnat_seq_next,
	.stop	= lnat_seq_stop,
	.show	= lnat_bind_seq_show,
};

static const char *const lnat_stat_names[LNAT_STAT_MAX] = {
	[LNAT_STAT_FOUND]		= "found",
	[LNAT_STAT_NEW]			= "new",
	[LNAT_STAT_NEW_LOOSE]		= "new_loose",
	[LNAT_STAT_NEW_TEARDOWN]	= "new_teardown",
	[LNAT_STAT_DROP_FULL]		= "drop_full",
	[LNAT_STAT_DROP_NOPORT]		= "drop_noport",
	[LNAT_STAT_DROP_NOMEM]		= "drop_nomem",
	[LNAT_STAT_DROP_NOADDR]		= "drop_noaddr",
	[LNAT_STAT_EARLY_DROP]		= "early_drop",
	[LNAT_STAT_EXPIRED]		= "expired",
	[LNAT_STAT_INVALID]		= "invalid",
	[LNAT_STAT_ICMP_XLAT]		= "icmp_xlat",
	[LNAT_STAT_ICMP_DROP]		= "icmp_drop",
	[LNAT_STAT_HAIRPIN]		= "hairpin",
	[LNAT_STAT_DROP_UNSOLICITED]	= "drop_unsolicited",
};

/* Counters of a netns never enabled: zero on every CPU. */
static const struct lnat_stats lnat_stats_zero;

static void *lnat_stat_cpu(struct seq_file *s, loff_t *pos)
{
	struct lnat_net *ln = lnat_seq_net(s);
	struct lnat_stats __percpu *stats;
	int cpu;

	for (cpu = *pos - 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		/* Pairs with lnat_enable()'s release; freed with the netns. */
		stats = smp_load_acquire(&ln->stats);
		return stats ? per_cpu_ptr(stats, cpu) :
			       (void *)&lnat_stats_zero;
	}
	return NULL;
}

static void *lnat_stat_start(struct seq_file *s, loff_t *pos)
{
	return *pos ? lnat_stat_cpu(s, pos) : SEQ_START_TOKEN;
}

static void *lnat_stat_next(struct seq_file *s, void *v, loff_t *pos)
{
	++*pos;
	return lnat_stat_cpu(s, pos);
}

static void lnat_stat_stop(struct seq_file *s, void *v)
{
}

static int lnat_stat_show(struct seq_file *s, void *v)
{
	struct lnat_net *ln = lnat_seq_net(s);
	const struct lnat_stats *st = v;
	struct lnat_hashes *tab;
	u32 buckets;
	int i;

	if (v == SEQ_START_TOKEN) {
		seq_puts(s, "entries");
		for (i = 0; i < LNAT_STAT_MAX; i++)
			seq_printf(s, " %s", lnat_stat_names[i]);
		seq_puts(s, " gc_slice_us buckets\n");
		return 0;
	}
	rcu_read_lock();
	tab = rcu_dereference(ln->tab);
	buckets = tab ? 1U << tab->bits : 0;
	rcu_read_unlock();
	seq_printf(s, "%08x", atomic_read(&ln->count));
	for (i = 0; i < LNAT_STAT_MAX; i++)
		seq_printf(s, " %08x", READ_ONCE(st->s[i]));
	seq_printf(s, " %08x %08x\n",
		   (u32)(READ_ONCE(ln->gc_slice_max) / NSEC_PER_USEC), buckets);
	return 0;
}

static const struct seq_operations lnat_stat_ops = {
	.start	= lnat_stat_start,
	.next	= lnat_stat_next,
	.stop	= lnat_stat_stop,
	.show	= lnat_stat_show,
};

/* Owned by the root of the netns's user namespace, as conntrack's files. */
static void lnat_proc_owner(struct net *net, struct proc_dir_entry *pde)
{
	kuid_t uid = make_kuid(net->user_ns, 0);
	kgid_t gid = make_kgid(net->user_ns, 0);

	if (uid_valid(uid) && gid_valid(gid))
		proc_set_user(pde, uid, gid);
}

/**
 * lnat_proc_init() - create the netns's /proc files
 * @ln: the netns's state, which the files read: /proc/net/loosenat,
 *	/proc/net/loosenat_bindings and /proc/net/stat/loosenat
 *
 * Context: process, the netns's init.
 * Return: 0 or -ENOMEM.
 */
int lnat_proc_init(struct lnat_net *ln)
{
	struct net *net = ln->net;
	struct proc_dir_entry *pde;

	pde = proc_create_net_data("loosenat", 0440, net->proc_net,
				   &lnat_seq_ops, sizeof(struct lnat_seq), ln);
	if (!pde)
		return -ENOMEM;
	lnat_proc_owner(net, pde);
	pde = proc_create_net_data("loosenat_bindings", 0440, net->proc_net,
				   &lnat_bind_seq_ops, sizeof(struct lnat_seq),
				   ln);
	if (!pde)
		goto err_bindings;
	lnat_proc_owner(net, pde);
	pde = proc_create_net_data("loosenat", 0440, net->proc_net_stat,
				   &lnat_stat_ops,
				   sizeof(struct seq_net_private), ln);
	if (!pde)
		goto err_stat;
	lnat_proc_owner(net, pde);
	return 0;

err_stat:
	remove_proc_entry("loosenat_bindings", net->proc_net);
err_bindings:
	remove_proc_entry("loosenat", net->proc_net);
	return -ENOMEM;
}

/**
 * lnat_proc_exit() - remove the netns's /proc files
 * @ln: the netns's state
 *
 * Context: process, the netns's exit; waits for readers.
 */
void lnat_proc_exit(struct lnat_net *ln)
{
	struct net *net = ln->net;

	remove_proc_entry("loosenat", net->proc_net_stat);
	remove_proc_entry("loosenat_bindings", net->proc_net);
	remove_proc_entry("loosenat", net->proc_net);
}
