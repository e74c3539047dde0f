/* Rendering the exposure matrix: an aligned table for people, a JSON document for scripts. */
#include "probe_render.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "cli_firewall.h"
#include "cli_util.h"

#define HOST_NOTE                                                                                  \
	"Measured from this host: connections to its own addresses travel over lo (ip route get "  \
	"ADDR says 'local ... dev lo'), so firewall rules on other interfaces are not exercised."
#define PEER_NOTE                                                                                  \
	"Columns 'from HOST' are measured from that host (a lab peer, or a machine reached over "  \
	"ssh), through its own network and routes."

struct style {
	bool utf8, color;
};

static const char *verdict_color(enum bs_verdict v)
{
	switch (v) {
	case BS_VERDICT_OPEN:
		return "\033[32m";
	case BS_VERDICT_REFUSED:
		return "\033[2m";
	case BS_VERDICT_OPEN_FILTERED:
		return "\033[33m";
	default:
		return "\033[31m";
	}
}

static void cell_text(const struct bs_matrix *m, size_t r, size_t c, const struct style *st,
                      char *buf, size_t len)
{
	struct bs_matrix_cell cell;

	bs_matrix_cell(m, r, c, &cell);
	if (cell.state == BS_CELL_PENDING) {
		snprintf(buf, len, "-");
		return;
	}
	bs_matrix_cell_word(m, r, c, st->utf8, buf, len);
}

/* The columns s takes once made safe (cli_safe): interface and program names come from
 * outside, and an escaped byte takes four. */
static size_t display_width(const char *s)
{
	char *safe = cli_safe(s);
	size_t w = 0;

	/* Count characters, not bytes: UTF-8 continuation bytes take no column. */
	for (const char *p = safe != NULL ? safe : s; *p; p++)
		w += ((unsigned char)*p & 0xC0) != 0x80;
	free(safe);
	return w;
}

static void pad(const char *s, size_t width)
{
	size_t w = display_width(s);

	cli_puts_safe(s);
	for (; w < width; w++)
		putchar(' ');
}

/* "<indent><text>\n" with text made safe for the terminal. */
static void put_line(const char *indent, const char *text)
{
	fputs(indent, stdout);
	cli_puts_safe(text);
	putchar('\n');
}

static void print_table(const struct bs_matrix *m, const struct style *st, const size_t *width,
                        size_t first)
{
	char text[BS_ENDPOINT_TEXT_MAX + 64];

	pad("", first);
	for (size_t c = 0; c < bs_matrix_ncols(m); c++)
		pad(bs_matrix_col(m, c)->label, width[c]);
	putchar('\n');
	pad("", first);
	for (size_t c = 0; c < bs_matrix_ncols(m); c++)
		pad(bs_matrix_col(m, c)->text, width[c]);
	putchar('\n');
	for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
		bs_matrix_row_label(m, r, text, sizeof(text));
		pad(text, first);
		for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
			struct bs_matrix_cell cell;
			bs_matrix_cell(m, r, c, &cell);
			cell_text(m, r, c, st, text, sizeof(text));
			if (st->color)
				fputs(verdict_color(cell.probe->observed.verdict), stdout);
			pad(text, width[c]);
			if (st->color)
				fputs("\033[0m", stdout);
		}
		putchar('\n');
	}
}

/* Column widths: the longest of label, address and every cell, never cut. */
static size_t *column_widths(const struct bs_matrix *m, const struct style *st, size_t *first)
{
	size_t *width = calloc(bs_matrix_ncols(m) ? bs_matrix_ncols(m) : 1, sizeof(*width));
	char text[BS_ENDPOINT_TEXT_MAX + 64];

	*first = 8;
	for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
		bs_matrix_row_label(m, r, text, sizeof(text));
		if (display_width(text) + 2 > *first)
			*first = display_width(text) + 2;
	}
	for (size_t c = 0; width != NULL && c < bs_matrix_ncols(m); c++) {
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		width[c] = display_width(col->label) + 2;
		if (display_width(col->text) + 2 > width[c])
			width[c] = display_width(col->text) + 2;
		for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
			cell_text(m, r, c, st, text, sizeof(text));
			if (display_width(text) + 2 > width[c])
				width[c] = display_width(text) + 2;
		}
	}
	return width;
}

