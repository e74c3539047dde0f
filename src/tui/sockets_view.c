/*
 * The sockets screen: every listening socket of this machine with its owner and exposure,
 * most exposed first (the engine's bs_sockets), filtered by protocol, exposure and a search
 * (`/`: port, address, program, user, unit, as it is typed). p probes
 * the chosen socket's port on every local address through the probe engine. The list is
 * read again every 2 s while the screen is shown, and not at all otherwise.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bindscope/textbuf.h"
#include "bindscope/netns_list.h"
#include "tui.h"

#define REFRESH_MS 2000

/* Does haystack contain needle, ignoring ASCII case? */
static bool contains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0'; haystack++)
		if (strncasecmp(haystack, needle, n) == 0)
			return true;
	return n == 0;
}

/* What a search is matched against: "tcp 0.0.0.0:8081 root socat (pid 5) ...", the row as
 * shown (address and port, user, every holder's program, the unit, the exposure). */
static bool matches(const struct bs_socket *s, const char *search)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], exposure[96], owner[1024],
	    hay[sizeof(local) + sizeof(exposure) + sizeof(owner) + sizeof(s->netns_name) + 64];

	if (search[0] == '\0')
		return true;
	bs_socket_local_text(s, local, sizeof(local));
	bs_exposure_class_text(s, exposure, sizeof(exposure));
	bs_socket_owner_text(s, owner, sizeof(owner));
	snprintf(hay, sizeof(hay), "%s %s %s %u %s %s %s", bs_proto_name(s->proto), local, s->user,
	         (unsigned)s->uid, owner, exposure, s->netns_name);
	return contains(hay, search);
}

static bool visible(const struct tui *t, const struct bs_socket *s)
{
	if (t->sv.exposed_only && s->exposure == BS_EXPOSED_LOOPBACK)
		return false;
	if (t->sv.proto_filter == 1 && s->proto != BS_PROTO_TCP)
		return false;
	if (t->sv.proto_filter == 2 && s->proto != BS_PROTO_UDP)
		return false;
	return matches(s, t->sv.search);
}

/* The shown rows, worked out once per list or filter (not per row drawn). */
static void apply_filters(struct tui *t)
{
	size_t *shown =
	    realloc(t->sv.shown, (t->sv.list.count ? t->sv.list.count : 1) * sizeof(*shown));

	if (shown == NULL) {
		snprintf(t->sv.error, sizeof(t->sv.error),
		         "out of memory filtering %zu sockets: the list shows none",
		         t->sv.list.count);
		t->sv.nshown = 0;
		return;
	}
	t->sv.shown = shown;
	t->sv.nshown = 0;
	for (size_t i = 0; i < t->sv.list.count; i++)
		if (visible(t, &t->sv.list.items[i]))
			t->sv.shown[t->sv.nshown++] = i;
}

/* The index in the list of the n-th visible socket, or list.count when there is none. */
static size_t nth_visible(const struct tui *t, size_t n)
{
	return n < t->sv.nshown ? t->sv.shown[n] : t->sv.list.count;
}

static size_t visible_count(const struct tui *t)
{
	return t->sv.nshown;
}

void sockets_view_filter(struct tui *t)
{
	apply_filters(t);
	t->sv.sel = 0;
}

void sockets_view_search_start(struct tui *t)
{
	t->sv.typing = true;
}

void sockets_view_search_key(struct tui *t, int key)
{
	size_t len = strlen(t->sv.search);

	switch (key) {
	case 27: /* Escape: no search */
		t->sv.search[0] = '\0';
		t->sv.typing = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: /* keep it, and the keys are the screen's again */
		t->sv.typing = false;
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			t->sv.search[len - 1] = '\0';
		break;
	default:
		if (key < 32 || key > 126 || len + 1 >= sizeof(t->sv.search))
			return;
		t->sv.search[len] = (char)key;
		t->sv.search[len + 1] = '\0';
		break;
	}
	sockets_view_filter(t); /* as it is typed, as htop does */
}

