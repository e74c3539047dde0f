/*
 * A bound TCP or UDP socket that accepts and discards, like
 * `socat TCP4-LISTEN:8082,bind=192.168.1.10,fork /dev/null` without the fork.
 *
 * TCP: every connection is accepted, read until EOF, its bytes counted and thrown away.
 * UDP: every datagram is received, counted and thrown away; nothing is ever sent back.
 * Each event (accepted, closed, datagram, shed) goes to the caller's callback with the
 * peer and the local address it arrived on (getsockname), which shows the interface used.
 *
 * Out of file descriptors (EMFILE/ENFILE), a pending connection is shed: accepted on a
 * spare descriptor and closed at once, counted, reported, so the loop never spins.
 */
#ifndef BINDSCOPE_LISTENER_H
#define BINDSCOPE_LISTENER_H

#include <stdbool.h>
#include <net/if.h>
#include <stdint.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/loop.h"

enum bs_proto {
	BS_PROTO_TCP,
	BS_PROTO_UDP,
};

/* "tcp" or "udp". */
const char *bs_proto_name(enum bs_proto proto);

struct bs_listener_opts {
	enum bs_proto proto;
	bool reuseaddr;           /* SO_REUSEADDR for TCP (on by default); never set on UDP */
	int v6only;               /* IPV6_V6ONLY for IPv6: 1, 0, or -1 for the system default */
	bool reuseport;           /* SO_REUSEPORT: live sockets of one user may share the address */
	char device[IF_NAMESIZE]; /* SO_BINDTODEVICE: take only what arrives there; "" for any */
};

/* TCP, SO_REUSEADDR on, system default for IPV6_V6ONLY. */
struct bs_listener_opts bs_listener_opts_default(void);

enum bs_listener_event_kind {
	BS_EV_ACCEPTED, /* a TCP connection was accepted */
	BS_EV_CLOSED,   /* a TCP connection ended; bytes is its total */
	BS_EV_DATAGRAM, /* a UDP datagram arrived; bytes is its size */
	BS_EV_SHED,     /* a connection was closed unread for lack of file descriptors */
	BS_EV_ERROR,    /* a failure the listener survived; message says what */
};

struct bs_listener_event {
	enum bs_listener_event_kind kind;
	struct bs_endpoint peer;
	struct bs_endpoint local; /* the address the connection or datagram arrived on */
	uint64_t bytes;
	const unsigned char *payload; /* BS_EV_DATAGRAM: the datagram's first bytes */
	size_t payload_len;
	const char *message; /* BS_EV_SHED and BS_EV_ERROR */
};

struct bs_listener_stats {
	uint64_t accepted;  /* TCP connections accepted in all */
	uint64_t open_now;  /* TCP connections open now */
	uint64_t bytes;     /* bytes received, TCP and UDP */
	uint64_t datagrams; /* UDP datagrams received */
	uint64_t shed;      /* connections closed unread for lack of file descriptors */
	bool has_last;
	struct bs_endpoint last_peer;
	struct bs_endpoint last_local;
};

struct bs_listener;

typedef void (*bs_listener_cb)(struct bs_listener *listener, const struct bs_listener_event *event,
                               void *arg);

/*
 * Open a listener bound to ep on loop. ifaces (may be NULL) names the machine's addresses
 * in the message when the address is not here. cb (may be NULL) hears every event.
 * Returns the listener, or NULL with err set to a sentence naming the address and port,
 * what went wrong, and what to try. Nothing is left open on failure.
 */
struct bs_listener *bs_listener_open(struct bs_loop *loop, const struct bs_endpoint *ep,
                                     const struct bs_listener_opts *opts,
                                     const struct bs_iface_list *ifaces, bs_listener_cb cb,
                                     void *arg, struct bs_error *err);

/* Close the listener and all its connections. NULL is ignored. */
void bs_listener_close(struct bs_listener *listener);

const struct bs_listener_stats *bs_listener_stats(const struct bs_listener *listener);

/* The address actually bound (from getsockname). */
const struct bs_endpoint *bs_listener_endpoint(const struct bs_listener *listener);

enum bs_proto bs_listener_proto(const struct bs_listener *listener);

/* The socket's inode, as sock_diag and /proc/PID/fd name it (0 when unknown). */
uint64_t bs_listener_inode(const struct bs_listener *listener);

/* Whether SO_REUSEADDR, SO_REUSEPORT were set on it. */
bool bs_listener_reuseaddr(const struct bs_listener *listener);
bool bs_listener_reuseport(const struct bs_listener *listener);

/* Whether an IPv6 listener takes IPv6 only (as the kernel reports it); false for IPv4. */
bool bs_listener_v6only(const struct bs_listener *listener);

#endif
