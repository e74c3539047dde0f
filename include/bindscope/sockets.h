/*
 * The system's listening sockets, read with sock_diag netlink (as ss does), and their
 * owners from /proc/PID/fd. This first piece answers one question for error messages:
 * who holds this port?
 */
#ifndef BINDSCOPE_SOCKETS_H
#define BINDSCOPE_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/listener.h"

struct bs_socket {
	enum bs_proto proto;
	struct bs_endpoint local;
	uint32_t uid;
	uint64_t inode;
	pid_t pid;         /* 0 when unknown (another user's process, without root) */
	char program[64];  /* "" when unknown */
};

/*
 * Fill out (up to max) with the TCP listening sockets, or the bound UDP sockets, on port.
 * Owners are filled where /proc lets us see them. Returns the number found, or -1 with err.
 */
int bs_sockets_on_port(enum bs_proto proto, uint16_t port, struct bs_socket *out, size_t max,
		       struct bs_error *err);

/*
 * "socat (pid 4242) on 0.0.0.0:8082": who holds the port, for messages; "" when nobody.
 * Sets *clash when a holder is a wildcard and ep is not (or the reverse), or both are
 * wildcards of different families: the conflicts Linux refuses even with SO_REUSEADDR.
 */
void bs_sockets_holder_text(enum bs_proto proto, const struct bs_endpoint *ep, char *buf,
			    size_t len, bool *clash);

#endif
