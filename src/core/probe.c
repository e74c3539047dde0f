#include "bindscope/probe.h"

#include "bindscope/firewall.h"
#include "bindscope/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN_PREFIX "bindscope-probe:"

struct slot {
	bool busy;
	size_t target;
	int fd;
	struct bs_watch *watch;
	uint64_t started_us;
	struct bs_probe *probe;
	int family;
};

struct bs_probe {
	struct bs_loop *loop;
	struct bs_probe_opts opts;
	struct bs_endpoint from;
	bool has_from;
	bs_probe_target_fn target_fn;
	void *target_arg;
	struct bs_probe_result *results;
	size_t count, next, finished_count, in_flight;
	struct slot *slots;
	unsigned *free_slots; /* a stack of idle slot indexes: launching costs O(1) */
	unsigned nfree;
	struct bs_timer *tick;
	uint32_t token;
	bool done_called;
	bool starting;
	bs_probe_done_cb done;
	void *arg;
	struct bs_endpoint *sources; /* with record_source: each probe's own address and port */
	bool *claimed;               /* ... and whether a listener has already seen it */
	uint64_t started_us;
};

const char *bs_verdict_name(enum bs_verdict v)
{
	static const char *const names[] = {
	    [BS_VERDICT_PENDING] = "pending",
	    [BS_VERDICT_OPEN] = "open",
	    [BS_VERDICT_REFUSED] = "refused",
	    [BS_VERDICT_TIMEOUT] = "timeout",
	    [BS_VERDICT_UNREACHABLE] = "unreachable",
	    [BS_VERDICT_OPEN_FILTERED] = "open|filtered",
	    [BS_VERDICT_ERROR] = "error",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "error";
}

const char *bs_verdict_symbol(enum bs_verdict v, bool utf8)
{
	switch (v) {
	case BS_VERDICT_OPEN:
		return utf8 ? "✓" : "+";
	case BS_VERDICT_REFUSED:
		return utf8 ? "✗" : "-";
	case BS_VERDICT_TIMEOUT:
		return utf8 ? "…" : "~";
	case BS_VERDICT_UNREACHABLE:
		return utf8 ? "⊘" : "x";
	case BS_VERDICT_OPEN_FILTERED:
		return "?";
	case BS_VERDICT_PENDING:
		return ".";
	case BS_VERDICT_ERROR:
		break;
	}
	return "!";
}

const char *bs_probe_reason(const struct bs_probe_result *r, enum bs_proto proto, int family)
{
	if (r->icmp)
		return bs_icmp_id(family, r->icmp_type, r->icmp_code);
	switch (r->verdict) {
	case BS_VERDICT_OPEN:
		if (proto == BS_PROTO_UDP)
			return r->confirmed ? "received" : "udp-response";
		return "syn-ack";
	case BS_VERDICT_REFUSED:
		if (r->self_connect)
			return "self-connect";
		return proto == BS_PROTO_UDP ? "port-unreachable" : "reset";
	case BS_VERDICT_TIMEOUT:
	case BS_VERDICT_OPEN_FILTERED:
		return "no-response";
	case BS_VERDICT_UNREACHABLE:
		return r->error == ENETUNREACH ? "no-route" : "host-unreachable";
	case BS_VERDICT_ERROR:
		return "local-error";
	case BS_VERDICT_PENDING:
		break;
	}
	return "";
}

struct bs_probe_opts bs_probe_opts_default(void)
{
	struct bs_probe_opts o = {
	    .proto = BS_PROTO_TCP, .timeout_ms = 1000, .concurrency = 256, .netns_fd = -1};

	return o;
}

static enum bs_verdict classify(int code)
{
	switch (code) {
	case ECONNREFUSED:
		return BS_VERDICT_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
		return BS_VERDICT_UNREACHABLE;
	case ETIMEDOUT:
		return BS_VERDICT_TIMEOUT;
	default:
		return BS_VERDICT_ERROR;
	}
}

static void set_result(struct bs_probe *p, size_t i, enum bs_verdict v, int code,
                       uint64_t started_us)
{
	struct bs_probe_result *r = &p->results[i];

	if (r->verdict != BS_VERDICT_PENDING)
		return;
	r->verdict = v;
	r->error = code;
	r->latency_us = bs_now_us() - started_us;
	p->finished_count++;
}

static void slot_release(struct slot *s)
{
	bs_watch_remove(s->watch);
	s->watch = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->busy = false;
	s->probe->in_flight--;
	s->probe->free_slots[s->probe->nfree++] = (unsigned)(s - s->probe->slots);
}

/* The ICMP error that ended a probe, from the socket's error queue (IP_RECVERR): it tells
 * an ICMP port unreachable from a TCP reset, and names what a firewall's reject sent. */
static bool read_icmp(int fd, uint8_t *type, uint8_t *code)
{
	char control[512];
	struct msghdr msg = {.msg_control = control, .msg_controllen = sizeof(control)};
	struct cmsghdr *c;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return false;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
		bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
		bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
		if ((v4 && ee->ee_origin == SO_EE_ORIGIN_ICMP) ||
		    (v6 && ee->ee_origin == SO_EE_ORIGIN_ICMP6)) {
			*type = ee->ee_type;
			*code = ee->ee_code;
			return true;
		}
	}
	return false;
}

