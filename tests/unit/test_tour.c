/* Unit tests of tours as files: every statement and the fields it fills, one test per message
 * the parser and the resolver can give (with its line), the placeholders, bs_tour_load, and
 * every shipped tour against a lab shaped like the one it is written for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/tour.h"

#ifndef TOURS_DIR /* tests/CMakeLists.txt names the source tree's; this is for a lone build */
#define TOURS_DIR "assets/tours"
#endif

/* Labs built by hand. */

/* Add an interface with the addresses given ("192.168.0.110/24", "fe80::1/64"), in order, up
 * to a NULL. */
static void add_iface(struct bs_iface_list *list, const char *name, unsigned index,
                      const char *const *addrs)
{
	struct bs_iface *grown, *f;
	size_t n = 0;

	while (addrs[n] != NULL)
		n++;
	grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
	assert_non_null(grown);
	list->items = grown;
	f = &list->items[list->count++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->index = index;
	f->flags = IFF_UP | IFF_RUNNING;
	f->mtu = 1500;
	f->addrs = calloc(n + 1, sizeof(*f->addrs));
	assert_non_null(f->addrs);
	f->naddrs = n;
	for (size_t i = 0; i < n; i++) {
		struct bs_iface_addr *a = &f->addrs[i];
		char host[INET6_ADDRSTRLEN];
		const char *slash = strchr(addrs[i], '/');

		assert_non_null(slash);
		snprintf(host, sizeof(host), "%.*s", (int)(slash - addrs[i]), addrs[i]);
		a->prefix = (unsigned)atoi(slash + 1);
		a->family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(a->family, host, &a->addr), 1);
		inet_ntop(a->family, &a->addr, a->text, sizeof(a->text));
		if (a->family == AF_INET)
			a->scope = strncmp(host, "127.", 4) == 0 ? BS_SCOPE_HOST : BS_SCOPE_GLOBAL;
		else if (IN6_IS_ADDR_LOOPBACK(&a->addr.v6))
			a->scope = BS_SCOPE_HOST;
		else if (IN6_IS_ADDR_LINKLOCAL(&a->addr.v6))
			a->scope = BS_SCOPE_LINK;
		else
			a->scope = BS_SCOPE_GLOBAL;
	}
}

static const char *const lo_addrs[] = {"127.0.0.1/8", "::1/128", NULL};

/* assets/labs/default.lab, as the workstation sees it. */
static struct bs_iface_list ifaces4;
static const char *const eth0_addrs4[] = {"192.168.0.110/24", NULL};
static const char *const wlan0_addrs4[] = {"192.168.1.10/24", NULL};

/* assets/labs/dual-stack.lab, with the link-local addresses the kernel adds listed first (a
 * placeholder must skip them), a second address of each family on eth0 (a placeholder takes
 * the first), and three awkward interfaces: IPv6 only, link-local only, no address. */
static struct bs_iface_list ifaces6;
static const char *const eth0_addrs6[] = {"fe80::1/64",       "192.168.0.110/24", "fd00::110/64",
                                          "192.168.0.111/24", "fd00::111/64",     NULL};
static const char *const wlan0_addrs6[] = {"fe80::2/64", "192.168.1.10/24", "fd00:0:0:1::10/64",
                                           NULL};
static const char *const six0_addrs[] = {"fe80::6/64", "fd00:6::1/64", NULL};
static const char *const ll0_addrs[] = {"fe80::7/64", NULL};
static const char *const no_addrs[] = {NULL};

static const struct bs_lab_vantage peers4[] = {
    {"eth0-peer", "eth0", "192.168.0.20", 0, -1},
    {"wlan0-peer", "wlan0", "192.168.1.20", 0, -1},
};

static struct bs_tour_lab lab4, lab6, lab_alone;

static int build_labs(void **state)
{
	(void)state;
	add_iface(&ifaces4, "lo", 1, lo_addrs);
	add_iface(&ifaces4, "eth0", 2, eth0_addrs4);
	add_iface(&ifaces4, "wlan0", 3, wlan0_addrs4);
	add_iface(&ifaces6, "lo", 1, lo_addrs);
	add_iface(&ifaces6, "eth0", 2, eth0_addrs6);
	add_iface(&ifaces6, "wlan0", 3, wlan0_addrs6);
	add_iface(&ifaces6, "six0", 4, six0_addrs);
	add_iface(&ifaces6, "ll0", 5, ll0_addrs);
	add_iface(&ifaces6, "bare0", 6, no_addrs);
	lab4 = (struct bs_tour_lab){&ifaces4, peers4, 2};
	lab6 = (struct bs_tour_lab){&ifaces6, peers4, 2};
	lab_alone = (struct bs_tour_lab){&ifaces4, NULL, 0};
	return 0;
}

static int free_labs(void **state)
{
	(void)state;
	bs_iface_list_free(&ifaces4);
	bs_iface_list_free(&ifaces6);
	return 0;
}

/* Helpers. */

/* The message starts with prefix ("line 7: ") and holds part. */
static void assert_message(const char *msg, const char *prefix, const char *part)
{
	if (strncmp(msg, prefix, strlen(prefix)) != 0 || strstr(msg, part) == NULL)
		fail_msg("the message is:\n  %s\nwanted one that starts with '%s' and holds '%s'",
		         msg, prefix, part);
}

/* text does not parse: the message starts with prefix and holds part. */
static void parse_fails(const char *text, const char *prefix, const char *part)
{
	struct bs_tour t;
	struct bs_error err;

	memset(&err, 0, sizeof(err));
	if (bs_tour_parse(text, &t, &err) == 0) {
		bs_tour_free(&t);
		fail_msg("accepted:\n%s", text);
	}
	bs_tour_free(&t);
	assert_message(err.msg, prefix, part);
}

/* text parses, and then does not resolve against lab. */
static void resolve_fails(const char *text, const struct bs_tour_lab *lab, const char *prefix,
                          const char *part)
{
	struct bs_tour t;
	struct bs_error err;

	if (bs_tour_parse(text, &t, &err) < 0) {
		bs_tour_free(&t);
		fail_msg("did not parse (%s):\n%s", err.msg, text);
	}
	memset(&err, 0, sizeof(err));
	if (bs_tour_resolve(&t, lab, &err) == 0) {
		bs_tour_free(&t);
		fail_msg("resolved:\n%s", text);
	}
	bs_tour_free(&t);
	assert_message(err.msg, prefix, part);
}

/* Parse and resolve text, which must work; free with bs_tour_free. */
static void parse_and_resolve(const char *text, const struct bs_tour_lab *lab, struct bs_tour *t)
{
	struct bs_error err;

	if (bs_tour_parse(text, t, &err) < 0) {
		bs_tour_free(t);
		fail_msg("did not parse (%s):\n%s", err.msg, text);
	}
	if (bs_tour_resolve(t, lab, &err) < 0) {
		bs_tour_free(t);
		fail_msg("did not resolve (%s):\n%s", err.msg, text);
	}
}

/* "step S\n" then a line of n copies of c after head, so lengths are exact. */
static char *line_of(const char *before, const char *head, char c, size_t n, const char *after)
{
	size_t len = strlen(before) + strlen(head) + n + strlen(after) + 1;
	char *s = malloc(len);

	assert_non_null(s);
	snprintf(s, len, "%s%s", before, head);
	memset(s + strlen(s), c, n);
	s[strlen(before) + strlen(head) + n] = '\0';
	strcat(s, after);
	return s;
}

/* A good tour: every statement, every option. */

