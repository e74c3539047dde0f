#include "bindscope/sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bindscope/rtnl.h"
#include "bindscope/textbuf.h"

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's tcp_states.h */
#define UDP_STATE_CLOSE  7  /* an unconnected UDP socket: TCP_CLOSE */

struct parse_ctx {
	struct bs_socket_list *list;
	size_t cap;
	enum bs_proto proto;
	int failed;
};

static struct bs_socket *append(struct parse_ctx *c)
{
	if (c->list->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct bs_socket *grown = realloc(c->list->items, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		c->list->items = grown;
		c->cap = cap;
	}
	return &c->list->items[c->list->count++];
}

/* The attributes after the message: IPV6_V6ONLY, and IP_FREEBIND / IP_TRANSPARENT. */
static int on_attr(const struct nlattr *a, void *data)
{
	struct bs_socket *s = data;

	if (mnl_attr_get_type(a) == INET_DIAG_SKV6ONLY && mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
		s->v6only = mnl_attr_get_u8(a);
	if (mnl_attr_get_type(a) == INET_DIAG_SOCKOPT &&
	    mnl_attr_get_payload_len(a) >= sizeof(struct inet_diag_sockopt)) {
		struct inet_diag_sockopt o;
		memcpy(&o, mnl_attr_get_payload(a), sizeof(o));
		s->freebind = o.freebind;
		s->transparent = o.transparent;
	}
	return MNL_CB_OK;
}

static void fill_local(struct bs_socket *s, const struct inet_diag_msg *m)
{
	if (m->idiag_family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = m->id.idiag_sport};
		memcpy(&sin.sin_addr, m->id.idiag_src, 4);
		bs_endpoint_from_sockaddr(&s->local, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
		                            .sin6_port = m->id.idiag_sport};
		memcpy(&sin6.sin6_addr, m->id.idiag_src, 16);
		bs_endpoint_from_sockaddr(&s->local, (struct sockaddr *)&sin6, sizeof(sin6));
	}
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *c = data;
	const struct inet_diag_msg *m;
	struct bs_socket *s;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK; /* not a socket record: skip it rather than misread it */
	m = mnl_nlmsg_get_payload(nlh);
	if ((m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
	    (c->proto == BS_PROTO_UDP && ntohs(m->id.idiag_sport) == 0))
		return MNL_CB_OK;
	s = append(c);
	if (s == NULL) {
		c->failed = ENOMEM;
		return MNL_CB_ERROR;
	}
	memset(s, 0, sizeof(*s));
	s->proto = c->proto;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->v6only = m->idiag_family == AF_INET6 ? 0 : -1;
	s->reuseport = -1;
	if (c->proto == BS_PROTO_TCP) { /* for a listener, sock_diag reports the queue here */
		s->backlog = m->idiag_wqueue;
		s->queued = m->idiag_rqueue;
	}
	fill_local(s, m);
	mnl_attr_parse(nlh, sizeof(*m), on_attr, s);
	s->bound_ifindex = m->id.idiag_if;
	if (s->bound_ifindex != 0 && if_indextoname(s->bound_ifindex, s->bound_dev) == NULL)
		snprintf(s->bound_dev, sizeof(s->bound_dev), "if%u", s->bound_ifindex);
	return MNL_CB_OK;
}

int bs_sockets_parse(struct bs_socket_list *list, enum bs_proto proto, const void *buf, size_t len,
                     struct bs_error *err)
{
	if (!bs_netlink_lengths_sane(buf, len))
		return bs_error_set(err, EPROTO, "the kernel's socket list came back malformed");
	struct parse_ctx c = {.list = list, .cap = list->count, .proto = proto};
	int rc = mnl_cb_run(buf, len, 0, 0, on_message, &c);

	if (c.failed)
		return bs_error_set(err, c.failed, "out of memory reading the socket list");
	if (rc < 0)
		return bs_error_set(err, errno, "the kernel's socket list could not be read: %s",
		                    strerror(errno));
	return rc == MNL_CB_STOP ? 1 : 0;
}

static int dump(struct mnl_socket *nl, int family, enum bs_proto proto, struct bs_socket_list *list,
                struct bs_error *err)
{
	static char buf[65536]; /* a dump arrives in chunks of up to 32 KiB */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned seq = (unsigned)time(NULL);
	ssize_t n;
	int rc = 0;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = proto == BS_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	req->idiag_states =
	    proto == BS_PROTO_UDP ? (1u << UDP_STATE_CLOSE) : (1u << TCP_LISTEN_STATE);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return bs_error_set(err, errno, "cannot ask the kernel for its sockets: %s",
		                    strerror(errno));
	while (rc == 0 && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = bs_sockets_parse(list, proto, buf, (size_t)n, err);
	return rc < 0 ? -1 : 0;
}

static void keep_only(struct bs_socket_list *list, bool (*keep)(const struct bs_socket *, void *),
                      void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < list->count; i++)
		if (keep(&list->items[i], arg))
			list->items[n++] = list->items[i];
	list->count = n;
}

int bs_sockets_read(struct bs_socket_list *list, unsigned flags, const struct bs_iface_list *ifaces,
                    struct bs_error *err)
{
	return bs_sockets_read_filtered(list, flags, ifaces, NULL, NULL, err);
}

int bs_sockets_read_filtered(struct bs_socket_list *list, unsigned flags,
                             const struct bs_iface_list *ifaces,
                             bool (*keep)(const struct bs_socket *s, void *arg), void *arg,
                             struct bs_error *err)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);

