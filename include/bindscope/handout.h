/*
 * Handouts: what was on the screen, to hand students after the lab. The exposure matrix with
 * its columns, each socket and what it takes, why each cell reads as it does with the command
 * that checks it, the firewall seen, and the log when there is one; as Markdown or as one
 * self-contained HTML page (the matrix in colour, no scripts, nothing fetched).
 *
 * Every string from outside (program names, interface names, log sentences) is made safe for
 * the format: control bytes escaped, and HTML's or Markdown's own characters quoted.
 */
#ifndef BINDSCOPE_HANDOUT_H
#define BINDSCOPE_HANDOUT_H

#include <stdio.h>

#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/matrix.h"

enum bs_handout_format {
	BS_HANDOUT_MARKDOWN,
	BS_HANDOUT_HTML,
};

struct bs_handout {
	const char *title; /* "bindscope probe --open 0.0.0.0:8081", "the lab's lesson" */
	const char *when;  /* "2026-12-04 18:30 UTC" */
	const struct bs_matrix *matrix;
	const struct bs_iface_list *ifaces;
	const char *const *log; /* the log's sentences, oldest first; NULL: none */
	size_t nlog;
};

/* Write the handout to f. 0, or -1 with err when writing failed. */
int bs_handout_write(FILE *f, enum bs_handout_format format, const struct bs_handout *h,
                     struct bs_error *err);

/* "markdown" or "html" (also "md"); -1 for anything else. */
int bs_handout_format_parse(const char *text);

#endif
