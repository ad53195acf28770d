// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping table: one keyed hash per direction, RCU readers on the packet
 * path, one spinlock per netns for writers (only taken when a mapping is
 * created, first answered or removed), and expiry in a work item that sweeps
 * the table a bucket at a time, in short runs.
 */
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/inetdevice.h>
#include "lnat.h"

/*
 * The collector sweeps the table in runs of at most LNAT_GC_RUN_NS, a pause
 * between runs, and a longer one between sweeps: a full table costs a few
 * per cent of one CPU, not a whole walk every second. A run that finds
 * LNAT_GC_BUSY expired entries goes on at once, so a mass expiry is
 * reclaimed at full speed.
 */
#define LNAT_GC_INTERVAL	HZ			/* between sweeps */
#define LNAT_GC_PAUSE		(HZ / 10)		/* between runs */
#define LNAT_GC_RUN_NS		(2 * NSEC_PER_MSEC)
#define LNAT_GC_BUSY		64
#define LNAT_GC_SLICE_NS	(200 * NSEC_PER_USEC)	/* CPU held at most */
#define LNAT_EVICT_MAX		8	/* bounded eviction work per new mapping */

static struct kmem_cache *lnat_cache;
/* Frees the collector's batches of entries, after a grace period. */
static struct workqueue_struct *lnat_free_wq;

int lnat_cache_init(void)
{
	lnat_cache = KMEM_CACHE(lnat_entry, 0);
	if (!lnat_cache)
		return -ENOMEM;
	lnat_free_wq = alloc_workqueue("lnat_free", WQ_UNBOUND, 0);
	if (!lnat_free_wq) {
		kmem_cache_destroy(lnat_cache);
		return -ENOMEM;
	}
	return 0;
}

void lnat_cache_exit(void)
{
	/*
	 * Entries are freed by call_rcu callbacks into this cache, or by batch
	 * work that an RCU callback queues.
	 */
	rcu_barrier();
	destroy_workqueue(lnat_free_wq);
	kmem_cache_destroy(lnat_cache);
}

static void lnat_hashes_free(struct lnat_net *ln)
{
	int i;

	for (i = 0; i < LNAT_DIR_MAX; i++)
		kvfree(ln->hash[i]);
	for (i = 0; i < LNAT_BIND_MAX; i++)
		kvfree(ln->bhash[i]);
}

int lnat_table_init(struct lnat_net *ln, unsigned int bits)
{
	size_t n = 1U << bits;
	int i;

	for (i = 0; i < LNAT_DIR_MAX; i++)
		ln->hash[i] = kvcalloc(n, sizeof(struct hlist_head), GFP_KERNEL);
	for (i = 0; i < LNAT_BIND_MAX; i++)
		ln->bhash[i] = kvcalloc(n, sizeof(struct hlist_head), GFP_KERNEL);
	if (!ln->hash[LNAT_DIR_ORIG] || !ln->hash[LNAT_DIR_REPLY] ||
	    !ln->bhash[LNAT_BIND_INT] || !ln->bhash[LNAT_BIND_EXT]) {
		lnat_hashes_free(ln);
		return -ENOMEM;
	}
	ln->hash_bits = bits;
	get_random_bytes(&ln->hash_key, sizeof(ln->hash_key));
	spin_lock_init(&ln->lock);
	INIT_LIST_HEAD(&ln->unreplied);
	INIT_HLIST_HEAD(&ln->pools);
	atomic_set(&ln->count, 0);
	atomic_set(&ln->revalidate, 0);
	ln->gc_pos = 0;
	INIT_DELAYED_WORK(&ln->gc_work, lnat_gc_work);
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   LNAT_GC_INTERVAL);
	return 0;
}

/* Only once no hook, proc reader or sysctl writer can reach the table. */
void lnat_table_destroy(struct lnat_net *ln)
{
	cancel_delayed_work_sync(&ln->gc_work);
	lnat_collect(ln, true, false);
	lnat_hashes_free(ln);
}

u32 lnat_hash(const struct lnat_net *ln, const struct lnat_tuple *t)
{
	u32 ports = (__force u32)t->sport << 16 | (__force u16)t->dport;

	return hsiphash_4u32((__force u32)t->saddr, (__force u32)t->daddr,
			     ports, t->proto | (u32)t->zone << 8, &ln->hash_key) &
	       ((1U << ln->hash_bits) - 1);
}

