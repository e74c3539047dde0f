/*
 * `bindscope lab exec [--lab PID] [PEER] [-- CMD...]`: a command (or a shell) inside a running
 * lab, from another terminal: in its workstation or in one of its peers. The lab writes itself
 * down when it starts (lab_registry.h); the command joins its namespaces and ends with it.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bindscope/lab_registry.h"
#include "cli_util.h"
#include "commands.h"

#define MAX_LABS 16

static const char exec_usage[] =
    "Usage: bindscope lab exec [--lab PID] [PEER] [-- CMD [ARG...]]\n"
    "\n"
    "Run CMD (without one, your shell) inside a running lab, from another terminal: in the\n"
    "lab's workstation, or in PEER's own network (eth0-peer, wlan0-peer). The command sees the\n"
    "lab's interfaces, processes and peers as the lab's own programs do, and ends with the lab.\n"
    "\n"
    "  -l, --lab PID   the lab to join, when several run (bindscope lab exec lists them)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Examples: bindscope lab exec -- ss -ltn\n"
    "          bindscope lab exec eth0-peer -- nc -vz 192.168.0.110 8081\n"
    "Exit codes: CMD's own; 1 no lab to join (or it cannot be joined); 2 bad usage;\n"
    "126 CMD cannot be run; 127 CMD is not found.\n";

static void list_labs(const struct bs_lab_entry *labs, long n)
{
	for (long i = 0; i < n && i < MAX_LABS; i++)
		fprintf(stderr, "  --lab %d  %s, peers: %s\n", (int)labs[i].pid,
		        labs[i].topology[0] ? labs[i].topology : "the default lab",
		        labs[i].peers[0] ? labs[i].peers : "none");
}

/* The lab asked for, or the only one. */
static const struct bs_lab_entry *choose(const struct bs_lab_entry *labs, long n, long want)
{
	if (n == 0) {
		char dir[PATH_MAX] = "";
		bs_lab_registry_where(dir, sizeof(dir), NULL);
		cli_error(
		    "no running lab is written down in %s: start one with bindscope lab (in "
		    "another terminal, as this user and with this $XDG_RUNTIME_DIR), then run "
		    "this again",
		    dir);
		return NULL;
	}
	for (long i = 0; want > 0 && i < n && i < MAX_LABS; i++)
		if (labs[i].pid == (pid_t)want)
			return &labs[i];
	if (want > 0) {
		cli_error("no running lab has pid %ld; the labs running now:", want);
		list_labs(labs, n);
		return NULL;
	}
	if (n > 1) {
		cli_error("%ld labs are running: choose one with --lab PID", n);
		list_labs(labs, n);
		return NULL;
	}
	return &labs[0];
}

static int run(char **argv)
{
	char *user_shell = getenv("SHELL");
	char *shell[] = {user_shell != NULL && user_shell[0] != '\0' ? user_shell : "sh", NULL};
	char **cmd = argv[0] != NULL ? argv : shell;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork(); /* the child is the first to be born in the lab's process namespace */
	if (pid < 0) {
		cli_error("cannot start %s in the lab: %s", cmd[0], strerror(errno));
		return BS_EXIT_FAILURE;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(cmd[0], cmd);
		fprintf(stderr, "bindscope lab exec: cannot run %s: %s\n", cmd[0],
		        errno == ENOENT ? "not found" : strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	signal(SIGINT, SIG_IGN); /* Ctrl-C is the command's; this process waits for it */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return BS_EXIT_FAILURE;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int cmd_lab_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"lab", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct bs_lab_entry labs[MAX_LABS];
	const struct bs_lab_entry *lab;
	const char *peer = NULL;
	struct bs_error err;
	long want = 0, n;
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+l:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(exec_usage, stdout);
			return BS_EXIT_OK;
		}
		if (c != 'l')
			return cli_usage_error("lab exec", NULL);
		want = strtol(optarg, &end, 10);
		if (*end != '\0' || want <= 0)
			return cli_usage_error("lab exec", "--lab takes the lab's pid, not '%.32s'",
			                       optarg);
	}
	/* getopt took a -- that came first; after a PEER the -- is still there */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0 && strcmp(argv[optind], "--") != 0)
		peer = argv[optind++];
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		if (strcmp(argv[optind], "--") != 0)
			return cli_usage_error("lab exec",
			                       "put the command after --, e.g. bindscope "
			                       "lab exec eth0-peer -- ss -ltn");
		optind++;
	}
	/* Inside a lab already (a check command run there): its peers are right here. */
	if (bs_lab_inside()) {
		if (want > 0)
			return cli_usage_error("lab exec",
			                       "--lab chooses among running labs; this runs "
			                       "inside one already");
		if (bs_lab_join_here(peer, &err) < 0) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
		return run(argv + optind);
	}
	if ((n = bs_lab_running(labs, MAX_LABS, &err)) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if ((lab = choose(labs, n, want)) == NULL)
		return BS_EXIT_FAILURE;
	if (bs_lab_join(lab, peer, &err) < 0) {
		/* Half joined perhaps (the lab's mounts, not its processes): /proc is then the
		 * lab's, where this process is not, and LeakSanitizer's exit would abort on it. */
		cli_error_show(&err);
		fflush(NULL);
		_exit(BS_EXIT_FAILURE);
	}
	/* Children of this process are born in the lab's pid namespace now, LeakSanitizer's
	 * tracer at exit too (it could not reach this process from there, and would hang): this
	 * process holds nothing to free, so it ends at once, output flushed. */
	int code = run(argv + optind);
	fflush(NULL);
	_exit(code);
}
