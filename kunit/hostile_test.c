// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hostile input. Random and mutated packets through the packet path,
 * with oracles checked on every one; a hash key per table; chain lengths
 * under tuples crafted to collide in an unkeyed hash.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/panic_notifier.h>
#include <linux/prandom.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "lnat_kunit.h"

/* About 10 s on the debug kernel under TCG, 26 s on a busy host. */
static unsigned int fuzz_iters = 16000;
module_param(fuzz_iters, uint, 0444);
MODULE_PARM_DESC(fuzz_iters, "packets through the packet path in loosenat_hostile");

static unsigned int fuzz_seed = 0x6c6e6174;
module_param(fuzz_seed, uint, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of loosenat_hostile's packet generator");

/* Packets per parameter: each run must end well within the hung-task timeout. */
#define LNAT_T_CHUNK	20000
#define LNAT_T_FLUSH	4096	/* packets between table flushes */
#define LNAT_T_SLOTS	4	/* mappings remembered per protocol */
#define LNAT_T_PKT_MAX	384
#define LNAT_T_HOT_MAX	24

#define LNAT_T_EXT	cpu_to_be32(0xc0000201)	/* 192.0.2.1 */
#define LNAT_T_OTHER	cpu_to_be32(0xc0000209)	/* 192.0.2.9, not ours */
#define LNAT_T_HOP	cpu_to_be32(0xc6336401)	/* 198.51.100.1 */
/* A local address of the namespace (guest.sh brings lo up): never mapped. */
#define LNAT_T_OWN	cpu_to_be32(0x7f000001)	/* 127.0.0.1 */

enum lnat_t_kind {
	LNAT_T_TCP,
	LNAT_T_UDP,
	LNAT_T_UDP0,		/* UDP without a checksum */
	LNAT_T_ECHO,
	LNAT_T_GRE,
	LNAT_T_ERROR,
	LNAT_T_RANDOM,
};

/* Weighted: errors, which carry the most parsing, come most often. */
static const u8 lnat_t_kinds[] = {
	LNAT_T_TCP, LNAT_T_TCP, LNAT_T_TCP, LNAT_T_UDP, LNAT_T_UDP, LNAT_T_UDP0,
	LNAT_T_ECHO, LNAT_T_ECHO, LNAT_T_GRE, LNAT_T_RANDOM, LNAT_T_ERROR,
	LNAT_T_ERROR, LNAT_T_ERROR, LNAT_T_ERROR, LNAT_T_ERROR, LNAT_T_ERROR,
};

/* What an ICMP error quotes; a nested error only at the outer level. */
static const u8 lnat_t_quoted[] = {
	LNAT_T_TCP, LNAT_T_UDP, LNAT_T_ECHO, LNAT_T_GRE, LNAT_T_ERROR,
};

static const u8 lnat_t_errors[][2] = {
	{ ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED },
	{ ICMP_DEST_UNREACH, ICMP_PORT_UNREACH },
	{ ICMP_TIME_EXCEEDED, ICMP_EXC_TTL },
	{ ICMP_PARAMETERPROB, 0 },
};

/* Remembered mappings are kept per protocol, indexed by kind. */
static const u8 lnat_t_protos[] = {
	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_GRE,
};

static const u8 lnat_t_pindex[] = {
	[LNAT_T_TCP] = 0, [LNAT_T_UDP] = 1, [LNAT_T_UDP0] = 1,
	[LNAT_T_ECHO] = 2, [LNAT_T_ERROR] = 2, [LNAT_T_GRE] = 3,
};

static const __be32 lnat_t_inside[] = {
	cpu_to_be32(0x0a000002),	/* 10.0.0.2 */
	cpu_to_be32(0x0a000003),	/* 10.0.0.3 */
	cpu_to_be32(0x0ac80109),	/* 10.200.1.9 */
	cpu_to_be32(0xcb007105),	/* 203.0.113.5, public inside */
	LNAT_T_EXT,			/* public inside, the WAN's address */
	LNAT_T_OWN,			/* the router's own traffic */
};

static const __be32 lnat_t_outside[] = {
	cpu_to_be32(0xc0000202),	/* 192.0.2.2 */
	cpu_to_be32(0xc6336407),	/* 198.51.100.7 */
};

static const u16 lnat_t_ports[] = { 4000, 5353, 80, 53, 1024, 65535, 0 };

/* What an unmutated packet must come to, given the table. */
enum lnat_t_want {
	LNAT_T_ANY,
	LNAT_T_XLAT,
	LNAT_T_DROP,
};

enum {
	LNAT_T_SUM_IP = BIT(0),		/* IPv4 header */
	LNAT_T_SUM_L4 = BIT(1),		/* TCP, UDP, ICMP message */
	LNAT_T_SUM_NONE = BIT(2),	/* UDP without a checksum */
	LNAT_T_SUM_QUOTED = BIT(3),	/* IPv4 header an ICMP error quotes */
};

struct lnat_t_fuzz {
	struct kunit *test;
	struct lnat_net *ln;
	struct net_device *dev;	/* the WAN device mappings are made on */
	struct rnd_state rnd;
	unsigned int iter;
	enum lnat_dir dir;
	u8 kind;
	bool mutated;
	bool nested;		/* an error quoting an error */
	bool bad_dst;		/* an error not sent to the quoted source */
	bool from_map;		/* flow of a remembered mapping */
	bool fwd;		/* outbound: forwarded, not the router's own */
	bool fwd_in;		/* forwarded, in by a masqueraded interface */
	struct lnat_tuple flow;	/* the packet's, or the one its error is about */
	unsigned int len, linear, nhot;
	u16 hot[LNAT_T_HOT_MAX];	/* header bytes worth mutating */
	struct lnat_tuple map[ARRAY_SIZE(lnat_t_protos)][LNAT_T_SLOTS]
			     [LNAT_DIR_MAX];
	unsigned int n_invalid, n_drop, n_xlat, n_icmp_xlat, n_kept, n_answer;
	u8 pkt[LNAT_T_PKT_MAX] __aligned(8);	/* as fed in */
	u8 out[LNAT_T_PKT_MAX] __aligned(8);	/* as it came out */
};

/* One packet through the path: what happened, and what must be seen. */
struct lnat_t_run {
	unsigned int verdict;
	int parsed;
	enum lnat_t_want want;
	bool mangled;
	bool mapped;			/* outbound: its flow had a mapping */
	bool answer;			/* an answer leaving again: left alone */
	struct lnat_pkt in;		/* parsed from the packet */
	struct lnat_tuple xlat;		/* the translated packet must parse to */
	unsigned int drops, icmp_xlat;	/* counter increments */
};

static u32 lnat_t_rnd(struct lnat_t_fuzz *f, u32 n)
{
	return prandom_u32_state(&f->rnd) % n;
}

static void lnat_t_hot(struct lnat_t_fuzz *f, unsigned int off)
{
	if (f->nhot < LNAT_T_HOT_MAX)
		f->hot[f->nhot++] = off;
}

static struct lnat_tuple lnat_t_inverse(const struct lnat_tuple *t)
{
	struct lnat_tuple i = {
		.saddr = t->daddr, .daddr = t->saddr,
		.sport = t->dport, .dport = t->sport, .proto = t->proto,
	};

	return i;
}

static bool lnat_t_private(__be32 addr)
{
	return (addr & htonl(0xff000000)) == htonl(0x0a000000);
}

/* Tuples equal; ports only where the protocol has them. */
static bool lnat_t_same(const struct lnat_tuple *a, const struct lnat_tuple *b,
			bool ports)
{
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       a->proto == b->proto &&
	       (!ports || (a->sport == b->sport && a->dport == b->dport));
}

/* A well-known port three times in four, so flows meet; any port else. */
static u16 lnat_t_rnd_port(struct lnat_t_fuzz *f)
{
	return lnat_t_rnd(f, 4) ? lnat_t_ports[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_ports))] :
				  lnat_t_rnd(f, 65536);
}