void sockets_view_refresh(struct tui *t)
{
	struct bs_socket_list fresh;
	struct bs_error err;

	if ((t->sv.all_ns
	         ? bs_sockets_read_everywhere(&fresh, BS_SOCKETS_ALL, bs_lesson_ifaces(t->lesson),
	                                      &t->sv.census, &err)
	         : bs_sockets_read(&fresh, BS_SOCKETS_ALL, bs_lesson_ifaces(t->lesson), &err)) <
	    0) {
		snprintf(t->sv.error, sizeof(t->sv.error), "%s", err.msg);
		return;
	}
	t->sv.error[0] = '\0';
	bs_socket_list_free(&t->sv.list);
	t->sv.list = fresh;
	apply_filters(t); /* the search and filters stay as they were: the list is live */
	bs_fw_free(t->sv.fw);
	t->sv.fw = bs_fw_read_or_why(t->sv.fw_why, sizeof(t->sv.fw_why));
	if (t->sv.sel >= visible_count(t) && t->sv.sel > 0)
		t->sv.sel = visible_count(t) ? visible_count(t) - 1 : 0;
	t->dirty = true;
}

static void refresh_tick(void *arg)
{
	sockets_view_refresh(arg);
}

void sockets_view_show(struct tui *t, bool on)
{
	if (on) {
		sockets_view_refresh(t);
		if (t->sv.refresh == NULL)
			t->sv.refresh =
			    bs_loop_timer(t->loop, REFRESH_MS, true, refresh_tick, t, NULL);
	} else {
		/* Off screen, nothing is re-read: idle stays free. */
		bs_timer_cancel(t->sv.refresh);
		t->sv.refresh = NULL;
	}
}

void sockets_view_move(struct tui *t, int dy)
{
	size_t n = visible_count(t);

	if (dy < 0 && t->sv.sel > 0)
		t->sv.sel--;
	if (dy > 0 && t->sv.sel + 1 < n)
		t->sv.sel++;
	if (dy == 0)
		sockets_view_filter(t); /* a filter changed */
}

static void probe_done(void *arg)
{
	struct tui *t = arg;

	t->dirty = true;
}

/* The matrix of the chosen socket's port: every socket on it, every address, probed. */
void sockets_view_probe(struct tui *t)
{
	size_t i = nth_visible(t, t->sv.sel);
	struct bs_error err;

	if (i >= t->sv.list.count)
		return;
	if (t->sv.list.items[i].netns != 0) {
		char safe[4 * 80];
		bs_text_safe(t->sv.list.items[i].netns_name, safe, sizeof(safe));
		snprintf(t->sv.error, sizeof(t->sv.error),
		         "p probes from this namespace, and this socket is in %s: probe it there "
		         "(bindscope lab exec, or nsenter -n)",
		         safe);
		return;
	}
	t->sv.probed = t->sv.list.items[i];
	if (bs_lesson_probe_port(t->lesson, t->sv.probed.proto, t->sv.probed.local.port, probe_done,
	                         t, &err) < 0)
		snprintf(t->sv.error, sizeof(t->sv.error), "%s", err.msg);
}

/* One row's cells, each safe for the terminal (names and devices come from outside). */
struct table_row {
	char local[4 * (BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE)], exposure[96], user[4 * 33],
	    owner[4 * 1024], netns[4 * 80];
};

static void row_cells(const struct bs_socket *s, struct table_row *row)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], user[40];

	bs_socket_local_text(s, local, sizeof(local));
	bs_text_safe(local, row->local, sizeof(row->local));
	bs_text_safe(s->netns ? s->netns_name : "this one", row->netns, sizeof(row->netns));
	bs_exposure_class_text(s, row->exposure, sizeof(row->exposure));
	bs_socket_owner_text(s, row->owner, sizeof(row->owner)); /* made safe inside */
	if (s->user[0] != '\0')
		snprintf(user, sizeof(user), "%s", s->user);
	else
		snprintf(user, sizeof(user), "%u", (unsigned)s->uid); /* a uid with no name */
	bs_text_safe(user, row->user, sizeof(row->user));
}

