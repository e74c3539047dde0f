/* bindscope: see what binding a socket to an address really exposes. */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "tui_entry.h"

static const char main_usage[] =
    "Usage: bindscope [COMMAND] [OPTIONS]\n"
    "\n"
    "See what binding a socket to an address really exposes: open a listener on one\n"
    "address (or on 0.0.0.0, every interface), then probe it from every address.\n"
    "\n"
    "Commands:\n"
    "  tui                       the interactive explorer (what plain `bindscope` starts)\n"
    "  list                      the interfaces and their addresses\n"
    "  listen ADDR:PORT...       open listeners and report each connection (Ctrl-C stops)\n"
    "  probe PORT...             probe ports on every local address: who can connect?\n"
    "  probe --open ADDR:PORT... open listeners, probe them everywhere, print the matrix\n"
    "  sockets                   every listening socket here, its owner and exposure\n"
    "  lab [-- CMD]              a private practice network with peer hosts, the explorer in it\n"
    "  lab --tour [TOUR]         a guided tour of binding in that network (for a class)\n"
    "  lab exec [PEER] -- CMD    run CMD in a running lab, from another terminal\n"
    "  agent                     probe from here for another machine (what --from-host runs)\n"
    "\n"
    "ADDR:PORT is 8082, 192.168.1.10:8082, 0.0.0.0:8082, [::1]:8082 or wlan0:8082.\n"
    "Every command takes --help; list, listen, probe and sockets take --json.\n"
    "\n"
    "Exit codes: 0 success, 1 the operation failed (the message says why; also when the\n"
    "output cannot be written, e.g. a full disk), 2 bad usage, 141 the reader of the output\n"
    "went away (bindscope list | head -1: ends quietly, as if by SIGPIPE).\n"
    "\n"
    "  -h, --help       show this help\n"
    "  -V, --version    show the version\n";

/* checked: the command's stdout goes through cli_stdout_begin() and its exit status says
 * whether it could be written (the TUI's is curses', the lab's is CMD's). */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	bool checked;
} commands[] = {
    {"list", cmd_list, true},       {"listen", cmd_listen, true}, {"probe", cmd_probe, true},
    {"sockets", cmd_sockets, true}, {"tui", cmd_tui, false},      {"lab", cmd_lab, false},
    {"agent", cmd_agent, false},
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* The character set only (UTF-8 symbols, ncurses' wide characters): numbers are
	 * written and read with '.' whatever the locale, as JSON and scripts expect. */
	setlocale(LC_CTYPE, "");
	/* A closed pipe (bindscope list | head) is an error return, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	/* '+': stop at the first non-option, which is the command. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(main_usage, stdout);
			return BS_EXIT_OK;
		case 'V':
			printf("bindscope %s\n", BINDSCOPE_VERSION);
			return BS_EXIT_OK;
		default:
			fputs("Try 'bindscope --help'.\n", stderr);
			return BS_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_tui(argc - optind + 1, argv + optind - 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (!commands[i].checked)
			return commands[i].run(argc - optind, argv + optind);
		cli_stdout_begin();
		return cli_stdout_done(commands[i].run(argc - optind, argv + optind));
	}
	cli_error("'%s' is not a command: the commands are tui, list, listen, probe, sockets, lab "
	          "and agent "
	          "(see 'bindscope --help')",
	          argv[optind]);
	return BS_EXIT_USAGE;
}
