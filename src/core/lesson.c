#include "bindscope/lesson.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/iface_watch.h"

/* How many of our own probe connections can be open at listeners at once (one round's worth). */
#define BS_LESSON_MAX_OWN_OPEN 512

struct lesson_listener {
	struct bs_listener *l;
	struct bs_exposure_listener x;
	struct bs_lesson_counts counts;
};

/* One probe round per protocol: the engine probes one protocol at a time. */
struct round {
	struct bs_lesson *owner;
	enum bs_proto proto;
	size_t vantage;         /* 0: this host; 1 + k: vantages[k] */
	struct bs_probe *probe; /* running, or the last one (so its connections are known) */
	size_t cells[BS_LESSON_MAX_LISTENERS * BS_LESSON_MAX_TARGETS];
	bool running;
};

struct bs_lesson {
	struct bs_loop *loop;
	struct bs_lesson_events ev;
	struct bs_iface_list ifaces;
	struct bs_iface_watch *watch;
	struct lesson_listener listeners[BS_LESSON_MAX_LISTENERS];
	size_t nlisteners;
	struct bs_exposure_target targets[BS_LESSON_MAX_TARGETS];
	size_t ntargets;
	bool ipv6;
	struct bs_probe_result results[BS_LESSON_MAX_LISTENERS][BS_LESSON_MAX_TARGETS];
	/* One probe round per protocol and vantage point: a socket lives in one namespace. */
	struct round rounds[2][1 + BS_LESSON_MAX_VANTAGES];
	struct bs_lab_vantage vantages[BS_LESSON_MAX_VANTAGES];
	size_t nvantages;
	struct bs_endpoint own_open[BS_LESSON_MAX_OWN_OPEN];
	size_t nown_open;
};

#define NROUNDS      ((size_t)2 * (1 + BS_LESSON_MAX_VANTAGES))
#define ROUND(ls, k) (&(ls)->rounds[0][0] + (k))

static void say(struct bs_lesson *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct bs_lesson *ls, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ls->ev.log != NULL)
		ls->ev.log(ls->ev.arg, line);
}

static void changed(struct bs_lesson *ls)
{
	if (ls->ev.changed != NULL)
		ls->ev.changed(ls->ev.arg);
}

static bool any_ipv6_listener(const struct bs_lesson *ls)
{
	for (size_t i = 0; i < ls->nlisteners; i++)
		if (ls->listeners[i].x.bound.family == AF_INET6)
			return true;
	return false;
}

static size_t local_targets(const struct bs_lesson *ls)
{
	size_t n = 0;

	for (size_t j = 0; j < ls->ntargets; j++)
		n += ls->targets[j].kind != BS_TARGET_PEER;
	return n;
}

static void round_done(struct bs_probe *p, void *arg)
{
	struct round *r = arg;
	struct bs_lesson *ls = r->owner;
	size_t open = 0, n = bs_probe_count(p);

	for (size_t k = 0; k < n; k++) {
		const struct bs_probe_result *res = bs_probe_result(p, k);
		size_t cell = r->cells[k];
		ls->results[cell / BS_LESSON_MAX_TARGETS][cell % BS_LESSON_MAX_TARGETS] = *res;
		open += res->verdict == BS_VERDICT_OPEN;
	}
	r->running = false;
	if (r->vantage == 0)
		say(ls,
		    "probed the %s listeners on %zu addresses from this host: %zu of %zu probes "
		    "open",
		    r->proto == BS_PROTO_UDP ? "UDP" : "TCP", local_targets(ls), open, n);
	else
		say(ls, "probed the %s listeners from %s: %zu of %zu probes open",
		    r->proto == BS_PROTO_UDP ? "UDP" : "TCP", ls->vantages[r->vantage - 1].name,
		    open, n);
	changed(ls);
}

/* The vantage a column is probed from: 0 for this host, 1 + k for vantages[k]. */
static size_t vantage_of(const struct bs_lesson *ls, const struct bs_exposure_target *t)
{
	for (size_t k = 0; t->kind == BS_TARGET_PEER && k < ls->nvantages; k++)
		if (ls->vantages[k].netns_fd == t->netns_fd)
			return 1 + k;
	return 0;
}