static void widen(int *w, const char *cell)
{
	if ((int)strlen(cell) > *w)
		*w = (int)strlen(cell);
}

static void draw_table(struct tui *t, int y, int height)
{
	static struct table_row row; /* 5 KiB: not on the stack */
	char line[sizeof(row) + 128];
	size_t n = visible_count(t), first = 0;
	int wl = 5, we = 8, wu = 4, wn = 9;

	if (t->sv.sel >= (size_t)height)
		first = t->sv.sel - (size_t)height + 1;
	/* Columns as wide as the rows on screen need, so OWNER starts as far left as it can
	 * (a 100-column terminal shows the pid after a long program name). */
	for (size_t k = 0; k + first < n && (int)k < height; k++) {
		row_cells(&t->sv.list.items[nth_visible(t, first + k)], &row);
		widen(&wl, row.local);
		widen(&we, row.exposure);
		widen(&wu, row.user);
		widen(&wn, row.netns);
	}
	attron(A_BOLD);
	if (t->sv.all_ns)
		mvprintw(y, 1, "%-*s  %-5s %-*s  %-*s  %-*s  %s", wn, "NAMESPACE", "PROTO", wl,
		         "LOCAL", we, "EXPOSURE", wu, "USER", "OWNER");
	else
		mvprintw(y, 1, "%-5s %-*s  %-*s  %-*s  %s", "PROTO", wl, "LOCAL", we, "EXPOSURE",
		         wu, "USER", "OWNER");
	attroff(A_BOLD);
	for (size_t k = 0; k + first < n && (int)k < height; k++) {
		const struct bs_socket *s = &t->sv.list.items[nth_visible(t, first + k)];
		bool sel = first + k == t->sv.sel;

		row_cells(s, &row);
		if (t->sv.all_ns)
			snprintf(line, sizeof(line), "%-*s  %-5s %-*s  %-*s  %-*s  %s", wn,
			         row.netns, bs_proto_name(s->proto), wl, row.local, we,
			         row.exposure, wu, row.user, row.owner);
		else
			snprintf(line, sizeof(line), "%-5s %-*s  %-*s  %-*s  %s",
			         bs_proto_name(s->proto), wl, row.local, we, row.exposure, wu,
			         row.user, row.owner);
		if (sel)
			attron(A_REVERSE);
		else if (s->exposure == BS_EXPOSED_LOOPBACK)
			attron(A_DIM);
		else if (s->exposure <= BS_EXPOSED_ALL_IPV6)
			term_color_on(t, C_WARN);
		mvaddnstr(y + 1 + (int)k, 1, line, COLS - 2);
		attroff(A_REVERSE | A_DIM);
		term_color_off(t, C_WARN);
	}
	if (n == 0 && t->sv.list.count > 0 && t->sv.search[0] != '\0')
		mvprintw(y + 1, 1, "(no socket matches '%s': Backspace or Esc widens the search)",
		         t->sv.search);
	else if (n == 0)
		mvaddstr(y + 1, 1,
		         t->sv.list.count ? "(none match the filter)" : "(no listening sockets)");
}

/* The probed socket's row of the matrix (by inode), or -1 when it has gone. */
static long probed_row(const struct tui *t)
{
	const struct bs_matrix *m = bs_lesson_port_matrix(t->lesson);
	size_t n;
	const struct bs_socket *socks = bs_matrix_sockets(m, &n);

	for (size_t r = 0; r < bs_matrix_nrows(m); r++)
		if (bs_matrix_row(m, r)->socket &&
		    socks[bs_matrix_row(m, r)->sock].inode == t->sv.probed.inode)
			return (long)r;
	return -1;
}

