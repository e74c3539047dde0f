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

void bs_text_safe(const char *in, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		bool control = *p < 0x20 || *p == 0x7f;
		size_t need = control ? 4 : 1;
		if (o + need >= len)
			break;
		if (control)
			o += (size_t)snprintf(buf + o, len - o, "\\%03o", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
}
