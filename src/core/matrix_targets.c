/* The matrix's columns (where connections go, from where) and its predicted probes. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "matrix_internal.h"

static bool have_column(const struct bs_matrix *m, size_t vantage, const struct bs_endpoint *a)
{
	for (size_t c = 0; c < m->ncols; c++)
		if (m->cols[c].vantage == vantage && m->cols[c].kind != BS_COL_ANY &&
		    m->cols[c].kind != BS_COL_LOCALHOST &&
		    bs_endpoint_same_addr(&m->cols[c].addr, a))
			return true;
	return false;
}

static struct bs_matrix_col *add_column(struct bs_matrix *m, enum bs_col_kind kind, size_t vantage,
                                        const struct bs_endpoint *addr, const char *label,
                                        struct bs_error *err)
{
	struct bs_matrix_col *c;

	if (matrix_reserve((void **)&m->cols, &m->cols_cap, m->ncols + 1, sizeof(*m->cols)) < 0) {
		bs_error_set(err, 0, "out of memory building the matrix");
		return NULL;
	}
	c = &m->cols[m->ncols++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->vantage = vantage;
	c->addr = bs_endpoint_without_port(addr);
	c->dst = c->addr;
	c->route = BS_ROUTE_HERE;
	snprintf(c->label, sizeof(c->label), "%s", label);
	bs_endpoint_addr_text(&c->addr, c->text, sizeof(c->text));
	return c;
}

/* Every address of every interface that is up, in the families shown. */
static int interface_columns(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                             struct bs_error *err)
{
	struct bs_endpoint ep;

	for (int fam = 0; fam < 2; fam++) {
		int family = fam == 0 ? AF_INET : AF_INET6;
		if (!matrix_family_shown(m, family))
			continue;
		for (size_t i = 0; ifaces != NULL && i < ifaces->count; i++) {
			const struct bs_iface *f = &ifaces->items[i];
			for (size_t j = 0; (f->flags & IFF_UP) && j < f->naddrs; j++) {
				if (f->addrs[j].family != family)
					continue;
				bs_endpoint_from_iface_addr(&ep, f, &f->addrs[j]);
				if (!have_column(m, 0, &ep) &&
				    add_column(m, BS_COL_ADDRESS, 0, &ep, f->name, err) == NULL)
					return -1;
			}
		}
	}
	return 0;
}

/* The plain address a socket is bound to: ::ffff:a.b.c.d is the IPv4 address a.b.c.d. */
static struct bs_endpoint bound_address(const struct bs_endpoint *local)
{
	struct bs_endpoint ep;
	struct in_addr v4;

	if (bs_endpoint_is_v4_mapped(local) && bs_endpoint_v4(local, &v4)) {
		bs_endpoint_from_v4(&ep, v4, 0);
		return ep;
	}
	return bs_endpoint_without_port(local);
}

static int bound_column(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                        const struct bs_endpoint *addr, struct bs_error *err)
{
	const struct bs_iface *owner;
	bool local;

	if (bs_endpoint_is_wildcard(addr) || !matrix_family_shown(m, addr->family) ||
	    have_column(m, 0, addr))
		return 0;
	local = bs_lookup_is_local(ifaces, addr);
	owner = bs_endpoint_owner(ifaces, addr);
	if (owner == NULL && bs_endpoint_is_loopback(addr))
		owner = bs_iface_find(ifaces, "lo");
	return add_column(m, local ? BS_COL_BOUND : BS_COL_NOT_LOCAL, 0, addr,
	                  local ? (owner != NULL ? owner->name : "bound") : "not here", err) != NULL
	           ? 0
	           : -1;
}

/* Every specific address a socket on the ports is bound to, and every ADDR of ADDR:PORT. */
static int bound_columns(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                         struct bs_error *err)
{
	for (size_t i = 0; i < m->nsocks; i++) {
		struct bs_endpoint a = bound_address(&m->socks[i].local);
		if (bound_column(m, ifaces, &a, err) < 0)
			return -1;
	}
	for (size_t p = 0; p < m->nports; p++)
		if (m->ports[p].only && bound_column(m, ifaces, &m->ports[p].at, err) < 0)
			return -1;
	return 0;
}

static int special_columns(struct bs_matrix *m, struct bs_error *err)
{
	static const char *const any_text[] = {"0.0.0.0", "::"};

	for (size_t i = 0; i < m->env.nlocalhost; i++)
		if (matrix_family_shown(m, m->env.localhost[i].family) &&
		    add_column(m, BS_COL_LOCALHOST, 0, &m->env.localhost[i], "localhost", err) ==
		        NULL)
			return -1;
	for (int fam = 0; fam < 2; fam++) {
		int family = fam == 0 ? AF_INET : AF_INET6;
		struct bs_endpoint any, loop;
		struct bs_matrix_col *c;

		if (!matrix_family_shown(m, family))
			continue;
		bs_endpoint_parse(fam == 0 ? "0.0.0.0:1" : "[::]:1", NULL, &any, NULL);
		bs_endpoint_parse(fam == 0 ? "127.0.0.1:1" : "[::1]:1", NULL, &loop, NULL);
		c = add_column(m, BS_COL_ANY, 0, &any, any_text[fam], err);
		if (c == NULL)
			return -1;
		/* Linux sends a connection to the unspecified address to the source address the
		 * socket has (--from), else to loopback. */
		c->dst =
		    bs_endpoint_without_port(m->env.from.family == family ? &m->env.from : &loop);
	}
	return 0;
}

