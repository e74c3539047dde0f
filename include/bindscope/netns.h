/*
 * Network namespaces: the one helper for stepping into another namespace and back.
 *
 * A socket belongs to the namespace it was created in, so probing from a lab peer, asking a
 * peer's routing table or adding a route there all mean: step in, make the socket (or do the
 * one call), step back. Stepping back cannot fail in practice; if it ever did, nothing the
 * process said afterwards would be true, so it aborts.
 */
#ifndef BINDSCOPE_NETNS_H
#define BINDSCOPE_NETNS_H

#include "bindscope/error.h"

struct bs_netns_visit {
	int home; /* our own namespace, open while visiting */
};

/* Step into the namespace netns_fd. Returns 0, or -1 with err set (who: for the message). */
int bs_netns_enter(int netns_fd, const char *who, struct bs_netns_visit *visit,
                   struct bs_error *err);

/* Step back home (aborts if the kernel refuses). */
void bs_netns_leave(struct bs_netns_visit *visit);

/* socket(domain, type, protocol) created inside netns_fd (or here when netns_fd < 0).
 * Returns the descriptor, or -1 with errno set. */
int bs_netns_socket(int netns_fd, int domain, int type, int protocol);

#endif
