/* The TUI's entry point, called by main() for `bindscope` and `bindscope tui`. */
#ifndef BINDSCOPE_TUI_ENTRY_H
#define BINDSCOPE_TUI_ENTRY_H

int cmd_tui(int argc, char **argv);

#endif
