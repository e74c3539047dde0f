#include "bindscope/textbuf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void bs_textbuf_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (len == 0)
		return;
	used = strnlen(buf, len);
	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* The length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one (a stray or
 * overlong byte, a surrogate, or a sequence cut short). */
static size_t utf8_len(const unsigned char *p, unsigned *cp)
{
	size_t n;
	unsigned c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1fu, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0fu, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		c = (c << 6) | (p[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void bs_text_safe(const char *in, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0';) {
		unsigned cp = 0;
		size_t n = utf8_len(p, &cp);
		/* C0 and C1 controls, DEL, and bytes that are not UTF-8: escaped, never sent raw */
		bool escape = n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
		size_t each = n == 0 ? 1 : n;
		size_t need = escape ? 4 * each : each;
		if (o + need >= len)
			break; /* whole characters only: never half a UTF-8 sequence */
		for (size_t k = 0; k < each; k++)
			if (escape)
				o += (size_t)snprintf(buf + o, len - o, "\\%03o", p[k]);
			else
				buf[o++] = (char)p[k];
		p += each;
	}
	buf[o] = '\0';
}

void bs_text_utf8(const char *in, char *buf, size_t len)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t o = 0;

	if (len == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0';) {
		unsigned cp;
		size_t n = utf8_len(p, &cp);
		const char *src = n ? (const char *)p : replacement;
		size_t each = n ? n : 3;
		if (o + each >= len)
			break;
		memcpy(buf + o, src, each);
		o += each;
		p += n ? n : 1;
	}
	buf[o] = '\0';
}

void bs_text_abbrev(const char *in, char *buf, size_t len)
{
	char head[BS_TEXT_ABBREV_HEAD + 1];
	size_t n = strlen(in), cut = BS_TEXT_ABBREV_HEAD;

	if (n <= BS_TEXT_ABBREV_MAX) {
		bs_text_safe(in, buf, len);
		return;
	}
	while (cut > 0 && ((unsigned char)in[cut] & 0xC0) == 0x80)
		cut--; /* whole characters only */
	memcpy(head, in, cut);
	head[cut] = '\0';
	bs_text_safe(head, buf, len);
	bs_textbuf_appendf(buf, len, "... (%zu characters)", n);
}