static bool lnat_tuple_eq(const struct lnat_tuple *a,
			  const struct lnat_tuple *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->proto == b->proto && a->zone == b->zone;
}

static struct lnat_entry *__lnat_lookup(struct lnat_net *ln,
					enum lnat_dir dir,
					const struct lnat_tuple *t)
{
	struct hlist_head *head = &ln->hash[dir][lnat_hash(ln, t)];
	struct lnat_entry *e;

	hlist_for_each_entry_rcu(e, head, hnode[dir],
				 lockdep_is_held(&ln->lock))
		if (lnat_tuple_eq(&e->tuple[dir], t))
			return e;
	return NULL;
}

/* Caller holds rcu_read_lock (netfilter hooks do). */
struct lnat_entry *lnat_lookup(struct lnat_net *ln, enum lnat_dir dir,
			       const struct lnat_tuple *t)
{
	return __lnat_lookup(ln, dir, t);
}

/* Caller holds ln->lock: is this external 4-tuple held by a mapping? */
bool lnat_reply_taken(struct lnat_net *ln, const struct lnat_tuple *reply)
{
	lockdep_assert_held(&ln->lock);
	return __lnat_lookup(ln, LNAT_DIR_REPLY, reply);
}

static void lnat_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(lnat_cache, container_of(rcu, struct lnat_entry, rcu));
}

/*
 * Take @e out of the table. It is freed after a grace period: by its own RCU
 * callback, or, if @dead is given (process context), with the batch that
 * lnat_free_batch() is handed, so that a mass expiry costs one callback,
 * not a million frees in the RCU softirq.
 */
static void lnat_unlink(struct lnat_net *ln, struct lnat_entry *e,
			struct llist_head *dead)
{
	lockdep_assert_held(&ln->lock);
	set_bit(LNAT_F_DEAD, &e->flags);
	hlist_del_rcu(&e->hnode[LNAT_DIR_ORIG]);
	hlist_del_rcu(&e->hnode[LNAT_DIR_REPLY]);
	list_del_init(&e->unreplied);
	if (e->bind)
		lnat_bind_put(ln, e->bind);
	atomic_dec(&ln->count);
	if (dead)
		llist_add(&e->dead, dead);
	else
		call_rcu(&e->rcu, lnat_free_rcu);
}

/*
 * Take @e out now, from the packet path (RCU read side): it left by another
 * uplink, its address went, or (@retire) the router's own socket took its
 * 4-tuple, and its binding admits nothing new either.
 */
void lnat_remove(struct lnat_net *ln, struct lnat_entry *e, bool retire)
{
	spin_lock_bh(&ln->lock);
	if (!test_bit(LNAT_F_DEAD, &e->flags)) {
		if (retire && e->bind)
			lnat_bind_retire(e->bind);
		lnat_unlink(ln, e, NULL);
	}
	spin_unlock_bh(&ln->lock);
}

struct lnat_batch {
	struct rcu_work rwork;
	struct llist_node *first;
};

static void lnat_batch_work(struct work_struct *work)
{
	struct lnat_batch *b = container_of(to_rcu_work(work),
					    struct lnat_batch, rwork);
	struct lnat_entry *e, *tmp;
	unsigned int n = 0;

	llist_for_each_entry_safe(e, tmp, b->first, dead) {
		kmem_cache_free(lnat_cache, e);
		if (++n % 1024 == 0)
			cond_resched();
	}
	kfree(b);
}

/* Free the entries on @dead once no reader can see them. May sleep. */
static void lnat_free_batch(struct llist_head *dead)
{
	struct llist_node *first = llist_del_all(dead);
	struct lnat_entry *e, *tmp;
	struct lnat_batch *b;

	if (!first)
		return;
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (b) {
		b->first = first;
		INIT_RCU_WORK(&b->rwork, lnat_batch_work);
		queue_rcu_work(lnat_free_wq, &b->rwork);
		return;
	}
	synchronize_rcu();
	llist_for_each_entry_safe(e, tmp, first, dead)
		kmem_cache_free(lnat_cache, e);
}

