/*
 * The kernel's socket lookup, as a pure function: given every socket on a port (read with
 * sock_diag) and one arriving connection or datagram, which socket takes it.
 *
 * The rules, in one place (net/ipv4/inet_hashtables.c, net/ipv4/udp.c and their IPv6 twins):
 *  - A destination address that is not an address of this machine is not delivered here at
 *    all: a socket bound to it (IP_FREEBIND, net.ipv4.ip_nonlocal_bind) takes nothing.
 *  - Two passes: first the sockets bound to exactly the destination address, then the
 *    wildcards (0.0.0.0, [::]). The second runs only when the first finds nothing: the most
 *    specific bound socket wins, a wildcard takes what nothing more specific takes.
 *  - IPv4 reaches an IPv6 socket only when it is not v6only: [::] as a wildcard, or
 *    ::ffff:a.b.c.d as that exact address. IPv6 never reaches an IPv4 socket.
 *  - SO_BINDTODEVICE: a socket bound to a device takes only what arrives on that device.
 *    Traffic from this host to one of its own addresses travels over lo, but the lookup sees
 *    it arrive on the interface that has the address (the local route names that device);
 *    127.0.0.0/8 and ::1 arrive on lo (bs_lookup_host_arrival).
 *  - Within a pass the highest score wins. TCP: device-bound 2, else 1, plus 1 for an IPv4
 *    socket. UDP: IPv4 2, IPv6 1, plus 4 for device-bound. Sockets with the same top score
 *    that are not one SO_REUSEPORT group are a tie the kernel breaks by CPU and hash order:
 *    the answer is "one of them", never a guess of which.
 *  - SO_REUSEPORT: a group is the sockets of one family, address, port, device, v6only and
 *    uid that all set it; the kernel spreads connections over a group. Walking its hash
 *    chain in bind order, the first SO_REUSEPORT socket that beats the score so far answers
 *    at once, so any matching SO_REUSEPORT socket may answer beside the top score: the
 *    answer is a GROUP when those are one group, else a TIE. For UDP the table cannot tell
 *    SO_REUSEPORT from SO_REUSEADDR, so an unknown one may answer too.
 *
 * Not modelled (say so where it matters): BPF sk_lookup programs, VRF (l3mdev) devices,
 * connected UDP sockets, and the firewall, which decides before and after all of this.
 */
#ifndef BINDSCOPE_LOOKUP_H
#define BINDSCOPE_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/endpoint.h"
#include "bindscope/iface.h"
#include "bindscope/listener.h"
#include "bindscope/sockets.h"

struct bs_lookup_query {
	enum bs_proto proto;
	struct bs_endpoint dst;   /* where the packet is addressed, port included */
	unsigned arrival_ifindex; /* the device it arrives on: lo's index from this host */
	bool dst_local;           /* dst is an address of this machine (bs_lookup_is_local) */
};

enum bs_lookup_outcome {
	BS_LOOKUP_SOCKET,    /* exactly one socket takes it */
	BS_LOOKUP_GROUP,     /* one SO_REUSEPORT group: the kernel spreads among its members */
	BS_LOOKUP_TIE,       /* sockets of equal score, not one group: one of them takes it */
	BS_LOOKUP_NONE,      /* no socket: TCP answers with a reset, UDP with ICMP unreachable */
	BS_LOOKUP_NOT_LOCAL, /* the address is not this machine's: nothing here takes it */
};

enum bs_lookup_pass {
	BS_PASS_EXACT,    /* a socket bound to exactly the destination address */
	BS_PASS_WILDCARD, /* 0.0.0.0 or [::] */
};

struct bs_lookup_answer {
	enum bs_lookup_outcome outcome;
	enum bs_lookup_pass pass; /* SOCKET, GROUP, TIE: the pass that found it */
	size_t winner;            /* SOCKET: the socket; GROUP, TIE: the first of them */
	size_t count;             /* how many sockets take part (1 for SOCKET) */
	int score;                /* the winning score */
};

/* Where a query goes: fill q from the destination and the arrival device. */
struct bs_lookup_query bs_lookup_query_make(enum bs_proto proto, const struct bs_endpoint *dst,
                                            unsigned arrival_ifindex,
                                            const struct bs_iface_list *ifaces);

/* True when addr is in 127.0.0.0/8 or ::1, an IPv4 address of any interface (the kernel keeps
 * its local route while the interface is down), or an IPv6 address of an interface that is up. */
bool bs_lookup_is_local(const struct bs_iface_list *ifaces, const struct bs_endpoint *addr);

/* The device a connection from this host to its own address dst arrives on, for the lookup:
 * the interface that has the address, or lo (lo_index) for loopback and unknown addresses. */
unsigned bs_lookup_host_arrival(const struct bs_iface_list *ifaces, const struct bs_endpoint *dst,
                                unsigned lo_index);

/* The kernel's choice among socks[0..n) (any ports and protocols; others are skipped). */
void bs_lookup(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
               struct bs_lookup_answer *out);

/* True when socks[i] is one of the sockets the answer names (the winner, its group, the tie). */
bool bs_lookup_takes(const struct bs_socket *socks, size_t n, const struct bs_lookup_query *q,
                     const struct bs_lookup_answer *a, size_t i);

/* Socket s's score for q in the given pass, or -1 when s cannot take it there. */
int bs_lookup_score(const struct bs_socket *s, const struct bs_lookup_query *q,
                    enum bs_lookup_pass pass);

/* True when a and b are in one SO_REUSEPORT group (both known to set it). */
bool bs_lookup_same_group(const struct bs_socket *a, const struct bs_socket *b);

#endif