/* What the peer's routing table says of addr: here (on its segment or via this machine),
 * no route, or somewhere else. */
static void route_column(struct bs_matrix *m, const struct bs_vantage *v,
                         const struct bs_iface_list *ifaces, struct bs_matrix_col *c)
{
	struct bs_route r;
	const struct bs_iface *seg = bs_iface_find(ifaces, v->iface), *owner;

	c->route = BS_ROUTE_UNKNOWN;
	if (seg == NULL) /* a host whose packets arrive on no interface known here */
		return;
	if (m->env.route == NULL || m->env.route(m->env.route_arg, v, &c->addr, &r) < 0)
		return;
	c->route = BS_ROUTE_ELSEWHERE;
	if (!r.found) {
		c->route = BS_ROUTE_NONE;
		return;
	}
	c->has_gateway = r.has_gateway;
	c->gateway = r.gateway;
	if (r.has_gateway) {
		owner = bs_endpoint_owner(ifaces, &r.gateway);
		if (owner != NULL && seg != NULL && strcmp(owner->name, seg->name) == 0)
			c->route = BS_ROUTE_HERE;
		return;
	}
	/* On-link: the peer asks its segment who has the address. This machine answers for its
	 * own addresses there; IPv4 answers for any local address while arp_ignore is 0. */
	owner = bs_endpoint_owner(ifaces, &c->addr);
	if ((owner != NULL && seg != NULL && strcmp(owner->name, seg->name) == 0) ||
	    (c->addr.family == AF_INET && m->env.arp_ignore == 0))
		c->route = BS_ROUTE_HERE;
}

/* From each peer: every address of this machine that is not loopback or link-local. */
static int peer_columns(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                        struct bs_error *err)
{
	struct bs_endpoint ep;
	char label[BS_MATRIX_LABEL_MAX];

	for (size_t v = 0; v < m->npeers; v++) {
		snprintf(label, sizeof(label), "from %s", m->peers[v].name);
		for (size_t i = 0; ifaces != NULL && i < ifaces->count; i++) {
			const struct bs_iface *f = &ifaces->items[i];
			for (size_t j = 0; (f->flags & IFF_UP) && j < f->naddrs; j++) {
				struct bs_matrix_col *c;
				bs_endpoint_from_iface_addr(&ep, f, &f->addrs[j]);
				if (!matrix_family_shown(m, ep.family) ||
				    bs_endpoint_is_loopback(&ep) ||
				    bs_endpoint_is_link_local(&ep) || have_column(m, 1 + v, &ep))
					continue;
				c = add_column(m, BS_COL_PEER, 1 + v, &ep, label, err);
				if (c == NULL)
					return -1;
				route_column(m, &m->peers[v], ifaces, c);
			}
		}
	}
	return 0;
}

int matrix_make_columns(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                        struct bs_error *err)
{
	m->ncols = 0;
	if (interface_columns(m, ifaces, err) < 0 || bound_columns(m, ifaces, err) < 0 ||
	    special_columns(m, err) < 0 || peer_columns(m, ifaces, err) < 0)
		return -1;
	return 0;
}

static bool probed_at(const struct bs_matrix_port *p, const struct bs_matrix_col *c)
{
	if (c->kind == BS_COL_NOT_LOCAL)
		return false; /* traffic for it would leave this machine: never sent */
	return !p->only || bs_endpoint_same_addr(&p->at, &c->addr);
}

/* An earlier probe that connects to the same place from the same vantage, or -1. */
static long same_probe(const struct bs_matrix *m, size_t p, size_t c)
{
	const struct bs_matrix_col *col = &m->cols[c];

	for (size_t e = 0; e < c; e++) {
		const struct bs_matrix_probe *q = &m->probes[p * m->ncols + e];
		const struct bs_matrix_col *ec = &m->cols[e];
		if (q->probed && q->same_as < 0 && ec->vantage == col->vantage &&
		    bs_endpoint_same_addr(&ec->addr, &col->addr))
			return (long)(p * m->ncols + e);
	}
	return -1;
}

int matrix_make_probes(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                       struct bs_error *err)
{
	size_t n = m->nports * m->ncols;

	if (matrix_reserve((void **)&m->probes, &m->probes_cap, n ? n : 1, sizeof(*m->probes)) < 0)
		return bs_error_set(err, 0, "out of memory building the matrix");
	m->nprobes = n;
	for (size_t p = 0; p < m->nports; p++)
		for (size_t c = 0; c < m->ncols; c++) {
			struct bs_matrix_probe *pr = &m->probes[p * m->ncols + c];
			const struct bs_matrix_col *col = &m->cols[c];
			const struct bs_vantage *v = bs_matrix_vantage(m, col->vantage);
			struct bs_endpoint dst = col->dst;

			memset(pr, 0, sizeof(*pr));
			pr->port = p;
			pr->col = c;
			pr->answered_by = -1;
			pr->probed = probed_at(&m->ports[p], col);
			pr->same_as = pr->probed ? same_probe(m, p, c) : -1;
			bs_endpoint_set_port(&dst, m->ports[p].port);
			pr->query = bs_lookup_query_make(
			    m->ports[p].proto, &dst,
			    v->peer ? v->arrival_ifindex
			            : bs_lookup_host_arrival(ifaces, &dst, m->env.lo_index),
			    ifaces);
			bs_lookup(m->socks, m->nsocks, &pr->query, &pr->predicted);
			matrix_firewall_judge(m, pr, ifaces);
		}
	return 0;
}
