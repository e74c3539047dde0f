/*
 * Why a cell reads as it does: where the connection goes, which socket the kernel's lookup
 * gives it to and why the others do not take it, what the probe saw, and, for a real
 * contradiction only, what is known about it.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "matrix_internal.h"

static const struct bs_socket *sock_of(const struct bs_matrix *m, long r)
{
	return r >= 0 && m->rows[r].socket ? &m->socks[m->rows[r].sock] : NULL;
}

/* True when a peer column's address belongs to the interface on the peer's segment. */
static bool on_vantage_iface(const struct bs_matrix *m, const struct bs_matrix_col *c)
{
	if (c->kind != BS_COL_PEER)
		return true;
	const struct bs_iface *owner = bs_endpoint_owner(m->ifaces, &c->addr);

	return owner != NULL && strcmp(owner->name, bs_matrix_vantage(m, c->vantage)->iface) == 0;
}

/* Where the connection goes, and from where. */
static void route_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                        size_t len)
{
	const struct bs_matrix_col *c = &m->cols[p->col];
	const struct bs_vantage *v = bs_matrix_vantage(m, c->vantage);
	unsigned port = m->ports[p->port].port;
	char dst[BS_ENDPOINT_TEXT_MAX], gw[BS_ENDPOINT_TEXT_MAX];

	bs_endpoint_addr_text(&c->dst, dst, sizeof(dst));
	switch (c->kind) {
	case BS_COL_ADDRESS:
	case BS_COL_BOUND:
		snprintf(
		    buf, len,
		    "From this host, a connection to %s:%u travels over lo (%s is this machine's "
		    "own address, on %s).",
		    c->text, port, c->text, c->label);
		return;
	case BS_COL_LOCALHOST:
		snprintf(buf, len,
		         "From this host, localhost resolves to %s here; it travels over lo.",
		         c->text);
		return;
	case BS_COL_ANY:
		snprintf(buf, len,
		         "From this host, Linux sends a connection to %s to %s (%s), over lo.",
		         c->text, dst,
		         m->env.from.family == c->addr.family ? "the source address it is bound to"
		                                              : "loopback");
		return;
	case BS_COL_NOT_LOCAL:
		snprintf(
		    buf, len,
		    "%s is not an address of this machine, so bindscope does not probe it (the "
		    "connection would leave the machine).",
		    c->text);
		return;
	case BS_COL_PEER:
		break;
	}
	bs_endpoint_addr_text(&c->gateway, gw, sizeof(gw));
	if (c->route == BS_ROUTE_NONE) {
		snprintf(buf, len,
		         "%s (%s, on %s's segment) has no route to %s, so its connect fails at "
		         "once: the "
		         "connection never leaves %s, and no socket here is asked.",
		         v->name, v->addr, v->iface, c->text, v->name);
		return;
	}
	if (c->route == BS_ROUTE_UNKNOWN && v->remote != NULL && v->iface[0] == '\0' &&
	    bs_remote_state(v->remote) == BS_REMOTE_FAILED) {
		snprintf(buf, len,
		         "%s never answered, so bindscope knows neither its routes nor where its "
		         "connection to %s:%u would arrive: nothing is predicted.",
		         v->name, c->text, port);
		return;
	}
	if (c->route == BS_ROUTE_UNKNOWN && v->iface[0] == '\0') {
		struct bs_endpoint here, there;
		char at[BS_ENDPOINT_TEXT_MAX];
		if (v->remote == NULL || !bs_remote_addresses(v->remote, &here, &there)) {
			snprintf(
			    buf, len,
			    "%s did not say at which address it reached this machine, so where "
			    "its connection to %s:%u arrives is not known: nothing is predicted.",
			    v->name, c->text, port);
			return;
		}
		bs_endpoint_addr_text(&here, at, sizeof(at));
		snprintf(
		    buf, len,
		    "%s reached this machine at %s, which is not an address of any interface "
		    "here (a NAT or a tunnel between): where its connection to %s:%u arrives is "
		    "out of bindscope's sight, so nothing is predicted.",
		    v->name, at, c->text, port);
		return;
	}
	if (c->route == BS_ROUTE_UNKNOWN && v->remote != NULL) {
		snprintf(
		    buf, len,
		    "bindscope does not know %s's route to %s: it asked for its routes when it "
		    "connected, before this address was here. Nothing is predicted; to ask "
		    "again, stop it (V on its column) and add it again (v).",
		    v->name, c->text);
		return;
	}
	if (c->route == BS_ROUTE_UNKNOWN) {
		snprintf(buf, len,
		         "bindscope could not read %s's route to %s: nothing is predicted.",
		         v->name, c->text);
		return;
	}
	if (c->route == BS_ROUTE_ELSEWHERE) {
		snprintf(
		    buf, len,
		    "%s routes %s %s%s, not to this machine's %s: what happens there is out of "
		    "bindscope's sight.",
		    v->name, c->text, c->has_gateway ? "via " : "on-link", c->has_gateway ? gw : "",
		    v->iface);
		return;
	}
	if (c->has_gateway)
		snprintf(buf, len,
		         "%s sends %s:%u via %s, this machine's address on %s: it arrives on %s.",
		         v->name, c->text, port, gw, v->iface, v->iface);
	else
		snprintf(buf, len, "%s reaches %s:%u directly on %s's segment: it arrives on %s.",
		         v->name, c->text, port, v->iface, v->iface);
	if (!on_vantage_iface(m, c))
		bs_textbuf_appendf(
		    buf, len,
		    " %s is not %s's address, and Linux takes it anyway: a packet for "
		    "any of its addresses is accepted on any interface (the weak host "
		    "model).",
		    c->text, v->iface);
}

