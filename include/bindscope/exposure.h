/*
 * The exposure matrix: listener × local address. For each cell, what the bind address
 * predicts (a wildcard takes every address, a specific address only itself), what the probe
 * observed, a flag where they disagree, and a sentence a learner understands.
 *
 * Pure: a function of (listeners, targets, probe results). No sockets, no clock. The targets
 * come from the interface list (bs_exposure_targets) so tests can hand-build both.
 *
 * Probes from this host to its own addresses travel over loopback: the matrix describes the
 * view from this host, and says so.
 */
#ifndef BINDSCOPE_EXPOSURE_H
#define BINDSCOPE_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/endpoint.h"
#include "bindscope/iface.h"
#include "bindscope/listener.h"
#include "bindscope/probe.h"

enum bs_target_kind {
	BS_TARGET_ADDRESS,   /* an address of an interface that is up */
	BS_TARGET_LOCALHOST, /* "localhost", as /etc/hosts maps it: 127.0.0.1 or ::1 */
	BS_TARGET_ANY,       /* 0.0.0.0 or ::, which Linux routes to loopback */
	BS_TARGET_PEER,      /* another host on one segment (the lab's peers): a vantage point */
};

#define BS_EXPOSURE_SEGMENT_MAX 4

struct bs_exposure_target {
	enum bs_target_kind kind;
	int netns_fd; /* BS_TARGET_PEER only: the peer's network namespace (an open fd) */
	struct bs_endpoint addr;     /* port 0; set the port with bs_exposure_target_endpoint */
	char label[IF_NAMESIZE + 8]; /* column name: the interface, "localhost", "0.0.0.0", "::" */
	char text[BS_ENDPOINT_TEXT_MAX]; /* the address as typed: 192.168.1.10, fe80::1%eth0 */
	/* BS_TARGET_PEER only: the interface of this machine on the peer's segment, and this
	 * machine's addresses there. */
	char segment_iface[IF_NAMESIZE];
	struct bs_endpoint segment[BS_EXPOSURE_SEGMENT_MAX];
	size_t nsegment;
};

/* What the matrix needs to know of a listener. */
struct bs_exposure_listener {
	enum bs_proto proto;
	struct bs_endpoint bound;
	bool v6only; /* IPv6 listeners: IPV6_V6ONLY as the kernel reports it */
};

struct bs_exposure_cell {
	bool predicted;           /* the bind address says this target reaches the listener */
	enum bs_verdict observed; /* PENDING when not probed */
	bool disagree;            /* observed contradicts predicted */
	char why[320];            /* one or two sentences */
};

/*
 * Fill out (up to max) with the probe targets of this machine: every IPv4 address of every
 * interface that is up, then localhost and 0.0.0.0; with ipv6, also every IPv6 address, ::1
 * as localhost and ::. Returns the number of targets.
 */
size_t bs_exposure_targets(const struct bs_iface_list *ifaces, bool ipv6,
                           struct bs_exposure_target *out, size_t max);

/*
 * A vantage point: peer (named, at peer_text) on the segment of this machine's interface
 * iface, probing from the network namespace netns_fd. Returns 0, or -1 when iface has no
 * address in ifaces.
 */
int bs_exposure_peer_target(struct bs_exposure_target *t, const char *peer, const char *peer_text,
                            const char *iface, const struct bs_iface_list *ifaces, int netns_fd);

/*
 * Where a probe of listener l at target t connects: for a local target, the target's address;
 * for a peer, the listener's own address when it is specific, and this machine's address on
 * the peer's segment when it is a wildcard.
 */
void bs_exposure_probe_endpoint(const struct bs_exposure_listener *l,
                                const struct bs_exposure_target *t, struct bs_endpoint *out);

/* The endpoint to probe: the target's address with port. */
void bs_exposure_target_endpoint(const struct bs_exposure_target *t, unsigned port,
                                 struct bs_endpoint *out);

/* True when a connection to target reaches a listener bound as l, by the rules of Linux. */
bool bs_exposure_predict(const struct bs_exposure_listener *l, const struct bs_exposure_target *t);

/* Evaluate one cell; observed may be NULL (not probed). */
void bs_exposure_cell_eval(const struct bs_exposure_listener *l, const struct bs_exposure_target *t,
                           const struct bs_probe_result *observed, struct bs_exposure_cell *cell);

/* One sentence on what the listener exposes: "bound to the wildcard: reachable…". */
void bs_exposure_summary(const struct bs_exposure_listener *l, const struct bs_iface_list *ifaces,
                         char *buf, size_t len);

/* The equivalent commands of the seed, for a listener and a probe target. */
void bs_exposure_socat_command(const struct bs_exposure_listener *l, char *buf, size_t len);
void bs_exposure_nc_command(const struct bs_exposure_listener *l,
                            const struct bs_exposure_target *t, char *buf, size_t len);
void bs_exposure_ss_command(const struct bs_exposure_listener *l, char *buf, size_t len);

/*
 * For a port whose listener bindscope did not open: what the observed pattern over the
 * targets says about how it is bound ("open on every IPv4 address: bound to a wildcard").
 * results[i] belongs to targets[i]; entries still PENDING are ignored.
 */
void bs_exposure_infer(const struct bs_exposure_target *targets,
                       const struct bs_probe_result *results, size_t n, unsigned port, char *buf,
                       size_t len);

#endif
