/* Probing the matrix from every vantage, attributing what its own listeners accepted, and
 * reading a cell: prediction against observation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_internal.h"

#define NPROTO 2 /* TCP, UDP: one probe engine per protocol and vantage */

#define STALE_US (10ull * 1000000u) /* as long as a round claims its own connections */

static void stale_prune(struct bs_matrix *m, uint64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nstale; i++)
		if (now - m->stale[i].since_us < STALE_US)
			m->stale[k++] = m->stale[i];
	m->nstale = k;
}

static void stale_add(struct bs_matrix *m, const struct matrix_stale *e)
{
	if (m->nstale == m->stale_cap) {
		size_t cap = m->stale_cap ? 2 * m->stale_cap : 64;
		struct matrix_stale *grown = realloc(m->stale, cap * sizeof(*grown));
		if (grown == NULL)
			return; /* that connection will read as a visitor: memory is gone anyway */
		m->stale = grown;
		m->stale_cap = cap;
	}
	m->stale[m->nstale++] = *e;
}

/* A round that is replaced keeps its connections ours: remember what was not claimed yet. */
static void remember_unclaimed(struct bs_matrix *m, const struct matrix_round *r, size_t proto)
{
	uint64_t now = bs_now_us();
	struct matrix_stale e = {.udp = proto == BS_PROTO_UDP, .since_us = now};

	if (r->probe == NULL)
		return;
	stale_prune(m, now);
	if (e.udp) {
		e.token = bs_probe_token(r->probe);
		stale_add(m, &e);
		return;
	}
	for (size_t k = 0; k < r->count; k++) {
		/* refused or timed out: that connection never reached a listener's queue */
		enum bs_verdict v = bs_probe_result(r->probe, k)->verdict;
		if ((v == BS_VERDICT_OPEN || v == BS_VERDICT_PENDING) &&
		    bs_probe_unclaimed_source(r->probe, k, &e.source))
			stale_add(m, &e);
	}
}

static bool claim_stale(struct bs_matrix *m, const struct bs_listener_event *ev)
{
	uint32_t token = 0;
	bool udp = ev->kind == BS_EV_DATAGRAM;

	if (udp && !bs_probe_payload_token(ev->payload, ev->payload_len, &token))
		return false;
	stale_prune(m, bs_now_us());
	for (size_t i = 0; i < m->nstale; i++) {
		const struct matrix_stale *e = &m->stale[i];
		if (e->udp != udp ||
		    (udp ? e->token != token : !bs_endpoint_same_peer(&e->source, &ev->peer)))
			continue;
		if (!udp) /* one accept per connection; a token covers the round's datagrams */
			m->stale[i] = m->stale[--m->nstale];
		return true;
	}
	return false;
}

static void round_free(struct bs_matrix *m, struct matrix_round *r)
{
	if (r->results != NULL && r->running)
		bs_remote_probe_cancel(bs_matrix_vantage(m, r->vantage)->remote, r->results);
	bs_probe_free(r->probe);
	free(r->results);
	free(r->targets);
	free(r->early);
	free(r->index);
	memset(r, 0, sizeof(*r));
}

void bs_matrix_probe_stop(struct bs_matrix *m)
{
	for (size_t i = 0; i < m->nrounds; i++) {
		remember_unclaimed(m, &m->rounds[i], i % NPROTO);
		round_free(m, &m->rounds[i]);
	}
	free(m->rounds);
	m->rounds = NULL;
	m->nrounds = 0;
}

bool bs_matrix_probing(const struct bs_matrix *m)
{
	for (size_t i = 0; i < m->nrounds; i++)
		if (m->rounds[i].running)
			return true;
	return false;
}

static bool predicted_takes(const struct bs_matrix *m, const struct bs_matrix_probe *p, size_t r)
{
	const struct bs_matrix_row *row = &m->rows[r];

	/* A vantage with no route here (or one leading elsewhere) asks no socket of ours. */
	return m->cols[p->col].route == BS_ROUTE_HERE && row->socket &&
	       matrix_firewall_effect(p) == MATRIX_FW_PASS &&
	       bs_lookup_takes(m->socks, m->nsocks, &p->query, &p->predicted, row->sock);
}