/* An ICMP destination unreachable decides the verdict: port unreachable is refused (nothing
 * there, or a firewall's reject saying so), every other code is unreachable. */
static enum bs_verdict icmp_verdict(int family, uint8_t type, uint8_t code)
{
	bool port = family == AF_INET6 ? (type == 1 && code == 4) : (type == 3 && code == 3);

	return port ? BS_VERDICT_REFUSED : BS_VERDICT_UNREACHABLE;
}

static void slot_finish(struct slot *s, enum bs_verdict v, int code)
{
	struct bs_probe_result *r = &s->probe->results[s->target];

	if (code != 0 && s->fd >= 0 && r->verdict == BS_VERDICT_PENDING &&
	    read_icmp(s->fd, &r->icmp_type, &r->icmp_code)) {
		r->icmp = true;
		v = icmp_verdict(s->family, r->icmp_type, r->icmp_code);
	}
	set_result(s->probe, s->target, v, code, s->started_us);
	slot_release(s);
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

/* A connected TCP socket: open, unless it is connected to itself. */
static void tcp_connected(struct slot *s)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer);
	struct linger reset = {.l_onoff = 1, .l_linger = 0};
	bool self;

	memset(&local, 0, sizeof(local));
	memset(&peer, 0, sizeof(peer));
	getsockname(s->fd, (struct sockaddr *)&local, &llen);
	getpeername(s->fd, (struct sockaddr *)&peer, &plen);
	self = same_address(&local, &peer);
	/* Close with a reset: no TIME_WAIT left behind by a sweep. */
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	if (self) {
		s->probe->results[s->target].self_connect = true;
		slot_finish(s, BS_VERDICT_REFUSED, ECONNREFUSED);
	} else {
		slot_finish(s, BS_VERDICT_OPEN, 0);
	}
}

static void advance(struct bs_probe *p);

static void tcp_ready(int fd, uint32_t events, void *arg)
{
	struct slot *s = arg;
	struct bs_probe *p = s->probe;
	int code = 0;
	socklen_t len = sizeof(code);

	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &len) < 0)
		code = errno;
	if (code == 0)
		tcp_connected(s);
	else
		slot_finish(s, classify(code), code);
	advance(p);
}

static void udp_ready(int fd, uint32_t events, void *arg)
{
	struct slot *s = arg;
	struct bs_probe *p = s->probe;
	unsigned char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	(void)events;
	if (n >= 0)
		slot_finish(s, BS_VERDICT_OPEN, 0); /* a reply: something answers there */
	else if (errno != EAGAIN && errno != EINTR)
		slot_finish(s, classify(errno), errno);
	advance(p);
}

static int bind_source(struct bs_probe *p, int fd)
{
	struct bs_endpoint src = p->from;

	if (!p->has_from)
		return 0;
	((struct sockaddr_in *)&src.addr)->sin_port = 0; /* same offset in sockaddr_in6 */
	return bind(fd, (struct sockaddr *)&src.addr, src.addrlen);
}

