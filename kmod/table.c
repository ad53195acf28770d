// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping table's storage: one keyed hash per direction (and the
 * bindings' two), RCU readers on the packet path, writers under the netns's
 * lock; and the peer index (mappings by binding and remote address) that
 * only the lock's holders read. What goes in and out, and when, is conn.c's and gc.c's.
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/random.h>
#include "lnat.h"

/* Mappings of every netns together, and their host-wide bound. */
static atomic_t lnat_total = ATOMIC_INIT(0);
int lnat_max_total __read_mostly;

/**
 * lnat_max_total_init() - the default host-wide bound, from memory
 *
 * As nf_conntrack_max, sized from RAM: mappings may take about 1/64 of it
 * (128 bytes each, one per 8 KiB), and never fewer than one netns's default
 * max_entries (65536).
 *
 * Context: process, module load.
 */
void lnat_max_total_init(void)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	lnat_max_total = clamp_t(u64, ram >> 13, 65536, LNAT_ENTRIES_MAX);
}

/**
 * lnat_total_room() - whether one more mapping stays within max_entries_total
 *
 * Checked under a netns's lock before its insert, which no CPU can be
 * preempted between: leaving one slot per CPU keeps the total within the
 * bound however many namespaces create mappings at once.
 *
 * Context: any.
 * Return: true if the host-wide bound leaves room.
 */
bool lnat_total_room(void)
{
	return atomic_read(&lnat_total) + (int)num_possible_cpus() <=
	       READ_ONCE(lnat_max_total);
}

/*
 * The five hashes of 1 << @bits buckets each, empty, in one allocation.
 * Growing past a memory cgroup's limit fails (__GFP_RETRY_MAYFAIL): the
 * table stays as it is rather than the cgroup's tasks being OOM-killed.
 */
static struct lnat_hashes *lnat_hashes_alloc(unsigned int bits)
{
	size_t n = 1UL << bits;
	struct lnat_hashes *tab;
	int i;

	tab = kvzalloc(struct_size(tab, heads,
				   (LNAT_DIR_MAX + LNAT_BIND_MAX + 1) * n),
		       GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!tab)
		return NULL;
	tab->bits = bits;
	for (i = 0; i < LNAT_DIR_MAX; i++)
		tab->dir[i] = tab->heads + i * n;
	for (i = 0; i < LNAT_BIND_MAX; i++)
		tab->bind[i] = tab->heads + (LNAT_DIR_MAX + i) * n;
	tab->peer = tab->heads + (LNAT_DIR_MAX + LNAT_BIND_MAX) * n;
	return tab;
}

/**
 * lnat_table_init() - allocate the mapping and binding hashes
 * @ln: the netns's state
 * @bits: log2 of the buckets the table may grow to; it starts with
 *	LNAT_HASH_BITS_MIN (or @bits if fewer)
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int lnat_table_init(struct lnat_net *ln, unsigned int bits)
{
	struct lnat_hashes *tab;

	tab = lnat_hashes_alloc(min(bits, LNAT_HASH_BITS_MIN));
	if (!tab)
		return -ENOMEM;
	ln->hash_bits = bits;
	ln->grow = false;
	get_random_bytes(&ln->hash_key, sizeof(ln->hash_key));
	spin_lock_init(&ln->lock);
	seqcount_spinlock_init(&ln->tab_seq, &ln->lock);
	INIT_LIST_HEAD(&ln->unreplied);
	INIT_HLIST_HEAD(&ln->pools);
	atomic_set(&ln->count, 0);
	atomic_set(&ln->hairpins, 0);
	/* Zeroed before /proc readers can find it. */
	rcu_assign_pointer(ln->tab, tab);
	return 0;
}

/**
 * lnat_table_destroy() - free the hashes of an empty table
 * @ln: the netns's state, every mapping already gone (lnat_gc_stop())
 *
 * Context: process, once no hook or sysctl writer can reach it; waits for
 * the /proc readers that can.
 */
void lnat_table_destroy(struct lnat_net *ln)
{
	struct lnat_hashes *tab = rcu_dereference_protected(ln->tab, true);

	WARN_ON_ONCE(atomic_read(&ln->count));
	RCU_INIT_POINTER(ln->tab, NULL);
	synchronize_rcu();
	kvfree(tab);
}

/**
 * lnat_hash() - the hash of a tuple, keyed per netns
 * @ln: the netns's state
 * @t: the tuple, zone included
 *
 * Context: any.
 * Return: 32 bits; lnat_bucket() picks the bucket of a table's size.
 */
u32 lnat_hash(const struct lnat_net *ln, const struct lnat_tuple *t)
{
	u32 ports = (__force u32)t->sport << 16 | (__force u16)t->dport;

	return hsiphash_4u32((__force u32)t->saddr, (__force u32)t->daddr,
			     ports, t->proto | (u32)t->zone << 8, &ln->hash_key);
}

