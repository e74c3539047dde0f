/*
 * `bindscope probe`: who can connect to a port, on every local address.
 *   probe PORT...                  someone else's listeners (e.g. a socat), every address
 *   probe --open ADDR:PORT...      open bindscope listeners there, probe, print, close
 *   probe --ports LO-HI [--on A]   sweep a range of ports
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/exposure.h"
#include "bindscope/lab.h"
#include "bindscope/listener.h"
#include "bindscope/loop.h"
#include "cli_opts.h"
#include "cli_util.h"
#include "commands.h"
#include "probe_matrix.h"
#include "probe_sweep.h"

static const char probe_usage[] =
    "Usage: bindscope probe [PORT|ADDR:PORT]... [--open ADDR:PORT]... [OPTIONS]\n"
    "       bindscope probe --ports LOW-HIGH [--on ADDR]... [OPTIONS]\n"
    "\n"
    "Try to connect to ports on every address of this machine (every address of every\n"
    "interface that is up, plus localhost and 0.0.0.0) and print the matrix: who can\n"
    "connect, and why. Like `nc -4 -vz 127.0.0.1 8082` on every address at once.\n"
    "\n"
    "  PORT, ADDR:PORT        probe existing listeners (anyone's) on port PORT; with ADDR,\n"
    "                         only at that address\n"
    "  -o, --open ADDR:PORT   open a bindscope listener there first (closed at the end), so\n"
    "                         the matrix shows what its bind address predicts and why\n"
    "  -u, --udp              UDP: a datagram per probe; ICMP port unreachable = refused,\n"
    "                         silence = open|filtered (bindscope's own listeners confirm)\n"
    "      --v6only, --no-v6only   IPV6_V6ONLY for IPv6 listeners opened with --open\n"
    "  -f, --from ADDR        bind the probes' source address\n"
    "  -t, --timeout MS       per-probe deadline in milliseconds (default 1000)\n"
    "  -p, --ports LOW-HIGH   sweep this port range instead (e.g. 1-65535)\n"
    "      --on ADDR          sweep only this address (repeatable; default every address)\n"
    "  -c, --concurrency N    probes in flight at once (default 256, sweeps 512)\n"
    "  -e, --explain          explain every cell, not only the surprising ones\n"
    "  -j, --json             print a JSON document\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 probed, 1 a listener could not be opened or probing failed, 2 bad usage.\n";

struct probe_cli {
	char *open[MATRIX_MAX_ROWS];
	size_t nopen;
	bool udp, json, explain, sweep;
	int v6only;
	const char *from, *ports;
	const char *on[MATRIX_MAX_TARGETS];
	size_t non;
	unsigned timeout_ms, concurrency;
};

/* One probe per vantage point: this host, then each lab peer (a socket lives in one netns). */
#define MAX_VANTAGES (1 + BS_LAB_MAX_PEERS)

struct probe_run {
	struct probe_matrix *m;
	struct bs_loop *loop;
	struct bs_probe *probes[MAX_VANTAGES];
	size_t pending;
	struct bs_lab_vantage vantages[BS_LAB_MAX_PEERS];
	size_t nvantages;
	struct bs_listener *listeners[MATRIX_MAX_ROWS];
	size_t nlisteners;
	int stop_signal;
};

enum { OPT_V6ONLY = 256, OPT_NO_V6ONLY, OPT_ON };

static int take_opt(int c, struct probe_cli *o)
{
	switch (c) {
	case 'o':
		if (o->nopen == MATRIX_MAX_ROWS)
			return cli_usage_error("probe", "at most %d --open listeners",
			                       MATRIX_MAX_ROWS);
		o->open[o->nopen++] = optarg;
		return -1;
	case 'u':
		o->udp = true;
		return -1;
	case OPT_V6ONLY:
	case OPT_NO_V6ONLY:
		o->v6only = c == OPT_V6ONLY;
		return -1;
	case 'f':
		o->from = optarg;
		return -1;
	case 't':
		return cli_parse_uint("probe", "--timeout", optarg, 1, 600000, &o->timeout_ms) < 0
		           ? BS_EXIT_USAGE
		           : -1;
	case 'c':
		return cli_parse_uint("probe", "--concurrency", optarg, 1, 65536, &o->concurrency) <
		               0
		           ? BS_EXIT_USAGE
		           : -1;
	case 'p':
		o->ports = optarg;
		return -1;
	case OPT_ON:
		if (o->non == MATRIX_MAX_TARGETS)
			return cli_usage_error("probe", "at most %d --on addresses",
			                       MATRIX_MAX_TARGETS);
		o->on[o->non++] = optarg;
		return -1;
	case 'e':
		o->explain = true;
		return -1;
	case 'j':
		o->json = true;
		return -1;
	case 'h':
		fputs(probe_usage, stdout);
		return BS_EXIT_OK;
	default:
		return cli_usage_error("probe", NULL);
	}
}

