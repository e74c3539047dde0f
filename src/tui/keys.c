/*
 * Keys map to actions through one table; the status line and the help overlay are made
 * from the same table, so they cannot disagree with what the keys do.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "tui.h"

enum action {
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_NEXT_PANEL,
	ACT_LISTEN,
	ACT_REPROBE,
	ACT_CLOSE,
	ACT_PROTO,
	ACT_V6ONLY,
	ACT_IPV6,
	ACT_ZOOM,
	ACT_ADD_HOST,
	ACT_REMOVE_HOST,
	ACT_SCREEN,
	ACT_SK_PROBE,
	ACT_SK_PROTO,
	ACT_SK_EXPOSED,
	ACT_SK_REFRESH,
	ACT_SK_SEARCH,
	ACT_SK_NAMESPACES,
	ACT_TOUR_NEXT,
	ACT_TOUR_BACK,
	ACT_TOUR_RESTART,
	ACT_TOUR_LEAVE,
	ACT_TOUR_RETURN,
	ACT_RESET,
	ACT_HANDOUT,
	ACT_MOUSE,
	ACT_HELP,
	ACT_QUIT,
};

/* Where a key acts: bits of enum tui_focus (the sockets screen is FOCUS_SOCKETS). */
#define IF  (1u << FOCUS_IFACES)
#define LS  (1u << FOCUS_LISTENERS)
#define MX  (1u << FOCUS_MATRIX)
#define SK  (1u << FOCUS_SOCKETS)
#define TR  (1u << 4) /* the tour is shown (on the lesson screen) */
#define LES (IF | LS | MX)
#define ALL (LES | SK)

struct binding {
	int keys[3];
	enum action action;
	unsigned where;     /* where the key acts */
	unsigned shown;     /* where the status line lists it */
	const char *status; /* its label there */
	const char *help;
};

static const struct binding bindings[] = {
    /* First: while the tour is shown its keys win (r restarts it rather than probing). */
    {{' ', 'n', 0}, ACT_TOUR_NEXT, TR, TR, "next", "tour: the next step"},
    {{KEY_BACKSPACE, 127, 'p'}, ACT_TOUR_BACK, TR, TR, "back", "tour: the step before"},
    {{'r', 0, 0},
     ACT_TOUR_RESTART,
     TR,
     TR,
     "restart",
     "tour: from the first step (resets the lab)"},
    {{27, 0, 0}, ACT_TOUR_LEAVE, TR, TR, "leave tour", "tour: leave it (T comes back to it)"},
    {{'T', 0, 0}, ACT_TOUR_RETURN, LES, 0, NULL, "tour: back to the step left (sets it up again)"},
    {{KEY_UP, 'k', 0}, ACT_UP, ALL, 0, NULL, "move up, down"},
    {{KEY_DOWN, 'j', 0}, ACT_DOWN, ALL, 0, NULL, "move up, down"},
    {{KEY_LEFT, 'h', 0}, ACT_LEFT, MX, 0, NULL, "move left, right (matrix cells)"},
    {{KEY_RIGHT, 'l', 0}, ACT_RIGHT, MX, 0, NULL, "move left, right (matrix cells)"},
    {{'\n', '\r', KEY_ENTER},
     ACT_LISTEN,
     LES,
     IF,
     "listen",
     "listen on the chosen interface (asks a port)"},
    {{'u', 0, 0}, ACT_PROTO, IF, IF, "tcp/udp", "toggle TCP/UDP for the next listener"},
    {{'6', 0, 0}, ACT_V6ONLY, IF, 0, NULL, "cycle IPV6_V6ONLY for [::]: default, on, off"},
    {{'i', 0, 0}, ACT_IPV6, LES, 0, NULL, "show or hide IPv6 addresses"},
    {{'z', 0, 0},
     ACT_ZOOM,
     LES,
     0,
     NULL,
     "zoom: IPv4 columns only (no IPv6, no link-local); again: all"},
    {{'d', 0, 0}, ACT_CLOSE, LES, LS | MX, "close", "close the chosen listener"},
    {{'r', 0, 0}, ACT_REPROBE, LES, LS | MX, "probe", "probe every listener again"},
    {{'\t', 0, 0}, ACT_NEXT_PANEL, LES, LES, "panel", "next panel: interfaces, listeners, matrix"},
    {{'v', 0, 0},
     ACT_ADD_HOST,
     LES,
     MX,
     "vantage",
     "probe from another machine too, over ssh (asks HOST)"},
    {{'V', 0, 0}, ACT_REMOVE_HOST, MX, 0, NULL, "stop probing from the chosen column's machine"},
    {{'p', 0, 0},
     ACT_SK_PROBE,
     SK,
     SK,
     "probe",
     "sockets: probe the chosen socket's port everywhere"},
    {{'t', 0, 0}, ACT_SK_PROTO, SK, SK, "tcp/udp", "sockets: show TCP and UDP, TCP, or UDP"},
    {{'x', 0, 0}, ACT_SK_EXPOSED, SK, SK, "exposed", "sockets: only those reachable from outside"},
    {{'r', 0, 0}, ACT_SK_REFRESH, SK, SK, "refresh", "sockets: read the list again now"},
    {{'n', 0, 0},
     ACT_SK_NAMESPACES,
     SK,
     SK,
     "namespaces",
     "sockets: every network namespace too (containers), or this one"},
    {{'/', 0, 0},
     ACT_SK_SEARCH,
     SK,
     SK,
     "search",
     "sockets: show those with this port, address, program, user"},
    {{'X', 0, 0},
     ACT_RESET,
     LES,
     0,
     NULL,
     "reset: close every listener, undo the lab's added routes, rules and settings"},
    {{'e', 0, 0},
     ACT_HANDOUT,
     LES,
     0,
     NULL,
     "write a handout: the matrix, why each cell reads so, the log (HTML)"},
    {{'s', 0, 0}, ACT_SCREEN, ALL, LES, "sockets", "switch to the sockets screen and back"},
    {{'s', 0, 0}, ACT_SCREEN, 0, SK, "lesson", NULL},
    {{'m', 0, 0}, ACT_MOUSE, ALL, 0, NULL, "mouse capture on/off (off lets you select text)"},
    {{'?', 0, 0}, ACT_HELP, ALL, ALL, "help", "this help"},
    {{'q', 0, 0}, ACT_QUIT, ALL, ALL, "quit", "quit (closes every listener)"},
};