/* A flow of @kind's protocol going @dir: half the time a remembered mapping's. */
static bool lnat_t_flow(struct lnat_t_fuzz *f, enum lnat_t_kind kind,
			enum lnat_dir dir, struct lnat_tuple *t)
{
	unsigned int p = lnat_t_pindex[kind];
	const struct lnat_tuple *m = f->map[p][lnat_t_rnd(f, LNAT_T_SLOTS)];

	if (m[dir].proto && lnat_t_rnd(f, 2)) {
		*t = m[dir];
		return true;
	}
	t->proto = lnat_t_protos[p];
	t->sport = htons(lnat_t_rnd_port(f));
	t->dport = htons(lnat_t_rnd_port(f));
	if (dir == LNAT_DIR_ORIG) {
		t->saddr = lnat_t_inside[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_inside))];
		t->daddr = lnat_t_outside[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_outside))];
	} else {
		t->saddr = lnat_t_outside[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_outside))];
		t->daddr = lnat_t_rnd(f, 4) ? LNAT_T_EXT : LNAT_T_OTHER;
	}
	/* GRE has no ports, an ICMP query only its identifier. */
	if (t->proto == IPPROTO_GRE ||
	    (t->proto == IPPROTO_ICMP && dir == LNAT_DIR_REPLY))
		t->sport = 0;
	if (t->proto == IPPROTO_GRE ||
	    (t->proto == IPPROTO_ICMP && dir == LNAT_DIR_ORIG))
		t->dport = 0;
	return false;
}

/*
 * One outbound packet in four of a protocol with ports (or none), when a
 * mapping is remembered: the inverse of its flow, an answer lnat_xlat_in()
 * translated that leaves by another masqueraded interface (interfaces=+).
 */
static bool lnat_t_answer(struct lnat_t_fuzz *f, enum lnat_t_kind kind)
{
	const struct lnat_tuple *m = f->map[lnat_t_pindex[kind]]
					   [lnat_t_rnd(f, LNAT_T_SLOTS)];

	if (f->dir != LNAT_DIR_ORIG || kind == LNAT_T_ECHO ||
	    !m[LNAT_DIR_ORIG].proto || lnat_t_rnd(f, 4))
		return false;
	f->flow = lnat_t_inverse(&m[LNAT_DIR_ORIG]);
	return true;
}

/* Bytes of random IPv4 options: none three times in four. */
static unsigned int lnat_t_opts(struct lnat_t_fuzz *f, unsigned int max)
{
	return lnat_t_rnd(f, 4) ? 0 : 4 * (1 + lnat_t_rnd(f, max / 4));
}

