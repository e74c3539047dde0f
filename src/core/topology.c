#include "bindscope/topology.h"
#include "bindscope/textbuf.h"
#include "bindscope/textfile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char bs_topology_default[] =
    "# The default lab: a workstation on Ethernet and Wi-Fi, a host on each segment.\n"
    "iface eth0 192.168.0.110/24\n"
    "iface wlan0 192.168.1.10/24\n"
    "peer eth0-peer on eth0 192.168.0.20/24\n"
    "peer wlan0-peer on wlan0 192.168.1.20/24\n";

#define MAX_WORDS 32

static int fail(struct bs_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct bs_error *err, int line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bs_error_set(err, 0, "line %d: %s", line, what);
}

static bool valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* "192.168.0.110/24" or "fd00::1/64": an address with its prefix. */
static bool valid_prefix(const char *text)
{
	char host[BS_LAB_ADDR_MAX], *end;
	const char *slash = strchr(text, '/');
	unsigned char buf[16];
	unsigned long prefix;
	int family;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(host))
		return false;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, host, buf) != 1 || !isdigit((unsigned char)slash[1]))
		return false;
	prefix = strtoul(slash + 1, &end, 10);
	return *end == '\0' && prefix <= (family == AF_INET ? 32u : 128u);
}

static bool valid_address(const char *text)
{
	unsigned char buf[16];

	return inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, buf) == 1;
}

/* The address of "ADDR/PREFIX" (or "ADDR") as bytes; returns its family, 0 if not one. */
static int addr_bytes(const char *text, unsigned char out[16], unsigned *prefix)
{
	char host[BS_LAB_ADDR_MAX];
	int family;

	snprintf(host, sizeof(host), "%s", text);
	*prefix = 0;
	if (strchr(host, '/') != NULL) {
		*prefix = (unsigned)strtoul(strchr(host, '/') + 1, NULL, 10);
		*strchr(host, '/') = '\0';
	}
	memset(out, 0, 16);
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	return inet_pton(family, host, out) == 1 ? family : 0;
}

/* The same address, whatever the prefixes and spellings (fd00::1 and fd00:0::1). */
static bool same_addr(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	unsigned px, py;
	int fa = addr_bytes(a, x, &px), fb = addr_bytes(b, y, &py);

	return fa != 0 && fa == fb && memcmp(x, y, 16) == 0;
}

