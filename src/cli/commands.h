/*
 * The scriptable subcommands. Each takes the arguments after its own name (argv[0] is
 * the subcommand) and returns the process exit code (see exit codes in main.c).
 */
#ifndef BINDSCOPE_CLI_COMMANDS_H
#define BINDSCOPE_CLI_COMMANDS_H

/* Exit codes, documented in the man page and in --help. */
enum {
	BS_EXIT_OK = 0,
	BS_EXIT_FAILURE = 1, /* the operation failed: a socket error, an interface error */
	BS_EXIT_USAGE = 2,   /* the command line was wrong */
};

int cmd_list(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_sockets(int argc, char **argv);
int cmd_lab(int argc, char **argv);
/* `bindscope lab exec`: argv[0] is "exec". */
int cmd_lab_exec(int argc, char **argv);
int cmd_agent(int argc, char **argv);

#endif
