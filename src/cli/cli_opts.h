/* Option values shared by listen and probe, and their parsers. */
#ifndef BINDSCOPE_CLI_OPTS_H
#define BINDSCOPE_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/endpoint.h"
#include "bindscope/iface.h"

/* Parse a whole number in [min, max] for option name; prints a usage error on failure. */
int cli_parse_uint(const char *cmd, const char *name, const char *text, unsigned min, unsigned max,
                   unsigned *out);

/* Parse text as an endpoint, printing the parser's sentence on failure. Returns 0 or -1. */
int cli_parse_endpoint(const char *text, const struct bs_iface_list *ifaces,
                       struct bs_endpoint *ep);

/* "14:03:22.123" local time, for event lines. */
void cli_timestamp(char *buf, size_t len);

/* Parse an address without a port ("192.168.1.10", "::1", "wlan0"). Returns 0 or -1. */
int cli_parse_address(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep);

/* Check that an interface named text exists here and copy it to out (SO_BINDTODEVICE).
 * Prints a usage error naming the interfaces there are and returns -1 otherwise. */
int cli_parse_device(const char *cmd, const char *text, char *out, size_t len);

#endif
