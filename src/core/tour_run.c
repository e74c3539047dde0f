/* A tour running in the lab: actions done for real, expectations checked (tour_run.h). */
#include "bindscope/tour_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/textbuf.h"

struct connect_probe {
	struct bs_tour_run *run;
	struct bs_probe *probe;
	struct bs_endpoint to;
	enum bs_proto proto;
	char from[BS_LAB_NAME_MAX + 16];
	bool done;
};

struct bs_tour_run {
	struct bs_tour tour;
	struct bs_lesson *lesson;
	struct bs_loop *loop;
	const struct bs_lab_vantage *peers;
	size_t npeers;
	struct bs_lab_changes *changes;
	void (*log)(void *arg, const char *sentence);
	void *arg;
	size_t step;
	bool started;
	struct bs_tour_check checks[BS_TOUR_MAX_ACTIONS];
	size_t nchecks;
	bool checking;          /* the step's expectations wait for its probes */
	unsigned long rounds_0; /* the lesson's rounds when the step's actions were done */
	struct connect_probe connects[BS_TOUR_MAX_ACTIONS];
	size_t nconnects;
	struct bs_timer *grace; /* a round that ended unsettled is read anyway 1 s later */
};

#define SETTLE_GRACE_MS 1000

static void say(struct bs_tour_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct bs_tour_run *run, const char *fmt, ...)
{
	char line[BS_ERROR_MSG_MAX + 512];
	va_list ap;

	char safe[4 * sizeof(line)];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A tour file's words and the peers' names come from outside: no control byte passes. */
	bs_text_safe(line, safe, sizeof(safe));
	if (run->log != NULL)
		run->log(run->arg, safe);
}

struct bs_tour_run *bs_tour_run_new(struct bs_tour *tour, struct bs_lesson *lesson,
                                    struct bs_loop *loop, const struct bs_lab_vantage *peers,
                                    size_t npeers, struct bs_lab_changes *changes,
                                    void (*log)(void *arg, const char *sentence), void *arg,
                                    struct bs_error *err)
{
	struct bs_tour_run *run = calloc(1, sizeof(*run));

	if (run == NULL) {
		bs_error_set(err, ENOMEM, "out of memory for the tour");
		return NULL;
	}
	run->tour = *tour;
	memset(tour, 0, sizeof(*tour)); /* the run owns its steps now */
	run->lesson = lesson;
	run->loop = loop;
	run->peers = peers;
	run->npeers = npeers;
	run->changes = changes;
	run->log = log;
	run->arg = arg;
	return run;
}

static void connects_free(struct bs_tour_run *run)
{
	for (size_t i = 0; i < run->nconnects; i++)
		bs_probe_free(run->connects[i].probe);
	run->nconnects = 0;
}

void bs_tour_run_free(struct bs_tour_run *run)
{
	if (run == NULL)
		return;
	connects_free(run);
	bs_timer_cancel(run->grace);
	bs_tour_free(&run->tour);
	free(run);
}

size_t bs_tour_run_step(const struct bs_tour_run *run)
{
	return run->step;
}

const struct bs_tour *bs_tour_run_tour(const struct bs_tour_run *run)
{
	return &run->tour;
}

const struct bs_tour_check *bs_tour_run_checks(const struct bs_tour_run *run, size_t *n)
{
	*n = run->nchecks;
	return run->checks;
}

static const struct bs_lab_vantage *peer_named(const struct bs_tour_run *run, const char *name)
{
	for (size_t i = 0; i < run->npeers; i++)
		if (strcmp(run->peers[i].name, name) == 0)
			return &run->peers[i];
	return NULL;
}

size_t bs_lab_reset(struct bs_lesson *lesson, struct bs_lab_changes *changes,
                    void (*log)(void *arg, const char *sentence), void *arg)
{
	bs_lesson_close_all(lesson);
	return changes != NULL ? bs_lab_changes_undo(changes, log, arg) : 0;
}

/* Actions. */

