#include "bindscope/lesson.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/iface_watch.h"
#include "bindscope/sockets.h"
#include "bindscope/textbuf.h"

/* How many of our own probe connections can be open at listeners at once (one round's worth). */

struct lesson_listener {
	struct bs_listener *l;
	uint64_t inode;
	bool reuseport;
	struct bs_lesson_counts counts;
};

/* A machine probing over ssh: a column once its agent answered (or failed). */
struct lesson_host {
	struct bs_lesson *ls;
	struct bs_remote *remote;
	bool settled;      /* READY or FAILED: its columns are in the matrix */
	bool failure_said; /* its failure is in the log */
};

struct bs_lesson {
	struct bs_loop *loop;
	struct bs_lesson_events ev;
	struct bs_iface_list ifaces;
	struct bs_iface_watch *watch;
	struct lesson_listener listeners[BS_LESSON_MAX_LISTENERS];
	size_t nlisteners;
	bool ipv6;
	bool only_v4; /* zoom: IPv4 columns only */
	/* The exposure matrix of the listeners' ports: every socket there, ours and others'. */
	struct bs_matrix *matrix;
	struct bs_matrix *port_matrix; /* bs_lesson_probe_port's: one port, asked from elsewhere */
	struct bs_lab_vantage vantages[BS_LESSON_MAX_VANTAGES];
	size_t nvantages;
	struct lesson_host *hosts[BS_LESSON_MAX_HOSTS];
	size_t nhosts;
	struct bs_endpoint *own_open; /* our probes accepted and not closed yet: as many as come */
	size_t nown_open, own_open_cap;
	unsigned long rounds;    /* probe rounds of the matrix that ran to their end */
	struct bs_timer *settle; /* a redraw once unclaimed probes count as contradictions */
};

static void say(struct bs_lesson *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct bs_lesson *ls, const char *fmt, ...)
{
	char line[1024], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Interface names, peers' addresses and errors that quote them come from outside: the
	 * log never hands a control byte to the terminal. */
	bs_text_safe(line, safe, sizeof(safe));
	if (ls->ev.log != NULL)
		ls->ev.log(ls->ev.arg, safe);
}

static void changed(struct bs_lesson *ls)
{
	if (ls->ev.changed != NULL)
		ls->ev.changed(ls->ev.arg);
}

/* One sentence per vantage: how many of its probes found a socket. */
static void say_round(struct bs_lesson *ls)
{
	const struct bs_matrix *m = ls->matrix;

	for (size_t v = 0; v < bs_matrix_nvantages(m); v++) {
		size_t open = 0, n = 0, addrs = 0;
		for (size_t c = 0; c < bs_matrix_ncols(m); c++)
			addrs += bs_matrix_col(m, c)->vantage == v;
		for (size_t i = 0; i < bs_matrix_nprobes(m); i++) {
			const struct bs_matrix_probe *p = bs_matrix_probe(m, i);
			if (!p->probed || bs_matrix_col(m, p->col)->vantage != v)
				continue;
			n++;
			open += p->observed.verdict == BS_VERDICT_OPEN;
		}
		if (n == 0 ||
		    (bs_matrix_vantage(m, v)->remote != NULL &&
		     bs_remote_state(bs_matrix_vantage(m, v)->remote) == BS_REMOTE_FAILED))
			continue; /* a host that failed probed nothing: its failure is said once */
		if (v == 0)
			say(ls,
			    "probed %zu port%s on %zu addresses from this host: %zu of %zu probes "
			    "open",
			    bs_matrix_nports(m), bs_matrix_nports(m) == 1 ? "" : "s", addrs, open,
			    n);
		else
			say(ls, "probed from %s: %zu of %zu probes open",
			    bs_matrix_vantage(m, v)->name, open, n);
	}
}

