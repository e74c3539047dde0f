/* The probe agent (agent.h): requests in, answers out, one line each, until end of input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/agent.h"
#include "bindscope/textbuf.h"

struct line_reader {
	char *buf;
	size_t len, cap;
	bool skipping; /* inside a line that was too long: dropped up to its newline */
};

static json_t *answer(long long id, bool ok)
{
	return json_pack("{s:i,s:o,s:b}", "agent", BS_AGENT_PROTOCOL, "id",
	                 id >= 0 ? json_integer(id) : json_null(), "ok", ok);
}

static json_t *refusal(long long id, const char *why)
{
	json_t *a = answer(id, false);
	char safe[BS_ERROR_MSG_MAX];

	bs_text_utf8(why, safe, sizeof(safe));
	json_object_set_new(a, "error", json_string(safe));
	return a;
}

static json_t *text_or_null(const char *text)
{
	char safe[256];

	if (text == NULL)
		return json_null();
	bs_text_utf8(text, safe, sizeof(safe));
	return json_string(safe);
}

static json_t *hello(const struct bs_agent_request *r, const char *version)
{
	json_t *a = answer(r->id, true);
	char host[256] = "";

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	json_object_set_new(a, "version", json_string(version));
	json_object_set_new(a, "host", text_or_null(host));
	json_object_set_new(a, "ssh_connection", text_or_null(getenv("SSH_CONNECTION")));
	return a;
}

static json_t *routes(const struct bs_agent_request *r)
{
	json_t *a = answer(r->id, true), *list = json_array();
	char gw[BS_ENDPOINT_TEXT_MAX];

	for (size_t i = 0; i < r->ntargets; i++) {
		struct bs_route route;
		struct bs_error err;
		if (bs_route_get(-1, &r->targets[i], &route, &err) < 0) {
			json_decref(list);
			json_decref(a);
			return refusal(r->id, err.msg);
		}
		if (route.has_gateway)
			bs_endpoint_addr_text(&route.gateway, gw, sizeof(gw));
		json_array_append_new(
		    list, json_pack("{s:b,s:i,s:o,s:b}", "found", route.found, "errno", route.error,
		                    "gateway", route.has_gateway ? json_string(gw) : json_null(),
		                    "local", route.local));
	}
	json_object_set_new(a, "routes", list);
	return a;
}

static void target_of(size_t i, struct bs_endpoint *out, void *arg)
{
	*out = ((const struct bs_agent_request *)arg)->targets[i];
}

static void probes_done(struct bs_probe *p, void *arg)
{
	(void)p;
	bs_loop_stop(arg);
}

/* Probe every target to its verdict, noting each probe's source port and the round's UDP
 * token: the other side's listeners saw them, and claim what was theirs. */
static int probe_all(const struct bs_agent_request *r, struct bs_probe_result *res, uint32_t *token,
                     struct bs_error *err)
{
	struct bs_probe_opts opts = bs_probe_opts_default();
	struct bs_loop *loop = bs_loop_new(err);
	struct bs_probe *p;
	int rc = 0;

	if (loop == NULL)
		return -1;
	opts.proto = r->proto;
	opts.timeout_ms = r->timeout_ms;
	opts.record_source = true;
	p = bs_probe_start_gen(loop, r->ntargets, target_of, (void *)r, &opts, probes_done, loop,
	                       err);
	if (p == NULL || bs_loop_run(loop) < 0)
		rc = p == NULL ? -1 : bs_error_set(err, errno, "the event loop failed");
	for (size_t i = 0; p != NULL && i < r->ntargets; i++)
		res[i] = *bs_probe_result(p, i);
	*token = p != NULL ? bs_probe_token(p) : 0;
	bs_probe_free(p);
	bs_loop_free(loop);
	return rc;
}