static void do_listen(struct bs_tour_run *run, const struct bs_tour_action *a)
{
	struct bs_listener_opts opts = bs_listener_opts_default();
	struct bs_endpoint ep;
	struct bs_error err;

	if (bs_endpoint_parse(a->addr, bs_lesson_ifaces(run->lesson), &ep, &err) < 0) {
		say(run, "tour line %d: %s", a->line, err.msg);
		return;
	}
	opts.proto = a->proto;
	opts.v6only = a->v6only;
	opts.reuseport = a->reuseport;
	/* A failure is logged by the lesson itself, in the engine's words. */
	bs_lesson_open(run->lesson, &ep, &opts, &err);
}

static void do_close(struct bs_tour_run *run, const struct bs_tour_action *a)
{
	struct bs_endpoint ep;
	struct bs_error err;

	if (bs_endpoint_parse(a->addr, bs_lesson_ifaces(run->lesson), &ep, &err) < 0) {
		say(run, "tour line %d: %s", a->line, err.msg);
		return;
	}
	for (size_t i = 0; i < bs_lesson_listener_count(run->lesson); i++) {
		const struct bs_listener *l = bs_lesson_listener(run->lesson, i);
		if (bs_listener_proto(l) == a->proto &&
		    bs_endpoint_equal(bs_listener_endpoint(l), &ep)) {
			bs_lesson_close(run->lesson, i);
			return;
		}
	}
	say(run, "tour line %d: no listener is open at %s %s, so none was closed", a->line,
	    bs_proto_name(a->proto), a->addr);
}

static void connect_done(struct bs_probe *probe, void *arg)
{
	struct connect_probe *c = arg;
	const struct bs_probe_result *r = bs_probe_result(probe, 0);
	char to[BS_ENDPOINT_TEXT_MAX];

	c->done = true;
	bs_endpoint_text(&c->to, to, sizeof(to));
	say(c->run, "connect from %s to %s %s: %s (%s)", c->from, bs_proto_name(c->proto), to,
	    bs_verdict_name(r->verdict), bs_probe_reason(r, c->proto, c->to.family));
}

static void connect_target(size_t i, struct bs_endpoint *out, void *arg)
{
	(void)i;
	*out = ((struct connect_probe *)arg)->to;
}

static void do_connect(struct bs_tour_run *run, const struct bs_tour_action *a)
{
	struct bs_probe_opts opts = bs_probe_opts_default();
	const struct bs_lab_vantage *v = a->peer[0] ? peer_named(run, a->peer) : NULL;
	struct connect_probe *c;
	struct bs_error err;

	if (run->nconnects == BS_TOUR_MAX_ACTIONS) {
		say(run, "tour line %d: not connected: %d connections of this step are still out",
		    a->line, BS_TOUR_MAX_ACTIONS);
		return;
	}
	c = &run->connects[run->nconnects];
	memset(c, 0, sizeof(*c));
	c->run = run;
	c->proto = a->proto;
	snprintf(c->from, sizeof(c->from), "%s", v != NULL ? v->name : "this host");
	if (bs_endpoint_parse(a->addr, bs_lesson_ifaces(run->lesson), &c->to, &err) < 0) {
		say(run, "tour line %d: %s", a->line, err.msg);
		return;
	}
	opts.proto = a->proto;
	opts.netns_fd = v != NULL ? v->netns_fd : -1;
	c->probe =
	    bs_probe_start_gen(run->loop, 1, connect_target, c, &opts, connect_done, c, &err);
	if (c->probe == NULL)
		say(run, "tour line %d: cannot connect from %s to %s: %s", a->line, c->from,
		    a->addr, err.msg);
	else
		run->nconnects++;
}

