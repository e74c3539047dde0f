/* Layout and the small panels: title, interfaces, listeners, explain, log, status, help. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bindscope/textbuf.h"
#include "tui.h"

#define IFACES_WIDTH 38

/* Bytes of s that fit in cols terminal columns (UTF-8 continuation bytes take none). */
static int bytes_for_cols(const char *s, int cols)
{
	int used = 0, i = 0;

	for (; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (used == cols)
			break;
		used++;
	}
	return i;
}

/* Print at most cols columns of s at (y, x). */
static void put_cols(int y, int x, const char *s, int cols)
{
	if (cols > 0)
		mvaddnstr(y, x, s, bytes_for_cols(s, cols));
}

void tui_log(struct tui *t, const char *sentence)
{
	char when[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (t->log_count == TUI_LOG_LINES) {
		memmove(t->log[0], t->log[1], sizeof(t->log[0]) * (TUI_LOG_LINES - 1));
		t->log_count--;
	}
	char *line = t->log[t->log_count++];
	size_t len = sizeof(t->log[0]);
	if ((size_t)snprintf(line, len, "%s %s", when, sentence) >= len) {
		/* Too long to keep whole: cut at a character, and say it was cut. */
		size_t end = len - 4;
		while (end > 0 && ((unsigned char)line[end] & 0xC0) == 0x80)
			end--;
		memcpy(line + end, "...", 4);
	}
	t->dirty = true;
}

static void section(const struct tui *t, int y, int x, int width, const char *title, bool focused)
{
	/* Outside UTF-8, plain ASCII: the terminal's line-drawing set may not be there either. */
	mvhline(y, x, t->utf8 ? ACS_HLINE : '-', width);
	if (focused)
		attron(A_REVERSE);
	else
		term_color_on(t, C_TITLE);
	mvprintw(y, x + 1, " %s ", title);
	attroff(A_REVERSE);
	term_color_off(t, C_TITLE);
}

static void draw_title(const struct tui *t)
{
	char line[256];

	snprintf(line, sizeof(line),
	         " bindscope: who can reach a socket?   next listener: %s   [::] v6only: %s%s",
	         t->next_proto == BS_PROTO_UDP ? "udp" : "tcp",
	         t->v6only == -1 ? (t->sys_bindv6only ? "default (on)" : "default (off)")
	         : t->v6only     ? "on"
	                         : "off",
	         bs_lesson_probing(t->lesson) ? "   probing..." : "");
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	put_cols(0, 0, line, COLS);
	attroff(A_REVERSE);
}

/* The first row to draw so that the selected one is visible in height rows. */
static size_t scroll_first(size_t selected, int height)
{
	return selected >= (size_t)height ? selected - (size_t)height + 1 : 0;
}

static void draw_ifaces(struct tui *t, int y, int height)
{
	size_t first = scroll_first(t->sel_iface, height);

	t->geo.ifaces_y = y;
	t->geo.ifaces_rows = height;
	t->geo.ifaces_first = (int)first;
	for (int k = 0; k < height && first + (size_t)k < t->nrows; k++) {
		const struct iface_row *r = &t->rows[first + (size_t)k];
		bool sel = first + (size_t)k == t->sel_iface;
		char line[192]; /* cut to the panel when drawn */

		snprintf(line, sizeof(line), "%s%-7s %-22s %s", sel ? ">" : " ", r->name, r->addr,
		         r->wildcard ? ""
		         : r->up     ? "up"
		                     : "DOWN");
		if (sel && t->focus == FOCUS_IFACES)
			attron(A_REVERSE);
		else if (!r->bindable || !r->up)
			attron(A_DIM);
		mvaddnstr(y + k, 0, line, IFACES_WIDTH - 1);
		attroff(A_REVERSE | A_DIM);
	}
	if (t->rows_lost > 0 && height > 0) {
		char line[64];
		snprintf(line, sizeof(line), " (%zu more not shown: out of memory)", t->rows_lost);
		mvaddnstr(y + height - 1, 0, line, IFACES_WIDTH - 1);
	}
}

/* A listener bound to an address that no interface has any more (removed while it listens). */
static bool address_gone(const struct tui *t, const struct bs_endpoint *bound)
{
	const struct bs_iface_list *ifaces = bs_lesson_ifaces(t->lesson);

	if (bs_endpoint_is_wildcard(bound))
		return false;
	if (bound->family == AF_INET)
		return bs_iface_owning(ifaces, AF_INET,
		                       &((const struct sockaddr_in *)&bound->addr)->sin_addr) ==
		       NULL;
	return bs_iface_owning(ifaces, AF_INET6,
	                       &((const struct sockaddr_in6 *)&bound->addr)->sin6_addr) == NULL;
}

static void draw_listeners(struct tui *t, int y, int x, int height)
{
	size_t n = bs_lesson_listener_count(t->lesson);
	size_t first = scroll_first(t->sel_listener, height);

	t->geo.listeners_y = y;
	t->geo.listeners_x = x;
	t->geo.listeners_rows = height;
	t->geo.listeners_first = (int)first;
	if (n == 0)
		mvaddnstr(y, x + 1, "none: Enter on an interface opens one", COLS - x - 1);
	for (int k = 0; k < height && first + (size_t)k < n; k++) {
		size_t i = first + (size_t)k;
		const struct bs_listener *l = bs_lesson_listener(t->lesson, i);
		const struct bs_lesson_counts *c = bs_lesson_counts(t->lesson, i);
		const struct bs_endpoint *bound = bs_listener_endpoint(l);
		enum bs_proto proto = bs_listener_proto(l);
		char ep[BS_ENDPOINT_TEXT_MAX], line[160];

		bs_endpoint_text(bound, ep, sizeof(ep));
		if (address_gone(t, bound))
			snprintf(line, sizeof(line), "%s%s %-18s ADDRESS GONE: reachable nowhere",
			         i == t->sel_listener ? ">" : " ", bs_proto_name(proto), ep);
		else
			snprintf(line, sizeof(line), "%s%s %-18s %s %llu/%llu %llu B, %llu probes",
			         i == t->sel_listener ? ">" : " ", bs_proto_name(proto), ep,
			         proto == BS_PROTO_TCP ? "conn" : "dgram",
			         (unsigned long long)c->open_now, (unsigned long long)c->visits,
			         (unsigned long long)c->bytes, (unsigned long long)c->probes);
		if (i == t->sel_listener && t->focus == FOCUS_LISTENERS)
			attron(A_REVERSE);
		mvaddnstr(y + k, x + 1, line, COLS - x - 2);
		attroff(A_REVERSE);
	}
}

/* Word-wrap text into rows y.. (at most height), returns rows used; draws only when draw. */
static int wrap_text(int y, int x, int width, int height, const char *text, bool draw)
{
	int used = 0;
	size_t len = strlen(text);

	while (len > 0 && used < height) {
		size_t cut = len;
		if ((int)cut > width) {
			cut = (size_t)width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		if (draw)
			mvaddnstr(y + used, x, text, (int)cut);
		text += cut;
		len -= cut;
		while (*text == ' ') {
			text++;
			len--;
		}
		used++;
	}
	return used;
}

static int wrap(int y, int x, int width, int height, const char *text)
{
	return wrap_text(y, x, width, height, text, true);
}

#define EXPLAIN_MAX_LINES 8

/* Rows the explain panel's lines take at this width (the tour asks for them all). */
static int explain_rows(const struct tui *t)
{
	static char lines[EXPLAIN_MAX_LINES][EXPLAIN_LINE];
	size_t n = explain_lines(t, lines, EXPLAIN_MAX_LINES);
	int rows = 0;

	for (size_t i = 0; i < n; i++)
		rows += wrap_text(0, 0, COLS - 2, LINES, lines[i], false);
	return rows;
}

static void draw_explain(const struct tui *t, int y, int height)
{
	static char lines[EXPLAIN_MAX_LINES][EXPLAIN_LINE];
	size_t n = explain_lines(t, lines, EXPLAIN_MAX_LINES);
	int used = 0;

	if (t->prompt.active) {
		char ask[160 + sizeof(t->prompt.text)];
		if (t->prompt.kind == PROMPT_HOST)
			snprintf(ask, sizeof(ask),
			         "Probe from another machine, over ssh ([USER@]HOST): %s_",
			         t->prompt.text);
		else
			snprintf(ask, sizeof(ask), "Listen (%s) on %s, port: %s_",
			         t->next_proto == BS_PROTO_UDP ? "udp" : "tcp", t->prompt.row.name,
			         t->prompt.text);
		attron(A_BOLD);
		mvaddstr(y, 1, ask);
		attroff(A_BOLD);
		used = 1;
		if (t->prompt.error[0] != '\0') {
			term_color_on(t, C_BAD);
			used += wrap(y + used, 1, COLS - 2, height - used, t->prompt.error);
			term_color_off(t, C_BAD);
		}
	}
	for (size_t i = 0; i < n && used < height; i++) {
		bool warn = strncmp(lines[i], "Warning:", 8) == 0;
		if (warn)
			term_color_on(t, C_WARN);
		used += wrap(y + used, 1, COLS - 2, height - used, lines[i]);
		if (warn)
			term_color_off(t, C_WARN);
	}
}

/* Screen rows a log entry takes when wrapped at cols columns (continuation rows indented). */
static int log_rows(const char *s, int cols)
{
	int rows = 0, width = cols;

	if (cols <= 2)
		return 1;
	do {
		s += bytes_for_cols(s, width);
		rows++;
		width = cols - 2;
	} while (*s != '\0');
	return rows;
}

/* The newest entries, each wrapped to the width rather than cut; the oldest shown may start
 * above the panel, its first rows left out. */
static void draw_log(const struct tui *t, int y, int height)
{
	int cols = COLS - 2, row = height;
	size_t i = t->log_count;

	while (i > 0 && row > 0) {
		const char *s = t->log[--i];
		int n = log_rows(s, cols), width = cols, x = 1;
		row -= n;
		for (int k = 0; k < n; k++) {
			int b = bytes_for_cols(s, width);
			if (row + k >= 0)
				mvaddnstr(y + row + k, x, s, b);
			s += b;
			width = cols - 2; /* continuation rows: indented by two */
			x = 3;
		}
	}
}

static void draw_status(const struct tui *t)
{
	char line[256];

	keys_status(t, line, sizeof(line));
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	put_cols(LINES - 1, 0, line, COLS);
	attroff(A_REVERSE);
}

static void draw_help(const struct tui *t)
{
	char lines[40][96];
	size_t n = keys_help(t, lines, 40), shown = n;
	int w = 24;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(lines[i]) + 4 > w)
			w = (int)strlen(lines[i]) + 4;
	if (w > COLS)
		w = COLS;
	/* The blank rows inside the border go first when the terminal is short; then, never
	 * cut silently, the last line says how many keys are not shown. */
	int pad = (int)n + 4 <= LINES ? 1 : 0;
	if ((int)n + 2 > LINES) {
		shown = LINES > 3 ? (size_t)LINES - 3 : 0;
		snprintf(lines[shown], sizeof(lines[shown]),
		         "(%zu more keys: a taller terminal shows them)", n - shown);
		shown++;
	}
	int h = (int)shown + 2 + 2 * pad, y = (LINES - h) / 2, x = (COLS - w) / 2;
	WINDOW *win = newwin(h, w, y, x);

	if (win == NULL)
		return;
	werase(win);
	if (t->utf8)
		box(win, 0, 0);
	else
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	mvwaddstr(win, 0, 2, " keys (any key closes) ");
	for (size_t i = 0; i < shown; i++)
		mvwaddnstr(win, (int)i + 1 + pad, 2, lines[i], w - 4);
	wnoutrefresh(win);
	delwin(win);
}

static void draw_too_small(void)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "bindscope needs at least %dx%d; this terminal is %dx%d.",
	         TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
	mvaddnstr(LINES / 2 - 1, 0, msg, COLS);
	mvaddnstr(LINES / 2, 0, "Enlarge the window, or press q to quit.", COLS);
}

