/* Tours as files: the parser and the placeholders (the format is in tour.h). */
#include "bindscope/tour.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bindscope/endpoint.h"
#include "bindscope/textbuf.h"
#include "bindscope/textfile.h"

#define MAX_WORDS     16
#define TOUR_FILE_MAX ((size_t)256 * 1024)
#define STATEMENTS                                                                                 \
	"title, lab, step, say, listen, close, connect, route, firewall, sysctl or expect"

static int fail(struct bs_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct bs_error *err, int line, const char *fmt, ...)
{
	char what[BS_ERROR_MSG_MAX - 16];
	va_list ap;

	char safe[BS_ERROR_MSG_MAX - 16];

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* The words quoted come from the tour file: no control byte reaches a terminal. */
	bs_text_safe(what, safe, sizeof(safe));
	return bs_error_set(err, 0, "line %d: %s", line, safe);
}

static const char *const verdict_words[] = {
    [BS_VERDICT_OPEN] = "open",
    [BS_VERDICT_REFUSED] = "refused",
    [BS_VERDICT_TIMEOUT] = "timeout",
    [BS_VERDICT_UNREACHABLE] = "unreachable",
    [BS_VERDICT_OPEN_FILTERED] = "open|filtered",
};

int bs_tour_verdict(const char *text)
{
	for (size_t v = 0; v < sizeof(verdict_words) / sizeof(verdict_words[0]); v++)
		if (verdict_words[v] != NULL && strcmp(verdict_words[v], text) == 0)
			return (int)v;
	return -1;
}

