/* Another machine as a vantage, through ssh and the agent protocol (remote.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bindscope/agent.h"
#include "bindscope/remote.h"
#include "bindscope/textbuf.h"

#define MAX_WORDS      32
#define MAX_PENDING    8           /* requests waiting: one with the agent, the rest queued here */
#define REPLY_MAX      (64u << 20) /* an answer line: 65,536 results fit with room */
#define CONNECT_MS     10000u      /* ssh's own login, on top of the probe timeout */
#define REAP_TICK_MS   20u
#define REAP_TICKS_MAX 100u /* 2 s for ssh to exit after its output ended */

extern char **environ;

struct pending {
	struct bs_remote *r;
	bool used;
	long long id;
	struct bs_timer *deadline;
	unsigned deadline_ms;
	void (*answered)(struct bs_remote *r, struct pending *p, const json_t *answer);
	char *line; /* the request, until it is sent: the agent answers one at a time */
	size_t line_len;
	bool sent;                       /* with the agent, its deadline running */
	bool cancelled;                  /* its caller is gone: the answer is dropped */
	struct bs_probe_result *results; /* a probe's */
	uint32_t *token;
	size_t n;
	void (*done)(void *arg);
	void *arg;
};

struct bs_remote {
	struct bs_loop *loop;
	char host[BS_REMOTE_HOST_MAX], command[512];
	pid_t pid;
	int to_agent, from_agent, agent_err; /* our ends of its stdin, stdout, stderr; or -1 */
	struct bs_watch *w_to, *w_from, *w_err;
	char *out;
	size_t out_len, out_cap; /* request bytes not written yet */
	char *in;
	size_t in_len, in_cap; /* answer bytes without their newline yet */
	char err_tail[1024];   /* the end of what ssh and the agent said on stderr */
	size_t err_len;
	struct bs_timer *reaper;
	unsigned reap_ticks;
	bool exited;
	int status;

	enum bs_remote_state state;
	enum bs_remote_fault fault;
	char failure[BS_ERROR_MSG_MAX];
	long long next_id;
	struct pending pend[MAX_PENDING];
	unsigned timeout_ms;

	bool have_addrs;
	struct bs_endpoint here, there;
	struct bs_endpoint *route_dst;
	struct bs_route *routes;
	size_t nroutes;
	void (*ready)(void *arg);
	void *ready_arg;
};

/* --- checks and words --- */

int bs_remote_host_check(const char *host, struct bs_error *err)
{
	size_t n = strlen(host);

	if (n == 0)
		return bs_error_set(err, 0, "the host is empty: give [USER@]HOST, as ssh takes it");
	if (n >= BS_REMOTE_HOST_MAX)
		return bs_error_set(err, 0,
		                    "the host name is %zu characters long; at most %d are taken", n,
		                    BS_REMOTE_HOST_MAX - 1);
	if (host[0] == '-')
		return bs_error_set(
		    err, 0, "a host cannot start with '-' (ssh would read it as an option)");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == 0x7f)
			return bs_error_set(err, 0,
			                    "the host has a blank or a control character; give "
			                    "[USER@]HOST, as ssh takes it");
	return 0;
}

int bs_remote_split_command(const char *command, char *buf, size_t len, char **words, size_t max,
                            struct bs_error *err)
{
	size_t n = 0, o = 0;
	const char *p = command;

	if (strlen(command) >= len)
		return bs_error_set(err, 0, "the ssh command is longer than %zu characters",
		                    len - 1);
	while (*p != '\0') {
		char quote = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (n == max)
			return bs_error_set(err, 0, "the ssh command has more than %zu words", max);
		words[n++] = &buf[o];
		for (; *p != '\0' && (quote != 0 || (*p != ' ' && *p != '\t')); p++) {
			if (quote == 0 && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote != 0 && *p == quote)
				quote = 0;
			else
				buf[o++] = *p;
		}
		if (quote != 0)
			return bs_error_set(err, 0, "the ssh command '%s' has an unclosed %c",
			                    command, quote);
		buf[o++] = '\0';
	}
	if (n == 0)
		return bs_error_set(err, 0, "the ssh command is empty");
	return (int)n;
}

/* The last line it printed on stderr, safe, without its final period (the sentence goes
 * on): "root@pc2: Permission denied (publickey)". */
