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
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/datadir.h"
#include "bindscope/iface.h"
#include "bindscope/lab.h"
#include "bindscope/lab_registry.h"
#include "bindscope/textbuf.h"
#include "bindscope/tour.h"
#include "cli_util.h"
#include "commands.h"
#include "tour_check.h"
#include "tui_entry.h"

static const char lab_usage[] =
    "Usage: bindscope lab [--topology LAB] [--tour [TOUR] [--check]] [-- CMD [ARG...]]\n"
    "       bindscope lab exec [--lab PID] [PEER] [-- CMD [ARG...]]\n"
    "\n"
    "Start the interactive explorer (or run CMD) inside a private network that looks like\n"
    "a workstation's: lo 127.0.0.1, eth0 192.168.0.110/24 and wlan0 192.168.1.10/24, with a peer\n"
    "host on each segment (eth0-peer 192.168.0.20, wlan0-peer 192.168.1.20). Nothing on this\n"
    "machine's own network is touched; the lab disappears when bindscope exits.\n"
    "Works as root, and as a normal user where user namespaces are allowed.\n"
    "\n"
    "CMD sees BINDSCOPE_LAB=1 and BINDSCOPE_LAB_PEERS='eth0-peer=PID wlan0-peer=PID': run a\n"
    "command on a peer with `nsenter -t PID -n CMD`. From another terminal, `bindscope lab\n"
    "exec [PEER] -- CMD` runs CMD in the running lab (see bindscope lab exec --help).\n"
    "\n"
    "  -t, --topology LAB    another lab: a shipped one by name (default, dual-stack, firewall,\n"
    "                        weak-host, wlan-192.168.2.20) or a file of lines 'iface NAME\n"
    "                        ADDR/PREFIX...' and 'peer NAME on IFACE ADDR/PREFIX... [route\n"
    "                        NET/PREFIX via ADDR]'; errors name the line\n"
    "      --tour [TOUR]     a guided tour, one step at a time: the walkthrough, or a shipped\n"
    "                        tour by name (dual-stack, udp, firewall) or a tour file. Space\n"
    "                        next, Backspace back, r from the start, Esc leaves, X resets\n"
    "      --check           with --tour: no screen; do every step and check what it expects\n"
    "                        against the kernel (exit 0 when all of it holds, 1 when not)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit codes: CMD's own (128+N if a signal N ended it); 1 the lab could not be built (the\n"
    "message says why), or --check found an expectation that does not hold; 2 bad usage (a\n"
    "topology or tour error names its line); 126 CMD cannot be run; 127 CMD is not found.\n";

struct lab_opts {
	const char *topology; /* a file, or the name of a shipped lab; NULL: the default */
	const char *tour;     /* a file, or the name of a shipped tour; NULL: no tour */
	bool check;           /* --check: the tour's expectations, without the screen */
	bool exec;            /* `lab exec ...`: into a running lab */
};