static int parse_probe_opts(int argc, char **argv, struct probe_cli *o)
{
	static const struct option longopts[] = {
	    {"open", required_argument, NULL, 'o'},
	    {"udp", no_argument, NULL, 'u'},
	    {"v6only", no_argument, NULL, OPT_V6ONLY},
	    {"no-v6only", no_argument, NULL, OPT_NO_V6ONLY},
	    {"from", required_argument, NULL, 'f'},
	    {"timeout", required_argument, NULL, 't'},
	    {"concurrency", required_argument, NULL, 'c'},
	    {"ports", required_argument, NULL, 'p'},
	    {"on", required_argument, NULL, OPT_ON},
	    {"explain", no_argument, NULL, 'e'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, rc;

	o->v6only = -1;
	o->timeout_ms = 1000;
	/* 0, not 1: glibc then forgets main()'s "+" (stop at the first non-option) mode. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:uf:t:c:p:ejh", longopts, NULL)) != -1)
		if ((rc = take_opt(c, o)) >= 0)
			return rc;
	o->sweep = o->ports != NULL;
	if (o->sweep && (o->nopen > 0 || optind < argc))
		return cli_usage_error("probe", "--ports sweeps a range by itself: give no PORT or "
		                                "--open with it");
	if (!o->sweep && o->non > 0)
		return cli_usage_error("probe", "--on goes with --ports (a sweep); to probe one "
		                                "address give ADDR:PORT");
	if (!o->sweep && o->nopen == 0 && optind >= argc)
		return cli_usage_error("probe", "give a PORT to probe, --open ADDR:PORT, or "
		                                "--ports LOW-HIGH");
	if (o->nopen + (size_t)(argc - optind) > MATRIX_MAX_ROWS)
		return cli_usage_error("probe", "at most %d rows at once", MATRIX_MAX_ROWS);
	if (o->concurrency == 0)
		o->concurrency = o->sweep ? 512 : 256;
	return -1;
}

static void on_listener_event(struct bs_listener *l, const struct bs_listener_event *ev, void *arg)
{
	struct probe_run *run = arg;

	(void)l;
	/* A datagram from one of our UDP probes proves that probe arrived. */
	for (size_t v = 0; ev->kind == BS_EV_DATAGRAM && v < MAX_VANTAGES; v++)
		if (run->probes[v] != NULL &&
		    bs_probe_confirm_udp(run->probes[v], ev->payload, ev->payload_len))
			break;
}

static void on_probe_done(struct bs_probe *p, void *arg)
{
	struct probe_run *run = arg;

	(void)p;
	if (--run->pending == 0)
		bs_loop_stop(run->loop);
}

static void on_signal(int signo, void *arg)
{
	struct probe_run *run = arg;

	run->stop_signal = signo;
	bs_loop_stop(run->loop);
}

static int open_rows(struct probe_run *run, const struct probe_cli *o,
                     const struct bs_iface_list *ifaces)
{
	struct bs_listener_opts lo = bs_listener_opts_default();
	struct bs_endpoint ep;
	struct bs_error err;

	lo.proto = o->udp ? BS_PROTO_UDP : BS_PROTO_TCP;
	lo.v6only = o->v6only;
	for (size_t i = 0; i < o->nopen; i++) {
		struct bs_listener *l;
		struct matrix_row *row = &run->m->rows[run->m->nrows];

		if (cli_parse_endpoint(o->open[i], ifaces, &ep) < 0)
			return BS_EXIT_USAGE;
		l = bs_listener_open(run->loop, &ep, &lo, ifaces, on_listener_event, run, &err);
		if (l == NULL) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
		run->listeners[run->nlisteners++] = l;
		row->known = true;
		row->only_target = -1;
		row->l.proto = lo.proto;
		row->l.bound = *bs_listener_endpoint(l);
		row->l.v6only = bs_listener_v6only(l);
		run->m->nrows++;
	}
	return BS_EXIT_OK;
}

static int add_port_rows(struct probe_matrix *m, char **args, int n, bool udp,
                         const struct bs_iface_list *ifaces, struct bs_endpoint *typed)
{
	for (int i = 0; i < n; i++) {
		struct matrix_row *row = &m->rows[m->nrows];

		if (cli_parse_endpoint(args[i], ifaces, &typed[m->nrows]) < 0)
			return BS_EXIT_USAGE;
		row->known = false;
		row->only_target = typed[m->nrows].port_only ? -1 : -2; /* resolved later */
		row->l.proto = udp ? BS_PROTO_UDP : BS_PROTO_TCP;
		row->l.bound = typed[m->nrows];
		m->nrows++;
	}
	return BS_EXIT_OK;
}

static bool same_target(const struct bs_exposure_target *t, const struct bs_endpoint *ep)
{
	struct bs_endpoint a = t->addr, b = *ep;

	a.port = b.port = 0;
	((struct sockaddr_in *)&a.addr)->sin_port = ((struct sockaddr_in *)&b.addr)->sin_port = 0;
	return a.family == b.family && memcmp(&a.addr, &b.addr, a.addrlen) == 0;
}

/* Rows for ADDR:PORT probe only that address: find (or add) its column. */
static void resolve_only_targets(struct probe_matrix *m, const struct bs_endpoint *typed)
{
	for (size_t r = 0; r < m->nrows; r++) {
		size_t c;
		if (m->rows[r].only_target != -2)
			continue;
		for (c = 0; c < m->ncols; c++)
			if (m->cols[c].kind == BS_TARGET_ADDRESS &&
			    same_target(&m->cols[c], &typed[r]))
				break;
		if (c == m->ncols && m->ncols < MATRIX_MAX_TARGETS) {
			struct bs_exposure_target *t = &m->cols[m->ncols++];
			memset(t, 0, sizeof(*t));
			t->kind = BS_TARGET_ADDRESS;
			bs_exposure_target_endpoint(&(struct bs_exposure_target){.addr = typed[r]},
			                            0, &t->addr);
			snprintf(t->label, sizeof(t->label), "typed");
			bs_endpoint_addr_text(&t->addr, t->text, sizeof(t->text));
		}
		m->rows[r].only_target = (int)c;
	}
}

static bool any_ipv6(const struct probe_matrix *m)
{
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].l.bound.family == AF_INET6)
			return true;
	return false;
}