static json_t *probes(const struct bs_agent_request *r)
{
	struct bs_probe_result *res = calloc(r->ntargets ? r->ntargets : 1, sizeof(*res));
	struct bs_error err;
	uint32_t token = 0;
	json_t *a, *list;

	if (res == NULL)
		return refusal(r->id, "out of memory for the results");
	if (r->ntargets > 0 && probe_all(r, res, &token, &err) < 0) {
		free(res);
		return refusal(r->id, err.msg);
	}
	a = answer(r->id, true);
	json_object_set_new(a, "token", json_integer(token));
	list = json_array();
	for (size_t i = 0; i < r->ntargets; i++)
		json_array_append_new(
		    list,
		    json_pack("{s:s,s:i,s:I,s:b,s:b,s:i,s:i,s:i}", "verdict",
		              bs_verdict_name(res[i].verdict), "errno", res[i].error, "latency_us",
		              (json_int_t)res[i].latency_us, "self_connect", res[i].self_connect,
		              "icmp", res[i].icmp, "icmp_type", res[i].icmp_type, "icmp_code",
		              res[i].icmp_code, "source_port", res[i].source_port));
	json_object_set_new(a, "results", list);
	free(res);
	return a;
}

static json_t *serve_line(const char *line, size_t len, const char *version)
{
	struct bs_agent_request r;
	struct bs_error err;
	json_t *a;

	if (bs_agent_request_parse(line, len, &r, &err) < 0)
		return refusal(r.id, err.msg);
	a = r.op == BS_AGENT_HELLO   ? hello(&r, version)
	    : r.op == BS_AGENT_ROUTE ? routes(&r)
	                             : probes(&r);
	bs_agent_request_free(&r);
	return a;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int send_answer(int fd, json_t *a, struct bs_error *err)
{
	char *text = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
	int rc = 0;

	json_decref(a);
	if (text == NULL)
		return bs_error_set(err, 0, "out of memory writing an answer");
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0)
		rc = bs_error_set(err, errno, "cannot write the answer: %s", strerror(errno));
	free(text);
	return rc;
}

/* Answer every whole line in the buffer; keep the rest for the next read. */
static int serve_lines(struct line_reader *lr, int out_fd, const char *version,
                       struct bs_error *err)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(lr->buf + start, '\n', lr->len - start)) != NULL) {
		size_t n = (size_t)(nl - (lr->buf + start));
		if (!lr->skipping && n > 0 &&
		    send_answer(out_fd, serve_line(lr->buf + start, n, version), err) < 0)
			return -1;
		lr->skipping = false;
		start += n + 1;
	}
	memmove(lr->buf, lr->buf + start, lr->len - start);
	lr->len -= start;
	if (lr->len >= BS_AGENT_LINE_MAX && !lr->skipping) {
		char why[96];
		snprintf(why, sizeof(why), "a request line is longer than %u bytes",
		         BS_AGENT_LINE_MAX);
		lr->skipping = true;
		if (send_answer(out_fd, refusal(-1, why), err) < 0)
			return -1;
	}
	if (lr->skipping)
		lr->len = 0;
	return 0;
}

int bs_agent_serve(int in_fd, int out_fd, const char *version, struct bs_error *err)
{
	struct line_reader lr = {0};
	int rc = 0;

	lr.cap = (size_t)64 * 1024;
	lr.buf = malloc(lr.cap);
	if (lr.buf == NULL)
		return bs_error_set(err, 0, "out of memory reading requests");
	for (;;) {
		ssize_t n;
		if (lr.len == lr.cap) {
			size_t cap = lr.cap * 2;
			char *grown = realloc(lr.buf, cap);
			if (grown == NULL) {
				rc = bs_error_set(err, 0, "out of memory reading a request");
				break;
			}
			lr.buf = grown;
			lr.cap = cap;
		}
		n = read(in_fd, lr.buf + lr.len, lr.cap - lr.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bs_error_set(err, errno, "cannot read requests: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break; /* end of input: the other side is done (a last line without a
			        * newline is not a whole request) */
		lr.len += (size_t)n;
		if (serve_lines(&lr, out_fd, version, err) < 0) {
			rc = -1;
			break;
		}
	}
	free(lr.buf);
	return rc;
}
