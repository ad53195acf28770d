/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loosenat: a loose masquerade table for IPv4 that creates a mapping for any
 * outbound TCP packet, so no teardown ever leaves with a private source.
 * Shared by the module (kmod/) and its KUnit suites (kunit/).
 */
#ifndef _LNAT_H
#define _LNAT_H

#include <linux/llist.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/siphash.h>
#include <linux/workqueue.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>
#include <linux/sysctl.h>
#include <linux/icmp.h>

enum lnat_dir {
	LNAT_DIR_ORIG,		/* inside -> outside, before translation */
	LNAT_DIR_REPLY,		/* outside -> inside, before translation */
	LNAT_DIR_MAX
};

/* Loose TCP states, named and ordered like nf_conntrack's. */
enum lnat_tcp_state {
	LNAT_TCP_SYN_SENT,
	LNAT_TCP_SYN_RECV,
	LNAT_TCP_ESTABLISHED,
	LNAT_TCP_FIN_WAIT,
	LNAT_TCP_CLOSE_WAIT,
	LNAT_TCP_LAST_ACK,
	LNAT_TCP_TIME_WAIT,
	LNAT_TCP_CLOSE,
	LNAT_TCP_MAX
};

/* Flag classes, tested in tcp_conntracks' order: RST, SYN(+ACK), FIN, ACK. */
enum lnat_tcp_flags {
	LNAT_TF_SYN,
	LNAT_TF_SYNACK,
	LNAT_TF_FIN,
	LNAT_TF_ACK,
	LNAT_TF_RST,
	LNAT_TF_NONE,
	LNAT_TF_MAX
};

/* Timeout sysctls: one per TCP state, then the others. */
enum lnat_timeout {
	LNAT_TO_LOOSE = LNAT_TCP_MAX,
	LNAT_TO_UDP,
	LNAT_TO_UDP_STREAM,
	LNAT_TO_ICMP,
	LNAT_TO_GENERIC,
	LNAT_TO_MAX
};

enum lnat_stat {
	LNAT_STAT_FOUND,
	LNAT_STAT_NEW,
	LNAT_STAT_NEW_LOOSE,
	LNAT_STAT_NEW_TEARDOWN,
	LNAT_STAT_DROP_FULL,
	LNAT_STAT_DROP_NOPORT,
	LNAT_STAT_DROP_NOMEM,
	LNAT_STAT_DROP_NOADDR,
	LNAT_STAT_EARLY_DROP,
	LNAT_STAT_EXPIRED,
	LNAT_STAT_INVALID,
	LNAT_STAT_ICMP_XLAT,
	LNAT_STAT_ICMP_DROP,
	LNAT_STAT_HAIRPIN,
	LNAT_STAT_DROP_UNSOLICITED,
	LNAT_STAT_MAX
};

struct lnat_stats {
	unsigned int s[LNAT_STAT_MAX];
};

/* A packet's addresses and ports as seen on the wire, network byte order. */
struct lnat_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
	u16 zone;	/* conntrack zone of an outbound packet, 0 inbound */
};

/*
 * A packet as lnat_parse() reads it: its tuple, where its transport header
 * starts, and what creates or moves a mapping's state.
 */
struct lnat_pkt {
	struct lnat_tuple t;
	unsigned int thoff;		/* transport header, from skb->data */
	enum lnat_tcp_flags tf;		/* TCP: the flags' class */
	u8 icmp_type;			/* ICMP: type and code */
	u8 icmp_code;
};

/* Entry flag bits (atomic bitops on lnat_entry.flags). */
enum {
	LNAT_F_REPLIED,		/* a packet from outside was seen */
	LNAT_F_ASSURED,		/* established after a reply */
	LNAT_F_LOOSE,		/* created from a packet other than a SYN */
	LNAT_F_DEAD,		/* unhashed, waiting for RCU */
	LNAT_F_INBOUND,		/* made by an inbound packet, not answered yet */
	LNAT_F_HAIRPIN,		/* the sender's side of a hairpinned flow */
	LNAT_F_ZONE_REPLY,	/* its conntrack zone is its answers' too */
};

/*
 * Which unsolicited inbound packets to a binding's external port get a
 * mapping (RFC 4787 section 5, RFC 5382 REQ-3): from anyone, from a host
 * the internal endpoint has sent to, or none (only the exact remote end of
 * an existing mapping gets in). The values of tcp_filtering, udp_filtering.
 */
