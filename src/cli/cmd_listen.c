/*
 * `bindscope listen ADDR:PORT…`: open listeners and report every connection until Ctrl-C,
 * like `socat TCP4-LISTEN:8082,bind=192.168.1.10,fork /dev/null`. Text for people; with
 * --json, one JSON object per line (NDJSON) on stdout and the logs on stderr.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bindscope/listener.h"
#include "bindscope/loop.h"
#include "bindscope/matrix.h"
#include "bindscope/textbuf.h"
#include "cli_opts.h"
#include "cli_util.h"
#include "probe_render.h"
#include "commands.h"

#define MAX_LISTENERS 64

static const char listen_usage[] =
    "Usage: bindscope listen ADDR:PORT [ADDR:PORT...] [OPTIONS]\n"
    "\n"
    "Open a listener on each address, accept every connection, read and discard what it\n"
    "sends, and print each connection: the peer and the local address it arrived on (which\n"
    "shows the interface used). Runs until Ctrl-C. The same as\n"
    "  socat TCP4-LISTEN:8082,bind=192.168.1.10,fork /dev/null\n"
    "\n"
    "ADDR:PORT is 8082 (all IPv4 interfaces), 192.168.1.10:8082, 0.0.0.0:8082, [::]:8082,\n"
    "[::1]:8082 or wlan0:8082 (that interface's IPv4 address).\n"
    "\n"
    "  -u, --udp            UDP instead of TCP (datagrams are counted, never answered)\n"
    "      --v6only         IPv6 listeners take IPv6 only (IPV6_V6ONLY on)\n"
    "      --no-v6only      IPv6 [::] listeners take IPv4 too (IPV6_V6ONLY off)\n"
    "      --no-reuseaddr   do not set SO_REUSEADDR\n"
    "      --reuseport      set SO_REUSEPORT: sockets of one user may share the address,\n"
    "                       and the kernel spreads connections among them\n"
    "  -d, --device IFNAME  SO_BINDTODEVICE: take only what arrives on that interface\n"
    "  -j, --json           one JSON object per line on stdout (NDJSON)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a listener could not be opened or the\n"
    "output could not be written, 2 bad usage, 141 the reader of the output went away\n"
    "(bindscope listen --json 8082 | head -1 ends there and closes its listeners).\n";

struct listen_state {
	bool json;
	struct bs_loop *loop;
	size_t count;
	struct bs_listener *listeners[MAX_LISTENERS];
	int stop_signal;
	struct bs_timer *flush; /* pending flush of stdout when it is not a terminal */
	bool flush_armed;
	struct bs_watch *out; /* stdout, for a reader that goes away (pipes, terminals) */
};

static const char *event_name(enum bs_listener_event_kind kind)
{
	switch (kind) {
	case BS_EV_ACCEPTED:
		return "accepted";
	case BS_EV_CLOSED:
		return "closed";
	case BS_EV_DATAGRAM:
		return "datagram";
	case BS_EV_SHED:
		return "shed";
	case BS_EV_ERROR:
		break;
	}
	return "error";
}

static void print_event_json(struct bs_listener *l, const struct bs_listener_event *ev,
                             const char *when, bool flush)
{
	char bound[BS_ENDPOINT_TEXT_MAX], peer[BS_ENDPOINT_TEXT_MAX], local[BS_ENDPOINT_TEXT_MAX];
	json_t *o = json_object();

	bs_endpoint_text(bs_listener_endpoint(l), bound, sizeof(bound));
	json_object_set_new(o, "event", cli_json_text(event_name(ev->kind)));
	json_object_set_new(o, "time", cli_json_text(when));
	json_object_set_new(o, "proto", json_string(bs_proto_name(bs_listener_proto(l))));
	json_object_set_new(o, "listener", cli_json_text(bound));
	if (ev->kind != BS_EV_SHED && ev->kind != BS_EV_ERROR) {
		bs_endpoint_text(&ev->peer, peer, sizeof(peer));
		bs_endpoint_text(&ev->local, local, sizeof(local));
		json_object_set_new(o, "peer", cli_json_text(peer));
		json_object_set_new(o, "local", cli_json_text(local));
	}
	if (ev->kind == BS_EV_CLOSED || ev->kind == BS_EV_DATAGRAM)
		json_object_set_new(o, "bytes", json_integer((json_int_t)ev->bytes));
	if (ev->message != NULL)
		json_object_set_new(o, "message", cli_json_text(ev->message));
	cli_json_emit_flush(o, true, flush);
}