static int udp_send_token(struct bs_probe *p, struct slot *s)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), TOKEN_PREFIX "%08x:%zu", p->token, s->target);

	return send(s->fd, msg, (size_t)n, MSG_DONTWAIT) < 0 ? -1 : 0;
}

/* The ephemeral port connect() chose, so a listener can tell our probes from visitors. */
static void record_source(struct bs_probe *p, struct slot *s)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	struct bs_endpoint ep;

	if (getsockname(s->fd, (struct sockaddr *)&local, &len) == 0 &&
	    bs_endpoint_from_sockaddr(&ep, (struct sockaddr *)&local, len) == 0) {
		p->results[s->target].source_port = ep.port;
		if (p->sources != NULL)
			p->sources[s->target] = ep;
	}
}

/* A socket belongs to the network namespace it was created in: a peer's probe is made there. */
static int open_socket_in(struct bs_probe *p, int family, int type)
{
	return bs_netns_socket(p->opts.netns_fd, family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Queue ICMP errors with their type and code (read_icmp); without it only an errno is left. */
static void ask_for_icmp(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof(on));
}

/* Start probe i in slot s. Returns false when out of descriptors with others in flight. */
static bool launch(struct bs_probe *p, struct slot *s, size_t i)
{
	struct bs_endpoint target, *t = &target;
	int udp = p->opts.proto == BS_PROTO_UDP, fd;

	p->target_fn(i, &target, p->target_arg);
	fd = open_socket_in(p, t->family, udp ? SOCK_DGRAM : SOCK_STREAM);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && p->in_flight > 0)
		return false; /* wait for a slot to give its descriptor back */
	if (fd >= 0)
		ask_for_icmp(fd, t->family);
	s->family = t->family;
	s->busy = true;
	s->target = i;
	s->fd = fd;
	s->started_us = bs_now_us();
	p->in_flight++;
	if (fd < 0 || bind_source(p, fd) < 0) {
		slot_finish(s, BS_VERDICT_ERROR, errno);
		return true;
	}
	if (connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		slot_finish(s, classify(errno), errno);
		return true;
	}
	if (p->opts.record_source)
		record_source(p, s);
	if (udp && udp_send_token(p, s) < 0) {
		slot_finish(s, classify(errno), errno);
		return true;
	}
	s->watch = bs_loop_watch(p->loop, fd, udp ? EPOLLIN : EPOLLOUT, udp ? udp_ready : tcp_ready,
	                         s, NULL);
	if (s->watch == NULL)
		slot_finish(s, BS_VERDICT_ERROR, errno);
	return true;
}

static void start_more(struct bs_probe *p)
{
	while (p->nfree > 0 && p->next < p->count) {
		unsigned k = p->free_slots[--p->nfree];
		if (!launch(p, &p->slots[k], p->next)) {
			p->free_slots[p->nfree++] = k;
			return;
		}
		p->next++;
	}
}

/* Launch what can be launched; when everything has a verdict, tell the caller (last). */
static void advance(struct bs_probe *p)
{
	while (p->next < p->count && p->in_flight < p->opts.concurrency) {
		size_t before = p->next;
		start_more(p);
		if (p->next == before)
			break;
	}
	if (p->finished_count < p->count || p->done_called)
		return;
	bs_timer_cancel(p->tick);
	p->tick = NULL;
	if (p->starting)
		return; /* bs_probe_start_gen has not returned yet: the caller hears it next turn */
	p->done_called = true;
	if (p->done != NULL)
		p->done(p, p->arg);
}

static void on_tick(void *arg)
{
	struct bs_probe *p = arg;
	uint64_t now = bs_now_us(), limit = (uint64_t)p->opts.timeout_ms * 1000u;

	for (unsigned k = 0; k < p->opts.concurrency; k++) {
		struct slot *s = &p->slots[k];
		if (!s->busy || now - s->started_us < limit)
			continue;
		slot_finish(s,
		            p->opts.proto == BS_PROTO_UDP ? BS_VERDICT_OPEN_FILTERED
		                                          : BS_VERDICT_TIMEOUT,
		            p->opts.proto == BS_PROTO_UDP ? 0 : ETIMEDOUT);
	}
	advance(p);
}