static void probe_cell_text(const struct tui *t, const struct bs_matrix_cell *c, char *buf,
                            size_t len)
{
	const struct bs_probe_result *r = &c->probe->observed;

	if (c->state == BS_CELL_PENDING)
		snprintf(buf, len, "%s probing", verdict_symbol(t, BS_VERDICT_PENDING));
	else if (c->state == BS_CELL_OTHER)
		snprintf(buf, len, "%s #%ld", t->utf8 ? "→" : "->", c->other_row + 1);
	else if (c->state == BS_CELL_SHARED)
		snprintf(buf, len, "%s shared", verdict_symbol(t, BS_VERDICT_OPEN));
	else if (c->state == BS_CELL_SKIPPED)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %s", verdict_symbol(t, r->verdict),
		         bs_verdict_name(r->verdict));
	if (c->disagree)
		bs_textbuf_appendf(buf, len, " !");
}

/* Word-wrap text over at most rows lines from y; the last line ends with "~" if cut. */
static void draw_wrapped(int y, const char *text, int rows)
{
	int width = COLS - 2;
	size_t len = strlen(text);

	for (int k = 0; k < rows && len > 0; k++) {
		size_t n = len <= (size_t)width ? len : (size_t)width;
		if (n < len)
			while (n > 0 && text[n] != ' ')
				n--;
		if (n == 0)
			n = len < (size_t)width ? len : (size_t)width;
		if (k == rows - 1 && n < len) {
			mvaddnstr(y + k, 1, text, width - 1);
			addch('~');
			return;
		}
		mvaddnstr(y + k, 1, text, (int)n);
		text += n;
		len -= n;
		while (*text == ' ') {
			text++;
			len--;
		}
	}
}

static void draw_probe_row(struct tui *t, int y)
{
	const struct bs_matrix *m = bs_lesson_port_matrix(t->lesson);
	char label[BS_ENDPOINT_TEXT_MAX + 32], text[1024];
	int colw = 16, x = 1;
	long r;

	if (m == NULL) {
		mvaddnstr(y, 1,
		          "p probes the chosen socket's port on every address of this machine.",
		          COLS - 2);
		return;
	}
	r = probed_row(t);
	if (r < 0) {
		mvaddnstr(y, 1,
		          "The probed socket is no longer in the socket table: press p again.",
		          COLS - 2);
		return;
	}
	bs_matrix_row_label(m, (size_t)r, label, sizeof(label));
	mvprintw(y, 1, "%s, probed (%zu socket%s on the port):", label, bs_matrix_nrows(m),
	         bs_matrix_nrows(m) == 1 ? "" : "s");
	for (size_t j = 0; j < bs_matrix_ncols(m) && x + colw <= COLS; j++, x += colw) {
		const struct bs_matrix_col *col = bs_matrix_col(m, j);
		struct bs_matrix_cell c;
		char cell[48];

		bs_matrix_cell(m, (size_t)r, j, &c);
		mvaddnstr(y + 1, x,
		          col->kind == BS_COL_PEER ? bs_matrix_vantage(m, col->vantage)->name
		                                   : col->label,
		          colw - 1);
		mvaddnstr(y + 2, x, col->text, colw - 1);
		probe_cell_text(t, &c, cell, sizeof(cell));
		mvaddnstr(y + 3, x, cell, colw - 1);
	}
	if (!bs_matrix_probing(m)) {
		bs_matrix_row_summary(m, (size_t)r, bs_lesson_ifaces(t->lesson), text,
		                      sizeof(text));
		draw_wrapped(y + 4, text, 2);
	}
}

