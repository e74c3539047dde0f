#include "bindscope/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int bs_netns_enter(int netns_fd, const char *who, struct bs_netns_visit *visit,
                   struct bs_error *err)
{
	visit->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (visit->home < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
		int saved = errno;
		if (visit->home >= 0)
			close(visit->home);
		visit->home = -1;
		return bs_error_set(err, saved, "cannot reach %s's network: %s", who,
		                    strerror(saved));
	}
	return 0;
}

void bs_netns_leave(struct bs_netns_visit *visit)
{
	if (visit->home < 0)
		return;
	if (setns(visit->home, CLONE_NEWNET) < 0)
		abort(); /* stranded in another namespace: nothing after this would be true */
	close(visit->home);
	visit->home = -1;
}

int bs_netns_socket(int netns_fd, int domain, int type, int protocol)
{
	struct bs_netns_visit visit;
	int fd, saved;

	if (netns_fd < 0)
		return socket(domain, type, protocol);
	if (bs_netns_enter(netns_fd, "the vantage point", &visit, NULL) < 0)
		return -1;
	fd = socket(domain, type, protocol);
	saved = errno;
	bs_netns_leave(&visit);
	errno = saved;
	return fd;
}