static const char good_tour[] =
    "# A comment, a blank line, and indented statements.\n"
    "\n"
    "title A tour of every statement\n"
    "lab dual-stack\n"
    "step First step\n"
    "  say One line,\n"
    "say\tand a second one\n"
    "say and a third.\n"
    "listen 0.0.0.0:8081\n"
    "listen udp 0.0.0.0:8082 reuseport\n"
    "listen tcp [::]:8083 v6only\n"
    "listen [::]:8084 dual-stack reuseport\n"
    "close 0.0.0.0:8081\n"
    "close udp 0.0.0.0:8082   # with a comment\n"
    "connect 127.0.0.1:8081\n"
    "connect udp from wlan0-peer 192.168.1.10:8082\n"
    "step Second step\n"
    "route eth0-peer add 192.168.1.10/32 via 192.168.0.110\n"
    "route eth0-peer del 192.168.1.10/32\n"
    "firewall 'add table inet tour'\n"
    "firewall on wlan0-peer 'add rule inet tour input tcp dport { 22, 80 } drop' # why\n"
    "sysctl net.ipv4.ip_nonlocal_bind 1\n"
    "sysctl net.ipv4.conf.all.arp_ignore -1\n"
    "expect 0.0.0.0:8081 at 127.0.0.1 open\n"
    "expect tcp 0.0.0.0:8081 at 192.168.0.110 from eth0-peer refused\n"
    "expect udp 0.0.0.0:8082 at 192.168.1.10 timeout\n"
    "expect 0.0.0.0:8081 at ::1 unreachable\n"
    "expect udp 0.0.0.0:8082 at localhost from wlan0-peer open|filtered\n"
    "step Third step\n";

static void test_good_tour_parses(void **state)
{
	struct bs_tour t;
	struct bs_error err;
	const struct bs_tour_step *s;
	const struct bs_tour_action *a;

	(void)state;
	assert_int_equal(bs_tour_parse(good_tour, &t, &err), 0);
	assert_string_equal(t.title, "A tour of every statement");
	assert_string_equal(t.lab, "dual-stack");
	assert_int_equal(t.nsteps, 3);

	s = &t.steps[0];
	assert_string_equal(s->title, "First step");
	assert_int_equal(s->line, 5);
	assert_int_equal(s->nsays, 3);
	assert_int_equal(s->say_lines[0], 6);
	assert_int_equal(s->say_lines[1], 7);
	assert_int_equal(s->say_lines[2], 8);
	assert_int_equal(s->nactions, 8);

	a = &s->actions[0];
	assert_int_equal(a->what, BS_TOUR_LISTEN);
	assert_int_equal(a->line, 9);
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->addr, "0.0.0.0:8081");
	assert_int_equal(a->v6only, -1);
	assert_false(a->reuseport);
	assert_string_equal(a->peer, "");

	a = &s->actions[1];
	assert_int_equal(a->what, BS_TOUR_LISTEN);
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_string_equal(a->addr, "0.0.0.0:8082");
	assert_int_equal(a->v6only, -1);
	assert_true(a->reuseport);

	a = &s->actions[2];
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->addr, "[::]:8083");
	assert_int_equal(a->v6only, 1);
	assert_false(a->reuseport);

	a = &s->actions[3];
	assert_string_equal(a->addr, "[::]:8084");
	assert_int_equal(a->v6only, 0);
	assert_true(a->reuseport);

	a = &s->actions[4];
	assert_int_equal(a->what, BS_TOUR_CLOSE);
	assert_int_equal(a->line, 13);
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->addr, "0.0.0.0:8081");

	a = &s->actions[5];
	assert_int_equal(a->what, BS_TOUR_CLOSE);
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_string_equal(a->addr, "0.0.0.0:8082");

	a = &s->actions[6];
	assert_int_equal(a->what, BS_TOUR_CONNECT);
	assert_int_equal(a->line, 15);
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->peer, "");
	assert_string_equal(a->addr, "127.0.0.1:8081");

	a = &s->actions[7];
	assert_int_equal(a->what, BS_TOUR_CONNECT);
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_string_equal(a->peer, "wlan0-peer");
	assert_string_equal(a->addr, "192.168.1.10:8082");

	s = &t.steps[1];
	assert_string_equal(s->title, "Second step");
	assert_int_equal(s->line, 17);
	assert_int_equal(s->nsays, 0);
	assert_string_equal(s->text, "");
	assert_int_equal(s->nactions, 11);

	a = &s->actions[0];
	assert_int_equal(a->what, BS_TOUR_ROUTE_ADD);
	assert_int_equal(a->line, 18);
	assert_string_equal(a->peer, "eth0-peer");
	assert_string_equal(a->net, "192.168.1.10/32");
	assert_string_equal(a->via, "192.168.0.110");

	a = &s->actions[1];
	assert_int_equal(a->what, BS_TOUR_ROUTE_DEL);
	assert_string_equal(a->peer, "eth0-peer");
	assert_string_equal(a->net, "192.168.1.10/32");
	assert_string_equal(a->via, "");

	a = &s->actions[2];
	assert_int_equal(a->what, BS_TOUR_FIREWALL);
	assert_int_equal(a->line, 20);
	assert_string_equal(a->peer, "");
	assert_string_equal(a->text, "add table inet tour");

	a = &s->actions[3];
	assert_int_equal(a->what, BS_TOUR_FIREWALL);
	assert_string_equal(a->peer, "wlan0-peer");
	assert_string_equal(a->text, "add rule inet tour input tcp dport { 22, 80 } drop");

	a = &s->actions[4];
	assert_int_equal(a->what, BS_TOUR_SYSCTL);
	assert_int_equal(a->line, 22);
	assert_string_equal(a->text, "net.ipv4.ip_nonlocal_bind");
	assert_string_equal(a->value, "1");

	a = &s->actions[5];
	assert_string_equal(a->text, "net.ipv4.conf.all.arp_ignore");
	assert_string_equal(a->value, "-1");

	a = &s->actions[6];
	assert_int_equal(a->what, BS_TOUR_EXPECT);
	assert_int_equal(a->line, 24);
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->addr, "0.0.0.0:8081");
	assert_string_equal(a->at, "127.0.0.1");
	assert_string_equal(a->peer, "");
	assert_int_equal(a->verdict, BS_VERDICT_OPEN);

	a = &s->actions[7];
	assert_int_equal(a->proto, BS_PROTO_TCP);
	assert_string_equal(a->at, "192.168.0.110");
	assert_string_equal(a->peer, "eth0-peer");
	assert_int_equal(a->verdict, BS_VERDICT_REFUSED);

	a = &s->actions[8];
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_string_equal(a->addr, "0.0.0.0:8082");
	assert_string_equal(a->at, "192.168.1.10");
	assert_string_equal(a->peer, "");
	assert_int_equal(a->verdict, BS_VERDICT_TIMEOUT);

	a = &s->actions[9];
	assert_string_equal(a->at, "::1");
	assert_int_equal(a->verdict, BS_VERDICT_UNREACHABLE);

	a = &s->actions[10];
	assert_int_equal(a->line, 28);
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_string_equal(a->at, "localhost");
	assert_string_equal(a->peer, "wlan0-peer");
	assert_int_equal(a->verdict, BS_VERDICT_OPEN_FILTERED);

	s = &t.steps[2];
	assert_string_equal(s->title, "Third step");
	assert_int_equal(s->line, 29);
	assert_int_equal(s->nactions, 0);
	bs_tour_free(&t);
	assert_null(t.steps);
	assert_int_equal(t.nsteps, 0);
}

/* Resolving joins a step's say lines into one paragraph, with a space; the good tour's
 * addresses and peers all check. */
static void test_good_tour_resolves(void **state)
{
	struct bs_tour t;

	(void)state;
	parse_and_resolve(good_tour, &lab6, &t);
	assert_string_equal(t.steps[0].text, "One line, and a second one and a third.");
	assert_string_equal(t.steps[1].text, "");
	/* check_address takes [::1]-style brackets off; the others stay as written */
	assert_string_equal(t.steps[1].actions[9].at, "::1");
	assert_string_equal(t.steps[1].actions[10].at, "localhost");
	bs_tour_free(&t);
}

/* Windows line ends, a last line without \n, and title, lab and step without a tour title. */
static void test_crlf_and_no_final_newline(void **state)
{
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_tour_parse("title T\r\nstep One \r\nsay a\r\nlisten 0.0.0.0:1\r\n"
	                               "step Two",
	                               &t, &err),
	                 0);
	assert_string_equal(t.title, "T");
	assert_int_equal(t.nsteps, 2);
	assert_string_equal(t.steps[0].title, "One");
	assert_string_equal(t.steps[0].text, "a");
	assert_string_equal(t.steps[0].actions[0].addr, "0.0.0.0:1");
	assert_string_equal(t.steps[1].title, "Two");
	assert_int_equal(t.steps[1].line, 5);
	bs_tour_free(&t);

	assert_int_equal(bs_tour_parse("step Only\n", &t, &err), 0);
	assert_string_equal(t.title, "");
	assert_string_equal(t.lab, "");
	bs_tour_free(&t);
}

