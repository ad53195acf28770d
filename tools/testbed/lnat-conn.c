// SPDX-License-Identifier: GPL-2.0
/*
 * lnat-conn: the bench's short TCP connections, each a new mapping.
 *
 *   lnat-conn server ADDR PORT
 *	accept and close, until killed.
 *   lnat-conn client ADDR PORT SECONDS
 *	connect and close (with RST, so no TIME_WAIT holds the port) in a
 *	loop for SECONDS; prints "conns N usec T".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static unsigned long long usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static int server(const struct sockaddr_in *a)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0), c;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) || listen(fd, 1024)) {
		perror("lnat-conn: listen");
		return 1;
	}
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

static unsigned long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int client(const struct sockaddr_in *a, long secs)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct timeval to = { .tv_sec = 2 };
	unsigned long long t0 = usec(), end = t0 + secs * 1000000ULL, t;
	unsigned long long c0 = cpu_ns();
	long n = 0, fails = 0;
	int fd;

	do {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			perror("lnat-conn: socket");
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		/* A lost SYN costs 2 s, not the kernel's minutes of retries. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &to, sizeof(to));
		if (connect(fd, (const struct sockaddr *)a, sizeof(*a)))
			fails++;
		else
			n++;
		close(fd);
		t = usec();
	} while (t < end);
	printf("conns %ld usec %llu fails %ld cpu_ns %llu\n", n, t - t0, fails,
	       cpu_ns() - c0);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc < 4 || !inet_aton(argv[2], &a.sin_addr))
		goto usage;
	a.sin_port = htons(atoi(argv[3]));
	if (!strcmp(argv[1], "server") && argc == 4)
		return server(&a);
	if (!strcmp(argv[1], "client") && argc == 5)
		return client(&a, atol(argv[4]));
usage:
	fputs("usage: lnat-conn server ADDR PORT | client ADDR PORT SECONDS\n",
	      stderr);
	return 2;
}
