/* Appending to a fixed-size text buffer without overflowing it (output is truncated). */
#ifndef BINDSCOPE_TEXTBUF_H
#define BINDSCOPE_TEXTBUF_H

#include <stddef.h>

/* Append printf-formatted text to the NUL-terminated string in buf of size len. */
void bs_textbuf_appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
