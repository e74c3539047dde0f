/*
 * The ncurses face. State lives in one struct tui; each file has one job:
 *   tui_main.c  start, the loop, signals, teardown       term.c     curses on/off, crash restore
 *   term_check.c  can this terminal draw (terminfo)?      keys.c     the key table and actions
 *   prompt.c    the port prompt                           rows.c     the interface panel's rows
 *   draw.c      layout, the small panels, the log         draw_matrix.c  the probe matrix
 *   explain.c   the explain panel's text                  sockets_view.c the sockets screen
 *   tour.c      the guided tour of the lab                handout.c  e: the lesson as a handout
 * The TUI never touches a socket: everything goes through the engine's bs_lesson.
 */
#ifndef BINDSCOPE_TUI_H
#define BINDSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/firewall.h"
#include "bindscope/lab_changes.h"
#include "bindscope/lesson.h"
#include "bindscope/netns_list.h"
#include "bindscope/sockets.h"
#include "bindscope/tour_run.h"

#define TUI_MIN_COLS     80
#define TUI_MIN_LINES    24
#define TUI_LOG_LINES    200
#define TUI_DEFAULT_PORT "8081" /* what the port prompt offers */
#define EXPLAIN_LINE     2048

enum tui_focus {
	FOCUS_IFACES,
	FOCUS_LISTENERS,
	FOCUS_MATRIX,
	FOCUS_SOCKETS, /* the sockets screen (one panel) */
};

/* Matrix columns drawn at once at most (a screen 640 characters wide); the rest scroll. */
#define TUI_MAX_DRAWN_COLS 64

enum tui_screen {
	SCREEN_LESSON,  /* interfaces, listeners, matrix, explain, log */
	SCREEN_SOCKETS, /* every listening socket of this machine */
};

/* The sockets screen: the system's listening sockets, filtered, and one probed row. */
struct sockets_view {
	struct bs_socket_list list;
	size_t sel;
	int proto_filter; /* 0 both, 1 TCP, 2 UDP */
	bool exposed_only;
	bool all_ns;                   /* n: every network namespace, each read from inside */
	struct bs_netns_census census; /* what the last read of every namespace saw */
	char search[64]; /* `/`: shown only what contains it (port, program, user...) */
	bool typing;     /* the search is being typed: keys go to it */
	size_t *shown;   /* indexes into list of what passes the filters, in order */
	size_t nshown;
	struct bs_timer *refresh; /* re-reads the list while the screen is shown */
	struct bs_socket probed;  /* the socket whose port the probe row is about */
	char error[BS_ERROR_MSG_MAX];
	struct bs_fw_ruleset *fw; /* re-read with the list; NULL: not read, fw_why says why */
	char fw_why[BS_ERROR_MSG_MAX + 32];
};

/* A row of the interfaces panel: an address to bind, or a wildcard. */
struct iface_row {
	char name[4 * IF_NAMESIZE]; /* "eth0", "0.0.0.0"; made safe for the terminal */
	char addr[64];              /* "192.168.0.110/24", "all IPv4 interfaces" */
	bool up;
	bool bindable; /* false: an interface without an address of this family */
	bool wildcard;
	struct bs_endpoint bind; /* port 0 */
};

enum prompt_kind {
	PROMPT_PORT, /* Enter on an interface: the port to listen on */
	PROMPT_HOST, /* v: [USER@]HOST to probe from over ssh */
};

struct tui_prompt {
	bool active;
	enum prompt_kind kind;
	bool fresh; /* the default is shown; the first digit replaces it */
	char text[BS_REMOTE_HOST_MAX];
	char error[BS_ERROR_MSG_MAX];
	struct iface_row row;
};

/* Where things were drawn, for mouse clicks. */
struct tui_geometry {
	int ifaces_y, ifaces_rows, ifaces_first;
	int listeners_y, listeners_x, listeners_rows, listeners_first;
	int matrix_y, matrix_rows;
	int label_width;                   /* the matrix's row labels */
	int col_x[TUI_MAX_DRAWN_COLS + 1]; /* more columns than fit scroll, with a hint */
	size_t ncols_drawn, first_col, first_row;
};

