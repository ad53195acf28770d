// SPDX-License-Identifier: GPL-2.0
/*
 * lnat-flood: the stress bed's packet source. Whole Ethernet frames go out
 * of an AF_PACKET socket, so every byte, lying lengths included, is ours.
 *
 *   lnat-flood flows IFACE DSTMAC SRC DST PROTO FLAGS COUNT DPORT [GAP_US
 *		[SPORTS]]
 *	COUNT packets, each a new flow: the source port walks 1024..65535,
 *	then the source address and DPORT go up by one. With SPORTS the
 *	source port walks 1024..1023+SPORTS and then only DPORT goes up: many
 *	flows from each internal endpoint, which share its binding. PROTO
 *	tcp|udp|icmp (echo requests: the identifier walks as the source
 *	port, the sequence number as DPORT); FLAGS as lnat-pkt's. COUNT 0:
 *	until killed.
 *   lnat-flood stream IFACE DSTMAC SRC DST PROTO FLOWS SECONDS
 *	The bench's load: 18-byte payload packets round-robin over FLOWS flows
 *	(source ports 1024 up), for SECONDS, in batches of one sendmmsg().
 *   lnat-flood spoof IFACE DSTMAC DST COUNT SEED
 *	COUNT packets to DST from random sources and ports, to every
 *	destination port in turn: TCP with every flag set in turn, and UDP.
 *   lnat-flood hostile IFACE DSTMAC SRC DST SPORT DPORT COUNT SEED
 *	COUNT malformed packets of each kind (all 256 TCP flag sets at
 *	least); ICMP errors are about the flow DST:DPORT -> SRC:SPORT. Prints
 *	"KIND COUNT" per kind.
 *
 * flows, stream and spoof print "sent N usec T"; flows adds "cpu_ns C", the
 * time the sender ran, with the kernel's work done in its context (the
 * packet's path as far as it is not left to ksoftirqd). LNAT_FLOOD_GAP_US in
 * the environment paces spoof and hostile: a sleep after every packet.
 */
#define _GNU_SOURCE		/* sendmmsg */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_PSH	0x08
#define F_ACK	0x10
#define F_URG	0x20

static int fd;
static struct sockaddr_ll to = { .sll_family = AF_PACKET };
static uint8_t ip[2048];
static uint64_t rs;
static int send_gap;

static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, same packets every run. */
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (uint32_t)((rs * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void ip_csum(uint8_t *h)
{
	put16(h + 10, 0);
	put16(h + 10, csum(h, (h[0] & 15) * 4, 0));
}

/* An IPv4 header at @h: 20 bytes, @len total, DF unless a fragment. */
static void ip_hdr(uint8_t *h, uint32_t src, uint32_t dst, int proto,
		   size_t len)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, len);
	put16(h + 4, rnd());
	h[6] = 0x40;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	ip_csum(h);
}

/* The transport checksum of @l4len bytes at @l4, offset @at. */
static void l4_csum(const uint8_t *h, uint8_t *l4, size_t l4len, int at)
{
	uint8_t ph[12];

	memcpy(ph, h + 12, 8);
	ph[8] = 0;
	ph[9] = h[9];
	put16(ph + 10, l4len);
	put16(l4 + at, 0);
	put16(l4 + at, csum(l4, l4len, (uint16_t)~csum(ph, 12, 0)));
}

/*
 * A valid TCP or UDP packet of @plen payload bytes at @h, or an ICMP echo
 * request with identifier @sport and sequence number @dport; returns length.
 */
static size_t l4_pkt(uint8_t *h, uint32_t src, uint32_t dst, int proto,
		     int sport, int dport, int flags, size_t plen)
{
	size_t hl = proto == IPPROTO_TCP ? 20 : 8, len = 20 + hl + plen;
	uint8_t *l4 = h + 20;

	ip_hdr(h, src, dst, proto, len);
	memset(l4, 0, hl);
	memset(l4 + hl, 'p', plen);
	if (proto == IPPROTO_ICMP) {
		l4[0] = 8;
		put16(l4 + 4, sport);
		put16(l4 + 6, dport);
		put16(l4 + 2, csum(l4, hl + plen, 0));
		return len;
	}
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == IPPROTO_TCP) {
		put16(l4 + 4, rnd());
		if (flags & F_ACK)
			put16(l4 + 8, rnd() | 1);
		l4[12] = 5 << 4;
		l4[13] = flags;
		put16(l4 + 14, 1024);
		l4_csum(h, l4, hl + plen, 16);
	} else {
		put16(l4 + 4, hl + plen);
		l4_csum(h, l4, hl + plen, 6);
	}
	return len;
}