enum lnat_filter {
	LNAT_FILTER_EI,		/* endpoint-independent */
	LNAT_FILTER_AD,		/* address-dependent */
	LNAT_FILTER_APD,	/* address-and-port-dependent */
	LNAT_FILTER_MAX
};

/*
 * What an unsolicited SYN to port_range gets (RFC 5382 REQ-4): dropped
 * silently, or held 6 s and then answered with an ICMP port unreachable.
 * The values of tcp_unsolicited_syn.
 */
enum lnat_unsolicited {
	LNAT_UNSOL_DROP,
	LNAT_UNSOL_UNREACH,
	LNAT_UNSOL_MAX
};

enum lnat_bind_key {
	LNAT_BIND_INT,		/* by internal address, port, protocol */
	LNAT_BIND_EXT,		/* by external address, port, protocol */
	LNAT_BIND_MAX
};

/*
 * An endpoint-independent binding (RFC 4787 REQ-1, RFC 5382 REQ-1) for TCP,
 * UDP and ICMP queries: one internal address and port (or query
 * identifier) owns one external port, shared by all its mappings whatever
 * the remote end, and by no other internal endpoint (RFC 4787 REQ-3,
 * RFC 5382 REQ-7: no port overloading).
 */
struct lnat_bind {
	struct hlist_node hnode[LNAT_BIND_MAX];
	__be32 int_addr;
	__be32 ext_addr;
	__be16 int_port;
	__be16 ext_port;
	u8 proto;
	u16 zone;
	unsigned int refs;		/* mappings using it, under lnat_net.lock */
	unsigned int inbound;		/* of them LNAT_F_INBOUND, same lock */
	u32 last_out;			/* jiffies: the inside last sent through it */
	int ifindex;
	struct lnat_pool *pool;
	struct rcu_head rcu;
};

/*
 * The external ports that TCP, UDP or ICMP bindings hold on one address, so a
 * free one is found with bounded work (one bitmap search), not by probing.
 * Only touched under lnat_net.lock.
 */
struct lnat_pool {
	struct hlist_node node;
	__be32 addr;
	u8 proto;
	unsigned int refs;		/* bindings on it */
	unsigned long *used;		/* 65536 bits */
	struct rcu_head rcu;
};

/*
 * One mapping, hashed once per direction. tuple[ORIG] is the outbound packet
 * before translation (internal -> remote); tuple[REPLY] the inbound one before
 * translation (remote -> external address and port).
 */
struct lnat_entry {
	struct hlist_node hnode[LNAT_DIR_MAX];
	struct hlist_node pnode;	/* lnat_net.phash: TCP and UDP */
	struct lnat_tuple tuple[LNAT_DIR_MAX];
	/*
	 * Off the unreplied list before it is dead (both under lnat_net.lock),
	 * so the RCU head or the collector's free batch can share its space:
	 * 128 bytes an entry, not 144.
	 */
	union {
		struct list_head unreplied;	/* lnat_net.unreplied, oldest first */
		struct rcu_head rcu;
		struct llist_node dead;
	};
	unsigned long flags;
	u32 last_seen;			/* jiffies, refreshed at most once a tick */
	union {
		u32 state;		/* TCP: enum lnat_tcp_state */
		struct {
			u8 type;	/* ICMP query: the message that made it */
			u8 code;
		} icmp;
	};
	int ifindex;			/* masqueraded interface it left by */
	struct lnat_bind *bind;		/* TCP, UDP and ICMP queries */
};

#define LNAT_MAX_IFACES		8
#define LNAT_IFNAMES_LEN	(LNAT_MAX_IFACES * (IFNAMSIZ + 1))

/* Interface names; a trailing '+' or '*' matches every name it prefixes. */
struct lnat_ifset {
	unsigned int n;
	char name[LNAT_MAX_IFACES][IFNAMSIZ];
	u8 cmp[LNAT_MAX_IFACES];	/* bytes compared: IFNAMSIZ or a prefix */
	struct rcu_head rcu;
};

