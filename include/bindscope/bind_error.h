/*
 * Why a bind or listen failed, in a sentence a learner can act on. Each errno a user meets
 * (in use, privileged port, address not here, out of descriptors) gets its own explanation
 * with the address and port, and the next step.
 */
#ifndef BINDSCOPE_BIND_ERROR_H
#define BINDSCOPE_BIND_ERROR_H

#include <stdbool.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/sockets.h"

/*
 * Fill err for a failure with errno code while opening a proto ("tcp"/"udp") listener on ep.
 * holder (may be NULL or "") names what holds the port, e.g. "socat (pid 4242) on
 * 0.0.0.0:8082". clash is the Linux rule that keeps them apart, if known: the message then
 * teaches that rule and what to do. Returns -1.
 */
int bs_bind_error(struct bs_error *err, int code, const char *proto, const struct bs_endpoint *ep,
                  const struct bs_iface_list *ifaces, const char *holder, enum bs_port_clash clash);

#endif