/* A host that failed (at connecting, or since: dropped, too slow) says why, once. */
static void say_host_failures(struct bs_lesson *ls)
{
	for (size_t i = 0; i < ls->nhosts; i++) {
		struct lesson_host *h = ls->hosts[i];
		if (h->failure_said || bs_remote_state(h->remote) != BS_REMOTE_FAILED)
			continue;
		h->failure_said = true;
		say(ls, "from %s: not probed: %s. To try again: v, then %s",
		    bs_remote_host(h->remote), bs_remote_failure(h->remote),
		    bs_remote_host(h->remote));
	}
}

static void settle_over(void *arg)
{
	changed(arg);
}

static void round_done(void *arg)
{
	struct bs_lesson *ls = arg;

	ls->rounds++;
	/* What a cell reads changes once the settle moment is over (matrix.h): redraw then. */
	if (ls->settle == NULL)
		ls->settle = bs_loop_timer(ls->loop, BS_MATRIX_SETTLE_US / 1000 + 20, false,
		                           settle_over, ls, NULL);
	else
		bs_timer_rearm(ls->settle, BS_MATRIX_SETTLE_US / 1000 + 20);
	say_round(ls);
	say_host_failures(ls);
	changed(ls);
}

/* The vantages of a matrix: the lab's peers, then every host that has answered or failed. */
static int set_vantages(struct bs_lesson *ls, struct bs_matrix *m, struct bs_error *err)
{
	if (bs_matrix_set_peers(m, ls->vantages, ls->nvantages, err) < 0)
		return -1;
	for (size_t i = 0; i < ls->nhosts; i++)
		if (ls->hosts[i]->settled &&
		    bs_matrix_add_remote(m, ls->hosts[i]->remote, &ls->ifaces, err) < 0)
			return -1;
	return 0;
}

/* The matrix again: the listeners' ports, every socket on them, the targets, the peers. */
static int rebuild(struct bs_lesson *ls, struct bs_error *err)
{
	struct bs_socket_list table;
	struct bs_matrix_env env;
	int rc;

	bs_matrix_clear_ports(ls->matrix);
	bs_matrix_clear_own(ls->matrix);
	for (size_t i = 0; i < ls->nlisteners; i++) {
		const struct lesson_listener *ll = &ls->listeners[i];
		if (bs_matrix_add_port(ls->matrix, bs_listener_proto(ll->l),
		                       bs_listener_endpoint(ll->l)->port, NULL, err) < 0 ||
		    bs_matrix_mark_own(ls->matrix, ll->inode, bs_listener_reuseaddr(ll->l),
		                       ll->reuseport, err) < 0)
			return -1;
	}
	if (bs_matrix_read_sockets(ls->matrix, &ls->ifaces, &table, err) < 0)
		return -1;
	bs_matrix_env_system(&env);
	bs_matrix_set_families(ls->matrix, ls->only_v4, false, ls->ipv6 && !ls->only_v4);
	rc = set_vantages(ls, ls->matrix, err);
	if (rc == 0)
		rc = bs_matrix_build(ls->matrix, &table, &ls->ifaces, &env, err);
	bs_socket_list_free(&table);
	return rc;
}

int bs_lesson_probe_port(struct bs_lesson *ls, enum bs_proto proto, uint16_t port,
                         void (*done)(void *arg), void *arg, struct bs_error *err)
{
	struct bs_matrix_probe_opts po = {0};
	struct bs_socket_list table;
	struct bs_matrix_env env;
	int rc;

	if (ls->port_matrix == NULL && (ls->port_matrix = bs_matrix_new()) == NULL)
		return bs_error_set(err, 0, "out of memory for the probe of port %u", port);
	bs_matrix_clear_ports(ls->port_matrix);
	bs_matrix_clear_own(ls->port_matrix);
	/* Our listeners are ours here too: their accepts say which took a probe, and are never
	 * counted as visitors. */
	for (size_t i = 0; i < ls->nlisteners; i++) {
		const struct lesson_listener *ll = &ls->listeners[i];
		if (bs_matrix_mark_own(ls->port_matrix, ll->inode, bs_listener_reuseaddr(ll->l),
		                       ll->reuseport, err) < 0)
			return -1;
	}
	if (bs_matrix_add_port(ls->port_matrix, proto, port, NULL, err) < 0 ||
	    bs_matrix_read_sockets(ls->port_matrix, &ls->ifaces, &table, err) < 0)
		return -1;
	bs_matrix_env_system(&env);
	rc = set_vantages(ls, ls->port_matrix, err);
	if (rc == 0)
		rc = bs_matrix_build(ls->port_matrix, &table, &ls->ifaces, &env, err);
	bs_socket_list_free(&table);
	if (rc == 0)
		rc = bs_matrix_probe_start(ls->port_matrix, ls->loop, &po, done, arg, err);
	return rc;
}

