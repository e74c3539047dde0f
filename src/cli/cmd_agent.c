/* `bindscope agent`: the probe agent another machine runs here over ssh (agent.h). */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "bindscope/agent.h"
#include "cli_util.h"
#include "commands.h"

static const char agent_usage[] =
    "Usage: bindscope agent\n"
    "\n"
    "Probe from this machine for another one: read requests on standard input and write\n"
    "the answers on standard output, one JSON object per line, until the input ends. It\n"
    "opens no listening socket. `bindscope probe --from-host HOST` starts it on HOST as\n"
    "`ssh -T HOST bindscope agent`; the protocol is in the README.\n"
    "\n"
    "  -h, --help    show this help\n";

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	struct bs_error err;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(agent_usage, stdout);
			return BS_EXIT_OK;
		}
		return cli_usage_error("agent", NULL);
	}
	if (optind < argc)
		return cli_usage_error("agent", "unexpected argument '%s'", argv[optind]);
	if (isatty(STDIN_FILENO))
		fputs("bindscope agent: reading requests (one JSON object per line; Ctrl-D ends)\n",
		      stderr);
	if (bs_agent_serve(STDIN_FILENO, STDOUT_FILENO, BINDSCOPE_VERSION, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	return BS_EXIT_OK;
}