	list->count = 0;
	list->items = NULL;
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		if (nl != NULL)
			mnl_socket_close(nl);
		return bs_error_set(err, saved, "cannot read the socket list (sock_diag): %s",
		                    strerror(saved));
	}
	for (int p = BS_PROTO_TCP; p <= BS_PROTO_UDP; p++) {
		if (!(flags & (p == BS_PROTO_TCP ? BS_SOCKETS_TCP : BS_SOCKETS_UDP)))
			continue;
		for (int f = 0; f < 2; f++) {
			if (!(flags & (families[f] == AF_INET ? BS_SOCKETS_IPV4 : BS_SOCKETS_IPV6)))
				continue;
			if (dump(nl, families[f], (enum bs_proto)p, list, err) < 0) {
				mnl_socket_close(nl);
				bs_socket_list_free(list);
				return -1;
			}
		}
	}
	mnl_socket_close(nl);
	if (keep != NULL)
		keep_only(list, keep, arg);
	bs_sockets_deduce_reuseport(list);
	bs_sockets_classify(list, ifaces);
	bs_sockets_find_owners(list, "/proc");
	return 0;
}

void bs_socket_list_free(struct bs_socket_list *list)
{
	if (list == NULL)
		return;
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* Whether a and b claim overlapping addresses, as inet_rcv_saddr_equal() judges a bind. */
static bool addresses_overlap(const struct bs_socket *a, const struct bs_socket *b)
{
	struct in_addr va, vb;
	bool a_any = bs_endpoint_is_wildcard(&a->local), b_any = bs_endpoint_is_wildcard(&b->local);

	if (a->local.family == b->local.family) {
		if (a_any || b_any)
			/* [::] v6only beside ::ffff:a.b.c.d does not overlap it */
			return !(
			    a->local.family == AF_INET6 &&
			    ((a_any && a->v6only == 1 && bs_endpoint_is_v4_mapped(&b->local)) ||
			     (b_any && b->v6only == 1 && bs_endpoint_is_v4_mapped(&a->local))));
		return bs_endpoint_same_addr(&a->local, &b->local);
	}
	/* One IPv4, one IPv6: only an IPv6 socket that takes IPv4 can overlap. */
	if (a->local.family == AF_INET6)
		return addresses_overlap(b, a);
	if (b->v6only == 1)
		return false;
	if (b_any)
		return true;
	return bs_endpoint_v4(&b->local, &vb) && bs_endpoint_is_v4_mapped(&b->local) &&
	       bs_endpoint_v4(&a->local, &va) && (a_any || va.s_addr == vb.s_addr);
}

/* Two TCP listeners on one port whose bindings conflict (devices and addresses overlap) can
 * only both be listening when both set SO_REUSEPORT: SO_REUSEADDR does not cover listeners. */
static bool tcp_listeners_conflict(const struct bs_socket *a, const struct bs_socket *b)
{
	bool devices_overlap =
	    a->bound_ifindex == 0 || b->bound_ifindex == 0 || a->bound_ifindex == b->bound_ifindex;

	return a->proto == BS_PROTO_TCP && b->proto == BS_PROTO_TCP &&
	       a->local.port == b->local.port && devices_overlap && addresses_overlap(a, b);
}

static int by_port(const void *pa, const void *pb)
{
	const struct bs_socket *a = *(const struct bs_socket *const *)pa;
	const struct bs_socket *b = *(const struct bs_socket *const *)pb;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->local.port < b->local.port ? -1 : a->local.port > b->local.port;
}

void bs_sockets_deduce_reuseport(struct bs_socket_list *list)
{
	struct bs_socket **order;

	if (list->count < 2 || (order = malloc(list->count * sizeof(struct bs_socket *))) == NULL)
		return; /* without memory, nothing is deduced: reuseport stays unknown */
	for (size_t i = 0; i < list->count; i++)
		order[i] = &list->items[i];
	qsort(order, list->count, sizeof(struct bs_socket *), by_port);
	/* Compare within each port only: 10,000 sockets on distinct ports stay linear. */
	for (size_t i = 0; i < list->count; i++)
		for (size_t j = i + 1; j < list->count && by_port(&order[i], &order[j]) == 0; j++)
			if (tcp_listeners_conflict(order[i], order[j]))
				order[i]->reuseport = order[j]->reuseport = 1;
	free(order);
}

/* IPv4 seen through an IPv6 socket (::ffff:a.b.c.d) classifies as that IPv4 address. */
static bool mapped_v4(const struct bs_endpoint *ep, struct in_addr *out)
{
	const struct in6_addr *a = &((const struct sockaddr_in6 *)&ep->addr)->sin6_addr;

	if (ep->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(a))
		return false;
	memcpy(out, &a->s6_addr[12], 4);
	return true;
}

static void classify_one(struct bs_socket *s, const struct bs_iface_list *ifaces)
{
	struct in_addr v4;
	const struct bs_iface *owner = NULL;
	bool is_v4 = s->local.family == AF_INET || mapped_v4(&s->local, &v4);

	if (s->local.family == AF_INET)
		v4 = ((const struct sockaddr_in *)&s->local.addr)->sin_addr;
	if (s->bound_ifindex != 0) {
		s->exposure =
		    strcmp(s->bound_dev, "lo") == 0 ? BS_EXPOSED_LOOPBACK : BS_EXPOSED_DEVICE;
		return;
	}
	if (bs_endpoint_is_wildcard(&s->local)) {
		if (s->local.family == AF_INET)
			s->exposure = BS_EXPOSED_ALL_IPV4;
		else
			s->exposure = s->v6only == 1 ? BS_EXPOSED_ALL_IPV6 : BS_EXPOSED_DUAL_STACK;
		return;
	}
	if (is_v4
	        ? (ntohl(v4.s_addr) >> 24) == 127
	        : IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&s->local.addr)->sin6_addr)) {
		s->exposure = BS_EXPOSED_LOOPBACK;
		return;
	}
	s->exposure = BS_EXPOSED_ONE_ADDRESS;
	if (ifaces != NULL)
		owner = is_v4 ? bs_iface_owning(ifaces, AF_INET, &v4)
		              : bs_iface_owning(
		                    ifaces, AF_INET6,
		                    &((const struct sockaddr_in6 *)&s->local.addr)->sin6_addr);
	if (owner != NULL)
		snprintf(s->iface, sizeof(s->iface), "%s", owner->name);
}