static void finish_soon(void *arg)
{
	advance(arg);
}

static int check_opts(const struct bs_probe_opts *o, struct bs_error *err)
{
	if (o->timeout_ms == 0 || o->timeout_ms > 600000)
		return bs_error_set(err, 0, "the probe timeout must be 1 to 600000 ms, not %u",
		                    o->timeout_ms);
	if (o->concurrency == 0 || o->concurrency > 65536)
		return bs_error_set(err, 0, "the probe concurrency must be 1 to 65536, not %u",
		                    o->concurrency);
	return 0;
}

static struct bs_probe *probe_alloc(size_t count, const struct bs_probe_opts *opts,
                                    struct bs_error *err)
{
	struct bs_probe *p = calloc(1, sizeof(*p));

	if (p != NULL) {
		p->opts = *opts;
		if (p->opts.concurrency > count && count > 0)
			p->opts.concurrency = (unsigned)count;
		if (p->opts.concurrency == 0)
			p->opts.concurrency = 1;
		p->results = calloc(count ? count : 1, sizeof(*p->results));
		p->slots = calloc(p->opts.concurrency, sizeof(*p->slots));
		p->free_slots = calloc(p->opts.concurrency, sizeof(*p->free_slots));
	}
	if (p == NULL || p->results == NULL || p->slots == NULL || p->free_slots == NULL) {
		bs_probe_free(p);
		bs_error_set(err, ENOMEM, "out of memory preparing %zu probes", count);
		return NULL;
	}
	p->count = count;
	for (unsigned k = 0; k < p->opts.concurrency; k++) {
		p->slots[k].fd = -1;
		p->slots[k].probe = p;
		p->free_slots[p->nfree++] = p->opts.concurrency - 1 - k;
	}
	return p;
}

static struct bs_probe *probe_begin(struct bs_probe *p, struct bs_loop *loop, bs_probe_done_cb done,
                                    void *arg, struct bs_error *err)
{
	unsigned tick_ms;

	p->loop = loop;
	p->done = done;
	p->arg = arg;
	p->started_us = bs_now_us();
	if (p->opts.record_source) {
		p->sources = calloc(p->count ? p->count : 1, sizeof(*p->sources));
		p->claimed = calloc(p->count ? p->count : 1, sizeof(*p->claimed));
		if (p->sources == NULL || p->claimed == NULL) {
			bs_error_set(err, ENOMEM, "out of memory preparing %zu probes", p->count);
			bs_probe_free(p);
			return NULL;
		}
	}
	p->token = (uint32_t)bs_now_us() ^ (uint32_t)getpid() << 16;
	if (p->opts.from != NULL) {
		p->from = *p->opts.from;
		p->has_from = true;
	}
	p->opts.from = NULL;
	/* Deadlines are checked on a tick of a tenth of the timeout (5 ms at least). */
	tick_ms = p->opts.timeout_ms / 10 < 5 ? 5 : p->opts.timeout_ms / 10;
	p->tick = bs_loop_timer(loop, tick_ms, true, on_tick, p, err);
	if (p->tick == NULL) {
		bs_probe_free(p);
		return NULL;
	}
	p->starting = true;
	advance(p);
	p->starting = false;
	if (p->finished_count == p->count)
		p->tick = bs_loop_timer(loop, 1, false, finish_soon, p, err);
	return p;
}

struct bs_probe *bs_probe_start_gen(struct bs_loop *loop, size_t count, bs_probe_target_fn fn,
                                    void *fn_arg, const struct bs_probe_opts *opts,
                                    bs_probe_done_cb done, void *arg, struct bs_error *err)
{
	struct bs_probe *p;

	if (check_opts(opts, err) < 0)
		return NULL;
	p = probe_alloc(count, opts, err);
	if (p == NULL)
		return NULL;
	p->target_fn = fn;
	p->target_arg = fn_arg;
	return probe_begin(p, loop, done, arg, err);
}

const struct bs_probe_result *bs_probe_result(const struct bs_probe *p, size_t i)
{
	return &p->results[i];
}