/* The device the socket lookup sees the connection arrive on. */
static const char *arrival_name(const struct bs_matrix_probe *p, char *name)
{
	if (if_indextoname(p->query.arrival_ifindex, name) == NULL)
		snprintf(name, IF_NAMESIZE, "if%u", p->query.arrival_ifindex);
	return name;
}

/* Why socket s (row k) does not take the query. */
static void not_taken_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, long k,
                            char *buf, size_t len)
{
	const struct bs_socket *s = sock_of(m, k);
	const struct bs_lookup_query *q = &p->query;
	char addr[BS_ENDPOINT_TEXT_MAX], dev[IF_NAMESIZE];

	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	if (s->bound_ifindex != 0 && s->bound_ifindex != q->arrival_ifindex)
		snprintf(buf, len, "#%ld is bound to the device %s and this arrives on %s", k + 1,
		         s->bound_dev, arrival_name(p, dev));
	else if (q->dst.family == AF_INET && s->local.family == AF_INET6 && s->v6only == 1)
		snprintf(buf, len, "#%ld has IPV6_V6ONLY on, so IPv4 never reaches it", k + 1);
	else if (q->dst.family == AF_INET6 && s->local.family == AF_INET)
		snprintf(buf, len, "#%ld is an IPv4 socket, which never sees IPv6", k + 1);
	else if (!bs_endpoint_is_wildcard(&s->local))
		snprintf(buf, len, "#%ld is bound to %s only", k + 1, addr);
	else
		snprintf(buf, len, "#%ld, a wildcard, yields to a more specific socket", k + 1);
}

static void others_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                         size_t len)
{
	size_t first, n = bs_matrix_port_rows(m, p->port, &first);
	char one[200];

	buf[0] = '\0';
	for (size_t k = first; k < first + n; k++) {
		if (!m->rows[k].socket ||
		    bs_lookup_takes(m->socks, m->nsocks, &p->query, &p->predicted, m->rows[k].sock))
			continue;
		not_taken_words(m, p, (long)k, one, sizeof(one));
		bs_textbuf_appendf(buf, len, "%s%s", buf[0] ? "; " : "", one);
	}
}