/* The limits themselves are allowed: 64 steps, 16 actions, 16 say lines, a 1023-character line. */
static void test_limits_are_allowed(void **state)
{
	char *text = malloc(64 * 16 + 1024 + 64), *p = text, *line;
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	assert_non_null(text);
	p[0] = '\0';
	for (int i = 0; i < 64; i++)
		p += sprintf(p, "step %d\n", i + 1);
	assert_int_equal(bs_tour_parse(text, &t, &err), 0);
	assert_int_equal(t.nsteps, 64);
	assert_string_equal(t.steps[63].title, "64");
	bs_tour_free(&t);

	p = text + sprintf(text, "step S\n");
	for (int i = 0; i < 16; i++)
		p += sprintf(p, "close 0.0.0.0:%d\nsay %d\n", i + 1, i + 1);
	assert_int_equal(bs_tour_parse(text, &t, &err), 0);
	assert_int_equal(t.steps[0].nactions, 16);
	assert_int_equal(t.steps[0].nsays, 16);
	assert_int_equal(t.steps[0].say_lines[15], 33);
	assert_string_equal(t.steps[0].actions[15].addr, "0.0.0.0:16");
	bs_tour_free(&t);
	free(text);

	line = line_of("step S\n", "# ", 'x', 1021, "\n");
	assert_int_equal(strlen(strchr(line, '\n') + 1), 1024); /* 1023 and its \n */
	assert_int_equal(bs_tour_parse(line, &t, &err), 0);
	bs_tour_free(&t);
	free(line);
}

/* Parse errors: one test per message, each naming its line. */

static void test_error_not_a_statement(void **state)
{
	(void)state;
	parse_fails(
	    "step S\n\nlisen 0.0.0.0:8081\n", "line 3: ",
	    "'lisen' is not a statement (use title, lab, step, say, listen, close, connect, "
	    "route, firewall, sysctl or expect)");
	/* a word that only starts like a statement is not one */
	parse_fails("step S\nsaying hello\n", "line 2: ", "'saying' is not a statement");
	parse_fails("step S\nfirewall'x'\n", "line 2: ", "'firewall'x'' is not a statement");
}

static void test_error_too_many_words(void **state)
{
	(void)state;
	parse_fails("step S\nlisten 0.0.0.0:1 a b c d e f g h i j k l m n o\n",
	            "line 2: ", "too many words");
}

static void test_error_say_before_step(void **state)
{
	(void)state;
	parse_fails("title T\nsay Hello.\nstep S\n",
	            "line 2: ", "say comes before any step: write 'step TITLE' first");
}

static void test_error_say_without_text(void **state)
{
	(void)state;
	parse_fails("step S\nsay \t \n",
	            "line 2: ", "say needs a text: say Every address answers.");
}

static void test_error_action_before_step(void **state)
{
	static const char *const actions[] = {
	    "listen 0.0.0.0:8081\n",
	    "close 0.0.0.0:8081\n",
	    "connect 127.0.0.1:8081\n",
	    "route eth0-peer add 10.0.0.0/8 via 192.168.0.110\n",
	    "route eth0-peer del 10.0.0.0/8\n",
	    "firewall 'add table inet t'\n",
	    "sysctl net.ipv4.ip_forward 1\n",
	    "expect 0.0.0.0:8081 at 127.0.0.1 open\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		snprintf(text, sizeof(text), "title T\n%sstep S\n", actions[i]);
		parse_fails(
		    text, "line 2: ", "an action comes before any step: write 'step TITLE' first");
	}
}

static void test_error_title_twice_or_late(void **state)
{
	(void)state;
	parse_fails("title A\ntitle B\nstep S\n",
	            "line 2: ", "title is given once, before the first step");
	parse_fails("step S\ntitle A\n", "line 2: ", "title is given once, before the first step");
}

static void test_error_title_without_text(void **state)
{
	(void)state;
	parse_fails("title   \nstep S\n",
	            "line 1: ", "title needs a text: title What binding exposes");
}

static void test_error_lab_twice_or_late(void **state)
{
	(void)state;
	parse_fails("lab default\nlab dual-stack\nstep S\n",
	            "line 2: ", "lab is given once, before the first step");
	parse_fails("step S\nlab default\n",
	            "line 2: ", "lab is given once, before the first step");
}

static void test_error_lab_not_one_name(void **state)
{
	(void)state;
	parse_fails("lab\nstep S\n", "line 1: ", "lab needs one name or file: lab dual-stack");
	parse_fails("title T\nlab dual stack\nstep S\n",
	            "line 2: ", "lab needs one name or file: lab dual-stack");
}

static void test_error_step_without_title(void **state)
{
	(void)state;
	parse_fails("step One\nstep  \n",
	            "line 2: ", "a step needs a title: step Listen on every interface");
}

static void test_error_too_many_steps(void **state)
{
	char text[65 * 16], *p = text;

	(void)state;
	for (int i = 0; i < 65; i++)
		p += sprintf(p, "step %d\n", i + 1);
	parse_fails(text, "line 65: ", "at most 64 steps in a tour");
}

static void test_error_too_many_actions(void **state)
{
	char text[32 + 17 * 32], *p = text;

	(void)state;
	p += sprintf(p, "step S\n");
	for (int i = 0; i < 17; i++)
		p += sprintf(p, "listen 0.0.0.0:%d\n", 8000 + i);
	parse_fails(text, "line 18: ", "at most 16 actions per step");
}

static void test_error_too_many_says(void **state)
{
	char text[32 + 17 * 32], *p = text;

	(void)state;
	p += sprintf(p, "step S\n");
	for (int i = 0; i < 17; i++)
		p += sprintf(p, "say line %d\n", i + 1);
	parse_fails(text, "line 18: ", "at most 16 say lines per step");
}

static void test_error_step_text_too_long(void **state)
{
	char *one = line_of("step Long\n", "say ", 'a', 600, "\n");
	char *two = line_of(one, "say ", 'b', 600, "\n");

	(void)state;
	parse_fails(two, "line 3: ", "step 'Long' has more than 1023 characters of text");
	free(one);
	free(two);
}

