/*
 * Can this terminal run the interactive view? Asked of terminfo before curses starts, so an
 * unknown or missing TERM gets a sentence and exit 2 instead of ncurses' own words, and a
 * terminal that cannot move its cursor (TERM=dumb) is refused instead of drawing nothing.
 * Its own file: <term.h> defines macros (lines, columns) the drawing code must not see.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>

#include "bindscope/textbuf.h"
#include "term_check.h"

static const char plain[] =
    "the same lesson without a full-screen terminal: bindscope probe --open ADDR:PORT";

int term_check(char *why, size_t len)
{
	const char *term = getenv("TERM");
	char safe[64];
	int err = 0;
	char *cup;

	if (term == NULL || term[0] == '\0') {
		snprintf(why, len,
		         "TERM is not set, so the interactive view does not know how to "
		         "draw: run it in a terminal, or set TERM (e.g. TERM=xterm-256color); "
		         "%s",
		         plain);
		return -1;
	}
	bs_text_safe(term, safe, sizeof(safe));
	if (setupterm(NULL, 1, &err) != OK) {
		snprintf(why, len,
		         "the terminal type TERM=%s is %s, so the interactive view cannot "
		         "draw: try TERM=xterm-256color; %s",
		         safe,
		         err == 0 ? "not known here (no terminfo entry for it)"
		                  : "unknown: no terminfo database was found",
		         plain);
		return -1;
	}
	cup = tigetstr("cup");
	if (cup == NULL) { /* "cup" is a string capability: never (char *)-1, NULL when absent */
		snprintf(why, len,
		         "the terminal type TERM=%s cannot move its cursor, which the "
		         "interactive view needs: try TERM=xterm-256color; %s",
		         safe, plain);
		del_curterm(cur_term);
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}