/* A change to the lab itself: only inside a lab, written down for the reset. */
static void do_lab_change(struct bs_tour_run *run, const struct bs_tour_action *a)
{
	const struct bs_lab_vantage *v = a->peer[0] ? peer_named(run, a->peer) : NULL;
	struct bs_error err;
	int rc = -1;

	if (run->changes == NULL) {
		say(run,
		    "tour line %d: this step changes the lab's network, and this is not a lab: "
		    "run the tour with bindscope lab --tour",
		    a->line);
		return;
	}
	if (a->peer[0] && v == NULL) {
		say(run, "tour line %d: this lab has no peer %s", a->line, a->peer);
		return;
	}
	switch (a->what) {
	case BS_TOUR_ROUTE_ADD:
		if ((rc = bs_lab_changes_route_add(run->changes, v, a->net, a->via, &err)) == 0)
			say(run, "%s: route %s via %s added", v->name, a->net, a->via);
		break;
	case BS_TOUR_ROUTE_DEL:
		if ((rc = bs_lab_changes_route_del(run->changes, v, a->net, &err)) == 0)
			say(run, "%s: route %s deleted", v->name, a->net);
		break;
	case BS_TOUR_FIREWALL:
		if ((rc = bs_lab_changes_firewall(run->changes, v, a->text, &err)) == 0)
			say(run, "%s's firewall: nft %s", v != NULL ? v->name : "the workstation",
			    a->text);
		break;
	case BS_TOUR_SYSCTL:
		if ((rc = bs_lab_changes_sysctl(run->changes, a->text, a->value, &err)) == 0)
			say(run, "the workstation's %s is now %s", a->text, a->value);
		break;
	default:
		return;
	}
	if (rc < 0)
		say(run, "tour line %d: %s", a->line, err.msg);
}

static void do_action(struct bs_tour_run *run, const struct bs_tour_action *a)
{
	switch (a->what) {
	case BS_TOUR_LISTEN:
		do_listen(run, a);
		break;
	case BS_TOUR_CLOSE:
		do_close(run, a);
		break;
	case BS_TOUR_CONNECT:
		do_connect(run, a);
		break;
	case BS_TOUR_ROUTE_ADD:
	case BS_TOUR_ROUTE_DEL:
	case BS_TOUR_FIREWALL:
	case BS_TOUR_SYSCTL:
		do_lab_change(run, a);
		break;
	case BS_TOUR_EXPECT:
		break; /* checked once the step's probes are in */
	}
}

static void do_step(struct bs_tour_run *run, size_t i, bool shown)
{
	const struct bs_tour_step *s = &run->tour.steps[i];

	connects_free(
	    run); /* a step's connections are its own (a replayed one's are not waited for) */
	if (shown)
		say(run, "tour step %zu of %zu: %s", i + 1, run->tour.nsteps, s->title);
	for (size_t k = 0; k < s->nactions; k++)
		do_action(run, &s->actions[k]);
}

static bool changes_network(const struct bs_tour_step *s)
{
	for (size_t k = 0; k < s->nactions; k++)
		if (s->actions[k].what == BS_TOUR_ROUTE_ADD ||
		    s->actions[k].what == BS_TOUR_ROUTE_DEL ||
		    s->actions[k].what == BS_TOUR_FIREWALL || s->actions[k].what == BS_TOUR_SYSCTL)
			return true;
	return false;
}

/* The step's expectations, to be checked once a probe round that began after its actions has
 * ended. */
static void arm_checks(struct bs_tour_run *run)
{
	const struct bs_tour_step *s = &run->tour.steps[run->step];

	run->nchecks = 0;
	for (size_t k = 0; k < s->nactions; k++)
		if (s->actions[k].what == BS_TOUR_EXPECT) {
			struct bs_tour_check *c = &run->checks[run->nchecks++];
			memset(c, 0, sizeof(*c));
			c->line = s->actions[k].line;
		}
	run->checking = run->nchecks > 0;
	/* Listeners opened or closed have started a round of their own; a route, a rule or a
	 * setting changes what every probe meets, so it needs one. A round still running from
	 * before the step is good when the step changed nothing; else one more. */
	if (changes_network(s) || (run->checking && !bs_lesson_probing(run->lesson)))
		bs_lesson_reprobe(run->lesson);
	run->rounds_0 = bs_lesson_rounds(run->lesson);
}

