/*
 * `bindscope` (no command) or `bindscope tui`: the interactive explorer. One loop: the
 * terminal's input, signals, listeners, probes and interface changes all arrive as events;
 * the screen is redrawn once per turn when something changed, and never when idle.
 */
#include <curses.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bindscope/sysinfo.h"
#include "term_check.h"
#include "tui.h"
#include "tui_entry.h"

static const char tui_usage[] =
    "Usage: bindscope [tui] [--from-host [USER@]HOST]... [--ssh CMD]\n"
    "\n"
    "The interactive explorer: choose an interface (or 0.0.0.0, all of them) and a port,\n"
    "bindscope opens a listener there and probes it on every address of this machine.\n"
    "Press ? inside for the keys. Listeners close when bindscope quits.\n"
    "\n"
    "  -H, --from-host [USER@]HOST  probe from that machine too, over ssh (as the key v\n"
    "                               does; repeatable): `ssh -T -o BatchMode=yes HOST\n"
    "                               bindscope agent` must log in without a password\n"
    "      --ssh CMD                the ssh command (default: $BINDSCOPE_SSH, else ssh)\n"
    "  -h, --help                   show this help\n";

static void on_changed(void *arg)
{
	struct tui *t = arg;

	t->dirty = true;
	if (t->tour != NULL)
		bs_tour_run_update(t->tour); /* a step's expectations, once its probes are in */
}

static void on_log(void *arg, const char *sentence)
{
	tui_log(arg, sentence);
}

static void on_input(int fd, uint32_t events, void *arg)
{
	struct tui *t = arg;
	int key;

	(void)fd;
	if (events & (EPOLLHUP | EPOLLERR)) {
		t->quit = true; /* the terminal went away */
		return;
	}
	while ((key = getch()) != ERR)
		keys_handle(t, key);
	t->dirty = true;
}

static void on_signal(int signo, void *arg)
{
	struct tui *t = arg;

	if (signo == SIGWINCH) {
		term_resize();
		t->dirty = true;
		return;
	}
	t->stop_signal = signo;
	t->quit = true;
}

struct tui_args {
	const char *hosts[BS_LESSON_MAX_HOSTS];
	size_t nhosts;
	const char *ssh;
};

/* --from-host HOST: checked before the terminal is taken, so a mistake is a plain message. */
static int add_host_arg(struct tui_args *a, const char *host)
{
	struct bs_error err;

	if (a->nhosts == BS_LESSON_MAX_HOSTS) {
		fprintf(stderr, "bindscope tui: at most %d --from-host hosts\n",
		        BS_LESSON_MAX_HOSTS);
		return 2;
	}
	if (bs_remote_host_check(host, &err) < 0) {
		fprintf(stderr, "bindscope tui: --from-host '%.64s': %s\n", host, err.msg);
		return 2;
	}
	a->hosts[a->nhosts++] = host;
	return -1;
}

static int parse(int argc, char **argv, struct tui_args *a)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"from-host", required_argument, NULL, 'H'},
	    {"ssh", required_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	char why[512];
	int c, rc;

	optind = 0;
	a->ssh = getenv("BINDSCOPE_SSH");
	while ((c = getopt_long(argc, argv, "hH:", longopts, NULL)) != -1) {
		if (c == 'H' && (rc = add_host_arg(a, optarg)) >= 0)
			return rc;
		if (c == 'H')
			continue;
		if (c == 'S') {
			a->ssh = optarg;
			continue;
		}
		if (c == 'h') {
			fputs(tui_usage, stdout);
			return 0;
		}
		fputs("Try 'bindscope tui --help'.\n", stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "bindscope tui: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("bindscope: the interactive view needs a terminal; in scripts use 'bindscope "
		      "list', 'probe' or 'listen' (see 'bindscope --help')\n",
		      stderr);
		return 2;
	}
	if (term_check(why, sizeof(why)) < 0) {
		fprintf(stderr, "bindscope: %s\n", why);
		return 2;
	}
	return -1;
}