/**
 * lnat_bind_hash() - the hash of a binding's internal or external endpoint
 * @ln: the netns's state
 * @addr: the address
 * @port: the port or ICMP identifier
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP
 *
 * Context: any.
 * Return: 32 bits; lnat_bucket() picks the bucket of a table's size.
 */
u32 lnat_bind_hash(const struct lnat_net *ln, __be32 addr, __be16 port,
		   u8 proto)
{
	return hsiphash_3u32((__force u32)addr, (__force u16)port, proto,
			     &ln->hash_key);
}

static u32 lnat_peer_hash(const struct lnat_net *ln, const struct lnat_bind *b,
			  __be32 remote)
{
	return hsiphash_4u32((__force u32)remote, (__force u32)b->ext_addr,
			     (__force u16)b->ext_port, b->proto, &ln->hash_key);
}

/* Bucket @i of @old, every hash of it, to its new chains in @new. */
static void lnat_move_bucket(struct lnat_net *ln, struct lnat_hashes *old,
			     struct lnat_hashes *new, unsigned int i)
{
	struct hlist_node *tmp;
	struct lnat_entry *e;
	struct lnat_bind *b;
	u32 h;
	int k;

	for (k = 0; k < LNAT_DIR_MAX; k++)
		hlist_for_each_entry_safe(e, tmp, &old->dir[k][i], hnode[k]) {
			h = lnat_bucket(new, lnat_hash(ln, &e->tuple[k]));
			hlist_del_rcu(&e->hnode[k]);
			hlist_add_head_rcu(&e->hnode[k], &new->dir[k][h]);
		}
	for (k = 0; k < LNAT_BIND_MAX; k++)
		hlist_for_each_entry_safe(b, tmp, &old->bind[k][i], hnode[k]) {
			if (k == LNAT_BIND_INT)
				h = lnat_bind_hash(ln, b->int_addr, b->int_port,
						   b->proto);
			else
				h = lnat_bind_hash(ln, b->ext_addr, b->ext_port,
						   b->proto);
			hlist_del_rcu(&b->hnode[k]);
			hlist_add_head_rcu(&b->hnode[k],
					   &new->bind[k][lnat_bucket(new, h)]);
		}
	/* The peer index has no lockless readers. */
	hlist_for_each_entry_safe(e, tmp, &old->peer[i], pnode) {
		h = lnat_peer_hash(ln, e->bind, e->tuple[LNAT_DIR_REPLY].saddr);
		hlist_del(&e->pnode);
		hlist_add_head(&e->pnode, &new->peer[lnat_bucket(new, h)]);
	}
}

/**
 * lnat_table_grow() - move the table to four times its buckets
 * @ln: the netns's state
 *
 * Called by the collector once the mappings outnumber the buckets, up to
 * 1 << @ln->hash_bits. Every mapping and binding moves to its new chain
 * under @ln->lock, @ln->tab_seq odd: a lockless lookup that raced the move
 * and missed looks again (lnat_lookup()). As conntrack's resize, the move
 * holds the lock for the whole table: a millisecond per few ten thousand
 * mappings, once per fourfold growth; the table never shrinks while the
 * netns masquerades.
 *
 * Context: process, @ln->mutex held (so no flush or revalidation walks the
 * table meanwhile); may sleep.
 * Return: true if the table grew; false at its size limit or without
 * memory (the old table stays).
 */
bool lnat_table_grow(struct lnat_net *ln)
{
	struct lnat_hashes *old, *new;
	struct mem_cgroup *memcg;
	unsigned int i, bits;

	lockdep_assert_held(&ln->mutex);
	old = rcu_dereference_protected(ln->tab, lockdep_is_held(&ln->mutex));
	bits = min(old->bits + 2, ln->hash_bits);
	if (bits <= old->bits) {
		WRITE_ONCE(ln->grow, false);
		return false;
	}
	memcg = set_active_memcg(ln->memcg);
	new = lnat_hashes_alloc(bits);
	set_active_memcg(memcg);
	if (!new)
		return false;

	spin_lock_bh(&ln->lock);
	write_seqcount_begin(&ln->tab_seq);
	for (i = 0; i < 1U << old->bits; i++)
		lnat_move_bucket(ln, old, new, i);
	rcu_assign_pointer(ln->tab, new);
	/* Still more mappings than buckets: again, on the collector's way. */
	WRITE_ONCE(ln->grow, atomic_read(&ln->count) > 1 << bits &&
		   bits < ln->hash_bits);
	write_seqcount_end(&ln->tab_seq);
	spin_unlock_bh(&ln->lock);
	/* Lockless readers may still walk the old heads. */
	synchronize_rcu();
	kvfree(old);
	return true;
}

static bool lnat_tuple_eq(const struct lnat_tuple *a,
			  const struct lnat_tuple *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->proto == b->proto && a->zone == b->zone;
}