/*
 * Locking, once for the whole module.
 *
 * lnat_net.lock (a spinlock, taken with _bh: the packet path takes it in
 * softirq) serialises every writer of: the mapping and binding hash chains,
 * the unreplied list, the port pools and their bits, a binding's refs, the
 * transition of an entry to LNAT_F_DEAD and of LNAT_F_REPLIED with its list
 * removal. Functions that need it say so and lockdep_assert_held() it.
 *
 * RCU: readers of the chains (the packet path, /proc) hold rcu_read_lock;
 * entries and bindings are freed after a grace period (call_rcu,
 * kfree_rcu, or the collector's batches through queue_rcu_work()), so a
 * reader may find one that is dead: it still reads valid memory, and a
 * writer rechecks LNAT_F_DEAD under the lock. The interface set is an RCU
 * pointer, replaced under the sysctl mutex.
 *
 * Written without the lock: an entry's last_seen (WRITE_ONCE, at most once
 * a tick; a lost race only loses a tick), its TCP state (cmpxchg), its flag
 * bits (atomic bitops); the per-CPU counters; the sysctl-backed settings
 * (WRITE_ONCE by the handlers, READ_ONCE at use); revalidate (atomic);
 * gc_pos, gc_scanned, gc_avg, gc_start (the collector's work only, never
 * concurrent with itself);
 * gc_slice_max (a racy maximum, see gc.c).
 *
 * Entry points: the hooks run in softirq, or in process context with
 * bottom halves disabled for the router's own packets, under
 * rcu_read_lock; sysctl handlers, /proc readers, the collector's work and
 * the device notifiers (under RTNL) run in process context and may sleep,
 * except while they hold the lock or rcu_read_lock.
 */
struct lnat_net {
	struct net *net;
	/*
	 * Serialises lnat_enable() and lnat_disable() with everything that
	 * walks the table outside the hooks (flush, revalidation); /proc
	 * readers find the hashes under RCU instead.
	 */
	struct mutex mutex;
	bool active;			/* table allocated, hooks registered */
	struct mem_cgroup *memcg;	/* the enabler's: mappings charged to it */
	struct lnat_hashes __rcu *tab;
	seqcount_spinlock_t tab_seq;	/* odd while lnat_table_grow() moves */
	unsigned int hash_bits;		/* log2 of the buckets it grows to */
	bool grow;			/* more mappings than buckets */
	hsiphash_key_t hash_key;

	spinlock_t lock;		/* writers: chains, unreplied, count, pools */
	struct list_head unreplied;
	unsigned int reclaim_pos;	/* next bucket lnat_make_room() looks at */
	struct hlist_head pools;	/* RCU readers: hairpin.c */
	atomic_t count;
	atomic_t hairpins;		/* mappings with LNAT_F_HAIRPIN */

	struct lnat_stats __percpu *stats;
	struct delayed_work gc_work;
	atomic_t revalidate;		/* device or address changed */
	unsigned int gc_pos;		/* next bucket of the sweep */
	unsigned int gc_scanned;	/* live entries the sweep averaged */
	long gc_avg;			/* jiffies, their average time left */
	unsigned long gc_start;		/* jiffies, the sweep's start */
	u64 gc_slice_max;		/* ns, longest GC run between resched */
	struct sk_buff_head held;	/* unsolicited SYNs, unsolicited.c */
	struct delayed_work hold_work;

	/* sysctl-backed settings, read locklessly on the packet path */
	int timeout[LNAT_TO_MAX];	/* seconds */
	int max_entries;
	u32 port_range;			/* low << 16 | high */
	int tcp_filtering;		/* enum lnat_filter */
	int udp_filtering;
	int tcp_unsolicited_syn;	/* enum lnat_unsolicited */
	u32 mark;			/* translate only (skb->mark & mask) == mark */
	u32 mark_mask;
	struct lnat_ifset __rcu *ifset;
	char ifnames[LNAT_IFNAMES_LEN];
	struct ctl_table_header *sysctl_hdr;
	struct nf_hook_ops ops[4];	/* lnat_ops in hooks.c; priv = us */
};

/* The table starts with this many buckets (log2) and grows fourfold. */
#define LNAT_HASH_BITS_MIN	8

/*
 * The table's hashes, one allocation, replaced whole when the table grows
 * (lnat_table_grow()). Readers take the pointer once (lnat_tab()) and mask
 * with its bits.
 */
struct lnat_hashes {
	unsigned int bits;
	struct hlist_head *dir[LNAT_DIR_MAX];
	struct hlist_head *bind[LNAT_BIND_MAX];
	/* TCP and UDP mappings by binding and remote address: who was sent to */
	struct hlist_head *peer;
	struct hlist_head heads[];
};

/* The hashes, for a reader under rcu_read_lock or a writer under ln->lock. */
static inline struct lnat_hashes *lnat_tab(struct lnat_net *ln)
{
	return rcu_dereference_check(ln->tab, lockdep_is_held(&ln->lock));
}

/* The bucket of @hash in @tab. */
static inline u32 lnat_bucket(const struct lnat_hashes *tab, u32 hash)
{
	return hash & ((1U << tab->bits) - 1);
}

