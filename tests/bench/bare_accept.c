/*
 * bare_accept — the practical limit of the accept benchmark: the least a listener
 * that "accepts and discards" can do.
 *
 *   bare_accept ADDR PORT
 *
 * One IPv4 TCP listener (SO_REUSEADDR, backlog SOMAXCONN), one epoll loop: accept
 * every pending connection (non-blocking), read and discard what it sends, close it
 * at end of stream or on error. No output per connection, no bookkeeping beyond a
 * counter. On SIGINT/SIGTERM prints "accepted=N" to stdout and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s ADDR PORT\n", argv[0]);
		return 2;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char *end;
	long port = strtol(argv[2], &end, 10);
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || *end || port < 1 || port > 65535) {
		fprintf(stderr, "bare_accept: bad address '%s' or port '%s'\n", argv[1], argv[2]);
		return 2;
	}
	sa.sin_port = htons((unsigned short)port);

	struct sigaction act = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait gets EINTR */
	sigemptyset(&act.sa_mask);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, SOMAXCONN) < 0) {
		fprintf(stderr, "bare_accept: %s:%ld: %s\n", argv[1], port, strerror(errno));
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		perror("bare_accept: epoll");
		return 1;
	}

	unsigned long accepted = 0;
	char buf[16384];
	struct epoll_event evs[256];
	while (!stop) {
		int got = epoll_wait(ep, evs, 256, -1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			perror("bare_accept: epoll_wait");
			return 1;
		}
		for (int e = 0; e < got; e++) {
			int fd = evs[e].data.fd;
			if (fd == lfd) {
				int c;
				while ((c = accept4(lfd, NULL, NULL,
				                    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					accepted++;
					struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
					if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0)
						close(c);
				}
				continue;
			}
			for (;;) {
				ssize_t r = read(fd, buf, sizeof buf);
				if (r > 0)
					continue;
				if (r < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				close(fd); /* end of stream or error; close also leaves the epoll
				              set */
				break;
			}
		}
	}
	printf("accepted=%lu\n", accepted);
	return 0;
}