static void err_last_line(const struct bs_remote *r, char *buf, size_t len)
{
	char raw[sizeof(r->err_tail) + 1];
	size_t n = r->err_len;

	memcpy(raw, r->err_tail, n);
	raw[n] = '\0';
	while (n > 0 &&
	       (raw[n - 1] == '\n' || raw[n - 1] == '\r' || raw[n - 1] == ' ' || raw[n - 1] == '.'))
		raw[--n] = '\0';
	while (n > 0 && raw[n - 1] != '\n')
		n--;
	if (raw[n] == '\0') {
		snprintf(buf, len, "it printed nothing");
		return;
	}
	bs_text_safe(raw + n, buf, len);
}

/* --- the child --- */

static void close_fd(int *fd, struct bs_watch **w)
{
	bs_watch_remove(*w);
	*w = NULL;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void fail_pending(struct bs_remote *r)
{
	for (size_t i = 0; i < MAX_PENDING; i++) {
		struct pending *p = &r->pend[i];
		if (!p->used)
			continue;
		p->used = false;
		bs_timer_cancel(p->deadline);
		p->deadline = NULL;
		free(p->line);
		p->line = NULL;
		for (size_t k = 0; k < p->n; k++)
			p->results[k] = (struct bs_probe_result){.verdict = BS_VERDICT_ERROR,
			                                         .error = ECONNABORTED};
		if (p->done != NULL)
			p->done(p->arg);
	}
}

static void call_ready(struct bs_remote *r)
{
	void (*ready)(void *) = r->ready;

	r->ready = NULL;
	if (ready != NULL)
		ready(r->ready_arg);
}

static void fail(struct bs_remote *r, enum bs_remote_fault fault, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first failure is the one said; the agent is stopped, and whatever waited is told. */
static void fail(struct bs_remote *r, enum bs_remote_fault fault, const char *fmt, ...)
{
	va_list ap;

	if (r->state == BS_REMOTE_FAILED)
		return;
	r->state = BS_REMOTE_FAILED;
	r->fault = fault;
	va_start(ap, fmt);
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	va_end(ap);
	close_fd(&r->to_agent, &r->w_to);
	if (r->pid > 0 && !r->exited)
		kill(r->pid, SIGTERM);
	fail_pending(r);
	call_ready(r);
}

/* ssh and the agent are done: say why from the exit status and stderr. */
static void judge_exit(struct bs_remote *r)
{
	char said[400], how[48];
	int code = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;

	err_last_line(r, said, sizeof(said));
	if (WIFSIGNALED(r->status))
		snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(r->status));
	else
		snprintf(how, sizeof(how), "exit %d", code);
	if (code == 255 && r->state == BS_REMOTE_STARTING)
		fail(r, BS_REMOTE_NO_SSH,
		     "ssh could not log in to %s: %s. Check that `%s %s true` works without a "
		     "password prompt (bindscope never asks for one)",
		     r->host, said, r->command, r->host);
	else if (code == 127)
		fail(
		    r, BS_REMOTE_NO_AGENT,
		    "%s has no bindscope to run (its shell said: %s): install bindscope there, the "
		    "same version as here",
		    r->host, said);
	else if (r->state == BS_REMOTE_STARTING)
		fail(r, BS_REMOTE_DROPPED,
		     "bindscope agent on %s ended before it answered (%s): %s", r->host, how, said);
	else
		fail(r, BS_REMOTE_DROPPED, "the connection to %s ended mid-probe (%s): %s", r->host,
		     how, said);
}

static void drain_err(struct bs_remote *r)
{
	char chunk[sizeof(r->err_tail) / 2]; /* smaller than the tail it is kept in */
	ssize_t n;

	while (r->agent_err >= 0 && (n = read(r->agent_err, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				close_fd(&r->agent_err, &r->w_err);
			return;
		}
		if (r->err_len + (size_t)n > sizeof(r->err_tail)) {
			size_t drop = r->err_len + (size_t)n - sizeof(r->err_tail);
			memmove(r->err_tail, r->err_tail + drop, r->err_len - drop);
			r->err_len -= drop;
		}
		memcpy(r->err_tail + r->err_len, chunk, (size_t)n);
		r->err_len += (size_t)n;
	}
	close_fd(&r->agent_err, &r->w_err); /* end of its stderr */
}

static void on_reap_tick(void *arg)
{
	struct bs_remote *r = arg;

	drain_err(r);
	if (waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
		r->exited = true;
	} else if (++r->reap_ticks >= REAP_TICKS_MAX) {
		kill(r->pid, SIGKILL);
		if (waitpid(r->pid, &r->status, 0) == r->pid)
			r->exited = true;
	}
	if (!r->exited)
		return;
	bs_timer_cancel(r->reaper);
	r->reaper = NULL;
	drain_err(r);
	if (r->state != BS_REMOTE_FAILED)
		judge_exit(r);
}

/* Its output ended: wait (on the loop, bounded) for the exit status, then judge. */
static void output_ended(struct bs_remote *r)
{
	close_fd(&r->from_agent, &r->w_from);
	if (r->reaper == NULL && !r->exited)
		r->reaper = bs_loop_timer(r->loop, REAP_TICK_MS, true, on_reap_tick, r, NULL);
	if (r->reaper == NULL && !r->exited)
		fail(r, BS_REMOTE_DROPPED, "the connection to %s ended", r->host);
}

static void on_err(int fd, uint32_t events, void *arg)
{
	(void)fd, (void)events;
	drain_err(arg);
}

/* --- requests out --- */

static void flush_out(struct bs_remote *r)
{
	while (r->out_len > 0 && r->to_agent >= 0) {
		ssize_t n = write(r->to_agent, r->out, r->out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) { /* EPIPE: it is gone; its output's end says why */
			close_fd(&r->to_agent, &r->w_to);
			r->out_len = 0;
			return;
		}
		memmove(r->out, r->out + n, r->out_len - (size_t)n);
		r->out_len -= (size_t)n;
	}
	if (r->w_to != NULL)
		bs_watch_set_events(r->w_to, r->out_len > 0 ? EPOLLOUT : 0);
}

static void on_writable(int fd, uint32_t events, void *arg)
{
	(void)fd, (void)events;
	flush_out(arg);
}

static void on_deadline(void *arg)
{
	struct pending *p = arg;
	struct bs_remote *r = p->r;

	fail(r, BS_REMOTE_SLOW,
	     "%s did not answer within %u s (a slow host or network): try again, or a longer "
	     "--timeout",
	     r->host, (p->deadline_ms + 999) / 1000);
}

/* Hand request p to the agent: its bytes out, its deadline running from now. */
static int send_pending(struct bs_remote *r, struct pending *p, struct bs_error *err)
{
	if (r->out_len + p->line_len > r->out_cap) {
		size_t cap = r->out_len + p->line_len + 4096;
		char *grown = realloc(r->out, cap);
		if (grown == NULL)
			return bs_error_set(err, 0, "out of memory writing a request to %s",
			                    r->host);
		r->out = grown;
		r->out_cap = cap;
	}
	p->deadline = bs_loop_timer(r->loop, p->deadline_ms, false, on_deadline, p, err);
	if (p->deadline == NULL)
		return -1;
	memcpy(r->out + r->out_len, p->line, p->line_len);
	r->out_len += p->line_len;
	free(p->line);
	p->line = NULL;
	p->sent = true;
	flush_out(r);
	return 0;
}

/* The agent answers one request at a time, so one is sent at a time: a request queued
 * behind others (a new round while an abandoned one is still being probed there) has its
 * deadline from when it is sent, not from when it was asked. */
static bool one_sent(const struct bs_remote *r)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (r->pend[i].used && r->pend[i].sent)
			return true;
	return false;
}

/* After an answer: send the oldest request still queued. */
static void send_next(struct bs_remote *r)
{
	struct pending *next = NULL;
	struct bs_error err;

	if (r->state == BS_REMOTE_FAILED || one_sent(r))
		return;
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (r->pend[i].used && (next == NULL || r->pend[i].id < next->id))
			next = &r->pend[i];
	if (next != NULL && send_pending(r, next, &err) < 0)
		fail(r, BS_REMOTE_LOCAL, "%s", err.msg);
}

/* Ask one request; answered is called with its answer (the remote fails on any other). */
static int ask(struct bs_remote *r, json_t *request, unsigned timeout_ms,
               void (*answered)(struct bs_remote *, struct pending *, const json_t *),
               struct pending **out, struct bs_error *err)
{
	struct pending *p = NULL;
	char *text;

	for (size_t i = 0; i < MAX_PENDING && p == NULL; i++)
		if (!r->pend[i].used)
			p = &r->pend[i];
	if (p == NULL || request == NULL) {
		json_decref(request);
		return bs_error_set(err, 0, "%s has %d requests waiting already", r->host,
		                    MAX_PENDING);
	}
	json_object_set_new(request, "id", json_integer(r->next_id));
	text = json_dumps(request, JSON_COMPACT);
	json_decref(request);
	if (text == NULL)
		return bs_error_set(err, 0, "out of memory writing a request to %s", r->host);
	memset(p, 0, sizeof(*p));
	p->line_len = strlen(text) + 1;
	p->line = text;
	p->line[p->line_len - 1] = '\n'; /* over its terminating NUL: a line, not a string */
	p->r = r;
	p->used = true;
	p->id = r->next_id++;
	p->answered = answered;
	p->deadline_ms = timeout_ms;
	if (!one_sent(r) && send_pending(r, p, err) < 0) {
		free(p->line);
		p->line = NULL;
		p->used = false;
		return -1;
	}
	*out = p;
	return 0;
}

/* --- answers in --- */

static struct pending *pending_of(struct bs_remote *r, long long id)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (r->pend[i].used && r->pend[i].id == id)
			return &r->pend[i];
	return NULL;
}

