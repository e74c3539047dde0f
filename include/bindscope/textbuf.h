/* Appending to a fixed-size text buffer without overflowing it (output is truncated). */
#ifndef BINDSCOPE_TEXTBUF_H
#define BINDSCOPE_TEXTBUF_H

#include <stddef.h>

/* Append printf-formatted text to the NUL-terminated string in buf of size len. */
void bs_textbuf_appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copy text from outside (a process name, an interface name) into buf so it is safe on a
 * terminal: control characters (C0, DEL, C1) and bytes that are not UTF-8 become \ooo octal
 * escapes, as ps and ss show them; valid UTF-8 is kept. A cut keeps whole characters.
 */
void bs_text_safe(const char *in, char *buf, size_t len);

/*
 * Copy text into buf as valid UTF-8, for JSON: each byte that is not part of a UTF-8
 * character becomes U+FFFD (a character cut short at a length limit too). Controls are kept:
 * the JSON writer escapes them. A cut keeps whole characters.
 */
void bs_text_utf8(const char *in, char *buf, size_t len);

/*
 * An argument as a message quotes it: bs_text_safe, and when it is longer than
 * BS_TEXT_ABBREV_MAX its first characters and its length ("9999... (603 characters)"), so
 * the reason after it stays on screen. buf needs 4 * BS_TEXT_ABBREV_MAX + 32 bytes.
 */
#define BS_TEXT_ABBREV_MAX  64
#define BS_TEXT_ABBREV_HEAD 32
void bs_text_abbrev(const char *in, char *buf, size_t len);

#endif