/* copy_arg's message, for every field it fills. */
static void test_error_argument_too_long(void **state)
{
	static const struct {
		const char *head; /* the line up to the long word */
		size_t n;         /* how long */
		const char *tail; /* after it */
		const char *what; /* the field the message names */
		const char *max;
	} cases[] = {
	    {"title ", 96, "", "the title 'xxxx", "longer than 95 characters"},
	    {"step ", 96, "", "the step's title 'xxxx", "longer than 95 characters"},
	    {"lab ", 512, "", "the lab's name 'xxxx", "longer than 511 characters"},
	    {"listen ", 72, "", "the address 'xxxx", "longer than 71 characters"},
	    {"close udp ", 72, "", "the address 'xxxx", "longer than 71 characters"},
	    {"connect from ", 64, " 1.2.3.4:80", "the peer's name 'xxxx",
	     "longer than 63 characters"},
	    {"connect ", 72, "", "the address 'xxxx", "longer than 71 characters"},
	    {"route ", 64, " del 10.0.0.0/8", "the peer's name 'xxxx", "longer than 63 characters"},
	    {"route p del ", 64, "", "the network 'xxxx", "longer than 63 characters"},
	    {"route p add 10.0.0.0/8 via ", 64, "", "the gateway 'xxxx",
	     "longer than 63 characters"},
	    {"sysctl net.", 508, " 1", "the setting's name 'net.xxxx",
	     "longer than 511 characters"},
	    {"firewall '", 512, "'", "the nft command 'xxxx", "longer than 511 characters"},
	    {"expect ", 72, " at 1.2.3.4 open", "the address 'xxxx", "longer than 71 characters"},
	    {"expect 0.0.0.0:1 at ", 64, " open", "the address 'xxxx", "longer than 63 characters"},
	    {"expect 0.0.0.0:1 at 1.2.3.4 from ", 64, " open", "the peer's name 'xxxx",
	     "longer than 63 characters"},
	};
	char tail[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int title =
		    strcmp(cases[i].head, "title ") == 0 || strcmp(cases[i].head, "lab ") == 0;
		char *text;

		snprintf(tail, sizeof(tail), "%s\n%s", cases[i].tail, title ? "step S\n" : "");
		text = line_of(title ? "" : "step S\n", cases[i].head, 'x', cases[i].n, tail);
		parse_fails(text, title ? "line 1: " : "line 2: ", cases[i].what);
		parse_fails(text, title ? "line 1: " : "line 2: ", cases[i].max);
		/* one character less fits */
		free(text);
		text = line_of(title ? "" : "step S\n", cases[i].head, 'x', cases[i].n - 1, tail);
		{
			struct bs_tour t;
			struct bs_error err;
			if (bs_tour_parse(text, &t, &err) < 0)
				fail_msg("a field of %zu characters was refused: %s",
				         cases[i].n - 1, err.msg);
			bs_tour_free(&t);
		}
		free(text);
	}
	/* the message shows the first 32 characters, then ... */
	parse_fails(
	    "step S\nlisten 0123456789012345678901234567890123456789012345678901234567890123"
	    "456789xx\n",
	    "line 2: ",
	    "the address '01234567890123456789012345678901...' is longer than 71 characters");
	/* a sysctl value longer than its field, still a number */
	parse_fails(
	    "step S\nsysctl net.ipv4.ip_forward 123456789012345678901234567890123\n",
	    "line 2: ", "the value '12345678901234567890123456789012...' is longer than 31");
}

static void test_error_listen_without_address(void **state)
{
	(void)state;
	parse_fails("step S\nlisten udp\n", "line 2: ",
	            "listen needs ADDR:PORT: listen [tcp|udp] 0.0.0.0:8081 [v6only|dual-stack] "
	            "[reuseport]");
	parse_fails("step S\nlisten\n", "line 2: ", "listen needs ADDR:PORT");
	/* close says its own form, without listen's options */
	{
		struct bs_tour t;
		struct bs_error err;

		assert_int_equal(bs_tour_parse("step S\nclose tcp\n", &t, &err), -1);
		bs_tour_free(&t);
		assert_string_equal(err.msg,
		                    "line 2: close needs ADDR:PORT: close [tcp|udp] 0.0.0.0:8081");
	}
}

static void test_fixed_edges(void **state)
{
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	parse_fails("step S\nlisten [::]:1 v6only dual-stack\n",
	            "line 2: ", "give v6only or dual-stack, once");
	parse_fails("step S\nfirewall on "
	            "a-very-long-peer-name-that-goes-on-and-on-and-on-and-on-and-on-and-on-x 'x'\n",
	            "line 2: ", "the peer's name 'a-very-long");
	assert_int_equal(bs_tour_parse("lab default # the lab\nstep S\n", &t, &err), 0);
	assert_string_equal(t.lab, "default");
	bs_tour_free(&t);
}

static void test_error_listen_option(void **state)
{
	(void)state;
	parse_fails("step S\nlisten [::]:8081 v6-only\n", "line 2: ",
	            "'v6-only' is not an option of listen (use v6only, dual-stack or reuseport)");
	parse_fails("step S\nlisten udp 0.0.0.0:8081 reuseport udp\n",
	            "line 2: ", "'udp' is not an option of listen");
}

static void test_error_close_extra_words(void **state)
{
	(void)state;
	parse_fails("step S\nclose 0.0.0.0:8081 reuseport\n",
	            "line 2: ", "close takes only [tcp|udp] ADDR:PORT, not 'reuseport'");
	parse_fails("step S\nclose udp [::]:8081 v6only\n",
	            "line 2: ", "close takes only [tcp|udp] ADDR:PORT, not 'v6only'");
}

static void test_error_connect_form(void **state)
{
	static const char *const lines[] = {
	    "connect\n",
	    "connect udp\n",
	    "connect 1.2.3.4:80 1.2.3.5:80\n",
	    "connect from eth0-peer\n",
	    "connect tcp from eth0-peer 1.2.3.4:80 extra\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "step S\n%s", lines[i]);
		parse_fails(text, "line 2: ", "write: connect [tcp|udp] [from PEER] ADDR:PORT");
	}
}

static void test_error_route_form(void **state)
{
	static const char *const lines[] = {
	    "route\n",
	    "route eth0-peer\n",
	    "route eth0-peer add 10.0.0.0/8\n",
	    "route eth0-peer add 10.0.0.0/8 to 192.168.0.110\n",
	    "route eth0-peer add 10.0.0.0/8 via 192.168.0.110 extra\n",
	    "route eth0-peer del\n",
	    "route eth0-peer del 10.0.0.0/8 via 192.168.0.110\n",
	    "route eth0-peer change 10.0.0.0/8\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "step S\n%s", lines[i]);
		parse_fails(text, "line 2: ",
		            "write: route PEER add NET/PREFIX via ADDRESS, or route PEER del "
		            "NET/PREFIX");
	}
}

static void test_error_sysctl_form(void **state)
{
	(void)state;
	parse_fails("step S\nsysctl net.ipv4.ip_forward\n",
	            "line 2: ", "write: sysctl NAME VALUE (sysctl net.ipv4.ip_nonlocal_bind 1)");
	parse_fails("step S\nsysctl net.ipv4.ip_forward 1 2\n",
	            "line 2: ", "write: sysctl NAME VALUE");
}

static void test_error_sysctl_not_net(void **state)
{
	static const char *const names[] = {"kernel.panic", "net",         "net.",
	                                    "net..ipv4",    "net.ipv4.",   "net.IPv4.ip_forward",
	                                    "netx.ipv4",    "net.ipv4/ip", "vm.net.x"};
	char text[128], part[128];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "step S\nsysctl %s 1\n", names[i]);
		snprintf(part, sizeof(part),
		         "'%s' is not a network setting: a tour sets only net.* settings, those of "
		         "the lab's own network",
		         names[i]);
		parse_fails(text, "line 2: ", part);
	}
}

static void test_error_sysctl_value(void **state)
{
	static const char *const values[] = {"yes", "-", "1.5", "--1", "1-", "0x10"};
	char text[128], part[128];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(text, sizeof(text), "step S\nsysctl net.ipv4.ip_forward %s\n", values[i]);
		snprintf(part, sizeof(part), "sysctl net.ipv4.ip_forward: '%s' is not a number",
		         values[i]);
		parse_fails(text, "line 2: ", part);
	}
}

/* expect's form is checked twice: before the verdict ("at" missing) and after (extra words). */
static void test_error_expect_form(void **state)
{
	static const char *const lines[] = {
	    "expect\n",
	    "expect 0.0.0.0:1 open\n",
	    "expect udp 0.0.0.0:1 at 1.2.3.4\n",
	    "expect 0.0.0.0:1 on 1.2.3.4 open\n",
	    "expect 0.0.0.0:1 at 1.2.3.4 open extra\n",
	    "expect 0.0.0.0:1 at 1.2.3.4 from eth0-peer\n",
	    "expect 0.0.0.0:1 at 1.2.3.4 from eth0-peer open extra\n",
	    "expect 0.0.0.0:1 at 1.2.3.4 by eth0-peer open\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "step S\n%s", lines[i]);
		parse_fails(text, "line 2: ",
		            "write: expect [tcp|udp] ADDR:PORT at ADDR [from PEER] VERDICT");
	}
}

static void test_error_expect_verdict(void **state)
{
	(void)state;
	parse_fails("step S\nexpect 0.0.0.0:1 at 1.2.3.4 closed\n", "line 2: ",
	            "'closed' is not a verdict (use open, refused, timeout, unreachable or "
	            "open|filtered)");
	parse_fails("step S\nexpect udp 0.0.0.0:1 at 1.2.3.4 from eth0-peer filtered\n",
	            "line 2: ", "'filtered' is not a verdict");
	parse_fails("step S\nexpect 0.0.0.0:1 at 1.2.3.4 Open\n",
	            "line 2: ", "'Open' is not a verdict");
}

