/*
 * The matrix `bindscope probe` prints: rows are listeners (opened by bindscope, so their
 * bind address is known) or bare ports (someone else's listener), columns are the local
 * targets, cells are probe results. Rendering as text or JSON lives in probe_render.c.
 */
#ifndef BINDSCOPE_CLI_PROBE_MATRIX_H
#define BINDSCOPE_CLI_PROBE_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/exposure.h"
#include "bindscope/probe.h"

#define MATRIX_MAX_ROWS    64
#define MATRIX_MAX_TARGETS 64

struct matrix_row {
	bool known;                    /* opened by bindscope: its bind address is known */
	struct bs_exposure_listener l; /* when known; else l.bound.port and l.proto only */
	int only_target;               /* probe only this column, or -1 for all */
};

struct probe_matrix {
	size_t nrows, ncols;
	struct matrix_row rows[MATRIX_MAX_ROWS];
	struct bs_exposure_target cols[MATRIX_MAX_TARGETS];
	struct bs_probe_result results[MATRIX_MAX_ROWS * MATRIX_MAX_TARGETS];
	const char *from; /* --from as typed, or NULL */
};

/* Print the matrix for people; explain_all adds every cell's sentence. */
void probe_render_text(const struct probe_matrix *m, const struct bs_iface_list *ifaces,
                       bool explain_all);

/* Print the matrix as one JSON document. Returns 0, or -1 when stdout failed. */
int probe_render_json(const struct probe_matrix *m, const struct bs_iface_list *ifaces);

#endif