static void answer_line(struct bs_remote *r, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *a = json_loadb(line, len, 0, &jerr);
	const json_t *version = json_object_get(a, "agent"), *id = json_object_get(a, "id");
	struct pending *p;

	if (a == NULL || !json_is_object(a) || !json_is_integer(version)) {
		fail(r, BS_REMOTE_BAD_REPLY,
		     "%s answered something that is not bindscope's agent protocol%s%s: is "
		     "`bindscope agent` there the same program?",
		     r->host, a == NULL ? ": " : "", a == NULL ? jerr.text : "");
		json_decref(a);
		return;
	}
	if (json_integer_value(version) != BS_AGENT_PROTOCOL) {
		fail(r, BS_REMOTE_VERSION,
		     "bindscope on %s speaks agent protocol %lld and this one speaks %d: install "
		     "the "
		     "same bindscope version on both machines",
		     r->host, (long long)json_integer_value(version), BS_AGENT_PROTOCOL);
		json_decref(a);
		return;
	}
	p = json_is_integer(id) ? pending_of(r, json_integer_value(id)) : NULL;
	if (p == NULL) {
		const char *why = json_string_value(json_object_get(a, "error"));
		char safe[300];
		bs_text_safe(why != NULL ? why : "an answer to no request", safe, sizeof(safe));
		fail(r, BS_REMOTE_BAD_REPLY, "bindscope agent on %s said: %s", r->host, safe);
		json_decref(a);
		return;
	}
	p->used = false;
	bs_timer_cancel(p->deadline);
	p->deadline = NULL;
	if (!json_is_true(json_object_get(a, "ok"))) {
		const char *why = json_string_value(json_object_get(a, "error"));
		char safe[300];
		bs_text_safe(why != NULL ? why : "no reason given", safe, sizeof(safe));
		p->used = true; /* so fail() tells whoever waits */
		fail(r, BS_REMOTE_BAD_REPLY, "bindscope agent on %s refused the request: %s",
		     r->host, safe);
	} else {
		p->answered(r, p, a);
	}
	json_decref(a);
	send_next(r);
}