void bs_tour_run_goto(struct bs_tour_run *run, size_t i)
{
	if (i >= run->tour.nsteps)
		return;
	connects_free(run);
	bs_timer_cancel(run->grace);
	run->grace = NULL;
	if (run->started && i == run->step + 1) {
		run->step = i;
		do_step(run, i, true);
	} else {
		if (run->started || bs_lesson_listener_count(run->lesson) > 0) {
			say(run,
			    i == 0
			        ? "tour: from the start: the lab is reset"
			        : "tour: back to step %zu: the lab is reset, and the steps up to "
			          "it are done again",
			    i + 1);
			bs_lab_reset(run->lesson, run->changes, run->log, run->arg);
		}
		for (size_t k = 0; k < i; k++)
			do_step(run, k, false);
		run->step = i;
		do_step(run, i, true);
	}
	run->started = true;
	arm_checks(run);
}

/* Expectations. */

static long row_of(const struct bs_matrix *m, enum bs_proto proto, const struct bs_endpoint *ep)
{
	size_t nsock;
	const struct bs_socket *socks = bs_matrix_sockets(m, &nsock);

	for (size_t r = 0; r < bs_matrix_nrows(m); r++) {
		const struct bs_matrix_row *row = bs_matrix_row(m, r);
		if (row->socket && row->sock < nsock && socks[row->sock].proto == proto &&
		    bs_endpoint_equal(&socks[row->sock].local, ep))
			return (long)r;
	}
	return -1;
}

static long col_of(const struct bs_matrix *m, const char *at, const char *peer)
{
	struct bs_endpoint addr;
	char text[BS_LAB_ADDR_MAX + 8];
	bool localhost = strcmp(at, "localhost") == 0;

	snprintf(text, sizeof(text), strchr(at, ':') ? "[%s]:1" : "%s:1", at);
	if (!localhost && bs_endpoint_parse(text, NULL, &addr, NULL) < 0)
		return -1;
	for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		const struct bs_vantage *v = bs_matrix_vantage(m, col->vantage);
		if (peer[0] ? strcmp(v->name, peer) != 0 || !v->peer : col->vantage != 0)
			continue;
		if (localhost
		        ? col->kind == BS_COL_LOCALHOST
		        : col->kind != BS_COL_LOCALHOST && bs_endpoint_same_addr(&col->addr, &addr))
			return (long)c;
	}
	return -1;
}

/* What the matrix reads for the expectation: "open" only where this socket took it. */
static bool holds(const struct bs_matrix *m, size_t r, size_t c, enum bs_verdict want)
{
	struct bs_matrix_cell cell;

	bs_matrix_cell(m, r, c, &cell);
	if (cell.probe == NULL || cell.state == BS_CELL_PENDING || cell.state == BS_CELL_SKIPPED)
		return false;
	if (want == BS_VERDICT_OPEN)
		return cell.state == BS_CELL_THIS || cell.state == BS_CELL_SHARED;
	return cell.probe->observed.verdict == want && cell.state == BS_CELL_NOBODY;
}

static void check_one(struct bs_tour_run *run, const struct bs_tour_action *a,
                      struct bs_tour_check *c)
{
	const struct bs_matrix *m = bs_lesson_matrix(run->lesson);
	char where[BS_LAB_ADDR_MAX * 4 + 64], got[BS_ERROR_MSG_MAX];
	struct bs_endpoint ep;
	long r = -1, col = -1;