/* Copy src into a field of size len, or say the line's argument is too long. */
static int copy_arg(char *dst, size_t len, const char *src, const char *what, int line,
                    struct bs_error *err)
{
	if (strlen(src) >= len)
		return fail(err, line, "the %s '%.32s%s' is longer than %zu characters", what, src,
		            strlen(src) > 32 ? "..." : "", len - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* The rest of a line after spaces, or NULL when it is empty. */
static char *rest_of(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return *s == '\0' ? NULL : s;
}

static struct bs_tour_step *current(struct bs_tour *t)
{
	return t->nsteps > 0 ? &t->steps[t->nsteps - 1] : NULL;
}

static int add_step(struct bs_tour *t, char *title, int line, struct bs_error *err)
{
	struct bs_tour_step *s;

	if (title == NULL)
		return fail(err, line, "a step needs a title: step Listen on every interface");
	if (t->nsteps == BS_TOUR_MAX_STEPS)
		return fail(err, line, "at most %d steps in a tour", BS_TOUR_MAX_STEPS);
	s = realloc(t->steps, (t->nsteps + 1) * sizeof(*s));
	if (s == NULL)
		return fail(err, line, "out of memory for step %zu", t->nsteps + 1);
	t->steps = s;
	s = &t->steps[t->nsteps++];
	memset(s, 0, sizeof(*s));
	s->line = line;
	return copy_arg(s->title, sizeof(s->title), title, "step's title", line, err);
}

static int add_say(struct bs_tour *t, char *text, int line, struct bs_error *err)
{
	struct bs_tour_step *s = current(t);
	size_t used;

	if (s == NULL)
		return fail(err, line, "say comes before any step: write 'step TITLE' first");
	if (text == NULL)
		return fail(err, line, "say needs a text: say Every address answers.");
	if (s->nsays == BS_TOUR_MAX_SAYS)
		return fail(err, line, "at most %d say lines per step", BS_TOUR_MAX_SAYS);
	used = strlen(s->text);
	if (used + 1 + strlen(text) >= sizeof(s->text))
		return fail(err, line, "step '%s' has more than %zu characters of text", s->title,
		            sizeof(s->text) - 1);
	snprintf(s->text + used, sizeof(s->text) - used, "%s%s", used ? "\n" : "", text);
	s->say_lines[s->nsays++] = line;
	return 0;
}

static struct bs_tour_action *new_action(struct bs_tour *t, enum bs_tour_do what, int line,
                                         struct bs_error *err)
{
	struct bs_tour_step *s = current(t);
	struct bs_tour_action *a;

	if (s == NULL) {
		fail(err, line, "an action comes before any step: write 'step TITLE' first");
		return NULL;
	}
	if (s->nactions == BS_TOUR_MAX_ACTIONS) {
		fail(err, line, "at most %d actions per step", BS_TOUR_MAX_ACTIONS);
		return NULL;
	}
	a = &s->actions[s->nactions++];
	memset(a, 0, sizeof(*a));
	a->what = what;
	a->line = line;
	a->proto = BS_PROTO_TCP;
	a->v6only = -1;
	return a;
}

/* An optional tcp|udp first; returns the index of the next word. */
static int proto_word(struct bs_tour_action *a, char **w, int nw, int i)
{
	if (i < nw && (strcmp(w[i], "tcp") == 0 || strcmp(w[i], "udp") == 0)) {
		a->proto = strcmp(w[i], "udp") == 0 ? BS_PROTO_UDP : BS_PROTO_TCP;
		return i + 1;
	}
	return i;
}

static int parse_listen(struct bs_tour *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_tour_action *a =
	    new_action(t, strcmp(w[0], "listen") == 0 ? BS_TOUR_LISTEN : BS_TOUR_CLOSE, line, err);
	int i;

	if (a == NULL)
		return -1;
	i = proto_word(a, w, nw, 1);
	if (i >= nw)
		return fail(err, line, "%s needs ADDR:PORT: %s [tcp|udp] 0.0.0.0:8081%s", w[0],
		            w[0],
		            a->what == BS_TOUR_LISTEN ? " [v6only|dual-stack] [reuseport]" : "");
	if (copy_arg(a->addr, sizeof(a->addr), w[i++], "address", line, err) < 0)
		return -1;
	for (; i < nw && a->what == BS_TOUR_LISTEN; i++) {
		if (strcmp(w[i], "v6only") == 0 || strcmp(w[i], "dual-stack") == 0) {
			if (a->v6only != -1)
				return fail(err, line, "give v6only or dual-stack, once");
			a->v6only = strcmp(w[i], "v6only") == 0;
		} else if (strcmp(w[i], "reuseport") == 0)
			a->reuseport = true;
		else
			return fail(err, line,
			            "'%.40s' is not an option of listen (use v6only, dual-stack or "
			            "reuseport)",
			            w[i]);
	}
	if (i < nw)
		return fail(err, line, "close takes only [tcp|udp] ADDR:PORT, not '%.40s'", w[i]);
	return 0;
}

static int parse_connect(struct bs_tour *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_tour_action *a = new_action(t, BS_TOUR_CONNECT, line, err);
	int i;

	if (a == NULL)
		return -1;
	i = proto_word(a, w, nw, 1);
	if (i + 1 < nw && strcmp(w[i], "from") == 0) {
		if (copy_arg(a->peer, sizeof(a->peer), w[i + 1], "peer's name", line, err) < 0)
			return -1;
		i += 2;
	}
	if (i + 1 != nw)
		return fail(err, line, "write: connect [tcp|udp] [from PEER] ADDR:PORT");
	return copy_arg(a->addr, sizeof(a->addr), w[i], "address", line, err);
}

static int parse_route(struct bs_tour *t, char **w, int nw, int line, struct bs_error *err)
{
	bool add = nw >= 3 && strcmp(w[2], "add") == 0;
	struct bs_tour_action *a;

	if (!((add && nw == 6 && strcmp(w[4], "via") == 0) ||
	      (nw == 4 && strcmp(w[2], "del") == 0)))
		return fail(err, line,
		            "write: route PEER add NET/PREFIX via ADDRESS, or route PEER del "
		            "NET/PREFIX");
	a = new_action(t, add ? BS_TOUR_ROUTE_ADD : BS_TOUR_ROUTE_DEL, line, err);
	if (a == NULL || copy_arg(a->peer, sizeof(a->peer), w[1], "peer's name", line, err) < 0 ||
	    copy_arg(a->net, sizeof(a->net), w[3], "network", line, err) < 0)
		return -1;
	return add ? copy_arg(a->via, sizeof(a->via), w[5], "gateway", line, err) : 0;
}

static bool valid_sysctl_name(const char *s)
{
	if (strncmp(s, "net.", 4) != 0 || strstr(s, "..") != NULL || s[strlen(s) - 1] == '.')
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' &&
		    *s != '.' && *s != '-')
			return false;
	return true;
}

static bool valid_sysctl_value(const char *s)
{
	s += *s == '-';
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_sysctl(struct bs_tour *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_tour_action *a;

	if (nw != 3)
		return fail(err, line,
		            "write: sysctl NAME VALUE (sysctl net.ipv4.ip_nonlocal_bind 1)");
	if (!valid_sysctl_name(w[1]))
		return fail(err, line,
		            "'%.64s' is not a network setting: a tour sets only net.* settings, "
		            "those of the lab's own network",
		            w[1]);
	if (!valid_sysctl_value(w[2]))
		return fail(err, line, "sysctl %.64s: '%.32s' is not a number", w[1], w[2]);
	a = new_action(t, BS_TOUR_SYSCTL, line, err);
	if (a == NULL || copy_arg(a->text, sizeof(a->text), w[1], "setting's name", line, err) < 0)
		return -1;
	return copy_arg(a->value, sizeof(a->value), w[2], "value", line, err);
}

static int parse_expect(struct bs_tour *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_tour_action *a = new_action(t, BS_TOUR_EXPECT, line, err);
	int i, verdict;

	if (a == NULL)
		return -1;
	i = proto_word(a, w, nw, 1);
	if (i + 4 > nw || strcmp(w[i + 1], "at") != 0)
		return fail(err, line,
		            "write: expect [tcp|udp] ADDR:PORT at ADDR [from PEER] VERDICT");
	if (copy_arg(a->addr, sizeof(a->addr), w[i], "address", line, err) < 0 ||
	    copy_arg(a->at, sizeof(a->at), w[i + 2], "address", line, err) < 0)
		return -1;
	i += 3;
	if (i + 2 < nw && strcmp(w[i], "from") == 0) {
		if (copy_arg(a->peer, sizeof(a->peer), w[i + 1], "peer's name", line, err) < 0)
			return -1;
		i += 2;
	}
	if (i + 1 != nw)
		return fail(err, line,
		            "write: expect [tcp|udp] ADDR:PORT at ADDR [from PEER] VERDICT");
	verdict = bs_tour_verdict(w[i]);
	if (verdict < 0)
		return fail(err, line,
		            "'%.32s' is not a verdict (use open, refused, timeout, unreachable or "
		            "open|filtered)",
		            w[i]);
	a->verdict = (enum bs_verdict)verdict;
	return 0;
}

/* firewall [on PEER] 'COMMAND', as a topology writes it; s follows the word. */
static int parse_firewall(struct bs_tour *t, char *s, int line, struct bs_error *err)
{
	struct bs_tour_action *a = new_action(t, BS_TOUR_FIREWALL, line, err);
	char *end;

	if (a == NULL)
		return -1;
	s += strspn(s, " \t");
	if (strncmp(s, "on", 2) == 0 && (s[2] == ' ' || s[2] == '\t')) {
		size_t n;
		s += 2 + strspn(s + 2, " \t");
		n = strcspn(s, " \t");
		if (n == 0 || *s == '\'')
			return fail(err, line,
			            "firewall on needs a peer's name: firewall on "
			            "eth0-peer 'COMMAND'");
		if (n >= sizeof(a->peer))
			return fail(err, line,
			            "the peer's name '%.32s...' is longer than %zu characters", s,
			            sizeof(a->peer) - 1);
		memcpy(a->peer, s, n);
		s += n + strspn(s + n, " \t");
	}
	if (*s != '\'' || (end = strchr(s + 1, '\'')) == NULL)
		return fail(err, line,
		            "write the nft command in single quotes: firewall [on PEER] "
		            "'add rule inet filter input tcp dport 8082 drop'");
	*end = '\0';
	if (rest_of(end + 1) != NULL && *rest_of(end + 1) != '#')
		return fail(err, line, "'%.40s' follows the nft command: one command per line",
		            rest_of(end + 1));
	if (rest_of(s + 1) == NULL)
		return fail(err, line, "the nft command is empty");
	return copy_arg(a->text, sizeof(a->text), s + 1, "nft command", line, err);
}

static int parse_words(struct bs_tour *t, char *text, int line, struct bs_error *err)
{
	char *w[MAX_WORDS], *save = NULL;
	int nw = 0;

	for (char *tok = strtok_r(text, " \t\r", &save); tok && tok[0] != '#';
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (nw == MAX_WORDS)
			return fail(err, line, "too many words");
		w[nw++] = tok;
	}
	if (nw == 0)
		return 0;
	if (strcmp(w[0], "listen") == 0 || strcmp(w[0], "close") == 0)
		return parse_listen(t, w, nw, line, err);
	if (strcmp(w[0], "connect") == 0)
		return parse_connect(t, w, nw, line, err);
	if (strcmp(w[0], "route") == 0)
		return parse_route(t, w, nw, line, err);
	if (strcmp(w[0], "sysctl") == 0)
		return parse_sysctl(t, w, nw, line, err);
	if (strcmp(w[0], "expect") == 0)
		return parse_expect(t, w, nw, line, err);
	return fail(err, line, "'%.32s' is not a statement (use %s)", w[0], STATEMENTS);
}

static int parse_line(struct bs_tour *t, char *text, int line, struct bs_error *err)
{
	char *start = text + strspn(text, " \t\r");
	size_t n = strcspn(start, " \t\r");

	if (*start == '\0' || *start == '#')
		return 0;
	if (n == 5 && strncmp(start, "title", 5) == 0) {
		if (t->title[0] != '\0' || t->nsteps > 0)
			return fail(err, line, "title is given once, before the first step");
		if (rest_of(start + 5) == NULL)
			return fail(err, line, "title needs a text: title What binding exposes");
		return copy_arg(t->title, sizeof(t->title), rest_of(start + 5), "title", line, err);
	}
	if (n == 3 && strncmp(start, "lab", 3) == 0) {
		if (t->lab[0] != '\0' || t->nsteps > 0)
			return fail(err, line, "lab is given once, before the first step");
		start[3 + strcspn(start + 3, "#")] = '\0'; /* a comment may follow */
		if (rest_of(start + 3) == NULL || strpbrk(rest_of(start + 3), " \t") != NULL)
			return fail(err, line, "lab needs one name or file: lab dual-stack");
		return copy_arg(t->lab, sizeof(t->lab), rest_of(start + 3), "lab's name", line,
		                err);
	}
	if (n == 4 && strncmp(start, "step", 4) == 0)
		return add_step(t, rest_of(start + 4), line, err);
	if (n == 3 && strncmp(start, "say", 3) == 0)
		return add_say(t, rest_of(start + 3), line, err);
	if (n == 8 && strncmp(start, "firewall", 8) == 0)
		return parse_firewall(t, start + 8, line, err);
	return parse_words(t, start, line, err);
}

int bs_tour_parse(const char *text, struct bs_tour *t, struct bs_error *err)
{
	char linebuf[1024];
	int line = 0;

	memset(t, 0, sizeof(*t));
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");
		line++;
		if (n >= sizeof(linebuf))
			return fail(err, line, "the line is longer than %zu characters",
			            sizeof(linebuf) - 1);
		memcpy(linebuf, text, n);
		linebuf[n] = '\0';
		if (parse_line(t, linebuf, line, err) < 0)
			return -1;
		text += n + (text[n] == '\n');
	}
	if (t->nsteps == 0)
		return bs_error_set(err, 0,
		                    "the tour has no step: add one such as 'step Listen on every "
		                    "interface' with a 'say' line under it");
	return 0;
}

void bs_tour_free(struct bs_tour *t)
{
	free(t->steps);
	t->steps = NULL;
	t->nsteps = 0;
}

int bs_tour_load(const char *path, struct bs_tour *t, struct bs_error *err)
{
	char shown[4 * BS_TEXT_ABBREV_MAX + 32], *text;
	struct bs_error inner;
	int rc;

	memset(t, 0, sizeof(*t));
	bs_text_abbrev(path, shown, sizeof(shown));
	text = bs_textfile_read(path, shown, "tour", "assets/tours/walkthrough.tour", TOUR_FILE_MAX,
	                        err);
	if (text == NULL)
		return -1;
	if ((rc = bs_tour_parse(text, t, &inner)) < 0)
		bs_error_set(err, 0, "%s: %s", shown, inner.msg);
	free(text);
	return rc;
}

/* Placeholders. */

/* The lab's interface names, for "it has lo, eth0, wlan0". */
static void iface_names(const struct bs_iface_list *ifaces, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ifaces->count; i++)
		bs_textbuf_appendf(buf, len, "%s%s", i ? ", " : "", ifaces->items[i].name);
}

