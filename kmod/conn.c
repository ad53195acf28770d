// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings: created for any outbound packet (and, as filtering allows, for
 * an inbound one to a live binding), given an external port, refreshed,
 * answered, timed out, evicted when the table is full, and freed after a
 * grace period.
 */
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "lnat.h"

#define LNAT_EVICT_MAX		8	/* bounded eviction work per new mapping */
/* Buckets a full table looks at for expired mappings, per new mapping. */
#define LNAT_RECLAIM_BUCKETS	8
/* Unanswered mappings the outside may open through one binding. */
#define LNAT_INBOUND_MAX	64

static struct kmem_cache *lnat_cache;
/* Frees the collector's batches of entries, after a grace period. */
static struct workqueue_struct *lnat_free_wq;

/**
 * lnat_cache_init() - the mappings' slab cache and the batch-free workqueue
 *
 * Context: process, module load.
 * Return: 0 or -ENOMEM.
 */
int lnat_cache_init(void)
{
	lnat_cache = KMEM_CACHE(lnat_entry, SLAB_ACCOUNT);
	if (!lnat_cache)
		return -ENOMEM;
	lnat_free_wq = alloc_workqueue("lnat_free", WQ_UNBOUND, 0);
	if (!lnat_free_wq) {
		kmem_cache_destroy(lnat_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * lnat_cache_exit() - destroy them once every mapping is freed
 *
 * Context: process, module unload, after every netns's exit.
 */
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

static void lnat_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(lnat_cache, container_of(rcu, struct lnat_entry, rcu));
}

/**
 * lnat_unlink() - take a mapping out of the table, free it after a grace period
 * @ln: the netns's state
 * @e: the mapping, not dead yet
 * @dead: NULL to free @e by its own RCU callback, or (process context) a
 *	list that lnat_free_batch() is handed later, so that a mass expiry
 *	costs one callback, not a million frees in the RCU softirq
 *
 * Its binding loses a user and is released with its last one.
 *
 * Context: @ln->lock held.
 */
void lnat_unlink(struct lnat_net *ln, struct lnat_entry *e,
		 struct llist_head *dead)
{
	lockdep_assert_held(&ln->lock);
	set_bit(LNAT_F_DEAD, &e->flags);
	lnat_table_unhash(ln, e);
	list_del_init(&e->unreplied);
	if (test_bit(LNAT_F_INBOUND, &e->flags))
		e->bind->inbound--;
	if (test_bit(LNAT_F_HAIRPIN, &e->flags))
		atomic_dec(&ln->hairpins);
	if (e->bind)
		lnat_bind_put(ln, e->bind);
	if (dead)
		llist_add(&e->dead, dead);
	else
		call_rcu(&e->rcu, lnat_free_rcu);
}

/**
 * lnat_remove() - take a mapping out now, from the packet path
 * @ln: the netns's state
 * @e: a mapping found under RCU, perhaps dead meanwhile (then nothing)
 * @retire: the router's own socket took its 4-tuple: its binding admits
 *	nothing new either (it left by another uplink or lost its address:
 *	false)
 *
 * Context: rcu_read_lock held; takes @ln->lock.
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

/**
 * lnat_free_batch() - free the mappings lnat_unlink() put on @dead
 * @dead: the list, emptied
 *
 * Context: process; may sleep (waits a grace period when out of memory).
 */
void lnat_free_batch(struct llist_head *dead)
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

/*
 * Reclaim the expired mappings the collector has not reached yet in the
 * next few buckets, on from where the last call stopped, as conntrack's
 * early drop looks at a few buckets: bounded work per new mapping, and
 * round the table over successive calls.
 */
static bool lnat_reclaim(struct lnat_net *ln)
{
	struct lnat_hashes *tab = lnat_tab(ln);
	unsigned int i, pos = lnat_bucket(tab, ln->reclaim_pos);
	unsigned long now = jiffies;
	struct hlist_node *tmp;
	struct lnat_entry *e;
	bool found = false;

	lockdep_assert_held(&ln->lock);
	for (i = 0; i < LNAT_RECLAIM_BUCKETS && !found; i++) {
		hlist_for_each_entry_safe(e, tmp, &tab->dir[LNAT_DIR_ORIG][pos],
					  hnode[LNAT_DIR_ORIG]) {
			if (!lnat_expired(ln, e, now))
				continue;
			lnat_unlink(ln, e, NULL);
			LNAT_STAT_INC(ln, EXPIRED);
			found = true;
		}
		pos = lnat_bucket(tab, pos + 1);
	}
	ln->reclaim_pos = pos;
	return found;
}

/* Make room by dropping the oldest mapping that never saw a reply. */
static bool lnat_evict(struct lnat_net *ln)
{
	struct lnat_entry *e;

	lockdep_assert_held(&ln->lock);
	e = list_first_entry_or_null(&ln->unreplied, struct lnat_entry,
				     unreplied);
	if (!e)
		return false;
	if (lnat_expired(ln, e, jiffies))
		LNAT_STAT_INC(ln, EXPIRED);
	else
		LNAT_STAT_INC(ln, EARLY_DROP);
	lnat_unlink(ln, e, NULL);
	return true;
}

static bool lnat_room(struct lnat_net *ln)
{
	return atomic_read(&ln->count) < READ_ONCE(ln->max_entries) &&
	       lnat_total_room();
}

/*
 * A full table reclaims expired mappings first (the collector may be a
 * sweep behind), then evicts the oldest unanswered ones; answered live
 * mappings are never evicted: then the new one is refused. The host-wide
 * bound is met the same way, from this netns's own mappings only.
 */
static int lnat_make_room(struct lnat_net *ln)
{
	int i;

	for (i = 0; i < LNAT_EVICT_MAX; i++) {
		if (lnat_room(ln))
			return 0;
		if (!lnat_reclaim(ln) && !lnat_evict(ln))
			break;
	}
	return lnat_room(ln) ? 0 : -ENOSPC;
}

/*
 * Caller holds ln->lock: give @e its external port. TCP, UDP and ICMP
 * queries use their internal endpoint's binding; other protocols are
 * translated by address only, so one internal host at a time per remote
 * address and protocol.
 */
static int lnat_external(struct lnat_net *ln, struct lnat_entry *e,
			 __be32 ext_addr, int ifindex)
{
	const struct lnat_tuple *orig = &e->tuple[LNAT_DIR_ORIG];
	struct lnat_tuple *reply = &e->tuple[LNAT_DIR_REPLY];

	lockdep_assert_held(&ln->lock);
	switch (orig->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		e->bind = lnat_bind_get(ln, orig, ext_addr, ifindex);
		if (IS_ERR(e->bind)) {
			int err = PTR_ERR(e->bind);

			e->bind = NULL;
			return err;
		}
		e->bind->refs++;
		reply->dport = e->bind->ext_port;
		return 0;
	default:
		reply->dport = 0;
		return lnat_reply_taken(ln, reply) ? -EADDRINUSE : 0;
	}
}

static struct lnat_entry *lnat_create_charged(struct lnat_net *ln,
					      const struct lnat_pkt *p, u32 hash,
					      __be32 ext_addr, int ifindex)
{
	const struct lnat_tuple *orig = &p->t;
	enum lnat_tcp_flags tf = p->tf;
	struct lnat_tuple *reply;
	struct lnat_entry *e, *old;
	int err;

	e = kmem_cache_zalloc(lnat_cache, LNAT_GFP_PKT);
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
		e->icmp.type = p->icmp_type;
		e->icmp.code = p->icmp_code;
	}
	e->last_seen = (u32)jiffies;
	e->ifindex = ifindex;

	spin_lock_bh(&ln->lock);
	old = lnat_lookup_hashed(ln, LNAT_DIR_ORIG, orig, hash);
	if (old)
		goto out_free;
	err = lnat_make_room(ln);
	if (err) {
		LNAT_STAT_INC(ln, DROP_FULL);
		old = ERR_PTR(err);
		goto out_free;
	}
	err = lnat_external(ln, e, ext_addr, ifindex);
	if (err) {
		if (err == -ENOMEM)
			LNAT_STAT_INC(ln, DROP_NOMEM);
		else
			LNAT_STAT_INC(ln, DROP_NOPORT);
		old = ERR_PTR(err);
		goto out_free;
	}
	lnat_table_insert(ln, e, hash, LNAT_DIR_ORIG);
	list_add_tail(&e->unreplied, &ln->unreplied);
	spin_unlock_bh(&ln->lock);

	LNAT_STAT_INC(ln, NEW);
	if (orig->proto == IPPROTO_TCP && tf != LNAT_TF_SYN)
		LNAT_STAT_INC(ln, NEW_LOOSE);
	if (orig->proto == IPPROTO_TCP &&
	    (tf == LNAT_TF_FIN || tf == LNAT_TF_RST))
		LNAT_STAT_INC(ln, NEW_TEARDOWN);
	return e;

out_free:
	spin_unlock_bh(&ln->lock);
	kmem_cache_free(lnat_cache, e);
	return old;
}

/**
 * lnat_create() - the mapping for an outbound packet that matched none
 * @ln: the netns's state
 * @p: the packet: its tuple (zone included), TCP flags or ICMP type
 * @hash: lnat_hash() of @p's tuple, from the lookup that missed
 * @ext_addr: the masquerade address, the egress interface's
 * @ifindex: the egress interface
 *
 * Any TCP packet creates one, not only a SYN (a loose mapping then). The
 * mapping, its binding and its port pool are charged to the memory cgroup
 * that enabled the netns (in softirq the kernel charges none unless told
 * which); over that cgroup's limit they fail, counted, rather than be
 * forced past it.
 *
 * Context: rcu_read_lock held (softirq or process); takes @ln->lock.
 * Return: the mapping (perhaps one another CPU created meanwhile) or an
 * ERR_PTR: -ENOMEM, -ENOSPC (table full), -EADDRINUSE (no port), each
 * counted.
 */
struct lnat_entry *lnat_create(struct lnat_net *ln, const struct lnat_pkt *p,
			       u32 hash, __be32 ext_addr, int ifindex)
{
	struct mem_cgroup *old = set_active_memcg(ln->memcg);
	struct lnat_entry *e = lnat_create_charged(ln, p, hash, ext_addr,
						   ifindex);

	set_active_memcg(old);
	return e;
}

/*
 * Caller holds ln->lock: the live binding an unsolicited @reply may enter
 * by, if @filter lets its source in and the binding has room for it.
 */
static struct lnat_bind *lnat_inbound_bind(struct lnat_net *ln,
					   const struct lnat_tuple *reply,
					   int filter)
{
	struct lnat_bind *b;

	b = lnat_bind_lookup(ln, LNAT_BIND_EXT, reply->daddr, reply->dport,
			     reply->proto);
	/* Retired: the router's own socket took its port. */
	if (!b || lnat_bind_retired(b) || !lnat_bind_live(ln, b, jiffies) ||
	    b->inbound >= LNAT_INBOUND_MAX)
		return NULL;
	/* A socket of the router's own took the port since: it moves. */
	if (lnat_bind_sock_taken(ln, b, reply->saddr, reply->sport)) {
		lnat_bind_retire(b);
		return NULL;
	}
	if (filter == LNAT_FILTER_AD && !lnat_peer_sent(ln, b, reply->saddr))
		return NULL;
	return b;
}

/**
 * lnat_create_inbound() - a mapping for an unsolicited inbound packet
 * @ln: the netns's state
 * @p: a packet from outside that matched no mapping
 * @hash: lnat_hash() of @p's tuple, from the lookup that missed
 *
 * A TCP SYN or a UDP datagram to a live binding's external port gets a
 * mapping to the binding's internal endpoint when the protocol's filtering
 * (tcp_filtering, udp_filtering) lets its source in: anyone
 * (endpoint-independent), or a host the endpoint has sent to
 * (address-dependent). Until the inside answers, the mapping is evicted
 * first when the table is full, and a binding holds at most
 * LNAT_INBOUND_MAX of them: the outside cannot fill the table.
 *
 * Context: rcu_read_lock held; takes @ln->lock if a binding holds the port.
 * The mapping is charged as lnat_create()'s.
 * Return: the mapping; NULL when filtered (the packet is for the router
 * itself); an ERR_PTR when there is no room, counted.
 */
struct lnat_entry *lnat_create_inbound(struct lnat_net *ln,
				       const struct lnat_pkt *p, u32 hash)
{
	const struct lnat_tuple *reply = &p->t;
	struct lnat_entry *e, *old;
	struct mem_cgroup *memcg;
	struct lnat_tuple *orig;
	struct lnat_bind *b;
	int filter, err;

	switch (reply->proto) {
	case IPPROTO_TCP:
		/* Only a SYN opens a connection from outside. */
		if (p->tf != LNAT_TF_SYN)
			return NULL;
		filter = READ_ONCE(ln->tcp_filtering);
		break;
	case IPPROTO_UDP:
		filter = READ_ONCE(ln->udp_filtering);
		break;
	default:
		return NULL;
	}
	/* Unsolicited packets to no binding cost no allocation, no lock. */
	if (filter == LNAT_FILTER_APD ||
	    !lnat_bind_lookup(ln, LNAT_BIND_EXT, reply->daddr, reply->dport,
			      reply->proto))
		return NULL;
	memcg = set_active_memcg(ln->memcg);
	e = kmem_cache_zalloc(lnat_cache, LNAT_GFP_PKT);
	set_active_memcg(memcg);
	if (!e) {
		LNAT_STAT_INC(ln, DROP_NOMEM);
		return ERR_PTR(-ENOMEM);
	}
	spin_lock_bh(&ln->lock);
	old = NULL;
	if (!lnat_inbound_bind(ln, reply, filter))
		goto out_free;
	/* Room only for a packet let in; eviction may free the binding. */
	err = lnat_make_room(ln);
	if (err) {
		LNAT_STAT_INC(ln, DROP_FULL);
		old = ERR_PTR(err);
		goto out_free;
	}
	b = lnat_inbound_bind(ln, reply, filter);
	if (!b)
		goto out_free;
	old = lnat_lookup_hashed(ln, LNAT_DIR_REPLY, reply, hash);
	if (old)
		goto out_free;
	e->tuple[LNAT_DIR_REPLY] = *reply;
	orig = &e->tuple[LNAT_DIR_ORIG];
	orig->saddr = b->int_addr;
	orig->daddr = reply->saddr;
	orig->sport = b->int_port;
	orig->dport = reply->sport;
	orig->proto = reply->proto;
	orig->zone = b->zone;
	if (reply->proto == IPPROTO_TCP)
		e->state = lnat_tcp_initial(LNAT_TF_SYN);
	e->last_seen = (u32)jiffies;
	e->ifindex = b->ifindex;
	e->bind = b;
	b->refs++;
	b->inbound++;
	__set_bit(LNAT_F_REPLIED, &e->flags);
	__set_bit(LNAT_F_INBOUND, &e->flags);
	list_add_tail(&e->unreplied, &ln->unreplied);
	lnat_table_insert(ln, e, hash, LNAT_DIR_REPLY);
	spin_unlock_bh(&ln->lock);
	LNAT_STAT_INC(ln, NEW);
	return e;

out_free:
	spin_unlock_bh(&ln->lock);
	kmem_cache_free(lnat_cache, e);
	return old;
}

/**
 * lnat_inbound_answered() - the inside sent on a mapping the outside made
 * @ln: the netns's state
 * @e: an LNAT_F_INBOUND mapping, which is no longer evicted first nor
 *	counted against its binding's inbound share
 *
 * Context: rcu_read_lock held; takes @ln->lock once per such mapping.
 */
void lnat_inbound_answered(struct lnat_net *ln, struct lnat_entry *e)
{
	spin_lock_bh(&ln->lock);
	if (!test_bit(LNAT_F_DEAD, &e->flags) &&
	    test_and_clear_bit(LNAT_F_INBOUND, &e->flags)) {
		list_del_init(&e->unreplied);
		e->bind->inbound--;
	}
	spin_unlock_bh(&ln->lock);
}

/**
 * lnat_peer_sent() - has @b's internal endpoint sent to @remote?
 * @ln: the netns's state
 * @b: a TCP or UDP binding
 * @remote: an outside address
 *
 * What address-dependent filtering asks: is there a live mapping of @b's
 * towards @remote, any port, that the inside made or answered? One bucket
 * of the peer index, not a walk of @b's mappings.
 *
 * Context: @ln->lock held (the index has no RCU readers).
 * Return: true if there is one.
 */
bool lnat_peer_sent(struct lnat_net *ln, const struct lnat_bind *b,
		    __be32 remote)
{
	unsigned long now = jiffies;
	struct lnat_entry *e;

	lockdep_assert_held(&ln->lock);
	hlist_for_each_entry(e, lnat_peer_head(ln, b, remote), pnode)
		if (e->bind == b && e->tuple[LNAT_DIR_REPLY].saddr == remote &&
		    !test_bit(LNAT_F_INBOUND, &e->flags) &&
		    !lnat_expired(ln, e, now))
			return true;
	return false;
}

/**
 * lnat_refresh() - a packet of @e's was translated: push its expiry back
 * @e: the mapping
 *
 * At most one write a tick, so busy flows do not bounce the cache line.
 *
 * Context: rcu_read_lock held; lockless.
 */
void lnat_refresh(struct lnat_entry *e)
{
	u32 now = (u32)jiffies;

	if (READ_ONCE(e->last_seen) != now)
		WRITE_ONCE(e->last_seen, now);
}

/**
 * lnat_set_replied() - @e saw its first packet from outside
 * @ln: the netns's state
 * @e: the mapping, off the unreplied (first evicted) list from now on
 *
 * Context: rcu_read_lock held; takes @ln->lock once per mapping.
 */
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

/**
 * lnat_timeout() - how long @e lives without a packet
 * @ln: the netns's state, whose sysctls are read at use, so a changed one
 *	applies to every existing mapping
 * @e: the mapping
 *
 * Context: any; lockless.
 * Return: the timeout in jiffies.
 */
unsigned long lnat_timeout(const struct lnat_net *ln,
			   const struct lnat_entry *e)
{
	bool replied = test_bit(LNAT_F_REPLIED, &e->flags);
	/* Opened from outside, not answered: short, whatever the outside sends. */
	bool inbound = test_bit(LNAT_F_INBOUND, &e->flags);
	unsigned long t;

	switch (e->tuple[LNAT_DIR_ORIG].proto) {
	case IPPROTO_TCP:
		t = READ_ONCE(ln->timeout[READ_ONCE(e->state)]);
		if (test_bit(LNAT_F_LOOSE, &e->flags) && !replied)
			t = min_t(unsigned long, t,
				  READ_ONCE(ln->timeout[LNAT_TO_LOOSE]));
		if (inbound)
			t = min_t(unsigned long, t,
				  READ_ONCE(ln->timeout[LNAT_TCP_SYN_RECV]));
		break;
	case IPPROTO_UDP:
		t = READ_ONCE(ln->timeout[replied && !inbound ?
					  LNAT_TO_UDP_STREAM : LNAT_TO_UDP]);
		break;
	case IPPROTO_ICMP:
		t = READ_ONCE(ln->timeout[LNAT_TO_ICMP]);
		break;
	default:
		t = READ_ONCE(ln->timeout[LNAT_TO_GENERIC]);
	}
	return t * HZ;
}

/**
 * lnat_expired() - has @e outlived its timeout at @now?
 * @ln: the netns's state
 * @e: the mapping
 * @now: jiffies
 *
 * Context: any; lockless.
 * Return: true if expired: it lets nothing in, and the collector takes it.
 */
bool lnat_expired(const struct lnat_net *ln, const struct lnat_entry *e,
		  unsigned long now)
{
	return (u32)now - READ_ONCE(e->last_seen) > lnat_timeout(ln, e);
}