static void takers_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                         size_t len)
{
	size_t first, n = bs_matrix_port_rows(m, p->port, &first);

	buf[0] = '\0';
	for (size_t k = first; k < first + n; k++)
		if (m->rows[k].socket &&
		    bs_lookup_takes(m->socks, m->nsocks, &p->query, &p->predicted, m->rows[k].sock))
			bs_textbuf_appendf(buf, len, "%s#%zu", buf[0] ? ", " : "", k + 1);
}

/* The kernel's choice, and the reason. */
static void prediction_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                             size_t len)
{
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;
	/* the lookup's own answer, whatever the firewall does before it */
	long w = p->predicted.outcome == BS_LOOKUP_SOCKET ||
	                 p->predicted.outcome == BS_LOOKUP_GROUP ||
	                 p->predicted.outcome == BS_LOOKUP_TIE
	             ? bs_matrix_row_of_socket(m, p->predicted.winner)
	             : -1;
	char others[600], takers[128], who[256];

	others_words(m, p, others, sizeof(others));
	takers_words(m, p, takers, sizeof(takers));
	switch (p->predicted.outcome) {
	case BS_LOOKUP_SOCKET:
		bs_matrix_row_who(m, (size_t)w, who, sizeof(who));
		snprintf(buf, len, "The kernel gives it to %s: %s", who,
		         p->predicted.pass == BS_PASS_EXACT
		             ? "it is bound to exactly this address"
		             : "it is a wildcard, and no socket is bound "
		               "to this address exactly");
		if (sock_of(m, w)->bound_ifindex != 0 && m->cols[p->col].vantage == 0)
			bs_textbuf_appendf(
			    buf, len,
			    ", and it is bound to %s, the device this connection "
			    "counts as arriving on: the kernel's local route for the "
			    "address names %s, though the packets travel over lo",
			    sock_of(m, w)->bound_dev, sock_of(m, w)->bound_dev);
		else if (sock_of(m, w)->bound_ifindex != 0)
			bs_textbuf_appendf(buf, len, ", and it is bound to %s, where this arrives",
			                   sock_of(m, w)->bound_dev);
		break;
	case BS_LOOKUP_GROUP:
		snprintf(buf, len,
		         "The kernel gives it to one of %s, an SO_REUSEPORT group: it spreads "
		         "connections among them",
		         takers);
		break;
	case BS_LOOKUP_TIE:
		snprintf(
		    buf, len,
		    "One of %s takes it: they match equally well, and which one the kernel finds "
		    "first depends on the order they were bound in (SO_REUSEPORT) and the CPU",
		    takers);
		break;
	case BS_LOOKUP_NONE:
		snprintf(buf, len, "No socket on port %u takes it, so the kernel refuses it (%s)",
		         m->ports[p->port].port,
		         udp ? "UDP answers with ICMP port unreachable"
		             : "TCP answers with a reset");
		break;
	case BS_LOOKUP_NOT_LOCAL:
		snprintf(buf, len, "Nothing on this machine takes it");
		break;
	}
	if (others[0] != '\0' && p->predicted.outcome != BS_LOOKUP_NOT_LOCAL)
		bs_textbuf_appendf(buf, len, " (%s)", others);
	bs_textbuf_appendf(buf, len, ".");
}

