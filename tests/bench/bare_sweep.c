/*
 * bare_sweep — the practical limit of the port-sweep benchmark: a bare
 * non-blocking connect() loop.
 *
 *   bare_sweep ADDR LOW HIGH [K [TIMEOUT_MS [DEADLINE_S]]]
 *
 * Connects to every TCP port LOW..HIGH of the IPv4 address ADDR, K connects in
 * flight (default 512, bindscope's default for sweeps), each with a TIMEOUT_MS
 * deadline (default 1000), all within DEADLINE_S seconds (default 120). A port is
 * open when the connect completes, unless the kernel connected the socket to itself
 * (source port = destination port on the same address, "TCP simultaneous open"),
 * which is counted as a self-connect and not reported open. Prints one line:
 *   elapsed_s=0.5 probes=65535 open=22,8081 self_connects=0 timeouts=0 errors=0
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct slot {
	int fd; /* -1 when free */
	int port;
	double started;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg(const char *s, const char *what, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "bare_sweep: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static unsigned char *is_open; /* by port */
static long self_connects, timeouts, errors;

/* The connect on slot s finished (err = its SO_ERROR). */
static void finish(struct slot *s, int err, const struct sockaddr_in *dst)
{
	if (err == 0) {
		struct sockaddr_in me;
		socklen_t len = sizeof me;
		if (getsockname(s->fd, (struct sockaddr *)&me, &len) == 0 &&
		    me.sin_port == dst->sin_port && me.sin_addr.s_addr == dst->sin_addr.s_addr)
			self_connects++;
		else
			is_open[s->port] = 1;
	} else if (err != ECONNREFUSED) {
		errors++;
	}
	close(s->fd);
	s->fd = -1;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 7) {
		fprintf(stderr, "usage: %s ADDR LOW HIGH [K [TIMEOUT_MS [DEADLINE_S]]]\n", argv[0]);
		return 2;
	}
	struct sockaddr_in dst = {.sin_family = AF_INET};
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "bare_sweep: bad IPv4 address '%s'\n", argv[1]);
		return 2;
	}
	long low = arg(argv[2], "LOW", 1, 65535), high = arg(argv[3], "HIGH", low, 65535);
	long k = argc > 4 ? arg(argv[4], "K", 1, 60000) : 512;
	double timeout =
	    (argc > 5 ? (double)arg(argv[5], "TIMEOUT_MS", 1, 600000) : 1000.0) / 1000.0;
	double deadline_s = argc > 6 ? (double)arg(argv[6], "DEADLINE_S", 1, 3600) : 120.0;

	is_open = calloc(65536, 1);
	struct slot *slots = malloc((size_t)k * sizeof *slots);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!is_open || !slots || ep < 0) {
		perror("bare_sweep");
		return 1;
	}
	for (long i = 0; i < k; i++)
		slots[i].fd = -1;

	long next = low, inflight = 0;
	double t0 = now(), deadline = t0 + deadline_s, last_scan = t0;
	struct epoll_event evs[512];
	for (;;) {
		/* fill free slots */
		for (long i = 0; i < k && next <= high; i++) {
			struct slot *s = &slots[i];
			if (s->fd >= 0)
				continue;
			s->port = (int)next++;
			s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (s->fd < 0) {
				errors++;
				continue;
			}
			dst.sin_port = htons((unsigned short)s->port);
			if (connect(s->fd, (struct sockaddr *)&dst, sizeof dst) == 0) {
				finish(s, 0, &dst);
				continue;
			}
			if (errno != EINPROGRESS) {
				finish(s, errno, &dst);
				continue;
			}
			s->started = now();
			struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i};
			epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
			inflight++;
		}
		if (inflight == 0 && next > high)
			break;
		double t = now();
		if (t >= deadline)
			break;
		int got = epoll_wait(ep, evs, 512, 20);
		if (got < 0 && errno != EINTR) {
			perror("bare_sweep: epoll_wait");
			return 1;
		}
		for (int e = 0; e < got; e++) {
			struct slot *s = &slots[evs[e].data.u64];
			int err = 0;
			socklen_t len = sizeof err;
			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			dst.sin_port = htons((unsigned short)s->port);
			finish(s, err, &dst);
			inflight--;
		}
		t = now();
		if (t - last_scan >= 0.02) { /* expire probes past their deadline */
			last_scan = t;
			for (long i = 0; i < k; i++)
				if (slots[i].fd >= 0 && t - slots[i].started >= timeout) {
					close(slots[i].fd);
					slots[i].fd = -1;
					timeouts++;
					inflight--;
				}
		}
	}
	double elapsed = now() - t0;
	printf("elapsed_s=%.6f probes=%ld open=", elapsed, next - low);
	int first = 1;
	for (long p = low; p <= high; p++)
		if (is_open[p]) {
			printf(first ? "%ld" : ",%ld", p);
			first = 0;
		}
	printf(" self_connects=%ld timeouts=%ld errors=%ld%s\n", self_connects, timeouts, errors,
	       next <= high || inflight ? " incomplete=1" : "");
	for (long i = 0; i < k; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	free(slots);
	free(is_open);
	close(ep);
	return 0;
}