/* Make room by dropping the oldest mapping that never saw a reply. */
static bool lnat_evict(struct lnat_net *ln)
{
	struct lnat_entry *e;

	e = list_first_entry_or_null(&ln->unreplied, struct lnat_entry,
				     unreplied);
	if (!e)
		return false;
	lnat_unlink(ln, e, NULL);
	LNAT_STAT_INC(ln, EARLY_DROP);
	return true;
}

static int lnat_make_room(struct lnat_net *ln)
{
	int i;

	for (i = 0; i < LNAT_EVICT_MAX; i++) {
		if (atomic_read(&ln->count) < READ_ONCE(ln->max_entries))
			return 0;
		if (!lnat_evict(ln))
			break;
	}
	return atomic_read(&ln->count) < READ_ONCE(ln->max_entries) ?
	       0 : -ENOSPC;
}

/* Caller holds ln->lock: hash a complete entry in both directions. */
static void lnat_insert(struct lnat_net *ln, struct lnat_entry *e)
{
	int dir;

	for (dir = 0; dir < LNAT_DIR_MAX; dir++)
		hlist_add_head_rcu(&e->hnode[dir],
				   &ln->hash[dir][lnat_hash(ln, &e->tuple[dir])]);
	atomic_inc(&ln->count);
}

/*
 * Caller holds ln->lock: give @e its external port. TCP keeps or derives a
 * port per flow; UDP and ICMP queries use their internal endpoint's
 * binding; other protocols are translated by address only, so one internal
 * host at a time per remote address and protocol.
 */
static int lnat_external(struct lnat_net *ln, struct lnat_entry *e,
			 __be32 ext_addr, int ifindex)
{
	const struct lnat_tuple *orig = &e->tuple[LNAT_DIR_ORIG];
	struct lnat_tuple *reply = &e->tuple[LNAT_DIR_REPLY];

	switch (orig->proto) {
	case IPPROTO_TCP:
		return lnat_port_choose(ln, orig, reply);
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		e->bind = lnat_bind_get(ln, orig, ext_addr, ifindex);
		if (!e->bind)
			return -EADDRINUSE;
		e->bind->refs++;
		reply->dport = e->bind->ext_port;
		return 0;
	default:
		reply->dport = 0;
		return lnat_reply_taken(ln, reply) ? -EADDRINUSE : 0;
	}
}

/*
 * Create the mapping for an outbound packet that matched none; @info is the
 * packet's enum lnat_tcp_flags for TCP, its LNAT_ICMP_INFO for an ICMP
 * query. Returns the entry (possibly one another CPU created meanwhile) or an
 * ERR_PTR, with the reason counted.
 */
struct lnat_entry *lnat_create(struct lnat_net *ln,
			       const struct lnat_tuple *orig, __be32 ext_addr,
			       int ifindex, u32 info)
{
	enum lnat_tcp_flags tf = info;
	struct lnat_tuple *reply;
	struct lnat_entry *e, *old;
	int err;

	e = kmem_cache_zalloc(lnat_cache, GFP_ATOMIC);
	if (!e) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return ERR_PTR(-ENOMEM);
	}
	e->tuple[LNAT_DIR_ORIG] = *orig;
	reply = &e->tuple[LNAT_DIR_REPLY];
	reply->saddr = orig->daddr;
	reply->daddr = ext_addr;
	reply->sport = orig->dport;
	reply->proto = orig->proto;
	if (orig->proto == IPPROTO_TCP) {
		e->state = lnat_tcp_initial(tf);
		if (tf != LNAT_TF_SYN)
			__set_bit(LNAT_F_LOOSE, &e->flags);
	} else if (orig->proto == IPPROTO_ICMP) {
		e->state = info;
	}
	e->last_seen = (u32)jiffies;
	e->ifindex = ifindex;

	spin_lock_bh(&ln->lock);
	old = __lnat_lookup(ln, LNAT_DIR_ORIG, orig);
	if (old) {
		spin_unlock_bh(&ln->lock);
		kmem_cache_free(lnat_cache, e);
		return old;
	}
	err = lnat_make_room(ln);
	if (err) {
		spin_unlock_bh(&ln->lock);
		kmem_cache_free(lnat_cache, e);
		LNAT_STAT_INC(ln, DROP_FULL);
		return ERR_PTR(err);
	}
	err = lnat_external(ln, e, ext_addr, ifindex);
	if (err) {
		spin_unlock_bh(&ln->lock);
		kmem_cache_free(lnat_cache, e);
		LNAT_STAT_INC(ln, DROP_NOPORT);
		return ERR_PTR(err);
	}
	lnat_insert(ln, e);
	list_add_tail(&e->unreplied, &ln->unreplied);
	spin_unlock_bh(&ln->lock);

	LNAT_STAT_INC(ln, NEW);
	if (orig->proto == IPPROTO_TCP && tf != LNAT_TF_SYN)
		LNAT_STAT_INC(ln, NEW_LOOSE);
	if (orig->proto == IPPROTO_TCP &&
	    (tf == LNAT_TF_FIN || tf == LNAT_TF_RST))
		LNAT_STAT_INC(ln, NEW_TEARDOWN);
	return e;
}

