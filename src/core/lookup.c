/* The kernel's socket lookup over a socket table (the rules are in lookup.h). */
#include "bindscope/lookup.h"

#include <string.h>

bool bs_lookup_is_local(const struct bs_iface_list *ifaces, const struct bs_endpoint *addr)
{
	const struct bs_iface *owner;

	if (bs_endpoint_is_loopback(addr))
		return true; /* all of 127.0.0.0/8 is routed to lo, not only 127.0.0.1 */
	owner = bs_endpoint_owner(ifaces, addr);
	if (owner == NULL)
		return false;
	/* IPv4 keeps an address's local route while its interface is down; IPv6 addresses on a
	 * down interface wait for duplicate address detection and are not local yet. */
	return addr->family == AF_INET || bs_endpoint_is_v4_mapped(addr) || (owner->flags & IFF_UP);
}

unsigned bs_lookup_host_arrival(const struct bs_iface_list *ifaces, const struct bs_endpoint *dst,
                                unsigned lo_index)
{
	const struct bs_iface *owner = bs_endpoint_owner(ifaces, dst);

	if (bs_endpoint_is_loopback(dst) || owner == NULL || owner->index == 0)
		return lo_index;
	return owner->index;
}

struct bs_lookup_query bs_lookup_query_make(enum bs_proto proto, const struct bs_endpoint *dst,
                                            unsigned arrival_ifindex,
                                            const struct bs_iface_list *ifaces)
{
	struct bs_lookup_query q = {
	    .proto = proto, .dst = *dst, .arrival_ifindex = arrival_ifindex};

	q.dst_local = bs_lookup_is_local(ifaces, dst);
	return q;
}

/* The address a socket must be bound to, in this pass, to take an IPv4 destination. */
static bool takes_v4(const struct bs_socket *s, const struct in_addr *dst, enum bs_lookup_pass pass)
{
	struct in_addr bound;

	if (s->local.family == AF_INET6 && s->v6only == 1)
		return false; /* IPV6_V6ONLY: IPv4 never arrives */
	if (pass == BS_PASS_WILDCARD)
		return bs_endpoint_is_wildcard(&s->local);
	/* An IPv6 socket bound to ::ffff:a.b.c.d is bound to the IPv4 address a.b.c.d. */
	return bs_endpoint_v4(&s->local, &bound) && !bs_endpoint_is_wildcard(&s->local) &&
	       bound.s_addr == dst->s_addr;
}

static bool takes_v6(const struct bs_socket *s, const struct bs_endpoint *dst,
                     enum bs_lookup_pass pass)
{
	if (s->local.family != AF_INET6)
		return false; /* an IPv4 socket never sees IPv6 */
	if (pass == BS_PASS_WILDCARD)
		return bs_endpoint_is_wildcard(&s->local);
	return !bs_endpoint_is_wildcard(&s->local) && bs_endpoint_same_addr(&s->local, dst);
}

/* SO_BINDTODEVICE: only what arrives on that device. */
static bool device_ok(const struct bs_socket *s, const struct bs_lookup_query *q)
{
	return s->bound_ifindex == 0 || s->bound_ifindex == q->arrival_ifindex;
}

static bool address_matches(const struct bs_socket *s, const struct bs_lookup_query *q,
                            enum bs_lookup_pass pass)
{
	struct in_addr v4;

	if (q->dst.family == AF_INET && bs_endpoint_v4(&q->dst, &v4))
		return takes_v4(s, &v4, pass);
	return takes_v6(s, &q->dst, pass);
}

int bs_lookup_score(const struct bs_socket *s, const struct bs_lookup_query *q,
                    enum bs_lookup_pass pass)
{
	bool v4_socket = s->local.family == AF_INET, on_device = s->bound_ifindex != 0;