static bool worth_explaining(const struct bs_matrix *m, size_t c, const struct bs_matrix_cell *cell,
                             bool explain_all)
{
	if (cell->probe->probed && bs_matrix_col_weak_host(m, c))
		return true;
	if (cell->state == BS_CELL_SKIPPED && !explain_all)
		return false;
	return explain_all || cell->disagree || cell->state == BS_CELL_OTHER ||
	       cell->state == BS_CELL_SHARED || cell->state == BS_CELL_UNATTRIBUTED;
}

/*
 * The matrix's sentences, each whole however long (cli_text_whole): a note is never cut at a
 * buffer's size. One filler per sentence of include/bindscope/matrix.h.
 */
struct words {
	const struct bs_matrix *m;
	const struct bs_iface_list *ifaces;
	size_t r, c;
	const struct bs_matrix_probe *p;
};

static void fill_who(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	if (bs_matrix_row(w->m, w->r)->socket)
		bs_matrix_row_who(w->m, w->r, buf, len);
	else
		bs_matrix_row_label(w->m, w->r, buf, len);
}

static void fill_summary(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_row_summary(w->m, w->r, w->ifaces, buf, len);
}

static void fill_socat(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_row_socat(w->m, w->r, buf, len);
}

static void fill_ss(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_row_ss(w->m, w->r, buf, len);
}

char *probe_render_row_words(const struct bs_matrix *m, size_t r,
                             const struct bs_iface_list *ifaces, enum probe_row_part part)
{
	const struct words w = {.m = m, .ifaces = ifaces, .r = r};

	switch (part) {
	case PROBE_ROW_SUMMARY:
		return cli_text_whole(fill_summary, &w);
	case PROBE_ROW_SOCAT:
		return cli_text_whole(fill_socat, &w);
	case PROBE_ROW_SS:
		return cli_text_whole(fill_ss, &w);
	}
	return NULL;
}

static void fill_why(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_cell_why(w->m, w->r, w->c, buf, len);
}

static void fill_check(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_probe_check(w->m, w->p, buf, len);
}

static void fill_probe_text(char *buf, size_t len, const void *arg)
{
	const struct words *w = arg;

	bs_matrix_probe_text(w->m, w->p, buf, len);
}

/* "<indent><sentence>\n", made safe for the terminal; nothing for an empty one when
 * skip_empty. */
static void put_words(const char *indent, cli_fill_fn fill, const struct words *w, bool skip_empty)
{
	char *text = cli_text_whole(fill, w);

	if (text == NULL || text[0] != '\0' || !skip_empty)
		put_line(indent, text != NULL ? text : "(out of memory)");
	free(text);
}

/* The sentence as a JSON string (null when empty and empty_null). */
static json_t *json_words(cli_fill_fn fill, const struct words *w, bool empty_null)
{
	char *text = cli_text_whole(fill, w);
	json_t *j = text == NULL                    ? json_string("(out of memory)")
	            : empty_null && text[0] == '\0' ? json_null()
	                                            : cli_json_text(text);

	free(text);
	return j;
}

static void print_row_notes(const struct bs_matrix *m, size_t r, const struct bs_iface_list *ifaces,
                            bool explain_all)
{
	struct words w = {.m = m, .ifaces = ifaces, .r = r};

	put_words("\n", fill_who, &w, false);
	put_words("  ", fill_summary, &w, false);
	put_words("  same as: ", fill_socat, &w, true);
	put_words("  see it:  ", fill_ss, &w, false);
	for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
		struct bs_matrix_cell cell;
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		bs_matrix_cell(m, r, c, &cell);
		if (!worth_explaining(m, c, &cell, explain_all))
			continue;
		w.c = c;
		w.p = cell.probe;
		printf("  %s ", cell.disagree ? "!" : "-");
		cli_puts_safe(col->label);
		if (strcmp(col->label, col->text) != 0) /* "0.0.0.0", "::": said once */
			printf(" %s", col->text);
		fputs(": ", stdout);
		put_words("", fill_why, &w, false);
		put_words("      check: ", fill_check, &w, true);
	}
}

