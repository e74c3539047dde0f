/*
 * The matrix in words. Every sentence here is a reading of the model (the socket table, the
 * lookup, the routes, the observations) and is tested like a number: where bindscope cannot
 * know, it says what it knows and what it cannot see.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/textbuf.h"
#include "matrix_internal.h"

static const struct bs_socket *row_sock(const struct bs_matrix *m, size_t r)
{
	return m->rows[r].socket ? &m->socks[m->rows[r].sock] : NULL;
}

static const char *proto_of(const struct bs_matrix *m, size_t r)
{
	return bs_proto_name(m->ports[m->rows[r].port].proto);
}

void bs_matrix_row_label(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE];
	const struct bs_socket *s = row_sock(m, r);

	if (s == NULL) {
		snprintf(buf, len, "%s port %u: no socket", proto_of(m, r),
		         m->ports[m->rows[r].port].port);
		return;
	}
	bs_socket_local_text(s, local, sizeof(local));
	snprintf(buf, len, "#%zu %s %s", r + 1, proto_of(m, r), local);
}

static void owner_words(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	const struct bs_socket *s = row_sock(m, r);
	char raw[160];

	if (m->rows[r].ours) {
		snprintf(buf, len, "opened by this bindscope");
		return;
	}
	bs_socket_owner_text(s, raw, sizeof(raw));
	bs_text_safe(raw, buf, len); /* a process name is anyone's to choose */
}

void bs_matrix_row_who(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], owner[160];
	const struct bs_socket *s = row_sock(m, r);

	if (s == NULL) {
		snprintf(buf, len, "no socket");
		return;
	}
	bs_socket_local_text(s, local, sizeof(local));
	owner_words(m, r, owner, sizeof(owner));
	snprintf(buf, len, "#%zu %s, %s", r + 1, local, owner);
}

/* --- what a socket is bound to, read from the table --- */

static void binding_words(const struct bs_matrix *m, size_t r, const struct bs_iface_list *ifaces,
                          char *buf, size_t len)
{
	const struct bs_socket *s = row_sock(m, r);
	char addr[BS_ENDPOINT_TEXT_MAX];
	const struct bs_iface *owner = bs_endpoint_owner(ifaces, &s->local);

	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	if (bs_endpoint_is_wildcard(&s->local)) {
		if (s->local.family == AF_INET)
			snprintf(buf, len, "bound to the IPv4 wildcard 0.0.0.0");
		else if (s->v6only == 1)
			snprintf(buf, len,
			         "bound to the IPv6 wildcard [::] with IPV6_V6ONLY on (IPv6 only)");
		else
			snprintf(
			    buf, len,
			    "bound to the IPv6 wildcard [::] with IPV6_V6ONLY off (IPv4 arrives "
			    "too, as ::ffff:a.b.c.d)");
	} else if (!bs_lookup_is_local(ifaces, &s->local)) {
		snprintf(buf, len,
		         "bound to %s, which is not an address of this machine (%s): nothing "
		         "reaches it until the address is added",
		         addr,
		         s->freebind ? "IP_FREEBIND is set"
		                     : "net.ipv4.ip_nonlocal_bind or IP_FREEBIND");
	} else if (bs_endpoint_is_loopback(&s->local)) {
		snprintf(buf, len, "bound to the loopback address %s only", addr);
	} else {
		snprintf(buf, len, "bound to %s only%s%s", addr, owner ? ", an address of " : "",
		         owner ? owner->name : "");
	}
	if (s->bound_ifindex != 0)
		bs_textbuf_appendf(buf, len,
		                   ", and to the device %s (SO_BINDTODEVICE): it takes only what "
		                   "arrives on %s",
		                   s->bound_dev, s->bound_dev);
	if (s->reuseport == 1)
		bs_textbuf_appendf(buf, len, ", with SO_REUSEPORT");
}

#define LIST_SHOWN 8 /* items named in a summary's list; the rest are counted */

/* Append item to a list of at most LIST_SHOWN names; *n counts every item, shown or not. */
static void list_item(char *buf, size_t len, size_t *n, const char *item)
{
	if ((*n)++ < LIST_SHOWN)
		bs_textbuf_appendf(buf, len, "%s%s", *n > 1 ? ", " : "", item);
}