#define NBINDINGS (sizeof(bindings) / sizeof(bindings[0]))

static const char *key_label(int key, bool utf8)
{
	static char buf[8];

	switch (key) {
	case KEY_UP:
		return utf8 ? "↑" : "Up";
	case KEY_DOWN:
		return utf8 ? "↓" : "Down";
	case KEY_LEFT:
		return utf8 ? "←" : "Left";
	case KEY_RIGHT:
		return utf8 ? "→" : "Right";
	case '\t':
		return "Tab";
	case ' ':
		return "Space";
	case 27:
		return "Esc";
	case KEY_BACKSPACE:
		return "Backspace";
	case '\n':
		return "Enter";
	default:
		snprintf(buf, sizeof(buf), "%c", key);
		return buf;
	}
}

static size_t max_row(const struct tui *t)
{
	switch (t->focus) {
	case FOCUS_IFACES:
		return t->nrows;
	case FOCUS_MATRIX:
		return bs_lesson_listener_count(t->lesson)
		           ? bs_matrix_nrows(bs_lesson_matrix(t->lesson))
		           : 0;
	case FOCUS_LISTENERS:
	case FOCUS_SOCKETS: /* moves go to sockets_view_move before this */
		break;
	}
	return bs_lesson_listener_count(t->lesson);
}

static size_t max_row_matrix(const struct tui *t)
{
	return bs_lesson_listener_count(t->lesson) ? bs_matrix_nrows(bs_lesson_matrix(t->lesson))
	                                           : 0;
}

static size_t *cursor(struct tui *t)
{
	switch (t->focus) {
	case FOCUS_IFACES:
		return &t->sel_iface;
	case FOCUS_LISTENERS:
		return &t->sel_listener;
	case FOCUS_MATRIX:
	case FOCUS_SOCKETS:
		break;
	}
	return &t->sel_row;
}

/* A listener is one of the matrix's rows (others' sockets on its port are rows too): keep the
 * two selections on the same socket where they can be. */
