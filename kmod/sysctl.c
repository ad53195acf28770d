// SPDX-License-Identifier: GPL-2.0
/*
 * net.loosenat.* : per-netns settings. Timeouts are seconds, read at use, so
 * a write applies to existing mappings at once. Every write is validated as a
 * whole: an invalid one returns -EINVAL and changes nothing.
 */
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include "lnat.h"

#define LNAT_TIMEOUT_MAX	(14 * 24 * 3600)

/*
 * Defaults follow RFC 5382 REQ-5 (established >= 2 h 4 min, transitory >=
 * 4 min) and RFC 7857 2.2 (keep a session 4 min after an RST), rather than
 * conntrack's shorter transitory and 5-day established values.
 */
static const int lnat_timeout_defaults[LNAT_TO_MAX] = {
	[LNAT_TCP_SYN_SENT]	= 240,
	[LNAT_TCP_SYN_RECV]	= 240,
	[LNAT_TCP_ESTABLISHED]	= 7440,
	[LNAT_TCP_FIN_WAIT]	= 240,
	[LNAT_TCP_CLOSE_WAIT]	= 240,
	[LNAT_TCP_LAST_ACK]	= 240,
	[LNAT_TCP_TIME_WAIT]	= 240,	/* 2 MSL */
	[LNAT_TCP_CLOSE]	= 240,
	/* conntrack's "unacknowledged": a mid-stream pickup nobody answers */
	[LNAT_TO_LOOSE]		= 300,
	/* RFC 4787 REQ-5: >= 2 min, 5 min recommended once in use */
	[LNAT_TO_UDP]		= 120,
	[LNAT_TO_UDP_STREAM]	= 300,
	/* RFC 5508 REQ-2: >= 60 s */
	[LNAT_TO_ICMP]		= 60,
	[LNAT_TO_GENERIC]	= 600,
};

static int lnat_timeout_max = LNAT_TIMEOUT_MAX;
static int lnat_entries_max = LNAT_ENTRIES_MAX;
static int lnat_port_max = 65535;

/* Serialises writers of the settings that are replaced as a whole. */
static DEFINE_MUTEX(lnat_sysctl_mutex);

/**
 * lnat_sysctl_defaults() - a new netns's settings
 * @ln: the state
 * @bits: log2 of its hash buckets, max_entries being four per bucket
 *
 * Context: process, before anything reads them.
 */
void lnat_sysctl_defaults(struct lnat_net *ln, unsigned int bits)
{
	memcpy(ln->timeout, lnat_timeout_defaults, sizeof(ln->timeout));
	ln->max_entries = 4 << bits;
	ln->port_range = 1024 << 16 | 65535;
	ln->tcp_filtering = LNAT_FILTER_APD;
	ln->udp_filtering = LNAT_FILTER_APD;
	ln->tcp_unsolicited_syn = LNAT_UNSOL_DROP;
}

/**
 * lnat_ifset_parse() - read an interfaces setting
 * @text: "eth0 wan1,ppp0 vpn+": space- or comma-separated names; a trailing
 *	'+' (iptables) or '*' (nftables) matches every name it prefixes,
 *	interfaces that appear later included
 * @set: filled in
 *
 * Context: any.
 * Return: 0, or -EINVAL for a name that could never match or too many names.
 */
int lnat_ifset_parse(const char *text, struct lnat_ifset *set)
{
	const char *p = text;
	char *name;
	size_t len;

	set->n = 0;
	for (;;) {
		while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		len = strcspn(p, " ,\t\n");
		if (len >= IFNAMSIZ || set->n == LNAT_MAX_IFACES)
			return -EINVAL;
		name = set->name[set->n];
		memcpy(name, p, len);
		name[len] = '\0';
		set->cmp[set->n] = IFNAMSIZ;
		if (name[len - 1] == '+' || name[len - 1] == '*') {
			set->cmp[set->n] = len - 1;
			name[len - 1] = '\0';
		}
		/* A wildcard's prefix must be a valid name ("+" alone: any). */
		if (name[0] && !dev_valid_name(name))
			return -EINVAL;
		name[len - 1] = p[len - 1];
		set->n++;
		p += len;
	}
}

/**
 * lnat_ifaces_set() - replace the masqueraded interfaces
 * @ln: the netns's state
 * @text: as lnat_ifset_parse() reads it
 *
 * Readers see the old set or the new one (RCU); mappings of interfaces no
 * longer listed are removed by the collector. The first interface enables
 * loosenat in the netns (table, collector, hooks: lnat_enable()), an empty
 * set disables it again and releases all of that.
 *
 * Context: process; writers serialised by the caller; takes @ln->mutex.
 * Return: 0, -EINVAL, -ENOMEM or the error of registering the hooks.
 */