static int parse_lab_opts(int argc, char **argv, struct lab_opts *o)
{
	static const struct option longopts[] = {
	    {"topology", required_argument, NULL, 't'},
	    {"tour", no_argument, NULL, 'T'},
	    {"check", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->topology = optarg;
			break;
		case 'T':
			/* --tour [NAME|FILE]: the next word, unless it is an option or the -- */
			o->tour = "walkthrough";
			if (optind < argc && argv[optind][0] != '-')
				o->tour = argv[optind++];
			break;
		case 'C':
			o->check = true;
			break;
		case 'h':
			fputs(lab_usage, stdout);
			return BS_EXIT_OK;
		default:
			return cli_usage_error("lab", NULL);
		}
	}
	if (optind < argc && strcmp(argv[optind], "exec") == 0 &&
	    strcmp(argv[optind - 1], "--") != 0) {
		o->exec = true;
		return -1;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return cli_usage_error("lab",
		                       "put the command after --, e.g. bindscope lab -- ss -ltn");
	return -1;
}

/* The command could not be run: say why the way a shell does, 127 not found, 126 not runnable. */
static void exec_failed(const char *name, int code)
{
	struct stat st;

	if (code == ENOENT) {
		fprintf(stderr, "bindscope lab: cannot run %s: not found (%s)\n", name,
		        strchr(name, '/') ? "no such file" : "no such program on PATH");
		_exit(127);
	}
	if (strchr(name, '/') && stat(name, &st) == 0 && S_ISDIR(st.st_mode))
		fprintf(stderr, "bindscope lab: cannot run %s: it is a directory\n", name);
	else
		fprintf(stderr, "bindscope lab: cannot run %s: %s\n", name, strerror(code));
	_exit(126);
}

/* Run argv in the lab and return its exit code the way a shell would. */
static int run_command(char **argv)
{
	sigset_t none;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		cli_error("cannot start %s in the lab: %s", argv[0], strerror(errno));
		return BS_EXIT_FAILURE;
	}
	if (pid == 0) {
		/* The command starts as a program started by a shell would: no signal held or
		 * ignored (bindscope ignores SIGPIPE for itself). */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		exec_failed(argv[0], errno);
	}
	return bs_lab_wait(pid);
}

/* The tour's placeholders against the lab just built (its interfaces, its peers). */
static int resolve_tour(struct bs_tour *tour, const char *path, bool topology_given)
{
	struct bs_lab_vantage peers[BS_LAB_MAX_PEERS];
	struct bs_iface_list ifaces = {0};
	struct bs_tour_lab lab;
	struct bs_error err;
	size_t npeers;
	int rc;

	if (bs_iface_list_read(&ifaces, &err) < 0) {
		cli_error_show(&err);
		return -1;
	}
	npeers = bs_lab_vantages(peers, BS_LAB_MAX_PEERS);
	lab = (struct bs_tour_lab){.ifaces = &ifaces, .peers = peers, .npeers = npeers};
	rc = bs_tour_resolve(tour, &lab, &err);
	if (rc < 0 && tour->lab[0] != '\0' && topology_given)
		cli_error("the tour %s does not fit this lab: %s. It is written for the lab %s: "
		          "leave --topology out, and bindscope lab --tour builds that lab",
		          path, err.msg, tour->lab);
	else if (rc < 0)
		cli_error("the tour %s does not fit this lab: %s", path, err.msg);
	bs_lab_vantages_close(peers, npeers);
	bs_iface_list_free(&ifaces);
	return rc;
}

/* What the lab is built from: its topology and the tour, as found. */
struct lab_inputs {
	struct bs_topology topology;
	char topology_path[4096]; /* "" for the default lab */
	bool topology_given;      /* --topology, not the tour's own lab */
	struct bs_tour tour;      /* no steps: no tour */
	char tour_path[4096];
};

/* In the lab's own process: build the lab, run CMD or the TUI in it. */
static int run_lab(struct lab_inputs *in, int argc, char **argv, bool check)
{
	struct bs_error err;
	struct bs_lab *lab = bs_lab_enter(&in->topology, &err);
	struct bs_tour *tour = &in->tour;
	int rc;

	if (lab == NULL) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	bs_lab_export(lab);
	if (bs_lab_advertise(in->topology_path, &err) < 0)
		fprintf(stderr,
		        "bindscope lab: note: %s, so bindscope lab exec will not find this "
		        "lab\n",
		        err.msg);
	if (optind < argc) {
		rc = run_command(argv + optind);
	} else if ((rc = bs_lab_unhold_signals()) != 0) {
		rc = 128 + rc; /* told to end while the lab was being built */
	} else if (tour->nsteps > 0 && resolve_tour(tour, in->tour_path, in->topology_given) < 0) {
		rc = BS_EXIT_USAGE;
	} else if (check) {
		rc = tour_check_run(lab, tour);
	} else {
		rc = cmd_tui_lab(lab, tour->nsteps > 0 ? tour : NULL);
	}
	bs_tour_free(tour);
	bs_lab_unadvertise();
	bs_lab_leave(lab);
	return rc;
}

