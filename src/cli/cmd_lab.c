/*
 * `bindscope lab [--topology FILE] [-- CMD...]`: the default lab network on any machine. Without
 * CMD, the TUI runs inside the lab; with CMD, CMD does (socat, nc, ss, a test suite). Peer
 * hosts are reachable for commands through their namespaces: BINDSCOPE_LAB_PEERS lists
 * NAME=PID pairs, e.g. `nsenter -t PID -n nc -vz 192.168.1.10 8082`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bindscope/lab.h"
#include "bindscope/textbuf.h"
#include "cli_util.h"
#include "commands.h"
#include "tui_entry.h"

static const char lab_usage[] =
    "Usage: bindscope lab [--topology FILE] [-- CMD [ARG...]]\n"
    "\n"
    "Start the interactive explorer (or run CMD) inside a private network that looks like\n"
    "a workstation's: lo 127.0.0.1, eth0 192.168.0.110/24 and wlan0 192.168.1.10/24, with a peer\n"
    "host on each segment (eth0-peer 192.168.0.20, wlan0-peer 192.168.1.20). Nothing on this\n"
    "machine's own network is touched; the lab disappears when bindscope exits.\n"
    "Works as root, and as a normal user where user namespaces are allowed.\n"
    "\n"
    "CMD sees BINDSCOPE_LAB=1 and BINDSCOPE_LAB_PEERS='eth0-peer=PID wlan0-peer=PID': run a\n"
    "command on a peer with `nsenter -t PID -n CMD`.\n"
    "\n"
    "  -t, --topology FILE   another lab (format in the man page; examples in assets/labs)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit codes: CMD's own; 1 the lab could not be built (the message says why); 2 bad usage.\n";

static int parse_lab_opts(int argc, char **argv, const char **topology, bool *tour)
{
	static const struct option longopts[] = {
	    {"topology", required_argument, NULL, 't'},
	    {"tour", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			*topology = optarg;
			break;
		case 'T':
			*tour = true;
			break;
		case 'h':
			fputs(lab_usage, stdout);
			return BS_EXIT_OK;
		default:
			return cli_usage_error("lab", NULL);
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return cli_usage_error("lab",
		                       "put the command after --, e.g. bindscope lab -- ss -ltn");
	return -1;
}

/* Run argv in the lab and return its exit code the way a shell would. */
static int run_command(char **argv)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0) {
		cli_error("cannot start %s in the lab: %s", argv[0], strerror(errno));
		return BS_EXIT_FAILURE;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "bindscope lab: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Ctrl-C is the command's to handle; the lab stays up until it is done. */
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return BS_EXIT_FAILURE;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int cmd_lab(int argc, char **argv)
{
	const char *topology_path = NULL;
	bool tour = false;
	struct bs_topology topology;
	struct bs_error err;
	struct bs_lab *lab;
	int rc = parse_lab_opts(argc, argv, &topology_path, &tour);

	if (rc >= 0)
		return rc;
	if (topology_path != NULL ? bs_topology_load(topology_path, &topology, &err)
	                          : bs_topology_parse(bs_topology_seed, &topology, &err)) {
		cli_error_show(&err);
		return topology_path != NULL ? BS_EXIT_USAGE : BS_EXIT_FAILURE;
	}
	lab = bs_lab_enter(&topology, &err);
	if (lab == NULL) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	bs_lab_export(lab);
	if (optind < argc) {
		rc = run_command(argv + optind);
	} else {
		char *tui_argv[] = {"tui", tour ? "--tour" : NULL, NULL};
		rc = cmd_tui(tour ? 2 : 1, tui_argv);
	}
	bs_lab_leave(lab);
	return rc;
}