static void on_readable(int fd, uint32_t events, void *arg)
{
	struct bs_remote *r = arg;

	(void)fd, (void)events;
	for (;;) {
		char *nl;
		ssize_t n;
		if (r->in_len == r->in_cap) {
			size_t cap = r->in_cap ? 2 * r->in_cap : (size_t)64 * 1024;
			char *grown = cap <= REPLY_MAX ? realloc(r->in, cap) : NULL;
			if (grown == NULL) {
				fail(r, BS_REMOTE_BAD_REPLY,
				     "%s sent an answer longer than %u bytes", r->host, REPLY_MAX);
				return;
			}
			r->in = grown;
			r->in_cap = cap;
		}
		n = read(r->from_agent, r->in + r->in_len, r->in_cap - r->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			output_ended(r);
			return;
		}
		r->in_len += (size_t)n;
		while (r->from_agent >= 0 && (nl = memchr(r->in, '\n', r->in_len)) != NULL) {
			size_t line = (size_t)(nl - r->in);
			answer_line(r, r->in, line);
			memmove(r->in, nl + 1, r->in_len - line - 1);
			r->in_len -= line + 1;
		}
		if (r->state == BS_REMOTE_FAILED)
			return;
	}
}

/* --- hello and routes --- */

static void routes_answered(struct bs_remote *r, struct pending *p, const json_t *a)
{
	struct bs_error err;

	(void)p;
	if (bs_agent_routes_parse(a, r->routes, r->nroutes, &err) < 0) {
		fail(r, BS_REMOTE_BAD_REPLY, "%s: %s", r->host, err.msg);
		return;
	}
	r->state = BS_REMOTE_READY;
	call_ready(r);
}

