/*
 * A tour running in the lab: each step's actions done for real through the lesson and the
 * lab (listeners, connections from peers, routes, firewall rules, settings), and its
 * expectations checked against the matrix once the step's probes are in.
 *
 * Going back (or restarting) resets the lab, as the reset key does (every listener closed,
 * every change to the lab undone), and does the steps again up to the one asked for: the lab
 * is always as the steps so far leave it, whichever way the user went.
 */
#ifndef BINDSCOPE_TOUR_RUN_H
#define BINDSCOPE_TOUR_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/lab_changes.h"
#include "bindscope/lesson.h"
#include "bindscope/tour.h"

/* One expectation of the step shown: checked yet, held, and what the matrix read. */
struct bs_tour_check {
	bool done;
	bool ok;
	int line;
	char text[BS_ERROR_MSG_MAX + 512];
};

struct bs_tour_run;

/*
 * Run tour (resolved; the run takes it) in the lesson. peers are the lab's (they outlive the
 * run); changes is where its lab changes are written down (NULL outside a lab: then a step
 * that would change the network says it cannot). log(arg, sentence) gets one sentence per
 * event. Returns the run, at no step yet (bs_tour_run_goto(run, 0) starts it), or NULL with err.
 */
struct bs_tour_run *bs_tour_run_new(struct bs_tour *tour, struct bs_lesson *lesson,
                                    struct bs_loop *loop, const struct bs_lab_vantage *peers,
                                    size_t npeers, struct bs_lab_changes *changes,
                                    void (*log)(void *arg, const char *sentence), void *arg,
                                    struct bs_error *err);
void bs_tour_run_free(struct bs_tour_run *run);

/* Show step i (0-based): forward by one does its actions; anything else resets the lab and
 * does steps 0..i again. */
void bs_tour_run_goto(struct bs_tour_run *run, size_t i);

/* Close every listener and undo every change to the lab (the reset key; the tour does it
 * before going back). Says what it undid; returns how many changes were undone. */
size_t bs_lab_reset(struct bs_lesson *lesson, struct bs_lab_changes *changes,
                    void (*log)(void *arg, const char *sentence), void *arg);

/* Call when the lesson changed: checks the step's expectations once its probes are in. */
void bs_tour_run_update(struct bs_tour_run *run);

/* True once the step's expectations are checked and its connections have their answers. */
bool bs_tour_run_settled(const struct bs_tour_run *run);

/* The matrix cell the step's first expectation is about (its row and column now), so a view
 * can keep it on screen; false when the step expects nothing the matrix has. */
bool bs_tour_run_focus(const struct bs_tour_run *run, size_t *row, size_t *col);

size_t bs_tour_run_step(const struct bs_tour_run *run);
const struct bs_tour *bs_tour_run_tour(const struct bs_tour_run *run);
/* The expectations of the step shown, in order; *n of them. */
const struct bs_tour_check *bs_tour_run_checks(const struct bs_tour_run *run, size_t *n);

#endif
