#include "cli_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "bindscope/textbuf.h"
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
	if (flush && cli_stdout_flush() != 0)
		return -1;
	return rc == 0 && !cli_stdout_failed() ? 0 : -1;
}

int cli_json_emit(json_t *value, bool compact)
{
	return cli_json_emit_flush(value, compact, true);
}

static int out_errno; /* the first write error on stdout, or 0 */
static bool out_said; /* its message was printed */

static ssize_t out_write(void *cookie, const char *buf, size_t len)
{
	size_t done = 0;

	(void)cookie;
	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (out_errno == 0)
				out_errno = n < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)len;
}

void cli_stdout_begin(void)
{
	static const cookie_io_functions_t io = {.write = out_write};
	FILE *f;

	/* stdio forgets errno once a failed buffer is dropped (a later fflush returns 0 with
	 * only ferror set): this stream records it as the write fails. */
	fflush(stdout);
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return;
	/* As stdio does for fd 1: lines reach a terminal at once, blocks go to pipes and files. */
	setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
	stdout = f;
}

int cli_stdout_flush(void)
{
	if (fflush(stdout) != 0 && out_errno == 0)
		out_errno = errno != 0 ? errno : EIO;
	if (ferror(stdout) && out_errno == 0)
		out_errno = EIO;
	return out_errno != 0 ? -1 : 0;
}

bool cli_stdout_failed(void)
{
	return out_errno != 0;
}

void cli_stdout_gone(void)
{
	if (out_errno == 0)
		out_errno = EPIPE;
}

int cli_stdout_done(int rc)
{
	if (cli_stdout_flush() == 0)
		return rc;
	if (out_errno == EPIPE)
		return CLI_EXIT_PIPE;
	if (!out_said)
		cli_error("cannot write the output: %s", strerror(out_errno));
	out_said = true;
	return BS_EXIT_FAILURE;
}

char *cli_safe(const char *s)
{
	size_t len = 4 * strlen(s) + 1; /* each byte at most \ooo */
	char *buf = malloc(len);

	if (buf != NULL)
		bs_text_safe(s, buf, len);
	return buf;
}

void cli_puts_safe(const char *s)
{
	char *safe = cli_safe(s);

	/* Out of memory: say so in place rather than print the raw bytes. */
	fputs(safe != NULL ? safe : "(out of memory)", stdout);
	free(safe);
}

char *cli_text_whole(cli_fill_fn fill, const void *arg)
{
	for (size_t len = 1024;; len *= 2) {
		char *buf = malloc(len);
		if (buf == NULL)
			return NULL;
		buf[0] = '\0';
		fill(buf, len, arg);
		if (strlen(buf) < len - 1)
			return buf;
		free(buf);
		/* 64 MiB of one sentence is no sentence: the fill is broken, not the text long. */
		if (len >= ((size_t)64 << 20))
			return NULL;
	}
}

json_t *cli_json_text(const char *s)
{
	size_t len = 3 * strlen(s) + 1; /* each stray byte becomes U+FFFD, 3 bytes */
	char *buf = malloc(len);
	json_t *j;

	if (buf == NULL)
		return NULL;
	bs_text_utf8(s, buf, len);
	j = json_string(buf);
	free(buf);
	return j;
}

bool cli_use_color(void)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (no_color == NULL || no_color[0] == '\0');
}