/*
 * With udp_full_cone, a packet from any remote end to a live binding's
 * external port gets a mapping of its own under that binding (RFC 4787
 * endpoint-independent filtering). No binding, no mapping: the outside
 * never creates one (NULL). An ERR_PTR when the binding has no room, counted.
 */
struct lnat_entry *lnat_create_cone(struct lnat_net *ln,
				    const struct lnat_tuple *reply)
{
	struct lnat_entry *e, *old;
	struct lnat_tuple *orig;
	struct lnat_bind *b;
	int err;

	/* Unsolicited packets to no binding cost no allocation, no lock. */
	if (!lnat_bind_lookup(ln, LNAT_BIND_EXT, reply->daddr, reply->dport,
			      reply->proto))
		return NULL;
	e = kmem_cache_zalloc(lnat_cache, GFP_ATOMIC);
	if (!e) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_bh(&ln->lock);
	/* Room first: eviction may drop the binding's last mapping. */
	err = lnat_make_room(ln);
	b = err ? NULL : lnat_bind_lookup(ln, LNAT_BIND_EXT, reply->daddr,
					  reply->dport, reply->proto);
	/* A binding whose port the router's own socket took admits no one. */
	if (b && lnat_bind_retired(b))
		b = NULL;
	if (!b) {
		spin_unlock_bh(&ln->lock);
		kmem_cache_free(lnat_cache, e);
		if (!err)
			return NULL;
		LNAT_STAT_INC(ln, DROP_FULL);
		return ERR_PTR(err);
	}
	old = __lnat_lookup(ln, LNAT_DIR_REPLY, reply);
	if (old) {
		spin_unlock_bh(&ln->lock);
		kmem_cache_free(lnat_cache, e);
		return old;
	}
	e->tuple[LNAT_DIR_REPLY] = *reply;
	orig = &e->tuple[LNAT_DIR_ORIG];
	orig->saddr = b->int_addr;
	orig->daddr = reply->saddr;
	orig->sport = b->int_port;
	orig->dport = reply->sport;
	orig->proto = reply->proto;
	orig->zone = b->zone;
	e->last_seen = (u32)jiffies;
	e->ifindex = b->ifindex;
	e->bind = b;
	b->refs++;
	__set_bit(LNAT_F_REPLIED, &e->flags);
	INIT_LIST_HEAD(&e->unreplied);
	lnat_insert(ln, e);
	spin_unlock_bh(&ln->lock);
	LNAT_STAT_INC(ln, NEW);
	return e;
}

/* At most one write a tick, so busy flows do not bounce the cache line. */
void lnat_refresh(struct lnat_entry *e)
{
	u32 now = (u32)jiffies;

	if (READ_ONCE(e->last_seen) != now)
		WRITE_ONCE(e->last_seen, now);
}

void lnat_set_replied(struct lnat_net *ln, struct lnat_entry *e)
{
	if (test_bit(LNAT_F_REPLIED, &e->flags))
		return;
	spin_lock_bh(&ln->lock);
	/* A dead entry's list node is its RCU head now. */
	if (!test_bit(LNAT_F_DEAD, &e->flags) &&
	    !test_and_set_bit(LNAT_F_REPLIED, &e->flags))
		list_del_init(&e->unreplied);
	spin_unlock_bh(&ln->lock);
}