static const struct bs_lab_vantage *peer_on(const struct bs_tour_lab *lab, const char *iface)
{
	for (size_t i = 0; i < lab->npeers; i++)
		if (strcmp(lab->peers[i].iface, iface) == 0)
			return &lab->peers[i];
	return NULL;
}

/* {IFACE} or {IFACE:6}: the interface's address. */
static int iface_value(const struct bs_tour_lab *lab, const char *name, char *out, size_t len,
                       int line, struct bs_error *err)
{
	char ifname[IF_NAMESIZE + 8], names[256];
	bool v6 = false;
	const struct bs_iface *f;
	const struct bs_iface_addr *found = NULL;

	if (strlen(name) >= sizeof(ifname))
		return fail(err, line, "{%.32s...}: no interface has so long a name", name);
	memcpy(ifname, name, strlen(name) + 1);
	if (strlen(ifname) > 2 && strcmp(ifname + strlen(ifname) - 2, ":6") == 0) {
		v6 = true;
		ifname[strlen(ifname) - 2] = '\0';
	}
	iface_names(lab->ifaces, names, sizeof(names));
	if ((f = bs_iface_find(lab->ifaces, ifname)) == NULL)
		return fail(err, line, "{%s}: this lab has no interface %s (it has %s)", name,
		            ifname, names);
	for (size_t i = 0; i < f->naddrs && found == NULL; i++)
		if (v6 ? f->addrs[i].family == AF_INET6 && f->addrs[i].scope != BS_SCOPE_LINK
		       : f->addrs[i].family == AF_INET)
			found = &f->addrs[i];
	if (found == NULL && !v6 && f->naddrs > 0)
		found = &f->addrs[0];
	if (found == NULL)
		return fail(err, line, "{%s}: %s has no %saddress in this lab", name, ifname,
		            v6 ? "IPv6 " : "");
	/* A link-local address means something only with its interface: fe80::1%eth0. */
	if (found->family == AF_INET6 && found->scope == BS_SCOPE_LINK)
		snprintf(out, len, "%s%%%s", found->text, ifname);
	else
		snprintf(out, len, "%s", found->text);
	return 0;
}