/* SSH_CONNECTION is "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT". */
static void read_ssh_connection(struct bs_remote *r, const char *text)
{
	char here[64], there[64];

	r->have_addrs = text != NULL && sscanf(text, "%63s %*s %63s", here, there) == 2 &&
	                bs_agent_address_parse(here, &r->here) == 0 &&
	                bs_agent_address_parse(there, &r->there) == 0;
}

static void hello_answered(struct bs_remote *r, struct pending *p, const json_t *a)
{
	struct bs_error err;

	(void)p;
	read_ssh_connection(r, json_string_value(json_object_get(a, "ssh_connection")));
	if (r->nroutes == 0) {
		r->state = BS_REMOTE_READY;
		call_ready(r);
		return;
	}
	if (ask(r, bs_agent_route_request(0, r->route_dst, r->nroutes), r->timeout_ms,
	        routes_answered, &p, &err) < 0)
		fail(r, BS_REMOTE_LOCAL, "%s", err.msg);
}

/* --- starting ssh --- */

static int nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* ssh with our three pipes as its stdin, stdout and stderr, and a clean signal state:
 * the loop's blocked signals and ignored SIGPIPE are not passed on. */
static int spawn(struct bs_remote *r, char **argv, struct bs_error *err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		rc = errno;
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0)
				close(in[i]);
			if (out[i] >= 0)
				close(out[i]);
			if (errp[i] >= 0)
				close(errp[i]);
		}
		return bs_error_set(err, rc, "cannot start ssh to %s: %s", r->host, strerror(rc));
	}
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	/* Its own session: no controlling terminal, so nothing it runs can prompt on (or draw
	 * over) the TUI's screen, and a Ctrl-C meant for bindscope is not sent to it too. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	                                    POSIX_SPAWN_SETSID);
	rc = posix_spawnp(&r->pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	close(errp[1]);
	r->to_agent = in[1];
	r->from_agent = out[0];
	r->agent_err = errp[0];
	if (rc != 0) {
		r->pid = 0;
		return bs_error_set(err, rc, "cannot run '%s' to reach %s: %s%s", argv[0], r->host,
		                    strerror(rc),
		                    rc == ENOENT ? " (install openssh-client, or name another ssh "
		                                   "command with --ssh or BINDSCOPE_SSH)"
		                                 : "");
	}
	if (nonblocking(r->to_agent) < 0 || nonblocking(r->from_agent) < 0 ||
	    nonblocking(r->agent_err) < 0)
		return bs_error_set(err, errno, "cannot set up the pipes to %s: %s", r->host,
		                    strerror(errno));
	r->w_to = bs_loop_watch(r->loop, r->to_agent, 0, on_writable, r, err);
	r->w_from =
	    r->w_to ? bs_loop_watch(r->loop, r->from_agent, EPOLLIN, on_readable, r, err) : NULL;
	r->w_err = r->w_from ? bs_loop_watch(r->loop, r->agent_err, EPOLLIN, on_err, r, err) : NULL;
	return r->w_err != NULL ? 0 : -1;
}

static int start(struct bs_remote *r, const struct bs_endpoint *targets, size_t ntargets,
                 struct bs_error *err)
{
	char buf[sizeof(r->command)], *argv[MAX_WORDS + 8];
	struct pending *p;
	int n = bs_remote_split_command(r->command, buf, sizeof(buf), argv, MAX_WORDS, err);

	if (n < 0)
		return -1;
	argv[n++] = "-T"; /* no terminal: a pipe of lines */
	argv[n++] = "-o"; /* never a password or passphrase prompt */
	argv[n++] = "BatchMode=yes";
	argv[n++] = r->host;
	argv[n++] = "bindscope";
	argv[n++] = "agent";
	argv[n] = NULL;
	r->route_dst = calloc(ntargets ? ntargets : 1, sizeof(*r->route_dst));
	r->routes = calloc(ntargets ? ntargets : 1, sizeof(*r->routes));
	if (r->route_dst == NULL || r->routes == NULL)
		return bs_error_set(err, 0, "out of memory for %zu routes", ntargets);
	if (ntargets > 0)
		memcpy(r->route_dst, targets, ntargets * sizeof(*targets));
	r->nroutes = ntargets;
	if (spawn(r, argv, err) < 0)
		return -1;
	return ask(r, bs_agent_hello_request(0), CONNECT_MS + r->timeout_ms, hello_answered, &p,
	           err);
}