static void link_selection(struct tui *t)
{
	long other;

	if (t->focus == FOCUS_LISTENERS &&
	    (other = bs_lesson_row_of_listener(t->lesson, t->sel_listener)) >= 0)
		t->sel_row = (size_t)other;
	if (t->focus == FOCUS_MATRIX &&
	    (other = bs_lesson_listener_of_row(t->lesson, t->sel_row)) >= 0)
		t->sel_listener = (size_t)other;
}

static void move_cursor(struct tui *t, int dy, int dx)
{
	if (t->screen == SCREEN_SOCKETS) {
		sockets_view_move(t, dy);
		return;
	}
	size_t *c = cursor(t), n = max_row(t);

	if (dy < 0 && *c > 0)
		(*c)--;
	if (dy > 0 && *c + 1 < n)
		(*c)++;
	if (t->focus == FOCUS_MATRIX) {
		size_t cols = bs_matrix_ncols(bs_lesson_matrix(t->lesson));
		if (dx < 0 && t->sel_col > 0)
			t->sel_col--;
		if (dx > 0 && t->sel_col + 1 < cols)
			t->sel_col++;
	}
	link_selection(t);
}

static void close_selected(struct tui *t)
{
	size_t n = bs_lesson_listener_count(t->lesson);

	if (n == 0) {
		tui_log(t, "no listener to close: open one with Enter on an interface");
		return;
	}
	if (t->focus == FOCUS_MATRIX && bs_lesson_listener_of_row(t->lesson, t->sel_row) < 0) {
		char who[320], line[512];
		bs_matrix_row_who(bs_lesson_matrix(t->lesson), t->sel_row, who, sizeof(who));
		snprintf(
		    line, sizeof(line),
		    "%s is not one of bindscope's listeners: close it in the program that holds it",
		    who);
		tui_log(t, line);
		return;
	}
	if (t->sel_listener >= n)
		t->sel_listener = n - 1;
	bs_lesson_close(t->lesson, t->sel_listener);
	if (t->sel_listener > 0 && t->sel_listener >= n - 1)
		t->sel_listener--;
	if (bs_lesson_row_of_listener(t->lesson, t->sel_listener) >= 0)
		t->sel_row = (size_t)bs_lesson_row_of_listener(t->lesson, t->sel_listener);
}

/* V: the chosen column's machine stops probing. */
static void remove_host(struct tui *t)
{
	const struct bs_matrix *m = bs_lesson_matrix(t->lesson);
	long h = bs_lesson_host_of_col(t->lesson, t->sel_col);

	if (h >= 0) {
		bs_lesson_remove_host(t->lesson, (size_t)h);
		if (t->sel_col >= bs_matrix_ncols(m))
			t->sel_col = bs_matrix_ncols(m) ? bs_matrix_ncols(m) - 1 : 0;
		return;
	}
	tui_log(t, bs_lesson_host_count(t->lesson) == 0
	               ? "no machine probes over ssh: v adds one"
	               : "the chosen column is not a machine added with v: move to one of its "
	                 "columns (Left, Right), then V");
}

static unsigned context(const struct tui *t)
{
	if (t->screen == SCREEN_SOCKETS)
		return SK;
	return (1u << t->focus) | (tour_showing(t) ? TR : 0);
}

static void switch_screen(struct tui *t)
{
	bool to_sockets = t->screen == SCREEN_LESSON;

	if (to_sockets)
		t->lesson_focus = t->focus;
	t->screen = to_sockets ? SCREEN_SOCKETS : SCREEN_LESSON;
	t->focus = to_sockets ? FOCUS_SOCKETS : t->lesson_focus;
	sockets_view_show(t, to_sockets);
}