/* A tour's `lab NAME`: a shipped lab's name, or a file beside the tour. */
static const char *tour_lab(const struct bs_tour *tour, const char *tour_path, char *buf,
                            size_t len)
{
	const char *slash = strrchr(tour_path, '/');

	if (tour->lab[0] == '\0')
		return NULL;
	if (strchr(tour->lab, '/') == NULL || tour->lab[0] == '/' || slash == NULL)
		return tour->lab;
	snprintf(buf, len, "%.*s%s", (int)(slash - tour_path + 1), tour_path, tour->lab);
	return buf;
}

/* --tour NAME and --topology NAME (else the tour's own lab, else the default): a file, or
 * one bindscope ships. */
static int load_inputs(const struct lab_opts *o, struct lab_inputs *in)
{
	char beside[4096];
	const char *lab = o->topology;
	struct bs_error err;

	memset(in, 0, sizeof(*in));
	if (o->tour != NULL && (bs_data_find("tours", ".tour", o->tour, in->tour_path,
	                                     sizeof(in->tour_path), &err) < 0 ||
	                        bs_tour_load(in->tour_path, &in->tour, &err) < 0)) {
		bs_tour_free(&in->tour);
		cli_error_show(&err);
		return BS_EXIT_USAGE;
	}
	in->topology_given = lab != NULL;
	if (lab == NULL && o->tour != NULL)
		lab = tour_lab(&in->tour, in->tour_path, beside, sizeof(beside));
	if (lab == NULL && bs_topology_parse(bs_topology_default, &in->topology, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (lab != NULL && (bs_data_find("labs", ".lab", lab, in->topology_path,
	                                 sizeof(in->topology_path), &err) < 0 ||
	                    bs_topology_load(in->topology_path, &in->topology, &err) < 0)) {
		bs_tour_free(&in->tour);
		cli_error_show(&err);
		return BS_EXIT_USAGE;
	}
	return -1;
}

int cmd_lab(int argc, char **argv)
{
	struct lab_opts opts = {0};
	static struct lab_inputs in; /* a topology is 40 KB */
	struct bs_error err;
	pid_t lab;
	int rc = parse_lab_opts(argc, argv, &opts);

	if (rc >= 0)
		return rc;
	if (opts.exec && (opts.topology != NULL || opts.tour != NULL || opts.check))
		return cli_usage_error("lab",
		                       "lab exec joins a running lab: give its options after "
		                       "exec (bindscope lab exec --help)");
	if (opts.exec)
		return cmd_lab_exec(argc - optind, argv + optind);
	if (opts.tour != NULL && optind < argc)
		return cli_usage_error("lab", "--tour runs the explorer: give no command after --");
	if (opts.check && opts.tour == NULL)
		return cli_usage_error("lab",
		                       "--check checks a tour: bindscope lab --tour NAME --check");
	if ((rc = load_inputs(&opts, &in)) >= 0)
		return rc;
	if (bs_lab_registry_prepare(&err) < 0)
		fprintf(stderr, "bindscope lab: note: %s\n", err.msg);
	/* The lab lives in a pid namespace of its own (why: src/core/lab.c); this process keeps
	 * it, and everything in it dies with this process. */
	lab = bs_lab_isolate(&err);
	if (lab < 0) {
		bs_tour_free(&in.tour);
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (lab > 0) {
		/* The keeper's children would now be born in the lab's pid namespace, whose init
		 * has ended: nothing can start there any more, not even LeakSanitizer's tracer at
		 * exit. The keeper has nothing to close, so it ends at once, output flushed. */
		int code = bs_lab_keep(lab);
		fflush(NULL);
		_exit(code);
	}
	return run_lab(&in, argc, argv, opts.check);
}
