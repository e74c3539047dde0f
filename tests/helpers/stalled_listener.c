/*
 * stalled_listener ADDR PORT BACKLOG SECONDS: a TCP listener that never calls accept(), so
 * its listen queue fills and the kernel drops further SYNs (TcpExt ListenDrops). It prints
 * "listening" once bound and exits by itself after SECONDS (at most 60). IPv4 only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd, backlog, seconds, one = 1;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: %s IPV4 PORT BACKLOG SECONDS\n", argv[0]);
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	backlog = atoi(argv[3]);
	seconds = atoi(argv[4]);
	if (seconds < 1 || seconds > 60) {
		fprintf(stderr, "%s: SECONDS must be 1..60\n", argv[0]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, backlog) < 0) {
		perror("stalled_listener");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	sleep((unsigned)seconds);
	close(fd);
	return 0;
}