/* A socket takes it (the lookup), and the firewall lets it reach the lookup. */
static bool predicts_open(const struct bs_matrix_probe *p)
{
	return (p->predicted.outcome == BS_LOOKUP_SOCKET ||
	        p->predicted.outcome == BS_LOOKUP_GROUP || p->predicted.outcome == BS_LOOKUP_TIE) &&
	       matrix_firewall_effect(p) == MATRIX_FW_PASS;
}

/* True when one of the sockets that should take the probe is ours: its accept will say. */
static bool ours_predicted(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].ours && predicted_takes(m, p, r))
			return true;
	return false;
}

/* A probe that was not sent again reads what its twin observed. */
static void copy_to_twins(struct bs_matrix *m, size_t idx)
{
	const struct bs_matrix_probe *src = &m->probes[idx];

	for (size_t i = idx + 1; i < m->nprobes; i++) {
		struct bs_matrix_probe *t = &m->probes[i];
		if (t->same_as != (long)idx)
			continue;
		t->observed = src->observed;
		t->how = src->how;
		t->answered_by = src->answered_by;
		t->source = src->source;
	}
}

static void attribute(struct bs_matrix *m, const struct matrix_round *r, long k, long row);

/* Does what our listener saw (an accept from peer at local, or a datagram with token) come
 * from target k of another machine's answered round? */
static bool remote_event_is(const struct matrix_round *r, size_t k, bool udp,
                            const struct bs_endpoint *peer, const struct bs_endpoint *local,
                            uint32_t token)
{
	if (!bs_endpoint_equal(&r->targets[k], local))
		return false;
	return udp ? token == r->token
	           : r->results[k].source_port != 0 && peer->port == r->results[k].source_port;
}

/* Give an answered remote round's probe k the accept our listener saw (row took it). */
static void remote_attribute(struct bs_matrix *m, struct matrix_round *r, size_t k, bool udp,
                             long row)
{
	struct bs_probe_result *o = &m->probes[r->index[k]].observed;

	if (udp) { /* silence to the other side, but our listener received it: open */
		o->verdict = BS_VERDICT_OPEN;
		o->confirmed = true;
	}
	if (row >= 0)
		attribute(m, r, (long)k, row);
	else
		copy_to_twins(m, r->index[k]);
}

/* Match an event against an answered remote round. True when it was that round's. */
static bool remote_claim(struct bs_matrix *m, struct matrix_round *r, bool udp,
                         const struct bs_endpoint *peer, const struct bs_endpoint *local,
                         uint32_t token, long row)
{
	for (size_t k = 0; k < r->count; k++)
		if (remote_event_is(r, k, udp, peer, local, token)) {
			remote_attribute(m, r, k, udp, row);
			return true;
		}
	return false;
}

static const struct bs_probe_result *round_result(const struct matrix_round *r, size_t k)
{
	return r->probe != NULL ? bs_probe_result(r->probe, k) : &r->results[k];
}

static void round_finished(struct matrix_round *r)
{
	struct bs_matrix *m = r->m;

	for (size_t k = 0; k < r->count; k++) {
		struct bs_matrix_probe *pr = &m->probes[r->index[k]];
		const struct bs_probe_result *res = round_result(r, k);
		pr->observed = *res;
		/* Someone else's socket: the socket table says which took it. A claim that came
		 * in before the verdict (accept first) is kept. */
		if (res->verdict == BS_VERDICT_OPEN && pr->how == BS_ATTR_NONE &&
		    predicts_open(pr) && !ours_predicted(m, pr) &&
		    m->cols[pr->col].route == BS_ROUTE_HERE)
			pr->how = BS_ATTR_TABLE;
		copy_to_twins(m, r->index[k]);
	}
	/* Another machine answers after our listeners saw its probes: match them now. */
	for (size_t e = 0; r->results != NULL && e < r->nearly; e++) {
		const struct matrix_early *x = &r->early[e];
		remote_claim(m, r, x->udp, &x->peer, &x->local, r->token, x->row);
	}
	r->nearly = 0;
	r->running = false;
	if (!bs_matrix_probing(m)) {
		m->drops_after = m->env.listen_drops != NULL ? m->env.listen_drops() : -1;
		m->done_us = bs_now_us();
		if (m->done != NULL)
			m->done(m->done_arg);
	}
}