static int by_exposure(const void *pa, const void *pb)
{
	const struct bs_socket *a = pa, *b = pb;

	if (a->exposure != b->exposure)
		return a->exposure < b->exposure ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->local.port != b->local.port)
		return a->local.port < b->local.port ? -1 : 1;
	return a->local.family - b->local.family;
}

void bs_sockets_classify(struct bs_socket_list *list, const struct bs_iface_list *ifaces)
{
	for (size_t i = 0; i < list->count; i++)
		classify_one(&list->items[i], ifaces);
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(list->items[0]), by_exposure);
}

const char *bs_exposure_class_id(enum bs_exposure_class c)
{
	static const char *const ids[] = {
	    [BS_EXPOSED_DUAL_STACK] = "dual-stack",   [BS_EXPOSED_ALL_IPV4] = "all-ipv4",
	    [BS_EXPOSED_ALL_IPV6] = "all-ipv6",       [BS_EXPOSED_DEVICE] = "device",
	    [BS_EXPOSED_ONE_ADDRESS] = "one-address", [BS_EXPOSED_LOOPBACK] = "loopback",
	};

	return (unsigned)c < sizeof(ids) / sizeof(ids[0]) ? ids[c] : "unknown";
}

void bs_exposure_class_text(const struct bs_socket *s, char *buf, size_t len)
{
	switch (s->exposure) {
	case BS_EXPOSED_DUAL_STACK:
		snprintf(buf, len, "IPv4 and IPv6, every interface");
		return;
	case BS_EXPOSED_ALL_IPV4:
		snprintf(buf, len, "all IPv4 interfaces");
		return;
	case BS_EXPOSED_ALL_IPV6:
		snprintf(buf, len, "all IPv6 interfaces");
		return;
	case BS_EXPOSED_DEVICE:
		snprintf(buf, len, "one device: %s (SO_BINDTODEVICE)", s->bound_dev);
		return;
	case BS_EXPOSED_ONE_ADDRESS:
		if (s->iface[0] != '\0')
			snprintf(buf, len, "one interface: %s", s->iface);
		else
			snprintf(buf, len, "one address (on no interface now)");
		return;
	case BS_EXPOSED_LOOPBACK:
		break;
	}
	snprintf(buf, len, "loopback only");
}

