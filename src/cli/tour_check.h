/* `bindscope lab --tour FILE --check`: a tour's expectations checked without the screen. */
#ifndef BINDSCOPE_TOUR_CHECK_H
#define BINDSCOPE_TOUR_CHECK_H

#include "bindscope/lab.h"
#include "bindscope/tour.h"

/* In the lab's own process: run every step of tour (resolved; taken), print each step and its
 * expectations. Returns 0 when all held, 1 otherwise. */
int tour_check_run(const struct bs_lab *lab, struct bs_tour *tour);

#endif
