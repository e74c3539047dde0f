/* The agent protocol's lines (agent.h): reading requests, writing them, reading answers. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/agent.h"

/* No scope: link-local addresses are never asked about from another host. */
int bs_agent_address_parse(const char *text, struct bs_endpoint *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		bs_endpoint_from_v4(out, a4, 0);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		bs_endpoint_from_v6(out, &a6, 0, 0);
		return 0;
	}
	return -1;
}

static int targets_parse(const json_t *list, enum bs_agent_op op, struct bs_agent_request *out,
                         struct bs_error *err)
{
	size_t n = json_array_size(list);

	if (!json_is_array(list))
		return bs_error_set(err, 0, "the request has no \"targets\" list");
	if (n > BS_AGENT_TARGETS_MAX)
		return bs_error_set(err, 0,
		                    "the request has %zu targets; at most %u are taken at once", n,
		                    BS_AGENT_TARGETS_MAX);
	out->targets = calloc(n ? n : 1, sizeof(*out->targets));
	if (out->targets == NULL)
		return bs_error_set(err, 0, "out of memory reading %zu targets", n);
	for (size_t i = 0; i < n; i++) {
		const char *text = json_string_value(json_array_get(list, i));
		struct bs_error why;
		if (text == NULL)
			return bs_error_set(err, 0, "target %zu is not a string", i + 1);
		if (op == BS_AGENT_ROUTE
		        ? bs_agent_address_parse(text, &out->targets[i]) < 0
		        : bs_endpoint_parse(text, NULL, &out->targets[i], &why) < 0)
			return bs_error_set(err, 0, "target %zu is not an %s", i + 1,
			                    op == BS_AGENT_ROUTE ? "address" : "ADDR:PORT");
		out->ntargets++;
	}
	return 0;
}

static int probe_opts_parse(const json_t *root, struct bs_agent_request *out, struct bs_error *err)
{
	const char *proto = json_string_value(json_object_get(root, "proto"));
	const json_t *t = json_object_get(root, "timeout_ms");

	if (proto != NULL && strcmp(proto, "tcp") == 0)
		out->proto = BS_PROTO_TCP;
	else if (proto != NULL && strcmp(proto, "udp") == 0)
		out->proto = BS_PROTO_UDP;
	else
		return bs_error_set(err, 0, "\"proto\" must be \"tcp\" or \"udp\"");
	out->timeout_ms = 1000;
	if (t == NULL)
		return 0;
	if (!json_is_integer(t) || json_integer_value(t) < 1 ||
	    json_integer_value(t) > BS_AGENT_TIMEOUT_MAX)
		return bs_error_set(err, 0, "\"timeout_ms\" must be 1 to %u", BS_AGENT_TIMEOUT_MAX);
	out->timeout_ms = (unsigned)json_integer_value(t);
	return 0;
}

static int request_fields(const json_t *root, struct bs_agent_request *out, struct bs_error *err)
{
	const json_t *version = json_object_get(root, "agent");
	const char *op = json_string_value(json_object_get(root, "op"));

	if (!json_is_integer(version))
		return bs_error_set(err, 0, "the request names no protocol version (\"agent\")");
	if (json_integer_value(version) != BS_AGENT_PROTOCOL)
		return bs_error_set(err, 0,
		                    "this agent speaks protocol %d, the request protocol %lld: "
		                    "install the same bindscope version on both machines",
		                    BS_AGENT_PROTOCOL, (long long)json_integer_value(version));
	if (op != NULL && strcmp(op, "hello") == 0) {
		out->op = BS_AGENT_HELLO;
		return 0;
	}
	if (op != NULL && strcmp(op, "route") == 0)
		out->op = BS_AGENT_ROUTE;
	else if (op != NULL && strcmp(op, "probe") == 0)
		out->op = BS_AGENT_PROBE;
	else
		return bs_error_set(err, 0, "unknown \"op\": hello, route and probe are known");
	if (out->op == BS_AGENT_PROBE && probe_opts_parse(root, out, err) < 0)
		return -1;
	return targets_parse(json_object_get(root, "targets"), out->op, out, err);
}

int bs_agent_request_parse(const char *line, size_t len, struct bs_agent_request *out,
                           struct bs_error *err)
{
	json_error_t jerr;
	json_t *root, *id;
	int rc;

	memset(out, 0, sizeof(*out));
	out->id = -1;
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &jerr);
	if (root == NULL)
		return bs_error_set(err, 0, "the request is not JSON: %s", jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return bs_error_set(err, 0, "the request is not a JSON object");
	}
	id = json_object_get(root, "id");
	if (json_is_integer(id))
		out->id = json_integer_value(id);
	rc = out->id < 0 ? bs_error_set(err, 0, "the request has no \"id\" (a number from 0)")
	                 : request_fields(root, out, err);
	json_decref(root);
	if (rc < 0) {
		free(out->targets);
		out->targets = NULL;
		out->ntargets = 0;
	}
	return rc;
}

