/*
 * The probe engine: many non-blocking connects at once, each with a deadline, on the loop.
 *
 * TCP: a completed handshake is open, a reset is refused, no answer by the deadline is a
 * timeout, EHOSTUNREACH/ENETUNREACH are unreachable, anything else is the errno by name.
 * ICMP errors are read with their type and code (IP_RECVERR): port unreachable is refused,
 * every other destination unreachable (admin prohibited, host unreachable) is unreachable,
 * so a firewall's reject with ICMP is told apart from a reset (bs_probe_reason).
 * A TCP self-connect (the kernel chose the target port as the source port, so the socket
 * is connected to itself) is not an open port: it is detected and counted as refused.
 * Open connections are closed with a reset, so sweeps leave no TIME_WAIT behind.
 *
 * UDP: a datagram carrying a token is sent. ICMP port unreachable (ECONNREFUSED) is refused;
 * silence until the deadline is open|filtered, unless the receiver confirms the token with
 * bs_probe_confirm_udp() (bindscope's own UDP listeners do), which makes it open.
 */
#ifndef BINDSCOPE_PROBE_H
#define BINDSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindscope/endpoint.h"
#include "bindscope/listener.h"
#include "bindscope/loop.h"

enum bs_verdict {
	BS_VERDICT_PENDING,
	BS_VERDICT_OPEN,
	BS_VERDICT_REFUSED,
	BS_VERDICT_TIMEOUT,
	BS_VERDICT_UNREACHABLE,
	BS_VERDICT_OPEN_FILTERED, /* UDP: no answer either way */
	BS_VERDICT_ERROR,         /* see the result's errno */
};

/* "open", "refused", "timeout", "unreachable", "open|filtered", "error", "pending". */
const char *bs_verdict_name(enum bs_verdict verdict);

/* A verdict's mark, so a cell reads without colour: ✓ ✗ … ⊘ ? !, or + - ~ x ? ! in ASCII. */
const char *bs_verdict_symbol(enum bs_verdict verdict, bool utf8);

struct bs_probe_result {
	enum bs_verdict verdict;
	int error;            /* errno behind refused/unreachable/error, else 0 */
	uint64_t latency_us;  /* from connect() to the verdict */
	bool self_connect;    /* a TCP self-connect was detected and discarded */
	uint16_t source_port; /* with record_source: the probe's own port, 0 when unknown */
	bool confirmed;       /* UDP: a listener of this process received it (no reply) */
	bool icmp;            /* an ICMP error ended it: its type and code, as it arrived */
	uint8_t icmp_type, icmp_code;
};

/* Why a probe ended as it did, as nmap's --reason says it: "syn-ack", "udp-response",
 * "received" (UDP: bindscope's own listener got it),
 * "reset", "icmp-port-unreachable", "icmp-admin-prohibited" (any ICMP error read, by its
 * type and code), "port-unreachable" (UDP refused, the ICMP not read), "self-connect",
 * "no-response", "no-route" (no route here), "host-unreachable", "local-error" (the probe
 * could not be sent from here), "" while pending. */
const char *bs_probe_reason(const struct bs_probe_result *r, enum bs_proto proto, int family);

struct bs_probe_opts {
	enum bs_proto proto;
	unsigned timeout_ms;            /* per probe deadline (default 1000) */
	unsigned concurrency;           /* probes in flight at once (default 256) */
	const struct bs_endpoint *from; /* bind the source address (port ignored), or NULL */
	bool record_source; /* note each probe's source port (one getsockname per probe) */
	int netns_fd;       /* probe from this network namespace (an open fd), or -1 */
};

struct bs_probe_opts bs_probe_opts_default(void);

struct bs_probe;

/* Called once, from the loop, when every target has a verdict. */
typedef void (*bs_probe_done_cb)(struct bs_probe *probe, void *arg);

/* Fills *out with target i (its port included): made on demand, so a sweep of 65,535 ports
 * never holds them all in memory. */
typedef void (*bs_probe_target_fn)(size_t i, struct bs_endpoint *out, void *arg);

/*
 * Start probing count targets, made on demand by fn (called once per target). Returns the
 * probe, or NULL with err set (bad options, out of memory).
 */
struct bs_probe *bs_probe_start_gen(struct bs_loop *loop, size_t count, bs_probe_target_fn fn,
                                    void *fn_arg, const struct bs_probe_opts *opts,
                                    bs_probe_done_cb done, void *arg, struct bs_error *err);

/* Result i (in the order of the targets); PENDING until it is known. */
const struct bs_probe_result *bs_probe_result(const struct bs_probe *probe, size_t i);

/*
 * A UDP receiver saw payload: if it carries one of this probe's tokens while that target is
 * still waiting, the target is open. Returns the target's index, or -1.
 */
long bs_probe_confirm_udp(struct bs_probe *probe, const unsigned char *payload, size_t len);

/*
 * When peer (as a listener saw it accept) is one of this probe's own connections (needs
 * record_source), the index of its target, else -1. Each connection is claimed once; a
 * visitor who later gets the same port is a visitor.
 */
long bs_probe_claim(struct bs_probe *probe, const struct bs_endpoint *peer);

/* Target i's own connection, when its source was recorded and no listener claimed it yet
 * (for remembering a round's connections after the round is gone). */
bool bs_probe_unclaimed_source(const struct bs_probe *probe, size_t i, struct bs_endpoint *out);

/* This probe's UDP token, and the token a payload carries (false: not a probe's payload). */
uint32_t bs_probe_token(const struct bs_probe *probe);
bool bs_probe_payload_token(const unsigned char *payload, size_t len, uint32_t *token);

/* Stop and free; pending probes are abandoned. NULL is ignored. */
void bs_probe_free(struct bs_probe *probe);

/* Run a probe to completion on a private loop (for callers without a loop), its targets
 * made on demand by fn. */
int bs_probe_run_gen(size_t count, bs_probe_target_fn fn, void *fn_arg,
                     const struct bs_probe_opts *opts, struct bs_probe_result *results,
                     struct bs_error *err);

#endif