/* The vantage a column is probed from: 0 for this host, 1 + k for lab peer k. */
static size_t vantage_of(const struct probe_run *run, const struct bs_exposure_target *t)
{
	for (size_t k = 0; t->kind == BS_TARGET_PEER && k < run->nvantages; k++)
		if (run->vantages[k].netns_fd == t->netns_fd)
			return 1 + k;
	return 0;
}

static int start_vantage(struct probe_run *run, const struct probe_cli *o,
                         const struct bs_endpoint *from, size_t v,
                         const struct bs_endpoint *targets, size_t n)
{
	struct bs_probe_opts po = bs_probe_opts_default();
	struct bs_error err;

	if (n == 0)
		return 0;
	po.proto = o->udp ? BS_PROTO_UDP : BS_PROTO_TCP;
	po.timeout_ms = o->timeout_ms;
	po.concurrency = o->concurrency;
	po.from = v == 0 ? from : NULL; /* --from is an address of this host */
	po.netns_fd = v == 0 ? -1 : run->vantages[v - 1].netns_fd;
	run->probes[v] = bs_probe_start(run->loop, targets, n, &po, on_probe_done, run, &err);
	if (run->probes[v] == NULL) {
		cli_error_show(&err);
		return -1;
	}
	run->pending++;
	return 0;
}

