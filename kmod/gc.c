// SPDX-License-Identifier: GPL-2.0
/*
 * The collector: expiry in a work item that sweeps the table a bucket at a
 * time, in short runs, and the walks that flush the table or drop the
 * mappings of a device or address that went away.
 */
#include <linux/inetdevice.h>
#include "lnat.h"

/*
 * The collector sweeps the table in runs of at most LNAT_GC_RUN_NS, a pause
 * between runs, and between sweeps as long as the mappings it saw had left
 * to live on average, each counted as 1 to 300 s, the wait 1 to 60 s (as
 * conntrack's gc_worker): a table of established TCP is swept once a
 * minute, one of short-lived UDP about as its mappings expire. An expired
 * mapping not yet collected lets nothing in and is reclaimed first when the
 * table is full; a timeout written by sysctl starts a sweep at once. A run
 * that finds LNAT_GC_BUSY expired entries, or finds a quarter of those it
 * looked at expired (a mass expiry where each removal costs more: a debug
 * kernel, a busy lock), goes on at once, so a mass expiry is reclaimed at
 * full speed.
 */
#define LNAT_GC_INTERVAL_MIN	HZ			/* between sweeps */
#define LNAT_GC_INTERVAL_MAX	(60 * HZ)
#define LNAT_GC_LIFE_MAX	(300 * HZ)		/* one entry's share */
#define LNAT_GC_PAUSE		(HZ / 10)		/* between runs */
#define LNAT_GC_RUN_NS		(2 * NSEC_PER_MSEC)
#define LNAT_GC_BUSY		64
#define LNAT_GC_SLICE_NS	(200 * NSEC_PER_USEC)	/* CPU held at most */

/* Does the entry still leave by a running masqueraded device owning its address? */
static bool lnat_entry_valid(struct lnat_net *ln, const struct lnat_entry *e)
{
	const struct in_ifaddr *ifa;
	struct net_device *dev;
	struct in_device *idev;

	dev = dev_get_by_index_rcu(ln->net, e->ifindex);
	if (!dev || !netif_running(dev) || !lnat_iface_match(ln, dev))
		return false;
	idev = __in_dev_get_rcu(dev);
	if (!idev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, idev)
		if (ifa->ifa_local == e->tuple[LNAT_DIR_REPLY].daddr)
			return true;
	return false;
}

/* The longest run between reschedule points, for /proc/net/stat/loosenat. */
static void lnat_gc_slice(struct lnat_net *ln, u64 start)
{
	u64 d = ktime_get_ns() - start;

	/* Collectors may race here; a lost update only understates a peak. */
	if (d > READ_ONCE(ln->gc_slice_max))
		WRITE_ONCE(ln->gc_slice_max, d);
}

/*
 * A live entry's time left, into the sweep's running average (the
 * collector's work only: @ln->gc_avg and gc_scanned are its own).
 */
static void lnat_gc_average(struct lnat_net *ln, const struct lnat_entry *e,
			    unsigned long now)
{
	long left = (long)lnat_timeout(ln, e) -
		    (long)((u32)now - READ_ONCE(e->last_seen));

	left = clamp_t(long, left, LNAT_GC_INTERVAL_MIN, LNAT_GC_LIFE_MAX);
	ln->gc_scanned++;
	ln->gc_avg += (left - ln->gc_avg) / (long)ln->gc_scanned;
}

static unsigned int lnat_collect_bucket(struct lnat_net *ln, unsigned int i,
					bool all, bool revalidate, bool sweep,
					struct llist_head *dead,
					unsigned int *seen)
{
	unsigned long now = jiffies;
	unsigned int removed = 0;
	struct lnat_entry *e;
	struct hlist_node *tmp;

	rcu_read_lock();
	spin_lock_bh(&ln->lock);
	hlist_for_each_entry_safe(e, tmp, &lnat_tab(ln)->dir[LNAT_DIR_ORIG][i],
				  hnode[LNAT_DIR_ORIG]) {
		bool expired = lnat_expired(ln, e, now);

		(*seen)++;
		if (!all && !expired && !(revalidate && !lnat_entry_valid(ln, e))) {
			if (sweep)
				lnat_gc_average(ln, e, now);
			continue;
		}
		if (expired)
			LNAT_STAT_INC(ln, EXPIRED);
		lnat_unlink(ln, e, dead);
		removed++;
	}
	spin_unlock_bh(&ln->lock);
	rcu_read_unlock();
	return removed;
}

/*
 * The table's buckets now. Walks are serialised with lnat_table_grow(): it
 * runs in the collector's own work, with @ln->mutex, which flush and
 * revalidation hold.
 */
static unsigned int lnat_buckets(struct lnat_net *ln)
{
	unsigned int n;

	rcu_read_lock();
	n = 1U << rcu_dereference(ln->tab)->bits;
	rcu_read_unlock();
	return n;
}

/*
 * Remove expired entries (all of them if @all, and those whose device or
 * address went away if @revalidate) from bucket *@pos on, to the end of the
 * table or, with a @budget (the collector's sweep, which also averages the
 * time left), until that many ns have passed; *@pos is left where to go
 * on, *@seen counts the entries looked at. Process context
 * only: the lock is held one bucket at a time and the CPU is offered up
 * every LNAT_GC_SLICE_NS, so no walk holds it for long whatever the table's
 * size.
 */
