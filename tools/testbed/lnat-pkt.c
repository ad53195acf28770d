// SPDX-License-Identifier: GPL-2.0
/*
 * lnat-pkt: send crafted IPv4/TCP packets through a raw socket, for the test
 * bed. One packet per flag set and port, with optional malformations.
 *
 *   lnat-pkt [-f FLAGS] [-n COUNT] [-i] [-l TCPLEN] [-d DOFF] [-p PAYLOAD]
 *            [-T TTL] [-P PROTO] [-g GAP_US] SRC DST SPORT DPORT
 *
 * FLAGS: letters of FSRPAU, or "none". -i adds 1 to SPORT for each packet.
 * -l cuts the TCP header to TCPLEN bytes; -d sets the data offset field.
 * -P sends PROTO (e.g. 47, GRE) with PAYLOAD bytes instead of TCP.
 * -g waits GAP_US microseconds between packets: steady traffic, not a flood.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pseudo {
	uint32_t saddr, daddr;
	uint8_t zero, proto;
	uint16_t len;
};

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

static uint32_t csum_partial(const void *data, size_t len, uint32_t sum)
{
	return (uint16_t)~csum(data, len, sum);
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

static const char usage_text[] =
	"usage: lnat-pkt [-f FLAGS] [-n COUNT] [-i] [-l TCPLEN] [-d DOFF]\n"
	"                [-p PAYLOAD] [-T TTL] [-P PROTO] [-g GAP_US]\n"
	"                SRC DST SPORT DPORT\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int flags = 0x10, count = 1, inc = 0, tcplen = 20, doff = -1, plen = 0;
	int ttl = 64, proto = IPPROTO_TCP, gap = 0;
	uint8_t pkt[1500], *ip = pkt, *tcp = pkt + 20;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr sa, da;
	unsigned int sport, dport;
	int opt, fd, on = 1, i;

	while ((opt = getopt(argc, argv, "f:n:il:d:p:T:P:g:")) != -1) {
		switch (opt) {
		case 'f':
			flags = parse_flags(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'i':
			inc = 1;
			break;
		case 'l':
			tcplen = atoi(optarg);
			break;
		case 'd':
			doff = atoi(optarg);
			break;
		case 'p':
			plen = atoi(optarg);
			break;
		case 'T':
			ttl = atoi(optarg);
			break;
		case 'P':
			proto = atoi(optarg);
			break;
		case 'g':
			gap = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4 || flags < 0 || tcplen < 0 || tcplen > 20 ||
	    plen < 0 || plen > 1000 || count < 1)
		usage();
	if (!inet_aton(argv[optind], &sa) || !inet_aton(argv[optind + 1], &da))
		usage();
	sport = atoi(argv[optind + 2]);
	dport = atoi(argv[optind + 3]);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on))) {
		perror("lnat-pkt: socket");
		return 1;
	}
	dst.sin_addr = da;
	for (i = 0; i < count; i++) {
		size_t len = proto != IPPROTO_TCP ? 20 + plen :
			     20 + (tcplen < 20 ? tcplen : 20 + plen);
		struct pseudo ph = {
			.saddr = sa.s_addr, .daddr = da.s_addr,
			.proto = IPPROTO_TCP, .len = htons(len - 20),
		};
		uint16_t sp = sport + (inc ? i : 0), c;

		memset(pkt, 0, sizeof(pkt));
		ip[0] = 0x45;
		ip[2] = len >> 8;
		ip[3] = len & 0xff;
		ip[6] = 0x40;		/* DF */
		ip[8] = ttl;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, &sa, 4);
		memcpy(ip + 16, &da, 4);
		tcp[0] = sp >> 8;
		tcp[1] = sp & 0xff;
		tcp[2] = dport >> 8;
		tcp[3] = dport & 0xff;
		tcp[4] = 0x12;		/* arbitrary sequence number */
		tcp[8] = flags & 0x10 ? 0x34 : 0;
		tcp[12] = (doff < 0 ? 5 : doff) << 4;
		tcp[13] = flags;
		tcp[14] = 0xff;		/* window */
		memset(tcp + 20, 'x', plen);
		c = csum(tcp, len - 20, csum_partial(&ph, sizeof(ph), 0));
		if (tcplen >= 18) {
			tcp[16] = c >> 8;
			tcp[17] = c & 0xff;
		}
		if (proto != IPPROTO_TCP) {
			ip[9] = proto;
			memset(tcp, 'g', plen);
		}
		c = csum(ip, 20, 0);
		ip[10] = c >> 8;
		ip[11] = c & 0xff;
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&dst,
			   sizeof(dst)) < 0) {
			fprintf(stderr, "lnat-pkt: sendto: %s\n", strerror(errno));
			return 1;
		}
		if (gap)
			usleep(gap);
	}
	return 0;
}