static bool has_peers(const struct bs_matrix *m)
{
	return bs_matrix_nvantages(m) > 1;
}

static bool any_other(const struct bs_matrix *m)
{
	for (size_t r = 0; r < bs_matrix_nrows(m); r++)
		for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
			struct bs_matrix_cell cell;
			bs_matrix_cell(m, r, c, &cell);
			if (cell.state == BS_CELL_OTHER || cell.state == BS_CELL_SHARED)
				return true;
		}
	return false;
}

/* Each host that could not probe, once: "from pc2: ssh could not log in to pc2: ...". */
static void print_vantage_failures(const struct bs_matrix *m)
{
	for (size_t v = 0; v < bs_matrix_nvantages(m); v++) {
		const struct bs_vantage *x = bs_matrix_vantage(m, v);
		char name[4 * BS_VANTAGE_NAME_MAX];
		if (x->remote == NULL || bs_remote_state(x->remote) != BS_REMOTE_FAILED)
			continue;
		bs_text_safe(x->name, name, sizeof(name));
		printf("from %s: not probed: %s.\n", name, bs_remote_failure(x->remote));
	}
}

/* Whether the predictions include the firewall, and if not why. */
static void print_firewall_note(const struct bs_matrix *m)
{
	const struct bs_fw_ruleset *fw = bs_matrix_firewall(m);
	char line[BS_ERROR_MSG_MAX + 256];

	bs_fw_summary(fw, bs_matrix_firewall_why(m), line, sizeof(line));
	if (bs_matrix_firewall_why(m)[0] != '\0')
		printf("%s: what it filters is not predicted.\n", line);
	else if (fw != NULL && bs_fw_base_chain_count(fw) > 0)
		printf("%s; the predictions include what they do (--explain names the rule).\n",
		       line);
	else
		printf("%s.\n", line);
}

