/*
 * `bindscope probe`: who can connect to a port, on every local address.
 *   probe PORT...                  someone else's listeners (e.g. a socat), every address
 *   probe --open ADDR:PORT...      open bindscope listeners there, probe, print, close
 *   probe --ports LO-HI [--on A]   sweep a range of ports
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bindscope/handout.h"
#include "bindscope/lab.h"
#include "bindscope/listener.h"
#include "bindscope/loop.h"
#include "bindscope/matrix.h"
#include "bindscope/remote.h"
#include "bindscope/sockets.h"
#include "cli_opts.h"
#include "bindscope/textbuf.h"
#include "cli_util.h"
#include "commands.h"
#include "probe_render.h"
#include "probe_sweep.h"

static const char probe_usage[] =
    "Usage: bindscope probe [PORT|ADDR:PORT]... [--open ADDR:PORT]... [OPTIONS]\n"
    "       bindscope probe --ports LOW-HIGH [--on ADDR]... [OPTIONS]\n"
    "\n"
    "Read every socket on the ports (bindscope's and anyone else's, with sock_diag, as ss\n"
    "does), predict which one the kernel gives a connection to at every address of this\n"
    "machine, try it, and print the matrix: a row per socket, a column per address, and\n"
    "why. Like `nc -4 -vz 127.0.0.1 8082` on every address at once, with `ss -ltnp` beside.\n"
    "\n"
    "Columns: every address of every interface that is up (IPv6 too when a socket on the\n"
    "port is IPv6), every other address a socket is bound to, localhost as the resolver\n"
    "returns it, 0.0.0.0 and ::, and inside `bindscope lab` each peer host's view.\n"
    "Cells: ✓ open (this socket took it), → #N (socket #N took it), ✓ shared (its\n"
    "SO_REUSEPORT group did), ✗ refused (a reset), ✗ refused (icmp) (a firewall's ICMP\n"
    "reject), … timeout (a drop), ⊘ prohibited (ICMP admin-prohibited), ⊘ unreach,\n"
    "? open|filtered (UDP); ! marks a real contradiction of the prediction, explained\n"
    "below the matrix. This machine's nftables firewall is read (as root) and predicted.\n"
    "\n"
    "  PORT, ADDR:PORT        the sockets on port PORT; with ADDR, probe only that address\n"
    "  -o, --open ADDR:PORT   open a bindscope listener there first (closed at the end)\n"
    "  -u, --udp              UDP: a datagram per probe; ICMP port unreachable = refused,\n"
    "                         silence = open|filtered (bindscope's own listeners confirm)\n"
    "      --v6only, --no-v6only   IPV6_V6ONLY for IPv6 listeners opened with --open\n"
    "      --reuseport        SO_REUSEPORT on the listeners opened with --open\n"
    "  -d, --device IFNAME    SO_BINDTODEVICE on the listeners opened with --open\n"
    "  -4, -6                 only IPv4 (or IPv6) columns; every socket stays a row\n"
    "  -f, --from ADDR        bind the probes' source address\n"
    "  -t, --timeout MS       per-probe deadline in milliseconds (default 1000)\n"
    "  -p, --ports LOW-HIGH   sweep this port range instead (e.g. 1-65535)\n"
    "      --on ADDR          sweep only this address (repeatable; default every address)\n"
    "  -c, --concurrency N    probes in flight at once (default 256, sweeps 512)\n"
    "  -H, --from-host [USER@]HOST   probe from another machine too, through\n"
    "                         `ssh -T HOST bindscope agent` (repeatable, up to 64 hosts;\n"
    "                         your ssh config and keys, never a password prompt)\n"
    "      --ssh CMD          the ssh command (default: $BINDSCOPE_SSH, else ssh),\n"
    "                         e.g. --ssh 'ssh -F lab.conf'\n"
    "  -e, --explain          explain every cell, not only those another socket took or\n"
    "                         that contradict the prediction\n"
    "  -j, --json             print a JSON document\n"
    "  -F, --format FMT       text (the default), json, or a handout to give students:\n"
    "                         markdown, or html (one page, the matrix in colour)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 probed, 1 a listener could not be opened or probing failed (also when a\n"
    "--from-host could not probe: its cells and a line below the matrix say why), 2 bad usage.\n";

#define MAX_ARGS  256 /* --open and --on each; said in the usage error */
#define MAX_HOSTS 64  /* --from-host */