static void observation_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                              size_t len)
{
	const struct bs_probe_result *o = &p->observed;
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;
	char who[256];

	if (bs_matrix_vantage_failure(m, p)[0] != '\0') {
		snprintf(buf, len, "Not observed: %s.", bs_matrix_vantage_failure(m, p));
		return;
	}
	switch (o->verdict) {
	case BS_VERDICT_PENDING:
		snprintf(buf, len, "Not probed yet.");
		return;
	case BS_VERDICT_OPEN:
		if (p->how == BS_ATTR_ACCEPT && p->answered_by >= 0) {
			bs_matrix_row_who(m, (size_t)p->answered_by, who, sizeof(who));
			snprintf(buf, len, "Observed: open, %s by %s.",
			         udp ? "received" : "accepted", who);
		} else {
			snprintf(buf, len, "Observed: open.");
		}
		return;
	case BS_VERDICT_REFUSED:
		if (o->icmp && !udp)
			snprintf(
			    buf, len,
			    "Observed: refused with ICMP port unreachable, not a TCP reset: a "
			    "closed TCP port answers with a reset, so a firewall rule's reject "
			    "sent this.");
		else
			snprintf(buf, len, "Observed: refused (%s).",
			         udp ? "ICMP port unreachable" : "a TCP reset");
		return;
	case BS_VERDICT_TIMEOUT:
		snprintf(buf, len,
		         "Observed: no answer before the deadline (no reset, no ICMP error).");
		return;
	case BS_VERDICT_UNREACHABLE:
		if (o->icmp)
			snprintf(buf, len, "Observed: unreachable (ICMP %s, %s).",
			         bs_icmp_name(p->query.dst.family, o->icmp_type, o->icmp_code),
			         bs_errno_name(o->error));
		else
			snprintf(buf, len, "Observed: unreachable (%s).", bs_errno_name(o->error));
		return;
	case BS_VERDICT_OPEN_FILTERED:
		snprintf(
		    buf, len,
		    "Observed: no answer (UDP: a socket that takes a datagram says nothing, so "
		    "this reads open|filtered).");
		return;
	case BS_VERDICT_ERROR:
		snprintf(buf, len, "Observed: the connect failed with %s (%s).",
		         bs_errno_name(o->error), strerror(o->error));
		return;
	}
}

/* Probes sent to the same port from the same vantage in one round. */
static size_t probes_sent_together(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nprobes; i++) {
		const struct bs_matrix_probe *q = &m->probes[i];
		n += q->probed && q->same_as < 0 && q->port == p->port &&
		     m->cols[q->col].vantage == m->cols[p->col].vantage;
	}
	return n;
}

/* A TCP probe that got no SYN-ACK although #w+1 takes the address: the kernel's listen-drop
 * counter says whether a full listen queue dropped SYNs in this round. */
static void syn_unanswered_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, long w,
                                 char *buf, size_t len)
{
	long long drops = bs_matrix_listen_drops(m);
	const struct bs_socket *s = w >= 0 ? &m->socks[m->rows[w].sock] : NULL;

	if (drops > 0 && s != NULL)
		snprintf(buf, len,
		         " But no SYN-ACK came back before the deadline. During this round the "
		         "kernel dropped %lld connection attempt%s because a listen queue was full "
		         "(ListenDrops in /proc/net/netstat): #%ld's listen backlog is %u (the "
		         "kernel keeps at most %u connections waiting for accept), and bindscope "
		         "sent %zu probes to port %u together. A dropped "
		         "SYN is sent again only after 1 s. #%ld does take this address; a "
		         "connection gets in once #%ld accepts the waiting ones (ss -ltn 'sport = "
		         ":%u' shows the queue as Recv-Q, its limit as Send-Q).",
		         drops, drops == 1 ? "" : "s", w + 1, s->backlog, s->backlog + 1,
		         probes_sent_together(m, p), (unsigned)m->ports[p->port].port, w + 1, w + 1,
		         (unsigned)m->ports[p->port].port);
	else if (drops == 0)
		snprintf(buf, len,
		         " But no SYN-ACK came back before the deadline, and the kernel counted no "
		         "full listen queue in this round (ListenDrops in /proc/net/netstat): the "
		         "SYN was dropped before it reached #%ld.",
		         w + 1);
	else
		snprintf(buf, len,
		         " But no SYN-ACK came back before the deadline: the SYN never reached "
		         "#%ld, or its listen queue was full.",
		         w + 1);
}

