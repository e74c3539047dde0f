/*
 * connect_client — the load generator of the accept benchmark.
 *
 *   connect_client ADDR PORT N K [DEADLINE_S]
 *
 * Makes N TCP connections to ADDR:PORT (IPv4), K at a time, with non-blocking
 * connect() and epoll. Each connection: connect, send a few bytes, shut down the
 * write side (FIN), then wait until the server closes its side (read() = 0, or a
 * reset), then close. Waiting for the server's close makes every connection a full
 * round trip through the server under test (accepted, drained, closed), so K really
 * bounds the connections in flight in the server, not only in the kernel's backlog.
 *
 * Stops after DEADLINE_S seconds (default 60) even if not done. Prints one line:
 *   elapsed_s=1.234567 done=N ok=N reset=N failed=N conn_per_s=12345.6
 * ok: served, the server read to the end and closed; reset: the server reset the
 * connection after it was set up (e.g. closed it unread); failed: connect or I/O
 * error, or not finished by the deadline. conn_per_s counts only ok connections.
 * Exit status 0 if every connection was served (ok = N), 1 otherwise.
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

enum state { IDLE, CONNECTING, DRAINING };

struct slot {
	int fd;
	enum state st;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct slot *slots;
static struct sockaddr_in sa = {.sin_family = AF_INET};
static long n, started, failed;
static int ep;

/* Start the next connection in slot i. It stays IDLE if none is left to start or
 * the start failed at once (counted as failed). */
static void start_one(long i)
{
	struct slot *s = &slots[i];
	s->st = IDLE;
	if (started >= n)
		return;
	started++;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		failed++;
		return;
	}
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		failed++;
		close(s->fd);
		return;
	}
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		failed++;
		close(s->fd);
		return;
	}
	s->st = CONNECTING;
}

static long parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "connect_client: bad %s '%s' (%ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s ADDR PORT N K [DEADLINE_S]\n", argv[0]);
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "connect_client: bad IPv4 address '%s'\n", argv[1]);
		return 2;
	}
	sa.sin_port = htons((unsigned short)parse_long(argv[2], "port", 1, 65535));
	n = parse_long(argv[3], "N", 1, 10000000);
	long k = parse_long(argv[4], "K", 1, 10000);
	double deadline_s = argc == 6 ? (double)parse_long(argv[5], "deadline", 1, 3600) : 60.0;
	if (k > n)
		k = n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		perror("epoll_create1");
		return 1;
	}
	slots = calloc((size_t)k, sizeof *slots);
	if (!slots) {
		perror("calloc");
		return 1;
	}
	static const char payload[] = "bench\n";
	char buf[4096];
	long ok = 0, reset = 0;
	double t0 = now(), deadline = t0 + deadline_s;

	for (long i = 0; i < k; i++)
		start_one(i);

	struct epoll_event evs[256];
	for (;;) {
		long active = 0;
		for (long i = 0; i < k; i++) {
			/* refill slots whose start failed immediately */
			while (slots[i].st == IDLE && started < n)
				start_one(i);
			active += slots[i].st != IDLE;
		}
		if (!active)
			break;
		double t = now();
		if (t >= deadline)
			break;
		int ms = (int)((deadline - t) * 1000.0) + 1;
		int got = epoll_wait(ep, evs, 256, ms > 100 ? 100 : ms);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			perror("epoll_wait");
			return 1;
		}
		for (int e = 0; e < got; e++) {
			long i = (long)evs[e].data.u64;
			struct slot *s = &slots[i];
			int done = 0; /* 1 ok, 2 reset, 3 failed */
			if (s->st == CONNECTING) {
				int err = 0;
				socklen_t len = sizeof err;
				getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err) {
					done = 3;
				} else if (send(s->fd, payload, sizeof payload - 1, MSG_NOSIGNAL) <
				               0 ||
				           shutdown(s->fd, SHUT_WR) < 0) {
					done = errno == ECONNRESET || errno == EPIPE ? 2 : 3;
				} else {
					struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
					                         .data.u64 = (uint64_t)i};
					epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
					s->st = DRAINING;
				}
			} else if (s->st == DRAINING) {
				for (;;) {
					ssize_t r = read(s->fd, buf, sizeof buf);
					if (r > 0)
						continue;
					if (r == 0)
						done = 1;
					else if (errno == ECONNRESET)
						done = 2;
					else if (errno != EAGAIN && errno != EINTR)
						done = 3;
					break;
				}
			}
			if (done) {
				ok += done == 1;
				reset += done == 2;
				failed += done == 3;
				close(s->fd);
				s->st = IDLE;
				start_one(i);
			}
		}
	}
	double elapsed = now() - t0;
	/* whatever is still in flight (deadline) or never started counts as failed */
	for (long i = 0; i < k; i++)
		if (slots[i].st != IDLE) {
			close(slots[i].fd);
			failed++;
		}
	failed += n - started;
	printf("elapsed_s=%.6f done=%ld ok=%ld reset=%ld failed=%ld conn_per_s=%.1f\n", elapsed,
	       ok + reset + failed, ok, reset, failed, elapsed > 0 ? (double)ok / elapsed : 0.0);
	free(slots);
	close(ep);
	return ok == n ? 0 : 1;
}
