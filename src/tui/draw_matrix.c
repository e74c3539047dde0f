/* The probe matrix: rows are the sockets on the listeners' ports (ours and others'), columns
 * the addresses and vantages, cells how each socket reads the probe. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

#define LABEL_MAX 30 /* "#12 tcp 192.168.100.100:65535" */
#define LABEL_MIN 12

/* The row labels' column: as wide as the longest label, so narrow screens keep columns. */
static int label_width(const struct bs_matrix *m, size_t nrows)
{
	char label[BS_ENDPOINT_TEXT_MAX + 32];
	int w = LABEL_MIN;

	for (size_t r = 0; r < nrows; r++) {
		bs_matrix_row_label(m, r, label, sizeof(label));
		if ((int)strlen(label) + 3 > w)
			w = (int)strlen(label) + 3;
	}
	return w > LABEL_MAX ? LABEL_MAX : w;
}
#define MIN_COL  10 /* "✗ refused" and a mark */
#define WIDE_COL 22 /* a verdict with its latency */

const char *verdict_symbol(const struct tui *t, enum bs_verdict v)
{
	return bs_verdict_symbol(v, t->utf8);
}

static enum tui_color verdict_color(enum bs_verdict v)
{
	switch (v) {
	case BS_VERDICT_OPEN:
		return C_OPEN;
	case BS_VERDICT_REFUSED:
		return C_REFUSED;
	case BS_VERDICT_OPEN_FILTERED:
	case BS_VERDICT_PENDING:
		return C_WARN;
	default:
		return C_BAD;
	}
}

static void cell_text(const struct tui *t, const struct bs_matrix *m,
                      const struct bs_matrix_cell *cell, int width, char *buf, size_t len)
{
	const struct bs_probe_result *r = &cell->probe->observed;
	const char *name;
	const char *bang = cell->disagree ? " !" : "";

	switch (cell->state) {
	case BS_CELL_SKIPPED:
		snprintf(buf, len, "-");
		return;
	case BS_CELL_PENDING:
		snprintf(buf, len, "%s probing", verdict_symbol(t, BS_VERDICT_PENDING));
		return;
	case BS_CELL_OTHER:
		snprintf(buf, len, "%s #%ld%s", t->utf8 ? "→" : "->", cell->other_row + 1, bang);
		return;
	case BS_CELL_SHARED:
		snprintf(buf, len, "%s shared%s", verdict_symbol(t, BS_VERDICT_OPEN), bang);
		return;
	case BS_CELL_THIS:
	case BS_CELL_UNATTRIBUTED:
	case BS_CELL_NOBODY:
		break;
	}
	if (bs_matrix_vantage_failure(m, cell->probe)[0] != '\0') {
		/* Another machine that could not probe: not a verdict; the log says why. */
		snprintf(buf, len, "? %s", bs_matrix_vantage_fault_word(m, cell->probe));
		return;
	}
	/* The engine's word (ICMP told apart: "prohibited", "refused (icmp)"), but shorter for
	 * open|filtered, the longest, to keep the columns narrow. */
	name = r->verdict == BS_VERDICT_OPEN_FILTERED ? "open|filt"
	                                              : bs_matrix_verdict_word(m, cell->probe);
	if (width >= 17 && r->verdict != BS_VERDICT_ERROR)
		snprintf(buf, len, "%s %s %.1fms%s", verdict_symbol(t, r->verdict), name,
		         (double)r->latency_us / 1000.0, bang);
	else
		snprintf(buf, len, "%s %s%s", verdict_symbol(t, r->verdict), name, bang);
}

/* Print s at (y, x) in at most width columns, cut with '~' when too long. */
static void put_cut(int y, int x, const char *s, int width)
{
	int n = (int)strlen(s);

	if (width <= 0)
		return;
	if (n <= width) {
		mvaddstr(y, x, s);
		return;
	}
	mvaddnstr(y, x, s, width - 1);
	addch('~');
}

/* Terminal columns of UTF-8 text (continuation bytes take none). */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A column as wide as its name and address need (never cut when the screen has room), at
 * least MIN_COL for the verdicts, at most the room there is. */
static int column_width(const struct bs_matrix *m, size_t j, int avail)
{
	const struct bs_matrix_col *c = bs_matrix_col(m, j);
	const char *name =
	    c->kind == BS_COL_PEER ? bs_matrix_vantage(m, c->vantage)->name : c->label;
	int w = MIN_COL;

	if (text_cols(name) + 1 > w)
		w = text_cols(name) + 1;
	if (text_cols(c->text) + 1 > w)
		w = text_cols(c->text) + 1;
	return w > avail ? avail : w;
}

/* The first column to draw so that the selected one is on screen: as far left as allows. */
static size_t first_column(const struct tui *t, const struct bs_matrix *m, size_t ncols, int avail)
{
	size_t first = t->geo.first_col < ncols ? t->geo.first_col : 0;
	int used = 0;

	if (t->sel_col < first)
		return t->sel_col;
	for (size_t j = first; j <= t->sel_col && j < ncols; j++)
		used += column_width(m, j, avail);
	while (used > avail && first < t->sel_col)
		used -= column_width(m, first++, avail);
	return first;
}

