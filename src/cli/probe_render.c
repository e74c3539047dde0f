/* Rendering the probe matrix: an aligned table for people, a JSON document for scripts. */
#include <langinfo.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "probe_matrix.h"

#define MEASURED_FROM_NOTE                                                                         \
	"Measured from this host: connections to its own addresses travel over loopback (ip "      \
	"route get 192.168.1.10 says 'local ... dev lo'), so firewall rules on other "             \
	"interfaces are not exercised."

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

static void row_label(const struct probe_matrix *m, const struct matrix_row *r, char *buf,
                      size_t len)
{
	char ep[BS_ENDPOINT_TEXT_MAX];

	if (r->known) {
		bs_endpoint_text(&r->l.bound, ep, sizeof(ep));
		snprintf(buf, len, "%s %s", bs_proto_name(r->l.proto), ep);
	} else if (r->only_target >= 0) {
		snprintf(buf, len, "%s port %u at %s", bs_proto_name(r->l.proto), r->l.bound.port,
		         m->cols[r->only_target].text);
	} else {
		snprintf(buf, len, "%s port %u", bs_proto_name(r->l.proto), r->l.bound.port);
	}
}

static const struct bs_probe_result *cell_result(const struct probe_matrix *m, size_t r, size_t c)
{
	return &m->results[r * m->ncols + c];
}

static void cell_text(const struct probe_matrix *m, size_t r, size_t c, const struct style *st,
                      char *buf, size_t len)
{
	const struct bs_probe_result *res = cell_result(m, r, c);
	struct bs_exposure_cell cell;
	const char *name = bs_verdict_name(res->verdict);

	if (res->verdict == BS_VERDICT_PENDING) {
		snprintf(buf, len, "-");
		return;
	}
	if (res->verdict == BS_VERDICT_ERROR)
		name = bs_errno_name(res->error);
	if (res->verdict == BS_VERDICT_UNREACHABLE)
		name = "unreach";
	bs_exposure_cell_eval(&m->rows[r].l, &m->cols[c], res, &cell);
	snprintf(buf, len, "%s %s%s", bs_verdict_symbol(res->verdict, st->utf8), name,
	         m->rows[r].known && cell.disagree ? " !" : "");
}

