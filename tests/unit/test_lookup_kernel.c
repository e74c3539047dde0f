/*
 * The kernel as the oracle for the lookup model (lookup.h). For each configuration below it
 * opens real sockets on loopback, reads them back with bs_sockets_read (so the model sees
 * exactly what sock_diag says), then connects (TCP) or sends a datagram (UDP) to each
 * destination and sees which socket takes it. That must be what bs_lookup predicts: the
 * socket itself, one of a GROUP or TIE, a refusal (ECONNREFUSED) for NONE, and no delivery
 * for NOT_LOCAL. Every disagreement is printed with its configuration; any one fails the test.
 *
 * It must run alone in a private network namespace (tests/unit/run_in_netns.sh makes one and
 * sets BINDSCOPE_TEST_NETNS=1); otherwise it skips (77). There it brings lo up and makes two
 * veth pairs: bsl0 (up, 10.200.0.1/24, fd00:200::1/64) for device-bound sockets and a local
 * address that is not loopback, and bsl2 (down, 10.201.0.1/24) for an address on a down
 * interface. What cannot be built (IPv6, veth) skips the cases that need it, saying so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "bindscope/lookup.h"
#include "bindscope/rtnl.h"

#define SKIP      77
#define MAX_SOCKS 4
#define ROUNDS    6 /* connections per destination: a GROUP or TIE gets several chances */
#define BASE_PORT 21000
#define WAIT_MS   1000
#define NOT_TAKEN (-1)

enum { REUSEADDR = 1 << 0, REUSEPORT = 1 << 1, FREEBIND = 1 << 2 };

/* What a configuration or destination needs beyond loopback. */
enum { NEED_IPV6 = 1 << 0, NEED_DEV = 1 << 1, NEED_DOWN = 1 << 2 };

/* One socket to open, in bind order. v6only applies to IPv6 only (set explicitly). */
struct spec {
	enum bs_proto proto;
	const char *addr;
	int v6only;
	const char *dev; /* SO_BINDTODEVICE, or NULL */
	unsigned opts;
};

/* The fields of a spec, in braces at the call: {TCP("0.0.0.0", 0, "lo", REUSEPORT)}. TCP
 * sockets get SO_REUSEADDR as bindscope's listeners do; sharing a port while listening still
 * takes SO_REUSEPORT on both. */
#define TCP(addr, v6only, dev, opts) BS_PROTO_TCP, addr, v6only, dev, (opts) | REUSEADDR
#define UDP(addr, v6only, dev, opts) BS_PROTO_UDP, addr, v6only, dev, opts
#define RP                           REUSEPORT

struct config {
	const char *name;
	struct spec socks[MAX_SOCKS + 1]; /* ends at addr == NULL */
	unsigned needs;                   /* NEED_DEV, NEED_DOWN (IPv6 is deduced) */
};

#define CFG(name, ...)                                                                             \
	{                                                                                          \
		name, {__VA_ARGS__, {0}}, 0                                                        \
	}
#define CFG_NEEDS(needs, name, ...)                                                                \
	{                                                                                          \
		name, {__VA_ARGS__, {0}}, needs                                                    \
	}

/*
 * Each configuration guards one rule of lookup.h against the kernel: the most specific
 * address before the wildcard, v6only, ::ffff:a.b.c.d, SO_REUSEPORT groups, SO_BINDTODEVICE
 * beside unbound sockets (in both bind orders, since the kernel walks its hash chain in an
 * order that bind order sets), IP_FREEBIND on an address that is not local, the other
 * protocol on the same port, UDP's scoring, and an address on a down interface.
 */