static void start_round(struct bs_lesson *ls, enum bs_proto proto, size_t v)
{
	static struct bs_endpoint eps[BS_LESSON_MAX_LISTENERS * BS_LESSON_MAX_TARGETS];
	struct round *r = &ls->rounds[proto][v];
	struct bs_probe_opts po = bs_probe_opts_default();
	struct bs_error err;
	size_t n = 0;

	bs_probe_free(r->probe);
	r->probe = NULL;
	r->running = false;
	r->owner = ls;
	r->proto = proto;
	r->vantage = v;
	for (size_t i = 0; i < ls->nlisteners; i++)
		for (size_t j = 0; j < ls->ntargets && ls->listeners[i].x.proto == proto; j++) {
			if (vantage_of(ls, &ls->targets[j]) != v)
				continue;
			bs_exposure_probe_endpoint(&ls->listeners[i].x, &ls->targets[j], &eps[n]);
			r->cells[n++] = i * BS_LESSON_MAX_TARGETS + j;
		}
	if (n == 0)
		return;
	po.proto = proto;
	po.record_source = true;
	po.netns_fd = v == 0 ? -1 : ls->vantages[v - 1].netns_fd;
	r->probe = bs_probe_start(ls->loop, eps, n, &po, round_done, r, &err);
	if (r->probe == NULL) {
		say(ls, "probing failed: %s", err.msg);
		return;
	}
	r->running = true;
}

void bs_lesson_reprobe(struct bs_lesson *ls)
{
	ls->ntargets = bs_exposure_targets(&ls->ifaces, ls->ipv6 || any_ipv6_listener(ls),
	                                   ls->targets, BS_LESSON_MAX_TARGETS);
	for (size_t k = 0; k < ls->nvantages && ls->ntargets < BS_LESSON_MAX_TARGETS; k++) {
		const struct bs_lab_vantage *v = &ls->vantages[k];
		if (bs_exposure_peer_target(&ls->targets[ls->ntargets], v->name, v->addr, v->iface,
		                            &ls->ifaces, v->netns_fd) == 0)
			ls->ntargets++;
	}
	memset(ls->results, 0, sizeof(ls->results));
	for (size_t v = 0; v <= ls->nvantages; v++) {
		start_round(ls, BS_PROTO_TCP, v);
		start_round(ls, BS_PROTO_UDP, v);
	}
	changed(ls);
}

bool bs_lesson_probing(const struct bs_lesson *ls)
{
	for (size_t k = 0; k < NROUNDS; k++)
		if (ROUND(ls, k)->running)
			return true;
	return false;
}

/* A datagram carrying one of our UDP probes' tokens: that probe arrived. */
static bool confirm_udp(struct bs_lesson *ls, const struct bs_listener_event *ev)
{
	for (size_t v = 0; v <= ls->nvantages; v++)
		if (ls->rounds[BS_PROTO_UDP][v].probe != NULL &&
		    bs_probe_confirm_udp(ls->rounds[BS_PROTO_UDP][v].probe, ev->payload,
		                         ev->payload_len) >= 0)
			return true;
	return false;
}

