/*
 * Ask a network namespace's routing table where a packet to an address goes, as
 * `ip route get ADDR` does (RTM_GETROUTE through libmnl): the kernel's answer, not a reading
 * of the lab's topology file. Used to predict whether a lab peer reaches an address of this
 * machine, and through which of its interfaces it would arrive.
 */
#ifndef BINDSCOPE_ROUTE_H
#define BINDSCOPE_ROUTE_H

#include <net/if.h>
#include <stdbool.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"

struct bs_route {
	bool found;                 /* false: no route (the kernel said ENETUNREACH or similar) */
	int error;                  /* when not found: the kernel's errno */
	bool has_gateway;           /* sent to a gateway rather than straight to the address */
	struct bs_endpoint gateway; /* port 0 */
	unsigned oif;               /* the outgoing interface's index, in that namespace */
	bool local;                 /* the address is local in that namespace (RTN_LOCAL) */
};

/* Where a packet to dst goes from the namespace netns_fd (-1: this one). Returns 0 with out
 * filled (found or not), or -1 with err set when the question could not be asked. */
int bs_route_get(int netns_fd, const struct bs_endpoint *dst, struct bs_route *out,
                 struct bs_error *err);

/* Parse an RTM_NEWROUTE reply (the seam for tests and fuzzing). Returns 0 or -1. */
int bs_route_parse(const void *buf, size_t len, struct bs_route *out);

#endif
