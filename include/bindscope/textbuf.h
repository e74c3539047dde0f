/* Appending to a fixed-size text buffer without overflowing it (output is truncated). */
#ifndef BINDSCOPE_TEXTBUF_H
#define BINDSCOPE_TEXTBUF_H

#include <stddef.h>

/* Append printf-formatted text to the NUL-terminated string in buf of size len. */
void bs_textbuf_appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copy text from outside (a process name, an interface name) into buf so it is safe on a
 * terminal: control bytes become \ooo octal escapes, as ps and ss show them; UTF-8 is kept.
 */
void bs_text_safe(const char *in, char *buf, size_t len);

#endif