/* An accepted connection that one of our rounds made: claim it. */
static bool claim_own(struct bs_lesson *ls, const struct bs_endpoint *peer)
{
	for (size_t k = 0; k < NROUNDS; k++)
		if (bs_probe_claim(ROUND(ls, k)->probe, peer) >= 0)
			return true;
	return false;
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

static bool own_probe(struct bs_lesson *ls, const struct bs_listener_event *ev)
{
	if (ev->kind == BS_EV_CLOSED)
		return own_open_take(ls, &ev->peer);
	if (ev->kind != BS_EV_ACCEPTED || !claim_own(ls, &ev->peer))
		return false;
	if (ls->nown_open < BS_LESSON_MAX_OWN_OPEN)
		ls->own_open[ls->nown_open++] = ev->peer;
	return true;
}

static struct bs_lesson_counts *counts_of(struct bs_lesson *ls, const struct bs_listener *l)
{
	static struct bs_lesson_counts nowhere;

	for (size_t i = 0; i < ls->nlisteners; i++)
		if (ls->listeners[i].l == l)
			return &ls->listeners[i].counts;
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

	struct bs_lesson_counts *counts = counts_of(ls, l);

	changed(ls); /* counters moved */
	/* The lesson's own probes are counted apart and summed up per round, not logged. */
	if (ev->kind == BS_EV_DATAGRAM && confirm_udp(ls, ev)) {
		counts->probes++;
		return;
	}
	if (own_probe(ls, ev)) {
		counts->probes += ev->kind == BS_EV_ACCEPTED;
		return;
	}
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

static bool has_addr(const struct bs_iface_list *list, const struct bs_iface *in,
                     const struct bs_iface_addr *a)
{
	const struct bs_iface *owner = bs_iface_owning(list, a->family, &a->addr);

	return owner != NULL && strcmp(owner->name, in->name) == 0;
}

/* Say what differs between two interface lists, one sentence per change. */
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
	if (bs_iface_list_read(&ls->ifaces, err) < 0) {
		free(ls);
		return NULL;
	}
	/* Without live updates the lesson still works; r re-reads nothing, so say so. */
	ls->watch = bs_iface_watch_start(loop, ifaces_changed, ls, err);
	if (ls->watch == NULL)
		say(ls, "%s; interface changes will not show until restart", err->msg);
	ls->ntargets = bs_exposure_targets(&ls->ifaces, false, ls->targets, BS_LESSON_MAX_TARGETS);
	return ls;
}

void bs_lesson_free(struct bs_lesson *ls)
{
	if (ls == NULL)
		return;
	for (size_t k = 0; k < NROUNDS; k++)
		bs_probe_free(ROUND(ls, k)->probe);
	for (size_t i = 0; i < ls->nlisteners; i++)
		bs_listener_close(ls->listeners[i].l);
	bs_iface_watch_stop(ls->watch);
	bs_iface_list_free(&ls->ifaces);
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
	ll->x.proto = opts->proto;
	ll->x.bound = *bs_listener_endpoint(ll->l);
	ll->x.v6only = bs_listener_v6only(ll->l);
	ls->nlisteners++;
	bs_endpoint_text(&ll->x.bound, bound, sizeof(bound));
	say(ls, "opened %s %s%s", bs_proto_name(opts->proto), bound,
	    bs_endpoint_is_wildcard(&ll->x.bound)
	        ? ": reachable from every network this machine is on"
	        : "");
	bs_lesson_reprobe(ls);
	return 0;
}

void bs_lesson_close(struct bs_lesson *ls, size_t i)
{
	char bound[BS_ENDPOINT_TEXT_MAX];
	const char *proto;

	if (i >= ls->nlisteners)
		return;
	proto = bs_proto_name(ls->listeners[i].x.proto);
	bs_endpoint_text(&ls->listeners[i].x.bound, bound, sizeof(bound));
	bs_listener_close(ls->listeners[i].l);
	memmove(&ls->listeners[i], &ls->listeners[i + 1],
	        (ls->nlisteners - i - 1) * sizeof(ls->listeners[0]));
	ls->nlisteners--;
	say(ls, "closed %s %s", proto, bound);
	bs_lesson_reprobe(ls);
}

void bs_lesson_set_vantages(struct bs_lesson *ls, const struct bs_lab_vantage *v, size_t n)
{
	ls->nvantages = n < BS_LESSON_MAX_VANTAGES ? n : BS_LESSON_MAX_VANTAGES;
	memcpy(ls->vantages, v, ls->nvantages * sizeof(*v));
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

const struct bs_exposure_listener *bs_lesson_exposure(const struct bs_lesson *ls, size_t i)
{
	return &ls->listeners[i].x;
}

const struct bs_lesson_counts *bs_lesson_counts(const struct bs_lesson *ls, size_t i)
{
	return &ls->listeners[i].counts;
}

size_t bs_lesson_target_count(const struct bs_lesson *ls)
{
	return ls->ntargets;
}

const struct bs_exposure_target *bs_lesson_target(const struct bs_lesson *ls, size_t j)
{
	return &ls->targets[j];
}

const struct bs_probe_result *bs_lesson_result(const struct bs_lesson *ls, size_t i, size_t j)
{
	return &ls->results[i][j];
}