static void run(struct tui *t, enum action a)
{
	switch (a) {
	case ACT_SCREEN:
		switch_screen(t);
		break;
	case ACT_SK_PROBE:
		sockets_view_probe(t);
		break;
	case ACT_SK_PROTO:
		t->sv.proto_filter = (t->sv.proto_filter + 1) % 3;
		sockets_view_move(t, 0);
		break;
	case ACT_SK_EXPOSED:
		t->sv.exposed_only = !t->sv.exposed_only;
		sockets_view_move(t, 0);
		break;
	case ACT_SK_REFRESH:
		sockets_view_refresh(t);
		break;
	case ACT_SK_SEARCH:
		sockets_view_search_start(t);
		break;
	case ACT_SK_NAMESPACES:
		t->sv.all_ns = !t->sv.all_ns;
		tui_log(t, t->sv.all_ns
		               ? "sockets: every network namespace (each read from inside it)"
		               : "sockets: this namespace only");
		sockets_view_refresh(t);
		break;
	case ACT_UP:
		move_cursor(t, -1, 0);
		break;
	case ACT_DOWN:
		move_cursor(t, 1, 0);
		break;
	case ACT_LEFT:
		move_cursor(t, 0, -1);
		break;
	case ACT_RIGHT:
		move_cursor(t, 0, 1);
		break;
	case ACT_NEXT_PANEL:
		t->focus = (enum tui_focus)((t->focus + 1) % 3);
		break;
	case ACT_LISTEN:
		if (t->focus == FOCUS_IFACES)
			prompt_open(t);
		else
			tui_log(t, "Enter opens a listener from the interfaces panel (Tab to it)");
		break;
	case ACT_REPROBE:
		bs_lesson_reprobe(t->lesson);
		break;
	case ACT_ADD_HOST:
		prompt_open_host(t);
		break;
	case ACT_REMOVE_HOST:
		remove_host(t);
		break;
	case ACT_CLOSE:
		close_selected(t);
		break;
	case ACT_PROTO:
		t->next_proto = t->next_proto == BS_PROTO_TCP ? BS_PROTO_UDP : BS_PROTO_TCP;
		break;
	case ACT_V6ONLY:
		t->v6only = t->v6only == -1 ? 1 : t->v6only == 1 ? 0 : -1;
		break;
	case ACT_ZOOM:
		t->zoom = !t->zoom;
		bs_lesson_set_only_v4(t->lesson, t->zoom);
		tui_log(t,
		        t->zoom
		            ? "zoom: IPv4 columns only (IPv6 and link-local hidden; every socket "
		              "is still a row); z shows them again"
		            : "zoom off: every column again");
		break;
	case ACT_IPV6:
		t->show_ipv6 = !t->show_ipv6;
		rows_rebuild(t);
		bs_lesson_set_ipv6(t->lesson, t->show_ipv6);
		break;
	case ACT_TOUR_NEXT:
		tour_next(t);
		break;
	case ACT_TOUR_BACK:
		tour_back(t);
		break;
	case ACT_TOUR_RESTART:
		tour_restart(t);
		break;
	case ACT_TOUR_LEAVE:
		tour_leave(t);
		break;
	case ACT_TOUR_RETURN:
		tour_return(t);
		break;
	case ACT_RESET:
		tour_reset_lab(t);
		break;
	case ACT_HANDOUT:
		handout_write_file(t);
		break;
	case ACT_MOUSE:
		t->mouse = !t->mouse;
		term_set_mouse(t->mouse);
		tui_log(t, t->mouse ? "mouse capture on: click rows and cells"
		                    : "mouse capture off: select text with the mouse to copy");
		break;
	case ACT_HELP:
		t->help = !t->help;
		break;
	case ACT_QUIT:
		t->quit = true;
		break;
	}
}

static void click(struct tui *t)
{
	MEVENT ev;
	const struct tui_geometry *g = &t->geo;

	if (getmouse(&ev) != OK)
		return;
	if (ev.y >= g->ifaces_y && ev.y < g->ifaces_y + g->ifaces_rows && ev.x < g->listeners_x) {
		size_t i = (size_t)(ev.y - g->ifaces_y) + (size_t)g->ifaces_first;
		if (i < t->nrows) {
			t->focus = FOCUS_IFACES;
			t->sel_iface = i;
		}
	} else if (ev.y >= g->listeners_y && ev.y < g->listeners_y + g->listeners_rows) {
		size_t i = (size_t)(ev.y - g->listeners_y) + (size_t)g->listeners_first;
		if (i < bs_lesson_listener_count(t->lesson)) {
			t->focus = FOCUS_LISTENERS;
			t->sel_listener = i;
			link_selection(t);
		}
	} else if (ev.y >= g->matrix_y && ev.y < g->matrix_y + g->matrix_rows) {
		size_t r = (size_t)(ev.y - g->matrix_y) + g->first_row;
		if (r >= max_row_matrix(t))
			return;
		t->focus = FOCUS_MATRIX;
		t->sel_row = r;
		link_selection(t);
		for (size_t c = 0; c < g->ncols_drawn; c++)
			if (ev.x >= g->col_x[c] && ev.x < g->col_x[c + 1])
				t->sel_col = g->first_col + c;
	}
}

