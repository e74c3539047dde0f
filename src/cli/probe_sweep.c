#include "probe_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/matrix.h"
#include "bindscope/sockets.h"
#include "cli_util.h"
#include "commands.h"

struct sweep_result {
	uint8_t *open;        /* [address][port - lo]: 1 when open */
	size_t self_connects; /* phantom opens discarded */
	size_t probes;
	uint64_t elapsed_us;
};

struct sweep_target {
	const struct sweep_addr *address;
	uint16_t lo;
};

static void sweep_target_at(size_t i, struct bs_endpoint *out, void *arg)
{
	const struct sweep_target *st = arg;

	*out = st->address->addr;
	bs_endpoint_set_port(out, (uint16_t)(st->lo + i));
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

static bool open_anywhere(const struct sweep_request *req, const struct sweep_result *res, size_t i)
{
	size_t n = (size_t)req->hi - req->lo + 1;

	for (size_t a = 0; a < req->non; a++)
		if (res->open[a * n + i])
			return true;
	return false;
}

/* The column of the matrix (this host's view) for swept address a. */
static long column_of(const struct bs_matrix *m, const struct sweep_addr *a)
{
	for (size_t c = 0; c < bs_matrix_ncols(m); c++) {
		const struct bs_matrix_col *col = bs_matrix_col(m, c);
		if (col->vantage == 0 && col->kind != BS_COL_ANY && col->kind != BS_COL_LOCALHOST &&
		    bs_endpoint_same_addr(&col->addr, &a->addr))
			return (long)c;
	}
	return -1;
}

/* A matrix of the open ports, built from the socket table (no probing): who takes what. */
static struct bs_matrix *attribute(const struct sweep_request *req, const struct sweep_result *res)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	struct bs_matrix *m = bs_matrix_new();
	struct bs_socket_list table;
	struct bs_matrix_env env;
	struct bs_error err;

	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (open_anywhere(req, res, i) &&
		    bs_matrix_add_port(m, req->opts.proto, (uint16_t)(req->lo + i), NULL, &err) < 0)
			goto fail;
	if (bs_matrix_read_sockets(m, req->ifaces, &table, &err) < 0)
		goto fail;
	bs_matrix_env_system(&env);
	if (req->opts.from != NULL)
		env.from = bs_endpoint_without_port(req->opts.from);
	bs_matrix_set_families(m, false, false, true);
	if (bs_matrix_build(m, &table, req->ifaces, &env, &err) < 0) {
		bs_socket_list_free(&table);
		goto fail;
	}
	bs_socket_list_free(&table);
	return m;
fail:
	cli_error("cannot say which sockets take the open ports: %s", err.msg);
	bs_matrix_free(m);
	return NULL;
}

/* Row r's addresses among the swept ones that are open and that the lookup gives to it. */
/* True when swept address a is open at port offset i and the lookup gives it to row r. */
static bool row_takes(const struct sweep_request *req, const struct sweep_result *res,
                      const struct bs_matrix *m, size_t r, size_t a, size_t i)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	long c = column_of(m, &req->on[a]);
	struct bs_matrix_cell cell;

	if (c < 0 || !res->open[a * n + i])
		return false;
	bs_matrix_cell(m, r, (size_t)c, &cell);
	return cell.predicted_this;
}

static void print_takes(const struct sweep_request *req, const struct sweep_result *res,
                        const struct bs_matrix *m, size_t r, size_t i)
{
	size_t shown = 0;

	for (size_t a = 0; a < req->non; a++)
		if (row_takes(req, res, m, r, a, i)) {
			fputs(shown++ ? ", " : " takes ", stdout);
			cli_puts_safe(req->on[a].text);
		}
	if (shown == 0)
		printf(" takes none of the open addresses");
}

static void print_open_list(const struct sweep_request *req, const struct sweep_result *res,
                            size_t a)
{
	size_t n = (size_t)req->hi - req->lo + 1, shown = 0, width = 15;
	char *text = cli_safe(req->on[a].text), *label = cli_safe(req->on[a].label);

	for (size_t k = 0; k < req->non; k++) /* the longest address sets the column */
		if (strlen(req->on[k].text) > width)
			width = strlen(req->on[k].text);
	/* The label is an interface name: from outside, so made safe for the terminal. */
	printf("  %-*s %-10s open: ", (int)width, text != NULL ? text : "?",
	       label != NULL ? label : "?");
	free(text);
	free(label);
	for (size_t i = 0; i < n; i++)
		if (res->open[a * n + i])
			printf("%s%zu", shown++ ? ", " : "", req->lo + i);
	printf("%s\n", shown ? "" : "none");
}

