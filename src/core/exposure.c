#include "bindscope/exposure.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"

static struct in_addr v4_of(const struct bs_endpoint *ep)
{
	return ((const struct sockaddr_in *)&ep->addr)->sin_addr;
}

static const struct in6_addr *v6_of(const struct bs_endpoint *ep)
{
	return &((const struct sockaddr_in6 *)&ep->addr)->sin6_addr;
}

static bool same_addr(const struct bs_endpoint *a, const struct bs_endpoint *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return v4_of(a).s_addr == v4_of(b).s_addr;
	return memcmp(v6_of(a), v6_of(b), sizeof(struct in6_addr)) == 0;
}

static bool is_loopback_addr(const struct bs_endpoint *ep)
{
	if (ep->family == AF_INET)
		return (ntohl(v4_of(ep).s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(v6_of(ep));
}

static void add_target(struct bs_exposure_target *out, size_t *n, size_t max,
                       enum bs_target_kind kind, const struct bs_endpoint *addr, const char *label)
{
	struct bs_exposure_target *t;

	if (*n >= max)
		return;
	t = &out[(*n)++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->addr = *addr;
	snprintf(t->label, sizeof(t->label), "%s", label);
	bs_endpoint_addr_text(addr, t->text, sizeof(t->text));
}

static void endpoint_of(const struct bs_iface *iface, const struct bs_iface_addr *a,
                        struct bs_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (a->family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a->addr.v4};
		bs_endpoint_from_sockaddr(ep, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = a->addr.v6};
		if (a->scope == BS_SCOPE_LINK)
			sin6.sin6_scope_id = iface->index;
		bs_endpoint_from_sockaddr(ep, (struct sockaddr *)&sin6, sizeof(sin6));
		if (a->scope == BS_SCOPE_LINK)
			snprintf(ep->ifname, sizeof(ep->ifname), "%s", iface->name);
	}
}

static void add_family(const struct bs_iface_list *ifaces, int family,
                       struct bs_exposure_target *out, size_t *n, size_t max)
{
	struct bs_endpoint ep;
	const char *any = family == AF_INET ? "0.0.0.0" : "::";

	for (size_t i = 0; i < ifaces->count; i++) {
		const struct bs_iface *iface = &ifaces->items[i];
		if (!(iface->flags & IFF_UP))
			continue;
		for (size_t j = 0; j < iface->naddrs; j++) {
			if (iface->addrs[j].family != family)
				continue;
			endpoint_of(iface, &iface->addrs[j], &ep);
			add_target(out, n, max, BS_TARGET_ADDRESS, &ep, iface->name);
		}
	}
	bs_endpoint_parse(family == AF_INET ? "127.0.0.1:1" : "[::1]:1", NULL, &ep, NULL);
	ep.port = 0;
	add_target(out, n, max, BS_TARGET_LOCALHOST, &ep, "localhost");
	bs_endpoint_parse(family == AF_INET ? "0.0.0.0:1" : "[::]:1", NULL, &ep, NULL);
	ep.port = 0;
	add_target(out, n, max, BS_TARGET_ANY, &ep, any);
}

size_t bs_exposure_targets(const struct bs_iface_list *ifaces, bool ipv6,
                           struct bs_exposure_target *out, size_t max)
{
	size_t n = 0;

	add_family(ifaces, AF_INET, out, &n, max);
	if (ipv6)
		add_family(ifaces, AF_INET6, out, &n, max);
	return n;
}

void bs_exposure_target_endpoint(const struct bs_exposure_target *t, unsigned port,
                                 struct bs_endpoint *out)
{
	*out = t->addr;
	bs_endpoint_set_port(out, (uint16_t)port);
}

/*
 * Where a connection to the target really goes: 0.0.0.0 and :: are sent to loopback
 * (127.0.0.1 and ::1) by Linux's routing code, a BSD heritage; every other target is itself.
 */
static void effective_destination(const struct bs_exposure_target *t, struct bs_endpoint *dst)
{
	*dst = t->addr;
	if (t->kind != BS_TARGET_ANY)
		return;
	if (dst->family == AF_INET)
		((struct sockaddr_in *)&dst->addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&dst->addr)->sin6_addr = in6addr_loopback;
}

/*
 * The wildcard and dual-stack policy, in one place:
 *  - an IPv4 socket sees IPv4 only; 0.0.0.0 takes every local IPv4 address;
 *  - an IPv6 socket bound to :: takes every local IPv6 address, and IPv4 too (as
 *    ::ffff:a.b.c.d) unless IPV6_V6ONLY is on; bound to one IPv6 address, only that one.
 */
static bool on_segment(const struct bs_exposure_target *t, const struct bs_endpoint *addr)
{
	for (size_t i = 0; i < t->nsegment; i++)
		if (same_addr(&t->segment[i], addr))
			return true;
	return false;
}

static const struct bs_endpoint *segment_addr(const struct bs_exposure_target *t, int family)
{
	for (size_t i = 0; i < t->nsegment; i++)
		if (t->segment[i].family == family)
			return &t->segment[i];
	return NULL;
}

int bs_exposure_peer_target(struct bs_exposure_target *t, const char *peer, const char *peer_text,
                            const char *iface, const struct bs_iface_list *ifaces, int netns_fd)
{
	const struct bs_iface *f = bs_iface_find(ifaces, iface);

	memset(t, 0, sizeof(*t));
	t->kind = BS_TARGET_PEER;
	t->netns_fd = netns_fd;
	snprintf(t->label, sizeof(t->label), "from %s", peer);
	snprintf(t->text, sizeof(t->text), "%s", peer_text);
	snprintf(t->segment_iface, sizeof(t->segment_iface), "%s", iface);
	for (size_t i = 0; f != NULL && i < f->naddrs && t->nsegment < BS_EXPOSURE_SEGMENT_MAX; i++)
		if (f->addrs[i].scope != BS_SCOPE_LINK)
			endpoint_of(f, &f->addrs[i], &t->segment[t->nsegment++]);
	if (t->nsegment == 0)
		return -1;
	t->addr = t->segment[0];
	return 0;
}

void bs_exposure_probe_endpoint(const struct bs_exposure_listener *l,
                                const struct bs_exposure_target *t, struct bs_endpoint *out)
{
	const struct bs_endpoint *seg;

	if (t->kind != BS_TARGET_PEER) {
		bs_exposure_target_endpoint(t, l->bound.port, out);
		return;
	}
	*out = l->bound;
	if (bs_endpoint_is_wildcard(&l->bound)) {
		seg = segment_addr(t, l->bound.family);
		/* [::] without v6only takes IPv4 too: a peer with only IPv4 reaches it so. */
		if (seg == NULL && l->bound.family == AF_INET6 && !l->v6only)
			seg = segment_addr(t, AF_INET);
		*out = seg != NULL ? *seg : t->segment[0];
	}
	bs_endpoint_set_port(out, l->bound.port);
}

static bool predict_peer(const struct bs_exposure_listener *l, const struct bs_exposure_target *t)
{
	if (!bs_endpoint_is_wildcard(&l->bound))
		return on_segment(t, &l->bound); /* other subnets: the peer has no route */
	if (segment_addr(t, l->bound.family) != NULL)
		return true;
	return l->bound.family == AF_INET6 && !l->v6only && segment_addr(t, AF_INET) != NULL;
}

bool bs_exposure_predict(const struct bs_exposure_listener *l, const struct bs_exposure_target *t)
{
	if (t->kind == BS_TARGET_PEER)
		return predict_peer(l, t);
	{
		struct bs_endpoint dst;
		bool wildcard = bs_endpoint_is_wildcard(&l->bound);

		effective_destination(t, &dst);
		if (l->bound.family == AF_INET) {
			if (dst.family != AF_INET)
				return false;
			return wildcard || same_addr(&l->bound, &dst);
		}
		if (dst.family == AF_INET)
			return wildcard && !l->v6only;
		return wildcard || same_addr(&l->bound, &dst);
	}
}

static void why_v4_target_on_v6(const struct bs_exposure_listener *l, const char *bound,
                                const struct bs_exposure_target *t, char *buf, size_t len)
{
	if (!bs_endpoint_is_wildcard(&l->bound))
		snprintf(buf, len,
		         "bound to the IPv6 address %s only: IPv4 connections to %s never "
		         "reach it.",
		         bound, t->text);
	else if (l->v6only)
		snprintf(buf, len,
		         "[::] with IPV6_V6ONLY on takes IPv6 only, so IPv4 %s is "
		         "refused; with it off, [::] would take IPv4 too.",
		         t->text);
	else
		snprintf(buf, len,
		         "[::] with IPV6_V6ONLY off takes IPv4 too: %s arrives as "
		         "::ffff:%s.",
		         t->text, strcmp(t->text, "0.0.0.0") ? t->text : "127.0.0.1");
}

static void why_same_family(const struct bs_exposure_listener *l, const char *bound,
                            const struct bs_exposure_target *t, bool predicted, char *buf,
                            size_t len)
{
	const char *loop = l->bound.family == AF_INET ? "127.0.0.1" : "::1";
	char lead[160] = "";

	if (t->kind == BS_TARGET_ANY)
		snprintf(lead, sizeof(lead), "connecting to %s goes to %s on Linux; ", t->text,
		         loop);
	else if (t->kind == BS_TARGET_LOCALHOST)
		snprintf(lead, sizeof(lead), "localhost is %s; ", t->text);
	if (bs_endpoint_is_wildcard(&l->bound))
		snprintf(buf, len,
		         "%s%s is the wildcard: every address of this machine reaches it, "
		         "on every network it is on.",
		         lead, bound);
	else if (predicted)
		snprintf(buf, len, "%sthe listener is bound to exactly this address (%s).", lead,
		         bound);
	else if (is_loopback_addr(&l->bound) || t->kind != BS_TARGET_ADDRESS)
		snprintf(buf, len,
		         "%sthe listener is bound to %s only, so the kernel refuses "
		         "the connection (a reset).",
		         lead, bound);
	else
		snprintf(buf, len,
		         "bound to %s only: %s is another address of this machine "
		         "(%s), so the kernel refuses the connection (a reset).",
		         bound, t->text, t->label);
}

static void why_peer(const struct bs_exposure_listener *l, const struct bs_exposure_target *t,
                     const char *bound, bool predicted, char *buf, size_t len)
{
	struct bs_endpoint to;
	char dst[BS_ENDPOINT_TEXT_MAX];
	const char *peer = t->label + 5; /* after "from " */

	bs_exposure_probe_endpoint(l, t, &to);
	bs_endpoint_addr_text(&to, dst, sizeof(dst));
	if (bs_endpoint_is_wildcard(&l->bound))
		snprintf(buf, len,
		         "%s, on %s's segment, connects to %s, this machine's address there; "
		         "the wildcard %s covers it.",
		         peer, t->segment_iface, dst, bound);
	else if (is_loopback_addr(&l->bound))
		snprintf(buf, len,
		         "%s connects to %s, its own loopback: loopback is per host (per "
		         "network namespace), so it never reaches this machine.",
		         peer, dst);
	else if (predicted)
		snprintf(buf, len,
		         "%s is on %s's segment and %s is %s's own address: a direct "
		         "connection.",
		         peer, t->segment_iface, bound, t->segment_iface);
	else
		snprintf(
		    buf, len,
		    "%s, on %s's segment, has no route to %s (another network), so "
		    "binding to one address keeps it out. Give it a route via this machine and "
		    "Linux accepts the packet on %s anyway (the weak host model).",
		    peer, t->segment_iface, bound, t->segment_iface);
}

void bs_exposure_cell_eval(const struct bs_exposure_listener *l, const struct bs_exposure_target *t,
                           const struct bs_probe_result *observed, struct bs_exposure_cell *cell)
{
	char bound[BS_ENDPOINT_TEXT_MAX];

	memset(cell, 0, sizeof(*cell));
	bs_endpoint_addr_text(&l->bound, bound, sizeof(bound));
	cell->predicted = bs_exposure_predict(l, t);
	cell->observed = observed != NULL ? observed->verdict : BS_VERDICT_PENDING;
	if (t->kind == BS_TARGET_PEER)
		why_peer(l, t, bound, cell->predicted, cell->why, sizeof(cell->why));
	else if (l->bound.family == AF_INET && t->addr.family == AF_INET6)
		snprintf(cell->why, sizeof(cell->why),
		         "an IPv4 socket never sees IPv6 connections; bind [::] for those.");
	else if (l->bound.family == AF_INET6 && t->addr.family == AF_INET)
		why_v4_target_on_v6(l, bound, t, cell->why, sizeof(cell->why));
	else
		why_same_family(l, bound, t, cell->predicted, cell->why, sizeof(cell->why));
	if (cell->observed == BS_VERDICT_PENDING)
		return;
	/* UDP without an answer either way cannot contradict anything. */
	if (cell->observed == BS_VERDICT_OPEN_FILTERED)
		return;
	cell->disagree = cell->predicted != (cell->observed == BS_VERDICT_OPEN);
	if (cell->disagree && t->kind == BS_TARGET_PEER && cell->observed == BS_VERDICT_OPEN)
		snprintf(cell->why, sizeof(cell->why),
		         "%s reaches %s although it is not on its segment: it routes through this "
		         "machine, and Linux accepts a packet for any of its addresses on any "
		         "interface (the weak host model).",
		         t->label + 5, bound);
	else if (cell->disagree)
		bs_textbuf_appendf(cell->why, sizeof(cell->why),
		                   " But the probe saw %s: something else decides here (a firewall "
		                   "rule, a route, or the address changed).",
		                   bs_verdict_name(cell->observed));
}

void bs_exposure_summary(const struct bs_exposure_listener *l, const struct bs_iface_list *ifaces,
                         char *buf, size_t len)
{
	char bound[BS_ENDPOINT_TEXT_MAX], names[256] = "";
	const struct bs_iface *owner;

	bs_endpoint_text(&l->bound, bound, sizeof(bound));
	for (size_t i = 0; ifaces != NULL && i < ifaces->count; i++)
		if (ifaces->items[i].flags & IFF_UP)
			bs_textbuf_appendf(names, sizeof(names), "%s%s", names[0] ? ", " : "",
			                   ifaces->items[i].name);
	if (bs_endpoint_is_wildcard(&l->bound)) {
		const char *which = l->bound.family == AF_INET ? "IPv4 " : l->v6only ? "IPv6 " : "";
		const char *extra = l->bound.family == AF_INET6
		                        ? (l->v6only ? " with IPV6_V6ONLY on, so IPv4 is refused"
		                                     : " with IPV6_V6ONLY off, so IPv4 arrives too")
		                        : "";
		snprintf(buf, len,
		         "%s %s is bound to the wildcard%s: it is reachable on every "
		         "%saddress of this machine (%s) and from every network this machine is "
		         "on, including addresses added later.",
		         bs_proto_name(l->proto), bound, extra, which, names);
		return;
	}
	if (l->bound.family == AF_INET)
		owner = bs_iface_owning(ifaces, AF_INET,
		                        &((const struct sockaddr_in *)&l->bound.addr)->sin_addr);
	else
		owner = bs_iface_owning(ifaces, AF_INET6, v6_of(&l->bound));
	if (is_loopback_addr(&l->bound))
		snprintf(buf, len,
		         "%s %s is bound to loopback: only programs on this machine can "
		         "reach it.",
		         bs_proto_name(l->proto), bound);
	else
		snprintf(buf, len,
		         "%s %s is bound to one address%s%s: only connections to that "
		         "address reach it; every other address refuses.",
		         bs_proto_name(l->proto), bound, owner ? " of " : "",
		         owner ? owner->name : "");
}

void bs_exposure_socat_command(const struct bs_exposure_listener *l, char *buf, size_t len)
{
	char addr[BS_ENDPOINT_TEXT_MAX];
	bool v6 = l->bound.family == AF_INET6;
	const char *proto = l->proto == BS_PROTO_UDP ? "UDP" : "TCP";

	bs_endpoint_addr_text(&l->bound, addr, sizeof(addr));
	snprintf(buf, len, "socat %s%s-LISTEN:%u,bind=%s%s%s,fork,reuseaddr%s /dev/null", proto,
	         v6 ? "6" : "4", l->bound.port, v6 ? "[" : "", addr, v6 ? "]" : "",
	         v6 ? (l->v6only ? ",ipv6only=1" : ",ipv6only=0") : "");
}

void bs_exposure_nc_command(const struct bs_exposure_listener *l,
                            const struct bs_exposure_target *t, char *buf, size_t len)
{
	snprintf(buf, len, "nc -%c -vz%s %s %u", t->addr.family == AF_INET6 ? '6' : '4',
	         l->proto == BS_PROTO_UDP ? "u" : "", t->text, l->bound.port);
}

void bs_exposure_ss_command(const struct bs_exposure_listener *l, char *buf, size_t len)
{
	if (l->proto == BS_PROTO_TCP)
		snprintf(buf, len, "ss -ltn 'sport = :%u'", l->bound.port);
	else
		snprintf(buf, len, "ss -lun 'sport = :%u'", l->bound.port);
}

void bs_exposure_infer(const struct bs_exposure_target *targets,
                       const struct bs_probe_result *results, size_t n, unsigned port, char *buf,
                       size_t len)
{
	size_t v4 = 0, v4_open = 0, v6 = 0, v6_open = 0, probed = 0, open_loop = 0;
	char open_list[256] = "";
	const char *one = "";

	for (size_t i = 0; i < n; i++) {
		bool open = results[i].verdict == BS_VERDICT_OPEN;
		if (results[i].verdict == BS_VERDICT_PENDING ||
		    targets[i].kind != BS_TARGET_ADDRESS)
			continue;
		probed++;
		one = targets[i].text;
		if (targets[i].addr.family == AF_INET) {
			v4++;
			v4_open += open;
		} else {
			v6++;
			v6_open += open;
		}
		if (!open)
			continue;
		open_loop += is_loopback_addr(&targets[i].addr);
		bs_textbuf_appendf(open_list, sizeof(open_list), "%s%s", open_list[0] ? ", " : "",
		                   targets[i].text);
	}
	if (probed == 0)
		snprintf(buf, len, "port %u was not probed on any address.", port);
	else if (probed == 1)
		snprintf(buf, len, "port %u is %s at %s (only that address was probed).", port,
		         v4_open + v6_open ? "open" : "closed", one);
	else if (v4_open + v6_open == 0)
		snprintf(buf, len, "nothing accepts connections on port %u from this host.", port);
	else if (v4 > 1 && v4_open == v4 && (v6 == 0 || v6_open == v6))
		snprintf(buf, len,
		         "port %u is open on every address: it is bound to a wildcard "
		         "(0.0.0.0%s), so every network this machine is on reaches it.",
		         port,
		         v6 ? " and [::], or [::] taking IPv4 too" : " or [::] taking IPv4 too");
	else if (v4 > 1 && v4_open == v4)
		snprintf(buf, len, "port %u is open on every IPv4 address: it is bound to 0.0.0.0.",
		         port);
	else if (open_loop == v4_open + v6_open)
		snprintf(buf, len,
		         "port %u is open on loopback only (%s): only programs on this "
		         "machine reach it.",
		         port, open_list);
	else
		snprintf(buf, len, "port %u is open only on %s: it is bound to %s.", port,
		         open_list, v4_open + v6_open > 1 ? "those addresses" : "that address");
}
