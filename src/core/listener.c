#include "bindscope/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/bind_error.h"
#include "bindscope/sockets.h"

/* Accept at most this many connections per turn, so one busy listener cannot starve others. */
#define ACCEPT_BATCH 64
#define READ_CHUNK   65536
#define PAYLOAD_KEEP 64

struct conn {
	struct bs_listener *owner;
	int fd;
	struct bs_watch *watch;
	uint64_t bytes;
	struct bs_endpoint peer, local;
	struct conn *prev, *next;
};

struct bs_listener {
	struct bs_loop *loop;
	int fd;
	int spare_fd; /* held open so a connection can be shed when descriptors run out */
	struct bs_watch *watch;
	struct bs_timer *resume; /* re-enables accepting after a pause for lack of descriptors */
	bool paused_said;        /* the pause was reported; reset once a connection gets through */
	struct bs_endpoint bound;
	struct bs_listener_opts opts;
	bool v6only;
	bs_listener_cb cb;
	void *arg;
	struct bs_listener_stats stats;
	struct conn *conns;
};

const char *bs_proto_name(enum bs_proto proto)
{
	return proto == BS_PROTO_UDP ? "udp" : "tcp";
}

struct bs_listener_opts bs_listener_opts_default(void)
{
	struct bs_listener_opts o = {.proto = BS_PROTO_TCP, .reuseaddr = true, .v6only = -1};

	return o;
}

static void emit(struct bs_listener *l, struct bs_listener_event *ev)
{
	if (l->cb != NULL)
		l->cb(l, ev, l->arg);
}

static void note_peer(struct bs_listener *l, const struct bs_endpoint *peer,
                      const struct bs_endpoint *local)
{
	l->stats.has_last = true;
	l->stats.last_peer = *peer;
	l->stats.last_local = *local;
}

static void conn_close(struct bs_listener *l, struct conn *c)
{
	struct bs_listener_event ev = {.kind = BS_EV_CLOSED, .bytes = c->bytes};

	ev.peer = c->peer;
	ev.local = c->local;
	bs_watch_close(c->watch, c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	l->stats.open_now--;
	free(c);
	emit(l, &ev);
}

static void conn_readable(int fd, uint32_t events, void *arg)
{
	static unsigned char sink[READ_CHUNK];
	struct conn *c = arg;
	ssize_t n;

	(void)events;
	/* Drain a bounded amount per turn; level-triggered epoll brings us back for more. */
	for (int i = 0; i < 16; i++) {
		n = recv(fd, sink, sizeof(sink), 0);
		if (n > 0) {
			c->bytes += (uint64_t)n;
			c->owner->stats.bytes += (uint64_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_close(c->owner, c); /* EOF or a reset: the connection is over */
		return;
	}
}

static void resume_accepting(void *arg)
{
	struct bs_listener *l = arg;

	bs_watch_set_events(l->watch, EPOLLIN);
}

/*
 * Not even the spare descriptor could take the connection (the whole system is out):
 * stop asking for a moment rather than spin on a listener that stays readable.
 */
static void pause_accepting(struct bs_listener *l, int code)
{
	char where[BS_ENDPOINT_TEXT_MAX], msg[256];
	struct bs_listener_event ev = {.kind = BS_EV_ERROR, .message = msg};

	/* The timer exists since the listener opened: a pause never needs a descriptor. */
	bs_watch_set_events(l->watch, 0);
	bs_timer_rearm(l->resume, 100);
	if (l->paused_said)
		return; /* said once until a connection gets through again */
	l->paused_said = true;
	bs_endpoint_text(&l->bound, where, sizeof(where));
	snprintf(
	    msg, sizeof(msg),
	    "cannot take new connections to %s: no file descriptor is left (%s), not even to "
	    "close them; they wait in the kernel's queue. Raise ulimit -n or close connections",
	    where, code == ENFILE ? "the system's limit" : "this process's limit");
	ev.local = l->bound;
	emit(l, &ev);
}

/* Returns false when nothing could be shed and accepting is paused. */
static bool shed_one(struct bs_listener *l, int code)
{
	struct bs_listener_event ev = {.kind = BS_EV_SHED};
	char where[BS_ENDPOINT_TEXT_MAX], msg[256];
	int fd;

	/* Give back the spare descriptor, take the pending connection with it, close both. */
	if (l->spare_fd >= 0) {
		close(l->spare_fd);
		l->spare_fd = -1;
	}
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pause_accepting(l, code);
		return false;
	}
	l->stats.shed++;
	bs_endpoint_text(&l->bound, where, sizeof(where));
	snprintf(msg, sizeof(msg),
	         "out of file descriptors (%s): closed a new connection to %s unread; raise "
	         "ulimit -n or close connections",
	         code == EMFILE ? "this process's limit" : "the system's limit", where);
	ev.local = l->bound;
	ev.message = msg;
	emit(l, &ev);
	return true;
}

static void accept_one(struct bs_listener *l, int fd, const struct sockaddr_storage *peer,
                       socklen_t plen)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct bs_listener_event ev = {.kind = BS_EV_ACCEPTED};
	struct bs_error err;
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		close(fd);
		l->stats.shed++;
		return;
	}
	/* The local address the connection arrived on: the lesson's whole point. Only a wildcard
	 * listener needs to ask; on a specific address it is that address. */
	bs_endpoint_from_sockaddr(&c->peer, (const struct sockaddr *)peer, plen);
	if (bs_endpoint_is_wildcard(&l->bound)) {
		getsockname(fd, (struct sockaddr *)&local, &llen);
		bs_endpoint_from_sockaddr(&c->local, (struct sockaddr *)&local, llen);
	} else {
		c->local = l->bound;
	}
	c->owner = l;
	c->fd = fd;
	c->watch = bs_loop_watch(l->loop, fd, EPOLLIN | EPOLLRDHUP, conn_readable, c, &err);
	if (c->watch == NULL) {
		close(fd);
		free(c);
		l->stats.shed++;
		return;
	}
	c->next = l->conns;
	if (l->conns != NULL)
		l->conns->prev = c;
	l->conns = c;
	l->stats.accepted++;
	l->stats.open_now++;
	note_peer(l, &c->peer, &c->local);
	ev.peer = c->peer;
	ev.local = c->local;
	emit(l, &ev);
}

