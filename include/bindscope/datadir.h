/*
 * The files bindscope ships (the .lab files of assets/labs, the .tour files of assets/tours), found
 * by name from the build tree and from an installed prefix (share/bindscope), in this order:
 *   $BINDSCOPE_DATADIR, then share/bindscope beside the running program (PREFIX/bin/..),
 *   then the source tree it was built from, then the prefix it was configured for.
 * A name holding a / (or a file that exists as written) is a path, used as it is.
 */
#ifndef BINDSCOPE_DATADIR_H
#define BINDSCOPE_DATADIR_H

#include <stddef.h>

#include "bindscope/error.h"

/* The file for name of kind ("labs", "tours"; suffix ".lab", ".tour", added when missing).
 * 0 with its path in out, or -1 with err listing the shipped names and where they were looked
 * for. */
int bs_data_find(const char *kind, const char *suffix, const char *name, char *out, size_t len,
                 struct bs_error *err);

/* The shipped names of kind, ", "-separated, into buf ("" when none is found). */
void bs_data_list(const char *kind, const char *suffix, char *buf, size_t len);

#endif