static void test_error_firewall_quotes(void **state)
{
	static const char *const lines[] = {
	    "firewall add table inet t\n",
	    "firewall\n",
	    "firewall 'add table inet t\n",
	    "firewall \"add table inet t\"\n",
	    "firewall on eth0-peer add table inet t\n",
	    "firewall on\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "step S\n%s", lines[i]);
		parse_fails(
		    text, "line 2: ",
		    "write the nft command in single quotes: firewall [on PEER] 'add rule inet "
		    "filter input tcp dport 8082 drop'");
	}
}

static void test_error_firewall_trailing_text(void **state)
{
	(void)state;
	parse_fails("step S\nfirewall 'add table inet t' 'add table ip u'\n",
	            "line 2: ", "''add table ip u'' follows the nft command: one command per line");
	parse_fails("step S\nfirewall on eth0-peer 'add table inet t' drop\n",
	            "line 2: ", "'drop' follows the nft command");
}

static void test_error_firewall_empty(void **state)
{
	(void)state;
	parse_fails("step S\nfirewall ''\n", "line 2: ", "the nft command is empty");
	parse_fails("step S\nfirewall on eth0-peer ' \t '\n",
	            "line 2: ", "the nft command is empty");
}

static void test_error_firewall_on_without_peer(void **state)
{
	(void)state;
	parse_fails("step S\nfirewall on 'add table inet t'\n",
	            "line 2: ", "firewall on needs a peer's name: firewall on eth0-peer 'COMMAND'");
	parse_fails("step S\nfirewall on  \n", "line 2: ", "firewall on needs a peer's name");
}

static void test_error_line_too_long(void **state)
{
	char *text = line_of("step S\n", "say ", 'a', 1020, "\nsay b\n");

	(void)state;
	assert_int_equal(strlen(strchr(text, '\n') + 1), 1025 + 6); /* 1024, its \n, "say b\n" */
	parse_fails(text, "line 2: ", "the line is longer than 1023 characters");
	free(text);
	/* a comment is a line too */
	text = line_of("step S\n\n", "#", '#', 2000, "\n");
	parse_fails(text, "line 3: ", "the line is longer than 1023 characters");
	free(text);
}

static void test_error_no_step(void **state)
{
	static const char *const texts[] = {"", "\n\n", "# only a comment\n", "title T\nlab x\n"};
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(bs_tour_parse(texts[i], &t, &err), -1);
		bs_tour_free(&t);
		assert_string_equal(err.msg,
		                    "the tour has no step: add one such as 'step Listen on "
		                    "every interface' with a 'say' line under it");
	}
}

/* Placeholders. */

static void test_placeholders(void **state)
{
	struct bs_tour t;

	(void)state;
	parse_and_resolve(
	    "step On {wlan0}\n"
	    "say eth0 {eth0}, eth0:6 {eth0:6}, wlan0:6 {wlan0:6}, lo {lo}, lo:6 {lo:6};\n"
	    "say {peer:eth0} at {peeraddr:eth0}, {peer:wlan0} at {peeraddr:wlan0};\n"
	    "say six0 {six0}, ll0 {ll0}, {six0:6}.\n"
	    "say As written: { 22, 80 } {a b} {} {{eth0}} {eth0 {eth0,1} { x } }{\n"
	    "listen [{eth0:6}]:8092 v6only\n"
	    "listen {wlan0}:8085\n"
	    "connect from {peer:wlan0} {eth0}:8081\n"
	    "route {peer:eth0} add {wlan0}/32 via {eth0}\n"
	    "route {peer:wlan0} del {eth0:6}/128\n"
	    "expect [{wlan0:6}]:8092 at {wlan0:6} from {peer:wlan0} open\n"
	    "expect {wlan0}:8085 at [{eth0:6}] open\n"
	    "firewall on {peer:eth0} 'add rule inet t input ip saddr {peeraddr:wlan0} "
	    "tcp dport { 22, 80 } drop'\n"
	    "sysctl net.ipv4.ip_forward 1\n",
	    &lab6, &t);
	/* a step's title is filled in too */
	assert_string_equal(t.steps[0].title, "On 192.168.1.10");
	assert_string_equal(
	    t.steps[0].text,
	    "eth0 192.168.0.110, eth0:6 fd00::110, wlan0:6 fd00:0:0:1::10, lo "
	    "127.0.0.1, lo:6 ::1; "
	    "eth0-peer at 192.168.0.20, wlan0-peer at 192.168.1.20; "
	    "six0 fe80::6%six0, ll0 fe80::7%ll0, fd00:6::1. "
	    "As written: { 22, 80 } {a b} {} {192.168.0.110} {eth0 {eth0,1} { x } }{");
	assert_string_equal(t.steps[0].actions[0].addr, "[fd00::110]:8092");
	assert_string_equal(t.steps[0].actions[1].addr, "192.168.1.10:8085");
	assert_string_equal(t.steps[0].actions[2].peer, "wlan0-peer");
	assert_string_equal(t.steps[0].actions[2].addr, "192.168.0.110:8081");
	assert_string_equal(t.steps[0].actions[3].peer, "eth0-peer");
	assert_string_equal(t.steps[0].actions[3].net, "192.168.1.10/32");
	assert_string_equal(t.steps[0].actions[3].via, "192.168.0.110");
	assert_string_equal(t.steps[0].actions[4].peer, "wlan0-peer");
	assert_string_equal(t.steps[0].actions[4].net, "fd00::110/128");
	assert_string_equal(t.steps[0].actions[5].addr, "[fd00:0:0:1::10]:8092");
	assert_string_equal(t.steps[0].actions[5].at, "fd00:0:0:1::10");
	assert_string_equal(t.steps[0].actions[5].peer, "wlan0-peer");
	assert_string_equal(t.steps[0].actions[6].at, "fd00::110"); /* brackets taken off */
	assert_string_equal(t.steps[0].actions[7].peer, "eth0-peer");
	assert_string_equal(
	    t.steps[0].actions[7].text,
	    "add rule inet t input ip saddr 192.168.1.20 tcp dport { 22, 80 } drop");
	/* a sysctl is not filled in, and it has nothing to fill */
	assert_string_equal(t.steps[0].actions[8].text, "net.ipv4.ip_forward");
	bs_tour_free(&t);
}

/* The IPv4-only lab: {eth0} is its one address, and IFNAME:PORT is an endpoint too. */
static void test_placeholders_default_lab(void **state)
{
	struct bs_tour t;

	(void)state;
	parse_and_resolve("step S\nsay {eth0} {wlan0} {peer:wlan0} {peeraddr:eth0}\n"
	                  "listen eth0:8081\nexpect localhost:8081 at localhost open\n",
	                  &lab4, &t);
	assert_string_equal(t.steps[0].text, "192.168.0.110 192.168.1.10 wlan0-peer 192.168.0.20");
	assert_string_equal(t.steps[0].actions[0].addr, "eth0:8081");
	bs_tour_free(&t);
}

/* Resolve errors: one test per message, each naming its line. */