static void draw_row(struct tui *t, size_t i, int y, size_t first, size_t shown)
{
	const struct bs_matrix *m = bs_lesson_matrix(t->lesson);
	char label[BS_ENDPOINT_TEXT_MAX + 32], cell[64];
	bool row_sel = t->focus == FOCUS_MATRIX && t->sel_row == i;

	bs_matrix_row_label(m, i, label, sizeof(label));
	if (row_sel)
		attron(A_BOLD);
	put_cut(y, 1, label, t->geo.label_width - 2);
	attroff(A_BOLD);
	for (size_t k = 0; k < shown; k++) {
		size_t j = first + k;
		struct bs_matrix_cell c;
		enum tui_color color;

		int colw = t->geo.col_x[k + 1] - t->geo.col_x[k];

		bs_matrix_cell(m, i, j, &c);
		color =
		    c.state == BS_CELL_OTHER ? C_REFUSED : verdict_color(c.probe->observed.verdict);
		cell_text(t, m, &c, colw, cell, sizeof(cell));
		if (row_sel && t->sel_col == j)
			attron(A_REVERSE);
		term_color_on(t, color);
		mvaddstr(y, t->geo.col_x[k], cell);
		term_color_off(t, color);
		attroff(A_REVERSE);
	}
}

/* Draw the matrix in rows y..y+height-1; returns the rows used. */
int draw_matrix(struct tui *t, int y, int height)
{
	const struct bs_matrix *m = bs_lesson_matrix(t->lesson);
	size_t ncols = bs_matrix_ncols(m);
	size_t nrows = bs_lesson_listener_count(t->lesson) ? bs_matrix_nrows(m) : 0;
	int avail;

	t->geo.label_width = label_width(m, nrows);
	avail = COLS - t->geo.label_width - 1;
	size_t fit = 0, first;
	int x;

	if (ncols > 0 && t->sel_col >= ncols)
		t->sel_col = ncols - 1; /* columns went away (IPv6 hidden, an address removed) */
	if (nrows > 0 && t->sel_row >= nrows)
		t->sel_row = nrows - 1; /* rows went away (a socket closed) */
	first = first_column(t, m, ncols, avail);
	/* Which columns fit at their natural width, from first. */
	x = t->geo.label_width;
	while (first + fit < ncols && fit < TUI_MAX_DRAWN_COLS) {
		int w = column_width(m, first + fit, avail);
		if (x + w > COLS - 1)
			break;
		t->geo.col_x[fit++] = x;
		x += w;
	}
	t->geo.col_x[fit] = x;
	/* Room for every column at WIDE_COL: widen them all, so wide screens show each probe's
	 * latency (all or none: a matrix where some cells have it reads unevenly). */
	if (first == 0 && fit == ncols && fit > 0) {
		int need = 0, shift = 0;
		for (size_t k = 0; k < fit; k++) {
			int w = t->geo.col_x[k + 1] - t->geo.col_x[k];
			need += w < WIDE_COL ? WIDE_COL - w : 0;
		}
		for (size_t k = 0; x + need <= COLS - 1 && k < fit; k++) {
			int w = t->geo.col_x[k + 1] - t->geo.col_x[k] + shift;
			shift += w < WIDE_COL ? WIDE_COL - w : 0;
			t->geo.col_x[k + 1] += shift;
		}
	}
	for (size_t k = 0; k < fit; k++) {
		const struct bs_matrix_col *tg = bs_matrix_col(m, first + k);
		int w = t->geo.col_x[k + 1] - t->geo.col_x[k];
		/* A peer's column is named by the peer ("eth0-peer"); the title says "from". */
		put_cut(y, t->geo.col_x[k],
		        tg->kind == BS_COL_PEER ? bs_matrix_vantage(m, tg->vantage)->name
		                                : tg->label,
		        w - 1);
		put_cut(y + 1, t->geo.col_x[k], tg->text, w - 1);
	}
	mvaddstr(y, 1, first > 0 ? "< more" : "socket");
	mvaddstr(y + 1, 1, fit < ncols - first ? "more >" : "");
	t->geo.ncols_drawn = fit;
	t->geo.first_col = first;
	t->geo.matrix_y = y + 2;
	t->geo.matrix_rows = height - 2;
	if (nrows == 0) {
		mvaddstr(y + 2, 1, "No listener yet. Choose an interface above and press Enter.");
		return height;
	}
	/* Rows scroll so the selected listener is always on screen. */
	size_t visible = (size_t)(height - 2), top = 0;
	if (t->sel_row >= visible)
		top = t->sel_row - visible + 1;
	t->geo.first_row = top;
	for (size_t k = 0; k < visible && top + k < nrows; k++)
		draw_row(t, top + k, y + 2 + (int)k, first, fit);
	if (top > 0 || top + visible < nrows) {
		char more[80];
		snprintf(more, sizeof(more), "rows %zu-%zu of %zu", top + 1,
		         top + visible < nrows ? top + visible : nrows, nrows);
		mvaddstr(y + 1, 1, more);
	}
	return height;
}