int probe_render_text(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                      bool explain_all, const char *from)
{
	const char *codeset = nl_langinfo(CODESET);
	struct style st = {.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0,
	                   .color = cli_use_color()};
	size_t first, *width = column_widths(m, &st, &first);

	if (width == NULL) {
		cli_error("out of memory laying out the matrix");
		return -1;
	}
	print_table(m, &st, width, first);
	free(width);
	if (any_other(m))
		printf(
		    "%s #N: socket #N took the connection; shared: its SO_REUSEPORT group did.\n",
		    st.utf8 ? "→" : "->");
	for (size_t r = 0; r < bs_matrix_nrows(m); r++)
		print_row_notes(m, r, ifaces, explain_all);
	printf("\n%s%s%s%s%s\n", HOST_NOTE, from ? " Source address: " : "", from ? from : "",
	       has_peers(m) ? "\n" : "", has_peers(m) ? PEER_NOTE : "");
	print_vantage_failures(m);
	print_firewall_note(m);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

/* --- JSON --- */

static const char *col_kind_id(enum bs_col_kind kind)
{
	static const char *const ids[] = {
	    [BS_COL_ADDRESS] = "address",
	    [BS_COL_BOUND] = "bound",
	    [BS_COL_NOT_LOCAL] = "not-local",
	    [BS_COL_LOCALHOST] = "localhost",
	    [BS_COL_ANY] = "any",
	    [BS_COL_PEER] = "peer",
	};

	return ids[kind];
}

static const char *route_id(enum bs_route_verdict r)
{
	return r == BS_ROUTE_HERE      ? "here"
	       : r == BS_ROUTE_NONE    ? "none"
	       : r == BS_ROUTE_UNKNOWN ? "unknown"
	                               : "elsewhere";
}

static const char *cell_state_id(enum bs_cell_state s)
{
	static const char *const ids[] = {
	    [BS_CELL_PENDING] = "pending",
	    [BS_CELL_SKIPPED] = "not-probed",
	    [BS_CELL_THIS] = "this",
	    [BS_CELL_OTHER] = "other",
	    [BS_CELL_SHARED] = "shared",
	    [BS_CELL_NOBODY] = "nobody",
	    [BS_CELL_UNATTRIBUTED] = "unattributed",
	};

	return ids[s];
}

static json_t *vantages_json(const struct bs_matrix *m)
{
	json_t *a = json_array();

	for (size_t v = 0; v < bs_matrix_nvantages(m); v++) {
		const struct bs_vantage *x = bs_matrix_vantage(m, v);
		const char *fault =
		    x->remote ? bs_remote_fault_id(bs_remote_fault(x->remote)) : NULL;
		bool known = x->peer && x->addr[0] != '\0';
		json_array_append_new(
		    a,
		    json_pack("{s:i,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (int)v, "name",
		              cli_json_text(x->name), "kind",
		              x->remote ? "ssh-host"
		              : x->peer ? "lab-peer"
		                        : "this-host",
		              "pid", x->peer && !x->remote ? json_integer(x->pid) : json_null(),
		              "address", known ? cli_json_text(x->addr) : json_null(), "via",
		              known && x->iface[0] ? cli_json_text(x->iface) : json_null(), "ssh",
		              x->remote ? cli_json_text(bs_remote_ssh_command(x->remote))
		                        : json_null(),
		              "fault", fault ? json_string(fault) : json_null(), "failure",
		              fault ? cli_json_text(bs_remote_failure(x->remote)) : json_null()));
	}
	return a;
}

static json_t *targets_json(const struct bs_matrix *m)
{
	json_t *a = json_array();

	for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		char dst[BS_ENDPOINT_TEXT_MAX];
		bs_endpoint_addr_text(&col->dst, dst, sizeof(dst));
		json_array_append_new(
		    a, json_pack("{s:i,s:o,s:s,s:s,s:s,s:i,s:s}", "id", (int)c, "label",
		                 cli_json_text(col->label), "address", col->text, "delivered_to",
		                 dst, "kind", col_kind_id(col->kind), "vantage", (int)col->vantage,
		                 "route", route_id(col->route)));
	}
	return a;
}

static json_t *owner_json(const struct bs_socket *s)
{
	if (s->pid == 0)
		return json_null();
	return json_pack("{s:i,s:o,s:o}", "pid", (int)s->pid, "program", cli_json_text(s->program),
	                 "cmdline", cli_json_text(s->cmdline));
}

