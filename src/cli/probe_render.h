/* Printing the exposure matrix (include/bindscope/matrix.h): an aligned table with notes for
 * people, one JSON document for scripts. */
#ifndef BINDSCOPE_CLI_PROBE_RENDER_H
#define BINDSCOPE_CLI_PROBE_RENDER_H

#include <stdbool.h>

#include "bindscope/iface.h"
#include "bindscope/matrix.h"

/* The table, then a note per row; explain_all explains every cell. from: --from as typed, or
 * NULL. Returns 0, or -1 when stdout failed. */
int probe_render_text(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                      bool explain_all, const char *from);

/* One sentence about row r, whole (malloc'd; NULL when out of memory): what its socket takes,
 * the socat line that makes the same socket, or the ss command that shows it. */
enum probe_row_part { PROBE_ROW_SUMMARY, PROBE_ROW_SOCAT, PROBE_ROW_SS };
char *probe_render_row_words(const struct bs_matrix *m, size_t r,
                             const struct bs_iface_list *ifaces, enum probe_row_part part);

/* Returns 0, or -1 when stdout failed. */
int probe_render_json(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                      const char *from);

#endif