/* ", and 12 more" when a list named only its first LIST_SHOWN. */
static void list_rest(char *buf, size_t len, size_t n)
{
	if (n > LIST_SHOWN)
		bs_textbuf_appendf(buf, len, ", and %zu more", n - LIST_SHOWN);
}

/* The rows of r's SO_REUSEPORT group besides r: "#2, #3", or "". */
static void group_words(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	const struct bs_socket *s = row_sock(m, r);
	char one[24];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t k = 0; s != NULL && k < m->nrows; k++)
		if (k != r && row_sock(m, k) != NULL && bs_lookup_same_group(s, row_sock(m, k))) {
			snprintf(one, sizeof(one), "#%zu", k + 1);
			list_item(buf, len, &n, one);
		}
	list_rest(buf, len, n);
}

void bs_matrix_row_summary(const struct bs_matrix *m, size_t r, const struct bs_iface_list *ifaces,
                           char *buf, size_t len)
{
	char label[BS_ENDPOINT_TEXT_MAX + 32], binding[400], takes[1024] = "", elsewhere[1024] = "";
	char group[256], one[BS_ENDPOINT_TEXT_MAX + 32];
	size_t ntakes = 0, nhost = 0, nelse = 0;

	bs_matrix_row_label(m, r, label, sizeof(label));
	if (!m->rows[r].socket) {
		snprintf(
		    buf, len,
		    "%s: no socket is bound to this port in this network namespace, so nothing "
		    "here takes a connection to it.",
		    label);
		return;
	}
	binding_words(m, r, ifaces, binding, sizeof(binding));
	for (size_t c = 0; c < m->ncols; c++) {
		const struct bs_matrix_col *col = &m->cols[c];
		const struct bs_matrix_probe *p = bs_matrix_probe_at(m, m->rows[r].port, c);
		struct bs_matrix_cell cell;
		if (col->vantage != 0 || (col->kind != BS_COL_ADDRESS && col->kind != BS_COL_BOUND))
			continue;
		nhost++;
		bs_matrix_cell(m, r, c, &cell);
		if (cell.predicted_this) {
			list_item(takes, sizeof(takes), &ntakes, col->text);
		} else if (p->predicted.outcome != BS_LOOKUP_NONE &&
		           p->predicted.outcome != BS_LOOKUP_NOT_LOCAL) {
			snprintf(one, sizeof(one), "%s goes to #%ld", col->text,
			         bs_matrix_row_of_socket(m, p->predicted.winner) + 1);
			list_item(elsewhere, sizeof(elsewhere), &nelse, one);
		}
	}
	list_rest(takes, sizeof(takes), ntakes);
	list_rest(elsewhere, sizeof(elsewhere), nelse);
	snprintf(buf, len, "%s is %s. ", label, binding);
	if (ntakes == 0)
		bs_textbuf_appendf(
		    buf, len, "From this host it takes none of the %zu addresses probed", nhost);
	else if (ntakes == nhost)
		bs_textbuf_appendf(buf, len, "From this host it takes every address probed (%s)",
		                   takes);
	else
		bs_textbuf_appendf(buf, len, "From this host it takes %s", takes);
	if (elsewhere[0] != '\0')
		bs_textbuf_appendf(buf, len, "; %s", elsewhere);
	bs_textbuf_appendf(buf, len, ".");
	group_words(m, r, group, sizeof(group));
	if (group[0] != '\0')
		bs_textbuf_appendf(
		    buf, len,
		    " It shares its address with %s through SO_REUSEPORT: the kernel "
		    "spreads connections among them.",
		    group);
}

void bs_matrix_row_socat(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	const struct bs_socket *s = row_sock(m, r);
	const struct bs_matrix_row *row = &m->rows[r];
	char addr[BS_ENDPOINT_TEXT_MAX];
	bool v6 = s != NULL && s->local.family == AF_INET6;
	bool udp = m->ports[row->port].proto == BS_PROTO_UDP;

	buf[0] = '\0';
	if (s == NULL)
		return;
	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	snprintf(buf, len, "socat %s%s-LISTEN:%u,bind=%s%s%s,fork", udp ? "UDP" : "TCP",
	         v6 ? "6" : "4", s->local.port, v6 ? "[" : "", addr, v6 ? "]" : "");
	if (row->ours && row->reuseaddr)
		bs_textbuf_appendf(buf, len, ",reuseaddr");
	if (v6)
		bs_textbuf_appendf(buf, len, ",ipv6only=%d", s->v6only == 1);
	if (s->bound_ifindex != 0)
		bs_textbuf_appendf(buf, len, ",so-bindtodevice=%s", s->bound_dev);
	if (s->reuseport == 1)
		bs_textbuf_appendf(buf, len, ",reuseport");
	if (s->freebind)
		bs_textbuf_appendf(buf, len, ",freebind");
	bs_textbuf_appendf(buf, len, " /dev/null");
}

