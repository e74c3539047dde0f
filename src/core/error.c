#include "bindscope/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bs_error_set(struct bs_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *bs_errno_name(int code)
{
	/* The errors sockets actually produce; others fall back to the number. */
	static const struct {
		int code;
		const char *name;
	} names[] = {
	    {EACCES, "EACCES"},
	    {EADDRINUSE, "EADDRINUSE"},
	    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	    {EAFNOSUPPORT, "EAFNOSUPPORT"},
	    {EAGAIN, "EAGAIN"},
	    {EALREADY, "EALREADY"},
	    {EBADF, "EBADF"},
	    {ECONNABORTED, "ECONNABORTED"},
	    {ECONNREFUSED, "ECONNREFUSED"},
	    {ECONNRESET, "ECONNRESET"},
	    {EHOSTDOWN, "EHOSTDOWN"},
	    {EHOSTUNREACH, "EHOSTUNREACH"},
	    {EINPROGRESS, "EINPROGRESS"},
	    {EINTR, "EINTR"},
	    {EINVAL, "EINVAL"},
	    {EMFILE, "EMFILE"},
	    {ENETDOWN, "ENETDOWN"},
	    {ENETUNREACH, "ENETUNREACH"},
	    {ENFILE, "ENFILE"},
	    {ENOBUFS, "ENOBUFS"},
	    {ENODEV, "ENODEV"},
	    {ENOMEM, "ENOMEM"},
	    {ENOPROTOOPT, "ENOPROTOOPT"},
	    {EPERM, "EPERM"},
	    {EPIPE, "EPIPE"},
	    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	    {ETIMEDOUT, "ETIMEDOUT"},
	};
	static __thread char unknown[24];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	snprintf(unknown, sizeof(unknown), "E?%d", code);
	return unknown;
}
