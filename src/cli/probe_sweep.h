/* `bindscope probe --ports LO-HI`: sweep a range of ports on local addresses. */
#ifndef BINDSCOPE_CLI_PROBE_SWEEP_H
#define BINDSCOPE_CLI_PROBE_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "bindscope/exposure.h"
#include "bindscope/probe.h"

struct sweep_request {
	uint16_t lo, hi;
	const struct bs_exposure_target *on; /* addresses to sweep */
	size_t non;
	struct bs_probe_opts opts;
	bool json;
};

/* Run the sweep and print what is open where. Returns an exit code. */
int probe_sweep(const struct sweep_request *req);

#endif