/* A real contradiction: what is known about it. */
static void contradiction_words(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                char *buf, size_t len)
{
	enum bs_verdict v = p->observed.verdict;
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;
	long w = bs_matrix_probe_answer_row(m, p, false);
	bool open_predicted = p->predicted.outcome == BS_LOOKUP_SOCKET ||
	                      p->predicted.outcome == BS_LOOKUP_GROUP ||
	                      p->predicted.outcome == BS_LOOKUP_TIE;

	if (m->cols[p->col].route == BS_ROUTE_NONE)
		snprintf(
		    buf, len,
		    " But the probe did not fail for lack of a route: the peer's routes changed "
		    "after bindscope read them.");
	else if (matrix_firewall_effect(p) == MATRIX_FW_BLOCK)
		snprintf(
		    buf, len,
		    " But the probe saw %s (%s), not what that rule sends back: the packet did "
		    "not meet the ruleset as bindscope read it.",
		    bs_verdict_name(v),
		    bs_probe_reason(&p->observed, m->ports[p->port].proto, p->query.dst.family));
	else if (!open_predicted && v == BS_VERDICT_OPEN)
		snprintf(
		    buf, len,
		    " But something answered, and no socket in this network namespace takes it: "
		    "the connection was redirected before the socket lookup (a NAT rule) or "
		    "answered from another namespace.");
	else if (!open_predicted)
		snprintf(buf, len,
		         " But the probe saw %s, not the refusal the socket table predicts.",
		         bs_verdict_name(v));
	else if (v == BS_VERDICT_REFUSED)
		snprintf(buf, len,
		         " But it was refused although #%ld was listening when bindscope read the "
		         "socket table: the refusal came from before the socket lookup (a firewall "
		         "reject), or #%ld closed since.",
		         w + 1, w + 1);
	else if (v == BS_VERDICT_TIMEOUT && !udp)
		syn_unanswered_words(m, p, w, buf, len);
	else if (v == BS_VERDICT_TIMEOUT || v == BS_VERDICT_OPEN_FILTERED)
		snprintf(
		    buf, len,
		    " But it never reached #%ld (bindscope's own listeners confirm every probe "
		    "they take): it was dropped on the way.",
		    w + 1);
	else if (v == BS_VERDICT_OPEN && p->how == BS_ATTR_ACCEPT)
		snprintf(
		    buf, len,
		    " But #%ld accepted it, which the lookup does not predict: please report this "
		    "configuration.",
		    p->answered_by + 1);
	else if (v == BS_VERDICT_OPEN)
		snprintf(buf, len,
		         " But none of bindscope's listeners accepted it: a socket outside this "
		         "table answered.");
	else
		snprintf(buf, len, " But the probe saw %s.", bs_verdict_name(v));
}

/* What the firewall does to it before any socket is asked; from a peer, also that it was not
 * read (the peer's packets cross it). */
static void firewall_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                           size_t len)
{
	char part[1000];

	if (!p->firewall_known && m->cols[p->col].vantage == 0)
		return; /* over lo: said only where a cell contradicts */
	matrix_firewall_words(m, p, part, sizeof(part));
	if (part[0] != '\0')
		bs_textbuf_appendf(buf, len, " %s", part);
}

/* Silence where an ICMP error was due: the kernel's ICMP rate limit. */
static void rate_limit_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                             size_t len)
{
	enum bs_verdict v = p->observed.verdict;
	bool udp_refusal = m->ports[p->port].proto == BS_PROTO_UDP &&
	                   p->predicted.outcome == BS_LOOKUP_NONE &&
	                   matrix_firewall_effect(p) == MATRIX_FW_PASS;
	size_t due = matrix_icmp_due(m, p);

	if ((v != BS_VERDICT_OPEN_FILTERED && v != BS_VERDICT_TIMEOUT) ||
	    (!udp_refusal && !matrix_firewall_icmp_due(p)) || !bs_matrix_icmp_limited(m, p))
		return;
	if (m->cols[p->col].vantage != 0 && m->env.icmp_peer_burst > 0 &&
	    due > m->env.icmp_peer_burst)
		bs_textbuf_appendf(
		    buf, len,
		    " %zu probes from %s were due an ICMP error in this round, and the "
		    "kernel sends one host at most %u at once, then one per "
		    "net.ipv4.icmp_ratelimit ms: the rest are rate-limited into silence.",
		    due, bs_matrix_vantage(m, m->cols[p->col].vantage)->name,
		    m->env.icmp_peer_burst);
	else
		bs_textbuf_appendf(
		    buf, len,
		    " %zu probes were due an ICMP error in this round, more than the "
		    "kernel sends at once (net.ipv4.icmp_msgs_burst = %u): the rest are "
		    "rate-limited into silence.",
		    due, m->env.icmp_burst);
}

