/* The exposure matrix: building rows, columns and predictions (pure), and its accessors. */
#include "bindscope/matrix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_internal.h"

struct bs_matrix *bs_matrix_new(void)
{
	struct bs_matrix *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	snprintf(m->host.name, sizeof(m->host.name), "this host");
	m->host.netns_fd = -1;
	m->drops_before = m->drops_after = -1;
	return m;
}

void bs_matrix_free(struct bs_matrix *m)
{
	if (m == NULL)
		return;
	bs_matrix_probe_stop(m);
	free(m->ports);
	free(m->peers);
	free(m->own);
	free(m->socks);
	free(m->rows);
	free(m->cols);
	free(m->probes);
	free(m->stale);
	bs_fw_free(m->env.firewall);
	free(m);
}

/* Grow *items (of size each) to hold at least want; 0, or -1 out of memory. */
int matrix_reserve(void **items, size_t *cap, size_t want, size_t each)
{
	size_t n = *cap ? *cap : 8;
	void *grown;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	grown = realloc(*items, n * each);
	if (grown == NULL)
		return -1;
	*items = grown;
	*cap = n;
	return 0;
}

#define RESERVE(m, field, want)                                                                    \
	matrix_reserve((void **)&(m)->field, &(m)->field##_cap, (want), sizeof(*(m)->field))

static int out_of_memory(struct bs_error *err)
{
	return bs_error_set(err, ENOMEM, "out of memory building the matrix");
}

int bs_matrix_add_port(struct bs_matrix *m, enum bs_proto proto, uint16_t port,
                       const struct bs_endpoint *only_at, struct bs_error *err)
{
	struct bs_matrix_port *p;

	for (size_t i = 0; i < m->nports; i++) {
		p = &m->ports[i];
		if (p->proto != proto || p->port != port)
			continue;
		if (only_at == NULL)
			p->only = false; /* the whole port was asked for too */
		return 0;
	}
	if (RESERVE(m, ports, m->nports + 1) < 0)
		return out_of_memory(err);
	p = &m->ports[m->nports++];
	memset(p, 0, sizeof(*p));
	p->proto = proto;
	p->port = port;
	if (only_at != NULL) {
		p->only = true;
		p->at = bs_endpoint_without_port(only_at);
	}
	return 0;
}

void bs_matrix_clear_ports(struct bs_matrix *m)
{
	m->nports = 0;
}

void bs_matrix_set_families(struct bs_matrix *m, bool only_v4, bool only_v6, bool show_ipv6)
{
	m->only_v4 = only_v4;
	m->only_v6 = only_v6;
	m->show_ipv6 = show_ipv6;
}

int bs_matrix_set_peers(struct bs_matrix *m, const struct bs_lab_vantage *v, size_t n,
                        struct bs_error *err)
{
	if (RESERVE(m, peers, n) < 0)
		return out_of_memory(err);
	m->npeers = n;
	for (size_t i = 0; i < n; i++) {
		struct bs_vantage *p = &m->peers[i];
		memset(p, 0, sizeof(*p));
		p->peer = true;
		p->netns_fd = v[i].netns_fd;
		p->pid = v[i].pid;
		snprintf(p->name, sizeof(p->name), "%s", v[i].name);
		snprintf(p->iface, sizeof(p->iface), "%s", v[i].iface);
		snprintf(p->addr, sizeof(p->addr), "%s", v[i].addr);
		p->arrival_ifindex = if_nametoindex(v[i].iface);
	}
	return 0;
}

int bs_matrix_add_remote(struct bs_matrix *m, struct bs_remote *remote,
                         const struct bs_iface_list *ifaces, struct bs_error *err)
{
	struct bs_endpoint here, there;
	const struct bs_iface *arrival;
	struct bs_vantage *v;

	if (RESERVE(m, peers, m->npeers + 1) < 0)
		return out_of_memory(err);
	v = &m->peers[m->npeers++];
	memset(v, 0, sizeof(*v));
	v->peer = true;
	v->netns_fd = -1;
	v->remote = remote;
	snprintf(v->name, sizeof(v->name), "%s", bs_remote_host(remote));
	if (!bs_remote_addresses(remote, &here, &there))
		return 0;
	bs_endpoint_addr_text(&there, v->addr, sizeof(v->addr));
	arrival = bs_endpoint_owner(ifaces, &here);
	if (arrival != NULL) {
		snprintf(v->iface, sizeof(v->iface), "%s", arrival->name);
		v->arrival_ifindex = arrival->index;
	}
	return 0;
}

size_t bs_matrix_remote_targets(const struct bs_iface_list *ifaces, struct bs_endpoint *out,
                                size_t max)
{
	size_t n = 0;
	struct bs_endpoint ep;

	for (size_t i = 0; i < ifaces->count; i++) {
		const struct bs_iface *f = &ifaces->items[i];
		for (size_t j = 0; (f->flags & IFF_UP) && j < f->naddrs; j++) {
			bs_endpoint_from_iface_addr(&ep, f, &f->addrs[j]);
			if (bs_endpoint_is_loopback(&ep) || bs_endpoint_is_link_local(&ep))
				continue;
			if (n < max)
				out[n] = ep;
			n++;
		}
	}
	return n;
}

int bs_matrix_mark_own(struct bs_matrix *m, uint64_t inode, bool reuseaddr, bool reuseport,
                       struct bs_error *err)
{
	if (RESERVE(m, own, m->nown + 1) < 0)
		return out_of_memory(err);
	m->own[m->nown].inode = inode;
	m->own[m->nown].reuseaddr = reuseaddr;
	m->own[m->nown].reuseport = reuseport;
	m->nown++;
	return 0;
}

void bs_matrix_clear_own(struct bs_matrix *m)
{
	m->nown = 0;
}

const struct matrix_own *matrix_own_find(const struct bs_matrix *m, uint64_t inode)
{
	for (size_t i = 0; i < m->nown; i++)
		if (m->own[i].inode == inode)
			return &m->own[i];
	return NULL;
}

/* --- rows: the sockets on the ports, grouped by port in the order asked --- */

static long port_index(const struct bs_matrix *m, const struct bs_socket *s)
{
	for (size_t i = 0; i < m->nports; i++)
		if (m->ports[i].proto == s->proto && m->ports[i].port == s->local.port)
			return (long)i;
	return -1;
}

static int take_socket(struct bs_matrix *m, const struct bs_socket *s, struct bs_error *err)
{
	const struct matrix_own *own = matrix_own_find(m, s->inode);

	if (RESERVE(m, socks, m->nsocks + 1) < 0)
		return out_of_memory(err);
	m->socks[m->nsocks] = *s;
	if (own != NULL) /* our own listeners' SO_REUSEPORT is known, not only deduced */
		m->socks[m->nsocks].reuseport = own->reuseport;
	m->nsocks++;
	return 0;
}

/* Per port, in the order the ports were asked: bindscope's own listeners in the order they
 * were opened, then everyone else's in the table's order (most exposed first, as `bindscope
 * sockets` lists them). */
static int take_sockets(struct bs_matrix *m, const struct bs_socket_list *table,
                        struct bs_error *err)
{
	size_t n = table != NULL ? table->count : 0;

	m->nsocks = 0;
	for (size_t p = 0; p < m->nports; p++) {
		for (size_t o = 0; o < m->nown; o++)
			for (size_t i = 0; i < n; i++)
				if (table->items[i].inode == m->own[o].inode &&
				    port_index(m, &table->items[i]) == (long)p &&
				    take_socket(m, &table->items[i], err) < 0)
					return -1;
		for (size_t i = 0; i < n; i++)
			if (port_index(m, &table->items[i]) == (long)p &&
			    matrix_own_find(m, table->items[i].inode) == NULL &&
			    take_socket(m, &table->items[i], err) < 0)
				return -1;
	}
	return 0;
}

static int make_rows(struct bs_matrix *m, struct bs_error *err)
{
	size_t s = 0;

	m->nrows = 0;
	for (size_t p = 0; p < m->nports; p++) {
		bool any = false;
		while (s < m->nsocks && port_index(m, &m->socks[s]) == (long)p) {
			const struct matrix_own *own = matrix_own_find(m, m->socks[s].inode);
			if (RESERVE(m, rows, m->nrows + 1) < 0)
				return out_of_memory(err);
			m->rows[m->nrows++] = (struct bs_matrix_row){
			    .port = p,
			    .socket = true,
			    .sock = s,
			    .ours = own != NULL,
			    .reuseaddr = own != NULL && own->reuseaddr,
			};
			any = true;
			s++;
		}
		if (any)
			continue;
		if (RESERVE(m, rows, m->nrows + 1) < 0)
			return out_of_memory(err);
		m->rows[m->nrows++] = (struct bs_matrix_row){.port = p};
	}
	return 0;
}

/* --- the build --- */

static bool matrix_has_ipv6_socket(const struct bs_matrix *m)
{
	for (size_t i = 0; i < m->nsocks; i++)
		if (m->socks[i].local.family == AF_INET6)
			return true;
	for (size_t p = 0; p < m->nports; p++)
		if (m->ports[p].only && m->ports[p].at.family == AF_INET6)
			return true;
	return false;
}

bool matrix_family_shown(const struct bs_matrix *m, int family)
{
	if (m->only_v4)
		return family == AF_INET;
	if (m->only_v6)
		return family == AF_INET6;
	return family == AF_INET || m->show_ipv6 || matrix_has_ipv6_socket(m);
}

int bs_matrix_build(struct bs_matrix *m, const struct bs_socket_list *table,
                    const struct bs_iface_list *ifaces, const struct bs_matrix_env *env,
                    struct bs_error *err)
{
	bs_matrix_probe_stop(m);
	if (m->env.firewall != env->firewall)
		bs_fw_free(m->env.firewall);
	m->env = *env;
	m->ifaces = ifaces;
	if (take_sockets(m, table, err) < 0 || make_rows(m, err) < 0 ||
	    matrix_make_columns(m, ifaces, err) < 0 || matrix_make_probes(m, ifaces, err) < 0)
		return -1;
	return 0;
}

/* --- accessors --- */

size_t bs_matrix_nrows(const struct bs_matrix *m)
{
	return m->nrows;
}

size_t bs_matrix_ncols(const struct bs_matrix *m)
{
	return m->ncols;
}

size_t bs_matrix_nports(const struct bs_matrix *m)
{
	return m->nports;
}

size_t bs_matrix_nprobes(const struct bs_matrix *m)
{
	return m->nprobes;
}

size_t bs_matrix_nvantages(const struct bs_matrix *m)
{
	return 1 + m->npeers;
}

const struct bs_matrix_row *bs_matrix_row(const struct bs_matrix *m, size_t r)
{
	return &m->rows[r];
}

const struct bs_matrix_col *bs_matrix_col(const struct bs_matrix *m, size_t c)
{
	return &m->cols[c];
}

const struct bs_matrix_port *bs_matrix_port(const struct bs_matrix *m, size_t p)
{
	return &m->ports[p];
}

const struct bs_matrix_probe *bs_matrix_probe(const struct bs_matrix *m, size_t i)
{
	return &m->probes[i];
}

const struct bs_matrix_probe *bs_matrix_probe_at(const struct bs_matrix *m, size_t port, size_t col)
{
	return &m->probes[port * m->ncols + col];
}

const struct bs_vantage *bs_matrix_vantage(const struct bs_matrix *m, size_t v)
{
	return v == 0 ? &m->host : &m->peers[v - 1];
}

const struct bs_socket *bs_matrix_sockets(const struct bs_matrix *m, size_t *count)
{
	*count = m->nsocks;
	return m->socks;
}

long bs_matrix_row_of_socket(const struct bs_matrix *m, size_t sock_index)
{
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].socket && m->rows[r].sock == sock_index)
			return (long)r;
	return -1;
}

const struct bs_fw_ruleset *bs_matrix_firewall(const struct bs_matrix *m)
{
	return m->env.firewall;
}

const char *bs_matrix_firewall_why(const struct bs_matrix *m)
{
	return m->env.firewall != NULL ? "" : m->env.firewall_why;
}

size_t bs_matrix_port_rows(const struct bs_matrix *m, size_t port, size_t *first)
{
	size_t n = 0;

	*first = m->nrows;
	for (size_t r = 0; r < m->nrows; r++) {
		if (m->rows[r].port != port)
			continue;
		if (n++ == 0)
			*first = r;
	}
	return n;
}
