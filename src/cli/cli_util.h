/* Small helpers shared by the subcommands: messages and JSON printing. */
#ifndef BINDSCOPE_CLI_UTIL_H
#define BINDSCOPE_CLI_UTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "bindscope/error.h"

/* "bindscope: <msg>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print an engine error as "bindscope: <sentence>". */
void cli_error_show(const struct bs_error *err);

/* Print "bindscope CMD: <msg>" and "Try 'bindscope CMD --help'." and return BS_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a JSON value on stdout (indented, or on one line when compact) and release it.
 * Returns 0, or -1 when stdout failed. */
int cli_json_emit(json_t *value, bool compact);

/* The same, flushing stdout only when flush is true (the caller flushes later). */
int cli_json_emit_flush(json_t *value, bool compact, bool flush);

/*
 * Checked output. cli_stdout_begin() (main.c, before a command runs) routes stdout through a
 * stream that remembers the first write error and its errno, so no failed write goes unseen,
 * whatever printed it. SIGPIPE is ignored, so a reader that went away is EPIPE.
 */
#define CLI_EXIT_PIPE 141 /* the reader of stdout went away (128 + SIGPIPE), said nowhere */

void cli_stdout_begin(void);

/* Flush stdout. Returns 0, or -1 when a write to stdout has failed (now or before). */
int cli_stdout_flush(void);

/* True once a write to stdout has failed, or cli_stdout_gone() was called. */
bool cli_stdout_failed(void);

/* Record that the reader of stdout went away (epoll said so), as a write would find (EPIPE). */
void cli_stdout_gone(void);

/*
 * At the end of a command: flush stdout and return its exit status. rc when every write
 * worked; CLI_EXIT_PIPE, quietly, when the reader went away; else BS_EXIT_FAILURE after
 * "bindscope: cannot write the output: <reason>" on stderr (said once).
 */
int cli_stdout_done(int rc);

/*
 * Text that comes from outside (a process name or command line, an interface name) or holds
 * some, made safe for the terminal: cli_safe() returns a malloc'd copy with control bytes and
 * bytes that are not UTF-8 escaped as \ooo (bs_text_safe, never cut), or NULL when out of
 * memory; cli_puts_safe() prints it on stdout (a line break in s is escaped too).
 */
char *cli_safe(const char *s);
void cli_puts_safe(const char *s);

/*
 * The whole of a text an engine function writes into (buf, len): fill(buf, len, arg) is
 * called again with a buffer twice as large while its text reaches the buffer's last byte,
 * where a cut would have stopped it. Returns a malloc'd string (the caller frees it), or
 * NULL when out of memory.
 */
typedef void (*cli_fill_fn)(char *buf, size_t len, const void *arg);
char *cli_text_whole(cli_fill_fn fill, const void *arg);

/* A JSON string of s made valid UTF-8 (bs_text_utf8, never cut): json_string() returns NULL
 * for invalid UTF-8, and the key would silently vanish. */
json_t *cli_json_text(const char *s);

/* True when stdout is a terminal and NO_COLOR is not set. */
bool cli_use_color(void);

#endif