static int run(struct tui *t)
{
	struct bs_error err;

	term_start(t);
	rows_rebuild(t);
	if (bs_loop_watch(t->loop, STDIN_FILENO, EPOLLIN, on_input, t, &err) == NULL) {
		term_stop();
		fprintf(stderr, "bindscope: %s\n", err.msg);
		return 1;
	}
	tui_log(t, "choose an interface and press Enter to listen; ? shows the keys");
	while (!t->quit) {
		if (t->dirty) {
			rows_rebuild(t);
			draw_all(t);
		}
		if (bs_loop_turn(t->loop, -1) < 0)
			break;
	}
	term_stop();
	return 0;
}

/* The lab's reset and its tour: only in the lab's own process (cmd_tui_lab). */
static int start_lab(struct tui *t, const struct bs_lab *lab, struct bs_tour *tour)
{
	struct bs_error err;

	if (lab == NULL)
		return 0;
	if ((t->lab_changes = bs_lab_changes_new(lab, &err)) == NULL)
		return fprintf(stderr, "bindscope: %s\n", err.msg), -1;
	if (tour == NULL)
		return 0;
	t->tour = bs_tour_run_new(tour, t->lesson, t->loop, t->vantages, t->nvantages,
	                          t->lab_changes, on_log, t, &err);
	if (t->tour == NULL)
		return fprintf(stderr, "bindscope: %s\n", err.msg), -1;
	t->tour_shown = true;
	bs_tour_run_goto(t->tour, 0);
	t->focus = FOCUS_MATRIX;
	return 0;
}

static int session(const struct tui_args *args, const struct bs_lab *lab, struct bs_tour *tour)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
	static struct tui t;
	struct bs_lesson_events events = {.changed = on_changed, .log = on_log, .arg = &t};
	struct bs_error err;
	int rc;

	memset(&t, 0, sizeof(t));
	t.v6only = -1;
	t.sys_bindv6only = bs_sysinfo_bindv6only();
	t.mouse = true;
	t.dirty = true;
	t.loop = bs_loop_new(&err);
	if (t.loop == NULL || bs_loop_handle_signals(t.loop, signals, 4, on_signal, &t, &err) < 0 ||
	    (t.lesson = bs_lesson_new(t.loop, &events, &err)) == NULL) {
		fprintf(stderr, "bindscope: %s\n", err.msg);
		bs_loop_free(t.loop);
		return 1;
	}
	/* Inside `bindscope lab`, each peer host is one more column of the matrix. */
	t.nvantages = bs_lab_vantages(t.vantages, BS_LESSON_MAX_VANTAGES);
	if (t.nvantages > 0)
		bs_lesson_set_vantages(t.lesson, t.vantages, t.nvantages);
	t.ssh_command = args->ssh;
	for (size_t i = 0; i < args->nhosts; i++)
		if (bs_lesson_add_host(t.lesson, args->hosts[i], t.ssh_command, &err) < 0)
			tui_log(&t, err.msg);
	rc = start_lab(&t, lab, tour) < 0 ? 1 : run(&t);
	bs_tour_run_free(t.tour);
	sockets_view_free(&t);
	bs_lesson_free(t.lesson);
	bs_lab_changes_free(t.lab_changes);
	rows_free(&t);
	bs_loop_discard_signals(t.loop);
	bs_loop_free(t.loop);
	bs_lab_vantages_close(t.vantages, t.nvantages);
	if (t.stop_signal != 0 && t.stop_signal != SIGINT)
		return 128 + t.stop_signal;
	return rc;
}

int cmd_tui(int argc, char **argv)
{
	struct tui_args args = {0};
	int rc = parse(argc, argv, &args);

	return rc >= 0 ? rc : session(&args, NULL, NULL);
}

int cmd_tui_lab(const struct bs_lab *lab, struct bs_tour *tour)
{
	char *argv[] = {"tui", NULL};
	struct tui_args args = {0};
	int rc = parse(1, argv, &args);

	return rc >= 0 ? rc : session(&args, lab, tour);
}