const struct bs_matrix *bs_lesson_port_matrix(const struct bs_lesson *ls)
{
	return ls->port_matrix;
}

void bs_lesson_reprobe(struct bs_lesson *ls)
{
	struct bs_matrix_probe_opts po = {0};
	struct bs_error err;

	if (rebuild(ls, &err) < 0 ||
	    bs_matrix_probe_start(ls->matrix, ls->loop, &po, round_done, ls, &err) < 0)
		say(ls, "probing failed: %s", err.msg);
	changed(ls);
}

bool bs_lesson_probing(const struct bs_lesson *ls)
{
	return bs_matrix_probing(ls->matrix);
}

/* Our probes' connections still open at a listener, to tell their close from a visitor's. */
static bool own_open_take(struct bs_lesson *ls, const struct bs_endpoint *peer)
{
	for (size_t i = 0; i < ls->nown_open; i++)
		if (bs_endpoint_equal(&ls->own_open[i], peer)) {
			ls->own_open[i] = ls->own_open[--ls->nown_open];
			return true;
		}
	return false;
}

static int own_open_add(struct bs_lesson *ls, const struct bs_endpoint *peer)
{
	if (ls->nown_open == ls->own_open_cap) {
		size_t cap = ls->own_open_cap ? 2 * ls->own_open_cap : 64;
		struct bs_endpoint *grown = realloc(ls->own_open, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		ls->own_open = grown;
		ls->own_open_cap = cap;
	}
	ls->own_open[ls->nown_open++] = *peer;
	return 0;
}

/* One of the matrix's own probes (claimed by the listener that took it), or its close. */
static bool own_probe(struct bs_lesson *ls, uint64_t inode, const struct bs_listener_event *ev)
{
	if (ev->kind == BS_EV_CLOSED)
		return own_open_take(ls, &ev->peer);
	if ((ev->kind != BS_EV_ACCEPTED && ev->kind != BS_EV_DATAGRAM) ||
	    (!bs_matrix_claim(ls->matrix, inode, ev) &&
	     (ls->port_matrix == NULL || !bs_matrix_claim(ls->port_matrix, inode, ev))))
		return false;
	if (ev->kind == BS_EV_ACCEPTED && own_open_add(ls, &ev->peer) < 0)
		say(ls, "out of memory: the close of one of bindscope's own probes may read as a "
		        "visitor's");
	return true;
}

static struct lesson_listener *listener_of(struct bs_lesson *ls, const struct bs_listener *l)
{
	static struct lesson_listener nowhere;

	for (size_t i = 0; i < ls->nlisteners; i++)
		if (ls->listeners[i].l == l)
			return &ls->listeners[i];
	return &nowhere; /* an event during bs_listener_open, before the listener is stored */
}

static void count_visit(struct bs_lesson_counts *c, const struct bs_listener_event *ev)
{
	switch (ev->kind) {
	case BS_EV_ACCEPTED:
		c->visits++;
		c->open_now++;
		break;
	case BS_EV_CLOSED:
		if (c->open_now > 0)
			c->open_now--;
		c->bytes += ev->bytes;
		break;
	case BS_EV_DATAGRAM:
		c->visits++;
		c->bytes += ev->bytes;
		break;
	case BS_EV_SHED:
	case BS_EV_ERROR:
		break;
	}
}

static void on_listener_event(struct bs_listener *l, const struct bs_listener_event *ev, void *arg)
{
	struct bs_lesson *ls = arg;
	char bound[BS_ENDPOINT_TEXT_MAX], peer[BS_ENDPOINT_TEXT_MAX], local[BS_ENDPOINT_TEXT_MAX];
	const char *proto = bs_proto_name(bs_listener_proto(l));

	struct lesson_listener *ll = listener_of(ls, l);
	struct bs_lesson_counts *counts = &ll->counts;

	/* The lesson's own probes are counted apart and summed up per round, not logged. A
	 * claim may end the round (its last datagram) before it says which socket took it: the
	 * change is told after the claim, so what is read then is whole. */
	if (own_probe(ls, ll->inode, ev)) {
		counts->probes += ev->kind != BS_EV_CLOSED;
		changed(ls);
		return;
	}
	changed(ls); /* counters moved */
	count_visit(counts, ev);
	bs_endpoint_text(bs_listener_endpoint(l), bound, sizeof(bound));
	bs_endpoint_text(&ev->peer, peer, sizeof(peer));
	bs_endpoint_text(&ev->local, local, sizeof(local));
	switch (ev->kind) {
	case BS_EV_ACCEPTED:
		say(ls, "%s %s accepted %s, arrived on %s", proto, bound, peer, local);
		break;
	case BS_EV_CLOSED:
		say(ls, "%s %s closed %s after %llu bytes", proto, bound, peer,
		    (unsigned long long)ev->bytes);
		break;
	case BS_EV_DATAGRAM:
		say(ls, "%s %s datagram from %s to %s, %llu bytes", proto, bound, peer, local,
		    (unsigned long long)ev->bytes);
		break;
	case BS_EV_SHED:
	case BS_EV_ERROR:
		say(ls, "%s %s: %s", proto, bound, ev->message);
		break;
	}
}

/* Does the interface named like in have address a in list? Looked up by the interface, not
 * by the address: two interfaces may share one (10.5.0.1 on two links, fe80::1 on several). */
static bool has_addr(const struct bs_iface_list *list, const struct bs_iface *in,
                     const struct bs_iface_addr *a)
{
	const struct bs_iface *same = bs_iface_find(list, in->name);

	for (size_t j = 0; same != NULL && j < same->naddrs; j++)
		if (same->addrs[j].family == a->family && same->addrs[j].prefix == a->prefix &&
		    strcmp(same->addrs[j].text, a->text) == 0)
			return true;
	return false;
}

/* Say what differs between two interface lists, one sentence per change; returns how many. */
static size_t log_differences(struct bs_lesson *ls, const struct bs_iface_list *old,
                              const struct bs_iface_list *now)
{
	size_t changes = 0;

	for (size_t i = 0; i < now->count; i++) {
		const struct bs_iface *n = &now->items[i], *o = bs_iface_find(old, n->name);
		if (o == NULL && ++changes)
			say(ls, "interface %s appeared", n->name);
		else if (o != NULL && (o->flags & IFF_UP) != (n->flags & IFF_UP) && ++changes)
			say(ls, "interface %s is now %s", n->name,
			    (n->flags & IFF_UP) ? "up" : "down");
		for (size_t j = 0; j < n->naddrs; j++)
			if (!has_addr(old, n, &n->addrs[j]) && ++changes)
				say(ls, "address %s/%u added on %s", n->addrs[j].text,
				    n->addrs[j].prefix, n->name);
	}
	for (size_t i = 0; i < old->count; i++) {
		const struct bs_iface *o = &old->items[i];
		if (bs_iface_find(now, o->name) == NULL && ++changes)
			say(ls, "interface %s went away", o->name);
		for (size_t j = 0; j < o->naddrs; j++)
			if (!has_addr(now, o, &o->addrs[j]) && ++changes)
				say(ls, "address %s/%u removed from %s", o->addrs[j].text,
				    o->addrs[j].prefix, o->name);
	}
	return changes;
}

static void ifaces_changed(void *arg)
{
	struct bs_lesson *ls = arg;
	struct bs_iface_list now;
	struct bs_error err;
	size_t changes;

	if (bs_iface_list_read(&now, &err) < 0) {
		say(ls, "%s", err.msg);
		return;
	}
	changes = log_differences(ls, &ls->ifaces, &now);
	bs_iface_list_free(&ls->ifaces);
	ls->ifaces = now;
	/* Events that change no address and no up/down state (carrier, operstate, statistics)
	 * change nothing the matrix shows: no new round for them. */
	if (changes > 0)
		bs_lesson_reprobe(ls);
	else
		changed(ls);
}

struct bs_lesson *bs_lesson_new(struct bs_loop *loop, const struct bs_lesson_events *events,
                                struct bs_error *err)
{
	struct bs_lesson *ls = calloc(1, sizeof(*ls));

	if (ls == NULL) {
		bs_error_set(err, ENOMEM, "out of memory starting the lesson");
		return NULL;
	}
	ls->loop = loop;
	ls->ev = *events;
	ls->matrix = bs_matrix_new();
	if (ls->matrix == NULL) {
		free(ls);
		bs_error_set(err, ENOMEM, "out of memory starting the lesson");
		return NULL;
	}
	if (bs_iface_list_read(&ls->ifaces, err) < 0) {
		bs_matrix_free(ls->matrix);
		free(ls);
		return NULL;
	}
	/* Without live updates the lesson still works; r re-reads nothing, so say so. */
	ls->watch = bs_iface_watch_start(loop, ifaces_changed, ls, err);
	if (ls->watch == NULL)
		say(ls, "%s; interface changes will not show until restart", err->msg);
	/* The columns (this machine's addresses) show before the first listener opens. */
	if (rebuild(ls, err) < 0)
		say(ls, "%s", err->msg);
	return ls;
}

void bs_lesson_free(struct bs_lesson *ls)
{
	if (ls == NULL)
		return;
	bs_timer_cancel(ls->settle);
	bs_matrix_free(ls->matrix);
	bs_matrix_free(ls->port_matrix);
	for (size_t i = 0; i < ls->nhosts; i++) { /* after the matrices: their rounds cancel */
		bs_remote_free(ls->hosts[i]->remote);
		free(ls->hosts[i]);
	}
	for (size_t i = 0; i < ls->nlisteners; i++)
		bs_listener_close(ls->listeners[i].l);
	bs_iface_watch_stop(ls->watch);
	bs_iface_list_free(&ls->ifaces);
	free(ls->own_open);
	free(ls);
}

int bs_lesson_open(struct bs_lesson *ls, const struct bs_endpoint *ep,
                   const struct bs_listener_opts *opts, struct bs_error *err)
{
	struct lesson_listener *ll;
	char bound[BS_ENDPOINT_TEXT_MAX];

	if (ls->nlisteners == BS_LESSON_MAX_LISTENERS)
		return bs_error_set(err, 0, "at most %d listeners at once: close one first (d)",
		                    BS_LESSON_MAX_LISTENERS);
	ll = &ls->listeners[ls->nlisteners];
	memset(ll, 0, sizeof(*ll));
	ll->l = bs_listener_open(ls->loop, ep, opts, &ls->ifaces, on_listener_event, ls, err);
	if (ll->l == NULL) {
		say(ls, "%s", err->msg);
		return -1;
	}
	ll->inode = bs_listener_inode(ll->l);
	ll->reuseport = opts->reuseport;
	ls->nlisteners++;
	bs_endpoint_text(bs_listener_endpoint(ll->l), bound, sizeof(bound));
	say(ls, "opened %s %s", bs_proto_name(opts->proto), bound);
	bs_lesson_reprobe(ls);
	return 0;
}

/* Close listener i and say so; the caller probes again. */
static void close_one(struct bs_lesson *ls, size_t i)
{
	char bound[BS_ENDPOINT_TEXT_MAX];
	const char *proto;

	proto = bs_proto_name(bs_listener_proto(ls->listeners[i].l));
	bs_endpoint_text(bs_listener_endpoint(ls->listeners[i].l), bound, sizeof(bound));
	bs_listener_close(ls->listeners[i].l);
	memmove(&ls->listeners[i], &ls->listeners[i + 1],
	        (ls->nlisteners - i - 1) * sizeof(ls->listeners[0]));
	ls->nlisteners--;
	say(ls, "closed %s %s", proto, bound);
}

void bs_lesson_close(struct bs_lesson *ls, size_t i)
{
	if (i >= ls->nlisteners)
		return;
	close_one(ls, i);
	bs_lesson_reprobe(ls);
}

void bs_lesson_close_all(struct bs_lesson *ls)
{
	if (ls->nlisteners == 0)
		return;
	while (ls->nlisteners > 0)
		close_one(ls, ls->nlisteners - 1);
	bs_lesson_reprobe(ls);
}

unsigned long bs_lesson_rounds(const struct bs_lesson *ls)
{
	return ls->rounds;
}

void bs_lesson_set_vantages(struct bs_lesson *ls, const struct bs_lab_vantage *v, size_t n)
{
	ls->nvantages = n < BS_LESSON_MAX_VANTAGES ? n : BS_LESSON_MAX_VANTAGES;
	memcpy(ls->vantages, v, ls->nvantages * sizeof(*v));
	bs_lesson_reprobe(ls);
}

bool bs_lesson_only_v4(const struct bs_lesson *ls)
{
	return ls->only_v4;
}

void bs_lesson_set_only_v4(struct bs_lesson *ls, bool on)
{
	ls->only_v4 = on;
	bs_lesson_reprobe(ls);
}

void bs_lesson_set_ipv6(struct bs_lesson *ls, bool on)
{
	ls->ipv6 = on;
	bs_lesson_reprobe(ls);
}

const struct bs_iface_list *bs_lesson_ifaces(const struct bs_lesson *ls)
{
	return &ls->ifaces;
}

size_t bs_lesson_listener_count(const struct bs_lesson *ls)
{
	return ls->nlisteners;
}

const struct bs_listener *bs_lesson_listener(const struct bs_lesson *ls, size_t i)
{
	return ls->listeners[i].l;
}

const struct bs_lesson_counts *bs_lesson_counts(const struct bs_lesson *ls, size_t i)
{
	return &ls->listeners[i].counts;
}

const struct bs_matrix *bs_lesson_matrix(const struct bs_lesson *ls)
{
	return ls->matrix;
}

long bs_lesson_row_of_listener(const struct bs_lesson *ls, size_t i)
{
	const struct bs_matrix *m = ls->matrix;
	size_t n;
	const struct bs_socket *socks = bs_matrix_sockets(m, &n);

	for (size_t r = 0; i < ls->nlisteners && r < bs_matrix_nrows(m); r++)
		if (bs_matrix_row(m, r)->socket &&
		    socks[bs_matrix_row(m, r)->sock].inode == ls->listeners[i].inode)
			return (long)r;
	return -1;
}

long bs_lesson_listener_of_row(const struct bs_lesson *ls, size_t r)
{
	for (size_t i = 0; i < ls->nlisteners; i++)
		if (bs_lesson_row_of_listener(ls, i) == (long)r)
			return (long)i;
	return -1;
}

/* --- other machines, over ssh --- */

static void remove_host(struct bs_lesson *ls, size_t i, bool retry);

static void host_settled(void *arg)
{
	struct lesson_host *h = arg;
	struct bs_lesson *ls = h->ls;
	struct bs_endpoint here, there;
	char a[BS_ENDPOINT_TEXT_MAX], b[BS_ENDPOINT_TEXT_MAX];

	h->settled = true;
	if (bs_remote_state(h->remote) == BS_REMOTE_READY &&
	    bs_remote_addresses(h->remote, &here, &there)) {
		bs_endpoint_addr_text(&there, a, sizeof(a));
		bs_endpoint_addr_text(&here, b, sizeof(b));
		say(ls, "%s answers over ssh: it probes from %s, and reaches this machine at %s",
		    bs_remote_host(h->remote), a, b);
	} else if (bs_remote_state(h->remote) == BS_REMOTE_READY) {
		say(ls, "%s answers over ssh (its agent did not say its address)",
		    bs_remote_host(h->remote));
	}
	say_host_failures(ls);
	bs_lesson_reprobe(ls);
}

static long host_index(const struct bs_lesson *ls, const char *host)
{
	for (size_t i = 0; i < ls->nhosts; i++)
		if (strcmp(bs_remote_host(ls->hosts[i]->remote), host) == 0)
			return (long)i;
	return -1;
}

int bs_lesson_add_host(struct bs_lesson *ls, const char *host, const char *ssh_command,
                       struct bs_error *err)
{
	long old = host_index(ls, host);
	struct lesson_host *h;
	struct bs_endpoint *targets;
	size_t n;

	if (old >= 0 && bs_remote_state(ls->hosts[old]->remote) != BS_REMOTE_FAILED)
		return bs_error_set(err, 0,
		                    "already probing from %s (V with its column chosen "
		                    "stops it)",
		                    host);
	if (old >= 0)
		remove_host(ls, (size_t)old, true); /* it failed: try it again */
	if (ls->nhosts == BS_LESSON_MAX_HOSTS)
		return bs_error_set(err, 0, "at most %d hosts at once: stop one first (V)",
		                    BS_LESSON_MAX_HOSTS);
	n = bs_matrix_remote_targets(&ls->ifaces, NULL, 0);
	targets = calloc(n ? n : 1, sizeof(*targets));
	h = calloc(1, sizeof(*h));
	if (targets == NULL || h == NULL) {
		free(targets);
		free(h);
		return bs_error_set(err, ENOMEM, "out of memory adding %s", host);
	}
	bs_matrix_remote_targets(&ls->ifaces, targets, n);
	h->ls = ls;
	h->remote =
	    bs_remote_start(ls->loop, host, ssh_command, targets, n, 0, host_settled, h, err);
	free(targets);
	if (h->remote == NULL) {
		free(h);
		return -1;
	}
	ls->hosts[ls->nhosts++] = h;
	say(ls, "connecting to %s: %s -T -o BatchMode=yes %s bindscope agent",
	    bs_remote_host(h->remote), bs_remote_ssh_command(h->remote), bs_remote_host(h->remote));
	changed(ls);
	return 0;
}

/* Forget host i; says so unless it is being tried again. */
static void remove_host(struct bs_lesson *ls, size_t i, bool retry)
{
	struct lesson_host *h;

	if (i >= ls->nhosts)
		return;
	h = ls->hosts[i];
	/* Nothing may point at it: the rounds that wait for it end, and the sockets screen's
	 * one-port matrix (which may have its columns) goes, to be probed again there. */
	bs_matrix_probe_stop(ls->matrix);
	bs_matrix_free(ls->port_matrix);
	ls->port_matrix = NULL;
	for (size_t j = i; j + 1 < ls->nhosts; j++)
		ls->hosts[j] = ls->hosts[j + 1];
	ls->nhosts--;
	if (!retry)
		say(ls, "stopped probing from %s", bs_remote_host(h->remote));
	bs_remote_free(h->remote);
	free(h);
	bs_lesson_reprobe(ls); /* the matrix without it: nothing points at it any more */
}

void bs_lesson_remove_host(struct bs_lesson *ls, size_t i)
{
	remove_host(ls, i, false);
}

size_t bs_lesson_host_count(const struct bs_lesson *ls)
{
	return ls->nhosts;
}

long bs_lesson_host_of_col(const struct bs_lesson *ls, size_t c)
{
	const struct bs_matrix *m = ls->matrix;
	const struct bs_vantage *v;

	if (c >= bs_matrix_ncols(m))
		return -1;
	v = bs_matrix_vantage(m, bs_matrix_col(m, c)->vantage);
	for (size_t i = 0; v->remote != NULL && i < ls->nhosts; i++)
		if (ls->hosts[i]->remote == v->remote)
			return (long)i;
	return -1;
}