static void tcp_acceptable(int lfd, uint32_t events, void *arg)
{
	struct bs_listener *l = arg;

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd =
		    accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			l->paused_said = false;
			accept_one(l, fd, &peer, plen);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE) {
			if (!shed_one(l, errno))
				return;
			continue;
		}
		/* EAGAIN: drained. ECONNABORTED and friends: the peer gave up; try the next. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
	}
}

static void udp_readable(int fd, uint32_t events, void *arg)
{
	static unsigned char buf[READ_CHUNK];
	struct bs_listener *l = arg;
	unsigned char cbuf[256];

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage peer;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {.msg_name = &peer,
		                    .msg_namelen = sizeof(peer),
		                    .msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cbuf,
		                    .msg_controllen = sizeof(cbuf)};
		struct bs_listener_event ev = {.kind = BS_EV_DATAGRAM};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		l->stats.datagrams++;
		l->stats.bytes += (uint64_t)n;
		bs_endpoint_from_sockaddr(&ev.peer, (struct sockaddr *)&peer, mh.msg_namelen);
		ev.local = l->bound;
		/* The destination address of the datagram, from IP_PKTINFO / IPV6_PKTINFO. */
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				if (ev.local.family == AF_INET)
					((struct sockaddr_in *)&ev.local.addr)->sin_addr =
					    pi.ipi_addr;
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			           cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				((struct sockaddr_in6 *)&ev.local.addr)->sin6_addr = pi.ipi6_addr;
			}
		}
		ev.bytes = (uint64_t)n;
		ev.payload = buf;
		ev.payload_len = (size_t)n < PAYLOAD_KEEP ? (size_t)n : PAYLOAD_KEEP;
		note_peer(l, &ev.peer, &ev.local);
		emit(l, &ev);
	}
}

static int set_options(int fd, const struct bs_endpoint *ep, const struct bs_listener_opts *o)
{
	int one = 1;

	/*
	 * SO_REUSEADDR is for TCP: a restarted server binds past TIME_WAIT. On UDP it would let
	 * two live sockets share one address:port silently, hiding "in use", so UDP goes without.
	 */
	if (o->reuseaddr && o->proto == BS_PROTO_TCP &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -1;
	if (ep->family == AF_INET6 && o->v6only >= 0 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &o->v6only, sizeof(o->v6only)) < 0)
		return -1;
	if (o->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		return -1;
	/* Unprivileged since Linux 5.7, for a socket not yet bound. */
	if (o->device[0] != '\0' && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->device,
	                                       (socklen_t)strlen(o->device)) < 0)
		return -1;
	if (o->proto == BS_PROTO_UDP) {
		/* Ask for each datagram's destination address: which local address it reached. */
		if (ep->family == AF_INET)
			return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	}
	return 0;
}