/*
 * Packet-path allocations (mapping, binding, port pool): charged to the
 * active memory cgroup, the enabler's (lnat_create()); no __GFP_HIGH, so
 * over that cgroup's limit they fail instead of being forced past it.
 */
#define LNAT_GFP_PKT	(GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN)

#define LNAT_STAT_INC(ln, f)	this_cpu_inc((ln)->stats->s[LNAT_STAT_##f])

/* ICMP messages with an embedded packet (RFC 5508 REQ-3). */
static inline bool lnat_icmp_is_error(u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* Queries carry an identifier, mapped like a port (RFC 5508 REQ-1). */
static inline bool lnat_icmp_is_query(u8 type)
{
	switch (type) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REQUEST:
	case ICMP_INFO_REPLY:
	case ICMP_ADDRESS:
	case ICMP_ADDRESSREPLY:
		return true;
	}
	return false;
}

/* Is @dev one of @ln's masqueraded interfaces? Caller holds rcu_read_lock. */
static inline bool lnat_iface_match(struct lnat_net *ln,
				    const struct net_device *dev)
{
	const struct lnat_ifset *set = rcu_dereference(ln->ifset);
	unsigned int i;

	if (!set || !dev)
		return false;
	for (i = 0; i < set->n; i++)
		if (!strncmp(dev->name, set->name[i], set->cmp[i]))
			return true;
	return false;
}

/* netns.c */
void lnat_net_state_init(struct lnat_net *ln, struct net *net,
			 unsigned int bits);
int lnat_net_setup(struct lnat_net *ln, struct net *net, unsigned int bits);
void lnat_net_teardown(struct lnat_net *ln);
int lnat_netns_register(void);
void lnat_netns_unregister(void);

/* gc.c */
unsigned int lnat_collect(struct lnat_net *ln, bool all, bool revalidate);
void lnat_gc_start(struct lnat_net *ln);
void lnat_gc_revalidate(struct lnat_net *ln);
void lnat_gc_kick(struct lnat_net *ln);
void lnat_gc_stop(struct lnat_net *ln);

/* conn.c */
int lnat_cache_init(void);
void lnat_cache_exit(void);
struct lnat_entry *lnat_create(struct lnat_net *ln, const struct lnat_pkt *p,
			       u32 hash, __be32 ext_addr, int ifindex);
struct lnat_entry *lnat_create_inbound(struct lnat_net *ln,
				       const struct lnat_pkt *p, u32 hash);
void lnat_inbound_answered(struct lnat_net *ln, struct lnat_entry *e);
bool lnat_peer_sent(struct lnat_net *ln, const struct lnat_bind *b,
		    __be32 remote);
void lnat_unlink(struct lnat_net *ln, struct lnat_entry *e,
		 struct llist_head *dead);
void lnat_free_batch(struct llist_head *dead);
void lnat_remove(struct lnat_net *ln, struct lnat_entry *e, bool retire);
void lnat_refresh(struct lnat_entry *e);
void lnat_set_replied(struct lnat_net *ln, struct lnat_entry *e);
unsigned long lnat_timeout(const struct lnat_net *ln,
			   const struct lnat_entry *e);
bool lnat_expired(const struct lnat_net *ln, const struct lnat_entry *e,
		  unsigned long now);

/* table.c */
#define LNAT_ENTRIES_MAX	(16 * 1024 * 1024)
extern int lnat_max_total;
void lnat_max_total_init(void);
bool lnat_total_room(void);
int lnat_table_init(struct lnat_net *ln, unsigned int bits);
void lnat_table_destroy(struct lnat_net *ln);
bool lnat_table_grow(struct lnat_net *ln);
u32 lnat_hash(const struct lnat_net *ln, const struct lnat_tuple *t);
u32 lnat_bind_hash(const struct lnat_net *ln, __be32 addr, __be16 port,
		   u8 proto);
struct lnat_entry *lnat_lookup_hashed(struct lnat_net *ln, enum lnat_dir dir,
				      const struct lnat_tuple *t, u32 hash);
struct lnat_entry *lnat_lookup(struct lnat_net *ln, enum lnat_dir dir,
			       const struct lnat_tuple *t);
bool lnat_reply_taken(struct lnat_net *ln, const struct lnat_tuple *reply);
struct hlist_head *lnat_peer_head(struct lnat_net *ln,
				  const struct lnat_bind *b, __be32 remote);
void lnat_table_insert(struct lnat_net *ln, struct lnat_entry *e, u32 hash,
		       enum lnat_dir dir);