struct probe_cli {
	char *open[MAX_ARGS];
	size_t nopen;
	bool udp, json, explain, sweep, only_v4, only_v6, reuseport;
	char device[IF_NAMESIZE];
	int v6only;
	const char *from, *ports;
	const char *on[MAX_ARGS];
	size_t non;
	unsigned timeout_ms, concurrency;
	const char *hosts[MAX_HOSTS];
	size_t nhosts;
	const char *ssh;
	int handout; /* --format markdown|html: a bs_handout_format; -1 for text or JSON */
	int argc;    /* the command line, for the handout's title */
	char **argv;
};

struct probe_run {
	struct bs_matrix *m;
	struct bs_loop *loop;
	struct bs_lab_vantage vantages[BS_LAB_MAX_PEERS];
	size_t nvantages;
	struct bs_remote *remotes[MAX_HOSTS];
	size_t nremotes, remotes_settled;
	struct bs_listener *listeners[MAX_ARGS];
	uint64_t inodes[MAX_ARGS];
	size_t nlisteners;
	int stop_signal;
	bool settle_expired; /* the bounded wait for our accepts is over */
};

enum { OPT_V6ONLY = 256, OPT_NO_V6ONLY, OPT_ON, OPT_REUSEPORT, OPT_SSH };

static int take_opt(int c, struct probe_cli *o)
{
	switch (c) {
	case 'o':
		if (o->nopen == MAX_ARGS)
			return cli_usage_error("probe", "at most %d --open listeners", MAX_ARGS);
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
	case OPT_REUSEPORT:
		o->reuseport = true;
		return -1;
	case 'd':
		return cli_parse_device("probe", optarg, o->device, sizeof(o->device)) < 0
		           ? BS_EXIT_USAGE
		           : -1;
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
		if (o->non == MAX_ARGS)
			return cli_usage_error("probe", "at most %d --on addresses", MAX_ARGS);
		o->on[o->non++] = optarg;
		return -1;
	case 'e':
		o->explain = true;
		return -1;
	case 'H': {
		struct bs_error err;
		if (o->nhosts == MAX_HOSTS)
			return cli_usage_error("probe", "at most %d --from-host hosts", MAX_HOSTS);
		if (bs_remote_host_check(optarg, &err) < 0) {
			char shown[4 * BS_TEXT_ABBREV_MAX + 32];
			bs_text_abbrev(optarg, shown, sizeof(shown));
			return cli_usage_error("probe", "--from-host %s: %s", shown, err.msg);
		}
		o->hosts[o->nhosts++] = optarg;
		return -1;
	}
	case OPT_SSH:
		o->ssh = optarg;
		return -1;
	case '4':
		o->only_v4 = true;
		return -1;
	case '6':
		o->only_v6 = true;
		return -1;
	case 'j':
		o->json = true;
		return -1;
	case 'F':
		if (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0) {
			o->json = strcmp(optarg, "json") == 0;
			o->handout = -1;
			return -1;
		}
		if ((o->handout = bs_handout_format_parse(optarg)) < 0)
			return cli_usage_error("probe",
			                       "--format takes text, json, markdown or html, "
			                       "not '%.32s'",
			                       optarg);
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
	    {"reuseport", no_argument, NULL, OPT_REUSEPORT},
	    {"device", required_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 't'},
	    {"concurrency", required_argument, NULL, 'c'},
	    {"ports", required_argument, NULL, 'p'},
	    {"on", required_argument, NULL, OPT_ON},
	    {"explain", no_argument, NULL, 'e'},
	    {"from-host", required_argument, NULL, 'H'},
	    {"ssh", required_argument, NULL, OPT_SSH},
	    {"json", no_argument, NULL, 'j'},
	    {"format", required_argument, NULL, 'F'},
	    {"ipv4", no_argument, NULL, '4'},
	    {"ipv6", no_argument, NULL, '6'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, rc;

	o->v6only = -1;
	o->timeout_ms = 1000;
	o->handout = -1;
	o->argc = argc;
	o->argv = argv;
	/* 0, not 1: glibc then forgets main()'s "+" (stop at the first non-option) mode. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "o:uf:d:t:c:p:eH:jF:46h", longopts, NULL)) != -1)
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
	if (o->handout >= 0 && o->json)
		return cli_usage_error("probe",
		                       "--json and --format %s exclude each other: give one",
		                       o->handout == BS_HANDOUT_HTML ? "html" : "markdown");
	if (o->sweep && o->handout >= 0)
		return cli_usage_error("probe",
		                       "--format markdown|html makes a handout of a matrix "
		                       "(PORT or --open), not of a --ports sweep");
	if (o->sweep && o->nhosts > 0)
		return cli_usage_error("probe", "--from-host goes with a matrix (PORT or --open), "
		                                "not with a --ports sweep");
	if (o->ssh == NULL)
		o->ssh = getenv("BINDSCOPE_SSH");
	if (o->ssh == NULL || o->ssh[0] == '\0')
		o->ssh = "ssh";
	if (o->only_v4 && o->only_v6)
		return cli_usage_error("probe", "-4 and -6 exclude each other: give one, or "
		                                "neither for both families");
	if ((size_t)(argc - optind) > MAX_ARGS)
		return cli_usage_error("probe", "at most %d ports at once", MAX_ARGS);
	if (o->concurrency == 0)
		o->concurrency = o->sweep ? 512 : 256;
	return -1;
}

static void on_listener_event(struct bs_listener *l, const struct bs_listener_event *ev, void *arg)
{
	struct probe_run *run = arg;

	/* An accept or a datagram that is one of our probes names the socket that took it. */
	for (size_t i = 0; i < run->nlisteners; i++)
		if (run->listeners[i] == l) {
			bs_matrix_claim(run->m, run->inodes[i], ev);
			break;
		}
}

static void on_probes_done(void *arg)
{
	struct probe_run *run = arg;

	bs_loop_stop(run->loop);
}

static void on_signal(int signo, void *arg)
{
	struct probe_run *run = arg;

	run->stop_signal = signo;
	bs_loop_stop(run->loop);
}

static int open_listeners(struct probe_run *run, const struct probe_cli *o,
                          const struct bs_iface_list *ifaces)
{
	struct bs_listener_opts lo = bs_listener_opts_default();
	struct bs_endpoint ep;
	struct bs_error err;

	lo.proto = o->udp ? BS_PROTO_UDP : BS_PROTO_TCP;
	lo.v6only = o->v6only;
	lo.reuseport = o->reuseport;
	snprintf(lo.device, sizeof(lo.device), "%s", o->device);
	for (size_t i = 0; i < o->nopen; i++) {
		struct bs_listener *l;

		if (cli_parse_endpoint(o->open[i], ifaces, &ep) < 0)
			return BS_EXIT_USAGE;
		l = bs_listener_open(run->loop, &ep, &lo, ifaces, on_listener_event, run, &err);
		if (l == NULL) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
		run->listeners[run->nlisteners] = l;
		run->inodes[run->nlisteners++] = bs_listener_inode(l);
		if (bs_matrix_mark_own(run->m, bs_listener_inode(l), bs_listener_reuseaddr(l),
		                       lo.reuseport, &err) < 0 ||
		    bs_matrix_add_port(run->m, lo.proto, bs_listener_endpoint(l)->port, NULL,
		                       &err) < 0) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
	}
	return BS_EXIT_OK;
}

/* PORT (the whole port) or ADDR:PORT (only that address). Parsed before anything opens. */
static int add_ports(struct probe_run *run, char **args, int n, bool udp,
                     const struct bs_iface_list *ifaces)
{
	struct bs_endpoint ep;
	struct bs_error err;

	for (int i = 0; i < n; i++) {
		if (cli_parse_endpoint(args[i], ifaces, &ep) < 0)
			return BS_EXIT_USAGE;
		if (bs_matrix_add_port(run->m, udp ? BS_PROTO_UDP : BS_PROTO_TCP, ep.port,
		                       ep.port_only ? NULL : &ep, &err) < 0) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
	}
	return BS_EXIT_OK;
}

static void on_remote_settled(void *arg)
{
	((struct probe_run *)arg)->remotes_settled++;
}

/* Start every --from-host at once and wait (each has its own deadline) until each has said
 * hello and its routes, or failed. A host that fails stays a vantage: its cells say why. */
static int connect_hosts(struct probe_run *run, const struct probe_cli *o,
                         const struct bs_iface_list *ifaces)
{
	size_t n = bs_matrix_remote_targets(ifaces, NULL, 0);
	struct bs_endpoint *targets = calloc(n ? n : 1, sizeof(*targets));
	struct bs_error err;

	if (targets == NULL) {
		cli_error("out of memory listing this machine's addresses");
		return BS_EXIT_FAILURE;
	}
	bs_matrix_remote_targets(ifaces, targets, n);
	for (size_t i = 0; i < o->nhosts; i++) {
		struct bs_remote *r = bs_remote_start(run->loop, o->hosts[i], o->ssh, targets, n,
		                                      o->timeout_ms, on_remote_settled, run, &err);
		if (r == NULL) {
			free(targets);
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
		run->remotes[run->nremotes++] = r;
	}
	free(targets);
	while (run->remotes_settled < run->nremotes && run->stop_signal == 0)
		if (bs_loop_turn(run->loop, -1) < 0)
			break;
	if (run->stop_signal != 0) {
		cli_error(
		    "interrupted by signal %d while connecting to the hosts; nothing was left "
		    "open",
		    run->stop_signal);
		return BS_EXIT_FAILURE;
	}
	return BS_EXIT_OK;
}

/* Every socket on the ports, read from the kernel, then rows, columns and predictions. */
static int build_matrix(struct probe_run *run, const struct bs_iface_list *ifaces,
                        const struct bs_endpoint *from)
{
	struct bs_socket_list table;
	struct bs_matrix_env env;
	struct bs_error err;
	int rc;

	if (bs_matrix_read_sockets(run->m, ifaces, &table, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	bs_matrix_env_system(&env);
	if (from != NULL)
		env.from = bs_endpoint_without_port(from);
	run->nvantages = bs_lab_vantages(run->vantages, BS_LAB_MAX_PEERS);
	rc = bs_matrix_set_peers(run->m, run->vantages, run->nvantages, &err);
	for (size_t i = 0; rc == 0 && i < run->nremotes; i++)
		rc = bs_matrix_add_remote(run->m, run->remotes[i], ifaces, &err);
	if (rc == 0)
		rc = bs_matrix_build(run->m, &table, ifaces, &env, &err);
	bs_socket_list_free(&table);
	if (rc < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	return BS_EXIT_OK;
}

static void on_settle_deadline(void *arg)
{
	((struct probe_run *)arg)->settle_expired = true;
}

/* Our listeners' accepts can come a turn after the probes' verdicts: wait for them, bounded. */
static void wait_for_accepts(struct probe_run *run)
{
	struct bs_timer *deadline;

	if (bs_matrix_settled(run->m) || run->stop_signal != 0)
		return;
	deadline = bs_loop_timer(run->loop, 500, false, on_settle_deadline, run, NULL);
	if (deadline == NULL)
		return;
	run->settle_expired = false;
	while (!run->settle_expired && !bs_matrix_settled(run->m) && run->stop_signal == 0)
		if (bs_loop_turn(run->loop, 50) < 0)
			break;
	bs_timer_cancel(deadline);
}

static int run_probes(struct probe_run *run, const struct probe_cli *o,
                      const struct bs_endpoint *from)
{
	struct bs_matrix_probe_opts po = {
	    .timeout_ms = o->timeout_ms, .concurrency = o->concurrency, .from = from};
	struct bs_error err;

	if (bs_matrix_probe_start(run->m, run->loop, &po, on_probes_done, run, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (bs_matrix_probing(run->m) && (bs_loop_run(run->loop) < 0 || run->stop_signal != 0)) {
		if (run->stop_signal != 0)
			cli_error(
			    "interrupted by signal %d before the probes finished; nothing was "
			    "left open",
			    run->stop_signal);
		return BS_EXIT_FAILURE;
	}
	wait_for_accepts(run);
	return BS_EXIT_OK;
}

struct addrs_of {
	const struct bs_iface_list *ifaces;
	int family;
};

static void fill_addrs(char *buf, size_t len, const void *arg)
{
	const struct addrs_of *a = arg;

	bs_iface_addrs_text(a->ifaces, a->family, buf, len);
}

/* --from must be an address of this machine: a probe cannot come from anywhere else. */
static int parse_from(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep)
{
	struct addrs_of of = {ifaces, 0};
	char *here;

	if (cli_parse_address(text, ifaces, ep) < 0)
		return -1;
	if (bs_lookup_is_local(ifaces, ep) || bs_endpoint_is_wildcard(ep))
		return 0;
	of.family = ep->family;
	/* Every address, however many: this message is not bounded by the engine's. */
	here = cli_text_whole(fill_addrs, &of);
	cli_error("cannot probe from %s: that address is not on this machine (its %s addresses: "
	          "%s)",
	          text, ep->family == AF_INET6 ? "IPv6" : "IPv4",
	          here != NULL ? here : "out of memory listing them");
	free(here);
	return -1;
}

/* --format markdown|html: the handout, titled with the command as typed. */
static int render_handout(const struct probe_run *run, const struct probe_cli *o,
                          const struct bs_iface_list *ifaces)
{
	char title[1024] = "bindscope", when[64];
	struct bs_handout h = {.title = title, .when = when, .matrix = run->m, .ifaces = ifaces};
	time_t now = time(NULL);
	struct bs_error err;

	for (int i = 0; i < o->argc; i++)
		bs_textbuf_appendf(title, sizeof(title), " %s", o->argv[i]);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	if (bs_handout_write(stdout, (enum bs_handout_format)o->handout, &h, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	return cli_stdout_flush() < 0 ? BS_EXIT_FAILURE : BS_EXIT_OK;
}

static int matrix_mode(struct probe_run *run, const struct probe_cli *o, int argc, char **argv,
                       const struct bs_iface_list *ifaces)
{
	struct bs_endpoint from;
	int rc;

	if (o->from != NULL && parse_from(o->from, ifaces, &from) < 0)
		return BS_EXIT_USAGE;
	/* Parse the bare ports first, so a typo opens no listener. */
	rc = add_ports(run, argv + optind, argc - optind, o->udp, ifaces);
	if (rc == BS_EXIT_OK)
		rc = open_listeners(run, o, ifaces);
	if (rc == BS_EXIT_OK)
		rc = connect_hosts(run, o, ifaces);
	if (rc != BS_EXIT_OK)
		return rc;
	bs_matrix_set_families(run->m, o->only_v4, o->only_v6, false);
	rc = build_matrix(run, ifaces, o->from ? &from : NULL);
	if (rc == BS_EXIT_OK)
		rc = run_probes(run, o, o->from ? &from : NULL);
	if (rc != BS_EXIT_OK)
		return rc;
	if (o->json)
		rc = probe_render_json(run->m, ifaces, o->from) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
	else if (o->handout >= 0)
		rc = render_handout(run, o, ifaces);
	else
		rc = probe_render_text(run->m, ifaces, o->explain, o->from) == 0 ? BS_EXIT_OK
		                                                                 : BS_EXIT_FAILURE;
	/* A host that could not probe is a failure to probe: its cells say why. */
	for (size_t i = 0; i < run->nremotes; i++)
		if (bs_remote_state(run->remotes[i]) == BS_REMOTE_FAILED)
			rc = BS_EXIT_FAILURE;
	return rc;
}

static void sweep_addr_set(struct sweep_addr *a, const struct bs_endpoint *ep,
                           const struct bs_iface_list *ifaces)
{
	const struct bs_iface *owner = bs_endpoint_owner(ifaces, ep);

	memset(a, 0, sizeof(*a));
	a->addr = bs_endpoint_without_port(ep);
	bs_endpoint_addr_text(&a->addr, a->text, sizeof(a->text));
	snprintf(a->label, sizeof(a->label), "%s", owner != NULL ? owner->name : "");
}

/* Default: every IPv4 address of every interface that is up. Returns how many, or -1. */
/* Every address of every interface that is up, IPv4 and IPv6 (narrowed by -4/-6). */
static long default_sweep_addrs(const struct probe_cli *o, const struct bs_iface_list *ifaces,
                                struct sweep_addr **out)
{
	size_t n = 0, cap = 0;
	struct bs_endpoint ep;

	*out = NULL;
	for (size_t i = 0; i < ifaces->count; i++) {
		const struct bs_iface *f = &ifaces->items[i];
		for (size_t j = 0; (f->flags & IFF_UP) && j < f->naddrs; j++) {
			int family = f->addrs[j].family;
			if ((o->only_v4 && family != AF_INET) || (o->only_v6 && family != AF_INET6))
				continue;
			if (n == cap) {
				struct sweep_addr *grown;
				cap = cap ? cap * 2 : 16;
				grown = realloc(*out, cap * sizeof(**out));
				if (grown == NULL)
					return -1;
				*out = grown;
			}
			bs_endpoint_from_iface_addr(&ep, f, &f->addrs[j]);
			sweep_addr_set(&(*out)[n++], &ep, ifaces);
		}
	}
	return (long)n;
}

static int sweep_mode(const struct probe_cli *o, const struct bs_iface_list *ifaces)
{
	struct sweep_request req = {
	    .opts = bs_probe_opts_default(), .json = o->json, .ifaces = ifaces};
	struct sweep_addr *on = NULL;
	struct bs_endpoint from, ep;
	struct bs_error err;
	int rc;

	if (bs_port_range_parse(o->ports, &req.lo, &req.hi, &err) < 0) {
		char shown[4 * BS_TEXT_ABBREV_MAX + 32];
		bs_text_abbrev(o->ports, shown, sizeof(shown));
		return cli_usage_error("probe", "--ports %s: %s", shown, err.msg);
	}
	if (o->from != NULL && parse_from(o->from, ifaces, &from) < 0)
		return BS_EXIT_USAGE;
	if (o->non == 0) {
		long n = default_sweep_addrs(o, ifaces, &on);
		if (n < 0) {
			free(on);
			cli_error("out of memory listing the addresses to sweep");
			return BS_EXIT_FAILURE;
		}
		req.non = (size_t)n;
	} else if ((on = calloc(o->non, sizeof(*on))) == NULL) {
		cli_error("out of memory listing the addresses to sweep");
		return BS_EXIT_FAILURE;
	}
	for (size_t i = 0; i < o->non; i++) {
		if (cli_parse_address(o->on[i], ifaces, &ep) < 0) {
			free(on);
			return BS_EXIT_USAGE;
		}
		sweep_addr_set(&on[req.non++], &ep, ifaces);
	}
	req.on = on;
	req.opts.proto = o->udp ? BS_PROTO_UDP : BS_PROTO_TCP;
	req.opts.timeout_ms = o->timeout_ms;
	req.opts.concurrency = o->concurrency;
	req.opts.from = o->from ? &from : NULL;
	rc = probe_sweep(&req);
	free(on);
	return rc;
}

int cmd_probe(int argc, char **argv)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct probe_cli o = {0};
	struct probe_run run = {0};
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
	run.m = bs_matrix_new();
	if (run.m == NULL) {
		bs_error_set(&err, 0, "out of memory for the matrix");
		cli_error_show(&err);
		rc = BS_EXIT_FAILURE;
	} else if (run.loop == NULL ||
	           bs_loop_handle_signals(run.loop, signals, 3, on_signal, &run, &err) < 0) {
		cli_error_show(&err);
		rc = BS_EXIT_FAILURE;
	} else {
		rc = matrix_mode(&run, &o, argc, argv, &ifaces);
	}
	bs_matrix_free(run.m);
	for (size_t i = 0; i < run.nremotes; i++)
		bs_remote_free(run.remotes[i]);
	bs_lab_vantages_close(run.vantages, run.nvantages);
	for (size_t i = 0; i < run.nlisteners; i++)
		bs_listener_close(run.listeners[i]);
	bs_loop_discard_signals(run.loop);
	bs_loop_free(run.loop);
	bs_iface_list_free(&ifaces);
	return rc;
}
