/* Fuzz target: the agent's request reader (what `bindscope agent` reads from the other
 * machine), the client's reader of its answers, and the ssh command splitter. A request
 * that parses is written again and must read back the same. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/agent.h"
#include "bindscope/remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct bs_agent_request *r)
{
	json_t *again =
	    r->op == BS_AGENT_PROBE
	        ? bs_agent_probe_request(r->id, r->proto, r->timeout_ms, r->targets, r->ntargets)
	    : r->op == BS_AGENT_ROUTE ? bs_agent_route_request(r->id, r->targets, r->ntargets)
	                              : bs_agent_hello_request(r->id);
	char *text = json_dumps(again, JSON_COMPACT);
	struct bs_agent_request back;
	struct bs_error err;

	json_decref(again);
	if (text == NULL)
		return;
	if (bs_agent_request_parse(text, strlen(text), &back, &err) < 0 || back.op != r->op ||
	    back.id != r->id || back.ntargets != r->ntargets)
		abort();
	for (size_t i = 0; i < r->ntargets; i++)
		if (!bs_endpoint_same_addr(&back.targets[i], &r->targets[i]) ||
		    back.targets[i].port != r->targets[i].port)
			abort();
	bs_agent_request_free(&back);
	free(text);
}

static void answer(const uint8_t *data, size_t size)
{
	json_t *a = json_loadb((const char *)data, size, 0, NULL);
	size_t n = json_array_size(json_object_get(a, "results")) +
	           json_array_size(json_object_get(a, "routes"));
	struct bs_probe_result *res = calloc(n + 1, sizeof(*res));
	struct bs_route *routes = calloc(n + 1, sizeof(*routes));
	struct bs_error err;
	uint32_t token;

	if (a != NULL && res != NULL && routes != NULL) {
		bs_agent_results_parse(a, res, json_array_size(json_object_get(a, "results")),
		                       &token, &err);
		bs_agent_routes_parse(a, routes, json_array_size(json_object_get(a, "routes")),
		                      &err);
	}
	free(res);
	free(routes);
	json_decref(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_agent_request r;
	struct bs_error err;
	char text[600], buf[600], *words[32];

	if (bs_agent_request_parse((const char *)data, size, &r, &err) == 0) {
		round_trip(&r);
		bs_agent_request_free(&r);
	}
	answer(data, size);
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		bs_remote_split_command(text, buf, sizeof(buf), words, 32, &err);
		bs_remote_host_check(text, &err);
	}
	return 0;
}
