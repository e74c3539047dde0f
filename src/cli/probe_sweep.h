/* `bindscope probe --ports LO-HI`: sweep a range of ports on local addresses, then say from the
 * socket table which socket takes each open port at each address (read, never inferred). */
#ifndef BINDSCOPE_CLI_PROBE_SWEEP_H
#define BINDSCOPE_CLI_PROBE_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "bindscope/endpoint.h"
#include "bindscope/iface.h"
#include "bindscope/probe.h"

struct sweep_addr {
	struct bs_endpoint addr; /* port 0 */
	char text[BS_ENDPOINT_TEXT_MAX];
	char label[IF_NAMESIZE]; /* the interface that has it, or "" */
};

struct sweep_request {
	uint16_t lo, hi;
	const struct sweep_addr *on; /* addresses to sweep */
	size_t non;
	struct bs_probe_opts opts;
	bool json;
	const struct bs_iface_list *ifaces;
};

/* Run the sweep and print what is open where, and which socket takes it. Returns an exit code. */
int probe_sweep(const struct sweep_request *req);

#endif