/* The value of the placeholder name (without braces). */
static int placeholder(const struct bs_tour_lab *lab, const char *name, char *out, size_t len,
                       int line, struct bs_error *err)
{
	bool want_addr = strncmp(name, "peeraddr:", 9) == 0;

	if (want_addr || strncmp(name, "peer:", 5) == 0) {
		const char *iface = name + (want_addr ? 9 : 5);
		const struct bs_lab_vantage *p = peer_on(lab, iface);
		if (p == NULL)
			return fail(err, line, "{%s}: this lab has no peer on %s", name, iface);
		snprintf(out, len, "%s", want_addr ? p->addr : p->name);
		return 0;
	}
	return iface_value(lab, name, out, len, line, err);
}

static bool placeholder_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '-';
}

/* in with its placeholders filled in, into out (len bytes). */
static int fill(const struct bs_tour_lab *lab, const char *in, char *out, size_t len, int line,
                struct bs_error *err)
{
	size_t o = 0;

	for (const char *s = in; *s;) {
		char name[64], value[BS_LAB_ADDR_MAX];
		size_t n = 0;
		const char *add = s;
		size_t addlen = 1;

		if (*s == '{') {
			while (placeholder_char(s[1 + n]) && n < sizeof(name) - 1)
				n++;
		}
		/* {8080}: an nft set of one port, not a placeholder */
		if (n > 0 && s[1 + n] == '}' && strspn(s + 1, "0123456789") != n) {
			memcpy(name, s + 1, n);
			name[n] = '\0';
			if (placeholder(lab, name, value, sizeof(value), line, err) < 0)
				return -1;
			add = value;
			addlen = strlen(value);
			s += n + 2;
		} else {
			s++;
		}
		if (o + addlen >= len)
			return fail(err, line,
			            "the text is longer than %zu characters once its "
			            "placeholders are filled in",
			            len - 1);
		memcpy(out + o, add, addlen);
		o += addlen;
	}
	out[o] = '\0';
	return 0;
}