int lnat_ifaces_set(struct lnat_net *ln, const char *text)
{
	struct lnat_ifset *set, *old;
	unsigned int i;
	int err, pos = 0;

	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	err = lnat_ifset_parse(text, set);
	mutex_lock(&ln->mutex);
	if (!err && set->n)
		err = lnat_enable(ln);
	if (err) {
		mutex_unlock(&ln->mutex);
		kfree(set);
		return err;
	}
	/* Keep the canonical text for reads. */
	ln->ifnames[0] = '\0';
	for (i = 0; i < set->n; i++)
		pos += scnprintf(ln->ifnames + pos, sizeof(ln->ifnames) - pos,
				 "%s%s", i ? " " : "", set->name[i]);
	old = rcu_replace_pointer(ln->ifset, set, true);
	if (old)
		kfree_rcu(old, rcu);
	/* Mappings of interfaces no longer listed go; all of them with the last. */
	if (set->n)
		lnat_gc_revalidate(ln);
	else
		lnat_disable(ln);
	mutex_unlock(&ln->mutex);
	return 0;
}

static int lnat_sysctl_ifaces(LNAT_CTL_CONST struct ctl_table *table,
			      int write, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	struct lnat_net *ln = table->data;
	char buf[LNAT_IFNAMES_LEN];
	struct ctl_table tmp = {
		.data	= buf,
		.maxlen	= sizeof(buf),
	};
	int err;

	/* proc_dostring would silently truncate a long list. */
	if (write && *lenp >= sizeof(buf))
		return -EINVAL;
	mutex_lock(&lnat_sysctl_mutex);
	strscpy(buf, ln->ifnames, sizeof(buf));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write)
		err = lnat_ifaces_set(ln, buf);
	mutex_unlock(&lnat_sysctl_mutex);
	return err;
}

static int lnat_sysctl_ports(LNAT_CTL_CONST struct ctl_table *table,
			     int write, void *buffer, size_t *lenp,
			     loff_t *ppos)
{
	struct lnat_net *ln = table->data;
	u32 r = READ_ONCE(ln->port_range);
	int range[2] = { r >> 16, r & 0xffff };
	struct ctl_table tmp = {
		.data	= range,
		.maxlen	= sizeof(range),
		.extra1	= SYSCTL_ONE,
		.extra2	= &lnat_port_max,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (range[0] > range[1])
		return -EINVAL;
	WRITE_ONCE(ln->port_range, (u32)range[0] << 16 | range[1]);
	return 0;
}

static int lnat_sysctl_count(LNAT_CTL_CONST struct ctl_table *table,
			     int write, void *buffer, size_t *lenp,
			     loff_t *ppos)
{
	struct lnat_net *ln = table->data;
	int count = atomic_read(&ln->count);
	struct ctl_table tmp = {
		.data	= &count,
		.maxlen	= sizeof(count),
	};

	if (write)
		return -EPERM;
	return proc_dointvec(&tmp, write, buffer, lenp, ppos);
}

/*
 * A timeout (1 s to LNAT_TIMEOUT_MAX): it applies to existing mappings
 * too, and the collector, which may be a minute from its next sweep, looks
 * at once. @table->extra1 is the netns's state.
 */
static int lnat_sysctl_timeout(LNAT_CTL_CONST struct ctl_table *table,
			       int write, void *buffer, size_t *lenp,
			       loff_t *ppos)
{
	struct lnat_net *ln = table->extra1;
	struct ctl_table tmp = *table;
	int err;

	tmp.extra1 = SYSCTL_ONE;
	tmp.extra2 = &lnat_timeout_max;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	mutex_lock(&ln->mutex);
	if (ln->active)
		lnat_gc_kick(ln);
	mutex_unlock(&ln->mutex);
	return 0;
}

static int lnat_sysctl_flush(LNAT_CTL_CONST struct ctl_table *table,
			     int write, void *buffer, size_t *lenp,
			     loff_t *ppos)
{
	struct lnat_net *ln = table->data;
	int val = 0;
	struct ctl_table tmp = {
		.data	= &val,
		.maxlen	= sizeof(val),
		.extra1	= SYSCTL_ONE,
		.extra2	= SYSCTL_ONE,
	};
	int err;

	if (!write)
		return -EPERM;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err)
		return err;
	mutex_lock(&ln->mutex);
	if (ln->active)
		lnat_collect(ln, true, false);
	mutex_unlock(&ln->mutex);
	return 0;
}

static const char *const lnat_filter_names[LNAT_FILTER_MAX] = {
	[LNAT_FILTER_EI]	= "endpoint-independent",
	[LNAT_FILTER_AD]	= "address-dependent",
	[LNAT_FILTER_APD]	= "address-and-port-dependent",
};