/* "WHEN PROTO BOUND  VERB PEER -> LOCAL" (verb with its spaces), no newline. */
static void put_words(const char *when, const char *proto, const char *bound, const char *verb,
                      const char *peer, const char *local)
{
	fputs(when, stdout);
	fputc(' ', stdout);
	fputs(proto, stdout);
	fputc(' ', stdout);
	fputs(bound, stdout);
	fputc(' ', stdout);
	fputs(verb, stdout);
	fputs(peer, stdout);
	fputs(" -> ", stdout);
	fputs(local, stdout);
}

static void print_event_text(struct bs_listener *l, const struct bs_listener_event *ev,
                             const char *when)
{
	static const struct bs_listener *cached; /* the last listener's text, made once */
	static struct bs_endpoint cached_ep;
	static char bound[4 * BS_ENDPOINT_TEXT_MAX];
	char raw[BS_ENDPOINT_TEXT_MAX], peer[4 * BS_ENDPOINT_TEXT_MAX],
	    local[4 * BS_ENDPOINT_TEXT_MAX];
	const char *proto = bs_proto_name(bs_listener_proto(l));

	/* An IPv6 address may carry an interface name (fe80::1%eth0): made safe, never cut. */
	if (cached != l || !bs_endpoint_equal(&cached_ep, bs_listener_endpoint(l))) {
		bs_endpoint_text(bs_listener_endpoint(l), raw, sizeof(raw));
		bs_text_safe(raw, bound, sizeof(bound));
		cached = l;
		cached_ep = *bs_listener_endpoint(l);
	}
	bs_endpoint_text(&ev->peer, raw, sizeof(raw));
	bs_text_safe(raw, peer, sizeof(peer));
	bs_endpoint_text(&ev->local, raw, sizeof(raw));
	bs_text_safe(raw, local, sizeof(local));
	switch (ev->kind) {
	case BS_EV_ACCEPTED: /* the busiest line: put together without printf's parsing */
		put_words(when, proto, bound, " accepted ", peer, local);
		fputc('\n', stdout);
		break;
	case BS_EV_CLOSED:
		put_words(when, proto, bound, " closed   ", peer, local);
		printf(" after %llu bytes\n", (unsigned long long)ev->bytes);
		break;
	case BS_EV_DATAGRAM:
		printf("%s %s %s  datagram %s -> %s, %llu bytes\n", when, proto, bound, peer, local,
		       (unsigned long long)ev->bytes);
		break;
	case BS_EV_SHED:
	case BS_EV_ERROR:
		fprintf(stderr, "%s %s %s  %s\n", when, proto, bound, ev->message);
		return;
	}
}

/* Output that cannot be written ends the command (cmd_listen says why): events must not be
 * lost while bindscope looks alive. */
static void flush_checked(struct listen_state *st)
{
	if (cli_stdout_flush() < 0)
		bs_loop_stop(st->loop);
}

static void flush_now(void *arg)
{
	struct listen_state *st = arg;

	st->flush_armed = false;
	flush_checked(st);
}

/*
 * Lines reach a terminal at once (line buffering). Into a pipe or file they are flushed
 * 20 ms after the first unflushed one: prompt for a reader, one write per burst under load.
 */
static void schedule_flush(struct listen_state *st)
{
	if (st->flush_armed)
		return;
	if (st->flush == NULL)
		st->flush = bs_loop_timer(st->loop, 0, false, flush_now, st, NULL);
	if (st->flush == NULL || bs_timer_rearm(st->flush, 20) < 0) {
		flush_checked(st);
		return;
	}
	st->flush_armed = true;
}

