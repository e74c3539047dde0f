/*
 * Endpoints: the ADDR:PORT a user types, parsed into a socket address, and printed back
 * the way ss(8) prints them.
 *
 * Accepted forms:
 *   PORT             all IPv4 interfaces (0.0.0.0), e.g. 8082
 *   ADDR:PORT        an IPv4 address, e.g. 192.168.1.10:8082
 *   *:PORT           all IPv4 interfaces, the same as 0.0.0.0:PORT
 *   localhost:PORT   127.0.0.1
 *   [IPV6]:PORT      e.g. [::1]:8082, [::]:8082, [fe80::1%eth0]:8082
 *   IFNAME:PORT      the interface's first IPv4 address, e.g. wlan0:8082
 *
 * Every rejection fills err with a sentence that quotes the input and says what is wrong.
 */
#ifndef BINDSCOPE_ENDPOINT_H
#define BINDSCOPE_ENDPOINT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bindscope/error.h"
#include "bindscope/iface.h"

/* Room for "[ffff:…:ffff%ifname]:65535". */
#define BS_ENDPOINT_TEXT_MAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 10)
/* The longest text bs_endpoint_parse reads; longer input is refused with its length. */
#define BS_ENDPOINT_INPUT_MAX 128

struct bs_endpoint {
	struct sockaddr_storage addr; /* sockaddr_in or sockaddr_in6, port included */
	socklen_t addrlen;
	int family;               /* AF_INET or AF_INET6 */
	uint16_t port;            /* host byte order */
	bool port_only;           /* the text was a bare PORT */
	char ifname[IF_NAMESIZE]; /* the interface named in the text (IFNAME:PORT), or "" */
};

/* Parse a port 1-65535. Returns 0, or -1 with err set. */
int bs_port_parse(const char *text, uint16_t *port, struct bs_error *err);

/* Parse "LO-HI" or a single "PORT" into an inclusive range. Returns 0, or -1 with err set. */
int bs_port_range_parse(const char *text, uint16_t *lo, uint16_t *hi, struct bs_error *err);

/*
 * Parse text into ep. ifaces resolves IFNAME:PORT and IPv6 scopes (may be NULL: then
 * interface names are rejected). Returns 0, or -1 with err set.
 */
int bs_endpoint_parse(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep,
                      struct bs_error *err);

/* Build an endpoint from a socket address (as returned by getsockname). Returns 0 or -1. */
int bs_endpoint_from_sockaddr(struct bs_endpoint *ep, const struct sockaddr *sa, socklen_t len);

/* Change the port (both the field and the socket address). */
void bs_endpoint_set_port(struct bs_endpoint *ep, uint16_t port);

/* True when a and b are the same family, address and port. */
bool bs_endpoint_equal(const struct bs_endpoint *a, const struct bs_endpoint *b);

/* True when the endpoint is 0.0.0.0 or ::. */
bool bs_endpoint_is_wildcard(const struct bs_endpoint *ep);

/* "192.168.1.10:8082", "[::1]:8082", "[fe80::1%eth0]:8082". */
void bs_endpoint_text(const struct bs_endpoint *ep, char *buf, size_t len);

/* The address alone: "192.168.1.10", "::1", "fe80::1%eth0". */
void bs_endpoint_addr_text(const struct bs_endpoint *ep, char *buf, size_t len);

/*
 * Address accessors (endpoint_addr.c), so no caller casts a sockaddr. "Address" means the
 * family and the IP address; ports and scopes are ignored unless said.
 */

/* The IPv4 address (family AF_INET), or the IPv4 inside ::ffff:a.b.c.d; false otherwise. */
bool bs_endpoint_v4(const struct bs_endpoint *ep, struct in_addr *out);

/* The IPv6 address (family AF_INET6), or NULL. */
const struct in6_addr *bs_endpoint_v6(const struct bs_endpoint *ep);

/* True when ep is ::ffff:a.b.c.d (IPv4 seen through an IPv6 socket). */
bool bs_endpoint_is_v4_mapped(const struct bs_endpoint *ep);

/* True when a and b have the same family and address (ports ignored). */
bool bs_endpoint_same_addr(const struct bs_endpoint *a, const struct bs_endpoint *b);

/* Same address and port, where an IPv4 address and its IPv4-mapped form (::ffff:a.b.c.d, as a
 * dual-stack [::] socket sees an IPv4 peer) are the same. */
bool bs_endpoint_same_peer(const struct bs_endpoint *a, const struct bs_endpoint *b);

/* True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. */
bool bs_endpoint_is_loopback(const struct bs_endpoint *ep);

/* True for fe80::/10. */
bool bs_endpoint_is_link_local(const struct bs_endpoint *ep);

/* The interface that has ep's address (an IPv4-mapped address counts as its IPv4), or NULL. */
const struct bs_iface *bs_endpoint_owner(const struct bs_iface_list *ifaces,
                                         const struct bs_endpoint *ep);

/* A copy of ep with port 0. */
struct bs_endpoint bs_endpoint_without_port(const struct bs_endpoint *ep);

/* Build an endpoint from an IPv4 or IPv6 address (scope: an interface index for link-local,
 * else 0) and a port. */
void bs_endpoint_from_v4(struct bs_endpoint *ep, struct in_addr a, uint16_t port);
/* Address a of interface f, port 0: a link-local IPv6 address gets f as its scope. */
void bs_endpoint_from_iface_addr(struct bs_endpoint *ep, const struct bs_iface *f,
                                 const struct bs_iface_addr *a);
void bs_endpoint_from_v6(struct bs_endpoint *ep, const struct in6_addr *a, unsigned scope,
                         uint16_t port);

/* Same as bs_endpoint_text for a raw socket address. IPv4-mapped IPv6 is kept as ::ffff:a.b.c.d. */
void bs_sockaddr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen);

#endif