/* What the firewall lets through to the chosen socket, per interface: two lines from y. */
static void draw_firewall_line(struct tui *t, int y)
{
	size_t i = nth_visible(t, t->sv.sel), n, cap;
	struct bs_fw_iface_verdict *v;
	char text[2048], line[2100];

	/* Another namespace's socket: this namespace's firewall is not the one in its way. */
	if (i < t->sv.list.count && t->sv.list.items[i].netns != 0) {
		snprintf(line, sizeof(line),
		         "firewall: this socket is in namespace %s, whose own firewall is not read "
		         "here (only this namespace's is)",
		         t->sv.list.items[i].netns_name);
		bs_text_safe(line, text, sizeof(text));
		draw_wrapped(y, text, 2);
		return;
	}
	if (t->sv.fw == NULL || bs_fw_base_chain_count(t->sv.fw) == 0) {
		bs_fw_summary(t->sv.fw, t->sv.fw_why, text, sizeof(text));
		snprintf(line, sizeof(line), "%s.", text);
		bs_text_safe(line, text, sizeof(text)); /* libnftables' words come from outside */
		draw_wrapped(y, text, 2);
		return;
	}
	if (i >= t->sv.list.count)
		return;
	cap = 2 * bs_lesson_ifaces(t->lesson)->count + 1;
	v = calloc(cap, sizeof(*v));
	if (v == NULL)
		return;
	n = bs_fw_socket_exposure(t->sv.fw, &t->sv.list.items[i], bs_lesson_ifaces(t->lesson), v,
	                          cap);
	bs_fw_socket_exposure_text(t->sv.fw, &t->sv.list.items[i], v, n < cap ? n : cap, text,
	                           sizeof(text));
	free(v);
	snprintf(line, sizeof(line), "firewall: %s",
	         text[0] ? text : "loopback only, nothing from outside reaches it");
	draw_wrapped(y, line, 2);
}

void sockets_view_draw(struct tui *t, int y, int height)
{
	static const char *const protos[] = {"tcp+udp", "tcp", "udp"};
	char title[128 + sizeof(t->sv.search)];
	int table_h = height - 8;

	snprintf(title, sizeof(title), "Listening sockets (%s%s, most exposed first, %zu shown)",
	         protos[t->sv.proto_filter], t->sv.exposed_only ? ", exposed only" : "",
	         visible_count(t));
	if (t->sv.all_ns) {
		bs_textbuf_appendf(title, sizeof(title), "  all %zu namespaces",
		                   t->sv.census.namespaces);
		if (t->sv.census.unread > 0)
			bs_textbuf_appendf(title, sizeof(title), ", %zu not read (needs root)",
			                   t->sv.census.unread);
		if (t->sv.census.hidden > 0)
			bs_textbuf_appendf(title, sizeof(title), ", %zu processes not looked into",
			                   t->sv.census.hidden);
	}
	if (t->sv.search[0] != '\0' || t->sv.typing)
		bs_textbuf_appendf(title, sizeof(title), "  search: %s%s", t->sv.search,
		                   t->sv.typing ? "_" : "");
	mvhline(y, 0, t->utf8 ? ACS_HLINE : '-', COLS);
	attron(A_REVERSE);
	mvprintw(y, 1, " %s ", title);
	attroff(A_REVERSE);
	draw_table(t, y + 1, table_h - 3);
	draw_firewall_line(t, y + table_h - 2);
	mvhline(y + table_h, 0, t->utf8 ? ACS_HLINE : '-', COLS);
	mvaddstr(y + table_h, 2, " Probe ");
	draw_probe_row(t, y + table_h + 1);
	if (t->sv.error[0] != '\0') {
		term_color_on(t, C_BAD);
		mvaddnstr(y + height - 1, 1, t->sv.error, COLS - 2);
		term_color_off(t, C_BAD);
	}
}

void sockets_view_free(struct tui *t)
{
	bs_timer_cancel(t->sv.refresh);
	bs_socket_list_free(&t->sv.list);
	bs_fw_free(t->sv.fw);
	free(t->sv.shown);
	memset(&t->sv, 0, sizeof(t->sv));
}
