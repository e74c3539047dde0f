/* The TUI's entry point, called by main() for `bindscope` and `bindscope tui`. */
#ifndef BINDSCOPE_TUI_ENTRY_H
#define BINDSCOPE_TUI_ENTRY_H

#include "bindscope/lab.h"
#include "bindscope/tour.h"

int cmd_tui(int argc, char **argv);

/* In the lab's own process (`bindscope lab`): the TUI with the lab's reset (X), and the tour
 * when one is given (resolved against the lab; the TUI takes it). */
int cmd_tui_lab(const struct bs_lab *lab, struct bs_tour *tour);

#endif
