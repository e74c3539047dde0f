/* Reading a small text file the user names (a topology, a tour), with the sentences every
 * such file gets: it cannot be read, it is a directory, it is too large, it is not text. */
#ifndef BINDSCOPE_TEXTFILE_H
#define BINDSCOPE_TEXTFILE_H

#include <stddef.h>

#include "bindscope/error.h"

/* The text of path, NUL-terminated (free it), at most max bytes. what names the file in the
 * sentences ("topology", "tour"), example is a file to suggest ("assets/labs/default.lab");
 * shown is path as the sentences quote it. NULL with err set. */
char *bs_textfile_read(const char *path, const char *shown, const char *what, const char *example,
                       size_t max, struct bs_error *err);

#endif
