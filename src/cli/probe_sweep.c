#include "probe_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "cli_util.h"
#include "commands.h"

struct sweep_result {
	uint8_t *open;        /* [address][port - lo]: 1 when open */
	size_t self_connects; /* phantom opens discarded */
	size_t probes;
	uint64_t elapsed_us;
};

struct sweep_target {
	const struct bs_exposure_target *address;
	uint16_t lo;
};

static void sweep_target_at(size_t i, struct bs_endpoint *out, void *arg)
{
	const struct sweep_target *st = arg;

	bs_exposure_target_endpoint(st->address, st->lo + (unsigned)i, out);
}

static int sweep_one(const struct sweep_request *req, size_t a, struct sweep_result *out,
                     struct bs_error *err)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	struct bs_probe_result *results = malloc(n * sizeof(*results));
	struct sweep_target st = {.address = &req->on[a], .lo = req->lo};

	if (results == NULL)
		return bs_error_set(err, 0, "out of memory for a sweep of %zu ports", n);
	if (bs_probe_run_gen(n, sweep_target_at, &st, &req->opts, results, err) < 0) {
		free(results);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		out->open[a * n + i] = results[i].verdict == BS_VERDICT_OPEN;
		out->self_connects += results[i].self_connect;
	}
	out->probes += n;
	free(results);
	return 0;
}

static bool open_everywhere(const struct sweep_request *req, const struct sweep_result *res,
                            size_t i)
{
	size_t n = (size_t)req->hi - req->lo + 1;

	for (size_t a = 0; a < req->non; a++)
		if (!res->open[a * n + i])
			return false;
	return true;
}

static void print_text(const struct sweep_request *req, const struct sweep_result *res)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	char list[4096];

	printf("Swept %s ports %u-%u on %zu address%s from this host: %zu probes in %.2f s.\n",
	       bs_proto_name(req->opts.proto), req->lo, req->hi, req->non,
	       req->non == 1 ? "" : "es", res->probes, (double)res->elapsed_us / 1e6);
	for (size_t a = 0; a < req->non; a++) {
		list[0] = '\0';
		for (size_t i = 0; i < n; i++)
			if (res->open[a * n + i])
				bs_textbuf_appendf(list, sizeof(list), "%s%zu", list[0] ? ", " : "",
				                   req->lo + i);
		printf("  %-16s %-10s open: %s\n", req->on[a].text, req->on[a].label,
		       list[0] ? list : "none");
	}
	if (req->non > 1) {
		list[0] = '\0';
		for (size_t i = 0; i < n; i++)
			if (open_everywhere(req, res, i))
				bs_textbuf_appendf(list, sizeof(list), "%s%zu", list[0] ? ", " : "",
				                   req->lo + i);
		printf("Open on every address swept (bound to a wildcard, reachable from every "
		       "network): %s\n",
		       list[0] ? list : "none");
	}
	printf("TCP self-connects discarded (phantom open ports that `nc -z` reports): %zu\n",
	       res->self_connects);
}

static int print_json(const struct sweep_request *req, const struct sweep_result *res)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	json_t *root = json_object(), *addrs = json_array(), *everywhere = json_array();

	json_object_set_new(root, "proto", json_string(bs_proto_name(req->opts.proto)));
	json_object_set_new(root, "ports", json_pack("{s:i,s:i}", "from", req->lo, "to", req->hi));
	json_object_set_new(root, "measured_from", json_string("this host"));
	json_object_set_new(root, "probes", json_integer((json_int_t)res->probes));
	json_object_set_new(root, "elapsed_us", json_integer((json_int_t)res->elapsed_us));
	json_object_set_new(root, "self_connects_discarded",
	                    json_integer((json_int_t)res->self_connects));
	for (size_t a = 0; a < req->non; a++) {
		json_t *o = json_object(), *open = json_array();
		for (size_t i = 0; i < n; i++)
			if (res->open[a * n + i])
				json_array_append_new(
				    open, json_integer((json_int_t)req->lo + (json_int_t)i));
		json_object_set_new(o, "address", json_string(req->on[a].text));
		json_object_set_new(o, "label", json_string(req->on[a].label));
		json_object_set_new(o, "open", open);
		json_array_append_new(addrs, o);
	}
	for (size_t i = 0; i < n; i++)
		if (open_everywhere(req, res, i))
			json_array_append_new(everywhere,
			                      json_integer((json_int_t)req->lo + (json_int_t)i));
	json_object_set_new(root, "addresses", addrs);
	json_object_set_new(root, "open_on_every_address", everywhere);
	return cli_json_emit(root, false) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
}

int probe_sweep(const struct sweep_request *req)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	struct sweep_result res = {0};
	struct bs_error err;
	uint64_t start = bs_now_us();
	int rc = BS_EXIT_OK;

	res.open = calloc(req->non * n, 1);
	if (res.open == NULL) {
		cli_error("out of memory for a sweep of %zu ports", n);
		return BS_EXIT_FAILURE;
	}
	for (size_t a = 0; a < req->non; a++) {
		if (sweep_one(req, a, &res, &err) < 0) {
			cli_error_show(&err);
			free(res.open);
			return BS_EXIT_FAILURE;
		}
	}
	res.elapsed_us = bs_now_us() - start;
	if (req->json)
		rc = print_json(req, &res);
	else
		print_text(req, &res);
	free(res.open);
	return rc;
}