/* "bindscope-probe:TOKEN:INDEX", as udp_send_token wrote it; anything else is a visitor's. */
static bool parse_payload(const unsigned char *payload, size_t len, uint32_t *token,
                          unsigned long *index)
{
	char text[64], *end;
	unsigned long t;

	if (len >= sizeof(text) || len < sizeof(TOKEN_PREFIX) - 1)
		return false;
	memcpy(text, payload, len);
	text[len] = '\0';
	if (strncmp(text, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) != 0)
		return false;
	t = strtoul(text + sizeof(TOKEN_PREFIX) - 1, &end, 16);
	if (*end != ':' || t > UINT32_MAX)
		return false;
	*index = strtoul(end + 1, &end, 10);
	*token = (uint32_t)t;
	return *end == '\0';
}

bool bs_probe_payload_token(const unsigned char *payload, size_t len, uint32_t *token)
{
	unsigned long index;

	return parse_payload(payload, len, token, &index);
}

uint32_t bs_probe_token(const struct bs_probe *p)
{
	return p->token;
}

bool bs_probe_unclaimed_source(const struct bs_probe *p, size_t i, struct bs_endpoint *out)
{
	if (p == NULL || p->sources == NULL || i >= p->count || p->claimed[i] ||
	    p->sources[i].port == 0)
		return false;
	*out = p->sources[i];
	return true;
}

long bs_probe_confirm_udp(struct bs_probe *p, const unsigned char *payload, size_t len)
{
	uint32_t token;
	unsigned long index;

	if (p == NULL || !parse_payload(payload, len, &token, &index) || token != p->token ||
	    index >= p->count)
		return -1;
	for (unsigned k = 0; k < p->opts.concurrency; k++) {
		struct slot *s = &p->slots[k];
		if (s->busy && s->target == index) {
			p->results[index].confirmed = true;
			slot_finish(s, BS_VERDICT_OPEN, 0);
			advance(p);
			return (long)index;
		}
	}
	return -1;
}

/*
 * Each probe's connection is claimed once, by address and port, and only while the round is
 * fresh: a probe's port is free again the moment it resets, and a visitor may get it next.
 */
long bs_probe_claim(struct bs_probe *p, const struct bs_endpoint *peer)
{
	if (p == NULL || p->sources == NULL || peer->port == 0 ||
	    bs_now_us() - p->started_us > (uint64_t)10 * 1000000u)
		return -1;
	for (size_t i = 0; i < p->count; i++)
		if (!p->claimed[i] && bs_endpoint_same_peer(&p->sources[i], peer)) {
			p->claimed[i] = true;
			return (long)i;
		}
	return -1;
}

void bs_probe_free(struct bs_probe *p)
{
	if (p == NULL)
		return;
	if (p->slots != NULL)
		for (unsigned k = 0; k < p->opts.concurrency; k++)
			if (p->slots[k].busy)
				slot_release(&p->slots[k]);
	bs_timer_cancel(p->tick);
	free(p->sources);
	free(p->claimed);
	free(p->free_slots);
	free(p->slots);
	free(p->results);
	free(p);
}

static void stop_loop(struct bs_probe *p, void *arg)
{
	(void)p;
	bs_loop_stop(arg);
}

static int run_to_end(struct bs_loop *loop, struct bs_probe *p, size_t count,
                      struct bs_probe_result *results, struct bs_error *err)
{
	int rc = 0;

	if (p == NULL) {
		bs_loop_free(loop);
		return -1;
	}
	if (bs_loop_run(loop) < 0)
		rc = bs_error_set(err, errno, "the event loop failed: %s", strerror(errno));
	memcpy(results, p->results, count * sizeof(*results));
	bs_probe_free(p);
	bs_loop_free(loop);
	return rc;
}

int bs_probe_run_gen(size_t count, bs_probe_target_fn fn, void *fn_arg,
                     const struct bs_probe_opts *opts, struct bs_probe_result *results,
                     struct bs_error *err)
{
	struct bs_loop *loop = bs_loop_new(err);

	if (loop == NULL)
		return -1;
	return run_to_end(loop,
	                  bs_probe_start_gen(loop, count, fn, fn_arg, opts, stop_loop, loop, err),
	                  count, results, err);
}