static unsigned int lnat_collect_from(struct lnat_net *ln, unsigned int *pos,
				      bool all, bool revalidate, u64 budget,
				      unsigned int *seen)
{
	unsigned int i, n = lnat_buckets(ln), removed = 0;
	u64 begin = ktime_get_ns(), start = begin, now;
	LLIST_HEAD(dead);
	bool empty;

	might_sleep();
	for (i = *pos; i < n; i++) {
		rcu_read_lock();
		empty = hlist_empty(&rcu_dereference(ln->tab)->dir[LNAT_DIR_ORIG][i]);
		rcu_read_unlock();
		/* Empty buckets are cheap: look at the clock every 64. */
		if (empty) {
			if (i % 64 != 63)
				continue;
		} else {
			removed += lnat_collect_bucket(ln, i, all, revalidate,
							budget != 0, &dead, seen);
		}
		now = ktime_get_ns();
		if (budget && now - begin >= budget) {
			i++;
			break;
		}
		if (now - start >= LNAT_GC_SLICE_NS) {
			lnat_gc_slice(ln, start);
			cond_resched();
			start = ktime_get_ns();
		}
	}
	lnat_gc_slice(ln, start);
	lnat_free_batch(&dead);
	*pos = i;
	return removed;
}

/**
 * lnat_collect() - a whole walk now: flush, revalidation, teardown, KUnit
 * @ln: the netns's state
 * @all: remove every mapping, expired or not
 * @revalidate: also those whose device or address went away
 *
 * Context: process; may sleep. Takes @ln->lock a bucket at a time.
 * Return: how many mappings were removed.
 */
unsigned int lnat_collect(struct lnat_net *ln, bool all, bool revalidate)
{
	unsigned int pos = 0, seen = 0;

	/* Most netns (every container's) masquerade nothing: skip the walk. */
	if (!atomic_read(&ln->count))
		return 0;
	return lnat_collect_from(ln, &pos, all, revalidate, 0, &seen);
}

/* After a sweep: the average time left, less what the sweep took. */
static unsigned long lnat_gc_interval(const struct lnat_net *ln)
{
	unsigned long took = jiffies - ln->gc_start, next;

	if (!ln->gc_scanned)
		return LNAT_GC_INTERVAL_MIN;
	next = clamp_t(long, ln->gc_avg, LNAT_GC_INTERVAL_MIN,
		       LNAT_GC_INTERVAL_MAX);
	return next > took ? next - took : 1;
}

static void lnat_gc_work(struct work_struct *work)
{
	struct lnat_net *ln = container_of(to_delayed_work(work),
					   struct lnat_net, gc_work);
	unsigned int removed = 0, seen = 0;
	unsigned long next = LNAT_GC_PAUSE;

	/*
	 * More mappings than buckets (lnat_table_insert()). Not while
	 * lnat_disable() or a flush holds the mutex: then on the next run.
	 */
	if (READ_ONCE(ln->grow) && mutex_trylock(&ln->mutex)) {
		while (READ_ONCE(ln->grow) && lnat_table_grow(ln))
			;
		mutex_unlock(&ln->mutex);
	}
	/* A device or address went: its mappings go now, in one walk. */
	if (atomic_xchg(&ln->revalidate, 0))
		lnat_collect(ln, false, true);
	if (!ln->gc_pos) {
		ln->gc_start = jiffies;
		ln->gc_avg = LNAT_GC_INTERVAL_MAX;
		ln->gc_scanned = 0;
	}
	if (atomic_read(&ln->count))
		removed = lnat_collect_from(ln, &ln->gc_pos, false, false,
					    LNAT_GC_RUN_NS, &seen);
	else
		ln->gc_pos = lnat_buckets(ln);
	if (ln->gc_pos >= lnat_buckets(ln)) {
		ln->gc_pos = 0;
		next = lnat_gc_interval(ln);
	}
	if (removed >= LNAT_GC_BUSY || (removed && removed >= seen / 4))
		next = 0;
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work, next);
}

/**
 * lnat_gc_start() - start the collector of @ln's table
 * @ln: the netns's state, its table initialised
 *
 * Context: process.
 */
void lnat_gc_start(struct lnat_net *ln)
{
	atomic_set(&ln->revalidate, 0);
	ln->gc_pos = 0;
	INIT_DELAYED_WORK(&ln->gc_work, lnat_gc_work);
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   LNAT_GC_INTERVAL_MIN);
}

/**
 * lnat_gc_kick() - sweep now: a timeout changed
 * @ln: the netns's state
 *
 * Context: any.
 */
void lnat_gc_kick(struct lnat_net *ln)
{
	mod_delayed_work(system_power_efficient_wq, &ln->gc_work, 0);
}

/**
 * lnat_gc_revalidate() - remove, soon, the mappings whose interface is no
 *	longer masqueraded, down, or without their address
 * @ln: the netns's state
 *
 * Context: any; the walk runs in the collector's work.
 */
void lnat_gc_revalidate(struct lnat_net *ln)
{
	atomic_set(&ln->revalidate, 1);
	mod_delayed_work(system_power_efficient_wq, &ln->gc_work, 0);
}

/**
 * lnat_gc_stop() - stop the collector and remove every mapping
 * @ln: the netns's state
 *
 * Context: process, once no hook, proc reader or sysctl writer can reach
 * the table; may sleep.
 */
void lnat_gc_stop(struct lnat_net *ln)
{
	cancel_delayed_work_sync(&ln->gc_work);
	lnat_collect(ln, true, false);
}