static int run_probes(struct probe_run *run, const struct probe_cli *o,
                      const struct bs_endpoint *from)
{
	struct probe_matrix *m = run->m;
	static struct bs_endpoint targets[MAX_VANTAGES][MATRIX_MAX_ROWS * MATRIX_MAX_TARGETS];
	static size_t index[MAX_VANTAGES][MATRIX_MAX_ROWS * MATRIX_MAX_TARGETS];
	size_t n[MAX_VANTAGES] = {0};

	for (size_t r = 0; r < m->nrows; r++)
		for (size_t c = 0; c < m->ncols; c++) {
			size_t v = vantage_of(run, &m->cols[c]);
			if (m->rows[r].only_target >= 0 && m->rows[r].only_target != (int)c)
				continue;
			bs_exposure_probe_endpoint(&m->rows[r].l, &m->cols[c], &targets[v][n[v]]);
			index[v][n[v]++] = r * m->ncols + c;
		}
	for (size_t v = 0; v < MAX_VANTAGES; v++)
		if (start_vantage(run, o, from, v, targets[v], n[v]) < 0)
			return BS_EXIT_FAILURE;
	if (run->pending > 0 && (bs_loop_run(run->loop) < 0 || run->stop_signal != 0)) {
		if (run->stop_signal != 0)
			cli_error(
			    "interrupted by signal %d before the probes finished; nothing was "
			    "left open",
			    run->stop_signal);
		return BS_EXIT_FAILURE;
	}
	for (size_t v = 0; v < MAX_VANTAGES; v++)
		for (size_t i = 0; i < n[v]; i++)
			m->results[index[v][i]] = *bs_probe_result(run->probes[v], i);
	return BS_EXIT_OK;
}

/* Inside a lab, each peer is one more column: what that host can reach. */
static void add_vantage_columns(struct probe_run *run, const struct bs_iface_list *ifaces)
{
	struct probe_matrix *m = run->m;

	run->nvantages = bs_lab_vantages(run->vantages, BS_LAB_MAX_PEERS);
	for (size_t k = 0; k < run->nvantages && m->ncols < MATRIX_MAX_TARGETS; k++) {
		const struct bs_lab_vantage *v = &run->vantages[k];
		if (bs_exposure_peer_target(&m->cols[m->ncols], v->name, v->addr, v->iface, ifaces,
		                            v->netns_fd) == 0)
			m->ncols++;
	}
}

/* The interface that owns ep's address ("lo" for 127.0.0.1), or "" when none does. */
static const char *label_of(const struct bs_iface_list *ifaces, const struct bs_endpoint *ep)
{
	const struct bs_iface *owner;

	if (ep->family == AF_INET)
		owner = bs_iface_owning(ifaces, AF_INET,
		                        &((const struct sockaddr_in *)&ep->addr)->sin_addr);
	else
		owner = bs_iface_owning(ifaces, AF_INET6,
		                        &((const struct sockaddr_in6 *)&ep->addr)->sin6_addr);
	return owner != NULL ? owner->name : "";
}

/* --from must be an address of this machine: a probe cannot come from anywhere else. */
static int parse_from(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep)
{
	char here[512];

	if (cli_parse_address(text, ifaces, ep) < 0)
		return -1;
	if (label_of(ifaces, ep)[0] != '\0' || bs_endpoint_is_wildcard(ep))
		return 0;
	bs_iface_addrs_text(ifaces, ep->family, here, sizeof(here));
	cli_error("cannot probe from %s: that address is not on this machine (its %s addresses: "
	          "%s)",
	          text, ep->family == AF_INET6 ? "IPv6" : "IPv4", here);
	return -1;
}