/* Is addr inside the network of prefixed ("192.168.0.20/24")? */
static bool in_network(const char *prefixed, const char *addr)
{
	unsigned char net[16], a[16];
	unsigned prefix, ignored;
	int family = addr_bytes(prefixed, net, &prefix);

	if (family == 0 || addr_bytes(addr, a, &ignored) != family)
		return false;
	for (unsigned bit = 0; bit < prefix; bit++)
		if ((net[bit / 8] ^ a[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* "192.168.0.110/24" without its prefix, for messages. */
static const char *host_part(const char *prefixed, char *buf, size_t len)
{
	snprintf(buf, len, "%s", prefixed);
	buf[strcspn(buf, "/")] = '\0';
	return buf;
}

static int add_addrs(char (*addrs)[BS_LAB_ADDR_MAX], size_t *n, char **w, int nw, int *i, int line,
                     struct bs_error *err)
{
	for (; *i < nw && strcmp(w[*i], "route") != 0; (*i)++) {
		if (!valid_prefix(w[*i]))
			return fail(err, line, "'%s' is not ADDRESS/PREFIX (e.g. 192.168.0.110/24)",
			            w[*i]);
		for (size_t k = 0; k < *n; k++) {
			char host[BS_LAB_ADDR_MAX];
			if (same_addr(addrs[k], w[*i]))
				return fail(err, line,
				            "%s is given twice on %s %s (as %s and %s): "
				            "give each address once",
				            host_part(addrs[k], host, sizeof(host)), w[0], w[1],
				            addrs[k], w[*i]);
		}
		if (*n == BS_LAB_MAX_ADDRS)
			return fail(err, line, "at most 4 addresses per interface or peer");
		snprintf(addrs[(*n)++], BS_LAB_ADDR_MAX, "%s", w[*i]);
	}
	if (*n == 0)
		return fail(err, line, "give at least one ADDRESS/PREFIX");
	return 0;
}

static const struct bs_lab_iface *find_iface(const struct bs_topology *t, const char *name)
{
	for (size_t i = 0; i < t->nifaces; i++)
		if (strcmp(t->ifaces[i].name, name) == 0)
			return &t->ifaces[i];
	return NULL;
}

/* A gateway must be on the peer's segment (inside one of its prefixes), of the net's family. */
static int route_off_segment(const struct bs_lab_peer *p, const char *net, const char *via,
                             int line, struct bs_error *err)
{
	unsigned char a[16], b[16];
	unsigned ignored;
	char mine[BS_LAB_MAX_ADDRS * BS_LAB_ADDR_MAX + 8] = "";

	if (addr_bytes(net, a, &ignored) != addr_bytes(via, b, &ignored))
		return fail(err, line,
		            "route %s via %s: the network and the gateway are not of "
		            "one family (IPv4 and IPv6)",
		            net, via);
	for (size_t k = 0; k < p->naddrs; k++) {
		if (in_network(p->addrs[k], via))
			return 0;
		snprintf(mine + strlen(mine), sizeof(mine) - strlen(mine), "%s%s", k ? ", " : "",
		         p->addrs[k]);
	}
	return fail(err, line,
	            "route %s via %s: %s is not on peer %s's segment (its addresses: %s); give a "
	            "gateway inside it, such as the workstation's address there",
	            net, via, via, p->name, mine);
}

/* A peer may not have an address of the workstation's: two hosts with one address. */
static int peer_has_iface_addr(const struct bs_lab_peer *p, const struct bs_lab_iface *f, int line,
                               struct bs_error *err)
{
	for (size_t k = 0; k < p->naddrs; k++)
		for (size_t a = 0; a < f->naddrs; a++) {
			char host[BS_LAB_ADDR_MAX];
			if (!same_addr(p->addrs[k], f->addrs[a]))
				continue;
			return fail(err, line,
			            "peer %s's address %s is the workstation's own (%s, line %d; "
			            "peer on line %d): give the peer an address of its own",
			            p->name, host_part(p->addrs[k], host, sizeof(host)), f->name,
			            f->line, p->line);
		}
	return 0;
}

/* A peer may not have an address of the workstation's: two hosts with one address. Checked
 * against one interface (f, declared after the peer) or, with f NULL, all declared so far. */
static int peer_takes_workstation_addr(const struct bs_topology *t, const struct bs_lab_peer *p,
                                       int line, const struct bs_lab_iface *f, struct bs_error *err)
{
	if (f != NULL)
		return peer_has_iface_addr(p, f, line, err);
	for (size_t i = 0; i < t->nifaces; i++)
		if (peer_has_iface_addr(p, &t->ifaces[i], line, err) < 0)
			return -1;
	return 0;
}

static int parse_iface(struct bs_topology *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_lab_iface *f;
	int i = 2;

	if (nw < 3)
		return fail(err, line, "write: iface NAME ADDR/PREFIX [ADDR/PREFIX...]");
	if (!valid_name(w[1], IF_NAMESIZE) || strcmp(w[1], "lo") == 0)
		return fail(err, line,
		            "'%s' cannot name an interface (up to 15 letters, digits, "
		            "-_. and not lo)",
		            w[1]);
	if (strcmp(w[1], ".") == 0 || strcmp(w[1], "..") == 0 || strcmp(w[1], "all") == 0 ||
	    strcmp(w[1], "default") == 0)
		return fail(err, line,
		            "'%s' cannot name an interface: Linux refuses . and .. and keeps all "
		            "and default for its settings (net.ipv4.conf.all); try eth1",
		            w[1]);
	if (find_iface(t, w[1]) != NULL)
		return fail(err, line, "interface %s is declared twice", w[1]);
	if (t->nifaces == BS_LAB_MAX_IFACES)
		return fail(err, line, "at most 8 interfaces");
	f = &t->ifaces[t->nifaces];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", w[1]);
	f->line = line;
	if (add_addrs(f->addrs, &f->naddrs, w, nw, &i, line, err) < 0)
		return -1;
	for (size_t k = 0; k < t->npeers; k++)
		if (peer_takes_workstation_addr(t, &t->peers[k], line, f, err) < 0)
			return -1;
	if (i < nw)
		return fail(err, line, "an iface line takes no '%s'", w[i]);
	t->nifaces++;
	return 0;
}

static int parse_routes(struct bs_lab_peer *p, char **w, int nw, int i, int line,
                        struct bs_error *err)
{
	while (i < nw) {
		if (strcmp(w[i], "route") != 0 || i + 3 >= nw || strcmp(w[i + 2], "via") != 0)
			return fail(err, line,
			            "write routes as: route NET/PREFIX via ADDRESS (at "
			            "'%s')",
			            w[i]);
		if (!valid_prefix(w[i + 1]) || !valid_address(w[i + 3]))
			return fail(err, line, "route %s via %s: write NET/PREFIX via ADDRESS",
			            w[i + 1], w[i + 3]);
		if (route_off_segment(p, w[i + 1], w[i + 3], line, err) < 0)
			return -1;
		if (p->nroutes == BS_LAB_MAX_ROUTES)
			return fail(err, line, "at most 4 routes per peer");
		snprintf(p->routes[p->nroutes].net, BS_LAB_ADDR_MAX, "%s", w[i + 1]);
		snprintf(p->routes[p->nroutes].via, BS_LAB_ADDR_MAX, "%s", w[i + 3]);
		p->routes[p->nroutes].line = line;
		p->nroutes++;
		i += 4;
	}
	return 0;
}

static int parse_peer(struct bs_topology *t, char **w, int nw, int line, struct bs_error *err)
{
	struct bs_lab_peer *p;
	int i = 4;

	if (nw < 5 || strcmp(w[2], "on") != 0)
		return fail(err, line,
		            "write: peer NAME on IFACE ADDR/PREFIX [route NET/PREFIX via "
		            "ADDRESS]");
	if (!valid_name(w[1], BS_LAB_NAME_MAX))
		return fail(err, line, "'%s' cannot name a peer (up to 15 letters, digits, -_.)",
		            w[1]);
	if (find_iface(t, w[3]) == NULL)
		return fail(err, line, "peer %s is on '%s', which no iface line above declares",
		            w[1], w[3]);
	for (size_t k = 0; k < t->npeers; k++) {
		if (strcmp(t->peers[k].name, w[1]) == 0)
			return fail(err, line, "peer %s is declared twice", w[1]);
		if (strcmp(t->peers[k].iface, w[3]) == 0)
			return fail(err, line, "%s already has a peer (%s): one peer per segment",
			            w[3], t->peers[k].name);
	}
	if (t->npeers == BS_LAB_MAX_PEERS)
		return fail(err, line, "at most 8 peers");
	p = &t->peers[t->npeers];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", w[1]);
	snprintf(p->iface, sizeof(p->iface), "%s", w[3]);
	p->line = line;
	if (add_addrs(p->addrs, &p->naddrs, w, nw, &i, line, err) < 0 ||
	    peer_takes_workstation_addr(t, p, line, NULL, err) < 0 ||
	    parse_routes(p, w, nw, i, line, err) < 0)
		return -1;
	t->npeers++;
	return 0;
}

#define FIREWALL_USAGE "write: firewall [on PEER] 'NFT COMMAND' or firewall [on PEER] file PATH"

/* The rest of a line after spaces, or NULL when it is empty or a comment. */
static char *rest_of(char *s)
{
	s += strspn(s, " \t\r");
	return *s == '\0' || *s == '#' ? NULL : s;
}

/* 'COMMAND': kept whole (nft uses " and # itself), nothing but a comment after it. */
static int firewall_command(struct bs_lab_firewall *f, char *s, int line, struct bs_error *err)
{
	char *end = strchr(s + 1, '\'');

	if (end == NULL)
		return fail(err, line, "the nft command has no closing ' (%s)", FIREWALL_USAGE);
	*end = '\0';
	if (rest_of(end + 1) != NULL)
		return fail(err, line, "'%.40s' follows the nft command: one command per line",
		            rest_of(end + 1));
	if (rest_of(s + 1) == NULL)
		return fail(err, line, "the nft command is empty (%s)", FIREWALL_USAGE);
	if (strlen(s + 1) >= sizeof(f->text))
		return fail(err, line, "the nft command is longer than %zu characters",
		            sizeof(f->text) - 1);
	snprintf(f->text, sizeof(f->text), "%s", s + 1);
	return 0;
}

static int firewall_file(struct bs_lab_firewall *f, char *s, int line, struct bs_error *err)
{
	char *path = rest_of(s), *save = NULL;

	if (path == NULL)
		return fail(err, line, "firewall file needs a PATH (%s)", FIREWALL_USAGE);
	path = strtok_r(path, " \t\r", &save);
	if (rest_of(save != NULL ? save : "") != NULL)
		return fail(err, line, "one ruleset file per line (%s)", FIREWALL_USAGE);
	if (strlen(path) >= sizeof(f->text))
		return fail(err, line, "the ruleset file's path is longer than %zu characters",
		            sizeof(f->text) - 1);
	snprintf(f->text, sizeof(f->text), "%s", path);
	f->file = true;
	return 0;
}

/* firewall [on PEER] 'COMMAND' | firewall [on PEER] file PATH; s follows the word firewall. */
static int parse_firewall(struct bs_topology *t, char *s, int line, struct bs_error *err)
{
	struct bs_lab_firewall f = {.line = line};
	size_t n;

	s += strspn(s, " \t\r");
	if (strncmp(s, "on", 2) == 0 && (s[2] == ' ' || s[2] == '\t')) {
		s += 2 + strspn(s + 2, " \t");
		n = strcspn(s, " \t\r");
		if (n == 0 || *s == '\'' || n >= sizeof(f.peer))
			return fail(err, line, "firewall on needs a peer's name (%s)",
			            FIREWALL_USAGE);
		memcpy(f.peer, s, n);
		s += n + strspn(s + n, " \t\r");
	}
	if (t->nfirewall == BS_LAB_MAX_FIREWALL)
		return fail(err, line, "at most %d firewall lines (put the rules in a file)",
		            BS_LAB_MAX_FIREWALL);
	if (*s == '\'' && firewall_command(&f, s, line, err) < 0)
		return -1;
	if (*s != '\'' && (strncmp(s, "file", 4) != 0 || strchr(" \t\r", s[4]) == NULL))
		return fail(err, line, "%s", FIREWALL_USAGE);
	if (*s != '\'' && firewall_file(&f, s + 4, line, err) < 0)
		return -1;
	t->firewall[t->nfirewall++] = f;
	return 0;
}

/* A firewall line's peer must be declared (anywhere in the file). */
static int check_firewall_peers(const struct bs_topology *t, struct bs_error *err)
{
	for (size_t i = 0; i < t->nfirewall; i++) {
		const struct bs_lab_firewall *f = &t->firewall[i];
		bool found = f->peer[0] == '\0';
		for (size_t k = 0; k < t->npeers && !found; k++)
			found = strcmp(t->peers[k].name, f->peer) == 0;
		if (!found)
			return fail(err, f->line, "firewall on %s: no peer %s is declared", f->peer,
			            f->peer);
	}
	return 0;
}

static int parse_line(struct bs_topology *t, char *text, int line, struct bs_error *err)
{
	char *w[MAX_WORDS], *save = NULL;
	int nw = 0;
	char *start = text + strspn(text, " \t\r");

	if (strncmp(start, "firewall", 8) == 0 && strchr(" \t", start[8]) != NULL)
		return parse_firewall(t, start + 8, line, err);

	text[strcspn(text, "#")] = '\0';
	for (char *tok = strtok_r(text, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (nw == MAX_WORDS)
			return fail(err, line, "too many words");
		w[nw++] = tok;
	}
	if (nw == 0)
		return 0;
	if (strcmp(w[0], "iface") == 0)
		return parse_iface(t, w, nw, line, err);
	if (strcmp(w[0], "peer") == 0)
		return parse_peer(t, w, nw, line, err);
	return fail(err, line, "'%s' is not a statement (use iface, peer or firewall)", w[0]);
}

int bs_topology_parse(const char *text, struct bs_topology *t, struct bs_error *err)
{
	char linebuf[1024];
	int line = 0;

	memset(t, 0, sizeof(*t));
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");
		line++;
		if (n >= sizeof(linebuf))
			return fail(err, line, "the line is too long");
		memcpy(linebuf, text, n);
		linebuf[n] = '\0';
		if (memchr(linebuf, '\0', n) != NULL && strlen(linebuf) != n)
			return fail(err, line, "the line holds a NUL byte");
		if (parse_line(t, linebuf, line, err) < 0)
			return -1;
		text += n + (text[n] == '\n');
	}
	if (t->nifaces == 0)
		return bs_error_set(err, 0,
		                    "the topology declares no interface: add a line such as "
		                    "'iface eth0 192.168.0.110/24'");
	return check_firewall_peers(t, err);
}

/* A ruleset file named relative to the topology is found beside it, wherever bindscope runs. */
static int firewall_files_beside(struct bs_topology *t, const char *path, const char *shown,
                                 struct bs_error *err)
{
	const char *slash = strrchr(path, '/');
	int dir = slash != NULL ? (int)(slash - path + 1) : 0;
	char joined[BS_LAB_RULE_MAX];

	for (size_t i = 0; i < t->nfirewall; i++) {
		struct bs_lab_firewall *f = &t->firewall[i];
		if (!f->file || f->text[0] == '/' || dir == 0)
			continue;
		if (snprintf(joined, sizeof(joined), "%.*s%s", dir, path, f->text) >=
		    (int)sizeof(joined))
			return bs_error_set(
			    err, 0,
			    "%s: line %d: the ruleset file's path is longer than %zu "
			    "characters",
			    shown, f->line, sizeof(joined) - 1);
		memcpy(f->text, joined, sizeof(joined));
	}
	return 0;
}

int bs_topology_load(const char *path, struct bs_topology *t, struct bs_error *err)
{
	char shown[4 * BS_TEXT_ABBREV_MAX + 32], *text;
	struct bs_error inner;
	int rc;

	bs_text_abbrev(path, shown, sizeof(shown)); /* quoted in every sentence */
	text = bs_textfile_read(path, shown, "topology", "assets/labs/default.lab",
	                        (size_t)64 * 1024, err);
	if (text == NULL)
		return -1;
	rc = bs_topology_parse(text, t, &inner);
	free(text);
	if (rc < 0)
		return bs_error_set(err, 0, "%s: %s", shown, inner.msg);
	return firewall_files_beside(t, path, shown, err);
}