static int fill_in_place(const struct bs_tour_lab *lab, char *field, size_t len, int line,
                         struct bs_error *err)
{
	char out[BS_TOUR_TEXT_MAX];

	if (fill(lab, field, out, len < sizeof(out) ? len : sizeof(out), line, err) < 0)
		return -1;
	memcpy(field, out, strlen(out) + 1);
	return 0;
}

static int check_peer(const struct bs_tour_lab *lab, const char *name, int line,
                      struct bs_error *err)
{
	char names[BS_LAB_MAX_PEERS * (BS_LAB_NAME_MAX + 2)] = "";

	if (name[0] == '\0')
		return 0;
	for (size_t i = 0; i < lab->npeers; i++) {
		if (strcmp(lab->peers[i].name, name) == 0)
			return 0;
		bs_textbuf_appendf(names, sizeof(names), "%s%s", i ? ", " : "", lab->peers[i].name);
	}
	return fail(err, line, "this lab has no peer %s (%s)", name,
	            lab->npeers ? names : "it has no peers");
}

static int check_endpoint(const struct bs_tour_lab *lab, const char *text, int line,
                          struct bs_error *err)
{
	struct bs_endpoint ep;
	struct bs_error inner;

	if (bs_endpoint_parse(text, lab->ifaces, &ep, &inner) < 0)
		return fail(err, line, "%s", inner.msg);
	if (ep.port_only)
		return fail(err, line, "'%s' is a port alone: write ADDR:PORT (0.0.0.0:%s)", text,
		            text);
	return 0;
}