static void round_done(struct bs_probe *p, void *arg)
{
	(void)p;
	round_finished(arg);
}

static void remote_round_done(void *arg)
{
	round_finished(arg);
}

static void target_of(size_t k, struct bs_endpoint *out, void *arg)
{
	const struct matrix_round *r = arg;
	const struct bs_matrix *m = r->m;
	const struct bs_matrix_probe *pr = &m->probes[r->index[k]];

	*out = m->cols[pr->col].addr;
	bs_endpoint_set_port(out, m->ports[pr->port].port);
}

/* Another machine's round: its agent probes, and answers all at once. */
static int start_remote_round(struct bs_matrix *m, struct matrix_round *r, enum bs_proto proto,
                              unsigned timeout_ms, struct bs_error *err)
{
	struct bs_remote *remote = bs_matrix_vantage(m, r->vantage)->remote;

	if (bs_remote_state(remote) != BS_REMOTE_READY) {
		/* It could not connect: nothing is sent, and its cells say why (not a verdict). */
		for (size_t k = 0; k < r->count; k++)
			m->probes[r->index[k]].observed = (struct bs_probe_result){
			    .verdict = BS_VERDICT_ERROR, .error = ECONNABORTED};
		for (size_t k = 0; k < r->count; k++)
			copy_to_twins(m, r->index[k]);
		return 0;
	}
	r->results = calloc(r->count, sizeof(*r->results));
	r->targets = calloc(r->count, sizeof(*r->targets));
	if (r->results == NULL || r->targets == NULL)
		return bs_error_set(err, 0, "out of memory starting %zu probes", r->count);
	for (size_t k = 0; k < r->count; k++)
		target_of(k, &r->targets[k], r);
	r->running = true;
	if (bs_remote_probe(remote, proto, timeout_ms, r->targets, r->count, r->results, &r->token,
	                    remote_round_done, r, err) < 0) {
		r->running = false;
		return -1;
	}
	return 0;
}

static int start_round(struct bs_matrix *m, struct bs_loop *loop, size_t v, enum bs_proto proto,
                       const struct bs_matrix_probe_opts *opts, struct bs_error *err)
{
	struct matrix_round *r = &m->rounds[v * NPROTO + proto];
	struct bs_probe_opts po = bs_probe_opts_default();

	r->m = m;
	r->vantage = v;
	r->index = calloc(m->nprobes ? m->nprobes : 1, sizeof(*r->index));
	if (r->index == NULL)
		return bs_error_set(err, 0, "out of memory starting %zu probes", m->nprobes);
	for (size_t i = 0; i < m->nprobes; i++) {
		const struct bs_matrix_probe *pr = &m->probes[i];
		if (pr->probed && pr->same_as < 0 && m->cols[pr->col].vantage == v &&
		    m->ports[pr->port].proto == proto)
			r->index[r->count++] = i;
	}
	if (r->count == 0)
		return 0;
	po.timeout_ms = opts->timeout_ms ? opts->timeout_ms : po.timeout_ms;
	if (bs_matrix_vantage(m, v)->remote != NULL)
		return start_remote_round(m, r, proto, po.timeout_ms, err);
	po.proto = proto;
	po.concurrency = opts->concurrency ? opts->concurrency : po.concurrency;
	po.from = v == 0 ? opts->from : NULL; /* --from is an address of this host */
	po.record_source = m->nown > 0;       /* only our own listeners can claim a probe */
	po.netns_fd = bs_matrix_vantage(m, v)->netns_fd;
	r->running = true;
	r->probe = bs_probe_start_gen(loop, r->count, target_of, r, &po, round_done, r, err);
	if (r->probe == NULL) {
		r->running = false;
		return -1;
	}
	return 0;
}