	if (s->proto != q->proto || s->local.port != q->dst.port || !address_matches(s, q, pass) ||
	    !device_ok(s, q))
		return -1;
	if (q->proto == BS_PROTO_TCP) /* inet_hashtables.c: compute_score */
		return (on_device ? 2 : 1) + (v4_socket && q->dst.family == AF_INET);
	/* udp.c: compute_score (IPv6: udp6 scores only the device) */
	if (q->dst.family == AF_INET)
		return (v4_socket ? 2 : 1) + (on_device ? 4 : 0);
	return on_device ? 1 : 0;
}

bool bs_lookup_same_group(const struct bs_socket *a, const struct bs_socket *b)
{
	return a->reuseport == 1 && b->reuseport == 1 && a->proto == b->proto &&
	       a->local.port == b->local.port && a->local.family == b->local.family &&
	       a->bound_ifindex == b->bound_ifindex && a->v6only == b->v6only && a->uid == b->uid &&
	       bs_endpoint_same_addr(&a->local, &b->local);
}

/* One pass: the best score and how many sockets reach it. */
static void run_pass(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
                     enum bs_lookup_pass pass, struct bs_lookup_answer *out)
{
	out->score = -1;
	out->count = 0;
	for (size_t i = 0; i < n; i++) {
		int sc = bs_lookup_score(&socks[i], q, pass);
		if (sc < 0)
			continue;
		if (sc > out->score) {
			out->score = sc;
			out->winner = i;
			out->count = 0;
		}
		out->count += sc == out->score;
	}
}

/*
 * With SO_REUSEPORT the kernel does not always take the top score: walking a hash chain in
 * the order the sockets were bound, the first SO_REUSEPORT socket that beats the score so far
 * answers for its group at once. So every matching SO_REUSEPORT socket may answer, as may the
 * top score; the set is one group only when they all belong to it.
 */
static bool in_answer_set(const struct bs_socket *s, const struct bs_lookup_query *q,
                          const struct bs_lookup_answer *a)
{
	int sc = bs_lookup_score(s, q, a->pass);

	/* UDP cannot tell SO_REUSEPORT from SO_REUSEADDR in the table: unknown may be set. */
	return sc >= 0 && (sc == a->score || s->reuseport == 1 ||
	                   (s->proto == BS_PROTO_UDP && s->reuseport < 0));
}

static void settle(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
                   struct bs_lookup_answer *a)
{
	size_t members = 0;
	bool one_group = true;

	for (size_t i = 0; i < n; i++) {
		if (!in_answer_set(&socks[i], q, a))
			continue;
		if (members++ == 0)
			a->winner = i;
		else if (!bs_lookup_same_group(&socks[i], &socks[a->winner]))
			one_group = false;
	}
	a->count = members;
	if (members == 1)
		a->outcome = BS_LOOKUP_SOCKET;
	else
		a->outcome = one_group ? BS_LOOKUP_GROUP : BS_LOOKUP_TIE;
}

void bs_lookup(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
               struct bs_lookup_answer *out)
{
	memset(out, 0, sizeof(*out));
	if (!q->dst_local) {
		out->outcome = BS_LOOKUP_NOT_LOCAL;
		return;
	}
	out->pass = BS_PASS_EXACT;
	run_pass(socks, n, q, BS_PASS_EXACT, out);
	if (out->count == 0) {
		out->pass = BS_PASS_WILDCARD;
		run_pass(socks, n, q, BS_PASS_WILDCARD, out);
	}
	if (out->count == 0) {
		out->outcome = BS_LOOKUP_NONE;
		return;
	}
	settle(socks, n, q, out);
}

bool bs_lookup_takes(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
                     const struct bs_lookup_answer *a, size_t i)
{
	if (i >= n)
		return false;
	switch (a->outcome) {
	case BS_LOOKUP_SOCKET:
		return i == a->winner;
	case BS_LOOKUP_GROUP:
	case BS_LOOKUP_TIE:
		return in_answer_set(&socks[i], q, a);
	case BS_LOOKUP_NONE:
	case BS_LOOKUP_NOT_LOCAL:
		break;
	}
	return false;
}