struct tui {
	struct bs_loop *loop;
	struct bs_lesson *lesson;
	struct iface_row *rows; /* one per address, sized to the machine */
	size_t nrows, rows_cap;
	size_t rows_lost; /* rows that did not fit in memory: the panel says how many */
	size_t sel_iface, sel_listener, sel_row, sel_col;
	enum tui_focus focus;
	bool show_ipv6, mouse, help, quit, dirty;
	bool zoom; /* z: IPv4 columns only */
	bool utf8, color;
	enum bs_proto next_proto;
	int v6only;         /* -1: the system's default */
	int sys_bindv6only; /* that default, net.ipv6.bindv6only, read at start */
	struct tui_prompt prompt;
	char log[TUI_LOG_LINES][600]; /* a sentence; wrapped when drawn */
	size_t log_count;
	struct tui_geometry geo;
	int stop_signal;
	struct bs_tour_run *tour;           /* `bindscope lab --tour`, or NULL */
	bool tour_shown;                    /* false once Esc left it (T comes back) */
	struct bs_lab_changes *lab_changes; /* in the lab: what X (reset) undoes; else NULL */
	struct bs_lab_vantage vantages[BS_LESSON_MAX_VANTAGES];
	size_t nvantages;
	const char *ssh_command; /* --ssh, else $BINDSCOPE_SSH, else NULL: ssh */
	enum tui_screen screen;
	enum tui_focus lesson_focus; /* the focus to return to from the sockets screen */
	struct sockets_view sv;
};

/* term.c */
void term_start(struct tui *t);
void term_stop(void);
void term_resize(void);
void term_set_mouse(bool on);
enum tui_color { C_NORMAL, C_OPEN, C_REFUSED, C_BAD, C_WARN, C_TITLE };
void term_color_on(const struct tui *t, enum tui_color c);
void term_color_off(const struct tui *t, enum tui_color c);

/* rows.c */
void rows_rebuild(struct tui *t);
void rows_free(struct tui *t);

/* prompt.c */
void prompt_open(struct tui *t);
void prompt_open_host(struct tui *t);
void prompt_key(struct tui *t, int key);

/* keys.c */
void keys_handle(struct tui *t, int key);
/* Fill buf with "key label" pairs for the status line of the current focus. */
void keys_status(const struct tui *t, char *buf, size_t len);
/* The help overlay's lines, one per action: returns the count written. */
size_t keys_help(const struct tui *t, char lines[][96], size_t max);

/* draw.c */
void draw_all(struct tui *t);
void tui_log(struct tui *t, const char *sentence);

/* draw_matrix.c */
int draw_matrix(struct tui *t, int y, int height);
const char *verdict_symbol(const struct tui *t, enum bs_verdict v);

/* sockets_view.c */
void sockets_view_show(struct tui *t, bool on);
void sockets_view_draw(struct tui *t, int y, int height);
void sockets_view_move(struct tui *t, int dy);
void sockets_view_probe(struct tui *t);
void sockets_view_refresh(struct tui *t);
/* Apply the filters again (one changed): the chosen row goes back to the first. */
void sockets_view_filter(struct tui *t);
/* `/` starts typing a search; keys then go to sockets_view_search_key until Enter or Esc. */
void sockets_view_search_start(struct tui *t);
void sockets_view_search_key(struct tui *t, int key);
void sockets_view_free(struct tui *t);

/* tour.c: the guided walk through a tour file's steps, for a projector */
void tour_next(struct tui *t);
void tour_back(struct tui *t);
void tour_restart(struct tui *t);
void tour_leave(struct tui *t);
void tour_return(struct tui *t); /* T: back into the tour left with Esc */
bool tour_showing(const struct tui *t);
/* X: close every listener and undo the lab's changes (routes, rules, settings). */
void tour_reset_lab(struct tui *t);
/* The current step's lines for the explain panel. */
size_t tour_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max);

/* handout.c: e writes the lesson as an HTML handout, named in the log */
void handout_write_file(struct tui *t);

/* explain.c */
size_t explain_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max);

#endif