struct bs_remote *bs_remote_start(struct bs_loop *loop, const char *host, const char *ssh_command,
                                  const struct bs_endpoint *targets, size_t ntargets,
                                  unsigned timeout_ms, void (*done)(void *arg), void *arg,
                                  struct bs_error *err)
{
	struct bs_remote *r;

	if (bs_remote_host_check(host, err) < 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		bs_error_set(err, 0, "out of memory starting ssh to %s", host);
		return NULL;
	}
	r->loop = loop;
	r->to_agent = r->from_agent = r->agent_err = -1;
	r->timeout_ms = timeout_ms ? timeout_ms : 1000;
	r->ready = done;
	r->ready_arg = arg;
	r->next_id = 1;
	snprintf(r->host, sizeof(r->host), "%s", host);
	if (snprintf(r->command, sizeof(r->command), "%s", ssh_command ? ssh_command : "ssh") >=
	    (int)sizeof(r->command)) {
		bs_error_set(err, 0, "the ssh command is longer than %zu characters",
		             sizeof(r->command) - 1);
		bs_remote_free(r);
		return NULL;
	}
	r->ready = NULL; /* a failure while starting is returned, not called back */
	if (start(r, targets, ntargets, err) < 0) {
		bs_remote_free(r);
		return NULL;
	}
	r->ready = done;
	return r;
}

/* --- probing --- */

static void results_answered(struct bs_remote *r, struct pending *p, const json_t *a)
{
	struct bs_error err;

	if (p->cancelled)
		return;
	if (bs_agent_results_parse(a, p->results, p->n, p->token, &err) < 0) {
		p->used = true; /* fail() tells its caller */
		fail(r, BS_REMOTE_BAD_REPLY, "%s: %s", r->host, err.msg);
		return;
	}
	if (p->done != NULL)
		p->done(p->arg);
}

int bs_remote_probe(struct bs_remote *r, enum bs_proto proto, unsigned timeout_ms,
                    const struct bs_endpoint *targets, size_t n, struct bs_probe_result *results,
                    uint32_t *token, void (*done)(void *arg), void *arg, struct bs_error *err)
{
	struct pending *p;
	/* The agent probes 256 at a time, each for up to timeout_ms; the rest is the network. */
	unsigned rounds = (unsigned)(n / 256 + 1);
	unsigned deadline = timeout_ms * rounds + CONNECT_MS;

	if (r->state != BS_REMOTE_READY)
		return bs_error_set(
		    err, 0, "%s", r->state == BS_REMOTE_FAILED ? r->failure : "not connected yet");
	if (n > BS_AGENT_TARGETS_MAX)
		return bs_error_set(err, 0, "%zu probes from %s at once; at most %u", n, r->host,
		                    BS_AGENT_TARGETS_MAX);
	if (ask(r, bs_agent_probe_request(0, proto, timeout_ms, targets, n), deadline,
	        results_answered, &p, err) < 0)
		return -1;
	p->results = results;
	p->token = token;
	p->n = n;
	p->done = done;
	p->arg = arg;
	return 0;
}