/* A column's address: an address, [IPv6], or localhost. */
static int check_address(char *at, int line, struct bs_error *err)
{
	unsigned char buf[16];
	size_t n = strlen(at);

	if (n > 2 && at[0] == '[' && at[n - 1] == ']') {
		memmove(at, at + 1, n - 2);
		at[n - 2] = '\0';
	}
	if (strcmp(at, "localhost") == 0 || inet_pton(AF_INET, at, buf) == 1 ||
	    inet_pton(AF_INET6, at, buf) == 1)
		return 0;
	return fail(err, line, "'%s' is not an address (write 192.168.1.10, ::1 or localhost)", at);
}

static bool valid_net(const char *text)
{
	char host[BS_LAB_ADDR_MAX], *end;
	const char *slash = strchr(text, '/');
	unsigned char buf[16];
	unsigned long prefix;
	int family;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(host) ||
	    !isdigit((unsigned char)slash[1]))
		return false;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	prefix = strtoul(slash + 1, &end, 10);
	return inet_pton(family, host, buf) == 1 && *end == '\0' &&
	       prefix <= (family == AF_INET ? 32u : 128u);
}

static int resolve_action(struct bs_tour_action *a, const struct bs_tour_lab *lab,
                          struct bs_error *err)
{
	unsigned char buf[16];