static const char *const lnat_unsolicited_names[LNAT_UNSOL_MAX] = {
	[LNAT_UNSOL_DROP]	= "drop",
	[LNAT_UNSOL_UNREACH]	= "port-unreachable",
};

/* An enum setting, read and written by the names in @names. */
static int lnat_sysctl_names(LNAT_CTL_CONST struct ctl_table *table,
			     int write, void *buffer, size_t *lenp,
			     loff_t *ppos, const char *const *names, int n)
{
	int *val = table->data;
	char buf[32];
	struct ctl_table tmp = {
		.data	= buf,
		.maxlen	= sizeof(buf),
	};
	int err, i;

	strscpy(buf, names[READ_ONCE(*val)], sizeof(buf));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	i = match_string(names, n, strim(buf));
	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*val, i);
	return 0;
}

/* tcp_filtering, udp_filtering: read and written by the RFCs' names. */
static int lnat_sysctl_filtering(LNAT_CTL_CONST struct ctl_table *table,
				 int write, void *buffer, size_t *lenp,
				 loff_t *ppos)
{
	return lnat_sysctl_names(table, write, buffer, lenp, ppos,
				 lnat_filter_names, LNAT_FILTER_MAX);
}

static int lnat_sysctl_unsolicited(LNAT_CTL_CONST struct ctl_table *table,
				   int write, void *buffer, size_t *lenp,
				   loff_t *ppos)
{
	return lnat_sysctl_names(table, write, buffer, lenp, ppos,
				 lnat_unsolicited_names, LNAT_UNSOL_MAX);
}

/*
 * udp_full_cone, kept for one release: 1 is udp_filtering =
 * endpoint-independent, 0 address-and-port-dependent.
 */
static int lnat_sysctl_full_cone(LNAT_CTL_CONST struct ctl_table *table,
				 int write, void *buffer, size_t *lenp,
				 loff_t *ppos)
{
	int *filter = table->data;
	int val = READ_ONCE(*filter) == LNAT_FILTER_EI;
	struct ctl_table tmp = {
		.data	= &val,
		.maxlen	= sizeof(val),
		.extra1	= SYSCTL_ZERO,
		.extra2	= SYSCTL_ONE,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!err && write)
		WRITE_ONCE(*filter, val ? LNAT_FILTER_EI : LNAT_FILTER_APD);
	return err;
}

enum {
	LNAT_CTL_INTERFACES,
	LNAT_CTL_PORT_RANGE,
	LNAT_CTL_MAX_ENTRIES,
	LNAT_CTL_MAX_TOTAL,
	LNAT_CTL_COUNT,
	LNAT_CTL_FLUSH,
	LNAT_CTL_TCP_FILTERING,
	LNAT_CTL_UDP_FILTERING,
	LNAT_CTL_FULL_CONE,
	LNAT_CTL_UNSOLICITED,
	LNAT_CTL_MARK,
	LNAT_CTL_MARK_MASK,
	LNAT_CTL_TIMEOUT,
	LNAT_CTL_MAX = LNAT_CTL_TIMEOUT + LNAT_TO_MAX
};

#define LNAT_CTL_TO(idx, name)						\
	[LNAT_CTL_TIMEOUT + (idx)] = {					\
		.procname	= name,					\
		.maxlen		= sizeof(int),				\
		.mode		= 0644,					\
		.proc_handler	= lnat_sysctl_timeout,			\
	}