/* An ICMP error at @h about the @emblen bytes at @emb; returns length. */
static size_t icmp_err(uint8_t *h, uint32_t src, uint32_t dst,
		       const uint8_t *emb, size_t emblen, int type)
{
	size_t len = 20 + 8 + emblen;

	/* First, as @emb may be @h: errors nest in place. */
	memmove(h + 28, emb, emblen);
	ip_hdr(h, src, dst, IPPROTO_ICMP, len);
	memset(h + 20, 0, 8);
	h[20] = type;
	h[21] = type == 3 ? 4 : 0;	/* frag needed */
	if (type == 3)
		put16(h + 26, 1280);
	put16(h + 22, csum(h + 20, 8 + emblen, 0));
	return len;
}

static void send_ip(size_t len)
{
	if (sendto(fd, ip, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0 && len >= 20)
		perror("lnat-flood: sendto");
	if (send_gap)
		usleep(send_gap);
}

static uint64_t usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int parse_flags(const char *s)
{
	int f = 0;

	if (!strcmp(s, "none"))
		return 0;
	for (; *s; s++) {
		const char *c = strchr("FSRPAU", *s);

		if (!c)
			return -1;
		f |= 1 << (c - "FSRPAU");
	}
	return f;
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (!inet_aton(s, &a)) {
		fprintf(stderr, "lnat-flood: bad address %s\n", s);
		exit(2);
	}
	return a.s_addr;
}

static int l4_proto(const char *s)
{
	if (!strcmp(s, "udp"))
		return IPPROTO_UDP;
	return strcmp(s, "icmp") ? IPPROTO_TCP : IPPROTO_ICMP;
}

static int flows(char **a, int n)
{
	uint32_t src = ntohl(addr(a[0])), dst = addr(a[1]);
	int proto = l4_proto(a[2]);
	int flags = parse_flags(a[3]), dport = atoi(a[5]);
	long count = atol(a[4]), i;
	int gap = n > 6 ? atoi(a[6]) : 0;
	long sports = n > 7 ? atol(a[7]) : 64512;
	int walk_src = n <= 7;
	uint64_t t0 = usec(), c0 = cpu_ns();

	if (flags < 0 || sports < 1 || sports > 64512)
		return 2;
	for (i = 0; !count || i < count; i++) {
		long k = i % (sports * (walk_src ? 254 : 65536 - dport));

		/* Each block of source ports has a destination port of its
		 * own: the external ports toward one destination are 64k.
		 */
		send_ip(l4_pkt(ip, htonl(src + (walk_src ? k / sports : 0)),
			       dst, proto, 1024 + k % sports, dport + k / sports,
			       flags, 0));
		if (gap)
			usleep(gap);
	}
	printf("sent %ld usec %llu cpu_ns %llu\n", i,
	       (unsigned long long)(usec() - t0),
	       (unsigned long long)(cpu_ns() - c0));
	return 0;
}

#define BATCH 64

static int stream(char **a)
{
	static struct iovec iov[BATCH];
	static struct mmsghdr m[BATCH];
	uint32_t src = addr(a[0]), dst = addr(a[1]);
	int proto = strcmp(a[2], "udp") ? IPPROTO_TCP : IPPROTO_UDP;
	int nflows = atoi(a[3]), i, r;
	uint64_t t0, end, t;
	uint8_t (*pkt)[64];
	size_t len = 0;
	long sent = 0;

	if (nflows < 1 || nflows > 64512)
		return 2;
	/* Built once: the sender's cost per packet is one copy. */
	pkt = calloc(nflows, sizeof(*pkt));
	if (!pkt)
		return 1;
	for (i = 0; i < nflows; i++)
		len = l4_pkt(pkt[i], src, dst, proto, 1024 + i, 9, F_ACK, 18);
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_len = len;
		m[i].msg_hdr.msg_name = &to;
		m[i].msg_hdr.msg_namelen = sizeof(to);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = usec();
	end = t0 + atol(a[4]) * 1000000ULL;
	do {
		for (i = 0; i < BATCH; i++)
			iov[i].iov_base = pkt[(sent + i) % nflows];
		r = sendmmsg(fd, m, BATCH, 0);
		if (r < 0) {
			perror("lnat-flood: sendmmsg");
			return 1;
		}
		sent += r;
		t = usec();
	} while (t < end);
	printf("sent %ld usec %llu\n", sent, (unsigned long long)(t - t0));
	free(pkt);
	return 0;
}

static int spoof(char **a)
{
	uint32_t dst = addr(a[0]);
	long count = atol(a[1]), i;
	uint64_t t0 = usec();

	rs = strtoull(a[2], NULL, 0) | 1;
	for (i = 0; i < count; i++) {
		int dport = 1 + i % 65535;

		send_ip(l4_pkt(ip, htonl(0x01000000 + rnd() % 0xdf000000), dst,
			       i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 1 + rnd() % 65535,
			       dport, (i >> 1) & 0x3f, rnd() % 32));
	}
	printf("sent %ld usec %llu\n", i, (unsigned long long)(usec() - t0));
	return 0;
}

enum {
	K_IP_TRUNC, K_IP_IHL, K_IP_LEN, K_IP_OPTS, K_FRAG_TINY, K_FRAG_OVERLAP,
	K_TCP_TRUNC, K_TCP_DOFF, K_TCP_FLAGS, K_UDP_LEN, K_ICMP_TRUNC,
	K_ERR_TRUNC, K_ERR_NESTED, K_ERR_LYING, K_BAD_CSUM, K_ERR_UNMAPPED,
	K_MAX
};

static const char *const kinds[K_MAX] = {
	"ip-truncated", "ip-ihl", "ip-totlen", "ip-options", "frag-tiny",
	"frag-overlap", "tcp-truncated", "tcp-doff", "tcp-flags", "udp-length",
	"icmp-truncated", "icmp-error-truncated", "icmp-error-nested",
	"icmp-error-lying", "bad-checksum", "icmp-error-unmapped",
};

/* Two fragments of one TCP packet: [0, @cut) and [@at, end). */
static void fragments(uint32_t src, uint32_t dst, int sport, int dport,
		      size_t cut, size_t at)
{
	uint8_t whole[128];
	size_t len = l4_pkt(whole, src, dst, IPPROTO_TCP, sport, dport, F_ACK,
			    40);

	memcpy(ip, whole, 20 + cut);
	put16(ip + 2, 20 + cut);
	put16(ip + 6, 0x2000);			/* MF, offset 0 */
	ip_csum(ip);
	send_ip(20 + cut);
	memcpy(ip, whole, 20);
	memcpy(ip + 20, whole + 20 + at, len - 20 - at);
	put16(ip + 2, len - at);
	put16(ip + 6, at / 8);
	ip_csum(ip);
	send_ip(len - at);
}

static void hostile_one(int k, long i, uint32_t src, uint32_t dst, int sport,
			int dport)
{
	uint8_t emb[256];
	size_t len, el;
	int j, depth;

	switch (k) {
	case K_IP_TRUNC:
		l4_pkt(ip, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 0);
		send_ip(rnd() % 20);
		break;
	case K_IP_IHL:
		len = l4_pkt(ip, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 0);
		ip[0] = 0x40 | (i & 1 ? rnd() % 5 : 11 + rnd() % 5);
		ip_csum(ip);
		send_ip(len);
		break;
	case K_IP_LEN:
		len = l4_pkt(ip, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 8);
		put16(ip + 2, i % 3 == 0 ? 0 : i % 3 == 1 ? rnd() % 20 :
			      len + 1 + rnd() % 65000);
		ip_csum(ip);
		send_ip(len);
		break;
	case K_IP_OPTS:
		/* Random option bytes after a valid header, TCP behind them. */
		j = 1 + rnd() % 10;
		len = l4_pkt(emb, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 0);
		memcpy(ip, emb, 20);
		for (el = 0; el < (size_t)j * 4; el++)
			ip[20 + el] = i & 1 ? rnd() : 1;	/* or NOPs */
		memcpy(ip + 20 + j * 4, emb + 20, len - 20);
		ip[0] = 0x40 | (5 + j);
		put16(ip + 2, len + j * 4);
		ip_csum(ip);
		send_ip(len + j * 4);
		break;
	case K_FRAG_TINY:
		fragments(src, dst, sport, dport, 8, 8);
		break;
	case K_FRAG_OVERLAP:
		fragments(src, dst, sport, dport, 24, 8 + 8 * (rnd() % 2));
		break;
	case K_TCP_TRUNC:
		l4_pkt(ip, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 0);
		len = 20 + rnd() % 20;
		put16(ip + 2, len);
		ip_csum(ip);
		send_ip(len);
		break;
	case K_TCP_DOFF:
		len = l4_pkt(ip, src, dst, IPPROTO_TCP, sport, dport, F_ACK, 8);
		ip[32] = (i & 1 ? rnd() % 5 : 8 + rnd() % 8) << 4;
		send_ip(len);
		break;
	case K_TCP_FLAGS:
		/* Every combination of the 8 flag bits, SYN+FIN+RST+URG too. */
		send_ip(l4_pkt(ip, src, dst, IPPROTO_TCP, sport + i % 256, dport,
			       i % 256, 0));
		break;
	case K_UDP_LEN:
		len = l4_pkt(ip, src, dst, IPPROTO_UDP, sport, dport, 0, 8);
		if (i % 3 == 2) {
			len = 20 + rnd() % 8;	/* header cut */
			put16(ip + 2, len);
			ip_csum(ip);
		} else {
			put16(ip + 24, i % 3 ? rnd() % 8 : len - 20 + 1 +
				       rnd() % 1000);
		}
		send_ip(len);
		break;
	case K_ICMP_TRUNC:
		len = 20 + rnd() % 8;
		ip_hdr(ip, src, dst, IPPROTO_ICMP, len);
		for (el = 20; el < len; el++)
			ip[el] = rnd();
		ip[20] = i & 1 ? 3 : 8;		/* unreachable or echo */
		send_ip(len);
		break;
	case K_ERR_TRUNC:
		el = l4_pkt(emb, dst, src, IPPROTO_TCP, dport, sport, F_ACK, 0);
		len = icmp_err(ip, src, dst, emb, rnd() % 28, 3);
		send_ip(len);
		break;
	case K_ERR_NESTED:
		/* An error about an error about ... a packet of the flow. */
		el = l4_pkt(emb, dst, src, IPPROTO_UDP, dport, sport, 0, 0);
		depth = 1 + rnd() % 4;
		for (j = 0; j < depth; j++)
			el = icmp_err(emb, j & 1 ? src : dst, j & 1 ? dst : src,
				      emb, el, 11);
		send_ip(icmp_err(ip, src, dst, emb, el, 3));
		break;
	case K_ERR_LYING:
		el = l4_pkt(emb, dst, src, IPPROTO_TCP, dport, sport, F_ACK, 0);
		if (i % 4 == 0)
			emb[0] = 0x40 | rnd() % 5;	/* ihl < 5 */
		else if (i % 4 == 1)
			emb[0] = 0x4f;			/* ihl past the end */
		else if (i % 4 == 2)
			emb[0] = 0x65;			/* not IPv4 */
		else
			put16(emb + 6, 1 + rnd() % 100);	/* later fragment */
		send_ip(icmp_err(ip, src, dst, emb, el, 3));
		break;
	case K_BAD_CSUM:
		if (i % 3 == 2) {
			/* A translatable error with a wrong ICMP checksum. */
			el = l4_pkt(emb, dst, src, IPPROTO_UDP, dport, sport, 0,
				    0);
			len = icmp_err(ip, src, dst, emb, el, 3);
			ip[22] ^= 0x5a;
		} else {
			len = l4_pkt(ip, src, dst, i % 3 ? IPPROTO_UDP :
				     IPPROTO_TCP, sport, dport, F_ACK, 4);
			ip[len - 1] ^= 0xff;
		}
		send_ip(len);
		break;
	case K_ERR_UNMAPPED:
		/* Well formed, about a flow nobody mapped. */
		el = l4_pkt(emb, dst, src, IPPROTO_UDP, 1 + rnd() % 65535,
			    1 + rnd() % 65535, 0, 0);
		send_ip(icmp_err(ip, src, dst, emb, el, 3));
		break;
	}
}

static int hostile(char **a)
{
	uint32_t src = addr(a[0]), dst = addr(a[1]);
	int sport = atoi(a[2]), dport = atoi(a[3]), k;
	long count = atol(a[4]), i;

	rs = strtoull(a[5], NULL, 0) | 1;
	for (k = 0; k < K_MAX; k++) {
		/* Every TCP flag combination at least once. */
		long n = k == K_TCP_FLAGS && count < 256 ? 256 : count;

		for (i = 0; i < n; i++)
			hostile_one(k, i, src, dst, sport, dport);
		printf("%s %ld\n", kinds[k], n);
	}
	return 0;
}

static int bad_args(void)
{
	fputs("usage: lnat-flood flows|stream|spoof|hostile IFACE DSTMAC ARGS...\n"
	      "(see the source)\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int mac[6];
	int i;

	if (argc < 4 || sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1],
			       &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		return bad_args();
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	to.sll_ifindex = if_nametoindex(argv[2]);
	if (fd < 0 || !to.sll_ifindex) {
		perror("lnat-flood");
		return 1;
	}
	/* SOCK_DGRAM: the kernel builds the Ethernet header from these. */
	to.sll_protocol = htons(ETH_P_IP);
	to.sll_halen = 6;
	for (i = 0; i < 6; i++)
		to.sll_addr[i] = mac[i];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("LNAT_FLOOD_GAP_US"))
		send_gap = atoi(getenv("LNAT_FLOOD_GAP_US"));
	argv += 4;
	argc -= 4;
	if (!strcmp(argv[-3], "flows") && argc >= 6)
		return flows(argv, argc);
	if (!strcmp(argv[-3], "stream") && argc == 5)
		return stream(argv);
	if (!strcmp(argv[-3], "spoof") && argc == 3)
		return spoof(argv);
	if (!strcmp(argv[-3], "hostile") && argc == 6)
		return hostile(argv);
	return bad_args();
}