int bs_matrix_probe_start(struct bs_matrix *m, struct bs_loop *loop,
                          const struct bs_matrix_probe_opts *opts, void (*done)(void *arg),
                          void *arg, struct bs_error *err)
{
	size_t n = bs_matrix_nvantages(m) * NPROTO;

	bs_matrix_probe_stop(m);
	for (size_t i = 0; i < m->nprobes; i++) {
		m->probes[i].observed = (struct bs_probe_result){.verdict = BS_VERDICT_PENDING};
		m->probes[i].how = BS_ATTR_NONE;
		m->probes[i].answered_by = -1;
	}
	m->rounds = calloc(n, sizeof(*m->rounds));
	if (m->rounds == NULL)
		return bs_error_set(err, 0, "out of memory starting the probes");
	m->nrounds = n;
	m->done = done;
	m->done_arg = arg;
	m->drops_before = m->env.listen_drops != NULL ? m->env.listen_drops() : -1;
	m->drops_after = -1;
	for (size_t v = 0; v < bs_matrix_nvantages(m); v++)
		for (int proto = 0; proto < NPROTO; proto++)
			if (start_round(m, loop, v, (enum bs_proto)proto, opts, err) < 0) {
				bs_matrix_probe_stop(m);
				return -1;
			}
	return 0;
}

static long own_row(const struct bs_matrix *m, uint64_t inode)
{
	for (size_t r = 0; r < m->nrows; r++)
		if (m->rows[r].socket && m->rows[r].ours &&
		    m->socks[m->rows[r].sock].inode == inode)
			return (long)r;
	return -1;
}

static void attribute(struct bs_matrix *m, const struct matrix_round *r, long k, long row)
{
	struct bs_matrix_probe *pr = &m->probes[r->index[k]];

	pr->how = BS_ATTR_ACCEPT;
	pr->answered_by = row;
	copy_to_twins(m, r->index[k]);
}

/* An event from another machine's round: recorded while it runs (its answer says later which
 * probe it was), matched at once when it has answered. */
static bool remote_round_claims(struct bs_matrix *m, struct matrix_round *r,
                                const struct bs_listener_event *ev, long row)
{
	bool udp = ev->kind == BS_EV_DATAGRAM;
	struct bs_endpoint here, there;
	uint32_t token = 0;

	if ((udp ? r->vantage * NPROTO + BS_PROTO_UDP : r->vantage * NPROTO + BS_PROTO_TCP) !=
	        (size_t)(r - m->rounds) ||
	    (udp && !bs_probe_payload_token(ev->payload, ev->payload_len, &token)))
		return false;
	if (!r->running)
		return remote_claim(m, r, udp, &ev->peer, &ev->local, token, row);
	/* Only what comes from that machine's own address (its SSH_CONNECTION) is taken. */
	if (!bs_remote_addresses(bs_matrix_vantage(m, r->vantage)->remote, &here, &there) ||
	    !bs_endpoint_same_addr(&ev->peer, &there))
		return false;
	if (r->nearly == r->early_cap) {
		size_t cap = r->early_cap ? 2 * r->early_cap : 16;
		struct matrix_early *grown = realloc(r->early, cap * sizeof(*grown));
		if (grown == NULL)
			return false; /* it reads as a visitor: memory is gone anyway */
		r->early = grown;
		r->early_cap = cap;
	}
	r->early[r->nearly++] =
	    (struct matrix_early){.udp = udp, .peer = ev->peer, .local = ev->local, .row = row};
	return true;
}

