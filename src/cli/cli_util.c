#include "cli_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("bindscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_error_show(const struct bs_error *err)
{
	cli_error("%s", err->msg);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	/* fmt is NULL after getopt has already printed what was wrong. */
	if (fmt != NULL) {
		fprintf(stderr, "bindscope %s: ", cmd);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try 'bindscope %s --help'.\n", cmd);
	return BS_EXIT_USAGE;
}

int cli_json_emit_flush(json_t *value, bool compact, bool flush)
{
	size_t flags = JSON_ENSURE_ASCII | (compact ? JSON_COMPACT : JSON_INDENT(2));
	int rc = json_dumpf(value, stdout, flags);

	json_decref(value);
	if (rc == 0)
		fputc('\n', stdout);
	if (flush && fflush(stdout) != 0)
		return -1;
	return rc;
}

int cli_json_emit(json_t *value, bool compact)
{
	return cli_json_emit_flush(value, compact, true);
}

bool cli_use_color(void)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
}
