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

/* Returns 0, or -1 when stdout failed. */
int probe_render_json(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                      const char *from);

#endif