static json_t *tristate(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *socket_json(const struct bs_matrix *m, size_t r, const struct bs_iface_list *ifaces)
{
	size_t n;
	const struct bs_matrix_row *row = bs_matrix_row(m, r);
	const struct bs_socket *s = &bs_matrix_sockets(m, &n)[row->sock];
	char text[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], addr[BS_ENDPOINT_TEXT_MAX];
	struct words w = {.m = m, .ifaces = ifaces, .r = r};
	json_t *o = json_object();

	bs_socket_local_text(s, text, sizeof(text));
	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	json_object_set_new(o, "id", json_integer((json_int_t)r + 1));
	json_object_set_new(o, "proto", json_string(bs_proto_name(s->proto)));
	json_object_set_new(o, "port", json_integer(s->local.port));
	json_object_set_new(o, "local", cli_json_text(text));
	json_object_set_new(o, "address", cli_json_text(addr));
	json_object_set_new(o, "family",
	                    cli_json_text(s->local.family == AF_INET6 ? "ipv6" : "ipv4"));
	json_object_set_new(o, "v6only", s->v6only < 0 ? json_null() : json_boolean(s->v6only));
	json_object_set_new(o, "device",
	                    s->bound_dev[0] ? cli_json_text(s->bound_dev) : json_null());
	json_object_set_new(o, "reuseport", tristate(s->reuseport));
	json_object_set_new(o, "freebind", json_boolean(s->freebind));
	json_object_set_new(o, "backlog",
	                    s->proto == BS_PROTO_TCP ? json_integer((json_int_t)s->backlog)
	                                             : json_null());
	json_object_set_new(o, "uid", json_integer(s->uid));
	json_object_set_new(o, "inode", json_integer((json_int_t)s->inode));
	json_object_set_new(o, "opened_by_bindscope", json_boolean(row->ours));
	json_object_set_new(o, "owner", row->ours ? json_null() : owner_json(s));
	json_object_set_new(o, "owner_text", json_words(fill_who, &w, false));
	json_object_set_new(o, "summary", json_words(fill_summary, &w, false));
	json_object_set_new(o, "socat", json_words(fill_socat, &w, false));
	json_object_set_new(o, "ss", json_words(fill_ss, &w, false));
	return o;
}

static json_t *row_ids(const struct bs_matrix *m, const struct bs_matrix_probe *p, bool observed)
{
	json_t *a = json_array();
	size_t first, n = bs_matrix_port_rows(m, p->port, &first);

	if (observed) {
		if (p->how == BS_ATTR_ACCEPT && p->answered_by >= 0)
			json_array_append_new(a, json_integer(p->answered_by + 1));
		if (p->how != BS_ATTR_TABLE)
			return a;
	}
	for (size_t r = first; r < first + n; r++)
		if (bs_matrix_probe_predicts_row(m, p, r))
			json_array_append_new(a, json_integer((json_int_t)r + 1));
	return a;
}

static const char *attribution_id(enum bs_attribution how)
{
	return how == BS_ATTR_ACCEPT ? "accept" : how == BS_ATTR_TABLE ? "socket table" : NULL;
}

static json_t *probe_firewall_json(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                   bool outside)
{
	json_t *j;

	if (!p->firewall_known || (outside && !p->has_outside) ||
	    bs_matrix_col(m, p->col)->route != BS_ROUTE_HERE ||
	    bs_matrix_col(m, p->col)->kind == BS_COL_NOT_LOCAL)
		return json_null(); /* not read, or it never arrives here */
	j = cli_fw_verdict_json(bs_matrix_firewall(m), outside ? &p->outside : &p->firewall,
	                        p->query.dst.family);
	if (outside)
		json_object_set_new(j, "iface", cli_json_text(p->outside_iface));
	return j;
}

static json_t *probe_json(const struct bs_matrix *m, size_t i)
{
	const struct bs_matrix_probe *p = bs_matrix_probe(m, i);
	const struct bs_matrix_port *port = bs_matrix_port(m, p->port);
	const struct bs_matrix_col *col = bs_matrix_col(m, p->col);
	const struct bs_probe_result *o = &p->observed;
	bool pending = o->verdict == BS_VERDICT_PENDING;
	const char *how = attribution_id(p->how);
	struct words w = {.m = m, .p = p};
	json_t *j = json_object();

	json_object_set_new(j, "proto", json_string(bs_proto_name(port->proto)));
	json_object_set_new(j, "port", json_integer(port->port));
	json_object_set_new(j, "target", json_integer((json_int_t)p->col));
	json_object_set_new(j, "vantage", json_integer((json_int_t)col->vantage));
	json_object_set_new(j, "address", cli_json_text(col->text));
	json_object_set_new(j, "probed", json_boolean(p->probed));
	json_object_set_new(j, "same_as",
	                    p->same_as >= 0 ? json_integer((json_int_t)p->same_as) : json_null());
	/* A host that could not probe observed nothing: its vantage's "failure" says why. */
	pending = pending || bs_matrix_vantage_failure(m, p)[0] != '\0';
	json_object_set_new(j, "observed",
	                    pending ? json_null() : json_string(bs_verdict_name(o->verdict)));
	json_object_set_new(
	    j, "reason",
	    pending ? json_null() : json_string(bs_probe_reason(o, port->proto, col->dst.family)));
	json_object_set_new(
	    j, "error", o->error && !pending ? json_string(bs_errno_name(o->error)) : json_null());
	json_object_set_new(j, "latency_us",
	                    pending ? json_null() : json_integer((json_int_t)o->latency_us));
	json_object_set_new(j, "self_connect", json_boolean(o->self_connect));
	json_object_set_new(j, "predicted", json_string(bs_matrix_prediction_id(m, p)));
	json_object_set_new(j, "predicted_reason",
	                    bs_matrix_predicted_reason(m, p)
	                        ? json_string(bs_matrix_predicted_reason(m, p))
	                        : json_null());
	json_object_set_new(j, "firewall", probe_firewall_json(m, p, false));
	json_object_set_new(j, "firewall_outside", probe_firewall_json(m, p, true));
	json_object_set_new(j, "predicted_sockets", row_ids(m, p, false));
	json_object_set_new(j, "answered_by", row_ids(m, p, true));
	json_object_set_new(j, "attributed_by", how ? cli_json_text(how) : json_null());
	json_object_set_new(j, "disagree", json_boolean(bs_matrix_probe_disagrees(m, p)));
	json_object_set_new(j, "text", json_words(fill_probe_text, &w, false));
	json_object_set_new(j, "check", json_words(fill_check, &w, true));
	return j;
}

static json_t *rows_json(const struct bs_matrix *m)
{
	json_t *rows = json_array();

	for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
		const struct bs_matrix_row *row = bs_matrix_row(m, r);
		const struct bs_matrix_port *port = bs_matrix_port(m, row->port);
		json_t *o = json_object(), *cells = json_array();
		json_object_set_new(o, "socket",
		                    row->socket ? json_integer((json_int_t)r + 1) : json_null());
		json_object_set_new(o, "proto", json_string(bs_proto_name(port->proto)));
		json_object_set_new(o, "port", json_integer(port->port));
		for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
			struct bs_matrix_cell cell;
			struct words w = {.m = m, .r = r, .c = c};
			bs_matrix_cell(m, r, c, &cell);
			json_array_append_new(
			    cells,
			    json_pack("{s:i,s:i,s:s,s:o,s:b,s:b,s:o}", "target", (int)c, "probe",
			              (int)(row->port * bs_matrix_ncols(m) + c), "state",
			              cell_state_id(cell.state), "other_socket",
			              cell.other_row >= 0 ? json_integer(cell.other_row + 1)
			                                  : json_null(),
			              "predicted_this", cell.predicted_this, "disagree",
			              cell.disagree, "why", json_words(fill_why, &w, false)));
		}
		json_object_set_new(o, "cells", cells);
		json_array_append_new(rows, o);
	}
	return rows;
}

int probe_render_json(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                      const char *from)
{
	json_t *root = json_object(), *socks = json_array(), *probes = json_array();
	long long drops;

	json_object_set_new(root, "source", from ? cli_json_text(from) : json_null());
	json_object_set_new(root, "note", cli_json_text(HOST_NOTE));
	json_object_set_new(root, "firewall",
	                    cli_fw_status_json(bs_matrix_firewall(m), bs_matrix_firewall_why(m)));
	json_object_set_new(root, "vantages", vantages_json(m));
	json_object_set_new(root, "targets", targets_json(m));
	for (size_t r = 0; r < bs_matrix_nrows(m); r++)
		if (bs_matrix_row(m, r)->socket)
			json_array_append_new(socks, socket_json(m, r, ifaces));
	json_object_set_new(root, "sockets", socks);
	for (size_t i = 0; i < bs_matrix_nprobes(m); i++)
		json_array_append_new(probes, probe_json(m, i));
	json_object_set_new(root, "probes", probes);
	json_object_set_new(root, "rows", rows_json(m));
	drops = bs_matrix_listen_drops(m);
	json_object_set_new(root, "listen_drops",
	                    drops >= 0 ? json_integer((json_int_t)drops) : json_null());
	return cli_json_emit(root, false);
}
