/* Curses on and off, colours, resize, mouse, and the one signal handler: crash → restore. */
#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tui.h"

static volatile sig_atomic_t curses_on;

/*
 * A crash must not leave the terminal raw and invisible. endwin() is not async-signal-safe,
 * but the process is dying anyway: restore what can be restored, then die as the signal
 * intended (htop and tmux do the same).
 */
static void crash_handler(int sig)
{
	if (curses_on)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_crash_handler(void)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

void term_start(struct tui *t)
{
	const char *no_color = getenv("NO_COLOR");
	const char *codeset = nl_langinfo(CODESET);

	install_crash_handler();
	set_escdelay(25);
	initscr();
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	t->utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	t->color = has_colors() && (no_color == NULL || no_color[0] == '\0');
	if (t->color) {
		start_color();
		use_default_colors();
		init_pair(C_OPEN, COLOR_GREEN, -1);
		init_pair(C_REFUSED, -1, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_WARN, COLOR_YELLOW, -1);
		init_pair(C_TITLE, COLOR_CYAN, -1);
	}
	term_set_mouse(t->mouse);
}

void term_stop(void)
{
	if (!curses_on)
		return;
	curses_on = 0;
	endwin();
}

void term_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clear();
}

void term_set_mouse(bool on)
{
	mousemask(on ? (BUTTON1_CLICKED | BUTTON1_PRESSED) : 0, NULL);
	mouseinterval(0);
}

void term_color_on(const struct tui *t, enum tui_color c)
{
	if (c == C_REFUSED)
		attron(A_DIM);
	if (c == C_BAD || c == C_TITLE)
		attron(A_BOLD);
	if (t->color && c != C_NORMAL)
		attron(COLOR_PAIR(c));
}

void term_color_off(const struct tui *t, enum tui_color c)
{
	if (t->color && c != C_NORMAL)
		attroff(COLOR_PAIR(c));
	attroff(A_DIM | A_BOLD);
}