/* socket, options, bind, listen; on failure returns -1 with errno of the failing step. */
static int open_socket(const struct bs_endpoint *ep, const struct bs_listener_opts *o)
{
	int type = o->proto == BS_PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(ep->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int saved;

	if (fd < 0)
		return -1;
	if (set_options(fd, ep, o) < 0 ||
	    bind(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0)
		goto fail;
	/* SOMAXCONN: a shallow backlog makes a burst of clients wait for SYN retransmits. */
	if (o->proto == BS_PROTO_TCP && listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static void read_back(struct bs_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int v6only = 0;
	socklen_t olen = sizeof(v6only);
	char ifname[IF_NAMESIZE];

	memcpy(ifname, l->bound.ifname, sizeof(ifname));
	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) == 0)
		bs_endpoint_from_sockaddr(&l->bound, (struct sockaddr *)&ss, len);
	if (l->bound.ifname[0] == '\0')
		memcpy(l->bound.ifname, ifname, sizeof(ifname));
	if (l->bound.family == AF_INET6 &&
	    getsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &olen) == 0)
		l->v6only = v6only != 0;
}

struct bs_listener *bs_listener_open(struct bs_loop *loop, const struct bs_endpoint *ep,
                                     const struct bs_listener_opts *opts,
                                     const struct bs_iface_list *ifaces, bs_listener_cb cb,
                                     void *arg, struct bs_error *err)
{
	struct bs_listener *l;
	int fd = open_socket(ep, opts);

	if (fd < 0) {
		int code = errno;
		char holder[256] = "";
		enum bs_port_clash clash = BS_CLASH_NONE;

		if (code == EADDRINUSE)
			bs_sockets_holder_text(opts->proto, ep, holder, sizeof(holder), &clash);
		bs_bind_error(err, code, bs_proto_name(opts->proto), ep, ifaces, holder, clash);
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		close(fd);
		bs_error_set(err, ENOMEM, "out of memory opening a listener");
		return NULL;
	}
	l->loop = loop;
	l->fd = fd;
	l->opts = *opts;
	l->cb = cb;
	l->arg = arg;
	l->bound = *ep;
	read_back(l);
	/* Made now, while descriptors remain: pausing for lack of them must not need one. It comes
	 * before the spare, which is only a nicety when descriptors are short. */
	l->spare_fd = -1;
	l->resume = bs_loop_timer(loop, 0, false, resume_accepting, l, err);
	if (l->resume == NULL) {
		bs_listener_close(l);
		return NULL;
	}
	l->spare_fd = opts->proto == BS_PROTO_TCP ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
	l->watch = bs_loop_watch(
	    loop, fd, EPOLLIN, opts->proto == BS_PROTO_TCP ? tcp_acceptable : udp_readable, l, err);
	if (l->watch == NULL) {
		bs_listener_close(l);
		return NULL;
	}
	return l;
}

void bs_listener_close(struct bs_listener *l)
{
	if (l == NULL)
		return;
	/* Connections go quietly: the listener's owner is tearing it down. */
	l->cb = NULL;
	for (struct conn *c = l->conns; c != NULL; c = l->conns) {
		c->prev = NULL; /* the head of the list */
		conn_close(l, c);
	}
	bs_watch_remove(l->watch);
	bs_timer_cancel(l->resume);
	close(l->fd);
	if (l->spare_fd >= 0)
		close(l->spare_fd);
	free(l);
}

const struct bs_listener_stats *bs_listener_stats(const struct bs_listener *l)
{
	return &l->stats;
}

const struct bs_endpoint *bs_listener_endpoint(const struct bs_listener *l)
{
	return &l->bound;
}

enum bs_proto bs_listener_proto(const struct bs_listener *l)
{
	return l->opts.proto;
}

bool bs_listener_v6only(const struct bs_listener *l)
{
	return l->v6only;
}

uint64_t bs_listener_inode(const struct bs_listener *l)
{
	struct stat st;

	return fstat(l->fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

bool bs_listener_reuseaddr(const struct bs_listener *l)
{
	return l->opts.proto == BS_PROTO_TCP && l->opts.reuseaddr;
}

bool bs_listener_reuseport(const struct bs_listener *l)
{
	return l->opts.reuseport;
}