	if (fill_in_place(lab, a->addr, sizeof(a->addr), a->line, err) < 0 ||
	    fill_in_place(lab, a->at, sizeof(a->at), a->line, err) < 0 ||
	    fill_in_place(lab, a->peer, sizeof(a->peer), a->line, err) < 0 ||
	    fill_in_place(lab, a->net, sizeof(a->net), a->line, err) < 0 ||
	    fill_in_place(lab, a->via, sizeof(a->via), a->line, err) < 0 ||
	    (a->what == BS_TOUR_FIREWALL &&
	     fill_in_place(lab, a->text, sizeof(a->text), a->line, err) < 0) ||
	    check_peer(lab, a->peer, a->line, err) < 0)
		return -1;
	switch (a->what) {
	case BS_TOUR_LISTEN:
	case BS_TOUR_CLOSE:
	case BS_TOUR_CONNECT:
		return check_endpoint(lab, a->addr, a->line, err);
	case BS_TOUR_EXPECT:
		if (check_endpoint(lab, a->addr, a->line, err) < 0)
			return -1;
		return check_address(a->at, a->line, err);
	case BS_TOUR_ROUTE_ADD:
		if (inet_pton(strchr(a->via, ':') ? AF_INET6 : AF_INET, a->via, buf) != 1)
			return fail(err, a->line, "route via '%s': not an address", a->via);
		/* fall through */
	case BS_TOUR_ROUTE_DEL:
		if (!valid_net(a->net))
			return fail(err, a->line, "route '%s': write NET/PREFIX (192.168.1.0/24)",
			            a->net);
		return 0;
	case BS_TOUR_FIREWALL:
	case BS_TOUR_SYSCTL:
		break;
	}
	return 0;
}

/* The step's say lines, filled in, joined into one paragraph. */
static int resolve_text(struct bs_tour_step *s, const struct bs_tour_lab *lab, struct bs_error *err)
{
	char out[BS_TOUR_TEXT_MAX] = "", piece[BS_TOUR_TEXT_MAX], *save = NULL;
	size_t k = 0;

	for (char *line = strtok_r(s->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), k++) {
		int at = k < s->nsays ? s->say_lines[k] : s->line;
		if (fill(lab, line, piece, sizeof(piece), at, err) < 0)
			return -1;
		if (strlen(out) + 1 + strlen(piece) >= sizeof(out))
			return fail(err, at,
			            "step '%s' has more than %zu characters of text once its "
			            "placeholders are filled in",
			            s->title, sizeof(out) - 1);
		bs_textbuf_appendf(out, sizeof(out), "%s%s", out[0] ? " " : "", piece);
	}
	memcpy(s->text, out, sizeof(out));
	return 0;
}

int bs_tour_resolve(struct bs_tour *t, const struct bs_tour_lab *lab, struct bs_error *err)
{
	for (size_t i = 0; i < t->nsteps; i++) {
		struct bs_tour_step *s = &t->steps[i];
		if (fill_in_place(lab, s->title, sizeof(s->title), s->line, err) < 0 ||
		    resolve_text(s, lab, err) < 0)
			return -1;
		for (size_t k = 0; k < s->nactions; k++)
			if (resolve_action(&s->actions[k], lab, err) < 0)
				return -1;
	}
	return 0;
}