/* One spare zeroed entry: the sentinel kernels before 6.6 need. */
static const struct ctl_table lnat_sysctl_template[LNAT_CTL_MAX + 1] = {
	[LNAT_CTL_INTERFACES] = {
		.procname	= "interfaces",
		.maxlen		= LNAT_IFNAMES_LEN,
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_ifaces,
	},
	[LNAT_CTL_PORT_RANGE] = {
		.procname	= "port_range",
		.maxlen		= 2 * sizeof(int),
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_ports,
	},
	[LNAT_CTL_MAX_ENTRIES] = {
		.procname	= "max_entries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &lnat_entries_max,
	},
	[LNAT_CTL_MAX_TOTAL] = {
		.procname	= "max_entries_total",
		.data		= &lnat_max_total,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= SYSCTL_INT_MAX,
	},
	[LNAT_CTL_COUNT] = {
		.procname	= "count",
		.maxlen		= sizeof(int),
		.mode		= 0444,
		.proc_handler	= lnat_sysctl_count,
	},
	[LNAT_CTL_FLUSH] = {
		.procname	= "flush",
		.maxlen		= sizeof(int),
		.mode		= 0200,
		.proc_handler	= lnat_sysctl_flush,
	},
	[LNAT_CTL_TCP_FILTERING] = {
		.procname	= "tcp_filtering",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_filtering,
	},
	[LNAT_CTL_UDP_FILTERING] = {
		.procname	= "udp_filtering",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_filtering,
	},
	[LNAT_CTL_FULL_CONE] = {
		.procname	= "udp_full_cone",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_full_cone,
	},
	[LNAT_CTL_UNSOLICITED] = {
		.procname	= "tcp_unsolicited_syn",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= lnat_sysctl_unsolicited,
	},
	[LNAT_CTL_MARK] = {
		.procname	= "mark",
		.maxlen		= sizeof(u32),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	[LNAT_CTL_MARK_MASK] = {
		.procname	= "mark_mask",
		.maxlen		= sizeof(u32),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	LNAT_CTL_TO(LNAT_TCP_SYN_SENT, "tcp_timeout_syn_sent"),
	LNAT_CTL_TO(LNAT_TCP_SYN_RECV, "tcp_timeout_syn_recv"),
	LNAT_CTL_TO(LNAT_TCP_ESTABLISHED, "tcp_timeout_established"),
	LNAT_CTL_TO(LNAT_TCP_FIN_WAIT, "tcp_timeout_fin_wait"),
	LNAT_CTL_TO(LNAT_TCP_CLOSE_WAIT, "tcp_timeout_close_wait"),
	LNAT_CTL_TO(LNAT_TCP_LAST_ACK, "tcp_timeout_last_ack"),
	LNAT_CTL_TO(LNAT_TCP_TIME_WAIT, "tcp_timeout_time_wait"),
	LNAT_CTL_TO(LNAT_TCP_CLOSE, "tcp_timeout_close"),
	LNAT_CTL_TO(LNAT_TO_LOOSE, "tcp_timeout_loose"),
	LNAT_CTL_TO(LNAT_TO_UDP, "udp_timeout"),
	LNAT_CTL_TO(LNAT_TO_UDP_STREAM, "udp_timeout_stream"),
	LNAT_CTL_TO(LNAT_TO_ICMP, "icmp_timeout"),
	LNAT_CTL_TO(LNAT_TO_GENERIC, "generic_timeout"),
};

/**
 * lnat_sysctl_init() - register net.loosenat.* in @ln's netns
 * @ln: the netns's state, which the entries read and write
 *
 * In a netns of another user namespace, max_entries is read-only;
 * max_entries_total, host-wide, is writable in the initial netns only.
 *
 * Context: process, the netns's init.
 * Return: 0 or -ENOMEM.
 */
int lnat_sysctl_init(struct lnat_net *ln)
{
	struct ctl_table *t;
	int i;

	t = kmemdup(lnat_sysctl_template, sizeof(lnat_sysctl_template),
		    GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t[LNAT_CTL_INTERFACES].data = ln;
	t[LNAT_CTL_PORT_RANGE].data = ln;
	t[LNAT_CTL_MAX_ENTRIES].data = &ln->max_entries;
	t[LNAT_CTL_COUNT].data = ln;
	t[LNAT_CTL_FLUSH].data = ln;
	t[LNAT_CTL_TCP_FILTERING].data = &ln->tcp_filtering;
	t[LNAT_CTL_UDP_FILTERING].data = &ln->udp_filtering;
	t[LNAT_CTL_FULL_CONE].data = &ln->udp_filtering;
	t[LNAT_CTL_UNSOLICITED].data = &ln->tcp_unsolicited_syn;
	t[LNAT_CTL_MARK].data = &ln->mark;
	t[LNAT_CTL_MARK_MASK].data = &ln->mark_mask;
	for (i = 0; i < LNAT_TO_MAX; i++) {
		t[LNAT_CTL_TIMEOUT + i].data = &ln->timeout[i];
		t[LNAT_CTL_TIMEOUT + i].extra1 = ln;
	}
	/*
	 * As nf_conntrack_max: a user namespace may tune its own netns but
	 * not grant itself more of the host's memory; the host-wide bound is
	 * the initial netns's alone.
	 */
	if (ln->net->user_ns != &init_user_ns)
		t[LNAT_CTL_MAX_ENTRIES].mode = 0444;
	if (!net_eq(ln->net, &init_net))
		t[LNAT_CTL_MAX_TOTAL].mode = 0444;

	ln->sysctl_hdr = register_net_sysctl_sz(ln->net, "net/loosenat", t,
						LNAT_CTL_MAX);
	if (!ln->sysctl_hdr) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

/**
 * lnat_sysctl_exit() - unregister them
 * @ln: the netns's state
 *
 * Context: process, the netns's exit; waits for writers.
 */
void lnat_sysctl_exit(struct lnat_net *ln)
{
	const struct ctl_table *t = ln->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(ln->sysctl_hdr);
	kfree(t);
}