static void on_event(struct bs_listener *l, const struct bs_listener_event *ev, void *arg)
{
	struct listen_state *st = arg;
	char when[32];

	cli_timestamp(when, sizeof(when));
	if (st->json)
		print_event_json(l, ev, when, false);
	else
		print_event_text(l, ev, when);
	if (cli_stdout_failed())
		bs_loop_stop(st->loop);
	else
		schedule_flush(st);
}

/* A pipe's reader closed it (EPOLLERR) or a terminal hung up (EPOLLHUP): even when no
 * connection comes, `listen | head -1` must end and close its listeners. */
static void on_stdout_gone(int fd, uint32_t events, void *arg)
{
	struct listen_state *st = arg;

	(void)fd;
	if (events & (EPOLLERR | EPOLLHUP)) {
		cli_stdout_gone();
		bs_watch_remove(st->out);
		st->out = NULL;
		bs_loop_stop(st->loop);
	}
}

/* Regular files and /dev/null cannot be watched (EPERM): their writes are checked instead. */
static void watch_stdout(struct listen_state *st)
{
	st->out = bs_loop_watch(st->loop, STDOUT_FILENO, 0, on_stdout_gone, st, NULL);
}

static void on_signal(int signo, void *arg)
{
	struct listen_state *st = arg;

	st->stop_signal = signo;
	bs_loop_stop(st->loop);
}

/* The explanation of a listener: three malloc'd sentences, each whole (cli_text_whole). */
struct description {
	char *summary, *socat, *ss;
};

static void description_free(struct description *d)
{
	free(d->summary);
	free(d->socat);
	free(d->ss);
}

/* One matrix over every listener's port, all of them marked ours: each is then described
 * from the whole socket table, and the #N numbers agree between the announcements. */