/* An IPv4 header at @off; lnat_t_seal() sets its length and checksum. */
static unsigned int lnat_t_put_ip(struct lnat_t_fuzz *f, unsigned int off,
				  u8 proto, __be32 saddr, __be32 daddr,
				  unsigned int opts)
{
	struct iphdr *iph = (struct iphdr *)(f->pkt + off);

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5 + opts / 4;
	iph->ttl = 64;
	iph->id = htons(f->iter);
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = daddr;
	prandom_bytes_state(&f->rnd, iph + 1, opts);
	lnat_t_hot(f, off);		/* version, IHL */
	lnat_t_hot(f, off + 2);		/* tot_len */
	lnat_t_hot(f, off + 3);
	lnat_t_hot(f, off + 6);		/* fragment bits */
	lnat_t_hot(f, off + 7);
	lnat_t_hot(f, off + 9);		/* protocol */
	return sizeof(*iph) + opts;
}

/* The transport part of a @kind packet of @t going @dir, payload included. */
static unsigned int lnat_t_put_l4(struct lnat_t_fuzz *f, unsigned int off,
				  enum lnat_t_kind kind,
				  const struct lnat_tuple *t, enum lnat_dir dir)
{
	/* MSS, NOP, NOP, SACK permitted, NOP, window scale */
	static const u8 opts[12] = { 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };
	static const u8 flags[] = {
		TCPHDR_SYN, TCPHDR_SYN | TCPHDR_ACK, TCPHDR_ACK,
		TCPHDR_FIN | TCPHDR_ACK, TCPHDR_RST, TCPHDR_RST | TCPHDR_ACK,
		TCPHDR_PSH | TCPHDR_ACK, 0,
	};
	unsigned int hl, olen, plen = lnat_t_rnd(f, 48);
	u8 *p = f->pkt + off;
	struct icmphdr *ih = (struct icmphdr *)p;
	struct udphdr *uh = (struct udphdr *)p;
	struct tcphdr *th = (struct tcphdr *)p;

	switch (kind) {
	case LNAT_T_TCP:
		olen = lnat_t_rnd(f, 2) ? sizeof(opts) : 4 * lnat_t_rnd(f, 2);
		hl = sizeof(*th) + olen;
		memset(th, 0, sizeof(*th));
		th->source = t->sport;
		th->dest = t->dport;
		th->seq = htonl(prandom_u32_state(&f->rnd));
		th->doff = hl / 4;
		tcp_flag_byte(th) = flags[lnat_t_rnd(f, ARRAY_SIZE(flags))];
		th->window = htons(1000);
		memcpy(th + 1, opts, olen);
		lnat_t_hot(f, off + 12);	/* doff */
		lnat_t_hot(f, off + 13);	/* flags */
		break;
	case LNAT_T_UDP:
	case LNAT_T_UDP0:
		hl = sizeof(*uh);
		uh->source = t->sport;
		uh->dest = t->dport;
		uh->len = htons(hl + plen);
		uh->check = 0;
		lnat_t_hot(f, off + 4);		/* len */
		lnat_t_hot(f, off + 5);
		break;
	case LNAT_T_ECHO:
		hl = sizeof(*ih);
		memset(ih, 0, sizeof(*ih));
		/* The identifier is the source port out, the destination in. */
		ih->type = dir == LNAT_DIR_ORIG ? ICMP_ECHO : ICMP_ECHOREPLY;
		ih->un.echo.id = dir == LNAT_DIR_ORIG ? t->sport : t->dport;
		ih->un.echo.sequence = htons(f->iter);
		lnat_t_hot(f, off);		/* type */
		lnat_t_hot(f, off + 1);		/* code */
		break;
	default:
		/* GRE carrying IPv4: never empty, so errors can quote 8 bytes. */
		hl = 4;
		plen = max(plen, 4U);
		put_unaligned_be32(ETH_P_IP, p);
		break;
	}
	prandom_bytes_state(&f->rnd, p + hl, plen);
	return hl + plen;
}

/*
 * Give the IPv4 packet at @ip the total length @tot and its checksums, the
 * transport one over the @len bytes present (all of it, or the part of it an
 * ICMP error quotes) when @l4 and the checksum field is there.
 */
