/*
 * The tour (`bindscope lab --tour [FILE]`): a tour file's steps one at a time in the explain
 * panel, ready for a projector. The engine's bs_tour_run does each step for real; this file
 * only moves between steps and shows the step with what its expectations found.
 */
#include <stdio.h>
#include <string.h>

#include "tui.h"

static bool running(const struct tui *t)
{
	return t->tour != NULL && t->tour_shown;
}

static void go(struct tui *t, size_t step)
{
	size_t row, col;

	bs_tour_run_goto(t->tour, step);
	t->focus = FOCUS_MATRIX;
	/* The cell the step talks about is chosen, so its column is on screen however narrow. */
	if (bs_tour_run_focus(t->tour, &row, &col)) {
		t->sel_row = row;
		t->sel_col = col;
	}
}

void tour_next(struct tui *t)
{
	size_t step = bs_tour_run_step(t->tour);

	if (step + 1 < bs_tour_run_tour(t->tour)->nsteps)
		go(t, step + 1);
	else
		tui_log(t, "this is the tour's last step: Esc leaves it, r starts it again");
}

void tour_back(struct tui *t)
{
	size_t step = bs_tour_run_step(t->tour);

	if (step == 0)
		tui_log(t, "this is the tour's first step");
	else
		go(t, step - 1);
}

void tour_restart(struct tui *t)
{
	go(t, 0);
}

void tour_leave(struct tui *t)
{
	t->tour_shown = false;
	tui_log(t, "tour left: the lab is yours (T goes back to the tour)");
}

void tour_return(struct tui *t)
{
	if (t->tour == NULL) {
		tui_log(t, "no tour is loaded: start one with bindscope lab --tour");
		return;
	}
	t->tour_shown = true;
	/* The lab may have changed meanwhile: the step is set up again from a reset lab. */
	go(t, bs_tour_run_step(t->tour));
}

static void log_sentence(void *arg, const char *sentence)
{
	tui_log(arg, sentence);
}

void tour_reset_lab(struct tui *t)
{
	size_t listeners = bs_lesson_listener_count(t->lesson);
	size_t changes = t->lab_changes != NULL ? bs_lab_changes_count(t->lab_changes) : 0;
	size_t undone = bs_lab_reset(t->lesson, t->lab_changes, log_sentence, t);
	char line[200];

	if (undone == changes)
		snprintf(line, sizeof(line),
		         "reset: %zu listener%s closed, %zu change%s to the lab undone", listeners,
		         listeners == 1 ? "" : "s", changes, changes == 1 ? "" : "s");
	else
		snprintf(
		    line, sizeof(line),
		    "reset: %zu listener%s closed, %zu of %zu changes to the lab undone (the log "
		    "says which could not be)",
		    listeners, listeners == 1 ? "" : "s", undone, changes);
	tui_log(t, line);
	if (running(t)) {
		t->tour_shown = false;
		tui_log(t, "tour left, as the lab was reset (T sets its step up again)");
	}
}

size_t tour_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	const struct bs_tour *tour = bs_tour_run_tour(t->tour);
	size_t step = bs_tour_run_step(t->tour), nchecks, n = 0, held = 0, pending = 0;
	const struct bs_tour_step *s = &tour->steps[step];
	const struct bs_tour_check *checks = bs_tour_run_checks(t->tour, &nchecks);

	if (max < 3)
		return 0;
	snprintf(lines[n++], EXPLAIN_LINE, "Tour %zu/%zu: %s. %s", step + 1, tour->nsteps, s->title,
	         s->text);
	for (size_t k = 0; k < nchecks; k++) {
		held += checks[k].done && checks[k].ok;
		pending += !checks[k].done;
	}
	/* What holds is summed up (the log has each); what the kernel disagrees with is shown. */
	if (pending > 0)
		snprintf(lines[n++], EXPLAIN_LINE,
		         "%s checking %zu expectation%s: the probes are not in yet",
		         t->utf8 ? "…" : "~", nchecks, nchecks == 1 ? "" : "s");
	else if (nchecks == 1 && held == 1)
		snprintf(lines[n++], EXPLAIN_LINE, "%s its expectation holds (the log says how)",
		         t->utf8 ? "✓" : "+");
	else if (nchecks > 0 && held == nchecks)
		snprintf(lines[n++], EXPLAIN_LINE,
		         "%s %zu of %zu expectations hold (the log has each)", t->utf8 ? "✓" : "+",
		         held, nchecks);
	for (size_t k = 0; k < nchecks && n + 1 < max; k++)
		if (checks[k].done && !checks[k].ok)
			snprintf(lines[n++], EXPLAIN_LINE, "%s %s", t->utf8 ? "✗" : "!",
			         checks[k].text);
	snprintf(
	    lines[n++], EXPLAIN_LINE, "%s",
	    step + 1 < tour->nsteps
	        ? "Space: next step   Backspace: back   r: from the start   Esc: leave the tour"
	        : "The end.   Backspace: back   r: from the start   Esc: leave the tour");
	return n;
}

bool tour_showing(const struct tui *t)
{
	return running(t);
}
