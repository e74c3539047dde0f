#include "bindscope/iface_watch.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

struct bs_iface_watch {
	struct mnl_socket *nl;
	struct bs_watch *watch;
	bs_iface_changed_cb cb;
	void *arg;
};

static void readable(int fd, uint32_t events, void *arg)
{
	struct bs_iface_watch *w = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool changed = false;

	(void)events;
	/* Drain the burst; what changed is re-read as a whole by the caller. ENOBUFS (the
	 * kernel dropped messages) still means "something changed". */
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			changed = true;
			continue;
		}
		break;
	}
	if (changed)
		w->cb(w->arg);
}

struct bs_iface_watch *bs_iface_watch_start(struct bs_loop *loop, bs_iface_changed_cb cb, void *arg,
                                            struct bs_error *err)
{
	struct bs_iface_watch *w = calloc(1, sizeof(*w));
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;

	if (w == NULL) {
		bs_error_set(err, ENOMEM, "out of memory watching interfaces");
		return NULL;
	}
	w->cb = cb;
	w->arg = arg;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (w->nl == NULL || mnl_socket_bind(w->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		bs_error_set(err, errno, "cannot watch interface changes (rtnetlink): %s",
		             strerror(errno));
		bs_iface_watch_stop(w);
		return NULL;
	}
	w->watch = bs_loop_watch(loop, mnl_socket_get_fd(w->nl), EPOLLIN, readable, w, err);
	if (w->watch == NULL) {
		bs_iface_watch_stop(w);
		return NULL;
	}
	return w;
}

void bs_iface_watch_stop(struct bs_iface_watch *w)
{
	if (w == NULL)
		return;
	bs_watch_remove(w->watch);
	if (w->nl != NULL)
		mnl_socket_close(w->nl);
	free(w);
}
