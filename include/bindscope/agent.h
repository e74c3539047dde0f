/*
 * The probe agent and its protocol: `bindscope agent` reads requests on stdin and writes
 * answers on stdout, one JSON object per line, so another machine can run it through
 * `ssh -T HOST bindscope agent` and probe this machine from there. No listening socket, no
 * daemon: it lives as long as its input.
 *
 * Every line carries "agent" (the protocol version, BS_AGENT_PROTOCOL) and an "id" that the
 * answer repeats:
 *
 *   {"agent":1,"id":1,"op":"hello"}
 *     {"agent":1,"id":1,"ok":true,"version":"0.1.0","host":"pc2",
 *      "ssh_connection":"192.168.0.110 52100 192.168.0.20 22"}        (null outside ssh)
 *   {"agent":1,"id":2,"op":"route","targets":["192.168.0.110","fd00::110"]}
 *     {"agent":1,"id":2,"ok":true,"routes":[{"found":true,"errno":0,"gateway":null,
 *      "local":false}, ...]}                                   (one per target, in order)
 *   {"agent":1,"id":3,"op":"probe","proto":"tcp","timeout_ms":1000,
 *    "targets":["192.168.0.110:8082","[fd00::110]:8082"]}
 *     {"agent":1,"id":3,"ok":true,"token":3735928559,"results":[{"verdict":"open","errno":0,
 *      "latency_us":180,"icmp":false,"icmp_type":0,"icmp_code":0,"self_connect":false,
 *      "source_port":40112}, ...]}
 *   (source_port: each probe's own port; token: what its UDP datagrams carry. With them the
 *   other side's listeners tell which probe they accepted.)
 *
 * A request the agent cannot do gets {"agent":1,"id":N,"ok":false,"error":"a sentence"}; a
 * request in another version gets that too, with "agent" saying the version it speaks.
 */
#ifndef BINDSCOPE_AGENT_H
#define BINDSCOPE_AGENT_H

#include <jansson.h>
#include <stddef.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/probe.h"
#include "bindscope/route.h"

#define BS_AGENT_PROTOCOL    1
#define BS_AGENT_LINE_MAX    (4u << 20) /* one line: 65,536 targets fit */
#define BS_AGENT_TARGETS_MAX 65536u
#define BS_AGENT_TIMEOUT_MAX 30000u /* ms, per probe */

enum bs_agent_op { BS_AGENT_HELLO, BS_AGENT_ROUTE, BS_AGENT_PROBE };

struct bs_agent_request {
	long long id; /* -1 when the line had none */
	enum bs_agent_op op;
	enum bs_proto proto;         /* probe */
	unsigned timeout_ms;         /* probe */
	struct bs_endpoint *targets; /* route: port 0; probe: with the port */
	size_t ntargets;
};

/* Parse one request line (without its newline). Returns 0, or -1 with err set; out->id is
 * set whenever the line had one, so even a refusal names the request it answers. */
int bs_agent_request_parse(const char *line, size_t len, struct bs_agent_request *out,
                           struct bs_error *err);
void bs_agent_request_free(struct bs_agent_request *r);

/* An address without a port, as the protocol writes one: "192.168.0.110", "fd00::110" (no
 * scope). 0, or -1 when text is not one. */
int bs_agent_address_parse(const char *text, struct bs_endpoint *out);

/* The requests, as the other side sends them (the caller frees with json_decref). */
json_t *bs_agent_hello_request(long long id);
json_t *bs_agent_route_request(long long id, const struct bs_endpoint *targets, size_t n);
json_t *bs_agent_probe_request(long long id, enum bs_proto proto, unsigned timeout_ms,
                               const struct bs_endpoint *targets, size_t n);

/* An answer's lists, checked: exactly n entries of the right shape. 0, or -1 with err set. */
int bs_agent_routes_parse(const json_t *answer, struct bs_route *out, size_t n,
                          struct bs_error *err);
int bs_agent_results_parse(const json_t *answer, struct bs_probe_result *out, size_t n,
                           uint32_t *token, struct bs_error *err);

/* Serve requests from in_fd, answers to out_fd, until end of input. version is this
 * bindscope's ("0.1.0"). Returns 0, or -1 with err set when the answers cannot be written. */
int bs_agent_serve(int in_fd, int out_fd, const char *version, struct bs_error *err);

#endif