bool bs_matrix_claim(struct bs_matrix *m, uint64_t inode, const struct bs_listener_event *ev)
{
	long row = own_row(m, inode), k;

	for (size_t i = 0; i < m->nrounds; i++) {
		struct matrix_round *r = &m->rounds[i];
		if (r->results != NULL &&
		    (ev->kind == BS_EV_ACCEPTED || ev->kind == BS_EV_DATAGRAM) &&
		    remote_round_claims(m, r, ev, row))
			return true;
		if (r->probe == NULL)
			continue;
		if (ev->kind == BS_EV_ACCEPTED && i % NPROTO == BS_PROTO_TCP)
			k = bs_probe_claim(r->probe, &ev->peer);
		else if (ev->kind == BS_EV_DATAGRAM && i % NPROTO == BS_PROTO_UDP)
			k = bs_probe_confirm_udp(r->probe, ev->payload, ev->payload_len);
		else
			continue;
		if (k < 0)
			continue;
		if (row >= 0)
			attribute(m, r, k, row);
		return true;
	}
	if ((ev->kind == BS_EV_ACCEPTED || ev->kind == BS_EV_DATAGRAM) && claim_stale(m, ev))
		return true;
	return false;
}

/* --- reading the model --- */

long bs_matrix_probe_answer_row(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                bool observed)
{
	if (observed && p->how == BS_ATTR_ACCEPT)
		return p->answered_by;
	if (!predicts_open(p))
		return -1;
	return bs_matrix_row_of_socket(m, p->predicted.winner);
}

bool bs_matrix_probe_predicts_row(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                  size_t r)
{
	return predicted_takes(m, p, r);
}

long long bs_matrix_listen_drops(const struct bs_matrix *m)
{
	if (m->drops_before < 0 || m->drops_after < m->drops_before)
		return -1;
	return m->drops_after - m->drops_before;
}

bool bs_matrix_settled(const struct bs_matrix *m)
{
	for (size_t i = 0; i < m->nprobes; i++) {
		const struct bs_matrix_probe *p = &m->probes[i];
		if (p->observed.verdict == BS_VERDICT_OPEN && p->how == BS_ATTR_NONE &&
		    ours_predicted(m, p))
			return false;
	}
	return true;
}

size_t matrix_icmp_due(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	size_t due = 0, vantage = m->cols[p->col].vantage;

	for (size_t i = 0; i < m->nprobes; i++) {
		const struct bs_matrix_probe *q = &m->probes[i];
		bool refused_udp = m->ports[q->port].proto == BS_PROTO_UDP &&
		                   q->predicted.outcome == BS_LOOKUP_NONE &&
		                   matrix_firewall_effect(q) == MATRIX_FW_PASS;
		due += q->probed && q->same_as < 0 && m->cols[q->col].vantage == vantage &&
		       (refused_udp || matrix_firewall_icmp_due(q)) &&
		       m->cols[q->col].route == BS_ROUTE_HERE;
	}
	return due;
}

bool bs_matrix_icmp_limited(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	size_t due = matrix_icmp_due(m, p);

	if (m->cols[p->col].vantage != 0 && m->env.icmp_peer_burst > 0 &&
	    due > m->env.icmp_peer_burst)
		return true;
	return due > m->env.icmp_burst;
}

static bool vantage_has_route(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	return m->cols[p->col].route == BS_ROUTE_HERE;
}

const char *bs_matrix_vantage_failure(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_vantage *v = bs_matrix_vantage(m, m->cols[p->col].vantage);

	return v->remote != NULL ? bs_remote_failure(v->remote) : "";
}

const char *bs_matrix_vantage_fault_word(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_vantage *v = bs_matrix_vantage(m, m->cols[p->col].vantage);

	return bs_matrix_vantage_failure(m, p)[0] != '\0'
	           ? bs_remote_fault_word(bs_remote_fault(v->remote))
	           : "";
}

