/*
 * shared_listener IPV4 PORT SECONDS [UID...]: one TCP listener held by several processes,
 * as nginx's master and its workers hold theirs: this process opens it, then forks one child
 * per UID, which switches to that uid (root needed for another uid) and keeps the socket.
 * Prints "listening PID CHILD_PID..." once all hold it; every process exits by itself after
 * SECONDS (at most 60). IPv4 only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 16

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	pid_t children[MAX_CHILDREN];
	int fd, seconds, n = argc - 4, one = 1;

	if (argc < 4 || n > MAX_CHILDREN || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: %s IPV4 PORT SECONDS [UID...] (at most %d)\n", argv[0],
		        MAX_CHILDREN);
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	seconds = atoi(argv[3]);
	if (seconds < 1 || seconds > 60) {
		fprintf(stderr, "%s: SECONDS must be 1..60\n", argv[0]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 16) < 0) {
		perror("shared_listener");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		uid_t uid = (uid_t)strtoul(argv[4 + i], NULL, 10);
		children[i] = fork();
		if (children[i] < 0) {
			perror("shared_listener: fork");
			return 1;
		}
		if (children[i] == 0) {
			if (setgid((gid_t)uid) < 0 || setuid(uid) < 0) {
				perror("shared_listener: setuid");
				_exit(1);
			}
			sleep((unsigned)seconds);
			_exit(0);
		}
	}
	printf("listening %ld", (long)getpid());
	for (int i = 0; i < n; i++)
		printf(" %ld", (long)children[i]);
	printf("\n");
	fflush(stdout);
	sleep((unsigned)seconds);
	for (int i = 0; i < n; i++)
		waitpid(children[i], NULL, 0);
	return 0;
}