void bs_matrix_cell_why(const struct bs_matrix *m, size_t r, size_t c, char *buf, size_t len)
{
	struct bs_matrix_cell cell;
	char part[900];

	bs_matrix_cell(m, r, c, &cell);
	route_words(m, cell.probe, buf, len);
	if (m->cols[c].kind == BS_COL_NOT_LOCAL || m->cols[c].route != BS_ROUTE_HERE) {
		if (cell.probe->probed) {
			observation_words(m, cell.probe, part, sizeof(part));
			bs_textbuf_appendf(buf, len, " %s", part);
		}
		if (cell.disagree) {
			contradiction_words(m, cell.probe, part, sizeof(part));
			bs_textbuf_appendf(buf, len, "%s", part);
		}
		return;
	}
	firewall_words(m, cell.probe, buf, len);
	prediction_words(m, cell.probe, part, sizeof(part));
	if (matrix_firewall_effect(cell.probe) != MATRIX_FW_PASS && part[0] != '\0') {
		part[0] = (char)(part[0] - 'A' + 'a'); /* "The kernel ..." → "the kernel ..." */
		bs_textbuf_appendf(buf, len, " Past the firewall, %s", part);
	} else {
		bs_textbuf_appendf(buf, len, " %s", part);
	}
	if (!cell.probe->probed) {
		bs_textbuf_appendf(buf, len, " Not probed (only the address asked for is).");
		return;
	}
	observation_words(m, cell.probe, part, sizeof(part));
	bs_textbuf_appendf(buf, len, " %s", part);
	rate_limit_words(m, cell.probe, buf, len);
	if (cell.disagree) {
		contradiction_words(m, cell.probe, part, sizeof(part));
		bs_textbuf_appendf(buf, len, "%s", part);
		if (!cell.probe->firewall_known) {
			matrix_firewall_words(m, cell.probe, part, sizeof(part));
			bs_textbuf_appendf(buf, len, " %s", part);
		}
	}
	matrix_firewall_outside_words(m, cell.probe, part, sizeof(part));
	if (part[0] != '\0' && cell.probe->outside.any_rule)
		bs_textbuf_appendf(buf, len, " %s", part);
}

void bs_matrix_probe_text(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                          size_t len)
{
	long w = bs_matrix_probe_answer_row(m, p, true);
	char who[256];

	if (!p->probed) {
		snprintf(buf, len, "not probed");
		return;
	}
	if (p->observed.verdict != BS_VERDICT_OPEN || w < 0) {
		snprintf(buf, len, "%s", bs_verdict_name(p->observed.verdict));
		return;
	}
	bs_matrix_row_who(m, (size_t)w, who, sizeof(who));
	if (p->how == BS_ATTR_ACCEPT || p->predicted.outcome == BS_LOOKUP_SOCKET)
		snprintf(buf, len, "open (answered by %s)", who);
	else
		snprintf(buf, len, "open (answered by one of the sockets sharing it, first %s)",
		         who);
}

bool bs_matrix_col_weak_host(const struct bs_matrix *m, size_t c)
{
	return m->cols[c].route == BS_ROUTE_HERE && !on_vantage_iface(m, &m->cols[c]);
}
