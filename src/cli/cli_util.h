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

/* True when stdout is a terminal and NO_COLOR is not set. */
bool cli_use_color(void);

#endif