static void lnat_t_seal(u8 *ip, unsigned int len, unsigned int tot, bool l4)
{
	struct iphdr *iph = (struct iphdr *)ip;
	unsigned int hl = iph->ihl * 4, n = len - hl;
	__sum16 *check = NULL;
	u8 *th = ip + hl;
	__wsum sum;

	iph->tot_len = htons(tot);
	if (iph->protocol == IPPROTO_TCP && n >= sizeof(struct tcphdr))
		check = &((struct tcphdr *)th)->check;
	else if (iph->protocol == IPPROTO_UDP && n >= sizeof(struct udphdr))
		check = &((struct udphdr *)th)->check;
	else if (iph->protocol == IPPROTO_ICMP && n >= sizeof(struct icmphdr))
		check = &((struct icmphdr *)th)->checksum;
	if (check && l4) {
		*check = 0;
		sum = csum_partial(th, n, 0);
		if (iph->protocol == IPPROTO_ICMP)
			*check = csum_fold(sum);
		else
			*check = csum_tcpudp_magic(iph->saddr, iph->daddr, n,
						   iph->protocol, sum) ?:
				 CSUM_MANGLED_0;
	}
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

/*
 * An ICMP error at @off about a flow going @f->dir: sent by the inside host
 * about a packet it received (ORIG), or by a router beyond about one we sent
 * (REPLY). Either way it quotes a packet of the flow's inverse.
 */
static unsigned int lnat_t_put_error(struct lnat_t_fuzz *f, unsigned int off,
				     bool nested)
{
	enum lnat_t_kind q = lnat_t_quoted[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_quoted) -
						      nested)];
	const u8 *err = lnat_t_errors[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_errors))];
	unsigned int hl, qoff, qhl, full, keep;
	struct lnat_tuple t, inv;
	struct icmphdr *ih;
	__be32 src, dst;
	bool from_map;

	from_map = lnat_t_flow(f, q, f->dir, &t);
	inv = lnat_t_inverse(&t);
	src = f->dir == LNAT_DIR_REPLY && lnat_t_rnd(f, 2) ? LNAT_T_HOP : t.saddr;
	/* RFC 5508 REQ-4: an error from outside goes to the quoted source. */
	dst = f->dir == LNAT_DIR_REPLY && !lnat_t_rnd(f, 8) ? LNAT_T_OTHER :
							      t.daddr;
	if (!nested) {
		f->flow = t;
		f->from_map = from_map;
		f->nested = q == LNAT_T_ERROR;
		f->bad_dst = dst != t.daddr;
	}
	hl = lnat_t_put_ip(f, off, IPPROTO_ICMP, src, dst, lnat_t_opts(f, 40));
	ih = (struct icmphdr *)(f->pkt + off + hl);
	memset(ih, 0, sizeof(*ih));
	ih->type = err[0];
	ih->code = err[1];
	if (err[1] == ICMP_FRAG_NEEDED)
		ih->un.frag.mtu = htons(1280);
	lnat_t_hot(f, off + hl);
	lnat_t_hot(f, off + hl + 1);

	qoff = off + hl + sizeof(*ih);
	if (q == LNAT_T_ERROR) {
		full = lnat_t_put_error(f, qoff, true);
		qhl = (f->pkt[qoff] & 0xf) * 4;
	} else {
		qhl = lnat_t_put_ip(f, qoff, inv.proto, inv.saddr, inv.daddr,
				    lnat_t_rnd(f, 2) ? 0 : lnat_t_opts(f, 8));
		full = qhl + lnat_t_put_l4(f, qoff + qhl, q, &inv, !f->dir);
	}
	lnat_t_hot(f, qoff + qhl);
	/* RFC 792 quotes 8 bytes past the header, RFC 1812 as many as fit. */
	keep = lnat_t_rnd(f, 2) ? full : qhl + 8;
	lnat_t_seal(f->pkt + qoff, keep, full, true);
	lnat_t_seal(f->pkt + off, qoff + keep - off, qoff + keep - off, true);
	return qoff + keep - off;
}

static void lnat_t_generate(struct lnat_t_fuzz *f, enum lnat_t_kind kind)
{
	unsigned int hl;

	f->kind = kind;
	f->mutated = false;
	f->nhot = 0;
	f->nested = false;
	f->bad_dst = false;
	f->from_map = false;
	switch (kind) {
	case LNAT_T_RANDOM:
		f->len = lnat_t_rnd(f, 129);
		prandom_bytes_state(&f->rnd, f->pkt, f->len);
		if (f->len && lnat_t_rnd(f, 2))
			f->pkt[0] = 0x45;
		break;
	case LNAT_T_ERROR:
		f->len = lnat_t_put_error(f, 0, false);
		break;
	default:
		if (!lnat_t_answer(f, kind))
			f->from_map = lnat_t_flow(f, kind, f->dir, &f->flow);
		hl = lnat_t_put_ip(f, 0, f->flow.proto, f->flow.saddr,
				   f->flow.daddr, lnat_t_opts(f, 40));
		f->len = hl + lnat_t_put_l4(f, hl, kind, &f->flow, f->dir);
		lnat_t_seal(f->pkt, f->len, f->len, kind != LNAT_T_UDP0);
	}
}

/*
 * One packet in eight is left valid. The others get byte flips (half of them
 * on header fields), a cut, trailing bytes (padding, or counted in tot_len),
 * and then, half the time, fresh checksums: damage behind a valid checksum
 * gets past lnat_icmp()'s check into the translation.
 */
static void lnat_t_mutate(struct lnat_t_fuzz *f)
{
	u32 m = prandom_u32_state(&f->rnd);
	struct iphdr *iph = (struct iphdr *)f->pkt;
	unsigned int i, n, off, tot;

	f->mutated = m & 7;
	if (!f->mutated)
		return;
	if (!(m & 0x38))
		m |= 0x08;
	for (i = (m & 0x08) ? 1 + lnat_t_rnd(f, 4) : 0; i && f->len; i--) {
		off = f->nhot && lnat_t_rnd(f, 2) ? f->hot[lnat_t_rnd(f, f->nhot)] :
						    lnat_t_rnd(f, f->len);
		if (off >= f->len)
			continue;
		if (lnat_t_rnd(f, 2))
			f->pkt[off] ^= BIT(lnat_t_rnd(f, 8));
		else
			f->pkt[off] = prandom_u32_state(&f->rnd);
	}
	if (m & 0x10)
		f->len = lnat_t_rnd(f, f->len + 1);
	if (m & 0x20) {
		n = min(1 + lnat_t_rnd(f, 64), LNAT_T_PKT_MAX - f->len);
		prandom_bytes_state(&f->rnd, f->pkt + f->len, n);
		f->len += n;
		if ((m & 0x40) && f->len >= sizeof(*iph))
			iph->tot_len = htons(ntohs(iph->tot_len) + n);
	}
	if (!(m & 0x80) || f->len < sizeof(*iph) || iph->ihl < 5)
		return;
	tot = ntohs(iph->tot_len);
	if (tot >= iph->ihl * 4 && tot <= f->len)
		lnat_t_seal(f->pkt, tot, tot, true);
}