void bs_socket_local_text(const struct bs_socket *s, char *buf, size_t len)
{
	char addr[BS_ENDPOINT_TEXT_MAX];

	if (s->exposure == BS_EXPOSED_DUAL_STACK) {
		snprintf(buf, len, "*:%u", s->local.port);
		return;
	}
	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	if (s->bound_dev[0] != '\0')
		bs_textbuf_appendf(addr, sizeof(addr), "%%%s", s->bound_dev);
	if (s->local.family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, s->local.port);
	else
		snprintf(buf, len, "%s:%u", addr, s->local.port);
}

/* "user redis", or "uid 1234" for a uid with no name. */
static void user_words(uid_t uid, const char *name, char *buf, size_t len)
{
	char safe[4 * 33];

	if (name != NULL && name[0] != '\0') {
		bs_text_safe(name, safe, sizeof(safe)); /* from a file: never raw on a terminal */
		snprintf(buf, len, "user %s", safe);
	} else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}

void bs_socket_owner_text(const struct bs_socket *s, char *buf, size_t len)
{
	char program[4 * sizeof(s->program)], unit[4 * sizeof(s->unit)], who[160];
	size_t named = s->nholders < BS_SOCKET_HOLDERS_MAX ? s->nholders : BS_SOCKET_HOLDERS_MAX;

	user_words(s->uid, s->user, who, sizeof(who));
	if (s->pid == 0) {
		if (s->owner_hidden && s->hidden_as_root)
			snprintf(
			    buf, len,
			    "owner unknown: some processes' fds are not readable here, not even "
			    "as root (%s)",
			    who);
		else if (s->owner_hidden)
			snprintf(buf, len, "owner unknown (needs root): %s", who);
		else
			snprintf(buf, len, "no process holds it");
		return;
	}
	/* A process names itself: escape what a terminal would act on (as ps and ss do). */
	bs_text_safe(s->program, program, sizeof(program));
	bs_text_safe(s->unit, unit, sizeof(unit));
	snprintf(buf, len, "%s (pid %d%s%s)", program, (int)s->pid, unit[0] ? ", " : "", unit);
	/* Every other process that holds it: workers, children that inherited it. */
	for (size_t i = 1; i < named; i++) {
		const struct bs_holder *h = &s->holders[i];
		char other[4 * sizeof(h->program)], user[160], as[168] = "";
		bs_text_safe(h->program, other, sizeof(other));
		if (h->uid != s->uid && h->uid != (uid_t)-1) { /* a worker of another user */
			user_words(h->uid, bs_user_name(h->uid), user, sizeof(user));
			snprintf(as, sizeof(as), ", as %s", user);
		}
		bs_textbuf_appendf(buf, len, "%s%s (pid %d%s)", i == 1 ? ", also " : ", ", other,
		                   (int)h->pid, as);
	}
	if (s->nholders > named)
		bs_textbuf_appendf(buf, len, ", and %zu more processes", s->nholders - named);
}

void bs_sockets_holder_text(enum bs_proto proto, const struct bs_endpoint *want, char *buf,
                            size_t len, enum bs_port_clash *clash)
{
	struct bs_socket_list list;
	char ep[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], owner[128];
	bool want_wild = bs_endpoint_is_wildcard(want);
	size_t shown = 0;

	buf[0] = '\0';
	*clash = BS_CLASH_NONE;
	if (bs_sockets_read(&list,
	                    (proto == BS_PROTO_UDP ? BS_SOCKETS_UDP : BS_SOCKETS_TCP) |
	                        BS_SOCKETS_IPV4 | BS_SOCKETS_IPV6,
	                    NULL, NULL) < 0)
		return;
	for (size_t i = 0; i < list.count && shown < 4; i++) {
		const struct bs_socket *s = &list.items[i];
		bool wild = bs_endpoint_is_wildcard(&s->local);
		if (s->local.port != want->port)
			continue;
		if (wild && want_wild && s->local.family != want->family)
			*clash = BS_CLASH_DUAL_STACK;
		else if (wild != want_wild && *clash == BS_CLASH_NONE)
			*clash = BS_CLASH_WILDCARD_SPECIFIC;
		bs_socket_local_text(s, ep, sizeof(ep));
		if (s->pid != 0)
			snprintf(owner, sizeof(owner), "%s (pid %d)", s->program, (int)s->pid);
		else
			bs_socket_owner_text(s, owner, sizeof(owner));
		bs_textbuf_appendf(buf, len, "%s%s on %s", shown++ ? ", " : "", owner, ep);
	}
	bs_socket_list_free(&list);
}