static size_t display_width(const char *s)
{
	size_t w = 0;

	/* Count characters, not bytes: UTF-8 continuation bytes take no column. */
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void pad(const char *s, size_t width)
{
	size_t w = display_width(s);

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
}

static void print_table(const struct probe_matrix *m, const struct style *st)
{
	size_t first = 8, width[MATRIX_MAX_TARGETS] = {0};
	char text[BS_ENDPOINT_TEXT_MAX + 16];

	for (size_t r = 0; r < m->nrows; r++) {
		row_label(m, &m->rows[r], text, sizeof(text));
		if (strlen(text) + 2 > first)
			first = strlen(text) + 2;
	}
	for (size_t c = 0; c < m->ncols; c++) {
		width[c] = 14;
		if (strlen(m->cols[c].text) + 3 > width[c])
			width[c] = strlen(m->cols[c].text) + 3;
		for (size_t r = 0; r < m->nrows; r++) {
			cell_text(m, r, c, st, text, sizeof(text));
			if (display_width(text) + 2 > width[c])
				width[c] = display_width(text) + 2;
		}
	}
	pad("", first);
	for (size_t c = 0; c < m->ncols; c++)
		pad(m->cols[c].label, width[c]);
	putchar('\n');
	pad("", first);
	for (size_t c = 0; c < m->ncols; c++) {
		pad(m->cols[c].text, width[c]);
	}
	putchar('\n');
	for (size_t r = 0; r < m->nrows; r++) {
		row_label(m, &m->rows[r], text, sizeof(text));
		pad(text, first);
		for (size_t c = 0; c < m->ncols; c++) {
			cell_text(m, r, c, st, text, sizeof(text));
			if (st->color)
				fputs(verdict_color(cell_result(m, r, c)->verdict), stdout);
			pad(text, width[c]);
			if (st->color)
				fputs("\033[0m", stdout);
		}
		putchar('\n');
	}
}

/* The column to suggest for `nc -vz`: the first the listener should accept, else the first. */
static const struct bs_exposure_target *hint_target(const struct probe_matrix *m,
                                                    const struct matrix_row *row)
{
	if (row->only_target >= 0)
		return &m->cols[row->only_target];
	for (size_t c = 0; row->known && c < m->ncols; c++)
		if (bs_exposure_predict(&row->l, &m->cols[c]))
			return &m->cols[c];
	return &m->cols[0];
}

static void print_row_notes(const struct probe_matrix *m, size_t r,
                            const struct bs_iface_list *ifaces, bool explain_all)
{
	const struct matrix_row *row = &m->rows[r];
	char label[BS_ENDPOINT_TEXT_MAX + 16], text[512], socat[256], ss[128], nc[128];
	struct bs_probe_result results[MATRIX_MAX_TARGETS];

	row_label(m, row, label, sizeof(label));
	if (row->known) {
		bs_exposure_summary(&row->l, ifaces, text, sizeof(text));
		bs_exposure_socat_command(&row->l, socat, sizeof(socat));
	} else {
		for (size_t c = 0; c < m->ncols; c++)
			results[c] = *cell_result(m, r, c);
		bs_exposure_infer(m->cols, results, m->ncols, row->l.bound.port, text,
		                  sizeof(text));
	}
	bs_exposure_ss_command(&row->l, ss, sizeof(ss));
	bs_exposure_nc_command(&row->l, hint_target(m, row), nc, sizeof(nc));
	printf("\n%s\n  %s\n", label, text);
	if (row->known)
		printf("  same as: %s\n", socat);
	printf("  check:   %s   %s\n", nc, ss);
	for (size_t c = 0; c < m->ncols; c++) {
		struct bs_exposure_cell cell;
		const struct bs_probe_result *res = cell_result(m, r, c);
		if (!row->known || res->verdict == BS_VERDICT_PENDING)
			continue;
		bs_exposure_cell_eval(&row->l, &m->cols[c], res, &cell);
		if (explain_all || cell.disagree)
			printf("  %s %s %s: %s\n", cell.disagree ? "!" : "-", m->cols[c].label,
			       m->cols[c].text, cell.why);
	}
}

void probe_render_text(const struct probe_matrix *m, const struct bs_iface_list *ifaces,
                       bool explain_all)
{
	const char *codeset = nl_langinfo(CODESET);
	struct style st = {.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0,
	                   .color = cli_use_color()};

	print_table(m, &st);
	for (size_t r = 0; r < m->nrows; r++)
		print_row_notes(m, r, ifaces, explain_all);
	printf("\n%s%s%s\n", MEASURED_FROM_NOTE, m->from ? " Source address: " : "",
	       m->from ? m->from : "");
	fflush(stdout);
}

static json_t *cell_json(const struct probe_matrix *m, size_t r, size_t c)
{
	const struct matrix_row *row = &m->rows[r];
	const struct bs_probe_result *res = cell_result(m, r, c);
	struct bs_exposure_cell cell;
	json_t *o = json_object();
	char nc[128];

	bs_exposure_cell_eval(&row->l, &m->cols[c], res, &cell);
	bs_exposure_nc_command(&row->l, &m->cols[c], nc, sizeof(nc));
	json_object_set_new(o, "target", json_string(m->cols[c].text));
	json_object_set_new(o, "label", json_string(m->cols[c].label));
	json_object_set_new(o, "observed",
	                    res->verdict == BS_VERDICT_PENDING
	                        ? json_null()
	                        : json_string(bs_verdict_name(res->verdict)));
	json_object_set_new(o, "error",
	                    res->error ? json_string(bs_errno_name(res->error)) : json_null());
	json_object_set_new(o, "latency_us",
	                    res->verdict == BS_VERDICT_PENDING
	                        ? json_null()
	                        : json_integer((json_int_t)res->latency_us));
	json_object_set_new(o, "self_connect", json_boolean(res->self_connect));
	if (row->known) {
		json_object_set_new(o, "predicted",
		                    json_string(cell.predicted ? "open" : "closed"));
		json_object_set_new(o, "disagree", json_boolean(cell.disagree));
		json_object_set_new(o, "why", json_string(cell.why));
	} else {
		json_object_set_new(o, "predicted", json_null());
		json_object_set_new(o, "disagree", json_null());
		json_object_set_new(o, "why", json_null());
	}
	json_object_set_new(o, "nc", json_string(nc));
	return o;
}

static json_t *row_json(const struct probe_matrix *m, size_t r, const struct bs_iface_list *ifaces)
{
	const struct matrix_row *row = &m->rows[r];
	json_t *o = json_object(), *cells = json_array();
	char text[512], ep[BS_ENDPOINT_TEXT_MAX];
	struct bs_probe_result results[MATRIX_MAX_TARGETS];

	json_object_set_new(o, "proto", json_string(bs_proto_name(row->l.proto)));
	json_object_set_new(o, "port", json_integer(row->l.bound.port));
	json_object_set_new(o, "opened_by_bindscope", json_boolean(row->known));
	if (row->known) {
		bs_endpoint_text(&row->l.bound, ep, sizeof(ep));
		json_object_set_new(o, "listener", json_string(ep));
		json_object_set_new(o, "wildcard",
		                    json_boolean(bs_endpoint_is_wildcard(&row->l.bound)));
		if (row->l.bound.family == AF_INET6)
			json_object_set_new(o, "v6only", json_boolean(row->l.v6only));
		bs_exposure_summary(&row->l, ifaces, text, sizeof(text));
		json_object_set_new(o, "summary", json_string(text));
		bs_exposure_socat_command(&row->l, text, sizeof(text));
		json_object_set_new(o, "socat", json_string(text));
	} else {
		json_object_set_new(o, "listener", json_null());
		for (size_t c = 0; c < m->ncols; c++)
			results[c] = *cell_result(m, r, c);
		bs_exposure_infer(m->cols, results, m->ncols, row->l.bound.port, text,
		                  sizeof(text));
		json_object_set_new(o, "summary", json_string(text));
	}
	bs_exposure_ss_command(&row->l, text, sizeof(text));
	json_object_set_new(o, "ss", json_string(text));
	for (size_t c = 0; c < m->ncols; c++)
		json_array_append_new(cells, cell_json(m, r, c));
	json_object_set_new(o, "cells", cells);
	return o;
}

static const char *kind_name(enum bs_target_kind kind)
{
	return kind == BS_TARGET_PEER        ? "peer"
	       : kind == BS_TARGET_ANY       ? "any"
	       : kind == BS_TARGET_LOCALHOST ? "localhost"
	                                     : "address";
}

int probe_render_json(const struct probe_matrix *m, const struct bs_iface_list *ifaces)
{
	json_t *root = json_object(), *targets = json_array(), *rows = json_array();

	json_object_set_new(root, "measured_from", json_string("this host"));
	json_object_set_new(root, "source", m->from ? json_string(m->from) : json_null());
	json_object_set_new(root, "note", json_string(MEASURED_FROM_NOTE));
	for (size_t c = 0; c < m->ncols; c++) {
		json_t *t = json_object();
		json_object_set_new(t, "label", json_string(m->cols[c].label));
		json_object_set_new(t, "address", json_string(m->cols[c].text));
		json_object_set_new(t, "kind", json_string(kind_name(m->cols[c].kind)));
		json_array_append_new(targets, t);
	}
	json_object_set_new(root, "targets", targets);
	for (size_t r = 0; r < m->nrows; r++)
		json_array_append_new(rows, row_json(m, r, ifaces));
	json_object_set_new(root, "rows", rows);
	return cli_json_emit(root, false);
}