/* Which checksums of the packet in @p verify, reading only its @len bytes. */
static unsigned int lnat_t_sums(const u8 *p, unsigned int len)
{
	const struct iphdr *iph = (const struct iphdr *)p, *q;
	unsigned int hl, tot, n, ok = 0;
	const u8 *th;

	if (len < sizeof(*iph) || iph->ihl < 5)
		return 0;
	hl = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	if (tot < hl || tot > len)
		return 0;
	if (!ip_fast_csum(iph, iph->ihl))
		ok |= LNAT_T_SUM_IP;
	th = p + hl;
	n = tot - hl;
	switch (iph->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (n < sizeof(struct udphdr))
			break;
		if (iph->protocol == IPPROTO_UDP &&
		    !((const struct udphdr *)th)->check)
			ok |= LNAT_T_SUM_NONE;
		else if (!csum_tcpudp_magic(iph->saddr, iph->daddr, n,
					    iph->protocol, csum_partial(th, n, 0)))
			ok |= LNAT_T_SUM_L4;
		break;
	case IPPROTO_ICMP:
		if (n < sizeof(struct icmphdr))
			break;
		if (!csum_fold(csum_partial(th, n, 0)))
			ok |= LNAT_T_SUM_L4;
		q = (const struct iphdr *)(th + sizeof(struct icmphdr));
		if (lnat_icmp_is_error(th[0]) &&
		    n >= sizeof(struct icmphdr) + sizeof(*q) && q->ihl >= 5 &&
		    q->ihl * 4 <= n - sizeof(struct icmphdr) &&
		    !ip_fast_csum(q, q->ihl))
			ok |= LNAT_T_SUM_QUOTED;
		break;
	}
	return ok;
}

#ifdef CONFIG_KASAN_GENERIC
/*
 * The head's slab object goes on past the data to skb_shared_info, so KASAN
 * would let a read past a linear skb's end through. Poisoning the tailroom
 * (kasan_poison() is exported, declared in mm/kasan/kasan.h) stops it.
 */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

#define LNAT_T_REDZONE	0xfc	/* KASAN_SLAB_REDZONE */

static void lnat_t_poison(struct sk_buff *skb, bool poison)
{
	kasan_poison(skb_tail_pointer(skb), skb_tailroom(skb),
		     poison ? LNAT_T_REDZONE : 0, false);
}
#else
static void lnat_t_poison(struct sk_buff *skb, bool poison)
{
}
#endif

/*
 * An skb holding exactly the packet: linear, or with its tail in a page
 * fragment as a NIC with header split delivers it. The IP header stays
 * linear, as ip_rcv() guarantees the hooks. A linear one ends on a KASAN
 * granule, so its whole tailroom can be poisoned.
 */
static struct sk_buff *lnat_t_build(struct lnat_t_fuzz *f)
{
	unsigned int len = f->len, lin = len, hdr;
	struct sk_buff *skb;
	struct page *page;

	hdr = max_t(unsigned int, len ? f->pkt[0] & 0xf : 0, 5) * 4;
	if (hdr < len && lnat_t_rnd(f, 2))
		lin = hdr + lnat_t_rnd(f, len - hdr);
	f->linear = lin;
	skb = alloc_skb(ALIGN(lin, 8), GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, ALIGN(lin, 8) - lin);
	skb_reset_network_header(skb);
	skb_put_data(skb, f->pkt, lin);
	skb->protocol = htons(ETH_P_IP);
	if (lin == len) {
		lnat_t_poison(skb, true);
		return skb;
	}
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		kfree_skb(skb);
		return NULL;
	}
	memcpy(page_address(page), f->pkt + lin, len - lin);
	skb_fill_page_desc(skb, 0, page, 0, len - lin);
	skb->len += len - lin;
	skb->data_len += len - lin;
	skb->truesize += PAGE_SIZE;
	return skb;
}

static void lnat_t_remember(struct lnat_t_fuzz *f, const struct lnat_entry *e)
{
	unsigned int p;

	for (p = 0; p < ARRAY_SIZE(lnat_t_protos); p++)
		if (lnat_t_protos[p] == e->tuple[LNAT_DIR_ORIG].proto)
			memcpy(f->map[p][f->iter % LNAT_T_SLOTS], e->tuple,
			       sizeof(e->tuple));
}

/*
 * Before an outbound packet goes through: has its flow a mapping, and is it
 * an answer lnat_leave_alone() lets go as it came (forwarded, in by a
 * masqueraded interface, no mapping of its own, the inverse of a mapping's
 * flow)? Caller holds rcu_read_lock.
 */
static void lnat_t_before(const struct lnat_t_fuzz *f, struct lnat_t_run *r)
{
	struct lnat_tuple t = r->in.t, inv;

	if (r->parsed)
		return;
	t.zone = 0;
	inv = lnat_t_inverse(&t);
	r->mapped = lnat_lookup(f->ln, LNAT_DIR_ORIG, &t);
	r->answer = f->fwd_in && !r->mapped &&
		    lnat_lookup(f->ln, LNAT_DIR_ORIG, &inv);
}

/*
 * The packet through lnat_out() (ORIG) or lnat_in() (REPLY) past their
 * interface match: the hooks' own code, lnat_xlat_out() and lnat_xlat_in().
 * The outbound side gets the fixed external address, since the fuzzer has
 * no WAN device to take one from. Caller holds rcu_read_lock.
 */