/* The matrix's title says where its probes come from. */
static void matrix_title(const struct tui *t, char *buf, size_t len)
{
	size_t hosts = bs_lesson_host_count(t->lesson);
	char ssh[64] = "";

	if (hosts > 0)
		snprintf(ssh, sizeof(ssh), "%zu machine%s over ssh", hosts, hosts == 1 ? "" : "s");
	if (t->nvantages > 0 && hosts > 0)
		snprintf(
		    buf, len,
		    "Probe matrix (from this host over loopback, and from each lab peer and %s)",
		    ssh);
	else if (t->nvantages > 0)
		snprintf(buf, len,
		         "Probe matrix (from this host over loopback, and from each lab peer)");
	else if (hosts > 0)
		snprintf(buf, len, "Probe matrix (from this host over loopback, and from %s)", ssh);
	else
		snprintf(buf, len, "Probe matrix (from this host, over loopback)");
	if (t->zoom)
		bs_textbuf_appendf(buf, len, " - IPv4 only (z: all)");
}

void draw_all(struct tui *t)
{
	/* A prompt's error sentence (port in use by whom, and what to do) gets room from the log.
	 */
	int y, top_h, mat_h, exp_h, log_h;
	char title[200];
	size_t n = bs_lesson_listener_count(t->lesson);

	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		draw_too_small();
	} else if (t->screen == SCREEN_SOCKETS) {
		draw_title(t);
		sockets_view_draw(t, 1, LINES - 2);
		draw_status(t);
	} else {
		int spare = LINES - TUI_MIN_LINES;
		/* The matrix is the heart: it takes rows from the log (which keeps two) before it
		 * scrolls. Rows beyond 24 go a quarter to the top panels, the rest shared. */
		int avail;
		top_h = 5 + spare / 4;
		/* An explanation runs to several sentences: rows beyond 24 give it up to five more.
		 */
		exp_h = 3 + (spare / 4 < 5 ? spare / 4 : 5);
		if (t->prompt.active && t->prompt.error[0] && exp_h < 6)
			exp_h = 6;
		/* A tour step is read in full, on a projector too: its rows come from the log
		 * (which keeps two) and the matrix (which keeps a header and a row). */
		if (tour_showing(t)) {
			int want = explain_rows(t);
			int most = LINES - 1 - (1 + top_h) - 1 - 1 - 3 - 1 - 2 - 1;
			exp_h = want > most ? most : want > exp_h ? want : exp_h;
		}
		avail = LINES - 1 - (1 + top_h) - (1 + exp_h) - 1 - 1 - 1;
		mat_h = 2 + (int)(n > 3 ? n : 3);
		if (mat_h > avail - 2)
			mat_h = avail - 2;
		if (mat_h < 3)
			mat_h = 3;
		log_h = avail - mat_h;
		draw_title(t);
		y = 1;
		section(t, y, 0, IFACES_WIDTH, "Interfaces", t->focus == FOCUS_IFACES);
		section(t, y, IFACES_WIDTH, COLS - IFACES_WIDTH, "Listeners",
		        t->focus == FOCUS_LISTENERS);
		draw_ifaces(t, y + 1, top_h);
		draw_listeners(t, y + 1, IFACES_WIDTH, top_h);
		y += 1 + top_h;
		matrix_title(t, title, sizeof(title));
		section(t, y, 0, COLS, title, t->focus == FOCUS_MATRIX);
		draw_matrix(t, y + 1, mat_h);
		y += 1 + mat_h;
		section(t, y, 0, COLS, "Explain", false);
		draw_explain(t, y + 1, exp_h);
		y += 1 + exp_h;
		section(t, y, 0, COLS, "Log", false);
		draw_log(t, y + 1, log_h);
		draw_status(t);
	}
	wnoutrefresh(stdscr);
	if (t->help && COLS >= TUI_MIN_COLS && LINES >= TUI_MIN_LINES)
		draw_help(t);
	doupdate();
	t->dirty = false;
}
