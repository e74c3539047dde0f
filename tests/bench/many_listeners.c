/*
 * many_listeners — the socket table for the `bindscope sockets` benchmark.
 *
 *   many_listeners ADDR LOW HIGH
 *
 * Opens one IPv4 TCP listener (SO_REUSEADDR, backlog 16) on ADDR for every port LOW..HIGH,
 * raising RLIMIT_NOFILE's soft limit to its hard limit first. Then prints "ready N" (N
 * listeners) on stdout and sleeps until a signal ends it; its sockets die with it. Exits 1
 * with a message if any socket cannot be opened (so a short table is never measured).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct rlimit rl;
	long low, high;
	int one = 1;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: many_listeners ADDR LOW HIGH\n");
		return 2;
	}
	low = strtol(argv[2], NULL, 10);
	high = strtol(argv[3], NULL, 10);
	if (low < 1 || high > 65535 || low > high) {
		fprintf(stderr, "many_listeners: bad port range %s-%s\n", argv[2], argv[3]);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (long port = low; port <= high; port++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			fprintf(stderr, "many_listeners: socket for port %ld: %s\n", port,
			        strerror(errno));
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		sin.sin_port = htons((unsigned short)port);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 16) < 0) {
			fprintf(stderr, "many_listeners: %s:%ld: %s\n", argv[1], port,
			        strerror(errno));
			return 1;
		}
	}
	printf("ready %ld\n", high - low + 1);
	fflush(stdout);
	for (;;)
		pause();
}
