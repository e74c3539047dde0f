/*
 * `bindscope lab --tour FILE --check`: a tour run without the screen, step after step, each
 * step's expectations checked against the kernel, for a teacher to try a tour before class (and
 * for the tests). Prints what happened per step; exits 0 when every expectation held, 1 when the
 * kernel disagreed with one (or a step's probes did not come in).
 */
#include <langinfo.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/lab_changes.h"
#include "bindscope/textbuf.h"
#include "bindscope/lesson.h"
#include "bindscope/tour_run.h"
#include "cli_util.h"
#include "commands.h"
#include "tour_check.h"

#define STEP_DEADLINE_US 20000000u /* a step's probes (and its settling) take < 2 s */

/* Text from the tour file, safe for the terminal. */
static const char *safe(const char *text)
{
	static char buf[4 * BS_TOUR_TEXT_MAX];

	bs_text_safe(text, buf, sizeof(buf));
	return buf;
}

struct check_state {
	struct bs_tour_run *run;
	bool utf8;
};

/* The tour's own sentences and the engine's failures; the per-connection chatter is left out. */
static void on_tour_log(void *arg, const char *sentence)
{
	(void)arg;
	if (strncmp(sentence, "tour: ", 6) == 0 || strncmp(sentence, "tour step ", 10) == 0)
		return; /* said below, with the step */
	printf("    %s\n", sentence);
}

static void on_lesson_log(void *arg, const char *sentence)
{
	(void)arg;
	if (strncmp(sentence, "cannot ", 7) == 0 || strstr(sentence, "failed") != NULL)
		printf("    %s\n", sentence);
}

static void on_changed(void *arg)
{
	struct check_state *st = arg;

	if (st->run != NULL)
		bs_tour_run_update(st->run);
}

/* Step i: done, waited for, reported. Returns the expectations that did not hold. */
static size_t check_step(struct check_state *st, struct bs_loop *loop, size_t i)
{
	const struct bs_tour *tour = bs_tour_run_tour(st->run);
	uint64_t deadline;
	const struct bs_tour_check *c;
	size_t n, failed = 0;

	printf("step %zu/%zu: %s\n", i + 1, tour->nsteps, safe(tour->steps[i].title));
	fflush(stdout);
	bs_tour_run_goto(st->run, i);
	deadline = bs_now_us() + STEP_DEADLINE_US;
	while (!bs_tour_run_settled(st->run) && bs_now_us() < deadline)
		bs_loop_turn(loop, 100);
	c = bs_tour_run_checks(st->run, &n);
	for (size_t k = 0; k < n; k++) {
		if (!c[k].done)
			printf("  %s line %d: not checked: the step's probes did not come in "
			       "within %u s\n",
			       st->utf8 ? "✗" : "!", c[k].line, STEP_DEADLINE_US / 1000000u);
		else
			printf("  %s %s\n",
			       c[k].ok ? (st->utf8 ? "✓" : "+") : (st->utf8 ? "✗" : "!"),
			       safe(c[k].text));
		failed += !c[k].done || !c[k].ok;
	}
	return failed;
}

int tour_check_run(const struct bs_lab *lab, struct bs_tour *tour)
{
	const char *codeset = nl_langinfo(CODESET);
	struct check_state st = {.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0};
	struct bs_lesson_events events = {.changed = on_changed, .log = on_lesson_log, .arg = &st};
	struct bs_lab_vantage peers[BS_LESSON_MAX_VANTAGES];
	size_t npeers = bs_lab_vantages(peers, BS_LESSON_MAX_VANTAGES), failed = 0, expects = 0;
	struct bs_lab_changes *changes = NULL;
	struct bs_lesson *lesson = NULL;
	struct bs_error err;
	struct bs_loop *loop = bs_loop_new(&err);
	int rc = BS_EXIT_FAILURE;

	if (loop == NULL || (lesson = bs_lesson_new(loop, &events, &err)) == NULL ||
	    (changes = bs_lab_changes_new(lab, &err)) == NULL ||
	    (st.run = bs_tour_run_new(tour, lesson, loop, peers, npeers, changes, on_tour_log, NULL,
	                              &err)) == NULL) {
		cli_error_show(&err);
		goto out;
	}
	bs_lesson_set_vantages(lesson, peers, npeers);
	printf("%s\n",
	       bs_tour_run_tour(st.run)->title[0] ? safe(bs_tour_run_tour(st.run)->title) : "tour");
	for (size_t i = 0; i < bs_tour_run_tour(st.run)->nsteps; i++) {
		const struct bs_tour_step *s = &bs_tour_run_tour(st.run)->steps[i];
		for (size_t k = 0; k < s->nactions; k++)
			expects += s->actions[k].what == BS_TOUR_EXPECT;
		failed += check_step(&st, loop, i);
	}
	printf("%zu of %zu expectations held%s\n", expects - failed, expects,
	       failed ? ": the kernel disagrees with the tour where it says so above" : "");
	rc = failed ? BS_EXIT_FAILURE : BS_EXIT_OK;
out:
	bs_tour_run_free(st.run);
	bs_lesson_free(lesson);
	bs_lab_changes_free(changes);
	bs_loop_free(loop);
	bs_lab_vantages_close(peers, npeers);
	return rc;
}