	snprintf(where, sizeof(where), "from %s to %s, socket %s %s",
	         a->peer[0] ? a->peer : "this host", a->at, bs_proto_name(a->proto), a->addr);
	c->done = true;
	if (bs_endpoint_parse(a->addr, bs_lesson_ifaces(run->lesson), &ep, NULL) == 0)
		r = row_of(m, a->proto, &ep);
	if (r >= 0)
		col = col_of(m, a->at, a->peer);
	if (r < 0 || col < 0) {
		c->ok = false;
		if (r < 0)
			snprintf(c->text, sizeof(c->text),
			         "not checked (line %d): %s was to be %s, but no socket is bound "
			         "to %s %s "
			         "(the log says why it did not open)",
			         a->line, where, bs_verdict_name(a->verdict),
			         bs_proto_name(a->proto), a->addr);
		else if (bs_lesson_only_v4(run->lesson))
			snprintf(c->text, sizeof(c->text),
			         "not checked (line %d): %s was to be %s, and the zoom hides that "
			         "column "
			         "(z shows it)",
			         a->line, where, bs_verdict_name(a->verdict));
		else
			snprintf(c->text, sizeof(c->text),
			         "not checked (line %d): %s was to be %s, and this lab's matrix "
			         "has no such "
			         "column (is %s an address here, probed from there?)",
			         a->line, where, bs_verdict_name(a->verdict), a->at);
		return;
	}
	c->ok = holds(m, (size_t)r, (size_t)col, a->verdict);
	bs_matrix_probe_text(m,
	                     bs_matrix_probe_at(m, bs_matrix_row(m, (size_t)r)->port, (size_t)col),
	                     got, sizeof(got));
	if (c->ok)
		snprintf(c->text, sizeof(c->text), "as expected: %s: %s", where, got);
	else
		snprintf(
		    c->text, sizeof(c->text),
		    "the kernel disagrees with the tour (line %d): %s was to be %s, and reads: %s",
		    a->line, where, bs_verdict_name(a->verdict), got);
}

static void check_all(struct bs_tour_run *run)
{
	const struct bs_tour_step *s = &run->tour.steps[run->step];
	size_t n = 0;

	run->checking = false;
	bs_timer_cancel(run->grace);
	run->grace = NULL;
	for (size_t k = 0; k < s->nactions; k++) {
		if (s->actions[k].what != BS_TOUR_EXPECT)
			continue;
		check_one(run, &s->actions[k], &run->checks[n]);
		say(run, "tour: %s", run->checks[n].text);
		n++;
	}
}

static void grace_over(void *arg)
{
	struct bs_tour_run *run = arg;

	bs_timer_cancel(run->grace); /* fired: gone whatever follows, so another can be armed */
	run->grace = NULL;
	if (run->checking && !bs_lesson_probing(run->lesson) &&
	    bs_lesson_rounds(run->lesson) > run->rounds_0)
		check_all(run);
}

void bs_tour_run_update(struct bs_tour_run *run)
{
	if (!run->checking || bs_lesson_probing(run->lesson) ||
	    bs_lesson_rounds(run->lesson) <= run->rounds_0)
		return;
	if (bs_matrix_settled(bs_lesson_matrix(run->lesson))) {
		check_all(run);
		return;
	}
	/* Our listeners still have to say which of them took some probe: that comes within
	 * milliseconds, or (a datagram lost after its probe's deadline) never. */
	if (run->grace == NULL)
		run->grace =
		    bs_loop_timer(run->loop, SETTLE_GRACE_MS, false, grace_over, run, NULL);
}

bool bs_tour_run_settled(const struct bs_tour_run *run)
{
	for (size_t i = 0; i < run->nchecks; i++)
		if (!run->checks[i].done)
			return false;
	for (size_t i = 0; i < run->nconnects; i++)
		if (!run->connects[i].done)
			return false;
	return true;
}

bool bs_tour_run_focus(const struct bs_tour_run *run, size_t *row, size_t *col)
{
	const struct bs_tour_step *s = &run->tour.steps[run->step];
	const struct bs_matrix *m = bs_lesson_matrix(run->lesson);

	for (size_t k = 0; k < s->nactions; k++) {
		const struct bs_tour_action *a = &s->actions[k];
		struct bs_endpoint ep;
		long r, c;
		if (a->what != BS_TOUR_EXPECT ||
		    bs_endpoint_parse(a->addr, bs_lesson_ifaces(run->lesson), &ep, NULL) < 0 ||
		    (r = row_of(m, a->proto, &ep)) < 0 || (c = col_of(m, a->at, a->peer)) < 0)
			continue;
		*row = (size_t)r;
		*col = (size_t)c;
		return true;
	}
	return false;
}