void bs_matrix_row_ss(const struct bs_matrix *m, size_t r, char *buf, size_t len)
{
	const struct bs_matrix_port *p = &m->ports[m->rows[r].port];

	snprintf(buf, len, "ss -%s 'sport = :%u'", p->proto == BS_PROTO_UDP ? "lunpe" : "ltnpe",
	         p->port);
}

/* How to run this bindscope again: "bindscope" where that name on PATH is this program, else
 * its path (a build tree's build/bindscope). */
static const char *self_command(void)
{
	static char cmd[PATH_MAX];
	char exe[PATH_MAX], dir[PATH_MAX], found[PATH_MAX];
	const char *path = getenv("PATH");
	ssize_t n;

	if (cmd[0] != '\0')
		return cmd;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return strcpy(cmd, "bindscope");
	exe[n] = '\0';
	/* Quoted for a shell when it holds anything but the plain characters of a path. */
	if (strspn(exe, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") ==
	    strlen(exe))
		snprintf(cmd, sizeof(cmd), "%s", exe);
	else if (strchr(exe, '\'') == NULL)
		snprintf(cmd, sizeof(cmd), "'%.*s'", (int)sizeof(cmd) - 3, exe);
	else
		snprintf(cmd, sizeof(cmd), "bindscope"); /* a path with a quote: not spelled out */
	for (const char *p = path; p != NULL && *p;) {
		size_t k = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s/bindscope", (int)k, p);
		if (realpath(dir, found) != NULL && strcmp(found, exe) == 0)
			return strcpy(cmd, "bindscope");
		p += k + (p[k] == ':');
	}
	return cmd;
}

void bs_matrix_probe_check(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                           size_t len)
{
	const struct bs_matrix_col *c = &m->cols[p->col];
	const struct bs_vantage *v = bs_matrix_vantage(m, c->vantage);
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;
	char from[BS_ENDPOINT_TEXT_MAX + 4] = "";

	buf[0] = '\0';
	if (!p->probed)
		return;
	if (!v->peer && m->env.from.family == c->addr.family) {
		char a[BS_ENDPOINT_TEXT_MAX];
		bs_endpoint_addr_text(&m->env.from, a, sizeof(a));
		snprintf(from, sizeof(from), " -s %s", a);
	}
	if (v->remote != NULL)
		snprintf(buf, len, "%s %s ", bs_remote_ssh_command(v->remote), v->name);
	else if (v->peer) /* works in the lab and from another terminal; a pid would not */
		snprintf(buf, len, "%s lab exec %s -- ", self_command(), v->name);
	bs_textbuf_appendf(buf, len, "nc -%c -vz%s%s %s %u", c->addr.family == AF_INET6 ? '6' : '4',
	                   udp ? "u" : "", from, c->text, m->ports[p->port].port);
}

const char *bs_matrix_prediction_id(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_matrix_col *c = &m->cols[p->col];

	if (c->kind == BS_COL_NOT_LOCAL || p->predicted.outcome == BS_LOOKUP_NOT_LOCAL)
		return "not-local";
	if (c->route == BS_ROUTE_NONE)
		return "unreachable";
	if (c->route == BS_ROUTE_ELSEWHERE || c->route == BS_ROUTE_UNKNOWN ||
	    matrix_firewall_effect(p) == MATRIX_FW_UNKNOWN)
		return "unknown";
	if (matrix_firewall_effect(p) == MATRIX_FW_BLOCK)
		return p->firewall.outcome == BS_FW_DROP ? "dropped" : "rejected";
	if (p->predicted.outcome == BS_LOOKUP_NONE)
		return "refused";
	return "open"; /* a socket takes it (UDP: others' sockets stay silent, open|filtered) */
}

const char *bs_matrix_predicted_reason(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_matrix_col *c = &m->cols[p->col];
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;

	if (!p->probed || p->predicted.outcome == BS_LOOKUP_NOT_LOCAL)
		return NULL;
	if (c->route == BS_ROUTE_NONE)
		return "no-route";
	if (c->route == BS_ROUTE_ELSEWHERE || c->route == BS_ROUTE_UNKNOWN ||
	    matrix_firewall_effect(p) == MATRIX_FW_UNKNOWN)
		return NULL;
	if (matrix_firewall_effect(p) == MATRIX_FW_BLOCK) {
		if (p->firewall.outcome == BS_FW_DROP)
			return "no-response";
		if (p->firewall.reject == BS_REJECT_TCP_RESET)
			return "reset";
		return bs_icmp_id(p->query.dst.family, p->firewall.icmp_type,
		                  p->firewall.icmp_code);
	}
	if (p->predicted.outcome == BS_LOOKUP_NONE)
		return udp ? "icmp-port-unreachable" : "reset";
	if (!udp)
		return "syn-ack";
	/* UDP: bindscope's own listeners confirm what they receive; others stay silent. */
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].ours && bs_matrix_probe_predicts_row(m, p, r))
			return "received";
	return "no-response";
}