/**
 * lnat_lookup_hashed() - the mapping a packet belongs to, its hash known
 * @ln: the netns's state
 * @dir: the direction @t is seen in
 * @t: the packet's tuple, as on the wire
 * @hash: lnat_hash() of @t, which a miss passes on to the mapping's
 *	creation: it stays valid across a growth of the table
 *
 * Context: rcu_read_lock (netfilter hooks hold it) or @ln->lock held.
 * Return: the mapping, possibly expired or dying under RCU, or NULL.
 */
struct lnat_entry *lnat_lookup_hashed(struct lnat_net *ln, enum lnat_dir dir,
				      const struct lnat_tuple *t, u32 hash)
{
	struct lnat_hashes *tab;
	struct lnat_entry *e;
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&ln->tab_seq);
		tab = lnat_tab(ln);
		hlist_for_each_entry_rcu(e, &tab->dir[dir][lnat_bucket(tab, hash)],
					 hnode[dir], lockdep_is_held(&ln->lock))
			if (lnat_tuple_eq(&e->tuple[dir], t))
				return e;
	} while (read_seqcount_retry(&ln->tab_seq, seq));
	return NULL;
}

/**
 * lnat_lookup() - the mapping a packet belongs to
 * @ln: the netns's state
 * @dir: the direction @t is seen in
 * @t: the packet's tuple, as on the wire
 *
 * Context: as lnat_lookup_hashed().
 * Return: the mapping, possibly expired or dying under RCU, or NULL.
 */
struct lnat_entry *lnat_lookup(struct lnat_net *ln, enum lnat_dir dir,
			       const struct lnat_tuple *t)
{
	return lnat_lookup_hashed(ln, dir, t, lnat_hash(ln, t));
}

/**
 * lnat_reply_taken() - is this external 4-tuple held by a mapping?
 * @ln: the netns's state
 * @reply: the inbound tuple a new mapping would have
 *
 * Context: @ln->lock held, so the answer stays true until it is dropped.
 * Return: true if a mapping holds it.
 */
bool lnat_reply_taken(struct lnat_net *ln, const struct lnat_tuple *reply)
{
	lockdep_assert_held(&ln->lock);
	return lnat_lookup(ln, LNAT_DIR_REPLY, reply);
}

/**
 * lnat_peer_head() - the peer index's bucket for a binding and an address
 * @ln: the netns's state
 * @b: a TCP or UDP binding
 * @remote: an outside address
 *
 * Context: @ln->lock held to walk it: the index has no RCU readers.
 * Return: the bucket, whose entries hang by their pnode.
 */
struct hlist_head *lnat_peer_head(struct lnat_net *ln,
				  const struct lnat_bind *b, __be32 remote)
{
	struct lnat_hashes *tab = lnat_tab(ln);

	lockdep_assert_held(&ln->lock);
	return &tab->peer[lnat_bucket(tab, lnat_peer_hash(ln, b, remote))];
}

/**
 * lnat_table_insert() - hash a complete mapping in both directions
 * @ln: the netns's state
 * @e: the mapping, both tuples final; a TCP or UDP one also goes into
 *	the peer index under its binding
 * @hash: lnat_hash() of @e's tuple in @dir, which its creator looked up
 * @dir: that direction; the other one's is computed here
 *
 * Context: @ln->lock held.
 */
void lnat_table_insert(struct lnat_net *ln, struct lnat_entry *e, u32 hash,
		       enum lnat_dir dir)
{
	struct lnat_hashes *tab = lnat_tab(ln);
	enum lnat_dir other = !dir;

	lockdep_assert_held(&ln->lock);
	hlist_add_head_rcu(&e->hnode[dir],
			   &tab->dir[dir][lnat_bucket(tab, hash)]);
	hash = lnat_hash(ln, &e->tuple[other]);
	hlist_add_head_rcu(&e->hnode[other],
			   &tab->dir[other][lnat_bucket(tab, hash)]);
	if (e->bind && e->bind->proto != IPPROTO_ICMP)
		hlist_add_head(&e->pnode,
			       lnat_peer_head(ln, e->bind,
					      e->tuple[LNAT_DIR_REPLY].saddr));
	atomic_inc(&lnat_total);
	/* More mappings than buckets: the collector grows the table. */
	if (atomic_inc_return(&ln->count) > 1 << tab->bits &&
	    tab->bits < ln->hash_bits && !ln->grow) {
		WRITE_ONCE(ln->grow, true);
		mod_delayed_work(system_power_efficient_wq, &ln->gc_work, 0);
	}
}

/**
 * lnat_table_unhash() - take a mapping out of both hashes
 * @ln: the netns's state
 * @e: the mapping; RCU readers may still see it until a grace period ends
 *
 * Context: @ln->lock held.
 */
void lnat_table_unhash(struct lnat_net *ln, struct lnat_entry *e)
{
	lockdep_assert_held(&ln->lock);
	hlist_del_rcu(&e->hnode[LNAT_DIR_ORIG]);
	hlist_del_rcu(&e->hnode[LNAT_DIR_REPLY]);
	if (!hlist_unhashed(&e->pnode))
		hlist_del(&e->pnode);
	atomic_dec(&ln->count);
	atomic_dec(&lnat_total);
}