bool bs_matrix_probe_disagrees(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	enum bs_verdict v = p->observed.verdict;
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;

	if (!p->probed || v == BS_VERDICT_PENDING || bs_matrix_vantage_failure(m, p)[0] != '\0')
		return false; /* a host that could not probe contradicts nothing */
	if (m->cols[p->col].route == BS_ROUTE_ELSEWHERE ||
	    m->cols[p->col].route == BS_ROUTE_UNKNOWN)
		return false; /* no prediction to contradict */
	if (m->cols[p->col].route == BS_ROUTE_NONE)
		return v != BS_VERDICT_UNREACHABLE;
	if (matrix_firewall_effect(p) == MATRIX_FW_UNKNOWN)
		return false; /* no prediction to contradict: the words say which rule decides */
	if (matrix_firewall_effect(p) == MATRIX_FW_BLOCK) {
		/* An ICMP reject silenced by the kernel's ICMP rate limit reads as a drop. */
		if (matrix_firewall_icmp_due(p) && bs_matrix_icmp_limited(m, p) &&
		    (v == BS_VERDICT_TIMEOUT || v == BS_VERDICT_OPEN_FILTERED))
			return false;
		return !matrix_firewall_explains(m, p);
	}
	if (!predicts_open(p)) {
		/* UDP silence where ICMP port unreachable was due: rate limiting, see the words. */
		if (udp && v == BS_VERDICT_OPEN_FILTERED)
			return !bs_matrix_icmp_limited(m, p);
		return v != BS_VERDICT_REFUSED;
	}
	if (udp && v == BS_VERDICT_OPEN_FILTERED)
		return ours_predicted(m, p); /* ours would have confirmed it */
	if (v != BS_VERDICT_OPEN)
		return true;
	if (p->how == BS_ATTR_ACCEPT)
		return p->answered_by < 0 || !predicted_takes(m, p, (size_t)p->answered_by);
	/* Open where one of ours should have taken it, and none of ours accepted it: once our
	 * listeners have had a moment to say so (their accept can come a turn after the
	 * round's end), not before. */
	return ours_predicted(m, p) &&
	       (m->done_us == 0 || bs_now_us() - m->done_us >= BS_MATRIX_SETTLE_US);
}

static void observed_state(const struct bs_matrix *m, const struct bs_matrix_probe *p, size_t r,
                           struct bs_matrix_cell *out)
{
	long by;

	if (p->how == BS_ATTR_ACCEPT) {
		out->state = p->answered_by == (long)r ? BS_CELL_THIS : BS_CELL_OTHER;
		out->other_row = p->answered_by == (long)r ? -1 : p->answered_by;
		return;
	}
	if (!predicts_open(p) || ours_predicted(m, p) || !vantage_has_route(m, p)) {
		out->state = BS_CELL_UNATTRIBUTED;
		return;
	}
	/* Someone else's socket: the socket table says which. */
	if (p->predicted.outcome == BS_LOOKUP_SOCKET) {
		by = bs_matrix_row_of_socket(m, p->predicted.winner);
		out->state = by == (long)r ? BS_CELL_THIS : BS_CELL_OTHER;
		out->other_row = by == (long)r ? -1 : by;
		return;
	}
	out->state = out->predicted_this ? BS_CELL_SHARED : BS_CELL_OTHER;
	out->other_row = out->predicted_this ? -1 : bs_matrix_row_of_socket(m, p->predicted.winner);
}

void bs_matrix_cell(const struct bs_matrix *m, size_t r, size_t c, struct bs_matrix_cell *out)
{
	const struct bs_matrix_probe *p = bs_matrix_probe_at(m, m->rows[r].port, c);

	memset(out, 0, sizeof(*out));
	out->probe = p;
	out->other_row = -1;
	out->predicted_this = predicted_takes(m, p, r);
	out->disagree = bs_matrix_probe_disagrees(m, p);
	if (!p->probed) {
		out->state = BS_CELL_SKIPPED;
		return;
	}
	switch (p->observed.verdict) {
	case BS_VERDICT_PENDING:
		out->state = BS_CELL_PENDING;
		return;
	case BS_VERDICT_OPEN:
		observed_state(m, p, r, out);
		return;
	default:
		out->state = BS_CELL_NOBODY;
		return;
	}
}