/* Open somewhere with no socket on the port that takes it: something else answered. */
static void print_unexplained(const struct sweep_request *req, const struct sweep_result *res,
                              const struct bs_matrix *m, size_t p, size_t i)
{
	size_t n = (size_t)req->hi - req->lo + 1, shown = 0;

	for (size_t a = 0; a < req->non; a++) {
		long c = column_of(m, &req->on[a]);
		if (c < 0 || !res->open[a * n + i])
			continue;
		if (bs_matrix_probe_at(m, p, (size_t)c)->predicted.outcome != BS_LOOKUP_NONE)
			continue;
		fputs(shown++ ? ", " : "        answered with no socket behind it at ", stdout);
		cli_puts_safe(req->on[a].text);
	}
	if (shown)
		printf(": the connection was redirected before the socket lookup (a NAT rule) or "
		       "answered from another namespace\n");
}

static void print_sockets(const struct sweep_request *req, const struct sweep_result *res,
                          const struct bs_matrix *m)
{
	char who[320];

	printf("Which socket takes each open port (read from the socket table):\n");
	for (size_t p = 0; p < bs_matrix_nports(m); p++) {
		size_t first, nrows = bs_matrix_port_rows(m, p, &first);
		size_t i = bs_matrix_port(m, p)->port - req->lo;
		printf("  %u\n", bs_matrix_port(m, p)->port);
		for (size_t r = first; r < first + nrows; r++) {
			if (!bs_matrix_row(m, r)->socket)
				continue;
			bs_matrix_row_who(m, r, who, sizeof(who));
			fputs("    ", stdout);
			cli_puts_safe(who);
			print_takes(req, res, m, r, i);
			putchar('\n');
		}
		print_unexplained(req, res, m, p, i);
	}
}

static void print_text(const struct sweep_request *req, const struct sweep_result *res,
                       const struct bs_matrix *m)
{
	printf("Swept %s ports %u-%u on %zu address%s from this host: %zu probes in %.2f s.\n",
	       bs_proto_name(req->opts.proto), req->lo, req->hi, req->non,
	       req->non == 1 ? "" : "es", res->probes, (double)res->elapsed_us / 1e6);
	for (size_t a = 0; a < req->non; a++)
		print_open_list(req, res, a);
	if (m != NULL && bs_matrix_nports(m) > 0)
		print_sockets(req, res, m);
	printf("TCP self-connects discarded (phantom open ports that `nc -z` reports): %zu\n",
	       res->self_connects);
}

static json_t *port_json(const struct sweep_request *req, const struct sweep_result *res,
                         const struct bs_matrix *m, size_t p)
{
	size_t n = (size_t)req->hi - req->lo + 1, first, nrows = bs_matrix_port_rows(m, p, &first);
	size_t i = bs_matrix_port(m, p)->port - req->lo;
	json_t *o = json_object(), *socks = json_array(), *none = json_array();
	char who[320];

	json_object_set_new(o, "port", json_integer(bs_matrix_port(m, p)->port));
	for (size_t r = first; r < first + nrows; r++) {
		json_t *so, *takes;
		if (!bs_matrix_row(m, r)->socket)
			continue;
		so = json_object();
		takes = json_array();
		bs_matrix_row_who(m, r, who, sizeof(who));
		json_object_set_new(so, "socket", cli_json_text(who));
		for (size_t a = 0; a < req->non; a++)
			if (row_takes(req, res, m, r, a, i))
				json_array_append_new(takes, cli_json_text(req->on[a].text));
		json_object_set_new(so, "takes", takes);
		json_array_append_new(socks, so);
	}
	for (size_t a = 0; a < req->non; a++) {
		long c = column_of(m, &req->on[a]);
		if (c >= 0 && res->open[a * n + i] &&
		    bs_matrix_probe_at(m, p, (size_t)c)->predicted.outcome == BS_LOOKUP_NONE)
			json_array_append_new(none, cli_json_text(req->on[a].text));
	}
	json_object_set_new(o, "sockets", socks);
	json_object_set_new(o, "open_with_no_socket", none);
	return o;
}

static int print_json(const struct sweep_request *req, const struct sweep_result *res,
                      const struct bs_matrix *m)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	json_t *root = json_object(), *addrs = json_array(), *ports = json_array();

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
		json_object_set_new(o, "address", cli_json_text(req->on[a].text));
		json_object_set_new(o, "label", cli_json_text(req->on[a].label));
		json_object_set_new(o, "open", open);
		json_array_append_new(addrs, o);
	}
	for (size_t p = 0; m != NULL && p < bs_matrix_nports(m); p++)
		json_array_append_new(ports, port_json(req, res, m, p));
	json_object_set_new(root, "addresses", addrs);
	json_object_set_new(root, "open_ports", ports);
	return cli_json_emit(root, false) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
}

int probe_sweep(const struct sweep_request *req)
{
	size_t n = (size_t)req->hi - req->lo + 1;
	struct sweep_result res = {0};
	struct bs_error err;
	uint64_t start = bs_now_us();
	struct bs_matrix *m;
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
	m = attribute(req, &res);
	if (req->json)
		rc = print_json(req, &res, m);
	else
		print_text(req, &res, m);
	if (m == NULL)
		rc = BS_EXIT_FAILURE;
	bs_matrix_free(m);
	free(res.open);
	return rc;
}