/* Read at use, so a changed sysctl applies to every existing mapping. */
unsigned long lnat_timeout(const struct lnat_net *ln,
			   const struct lnat_entry *e)
{
	bool replied = test_bit(LNAT_F_REPLIED, &e->flags);
	unsigned long t;

	switch (e->tuple[LNAT_DIR_ORIG].proto) {
	case IPPROTO_TCP:
		t = READ_ONCE(ln->timeout[READ_ONCE(e->state)]);
		if (test_bit(LNAT_F_LOOSE, &e->flags) && !replied)
			t = min_t(unsigned long, t,
				  READ_ONCE(ln->timeout[LNAT_TO_LOOSE]));
		break;
	case IPPROTO_UDP:
		t = READ_ONCE(ln->timeout[replied ? LNAT_TO_UDP_STREAM :
						    LNAT_TO_UDP]);
		break;
	case IPPROTO_ICMP:
		t = READ_ONCE(ln->timeout[LNAT_TO_ICMP]);
		break;
	default:
		t = READ_ONCE(ln->timeout[LNAT_TO_GENERIC]);
	}
	return t * HZ;
}

bool lnat_expired(const struct lnat_net *ln, const struct lnat_entry *e,
		  unsigned long now)
{
	return (u32)now - READ_ONCE(e->last_seen) > lnat_timeout(ln, e);
}

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

static unsigned int lnat_collect_bucket(struct lnat_net *ln, unsigned int i,
					bool all, bool revalidate,
					struct llist_head *dead)
{
	unsigned long now = jiffies;
	unsigned int removed = 0;
	struct lnat_entry *e;
	struct hlist_node *tmp;

	rcu_read_lock();
	spin_lock_bh(&ln->lock);
	hlist_for_each_entry_safe(e, tmp, &ln->hash[LNAT_DIR_ORIG][i],
				  hnode[LNAT_DIR_ORIG]) {
		bool expired = lnat_expired(ln, e, now);

		if (!all && !expired && !(revalidate && !lnat_entry_valid(ln, e)))
			continue;
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
 * Remove expired entries (all of them if @all, and those whose device or
 * address went away if @revalidate) from bucket *@pos on, to the end of the
 * table or, with a @budget, until that many ns have passed; *@pos is left
 * where to go on. Process context only: the lock is held one bucket at a
 * time and the CPU is offered up every LNAT_GC_SLICE_NS, so no walk holds it
 * for long whatever the table's size.
 */
static unsigned int lnat_collect_from(struct lnat_net *ln, unsigned int *pos,
				      bool all, bool revalidate, u64 budget)
{
	unsigned int i, n = 1U << ln->hash_bits, removed = 0;
	u64 begin = ktime_get_ns(), start = begin, now;
	LLIST_HEAD(dead);

	might_sleep();
	for (i = *pos; i < n; i++) {
		/* Empty buckets are cheap: look at the clock every 64. */
		if (hlist_empty(&ln->hash[LNAT_DIR_ORIG][i])) {
			if (i % 64 != 63)
				continue;
		} else {
			removed += lnat_collect_bucket(ln, i, all, revalidate,
							&dead);
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

/* A whole walk now: flush, revalidation, teardown and KUnit. */
unsigned int lnat_collect(struct lnat_net *ln, bool all, bool revalidate)
{
	unsigned int pos = 0;

	/* Most netns (every container's) masquerade nothing: skip the walk. */
	if (!atomic_read(&ln->count))
		return 0;
	return lnat_collect_from(ln, &pos, all, revalidate, 0);
}

void lnat_gc_work(struct work_struct *work)
{
	struct lnat_net *ln = container_of(to_delayed_work(work),
					   struct lnat_net, gc_work);
	unsigned long next = LNAT_GC_PAUSE;
	unsigned int removed = 0;

	/* A device or address went: its mappings go now, in one walk. */
	if (atomic_xchg(&ln->revalidate, 0))
		lnat_collect(ln, false, true);
	if (atomic_read(&ln->count))
		removed = lnat_collect_from(ln, &ln->gc_pos, false, false,
					    LNAT_GC_RUN_NS);
	else
		ln->gc_pos = 1U << ln->hash_bits;
	if (ln->gc_pos >= 1U << ln->hash_bits) {
		ln->gc_pos = 0;
		next = LNAT_GC_INTERVAL;
	}
	if (removed >= LNAT_GC_BUSY)
		next = 0;
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work, next);
}