void lnat_table_unhash(struct lnat_net *ln, struct lnat_entry *e);

/* tcp.c */
enum lnat_tcp_flags lnat_tcp_classify(u8 flags);
enum lnat_tcp_state lnat_tcp_initial(enum lnat_tcp_flags tf);
enum lnat_tcp_state lnat_tcp_next(enum lnat_tcp_state s, enum lnat_dir dir,
				  enum lnat_tcp_flags tf);
void lnat_tcp_update(struct lnat_entry *e, enum lnat_dir dir,
		     enum lnat_tcp_flags tf);
const char *lnat_tcp_state_name(u32 s);

/* ports.c */
struct lnat_bind *lnat_bind_lookup(struct lnat_net *ln, enum lnat_bind_key k,
				   __be32 addr, __be16 port, u8 proto);
struct lnat_bind *lnat_bind_get(struct lnat_net *ln,
				const struct lnat_tuple *orig, __be32 ext_addr,
				int ifindex);
void lnat_bind_put(struct lnat_net *ln, struct lnat_bind *b);
void lnat_bind_retire(struct lnat_bind *b);
void lnat_bind_touch(struct lnat_bind *b);
bool lnat_bind_sock_taken(struct lnat_net *ln, const struct lnat_bind *b,
			  __be32 raddr, __be16 rport);
bool lnat_pool_addr(struct lnat_net *ln, __be32 addr);
bool lnat_bind_live(const struct lnat_net *ln, const struct lnat_bind *b,
		    unsigned long now);
bool lnat_bind_retired(const struct lnat_bind *b);

/* mangle.c */
int lnat_mangle_init(void);
void lnat_mangle_exit(void);
int lnat_set_zone(struct net *net, struct sk_buff *skb,
		  const struct lnat_entry *e);
int lnat_mangle(struct sk_buff *skb, unsigned int thoff, enum lnat_dir dir,
		__be32 addr, __be16 port);
int lnat_mangle_icmp(struct sk_buff *skb, unsigned int thoff,
		     unsigned int ihoff, enum lnat_dir dir, __be32 addr,
		     __be16 port, bool outer);

/* hairpin.c */
unsigned int lnat_hairpin_in(struct lnat_net *ln, struct sk_buff *skb,
			     u16 zone, bool create);
struct lnat_entry *lnat_hairpin_find(struct lnat_net *ln, struct sk_buff *skb,
				     u16 zone, struct lnat_pkt *p);
unsigned int lnat_hairpin_icmp(struct lnat_net *ln, struct sk_buff *skb,
			       enum lnat_dir dir, u16 zone);

/* unsolicited.c */
bool lnat_hold_syn(struct lnat_net *ln, struct sk_buff *skb,
		   const struct tcphdr *th);
void lnat_hold_cancel(struct lnat_net *ln, const struct lnat_tuple *r);
void lnat_hold_flush(struct lnat_net *ln, const struct net_device *dev);
void lnat_hold_init(struct lnat_net *ln);

/* icmp.c */
int lnat_icmp_error(struct sk_buff *skb, enum lnat_dir dir,
		    unsigned int *thoff, unsigned int *ihoff,
		    struct lnat_tuple *emb);
bool lnat_icmp_csum_ok(struct sk_buff *skb, unsigned int thoff);
unsigned int lnat_icmp(struct lnat_net *ln, struct sk_buff *skb,
		       enum lnat_dir dir, u16 zone, bool own);

/* parse.c */
int lnat_parse(struct sk_buff *skb, enum lnat_dir dir, struct lnat_pkt *p);

/* hooks.c */
unsigned int lnat_xlat_out(struct lnat_net *ln, struct sk_buff *skb,
			   const struct net_device *out, __be32 ext,
			   struct lnat_entry **ep);
unsigned int lnat_xlat_in(struct lnat_net *ln, struct sk_buff *skb,
			  bool create, struct lnat_entry **ep);
int lnat_enable(struct lnat_net *ln);
void lnat_disable(struct lnat_net *ln);

/* sysctl.c */
void lnat_sysctl_defaults(struct lnat_net *ln, unsigned int bits);
int lnat_ifset_parse(const char *text, struct lnat_ifset *set);
int lnat_ifaces_set(struct lnat_net *ln, const char *text);
int lnat_sysctl_init(struct lnat_net *ln);
void lnat_sysctl_exit(struct lnat_net *ln);

/* proc.c */
int lnat_proc_init(struct lnat_net *ln);
void lnat_proc_exit(struct lnat_net *ln);

#endif /* _LNAT_H */