static void test_resolve_unknown_interface(void **state)
{
	(void)state;
	{
		struct bs_tour t;
		struct bs_error err;

		assert_int_equal(bs_tour_parse("step S\nsay on {wlan1}\n", &t, &err), 0);
		assert_int_equal(bs_tour_resolve(&t, &lab4, &err), -1);
		bs_tour_free(&t);
		assert_string_equal(err.msg,
		                    "line 2: {wlan1}: this lab has no interface wlan1 (it has lo, "
		                    "eth0, wlan0)");
	}
	resolve_fails("step S\nsay a\n\nsay b\nsay c {wlan1:6}\n", &lab6, "line 5: ",
	              "{wlan1:6}: this lab has no interface wlan1 (it has lo, eth0, wlan0, six0, "
	              "ll0, bare0)");
	/* in a step's title: the step's line */
	resolve_fails("title T\nstep On {eth1}\nsay a\n", &lab4,
	              "line 2: ", "{eth1}: this lab has no interface eth1");
	/* in an action's argument: the action's line */
	resolve_fails("step S\nsay a\nlisten {eth1}:80\n", &lab4,
	              "line 3: ", "{eth1}: this lab has no interface eth1");
	/* {8080} is an nft set of one port, not a placeholder */
	{
		struct bs_tour t;
		struct bs_error err;
		assert_int_equal(
		    bs_tour_parse(
		        "step S\nfirewall 'add rule inet t input tcp dport {8080} drop'\n", &t,
		        &err),
		    0);
		assert_int_equal(bs_tour_resolve(&t, &lab4, &err), 0);
		assert_string_equal(t.steps[0].actions[0].text,
		                    "add rule inet t input tcp dport {8080} drop");
		bs_tour_free(&t);
	}
	/* a peer placeholder of a long interface name is not cut before it is filled in */
	resolve_fails("step S\nconnect from {peer:enp0s31f6} 1.2.3.4:80\n", &lab4,
	              "line 2: ", "{peer:enp0s31f6}: this lab has no peer on enp0s31f6");
	/* the second step's errors are found too */
	resolve_fails("step One\nsay a\nstep Two\nexpect 0.0.0.0:1 at {eth1} open\n", &lab4,
	              "line 4: ", "{eth1}: this lab has no interface eth1");
}

static void test_resolve_interface_name_too_long(void **state)
{
	(void)state;
	resolve_fails("step S\nsay {abcdefghijklmnopqrstuvwxyz0123456789}\n", &lab4, "line 2: ",
	              "{abcdefghijklmnopqrstuvwxyz012345...}: no interface has so long a name");
}

static void test_resolve_no_ipv6_address(void **state)
{
	(void)state;
	resolve_fails("step S\nsay {eth0:6}\n", &lab4,
	              "line 2: ", "{eth0:6}: eth0 has no IPv6 address in this lab");
	/* a link-local address is not one */
	resolve_fails("step S\nlisten [{ll0:6}]:80\n", &lab6,
	              "line 2: ", "{ll0:6}: ll0 has no IPv6 address in this lab");
}

static void test_resolve_no_address(void **state)
{
	(void)state;
	resolve_fails("step S\nsay {bare0}\n", &lab6,
	              "line 2: ", "{bare0}: bare0 has no address in this lab");
}

static void test_resolve_no_peer_on_interface(void **state)
{
	(void)state;
	resolve_fails("step S\nconnect from {peer:wlan9} 1.2.3.4:80\n", &lab4,
	              "line 2: ", "{peer:wlan9}: this lab has no peer on wlan9");
	resolve_fails("step S\nsay {peeraddr:lo}\n", &lab4,
	              "line 2: ", "{peeraddr:lo}: this lab has no peer on lo");
	resolve_fails("step S\nsay {peer:eth0}\n", &lab_alone,
	              "line 2: ", "{peer:eth0}: this lab has no peer on eth0");
}

static void test_resolve_unknown_peer(void **state)
{
	static const char *const lines[] = {
	    "connect from bogus 192.168.0.110:80\n",
	    "route bogus add 10.0.0.0/8 via 192.168.0.110\n",
	    "route bogus del 10.0.0.0/8\n",
	    "firewall on bogus 'add table inet t'\n",
	    "expect 0.0.0.0:80 at 192.168.0.110 from bogus open\n",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "step S\nsay a\n%s", lines[i]);
		resolve_fails(text, &lab4,
		              "line 3: ", "this lab has no peer bogus (eth0-peer, wlan0-peer)");
		resolve_fails(text, &lab_alone, "line 3: ",
		              "this lab has no peer bogus (it has no "
		              "peers)");
	}
}

static void test_resolve_bad_endpoint(void **state)
{
	(void)state;
	resolve_fails("step S\nlisten 192.168.0.300:8081\n", &lab4, "line 2: ",
	              "\"192.168.0.300:8081\": '192.168.0.300' is not a valid IPv4 address");
	resolve_fails("step S\nclose [::1]:99999\n", &lab4,
	              "line 2: ", "\"[::1]:99999\": port 99999 is too large");
	resolve_fails("step S\nconnect wlan1:8081\n", &lab4,
	              "line 2: ", "'wlan1' is neither an IPv4 address nor an interface");
	resolve_fails("step S\nexpect ::1:80 at ::1 open\n", &lab4,
	              "line 2: ", "an IPv6 address needs brackets");
	/* a placeholder's value is checked as written in */
	resolve_fails("step S\nlisten {eth0:6}:8092\n", &lab6, "line 2: ", "\"fd00::110:8092\"");
}

static void test_resolve_port_alone(void **state)
{
	(void)state;
	resolve_fails("step S\nlisten 8081\n", &lab4,
	              "line 2: ", "'8081' is a port alone: write ADDR:PORT (0.0.0.0:8081)");
	resolve_fails("step S\nsay a\nexpect udp 53 at 127.0.0.1 open\n", &lab4,
	              "line 3: ", "'53' is a port alone: write ADDR:PORT (0.0.0.0:53)");
	resolve_fails("step S\nconnect from eth0-peer 22\n", &lab4,
	              "line 2: ", "'22' is a port alone");
	resolve_fails("step S\nclose 8081\n", &lab4, "line 2: ", "'8081' is a port alone");
}

static void test_resolve_expect_at_not_address(void **state)
{
	static const char *const ats[] = {"eth0", "192.168.0.300", "[::1",
	                                  "[]",   "fe80::1%eth0",  "127.0.0.1:80"};
	char text[128], part[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ats) / sizeof(ats[0]); i++) {
		snprintf(text, sizeof(text), "step S\nexpect 0.0.0.0:80 at %s open\n", ats[i]);
		snprintf(part, sizeof(part),
		         "'%s' is not an address (write 192.168.1.10, ::1 or localhost)", ats[i]);
		resolve_fails(text, &lab4, "line 2: ", part);
	}
	/* brackets are taken off before the message quotes it */
	resolve_fails("step S\nexpect [::]:80 at [wlan0] open\n", &lab4,
	              "line 2: ", "'wlan0' is not an address");
}

static void test_resolve_route_net(void **state)
{
	static const char *const nets[] = {
	    "192.168.1.0", "192.168.1.0/33", "192.168.1.0/", "192.168.1.0/x",  "192.168.1.0/24x",
	    "fd00::/129",  "wlan0/24",       "/24",          "192.168.1.0/-1", "192.168.1.300/24"};
	char text[128], part[128];

	(void)state;
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		snprintf(text, sizeof(text), "step S\nroute eth0-peer del %s\n", nets[i]);
		snprintf(part, sizeof(part), "route '%s': write NET/PREFIX (192.168.1.0/24)",
		         nets[i]);
		resolve_fails(text, &lab4, "line 2: ", part);
		snprintf(text, sizeof(text), "step S\nroute eth0-peer add %s via 192.168.0.110\n",
		         nets[i]);
		resolve_fails(text, &lab4, "line 2: ", part);
	}
	/* the edges of the prefix are fine */
	{
		struct bs_tour t;

		parse_and_resolve("step S\nroute eth0-peer del 0.0.0.0/0\nroute eth0-peer del "
		                  "10.0.0.1/32\nroute wlan0-peer del ::/0\nroute wlan0-peer del "
		                  "fd00::1/128\n",
		                  &lab4, &t);
		bs_tour_free(&t);
	}
}

static void test_resolve_route_via(void **state)
{
	static const char *const vias[] = {"gateway", "192.168.0.300", "fd00::1::2", "eth0",
	                                   "192.168.0.110/24"};
	char text[128], part[128];

	(void)state;
	for (size_t i = 0; i < sizeof(vias) / sizeof(vias[0]); i++) {
		snprintf(text, sizeof(text), "step S\nroute eth0-peer add 10.0.0.0/8 via %s\n",
		         vias[i]);
		snprintf(part, sizeof(part), "route via '%s': not an address", vias[i]);
		resolve_fails(text, &lab4, "line 2: ", part);
	}
	{
		struct bs_tour t;

		parse_and_resolve("step S\nroute eth0-peer add fd00:1::/64 via fd00::110\n", &lab4,
		                  &t);
		bs_tour_free(&t);
	}
}

