/* Can this terminal run the interactive view? (terminfo: TERM known, cursor addressing) */
#ifndef BINDSCOPE_TERM_CHECK_H
#define BINDSCOPE_TERM_CHECK_H

#include <stddef.h>

/* 0, or -1 with a sentence in why saying what is wrong and what to try. */
int term_check(char *why, size_t len);

#endif
