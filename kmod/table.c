// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping table's storage: one keyed hash per direction (and the
 * bindings' two), RCU readers on the packet path, writers under the netns's
 * lock; and the peer index (mappings by binding and remote address) that
 * only the lock's holders read. What goes in and out, and when, is conn.c's and gc.c's.
 */
#include <linux/mm.h>
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

/* /proc readers find the hashes under RCU: NULL, a grace period, free. */
static void lnat_hashes_free(struct lnat_net *ln)
{
	struct hlist_head *h[LNAT_DIR_MAX + LNAT_BIND_MAX + 1];
	int i, n = 0;

	for (i = 0; i < LNAT_DIR_MAX; i++) {
		h[n++] = ln->hash[i];
		WRITE_ONCE(ln->hash[i], NULL);
	}
	for (i = 0; i < LNAT_BIND_MAX; i++) {
		h[n++] = ln->bhash[i];
		WRITE_ONCE(ln->bhash[i], NULL);
	}
	h[n++] = ln->phash;
	ln->phash = NULL;
	synchronize_rcu();
	while (n--)
		kvfree(h[n]);
}

/**
 * lnat_table_init() - allocate the mapping and binding hashes
 * @ln: the netns's state
 * @bits: log2 of the buckets per hash
 *
 * Context: process; may sleep.
 * Return: 0 or -ENOMEM.
 */
int lnat_table_init(struct lnat_net *ln, unsigned int bits)
{
	struct hlist_head *h[LNAT_DIR_MAX + LNAT_BIND_MAX + 1];
	size_t n = 1U << bits;
	int i;

	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i] = kvcalloc(n, sizeof(struct hlist_head), GFP_KERNEL_ACCOUNT);
		if (!h[i]) {
			while (i--)
				kvfree(h[i]);
			return -ENOMEM;
		}
	}
	ln->hash_bits = bits;
	get_random_bytes(&ln->hash_key, sizeof(ln->hash_key));
	spin_lock_init(&ln->lock);
	INIT_LIST_HEAD(&ln->unreplied);
	INIT_HLIST_HEAD(&ln->pools);
	atomic_set(&ln->count, 0);
	atomic_set(&ln->hairpins, 0);
	for (i = 0; i < LNAT_DIR_MAX; i++)
		/* Zeroed before /proc readers (acquire) can find it. */
		smp_store_release(&ln->hash[i], h[i]);
	for (i = 0; i < LNAT_BIND_MAX; i++)
		/* As above. */
		smp_store_release(&ln->bhash[i], h[LNAT_DIR_MAX + i]);
	ln->phash = h[LNAT_DIR_MAX + LNAT_BIND_MAX];
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
	WARN_ON_ONCE(atomic_read(&ln->count));
	lnat_hashes_free(ln);
}

/**
 * lnat_hash() - the bucket of a tuple, keyed per netns
 * @ln: the netns's state
 * @t: the tuple, zone included
 *
 * Context: any.
 * Return: an index below 1 << @ln->hash_bits.
 */
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

/**
 * lnat_lookup() - the mapping a packet belongs to
 * @ln: the netns's state
 * @dir: the direction @t is seen in
 * @t: the packet's tuple, as on the wire
 *
 * Context: rcu_read_lock (netfilter hooks hold it) or @ln->lock held.
 * Return: the mapping, possibly expired or dying under RCU, or NULL.
 */
struct lnat_entry *lnat_lookup(struct lnat_net *ln, enum lnat_dir dir,
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
struct hlist_head *lnat_peer_head(const struct lnat_net *ln,
				  const struct lnat_bind *b, __be32 remote)
{
	return &ln->phash[hsiphash_4u32((__force u32)remote,
					(__force u32)b->ext_addr,
					(__force u16)b->ext_port, b->proto,
					&ln->hash_key) &
			  ((1U << ln->hash_bits) - 1)];
}

/**
 * lnat_table_insert() - hash a complete mapping in both directions
 * @ln: the netns's state
 * @e: the mapping, both tuples final; a TCP or UDP one also goes into
 *	the peer index under its binding
 *
 * Context: @ln->lock held.
 */
void lnat_table_insert(struct lnat_net *ln, struct lnat_entry *e)
{
	int dir;

	lockdep_assert_held(&ln->lock);
	for (dir = 0; dir < LNAT_DIR_MAX; dir++)
		hlist_add_head_rcu(&e->hnode[dir],
				   &ln->hash[dir][lnat_hash(ln, &e->tuple[dir])]);
	if (e->bind && e->bind->proto != IPPROTO_ICMP)
		hlist_add_head(&e->pnode,
			       lnat_peer_head(ln, e->bind,
					      e->tuple[LNAT_DIR_REPLY].saddr));
	atomic_inc(&ln->count);
	atomic_inc(&lnat_total);
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