/* A field filled in past its size: fill's own message. */
static void test_resolve_field_too_long(void **state)
{
	(void)state;
	/* 11 placeholders of 6 characters (66) become 11 x 13 (143), past the address's 71 */
	resolve_fails("step S\nlisten {eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}"
	              "{eth0}:1\n",
	              &lab4, "line 2: ",
	              "the text is longer than 71 characters once its placeholders are filled in");
	/* a step's title: 95 characters at most */
	resolve_fails("step {eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}{eth0}\n", &lab4, "line 1: ",
	              "the text is longer than 95 characters once its placeholders are filled in");
	/* one say line past a step's text */
	{
		char *text = malloc(1024), *p;

		assert_non_null(text);
		p = text + sprintf(text, "step S\nsay ");
		for (int i = 0; i < 80; i++)
			p += sprintf(p, "{eth0}");
		sprintf(p, "\n");
		resolve_fails(text, &lab4, "line 2: ",
		              "the text is longer than 1023 characters once its placeholders are "
		              "filled in");
		free(text);
	}
}

/* Say lines that fit one by one and not once joined. */
static void test_resolve_step_text_too_long(void **state)
{
	char *text = malloc(1024), *p;

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, "step Long\n");
	for (int line = 0; line < 2; line++) {
		p += sprintf(p, "say ");
		for (int i = 0; i < 40; i++)
			p += sprintf(p, "{eth0}"); /* 40 x 13 = 520 characters each */
		p += sprintf(p, "\n");
	}
	resolve_fails(text, &lab4, "line 3: ",
	              "step 'Long' has more than 1023 characters of text once its placeholders are "
	              "filled in");
	free(text);
}

/* Verdicts. */

static void test_verdict_words(void **state)
{
	(void)state;
	assert_int_equal(bs_tour_verdict("open"), BS_VERDICT_OPEN);
	assert_int_equal(bs_tour_verdict("refused"), BS_VERDICT_REFUSED);
	assert_int_equal(bs_tour_verdict("timeout"), BS_VERDICT_TIMEOUT);
	assert_int_equal(bs_tour_verdict("unreachable"), BS_VERDICT_UNREACHABLE);
	assert_int_equal(bs_tour_verdict("open|filtered"), BS_VERDICT_OPEN_FILTERED);
	assert_int_equal(bs_tour_verdict("closed"), -1);
	assert_int_equal(bs_tour_verdict(""), -1);
	assert_int_equal(bs_tour_verdict("OPEN"), -1);
	assert_int_equal(bs_tour_verdict("open "), -1);
	assert_int_equal(bs_tour_verdict("filtered"), -1);
	assert_int_equal(bs_tour_verdict("pending"), -1);
	assert_int_equal(bs_tour_verdict("error"), -1);
}

/* bs_tour_load. */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bs-tour-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[384];

	(void)state;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

/* Write n bytes of data to tmpdir/name; the path goes into path. */
static void write_file(const char *name, const void *data, size_t n, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void test_load_missing_file(void **state)
{
	char path[128], want[256];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.tour", tmpdir);
	assert_int_equal(bs_tour_load(path, &t, &err), -1);
	bs_tour_free(&t);
	assert_int_equal(err.code, ENOENT);
	snprintf(want, sizeof(want), "cannot read the tour %s: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

static void test_load_directory(void **state)
{
	char want[256];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_tour_load(tmpdir, &t, &err), -1);
	bs_tour_free(&t);
	assert_int_equal(err.code, EISDIR);
	snprintf(want, sizeof(want),
	         "the tour %s is a directory: give a file, such as assets/tours/walkthrough.tour",
	         tmpdir);
	assert_string_equal(err.msg, want);
}

static void test_load_nul_byte(void **state)
{
	static const char data[] = "step S\nsay a\0b\n";
	char path[128], want[256];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	write_file("nul.tour", data, sizeof(data) - 1, path, sizeof(path));
	assert_int_equal(bs_tour_load(path, &t, &err), -1);
	bs_tour_free(&t);
	snprintf(want, sizeof(want), "the tour %s is not text (it holds a NUL byte)", path);
	assert_string_equal(err.msg, want);
}

static void test_load_too_large(void **state)
{
	size_t n = 300 * 1024;
	char *data = malloc(n), path[128], want[256];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i += 8)
		memcpy(data + i, "step S\n\n", 8);
	write_file("big.tour", data, n, path, sizeof(path));
	free(data);
	assert_int_equal(bs_tour_load(path, &t, &err), -1);
	bs_tour_free(&t);
	snprintf(want, sizeof(want), "the tour %s is too large (256 KiB at most)", path);
	assert_string_equal(err.msg, want);
}

/* 256 KiB exactly is read; one byte more is not. */
static void test_load_size_edge(void **state)
{
	size_t n = 256 * 1024;
	char *data = malloc(n + 1), path[128];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	assert_non_null(data);
	memset(data, '#', n + 1);
	memcpy(data, "step S\n", 7);
	for (size_t i = 7 + 499; i <= n; i += 500)
		data[i] = '\n';
	write_file("edge.tour", data, n, path, sizeof(path));
	assert_int_equal(bs_tour_load(path, &t, &err), 0);
	assert_int_equal(t.nsteps, 1);
	bs_tour_free(&t);
	write_file("edge1.tour", data, n + 1, path, sizeof(path));
	free(data);
	assert_int_equal(bs_tour_load(path, &t, &err), -1);
	bs_tour_free(&t);
	assert_non_null(strstr(err.msg, "is too large (256 KiB at most)"));
}

static void test_load_parse_error_names_file_and_line(void **state)
{
	static const char data[] = "title T\nstep S\nsay a\nlisen 0.0.0.0:1\n";
	char path[128], want[256];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	write_file("bad.tour", data, sizeof(data) - 1, path, sizeof(path));
	assert_int_equal(bs_tour_load(path, &t, &err), -1);
	bs_tour_free(&t);
	snprintf(want, sizeof(want), "%s: line 4: 'lisen' is not a statement", path);
	assert_message(err.msg, want, "(use title, lab, step");
}

static void test_load_good_file(void **state)
{
	static const char data[] = "title Loaded\nlab default\nstep One\nsay Hello {wlan0}.\n"
	                           "listen {wlan0}:8085\n";
	char path[128];
	struct bs_tour t;
	struct bs_error err;

	(void)state;
	write_file("good.tour", data, sizeof(data) - 1, path, sizeof(path));
	assert_int_equal(bs_tour_load(path, &t, &err), 0);
	assert_string_equal(t.title, "Loaded");
	assert_string_equal(t.lab, "default");
	assert_int_equal(t.nsteps, 1);
	assert_int_equal(t.steps[0].actions[0].line, 5);
	assert_int_equal(bs_tour_resolve(&t, &lab4, &err), 0);
	assert_string_equal(t.steps[0].text, "Hello 192.168.1.10.");
	assert_string_equal(t.steps[0].actions[0].addr, "192.168.1.10:8085");
	bs_tour_free(&t);
}

/* The shipped tours. */

static void load_shipped(const char *name, struct bs_tour *t)
{
	char path[512];
	struct bs_error err;

	snprintf(path, sizeof(path), "%s/%s", TOURS_DIR, name);
	if (bs_tour_load(path, t, &err) < 0) {
		bs_tour_free(t);
		fail_msg("%s", err.msg);
	}
}

/* Every file in assets/tours parses and resolves in the lab it is written for. */
static void test_shipped_tours(void **state)
{
	DIR *d = opendir(TOURS_DIR);
	struct dirent *e;
	int tours = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct bs_tour t;
		struct bs_error err;
		size_t expects = 0;

		if (n < 6 || strcmp(e->d_name + n - 5, ".tour") != 0)
			continue;
		load_shipped(e->d_name, &t);
		assert_true(t.nsteps >= 2);
		assert_true(t.title[0] != '\0');
		for (size_t i = 0; i < t.nsteps; i++) {
			assert_true(t.steps[i].title[0] != '\0');
			assert_true(t.steps[i].nsays > 0);
		}
		/* dual-stack.tour is written for the dual-stack lab: the default one has no IPv6 */
		if (strcmp(t.lab, "dual-stack") == 0) {
			assert_int_equal(bs_tour_resolve(&t, &lab4, &err), -1);
			assert_message(err.msg, "line ", "has no IPv6 address in this lab");
			bs_tour_free(&t);
			load_shipped(e->d_name, &t);
		}
		if (bs_tour_resolve(&t, strcmp(t.lab, "dual-stack") == 0 ? &lab6 : &lab4, &err) <
		    0) {
			bs_tour_free(&t);
			fail_msg("%s: %s", e->d_name, err.msg);
		}
		for (size_t i = 0; i < t.nsteps; i++) {
			assert_null(strchr(t.steps[i].text, '\n'));
			for (size_t k = 0; k < t.steps[i].nactions; k++) {
				const struct bs_tour_action *a = &t.steps[i].actions[k];
				assert_null(strchr(a->addr, '{'));
				assert_null(strchr(a->at, '{'));
				assert_null(strchr(a->peer, '{'));
				expects += a->what == BS_TOUR_EXPECT;
			}
		}
		assert_true(expects > 0);
		bs_tour_free(&t);
		tours++;
	}
	closedir(d);
	assert_true(tours >= 3);
}