void bs_remote_probe_cancel(struct bs_remote *r, const struct bs_probe_result *results)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (r->pend[i].used && r->pend[i].results == results && !r->pend[i].sent) {
			free(r->pend[i].line); /* never sent: the agent never hears of it */
			r->pend[i].line = NULL;
			r->pend[i].used = false;
		} else if (r->pend[i].used && r->pend[i].results == results) {
			r->pend[i].cancelled = true;
			r->pend[i].results = NULL;
			r->pend[i].token = NULL;
			r->pend[i].n = 0;
			r->pend[i].done = NULL;
		}
}

/* --- reading it --- */

enum bs_remote_state bs_remote_state(const struct bs_remote *r)
{
	return r->state;
}

enum bs_remote_fault bs_remote_fault(const struct bs_remote *r)
{
	return r->fault;
}

const char *bs_remote_fault_word(enum bs_remote_fault fault)
{
	static const char *const words[] = {
	    [BS_REMOTE_OK] = "",
	    [BS_REMOTE_NO_SSH] = "ssh failed",
	    [BS_REMOTE_NO_AGENT] = "no agent",
	    [BS_REMOTE_VERSION] = "version",
	    [BS_REMOTE_DROPPED] = "dropped",
	    [BS_REMOTE_SLOW] = "too slow",
	    [BS_REMOTE_BAD_REPLY] = "bad reply",
	    [BS_REMOTE_LOCAL] = "not run",
	};

	return (unsigned)fault < sizeof(words) / sizeof(words[0]) ? words[fault] : "";
}

const char *bs_remote_fault_id(enum bs_remote_fault fault)
{
	static const char *const ids[] = {
	    [BS_REMOTE_OK] = NULL,
	    [BS_REMOTE_NO_SSH] = "no-ssh",
	    [BS_REMOTE_NO_AGENT] = "no-agent",
	    [BS_REMOTE_VERSION] = "version",
	    [BS_REMOTE_DROPPED] = "dropped",
	    [BS_REMOTE_SLOW] = "slow",
	    [BS_REMOTE_BAD_REPLY] = "bad-reply",
	    [BS_REMOTE_LOCAL] = "local",
	};

	return (unsigned)fault < sizeof(ids) / sizeof(ids[0]) ? ids[fault] : NULL;
}

const char *bs_remote_failure(const struct bs_remote *r)
{
	return r->state == BS_REMOTE_FAILED ? r->failure : "";
}

const char *bs_remote_host(const struct bs_remote *r)
{
	return r->host;
}

const char *bs_remote_ssh_command(const struct bs_remote *r)
{
	return r->command;
}

bool bs_remote_addresses(const struct bs_remote *r, struct bs_endpoint *here,
                         struct bs_endpoint *there)
{
	if (!r->have_addrs)
		return false;
	*here = r->here;
	*there = r->there;
	return true;
}

int bs_remote_route(const struct bs_remote *r, const struct bs_endpoint *dst, struct bs_route *out)
{
	if (r->state != BS_REMOTE_READY)
		return -1;
	for (size_t i = 0; i < r->nroutes; i++)
		if (bs_endpoint_same_addr(&r->route_dst[i], dst)) {
			*out = r->routes[i];
			return 0;
		}
	return -1;
}

void bs_remote_free(struct bs_remote *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < MAX_PENDING; i++) {
		bs_timer_cancel(r->pend[i].deadline);
		free(r->pend[i].line);
	}
	bs_timer_cancel(r->reaper);
	close_fd(&r->to_agent, &r->w_to); /* end of its input: the agent ends, ssh with it */
	close_fd(&r->from_agent, &r->w_from);
	close_fd(&r->agent_err, &r->w_err);
	if (r->pid > 0 && !r->exited) {
		for (int i = 0; i < 25 && waitpid(r->pid, &r->status, WNOHANG) == 0; i++)
			usleep(4000); /* ssh closes its connection: up to 100 ms */
		if (kill(r->pid, 0) == 0 && waitpid(r->pid, &r->status, WNOHANG) == 0) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &r->status, 0);
		}
	}
	free(r->out);
	free(r->in);
	free(r->route_dst);
	free(r->routes);
	free(r);
}