void bs_agent_request_free(struct bs_agent_request *r)
{
	free(r->targets);
	r->targets = NULL;
	r->ntargets = 0;
}

static json_t *request(long long id, const char *op)
{
	return json_pack("{s:i,s:I,s:s}", "agent", BS_AGENT_PROTOCOL, "id", (json_int_t)id, "op",
	                 op);
}

json_t *bs_agent_hello_request(long long id)
{
	return request(id, "hello");
}

static json_t *target_list(const struct bs_endpoint *t, size_t n, bool with_port)
{
	json_t *a = json_array();
	char text[BS_ENDPOINT_TEXT_MAX];

	for (size_t i = 0; a != NULL && i < n; i++) {
		if (with_port)
			bs_endpoint_text(&t[i], text, sizeof(text));
		else
			bs_endpoint_addr_text(&t[i], text, sizeof(text));
		json_array_append_new(a, json_string(text));
	}
	return a;
}

json_t *bs_agent_route_request(long long id, const struct bs_endpoint *targets, size_t n)
{
	json_t *r = request(id, "route");

	json_object_set_new(r, "targets", target_list(targets, n, false));
	return r;
}

json_t *bs_agent_probe_request(long long id, enum bs_proto proto, unsigned timeout_ms,
                               const struct bs_endpoint *targets, size_t n)
{
	json_t *r = request(id, "probe");

	json_object_set_new(r, "proto", json_string(proto == BS_PROTO_UDP ? "udp" : "tcp"));
	json_object_set_new(r, "timeout_ms", json_integer(timeout_ms));
	json_object_set_new(r, "targets", target_list(targets, n, true));
	return r;
}

/* answer[key], an array of exactly n objects. */
static const json_t *answer_list(const json_t *answer, const char *key, size_t n,
                                 struct bs_error *err)
{
	const json_t *list = json_object_get(answer, key);

	if (!json_is_array(list) || json_array_size(list) != n) {
		bs_error_set(err, 0, "the agent's answer has %zu %s for %zu targets",
		             json_array_size(list), key, n);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!json_is_object(json_array_get(list, i))) {
			bs_error_set(err, 0, "the agent's %s entry %zu is not an object", key,
			             i + 1);
			return NULL;
		}
	return list;
}

static long long int_of(const json_t *o, const char *key, long long lo, long long hi)
{
	const json_t *v = json_object_get(o, key);
	long long x = json_is_integer(v) ? json_integer_value(v) : 0;

	return x < lo ? lo : x > hi ? hi : x;
}

int bs_agent_routes_parse(const json_t *answer, struct bs_route *out, size_t n,
                          struct bs_error *err)
{
	const json_t *list = answer_list(answer, "routes", n, err);

	if (list == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(list, i);
		const char *gw = json_string_value(json_object_get(r, "gateway"));
		memset(&out[i], 0, sizeof(out[i]));
		out[i].found = json_is_true(json_object_get(r, "found"));
		out[i].local = json_is_true(json_object_get(r, "local"));
		out[i].error = (int)int_of(r, "errno", 0, 4095);
		if (gw != NULL && bs_agent_address_parse(gw, &out[i].gateway) < 0)
			return bs_error_set(err, 0,
			                    "the agent's route %zu has a gateway that is not an "
			                    "address",
			                    i + 1);
		out[i].has_gateway = gw != NULL;
	}
	return 0;
}

static int verdict_of(const char *name, enum bs_verdict *out)
{
	for (int v = BS_VERDICT_OPEN; v <= BS_VERDICT_ERROR; v++)
		if (name != NULL && strcmp(name, bs_verdict_name((enum bs_verdict)v)) == 0) {
			*out = (enum bs_verdict)v;
			return 0;
		}
	return -1;
}

int bs_agent_results_parse(const json_t *answer, struct bs_probe_result *out, size_t n,
                           uint32_t *token, struct bs_error *err)
{
	const json_t *list = answer_list(answer, "results", n, err);

	if (list == NULL)
		return -1;
	*token = (uint32_t)int_of(answer, "token", 0, UINT32_MAX);
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(list, i);
		memset(&out[i], 0, sizeof(out[i]));
		if (verdict_of(json_string_value(json_object_get(r, "verdict")), &out[i].verdict) <
		    0)
			return bs_error_set(err, 0, "the agent's result %zu has no known verdict",
			                    i + 1);
		out[i].error = (int)int_of(r, "errno", 0, 4095);
		out[i].latency_us = (uint64_t)int_of(r, "latency_us", 0, 3600LL * 1000000);
		out[i].self_connect = json_is_true(json_object_get(r, "self_connect"));
		out[i].icmp = json_is_true(json_object_get(r, "icmp"));
		out[i].icmp_type = (uint8_t)int_of(r, "icmp_type", 0, 255);
		out[i].icmp_code = (uint8_t)int_of(r, "icmp_code", 0, 255);
		out[i].source_port = (uint16_t)int_of(r, "source_port", 0, 65535);
	}
	return 0;
}