/* A few resolved values of the shipped tours, so a placeholder that resolves wrong shows. */
static void test_shipped_tours_resolve_right(void **state)
{
	struct bs_tour t;
	struct bs_error err;
	const struct bs_tour_action *a;

	(void)state;
	load_shipped("walkthrough.tour", &t);
	assert_int_equal(t.lab[0], '\0');
	assert_int_equal(bs_tour_resolve(&t, &lab4, &err), 0);
	assert_non_null(strstr(t.steps[0].text, "eth0 192.168.0.110 and wlan0 192.168.1.10, with a "
	                                        "host on each segment: eth0-peer at 192.168.0.20 "
	                                        "and wlan0-peer at 192.168.1.20. Space takes"));
	a = &t.steps[2].actions[0];
	assert_int_equal(a->what, BS_TOUR_LISTEN);
	assert_string_equal(a->addr, "192.168.1.10:8085");
	a = &t.steps[2].actions[3];
	assert_int_equal(a->what, BS_TOUR_EXPECT);
	assert_string_equal(a->peer, "wlan0-peer");
	assert_string_equal(a->at, "192.168.1.10");
	assert_int_equal(a->verdict, BS_VERDICT_OPEN);
	a = &t.steps[7].actions[0];
	assert_int_equal(a->what, BS_TOUR_ROUTE_ADD);
	assert_string_equal(a->peer, "eth0-peer");
	assert_string_equal(a->net, "192.168.1.10/32");
	assert_string_equal(a->via, "192.168.0.110");
	bs_tour_free(&t);

	load_shipped("udp.tour", &t);
	assert_int_equal(bs_tour_resolve(&t, &lab4, &err), 0);
	a = &t.steps[3].actions[1];
	assert_int_equal(a->what, BS_TOUR_FIREWALL);
	assert_string_equal(a->text, "add chain inet tour input { type filter hook input priority "
	                             "-10; policy accept; }");
	a = &t.steps[3].actions[3];
	assert_int_equal(a->proto, BS_PROTO_UDP);
	assert_int_equal(a->verdict, BS_VERDICT_OPEN_FILTERED);
	assert_string_equal(a->addr, "192.168.1.10:8082");
	bs_tour_free(&t);

	load_shipped("dual-stack.tour", &t);
	assert_string_equal(t.lab, "dual-stack");
	assert_int_equal(bs_tour_resolve(&t, &lab6, &err), 0);
	a = &t.steps[1].actions[0];
	assert_int_equal(a->v6only, 1);
	a = &t.steps[3].actions[0];
	assert_int_equal(a->v6only, 0);
	a = &t.steps[5].actions[0];
	assert_string_equal(a->addr, "[fd00:0:0:1::10]:8092");
	a = &t.steps[5].actions[2];
	assert_string_equal(a->at, "fd00::110");
	bs_tour_free(&t);
}

int main(void)
{
	const struct CMUnitTest parse[] = {
	    cmocka_unit_test(test_good_tour_parses),
	    cmocka_unit_test(test_crlf_and_no_final_newline),
	    cmocka_unit_test(test_limits_are_allowed),
	    cmocka_unit_test(test_error_not_a_statement),
	    cmocka_unit_test(test_error_too_many_words),
	    cmocka_unit_test(test_error_say_before_step),
	    cmocka_unit_test(test_error_say_without_text),
	    cmocka_unit_test(test_error_action_before_step),
	    cmocka_unit_test(test_error_title_twice_or_late),
	    cmocka_unit_test(test_error_title_without_text),
	    cmocka_unit_test(test_error_lab_twice_or_late),
	    cmocka_unit_test(test_error_lab_not_one_name),
	    cmocka_unit_test(test_error_step_without_title),
	    cmocka_unit_test(test_error_too_many_steps),
	    cmocka_unit_test(test_error_too_many_actions),
	    cmocka_unit_test(test_error_too_many_says),
	    cmocka_unit_test(test_error_step_text_too_long),
	    cmocka_unit_test(test_error_argument_too_long),
	    cmocka_unit_test(test_error_listen_without_address),
	    cmocka_unit_test(test_error_listen_option),
	    cmocka_unit_test(test_fixed_edges),
	    cmocka_unit_test(test_error_close_extra_words),
	    cmocka_unit_test(test_error_connect_form),
	    cmocka_unit_test(test_error_route_form),
	    cmocka_unit_test(test_error_sysctl_form),
	    cmocka_unit_test(test_error_sysctl_not_net),
	    cmocka_unit_test(test_error_sysctl_value),
	    cmocka_unit_test(test_error_expect_form),
	    cmocka_unit_test(test_error_expect_verdict),
	    cmocka_unit_test(test_error_firewall_quotes),
	    cmocka_unit_test(test_error_firewall_trailing_text),
	    cmocka_unit_test(test_error_firewall_empty),
	    cmocka_unit_test(test_error_firewall_on_without_peer),
	    cmocka_unit_test(test_error_line_too_long),
	    cmocka_unit_test(test_error_no_step),
	    cmocka_unit_test(test_verdict_words),
	};
	const struct CMUnitTest resolve[] = {
	    cmocka_unit_test(test_good_tour_resolves),
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_placeholders_default_lab),
	    cmocka_unit_test(test_resolve_unknown_interface),
	    cmocka_unit_test(test_resolve_interface_name_too_long),
	    cmocka_unit_test(test_resolve_no_ipv6_address),
	    cmocka_unit_test(test_resolve_no_address),
	    cmocka_unit_test(test_resolve_no_peer_on_interface),
	    cmocka_unit_test(test_resolve_unknown_peer),
	    cmocka_unit_test(test_resolve_bad_endpoint),
	    cmocka_unit_test(test_resolve_port_alone),
	    cmocka_unit_test(test_resolve_expect_at_not_address),
	    cmocka_unit_test(test_resolve_route_net),
	    cmocka_unit_test(test_resolve_route_via),
	    cmocka_unit_test(test_resolve_field_too_long),
	    cmocka_unit_test(test_resolve_step_text_too_long),
	    cmocka_unit_test(test_shipped_tours),
	    cmocka_unit_test(test_shipped_tours_resolve_right),
	};
	const struct CMUnitTest load[] = {
	    cmocka_unit_test(test_load_missing_file),
	    cmocka_unit_test(test_load_directory),
	    cmocka_unit_test(test_load_nul_byte),
	    cmocka_unit_test(test_load_too_large),
	    cmocka_unit_test(test_load_size_edge),
	    cmocka_unit_test(test_load_parse_error_names_file_and_line),
	    cmocka_unit_test(test_load_good_file),
	};
	int failed = 0;

	build_labs(NULL);
	failed += cmocka_run_group_tests_name("parse", parse, NULL, NULL);
	failed += cmocka_run_group_tests_name("resolve", resolve, NULL, NULL);
	failed += cmocka_run_group_tests_name("load", load, make_tmpdir, remove_tmpdir);
	free_labs(NULL);
	return failed;
}