const char *bs_matrix_verdict_word(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_probe_result *res = &p->observed;
	enum bs_proto proto = bs_matrix_port(m, p->port)->proto;

	if (res->verdict == BS_VERDICT_ERROR)
		return bs_errno_name(res->error);
	if (res->verdict == BS_VERDICT_REFUSED && res->icmp && proto == BS_PROTO_TCP)
		return "refused (icmp)";
	if (res->verdict == BS_VERDICT_UNREACHABLE && res->icmp &&
	    strstr(bs_icmp_name(p->query.dst.family, res->icmp_type, res->icmp_code),
	           "prohibited") != NULL)
		return "prohibited";
	if (res->verdict == BS_VERDICT_UNREACHABLE)
		return "unreach";
	return bs_verdict_name(res->verdict);
}

enum bs_cell_look bs_matrix_cell_word(const struct bs_matrix *m, size_t r, size_t c, bool utf8,
                                      char *buf, size_t len)
{
	struct bs_matrix_cell cell;
	enum bs_cell_look look = BS_LOOK_OPEN;

	bs_matrix_cell(m, r, c, &cell);
	switch (cell.state) {
	case BS_CELL_SKIPPED:
		snprintf(buf, len, "%s",
		         bs_matrix_col(m, c)->kind == BS_COL_NOT_LOCAL ? "not here" : "-");
		return BS_LOOK_NONE;
	case BS_CELL_PENDING:
		snprintf(buf, len, "%s probing", bs_verdict_symbol(BS_VERDICT_PENDING, utf8));
		return BS_LOOK_NONE;
	case BS_CELL_THIS:
	case BS_CELL_UNATTRIBUTED:
		snprintf(buf, len, "%s open", bs_verdict_symbol(BS_VERDICT_OPEN, utf8));
		break;
	case BS_CELL_OTHER:
		snprintf(buf, len, "%s #%ld", utf8 ? "→" : "->", cell.other_row + 1);
		look = BS_LOOK_OTHER;
		break;
	case BS_CELL_SHARED:
		snprintf(buf, len, "%s shared", bs_verdict_symbol(BS_VERDICT_OPEN, utf8));
		break;
	case BS_CELL_NOBODY:
		if (bs_matrix_vantage_failure(m, cell.probe)[0] != '\0') {
			snprintf(buf, len, "? %s", bs_matrix_vantage_fault_word(m, cell.probe));
			return BS_LOOK_UNKNOWN;
		}
		snprintf(buf, len, "%s %s", bs_verdict_symbol(cell.probe->observed.verdict, utf8),
		         bs_matrix_verdict_word(m, cell.probe));
		look = cell.probe->observed.verdict == BS_VERDICT_REFUSED         ? BS_LOOK_REFUSED
		       : cell.probe->observed.verdict == BS_VERDICT_OPEN_FILTERED ? BS_LOOK_UNKNOWN
		                                                                  : BS_LOOK_BAD;
		break;
	}
	if (cell.disagree)
		bs_textbuf_appendf(buf, len, " !");
	return look;
}