void keys_handle(struct tui *t, int key)
{
	if (key == KEY_MOUSE) {
		click(t);
		return;
	}
	if ((COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) && key != 'q')
		return; /* nothing to act on is visible; q still quits */
	if (t->prompt.active) {
		prompt_key(t, key);
		return;
	}
	if (t->screen == SCREEN_SOCKETS && t->sv.typing) {
		sockets_view_search_key(t, key);
		return;
	}
	if (t->help && key != '?' && key != 'q') {
		t->help = false; /* any key closes the overlay */
		return;
	}
	for (size_t i = 0; i < NBINDINGS; i++)
		for (size_t k = 0; k < 3 && bindings[i].keys[k] != 0; k++)
			if (bindings[i].keys[k] == key && (bindings[i].where & context(t))) {
				run(t, bindings[i].action);
				return;
			}
}

/* Does an earlier binding of another action take binding i's first key here (the tour's r
 * before probe's)? A second label of the same action is not that. */
static bool shadowed(size_t i, unsigned ctx)
{
	for (size_t j = 0; j < i; j++)
		for (size_t k = 0; k < 3 && bindings[j].keys[k] != 0; k++)
			if (bindings[j].keys[k] == bindings[i].keys[0] &&
			    (bindings[j].where & ctx) && bindings[j].action != bindings[i].action)
				return true;
	return false;
}

void keys_status(const struct tui *t, char *buf, size_t len)
{
	buf[0] = '\0';
	if (t->prompt.active) {
		snprintf(buf, len, "%s",
		         t->prompt.kind == PROMPT_HOST
		             ? " type [USER@]HOST  Enter connect  Backspace erase  Esc cancel"
		             : " type a port  Enter open  Backspace erase  Esc cancel");
		return;
	}
	if (t->screen == SCREEN_SOCKETS && t->sv.typing) {
		snprintf(buf, len, " type to search  Enter keep  Backspace erase  Esc clear");
		return;
	}
	bs_textbuf_appendf(buf, len, " %s move",
	                   t->utf8 ? (t->focus == FOCUS_MATRIX ? "↑↓←→" : "↑↓")
	                           : (t->focus == FOCUS_MATRIX ? "hjkl" : "j/k"));
	for (size_t i = 0; i < NBINDINGS; i++) {
		if (!(bindings[i].shown & context(t)) || shadowed(i, context(t)))
			continue; /* the status line lists only what acts here */
		bs_textbuf_appendf(buf, len, "  %s %s", key_label(bindings[i].keys[0], t->utf8),
		                   bindings[i].status);
	}
}

size_t keys_help(const struct tui *t, char lines[][96], size_t max)
{
	size_t n = 0; /* key names are ASCII here so the columns line up */

	for (size_t i = 0; i < NBINDINGS && n < max; i++) {
		char keys[32] = "";
		if (bindings[i].help == NULL)
			continue; /* a second label for a key already listed */
		/* The tour's keys exist only with a tour (bindscope lab --tour). */
		if (t->tour == NULL &&
		    (bindings[i].where == TR || bindings[i].action == ACT_TOUR_RETURN))
			continue;
		/* Bindings in a row with one help text share its line: "Up k Down j  move up, down"
		 */
		size_t last = i;
		while (last + 1 < NBINDINGS && bindings[last + 1].help != NULL &&
		       strcmp(bindings[last + 1].help, bindings[i].help) == 0)
			last++;
		for (size_t j = i; j <= last; j++)
			for (size_t k = 0; k < 3 && bindings[j].keys[k] != 0; k++) {
				if (bindings[j].keys[k] == '\r' ||
				    bindings[j].keys[k] == KEY_ENTER || bindings[j].keys[k] == 127)
					continue;
				bs_textbuf_appendf(keys, sizeof(keys), "%s%s", keys[0] ? " " : "",
				                   key_label(bindings[j].keys[k], false));
			}
		snprintf(lines[n++], 96, "%-16s %s", keys, bindings[i].help);
		i = last;
	}
	return n;
}