static struct bs_matrix *listeners_matrix(const struct listen_state *st,
                                          const struct bs_iface_list *ifaces, struct bs_error *err)
{
	struct bs_matrix *m = bs_matrix_new();
	struct bs_socket_list table = {0};
	struct bs_matrix_env env;
	int rc = 0;

	if (m == NULL) {
		bs_error_set(err, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; rc == 0 && i < st->count; i++) {
		const struct bs_listener *l = st->listeners[i];
		rc = bs_matrix_add_port(m, bs_listener_proto(l), bs_listener_endpoint(l)->port,
		                        NULL, err);
		if (rc == 0)
			rc = bs_matrix_mark_own(m, bs_listener_inode(l), bs_listener_reuseaddr(l),
			                        bs_listener_reuseport(l), err);
	}
	bs_matrix_env_system(&env);
	if (rc == 0)
		rc = bs_matrix_read_sockets(m, ifaces, &table, err);
	if (rc == 0)
		rc = bs_matrix_build(m, &table, ifaces, &env, err);
	bs_socket_list_free(&table);
	if (rc < 0) {
		bs_matrix_free(m);
		return NULL;
	}
	return m;
}

/* What the listener takes, said from the socket table of its port (others' sockets included),
 * with the socat and ss commands for it. m NULL: why says why there is no table. */
static void describe(const struct bs_matrix *m, const char *why, const struct bs_listener *l,
                     const struct bs_iface_list *ifaces, struct description *d)
{
	const struct bs_socket *socks;
	size_t nsocks;
	long row = -1;
	char text[BS_ERROR_MSG_MAX + 64];

	socks = m != NULL ? bs_matrix_sockets(m, &nsocks) : NULL;
	for (size_t r = 0; m != NULL && r < bs_matrix_nrows(m); r++)
		if (bs_matrix_row(m, r)->socket &&
		    socks[bs_matrix_row(m, r)->sock].inode == bs_listener_inode(l))
			row = (long)r;
	if (row >= 0) {
		d->summary = probe_render_row_words(m, (size_t)row, ifaces, PROBE_ROW_SUMMARY);
		d->socat = probe_render_row_words(m, (size_t)row, ifaces, PROBE_ROW_SOCAT);
		d->ss = probe_render_row_words(m, (size_t)row, ifaces, PROBE_ROW_SS);
	} else {
		snprintf(text, sizeof(text), "(the socket table could not be read: %s)", why);
		d->summary = strdup(text);
	}
}

static void announce(const struct listen_state *st, const struct bs_matrix *m, const char *why,
                     struct bs_listener *l, const struct bs_iface_list *ifaces)
{
	const struct bs_endpoint *ep = bs_listener_endpoint(l);
	char bound[BS_ENDPOINT_TEXT_MAX];
	struct description d = {0};
	const char *summary, *socat, *ss;

	bs_endpoint_text(ep, bound, sizeof(bound));
	describe(m, why, l, ifaces, &d);
	summary = d.summary != NULL ? d.summary : "(out of memory)";
	socat = d.socat != NULL ? d.socat : "";
	ss = d.ss != NULL ? d.ss : "";
	if (st->json) {
		json_t *o = json_object();
		json_object_set_new(o, "event", json_string("listening"));
		json_object_set_new(o, "proto", json_string(bs_proto_name(bs_listener_proto(l))));
		json_object_set_new(o, "listener", cli_json_text(bound));
		json_object_set_new(o, "wildcard", json_boolean(bs_endpoint_is_wildcard(ep)));
		if (ep->family == AF_INET6)
			json_object_set_new(o, "v6only", json_boolean(bs_listener_v6only(l)));
		json_object_set_new(o, "inode", json_integer((json_int_t)bs_listener_inode(l)));
		json_object_set_new(o, "explanation", cli_json_text(summary));
		json_object_set_new(o, "socat", cli_json_text(socat));
		json_object_set_new(o, "ss", cli_json_text(ss));
		cli_json_emit(o, true);
		fprintf(stderr, "listening on %s %s\n", bs_proto_name(bs_listener_proto(l)), bound);
		description_free(&d);
		return;
	}
	/* The explanation names interfaces and programs: made safe for the terminal. */
	printf("listening on %s ", bs_proto_name(bs_listener_proto(l)));
	cli_puts_safe(bound);
	fputs("\n  ", stdout);
	cli_puts_safe(summary);
	fputs("\n  same as: ", stdout);
	cli_puts_safe(socat);
	fputs("\n  see it:  ", stdout);
	cli_puts_safe(ss);
	putchar('\n');
	description_free(&d);
	cli_stdout_flush();
}

static void print_totals(const struct listen_state *st)
{
	if (cli_stdout_failed())
		return;
	for (size_t i = 0; i < st->count; i++) {
		const struct bs_listener_stats *s = bs_listener_stats(st->listeners[i]);
		char bound[BS_ENDPOINT_TEXT_MAX];
		const char *proto = bs_proto_name(bs_listener_proto(st->listeners[i]));

		bs_endpoint_text(bs_listener_endpoint(st->listeners[i]), bound, sizeof(bound));
		if (st->json) {
			json_t *o = json_object();
			json_object_set_new(o, "event", json_string("stopped"));
			json_object_set_new(o, "proto", cli_json_text(proto));
			json_object_set_new(o, "listener", cli_json_text(bound));
			json_object_set_new(o, "accepted", json_integer((json_int_t)s->accepted));
			json_object_set_new(o, "datagrams", json_integer((json_int_t)s->datagrams));
			json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
			json_object_set_new(o, "shed", json_integer((json_int_t)s->shed));
			cli_json_emit(o, true);
		} else {
			printf("closed %s %s: %llu connections, %llu datagrams, %llu bytes, %llu "
			       "shed\n",
			       proto, bound, (unsigned long long)s->accepted,
			       (unsigned long long)s->datagrams, (unsigned long long)s->bytes,
			       (unsigned long long)s->shed);
		}
	}
}

static int parse_listen_opts(int argc, char **argv, struct bs_listener_opts *o, bool *json)
{
	enum { OPT_V6ONLY = 256, OPT_NO_V6ONLY, OPT_NO_REUSEADDR, OPT_REUSEPORT };
	static const struct option longopts[] = {
	    {"udp", no_argument, NULL, 'u'},
	    {"v6only", no_argument, NULL, OPT_V6ONLY},
	    {"no-v6only", no_argument, NULL, OPT_NO_V6ONLY},
	    {"no-reuseaddr", no_argument, NULL, OPT_NO_REUSEADDR},
	    {"reuseport", no_argument, NULL, OPT_REUSEPORT},
	    {"device", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* 0, not 1: glibc then forgets main()'s "+" (stop at the first non-option) mode. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "ud:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->proto = BS_PROTO_UDP;
			break;
		case OPT_V6ONLY:
			o->v6only = 1;
			break;
		case OPT_NO_V6ONLY:
			o->v6only = 0;
			break;
		case OPT_NO_REUSEADDR:
			o->reuseaddr = false;
			break;
		case OPT_REUSEPORT:
			o->reuseport = true;
			break;
		case 'd':
			if (cli_parse_device("listen", optarg, o->device, sizeof(o->device)) < 0)
				return BS_EXIT_USAGE;
			break;
		case 'j':
			*json = true;
			break;
		case 'h':
			fputs(listen_usage, stdout);
			return BS_EXIT_OK;
		default:
			return cli_usage_error("listen", NULL);
		}
	}
	if (optind >= argc)
		return cli_usage_error("listen", "give at least one ADDR:PORT, e.g. 0.0.0.0:8081");
	if (argc - optind > MAX_LISTENERS)
		return cli_usage_error("listen", "at most %d listeners at once, not %d",
		                       MAX_LISTENERS, argc - optind);
	return -1;
}

static int open_all(struct listen_state *st, char **addrs, int n, const struct bs_listener_opts *o,
                    const struct bs_iface_list *ifaces)
{
	struct bs_endpoint eps[MAX_LISTENERS];
	struct bs_error err = {0};
	struct bs_matrix *m;

	/* Parse everything first: a typo in the third address opens nothing. */
	for (int i = 0; i < n; i++) {
		if (cli_parse_endpoint(addrs[i], ifaces, &eps[i]) < 0)
			return BS_EXIT_USAGE;
		for (int j = 0; j < i; j++)
			if (eps[j].addrlen == eps[i].addrlen &&
			    memcmp(&eps[j].addr, &eps[i].addr, eps[i].addrlen) == 0)
				return cli_usage_error("listen",
				                       "%s is given twice (as '%s' and "
				                       "'%s')",
				                       addrs[i], addrs[j], addrs[i]);
	}
	for (int i = 0; i < n; i++) {
		struct bs_listener *l =
		    bs_listener_open(st->loop, &eps[i], o, ifaces, on_event, st, &err);
		if (l == NULL) {
			cli_error_show(&err);
			return BS_EXIT_FAILURE;
		}
		st->listeners[st->count++] = l;
	}
	/* Announce only once all are open: a failure above announces nothing. */
	m = listeners_matrix(st, ifaces, &err);
	for (size_t i = 0; i < st->count; i++)
		announce(st, m, err.msg, st->listeners[i], ifaces);
	bs_matrix_free(m);
	return BS_EXIT_OK;
}

int cmd_listen(int argc, char **argv)
{
	static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
	struct bs_listener_opts o = bs_listener_opts_default();
	struct listen_state st = {0};
	struct bs_iface_list ifaces = {0};
	struct bs_error err;
	int rc = parse_listen_opts(argc, argv, &o, &st.json);

	if (rc >= 0)
		return rc;
	if (bs_iface_list_read(&ifaces, &err) < 0 || (st.loop = bs_loop_new(&err)) == NULL ||
	    bs_loop_handle_signals(st.loop, signals, 3, on_signal, &st, &err) < 0) {
		cli_error_show(&err);
		rc = BS_EXIT_FAILURE;
		goto out;
	}
	rc = open_all(&st, argv + optind, argc - optind, &o, &ifaces);
	watch_stdout(&st);
	/* Announcements that could not be written: main says why, the listeners close. */
	if (rc == BS_EXIT_OK && cli_stdout_flush() == 0) {
		if (bs_loop_run(st.loop) < 0) {
			cli_error("the event loop failed");
			rc = BS_EXIT_FAILURE;
		}
		print_totals(&st);
	}
out:
	for (size_t i = 0; i < st.count; i++)
		bs_listener_close(st.listeners[i]);
	bs_timer_cancel(st.flush);
	bs_watch_remove(st.out);
	bs_loop_discard_signals(st.loop);
	bs_loop_free(st.loop);
	bs_iface_list_free(&ifaces);
	return rc;
}