static unsigned int lnat_t_hook(struct lnat_t_fuzz *f, struct sk_buff *skb,
				struct lnat_t_run *r)
{
	struct lnat_entry *e = NULL;
	unsigned int v;

	/* For the oracles: what the hook sees (parsing changes nothing). */
	r->parsed = lnat_parse(skb, f->dir, &r->in);
	if (f->dir == LNAT_DIR_ORIG) {
		lnat_t_before(f, r);
		v = lnat_xlat_out(f->ln, skb, f->dev, LNAT_T_EXT, &e);
	} else {
		v = lnat_xlat_in(f->ln, skb, true, &e);
	}
	if (!e)
		return v;
	/* What the translated packet must parse to. */
	r->mangled = true;
	if (f->dir == LNAT_DIR_ORIG) {
		lnat_t_remember(f, e);
		r->xlat = lnat_t_inverse(&e->tuple[LNAT_DIR_REPLY]);
	} else {
		r->xlat = lnat_t_inverse(&e->tuple[LNAT_DIR_ORIG]);
	}
	return v;
}

/* Caller holds rcu_read_lock: the outcome a valid packet must have. */
static enum lnat_t_want lnat_t_want(struct lnat_t_fuzz *f)
{
	if (f->mutated || f->kind == LNAT_T_RANDOM)
		return LNAT_T_ANY;
	/* Never an error about an error (RFC 1122 3.2.2). */
	if (f->nested)
		return LNAT_T_DROP;
	if (!f->from_map || !lnat_lookup(f->ln, f->dir, &f->flow))
		return LNAT_T_ANY;
	return f->bad_dst ? LNAT_T_DROP : LNAT_T_XLAT;
}

/* Counters a dropped packet bumps, exactly one of them once. */
static unsigned int lnat_t_drops(struct lnat_net *ln)
{
	static const u8 stats[] = {
		LNAT_STAT_INVALID, LNAT_STAT_ICMP_DROP, LNAT_STAT_DROP_FULL,
		LNAT_STAT_DROP_NOPORT, LNAT_STAT_DROP_NOMEM,
		LNAT_STAT_DROP_NOADDR,
	};
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(stats); i++)
		n += lnat_t_stat(ln, stats[i]);
	return n;
}

/* The packet, to the kernel log: the KUnit log holds 512 bytes a case. */
static void lnat_t_dump(const struct lnat_t_fuzz *f)
{
	pr_err("loosenat_hostile: seed %u iteration %u: %s packet, kind %u, %u of %u bytes linear:\n",
	       fuzz_seed, f->iter,
	       f->dir == LNAT_DIR_ORIG ? "outbound" : "inbound", f->kind,
	       f->linear, f->len);
	print_hex_dump(KERN_ERR, "", DUMP_PREFIX_OFFSET, 16, 1, f->pkt, f->len,
		       false);
}

static bool lnat_t_fail(struct lnat_t_fuzz *f, const struct lnat_t_run *r,
			const char *what)
{
	KUNIT_FAIL(f->test, "seed %u iteration %u: %s (parse %d, verdict %u)",
		   fuzz_seed, f->iter, what, r->parsed, r->verdict);
	lnat_t_dump(f);
	return false;
}

static bool lnat_t_check(struct lnat_t_fuzz *f, struct sk_buff *skb,
			 const struct lnat_t_run *r)
{
	const struct iphdr *in = (const struct iphdr *)f->pkt;
	const struct iphdr *out = (const struct iphdr *)f->out;
	unsigned int sums = lnat_t_sums(f->pkt, f->len);
	bool dropped = r->verdict == NF_DROP, ports;
	const struct iphdr *q;
	struct lnat_pkt p;

	if (r->drops != dropped)
		return lnat_t_fail(f, r, "drop not counted exactly once");
	/* A valid packet parses as built. */
	if (!f->mutated && f->kind != LNAT_T_RANDOM &&
	    (f->kind == LNAT_T_ERROR ? r->parsed != 1 :
	     r->parsed || !lnat_t_same(&r->in.t, &f->flow, true)))
		return lnat_t_fail(f, r, "valid packet misparsed");
	if (dropped) {
		if (r->answer)
			return lnat_t_fail(f, r, "an answer leaving again dropped");
		if (r->want == LNAT_T_XLAT)
			return lnat_t_fail(f, r, "packet of a mapping dropped");
		f->n_drop++;
		f->n_invalid += r->parsed < 0;
		return true;
	}
	if (r->want == LNAT_T_DROP)
		return lnat_t_fail(f, r, "accepted, should be dropped");
	if (skb->len != f->len || skb_copy_bits(skb, 0, f->out, f->len))
		return lnat_t_fail(f, r, "length changed");

	if (r->parsed > 0 ? !r->icmp_xlat : !r->mangled) {
		if (r->want == LNAT_T_XLAT)
			return lnat_t_fail(f, r, "packet of a mapping not translated");
		if (memcmp(f->pkt, f->out, f->len))
			return lnat_t_fail(f, r, "changed, not translated");
		f->n_kept++;
		if (r->answer) {
			f->n_answer++;
			return true;
		}
		/* Only the router's own traffic leaves as it came. */
		if (f->dir == LNAT_DIR_ORIG && lnat_t_private(in->saddr))
			return lnat_t_fail(f, r, "private source left untranslated");
		/* A forwarded one with a local source is a client's (accept_local). */
		if (f->fwd && in->saddr == LNAT_T_OWN)
			return lnat_t_fail(f, r, "forwarded packet left with a local source");
		return true;
	}

	/* Every checksum that verified still does. */
	if ((lnat_t_sums(f->out, f->len) & sums) != sums)
		return lnat_t_fail(f, r, "checksum broken");
	if (r->parsed > 0) {
		/* The outer and the quoted address agree, and are the mapping's. */
		q = (const struct iphdr *)(f->out + out->ihl * 4 +
					   sizeof(struct icmphdr));
		if (!(sums & LNAT_T_SUM_L4) ||
		    (f->dir == LNAT_DIR_ORIG ?
		     out->saddr != LNAT_T_EXT || q->daddr != LNAT_T_EXT :
		     out->daddr != q->saddr))
			return lnat_t_fail(f, r, "error mistranslated");
		f->n_icmp_xlat++;
		return true;
	}
	if (r->answer)
		return lnat_t_fail(f, r, "an answer leaving again translated");
	/*
	 * Translated: never the router's own (unless a client's forwarded
	 * packet mapped that flow), always to the WAN's address.
	 */
	if (f->dir == LNAT_DIR_ORIG && !f->fwd && !r->mapped &&
	    in->saddr == LNAT_T_OWN)
		return lnat_t_fail(f, r, "the router's own packet translated");
	if (f->dir == LNAT_DIR_ORIG && out->saddr != LNAT_T_EXT)
		return lnat_t_fail(f, r, "left with another address than the egress interface's");
	/* It now parses as the mapping's other half, inverted. */
	ports = r->in.t.proto != IPPROTO_ICMP ||
		lnat_icmp_is_query(r->in.icmp_type);
	if (lnat_parse(skb, f->dir, &p) || !lnat_t_same(&p.t, &r->xlat, ports))
		return lnat_t_fail(f, r, "mistranslated");
	if (f->dir == LNAT_DIR_ORIG && lnat_t_private(out->saddr))
		return lnat_t_fail(f, r, "private source left");
	f->n_xlat++;
	return true;
}