static const struct config configs[] = {
    CFG("specific + wildcard", {TCP("127.0.0.1", 0, NULL, RP)}, {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG("two specific addresses", {TCP("127.0.0.1", 0, NULL, 0)}, {TCP("127.0.0.2", 0, NULL, 0)}),
    CFG("0.0.0.0 + [::] v6only", {TCP("0.0.0.0", 0, NULL, 0)}, {TCP("::", 1, NULL, 0)}),
    CFG("[::] dual-stack alone", {TCP("::", 0, NULL, 0)}),
    CFG("[::] v6only alone", {TCP("::", 1, NULL, 0)}),
    CFG("SO_REUSEPORT pair on 127.0.0.1", {TCP("127.0.0.1", 0, NULL, RP)},
        {TCP("127.0.0.1", 0, NULL, RP)}),
    CFG("0.0.0.0%lo then [::] dual-stack, SO_REUSEPORT", {TCP("0.0.0.0", 0, "lo", RP)},
        {TCP("::", 0, NULL, RP)}),
    CFG("[::] dual-stack then 0.0.0.0%lo, SO_REUSEPORT", {TCP("::", 0, NULL, RP)},
        {TCP("0.0.0.0", 0, "lo", RP)}),
    CFG("0.0.0.0 then [::] dual-stack, SO_REUSEPORT", {TCP("0.0.0.0", 0, NULL, RP)},
        {TCP("::", 0, NULL, RP)}),
    CFG("[::] dual-stack then 0.0.0.0, SO_REUSEPORT", {TCP("::", 0, NULL, RP)},
        {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG("[::ffff:127.0.0.1] + 0.0.0.0, SO_REUSEPORT", {TCP("::ffff:127.0.0.1", 0, NULL, RP)},
        {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG("[::1] + [::] v6only, SO_REUSEPORT", {TCP("::1", 1, NULL, RP)}, {TCP("::", 1, NULL, RP)}),
    CFG("0.0.0.0%lo then 0.0.0.0, SO_REUSEPORT", {TCP("0.0.0.0", 0, "lo", RP)},
        {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG("0.0.0.0 then 0.0.0.0%lo, SO_REUSEPORT", {TCP("0.0.0.0", 0, NULL, RP)},
        {TCP("0.0.0.0", 0, "lo", RP)}),
    CFG("[::]%lo then [::] v6only, SO_REUSEPORT", {TCP("::", 1, "lo", RP)},
        {TCP("::", 1, NULL, RP)}),
    CFG("[::] then [::]%lo v6only, SO_REUSEPORT", {TCP("::", 1, NULL, RP)},
        {TCP("::", 1, "lo", RP)}),
    CFG("IP_FREEBIND 192.0.2.1 + 0.0.0.0", {TCP("192.0.2.1", 0, NULL, FREEBIND | RP)},
        {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG("tcp 127.0.0.1 + udp 0.0.0.0 on one port", {TCP("127.0.0.1", 0, NULL, 0)},
        {UDP("0.0.0.0", 0, NULL, 0)}),
    CFG("udp specific + wildcard", {UDP("127.0.0.1", 0, NULL, REUSEADDR)},
        {UDP("0.0.0.0", 0, NULL, REUSEADDR)}),
    CFG("udp two 0.0.0.0 with SO_REUSEADDR", {UDP("0.0.0.0", 0, NULL, REUSEADDR)},
        {UDP("0.0.0.0", 0, NULL, REUSEADDR)}),
    CFG("udp SO_REUSEPORT pair on 127.0.0.1", {UDP("127.0.0.1", 0, NULL, RP)},
        {UDP("127.0.0.1", 0, NULL, RP)}),
    CFG("udp 0.0.0.0 + [::] dual-stack", {UDP("0.0.0.0", 0, NULL, REUSEADDR)},
        {UDP("::", 0, NULL, REUSEADDR)}),
    CFG("udp 0.0.0.0%lo then 0.0.0.0, SO_REUSEPORT", {UDP("0.0.0.0", 0, "lo", RP)},
        {UDP("0.0.0.0", 0, NULL, RP)}),
    CFG("udp 0.0.0.0 then 0.0.0.0%lo, SO_REUSEPORT", {UDP("0.0.0.0", 0, NULL, RP)},
        {UDP("0.0.0.0", 0, "lo", RP)}),
    CFG_NEEDS(NEED_DEV, "0.0.0.0%bsl0 alone", {TCP("0.0.0.0", 0, "bsl0", 0)}),
    CFG_NEEDS(NEED_DEV, "0.0.0.0%bsl0 then 0.0.0.0, SO_REUSEPORT", {TCP("0.0.0.0", 0, "bsl0", RP)},
              {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG_NEEDS(NEED_DEV, "0.0.0.0 then 0.0.0.0%bsl0, SO_REUSEPORT", {TCP("0.0.0.0", 0, NULL, RP)},
              {TCP("0.0.0.0", 0, "bsl0", RP)}),
    CFG_NEEDS(NEED_DEV, "10.200.0.1 + 0.0.0.0, SO_REUSEPORT", {TCP("10.200.0.1", 0, NULL, RP)},
              {TCP("0.0.0.0", 0, NULL, RP)}),
    CFG_NEEDS(NEED_DEV, "[::]%bsl0 v6only alone", {TCP("::", 1, "bsl0", 0)}),
    CFG_NEEDS(NEED_DEV, "udp 0.0.0.0%bsl0 alone", {UDP("0.0.0.0", 0, "bsl0", 0)}),
    CFG_NEEDS(NEED_DOWN, "0.0.0.0, to an address on a down interface",
              {TCP("0.0.0.0", 0, NULL, 0)}),
};

/* Where the probe connects, and the address the kernel turns it into (what the model gets).
 * A NEED_DOWN destination is probed only by configurations that ask for it. */
struct dest {
	const char *connect_to;
	const char *arrives_as;
	unsigned needs;
};

static const struct dest dests[] = {
    {"127.0.0.1", "127.0.0.1", 0},
    {"127.0.0.2", "127.0.0.2", 0},
    {"0.0.0.0", "127.0.0.1", 0},
    {"::1", "::1", NEED_IPV6},
    {"::", "::1", NEED_IPV6},
    {"192.0.2.1", "192.0.2.1", 0}, /* no address of this machine, no route */
    {"10.200.0.1", "10.200.0.1", NEED_DEV},
    {"fd00:200::1", "fd00:200::1", NEED_DEV | NEED_IPV6},
    {"10.201.0.1", "10.201.0.1", NEED_DOWN},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What the kernel did with one connection or datagram. */
struct seen {
	int taker;    /* the spec index that accepted or received it, or NOT_TAKEN */
	int err;      /* NOT_TAKEN: the errno the client got, 0 for silence */
	bool several; /* more than one socket became readable */
};

struct run {
	const struct config *cfg;
	size_t n; /* sockets in cfg */
	uint16_t port;
	int fds[MAX_SOCKS];
	size_t rows[MAX_SOCKS]; /* each socket's index in list */
	struct bs_socket_list list;
};

static struct bs_iface_list ifaces;
static unsigned lo_index;
static unsigned have; /* NEED_* that this namespace can give */
static unsigned checked_configs, skipped_configs, connections, disagreements, setup_failures;

static int family_of(const char *addr)
{
	return strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
}

static socklen_t sockaddr_of(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family_of(addr) == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &sin6->sin6_addr);
	return sizeof(*sin6);
}

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

static unsigned config_needs(const struct config *cfg)
{
	unsigned needs = cfg->needs;

	for (const struct spec *s = cfg->socks; s->addr != NULL; s++)
		if (family_of(s->addr) == AF_INET6)
			needs |= NEED_IPV6;
	return needs;
}

/* The destinations this configuration is probed with. */
static bool dest_wanted(const struct config *cfg, const struct dest *d)
{
	if ((d->needs & have) != d->needs)
		return false;
	return !(d->needs & NEED_DOWN) || (cfg->needs & NEED_DOWN);
}

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int set_options(int fd, const struct spec *s)
{
	if ((s->opts & REUSEADDR) && set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		return -1;
	if ((s->opts & REUSEPORT) && set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
		return -1;
	if ((s->opts & FREEBIND) && set_int(fd, IPPROTO_IP, IP_FREEBIND, 1) < 0)
		return -1;
	if (family_of(s->addr) == AF_INET6 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, s->v6only) < 0)
		return -1;
	if (s->dev != NULL &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->dev, (socklen_t)strlen(s->dev)) < 0)
		return -1;
	return 0;
}

/* Open, configure, bind and (TCP) listen one socket: the fd, or -1 with errno. */
static int open_spec(const struct spec *s, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(s->addr, port, &ss);
	int type = s->proto == BS_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int fd = socket(family_of(s->addr), type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (set_options(fd, s) < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (s->proto == BS_PROTO_TCP && listen(fd, 16) < 0)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void spec_text(const struct spec *s, uint16_t port, char *buf, size_t len)
{
	bool v6 = family_of(s->addr) == AF_INET6;

	snprintf(buf, len, "%s %s%s%s%s%s:%u%s%s%s%s", bs_proto_name(s->proto), v6 ? "[" : "",
	         s->addr, s->dev ? "%" : "", s->dev ? s->dev : "", v6 ? "]" : "", port,
	         v6 ? (s->v6only ? " v6only" : " dual-stack") : "",
	         (s->opts & REUSEPORT) ? " SO_REUSEPORT" : "",
	         (s->opts & REUSEADDR) ? " SO_REUSEADDR" : "",
	         (s->opts & FREEBIND) ? " IP_FREEBIND" : "");
}

static void close_run(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	bs_socket_list_free(&r->list);
}

/* Find each opened socket's row in the sock_diag list, by inode. */
static int find_rows(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct stat st;
		size_t j;

		if (fstat(r->fds[i], &st) < 0)
			return -1;
		for (j = 0; j < r->list.count && r->list.items[j].inode != (uint64_t)st.st_ino; j++)
			;
		if (j == r->list.count)
			return -1;
		r->rows[i] = j;
	}
	return 0;
}

static int open_run(struct run *r)
{
	struct bs_error err;
	char text[128];

	for (r->n = 0; r->cfg->socks[r->n].addr != NULL; r->n++) {
		r->fds[r->n] = open_spec(&r->cfg->socks[r->n], r->port);
		if (r->fds[r->n] < 0) {
			spec_text(&r->cfg->socks[r->n], r->port, text, sizeof(text));
			printf("FAIL \"%s\": cannot open %s: %s\n", r->cfg->name, text,
			       strerror(errno));
			r->n++;
			return -1;
		}
	}
	if (bs_sockets_read(&r->list, BS_SOCKETS_ALL, &ifaces, &err) < 0) {
		printf("FAIL \"%s\": %s\n", r->cfg->name, err.msg);
		return -1;
	}
	if (find_rows(r) < 0) {
		printf("FAIL \"%s\": sock_diag did not list every socket opened\n", r->cfg->name);
		return -1;
	}
	return 0;
}

/* Take what arrived on listener fd (accept it, or read the datagram) and drop it. */
static void drain(int fd, enum bs_proto proto)
{
	char byte;

	if (proto == BS_PROTO_TCP) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			close(c);
	} else {
		(void)recv(fd, &byte, 1, MSG_DONTWAIT);
	}
}

/* Wait for a listener of proto to become readable, or (UDP) for the client's ICMP error. */
static void wait_taker(const struct run *r, enum bs_proto proto, int client, struct seen *s)
{
	struct pollfd pfd[MAX_SOCKS + 1];
	int spec_of[MAX_SOCKS];
	nfds_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->cfg->socks[i].proto == proto) {
			spec_of[n] = (int)i;
			pfd[n++] = (struct pollfd){.fd = r->fds[i], .events = POLLIN};
		}
	pfd[n] = (struct pollfd){.fd = client, .events = proto == BS_PROTO_UDP ? POLLIN : 0};
	if (poll(pfd, n + 1, WAIT_MS) <= 0)
		return; /* silence: s stays NOT_TAKEN with err 0 */
	for (nfds_t i = 0; i < n; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		s->several = s->taker != NOT_TAKEN;
		s->taker = spec_of[i];
		drain(pfd[i].fd, proto);
	}
	if (s->taker == NOT_TAKEN && (pfd[n].revents & POLLERR)) {
		socklen_t len = sizeof(s->err);
		getsockopt(client, SOL_SOCKET, SO_ERROR, &s->err, &len);
	}
}

/* One connection (TCP, blocking with a short timeout) or one datagram (UDP) to dst. */
static struct seen probe(const struct run *r, enum bs_proto proto, const char *dst)
{
	struct seen s = {.taker = NOT_TAKEN};
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(dst, r->port, &ss);
	struct timeval tv = {.tv_sec = 1};
	int type = proto == BS_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int c = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);

	if (c < 0) {
		s.err = errno;
		return s;
	}
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c, (struct sockaddr *)&ss, len) < 0 ||
	    (proto == BS_PROTO_UDP && send(c, "x", 1, 0) < 0))
		s.err = errno;
	else
		wait_taker(r, proto, c, &s);
	close(c);
	return s;
}

static const char *outcome_name(enum bs_lookup_outcome o)
{
	static const char *const names[] = {"SOCKET", "GROUP", "TIE", "NONE", "NOT_LOCAL"};

	return (size_t)o < N(names) ? names[o] : "?";
}

static bool agrees(const struct bs_lookup_answer *a, const bool *takes, const struct seen *s)
{
	switch (a->outcome) {
	case BS_LOOKUP_SOCKET:
	case BS_LOOKUP_GROUP:
	case BS_LOOKUP_TIE:
		return s->taker != NOT_TAKEN && !s->several && takes[s->taker];
	case BS_LOOKUP_NONE:
		return s->taker == NOT_TAKEN && s->err == ECONNREFUSED;
	case BS_LOOKUP_NOT_LOCAL: /* not delivered, and not refused by a local stack either */
		return s->taker == NOT_TAKEN && s->err != 0 && s->err != ECONNREFUSED;
	}
	return false;
}

static void report(const struct run *r, enum bs_proto proto, const struct dest *d,
                   const struct bs_lookup_answer *a, const bool *takes, const struct seen *s,
                   int round)
{
	char text[160], local[BS_ENDPOINT_TEXT_MAX + 16];

	printf("DISAGREE \"%s\": %s to %s (arrives as %s, port %u), connection %d of %d\n",
	       r->cfg->name, bs_proto_name(proto), d->connect_to, d->arrives_as, r->port, round + 1,
	       ROUNDS);
	for (size_t i = 0; i < r->n; i++) {
		const struct bs_socket *m = &r->list.items[r->rows[i]];
		spec_text(&r->cfg->socks[i], r->port, text, sizeof(text));
		bs_socket_local_text(m, local, sizeof(local));
		printf("  #%zu %s\n     sock_diag: %s v6only %d ifindex %u reuseport %d uid %u%s\n",
		       i, text, local, m->v6only, m->bound_ifindex, m->reuseport, m->uid,
		       takes[i] ? "  <- model: takes it" : "");
	}
	printf("  model:  %s (%s pass, score %d, %zu socket(s))\n", outcome_name(a->outcome),
	       a->pass == BS_PASS_EXACT ? "exact" : "wildcard", a->score, a->count);
	if (s->taker != NOT_TAKEN)
		printf("  kernel: #%d took it%s\n", s->taker,
		       s->several ? " (and another too)" : "");
	else
		printf("  kernel: nobody took it: %s\n", s->err ? strerror(s->err) : "silence");
}

/* Every connection to one destination must go where the model says. */
static void check_dest(const struct run *r, enum bs_proto proto, const struct dest *d)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(d->arrives_as, r->port, &ss);
	struct bs_endpoint dst;
	struct bs_lookup_query q;
	struct bs_lookup_answer a;
	bool takes[MAX_SOCKS];

	bs_endpoint_from_sockaddr(&dst, (struct sockaddr *)&ss, len);
	q = bs_lookup_query_make(proto, &dst, bs_lookup_host_arrival(&ifaces, &dst, lo_index),
	                         &ifaces);
	bs_lookup(r->list.items, r->list.count, &q, &a);
	for (size_t i = 0; i < r->n; i++)
		takes[i] = bs_lookup_takes(r->list.items, r->list.count, &q, &a, r->rows[i]);
	for (int round = 0; round < ROUNDS; round++) {
		struct seen s = probe(r, proto, d->connect_to);
		connections++;
		if (!agrees(&a, takes, &s)) {
			report(r, proto, d, &a, takes, &s, round);
			disagreements++;
			return;
		}
	}
}

/* Whether a connection from this host to addr (on a port of its own) completes in 100 ms. */
static bool connects(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, 0, &ss);
	struct timeval tv = {.tv_usec = 100000};
	int l = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = l >= 0 && c >= 0 && bind(l, (struct sockaddr *)&ss, len) == 0 &&
	          listen(l, 1) == 0 && getsockname(l, (struct sockaddr *)&ss, &len) == 0 &&
	          setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0 &&
	          connect(c, (struct sockaddr *)&ss, len) == 0;

	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	return ok;
}

/* A new IPv6 address takes a moment to become local (its local route comes from a work
 * queue, even without DAD): until then a connection leaves through bsl0 and times out. */
static bool wait_until_local(const char *addr)
{
	for (int i = 0; i < 50; i++) {
		if (connects(addr))
			return true;
		usleep(20000);
	}
	return false;
}

/* bsl0/bsl1 up with addresses, bsl2/bsl3 down with an address. */
static int make_devices(struct bs_error *err)
{
	pid_t self = getpid();

	if (bs_rtnl_veth("bsl0", "bsl1", self, err) < 0 || bs_rtnl_link_up("bsl0", err) < 0 ||
	    bs_rtnl_link_up("bsl1", err) < 0 ||
	    bs_rtnl_addr_add("bsl0", "10.200.0.1/24", err) < 0 ||
	    bs_rtnl_veth("bsl2", "bsl3", self, err) < 0 ||
	    bs_rtnl_addr_add("bsl2", "10.201.0.1/24", err) < 0)
		return -1;
	if ((have & NEED_IPV6) && bs_rtnl_addr_add("bsl0", "fd00:200::1/64", err) < 0)
		return -1;
	if ((have & NEED_IPV6) && !wait_until_local("fd00:200::1"))
		return bs_error_set(err, 0,
		                    "fd00:200::1 on bsl0 did not become local within a second");
	return 0;
}

static bool config_has(const struct config *cfg, enum bs_proto proto)
{
	for (const struct spec *s = cfg->socks; s->addr != NULL; s++)
		if (s->proto == proto)
			return true;
	return false;
}

static void check_config(const struct config *cfg, uint16_t port)
{
	struct run r = {.cfg = cfg, .port = port};

	if ((config_needs(cfg) & have) != config_needs(cfg)) {
		printf("skip \"%s\": it needs %s, which this namespace lacks\n", cfg->name,
		       (config_needs(cfg) & ~have & NEED_IPV6) ? "IPv6" : "veth devices");
		skipped_configs++;
		return;
	}
	for (size_t i = 0; i < MAX_SOCKS; i++)
		r.fds[i] = -1;
	checked_configs++;
	if (open_run(&r) < 0) {
		setup_failures++;
		close_run(&r);
		return;
	}
	for (int p = BS_PROTO_TCP; p <= BS_PROTO_UDP; p++) {
		if (!config_has(cfg, (enum bs_proto)p))
			continue;
		for (size_t i = 0; i < N(dests); i++)
			if (dest_wanted(cfg, &dests[i]))
				check_dest(&r, (enum bs_proto)p, &dests[i]);
	}
	close_run(&r);
}

static int prepare(void)
{
	struct bs_error err;

	if (getenv("BINDSCOPE_TEST_NETNS") == NULL) {
		printf(
		    "SKIP: run through tests/unit/run_in_netns.sh (a private network namespace)\n");
		return SKIP;
	}
	if (lo_up() < 0) {
		printf("FAIL: cannot bring lo up in the namespace: %s\n", strerror(errno));
		return 1;
	}
	lo_index = if_nametoindex("lo");
	if (connects("::1"))
		have |= NEED_IPV6;
	else
		printf(
		    "note: no ::1 in this namespace: IPv6 sockets and destinations are skipped\n");
	if (make_devices(&err) == 0)
		have |= NEED_DEV | NEED_DOWN;
	else
		printf("note: no veth devices (%s): device cases are skipped\n", err.msg);
	if (bs_iface_list_read(&ifaces, &err) < 0) {
		printf("FAIL: %s\n", err.msg);
		return 1;
	}
	return 0;
}

int main(void)
{
	int rc = prepare();

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < N(configs); i++)
		check_config(&configs[i], (uint16_t)(BASE_PORT + i));
	bs_iface_list_free(&ifaces);
	printf("checked %u configurations (%u skipped) and %u connections or datagrams: %u "
	       "disagreement(s) with the kernel, %u configuration(s) that could not be set up\n",
	       checked_configs, skipped_configs, connections, disagreements, setup_failures);
	return disagreements == 0 && setup_failures == 0 ? 0 : 1;
}