static int matrix_mode(struct probe_run *run, const struct probe_cli *o, int argc, char **argv,
                       const struct bs_iface_list *ifaces)
{
	static struct bs_endpoint typed[MATRIX_MAX_ROWS];
	struct bs_endpoint from;
	int rc;

	if (o->from != NULL && parse_from(o->from, ifaces, &from) < 0)
		return BS_EXIT_USAGE;
	/* Parse the bare ports first, so a typo opens no listener. */
	rc = add_port_rows(run->m, argv + optind, argc - optind, o->udp, ifaces, typed + o->nopen);
	if (rc != BS_EXIT_OK)
		return rc;
	memmove(run->m->rows + o->nopen, run->m->rows, run->m->nrows * sizeof(run->m->rows[0]));
	{
		size_t nports = run->m->nrows;
		run->m->nrows = 0;
		rc = open_rows(run, o, ifaces);
		run->m->nrows = o->nopen + nports;
	}
	if (rc != BS_EXIT_OK)
		return rc;
	run->m->ncols =
	    bs_exposure_targets(ifaces, any_ipv6(run->m), run->m->cols, MATRIX_MAX_TARGETS);
	resolve_only_targets(run->m, typed);
	add_vantage_columns(run, ifaces);
	run->m->from = o->from;
	rc = run_probes(run, o, o->from ? &from : NULL);
	if (rc != BS_EXIT_OK)
		return rc;
	if (o->json)
		return probe_render_json(run->m, ifaces) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
	probe_render_text(run->m, ifaces, o->explain);
	return BS_EXIT_OK;
}

static int sweep_mode(const struct probe_cli *o, const struct bs_iface_list *ifaces)
{
	static struct bs_exposure_target all[MATRIX_MAX_TARGETS], on[MATRIX_MAX_TARGETS];
	struct sweep_request req = {.opts = bs_probe_opts_default(), .json = o->json, .on = on};
	struct bs_endpoint from, ep;
	struct bs_error err;
	size_t n;

	if (bs_port_range_parse(o->ports, &req.lo, &req.hi, &err) < 0)
		return cli_usage_error("probe", "--ports %s: %s", o->ports, err.msg);
	if (o->from != NULL && parse_from(o->from, ifaces, &from) < 0)
		return BS_EXIT_USAGE;
	n = bs_exposure_targets(ifaces, o->non > 0, all, MATRIX_MAX_TARGETS);
	for (size_t i = 0; i < n && o->non == 0; i++)
		if (all[i].kind == BS_TARGET_ADDRESS && all[i].addr.family == AF_INET)
			on[req.non++] = all[i];
	for (size_t i = 0; i < o->non; i++) {
		if (cli_parse_address(o->on[i], ifaces, &ep) < 0)
			return BS_EXIT_USAGE;
		memset(&on[req.non], 0, sizeof(on[0]));
		bs_exposure_target_endpoint(&(struct bs_exposure_target){.addr = ep}, 0,
		                            &on[req.non].addr);
		bs_endpoint_addr_text(&ep, on[req.non].text, sizeof(on[0].text));
		snprintf(on[req.non].label, sizeof(on[0].label), "%s", label_of(ifaces, &ep));
		req.non++;
	}
	req.opts.proto = o->udp ? BS_PROTO_UDP : BS_PROTO_TCP;
	req.opts.timeout_ms = o->timeout_ms;
	req.opts.concurrency = o->concurrency;
	req.opts.from = o->from ? &from : NULL;
	return probe_sweep(&req);
}

int cmd_probe(int argc, char **argv)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	static struct probe_matrix matrix;
	struct probe_cli o = {0};
	struct probe_run run = {.m = &matrix};
	struct bs_iface_list ifaces = {0};
	struct bs_error err;
	int rc = parse_probe_opts(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (bs_iface_list_read(&ifaces, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (o.sweep) {
		rc = sweep_mode(&o, &ifaces);
		bs_iface_list_free(&ifaces);
		return rc;
	}
	run.loop = bs_loop_new(&err);
	if (run.loop == NULL ||
	    bs_loop_handle_signals(run.loop, signals, 3, on_signal, &run, &err) < 0) {
		cli_error_show(&err);
		rc = BS_EXIT_FAILURE;
	} else {
		rc = matrix_mode(&run, &o, argc, argv, &ifaces);
	}
	for (size_t v = 0; v < MAX_VANTAGES; v++)
		bs_probe_free(run.probes[v]);
	bs_lab_vantages_close(run.vantages, run.nvantages);
	for (size_t i = 0; i < run.nlisteners; i++)
		bs_listener_close(run.listeners[i]);
	bs_loop_discard_signals(run.loop);
	bs_loop_free(run.loop);
	bs_iface_list_free(&ifaces);
	return rc;
}