static bool lnat_t_packet(struct lnat_t_fuzz *f)
{
	struct lnat_t_run r = { .verdict = NF_DROP };
	unsigned int drops, icmp_xlat;
	struct sk_buff *skb;
	bool ok;

	skb = lnat_t_build(f);
	if (!skb) {
		KUNIT_FAIL(f->test, "no memory for an skb");
		return false;
	}
	/* Half the outbound packets forwarded, half of those in by lo. */
	f->fwd = f->dir == LNAT_DIR_ORIG && lnat_t_rnd(f, 2);
	f->fwd_in = f->fwd && lnat_t_rnd(f, 2);
	if (f->fwd) {
		IPCB(skb)->flags |= IPSKB_FORWARDED;
		IPCB(skb)->iif = f->fwd_in ? LOOPBACK_IFINDEX : 0;
	}
	drops = lnat_t_drops(f->ln);
	icmp_xlat = lnat_t_stat(f->ln, LNAT_STAT_ICMP_XLAT);
	rcu_read_lock();
	r.want = lnat_t_want(f);
	r.verdict = lnat_t_hook(f, skb, &r);
	rcu_read_unlock();
	r.drops = lnat_t_drops(f->ln) - drops;
	r.icmp_xlat = lnat_t_stat(f->ln, LNAT_STAT_ICMP_XLAT) - icmp_xlat;
	ok = lnat_t_check(f, skb, &r);
	if (f->linear == f->len)
		lnat_t_poison(skb, false);
	kfree_skb(skb);
	return ok;
}

/* For a crash or a KASAN report (panic_on_warn): which packet it was. */
static struct lnat_t_fuzz *lnat_t_running;

static int lnat_t_panic(struct notifier_block *nb, unsigned long event,
			void *unused)
{
	const struct lnat_t_fuzz *f = READ_ONCE(lnat_t_running);

	if (f)
		lnat_t_dump(f);
	return NOTIFY_DONE;
}

static struct notifier_block lnat_t_panic_nb = {
	.notifier_call = lnat_t_panic,
};

/*
 * A module argument, read from the string: 6.1 runs a module's suites (at
 * MODULE_STATE_COMING) before load_module() parses its arguments.
 */
static unsigned int lnat_t_arg(const char *name, unsigned int val)
{
	const char *args = THIS_MODULE->args, *p = args;
	size_t n = strlen(name);
	unsigned int v;
	char buf[16];

	while ((p = strstr(p, name))) {
		if ((p == args || p[-1] == ' ') && p[n] == '=') {
			p += n + 1;
			strscpy(buf, p, min(sizeof(buf), strcspn(p, " ") + 1));
			/* A malformed value fails insmod, after the suites. */
			return kstrtouint(buf, 0, &v) ? val : v;
		}
		p += n;
	}
	return val;
}

/* One parameter per LNAT_T_CHUNK packets, numbered from 1. */
static const void *lnat_t_fuzz_params(const void *prev, char *desc)
{
	unsigned long chunk = (unsigned long)prev;

	if (!chunk) {
		fuzz_iters = lnat_t_arg("fuzz_iters", fuzz_iters);
		fuzz_seed = lnat_t_arg("fuzz_seed", fuzz_seed);
	}
	if (chunk * LNAT_T_CHUNK >= fuzz_iters)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed %u packets %lu-%lu",
		 fuzz_seed, chunk * LNAT_T_CHUNK,
		 min_t(unsigned long, (chunk + 1) * LNAT_T_CHUNK, fuzz_iters) - 1);
	return (const void *)(chunk + 1);
}

