/*
 * Errors as data. The engine never prints and never exits: a failing call fills a
 * struct bs_error with the errno (0 when the failure is not a system error) and a
 * sentence a user can read, then returns -1. The face decides how to show it.
 */
#ifndef BINDSCOPE_ERROR_H
#define BINDSCOPE_ERROR_H

#include <stddef.h>

#define BS_ERROR_MSG_MAX 512

struct bs_error {
	int code;                   /* errno of the failing system call, or 0 */
	char msg[BS_ERROR_MSG_MAX]; /* a full sentence, no trailing newline */
};

/* Set err (if not NULL) to code and a printf-formatted message. Always returns -1. */
int bs_error_set(struct bs_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The symbolic name of an errno value ("ECONNREFUSED"), or "E?" plus the number. */
const char *bs_errno_name(int code);

#endif