/*
 * The packet path on random and mutated packets, both directions, into a
 * small table (it fills, evicts, and is flushed every LNAT_T_FLUSH packets,
 * then seeded with a mapping per protocol). Each parameter starts a fresh
 * table and generator, seeded from fuzz_seed and its first iteration.
 */
static void lnat_t_fuzz(struct kunit *test)
{
	static const u8 seeds[] = {
		LNAT_T_TCP, LNAT_T_UDP, LNAT_T_ECHO, LNAT_T_GRE,
	};
	unsigned int first = test->param_index * LNAT_T_CHUNK, end, i;
	struct lnat_net *ln = test->priv;
	struct lnat_ifset *set;
	enum lnat_t_kind kind;
	struct lnat_t_fuzz *f;
	u64 start;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->ln = ln;
	/* Or the oracle on the router's own traffic would test nothing. */
	KUNIT_ASSERT_EQ_MSG(test, inet_addr_type(&init_net, LNAT_T_OWN), RTN_LOCAL,
			    "127.0.0.1 is no local address: is lo down?");
	/*
	 * Never registered: lnat_xlat_out() reads only its ifindex and its L3
	 * domain (none: the main tables of the initial namespace).
	 */
	f->dev = alloc_netdev(0, "lnatfuzz", NET_NAME_UNKNOWN, ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, f->dev);
	f->dev->ifindex = 1;
	/* lo masqueraded: forwarded packets "in by lo" came in by a WAN. */
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set);
	KUNIT_ASSERT_EQ(test, lnat_ifset_parse("lo", set), 0);
	kfree(rcu_replace_pointer(ln->ifset, set, true));
	prandom_seed_state(&f->rnd, (u64)fuzz_seed << 32 | first);
	/* Nothing expires, so a remembered mapping is live until evicted. */
	for (i = 0; i < LNAT_TO_MAX; i++)
		WRITE_ONCE(ln->timeout[i], 14 * 24 * 3600);
	/* Small enough to fill between flushes: eviction and refusal run. */
	WRITE_ONCE(ln->max_entries, 128);
	end = min(first + LNAT_T_CHUNK, fuzz_iters);
	start = ktime_get_ns();
	WRITE_ONCE(lnat_t_running, f);
	atomic_notifier_chain_register(&panic_notifier_list, &lnat_t_panic_nb);

	for (i = first; i < end; i++) {
		f->iter = i;
		if (i % LNAT_T_FLUSH == 0) {
			lnat_collect(ln, true, false);
			memset(f->map, 0, sizeof(f->map));
			/* Every filtering behaviour, TCP and UDP apart. */
			WRITE_ONCE(ln->udp_filtering,
				   i / LNAT_T_FLUSH % LNAT_FILTER_MAX);
			WRITE_ONCE(ln->tcp_filtering,
				   (i / LNAT_T_FLUSH + 1) % LNAT_FILTER_MAX);
		}
		if (i % LNAT_T_FLUSH < ARRAY_SIZE(seeds)) {
			/* Valid and going out: mappings for the rest to hit. */
			f->dir = LNAT_DIR_ORIG;
			lnat_t_generate(f, seeds[i % LNAT_T_FLUSH]);
		} else {
			f->dir = lnat_t_rnd(f, 2);
			kind = lnat_t_kinds[lnat_t_rnd(f, ARRAY_SIZE(lnat_t_kinds))];
			lnat_t_generate(f, kind);
			lnat_t_mutate(f);
		}
		if (!lnat_t_packet(f))
			break;
		cond_resched();
	}

	atomic_notifier_chain_unregister(&panic_notifier_list, &lnat_t_panic_nb);
	WRITE_ONCE(lnat_t_running, NULL);
	free_netdev(f->dev);
	kunit_info(test, "%u packets, %llu ms: %u drop (%u invalid), %u xlat, %u ICMP xlat, %u kept (%u answers); %u new, %u evicted",
		   i - first, (ktime_get_ns() - start) / NSEC_PER_MSEC,
		   f->n_drop, f->n_invalid, f->n_xlat, f->n_icmp_xlat,
		   f->n_kept, f->n_answer, lnat_t_stat(ln, LNAT_STAT_NEW),
		   lnat_t_stat(ln, LNAT_STAT_EARLY_DROP));
	/* Every outcome is reached, or the case tests less than it says. */
	if (i == end && end - first >= LNAT_T_FLUSH) {
		KUNIT_EXPECT_GT(test, f->n_invalid, 0U);
		KUNIT_EXPECT_GT(test, f->n_drop, f->n_invalid);
		KUNIT_EXPECT_GT(test, f->n_xlat, 0U);
		KUNIT_EXPECT_GT(test, f->n_icmp_xlat, 0U);
		KUNIT_EXPECT_GT(test, f->n_kept, f->n_answer);
		KUNIT_EXPECT_GT(test, f->n_answer, 0U);
	}
}

#define LNAT_T_CHAIN_BITS	12

static struct kunit_case lnat_hostile_cases[] = {
	KUNIT_CASE_PARAM(lnat_t_fuzz, lnat_t_fuzz_params),
	{}
};

static struct kunit_suite lnat_hostile_suite = {
	.name = "loosenat_hostile",
	.suite_init = lnat_kunit_suite_init,
	.suite_exit = lnat_kunit_suite_exit,
	.init = lnat_kunit_init,
	.exit = lnat_kunit_exit,
	.test_cases = lnat_hostile_cases,
};

kunit_test_suite(lnat_hostile_suite);
