/*
 * `bindscope sockets`: every listening socket on this machine, who owns it and what it
 * exposes, most exposed first. Like `ss -ltnup`, with the question answered.
 */
#include <stdio.h>
#include <string.h>

#include "bindscope/sockets.h"
#include "bindscope/textbuf.h"

/*
 * The cells of one row of the table, each safe for the terminal: the program name, the
 * interface and the device come from outside (a process can name itself
 * "py\033]0;PWNED\007x"), so control bytes and bytes that are not UTF-8 are escaped as \ooo,
 * as ps and ss do. Each cell has room for every byte escaped: nothing is cut.
 * tests/fuzz/fuzz_owners.c compiles this part of the file alone (CMD_SOCKETS_ROW_ONLY).
 */
struct sockets_row {
	char local[4 * (BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE) + 1];
	char exposure[4 * 128 + 1];
	char user[4 * 33 + 1];
	char owner[4 * 1024 + 1];
};

static void sockets_row_cells(const struct bs_socket *s, struct sockets_row *row)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], exposure[128], owner[1024], user[33];

	bs_socket_local_text(s, local, sizeof(local));
	bs_exposure_class_text(s, exposure, sizeof(exposure));
	bs_socket_owner_text(s, owner, sizeof(owner));
	if (s->user[0] != '\0')
		snprintf(user, sizeof(user), "%s", s->user);
	else
		snprintf(user, sizeof(user), "%u", (unsigned)s->uid); /* a uid with no name */
	bs_text_safe(local, row->local, sizeof(row->local));
	bs_text_safe(exposure, row->exposure, sizeof(row->exposure));
	bs_text_safe(user, row->user, sizeof(row->user));
	bs_text_safe(owner, row->owner, sizeof(row->owner));
}

#ifndef CMD_SOCKETS_ROW_ONLY
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "bindscope/firewall.h"
#include "bindscope/lab.h"
#include "bindscope/lookup.h"
#include "bindscope/netns.h"
#include "bindscope/netns_list.h"

#include "cli_firewall.h"
#include "cli_util.h"
#include "commands.h"

static const char sockets_usage[] =
    "Usage: bindscope sockets [-t] [-u] [-4] [-6] [--exposed] [--all-namespaces] [--json]\n"
    "\n"
    "List the listening TCP sockets and bound UDP sockets of this machine (as ss -ltnup\n"
    "does), most exposed first: who owns each one, and who can reach it.\n"
    "\n"
    "Exposure: 'IPv4 and IPv6, every interface' ([::] without IPV6_V6ONLY, shown *:PORT),\n"
    "'all IPv4 interfaces' (0.0.0.0), 'all IPv6 interfaces' ([::] with IPV6_V6ONLY),\n"
    "'one device' (SO_BINDTODEVICE, shown ADDR%DEV:PORT), 'one interface: wlan0' (one\n"
    "address), 'loopback only' (127.0.0.0/8, ::1: this machine only).\n"
    "USER is the socket's user (anyone may see it); OWNER every process that holds it,\n"
    "with its systemd unit. Other users' processes show 'owner unknown (needs root)'\n"
    "unless run as root.\n"
    "\n"
    "  -t, --tcp       TCP only          -u, --udp       UDP only\n"
    "  -4, --ipv4      IPv4 only         -6, --ipv6      IPv6 only\n"
    "  -x, --exposed   only sockets reachable from outside loopback\n"
    "  -a, --all-namespaces   every network namespace of the machine (containers, ip netns,\n"
    "                  the lab's peers), each read from inside it (needs root to enter)\n"
    "  -j, --json      print a JSON document\n"
    "  -h, --help      show this help\n";

struct sockets_opts {
	unsigned flags;
	bool exposed, json, all_namespaces;
};

/* The firewall as read once for the whole listing, and room for one socket's verdicts. */
struct sockets_firewall {
	struct bs_fw_ruleset *fw; /* NULL: not read (why says why) */
	char why[BS_ERROR_MSG_MAX + 32];
	const struct bs_iface_list *ifaces;
	uint64_t netns; /* the namespace it is read in: 0 for this process's */
	struct bs_fw_iface_verdict *v;
	size_t cap;
};

static int sockets_firewall_read(struct sockets_firewall *f, const struct bs_iface_list *ifaces,
                                 struct bs_error *err)
{
	f->ifaces = ifaces;
	f->cap = 2 * ifaces->count + 1; /* every interface, both families */
	f->v = calloc(f->cap, sizeof(*f->v));
	if (f->v == NULL)
		return bs_error_set(err, ENOMEM, "out of memory reading the firewall");
	f->fw = bs_fw_read_or_why(f->why, sizeof(f->why));
	return 0;
}

static void sockets_firewall_free(struct sockets_firewall *f)
{
	bs_fw_free(f->fw);
	free(f->v);
}

/* s's verdicts, per interface where it can be reached from outside: how many. */
static size_t socket_fw(struct sockets_firewall *f, const struct bs_socket *s)
{
	size_t n = bs_fw_socket_exposure(f->fw, s, f->ifaces, f->v, f->cap);

	return n < f->cap ? n : f->cap; /* cap covers every interface twice: never short */
}

static json_t *socket_fw_json(struct sockets_firewall *f, const struct bs_socket *s)
{
	json_t *a;
	size_t n;

	if (f->fw == NULL)
		return json_null();
	a = json_array();
	n = socket_fw(f, s);
	for (size_t i = 0; i < n; i++) {
		json_t *one = cli_fw_verdict_json(f->fw, &f->v[i].verdict, f->v[i].family);
		json_object_set_new(one, "iface", cli_json_text(f->v[i].iface));
		json_object_set_new(one, "family",
		                    json_string(f->v[i].family == AF_INET6 ? "ipv6" : "ipv4"));
		json_array_append_new(a, one);
	}
	return a;
}

static int parse_sockets_opts(int argc, char **argv, struct sockets_opts *o)
{
	static const struct option longopts[] = {
	    {"tcp", no_argument, NULL, 't'},
	    {"udp", no_argument, NULL, 'u'},
	    {"ipv4", no_argument, NULL, '4'},
	    {"ipv6", no_argument, NULL, '6'},
	    {"exposed", no_argument, NULL, 'x'},
	    {"json", no_argument, NULL, 'j'},
	    {"all-namespaces", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned proto = 0, family = 0;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "tu46xjah", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			proto |= BS_SOCKETS_TCP;
			break;
		case 'u':
			proto |= BS_SOCKETS_UDP;
			break;
		case '4':
			family |= BS_SOCKETS_IPV4;
			break;
		case '6':
			family |= BS_SOCKETS_IPV6;
			break;
		case 'x':
			o->exposed = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'a':
			o->all_namespaces = true;
			break;
		case 'h':
			fputs(sockets_usage, stdout);
			return BS_EXIT_OK;
		default:
			return cli_usage_error("sockets", NULL);
		}
	}
	if (optind < argc)
		return cli_usage_error("sockets", "unexpected argument '%s'", argv[optind]);
	/* Like ss: no protocol flag means both, no family flag means both. */
	o->flags = (proto ? proto : BS_SOCKETS_TCP | BS_SOCKETS_UDP) |
	           (family ? family : BS_SOCKETS_IPV4 | BS_SOCKETS_IPV6);
	return -1;
}

/* [{"pid", "program", "user"}]: the processes that hold it, as many as were named. */
static json_t *holders_json(const struct bs_socket *s)
{
	json_t *a = json_array();
	size_t n = s->nholders < BS_SOCKET_HOLDERS_MAX ? s->nholders : BS_SOCKET_HOLDERS_MAX;

	for (size_t i = 0; i < n; i++) {
		const char *user = bs_user_name(s->holders[i].uid);
		json_array_append_new(a,
		                      json_pack("{s:i,s:o,s:i,s:o}", "pid", (int)s->holders[i].pid,
		                                "program", cli_json_text(s->holders[i].program),
		                                "uid", (int)s->holders[i].uid, "user",
		                                user[0] ? cli_json_text(user) : json_null()));
	}
	return a;
}

static json_t *socket_json(const struct bs_socket *s, struct sockets_firewall *f)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], addr[BS_ENDPOINT_TEXT_MAX], text[128];
	json_t *o = json_object();

	bs_socket_local_text(s, local, sizeof(local));
	bs_endpoint_addr_text(&s->local, addr, sizeof(addr));
	bs_exposure_class_text(s, text, sizeof(text));
	json_object_set_new(o, "proto", json_string(bs_proto_name(s->proto)));
	json_object_set_new(o, "local", cli_json_text(local));
	json_object_set_new(o, "address", cli_json_text(addr));
	json_object_set_new(o, "port", json_integer(s->local.port));
	json_object_set_new(o, "family",
	                    cli_json_text(s->local.family == AF_INET6 ? "ipv6" : "ipv4"));
	json_object_set_new(o, "v6only", s->v6only < 0 ? json_null() : json_boolean(s->v6only));
	json_object_set_new(o, "device",
	                    s->bound_dev[0] ? cli_json_text(s->bound_dev) : json_null());
	json_object_set_new(o, "exposure", json_string(bs_exposure_class_id(s->exposure)));
	json_object_set_new(o, "exposure_text", cli_json_text(text));
	json_object_set_new(o, "interface", s->iface[0] ? cli_json_text(s->iface) : json_null());
	json_object_set_new(o, "backlog",
	                    s->proto == BS_PROTO_TCP ? json_integer((json_int_t)s->backlog)
	                                             : json_null());
	json_object_set_new(o, "queued",
	                    s->proto == BS_PROTO_TCP ? json_integer((json_int_t)s->queued)
	                                             : json_null());
	json_object_set_new(o, "uid", json_integer(s->uid));
	json_object_set_new(o, "inode", json_integer((json_int_t)s->inode));
	json_object_set_new(o, "user", s->user[0] ? cli_json_text(s->user) : json_null());
	if (s->pid != 0)
		json_object_set_new(
		    o, "owner",
		    json_pack("{s:i,s:o,s:o,s:o,s:o,s:I}", "pid", (int)s->pid, "program",
		              cli_json_text(s->program), "cmdline", cli_json_text(s->cmdline),
		              "unit", s->unit[0] ? cli_json_text(s->unit) : json_null(), "holders",
		              holders_json(s), "processes", (json_int_t)s->nholders));
	else
		json_object_set_new(o, "owner", json_null());
	bs_socket_owner_text(s, text, sizeof(text));
	json_object_set_new(o, "owner_text", cli_json_text(text));
	json_object_set_new(o, "firewall", socket_fw_json(f, s));
	return o;
}

static bool keep(const struct sockets_opts *o, const struct bs_socket *s)
{
	return !o->exposed || s->exposure != BS_EXPOSED_LOOPBACK;
}

/* Under a socket's row, what the firewall lets through, where it has rules to say. */
static void print_fw_line(struct sockets_firewall *f, const struct bs_socket *s)
{
	char text[2048];
	size_t n;

	if (f->fw == NULL || bs_fw_base_chain_count(f->fw) == 0)
		return;
	n = socket_fw(f, s);
	bs_fw_socket_exposure_text(f->fw, s, f->v, n, text, sizeof(text));
	if (text[0] != '\0')
		printf("      firewall: %s\n", text); /* interface names made safe inside */
}

static void print_fw_footer(const struct sockets_firewall *f)
{
	char line[BS_ERROR_MSG_MAX + 256];

	bs_fw_summary(f->fw, f->why, line, sizeof(line));
	if (f->why[0] != '\0')
		printf("%s: what it lets through is not shown.\n", line);
	else if (f->fw == NULL || bs_fw_base_chain_count(f->fw) == 0)
		printf("%s.\n", line);
}

#define MAX_PUBLISHED 256

/* Where a published connection goes: delivered here (the input chain sees it), to another
 * namespace of this machine, or elsewhere; in words for the text, as an id for JSON. */
static const char *published_fate(const struct bs_fw_publish *p, const struct bs_iface_list *ifaces,
                                  uint64_t netns, char *where, size_t len)
{
	struct bs_endpoint ep;
	char text[BS_LAB_ADDR_MAX + 8];

	where[0] = '\0';
	if (p->redirect)
		return "here";
	snprintf(text, sizeof(text), strchr(p->to_addr, ':') ? "[%s]:1" : "%s:1", p->to_addr);
	if (bs_endpoint_parse(text, NULL, &ep, NULL) == 0 && bs_lookup_is_local(ifaces, &ep))
		return "here";
	if (bs_netns_who_has(p->to_addr, p->proto, p->to_port ? p->to_port : p->port, netns, where,
	                     len))
		return "namespace";
	return "elsewhere";
}

static void print_published(const struct sockets_firewall *f)
{
	static struct bs_fw_publish pubs[MAX_PUBLISHED];
	size_t n = f->fw != NULL ? bs_fw_published(f->fw, pubs, MAX_PUBLISHED) : 0;
	char line[1024], where[1200], safe[4 * 1200];

	if (n == 0)
		return;
	printf("Published by the firewall (dnat):\n");
	for (size_t i = 0; i < n && i < MAX_PUBLISHED; i++) {
		const char *fate =
		    published_fate(&pubs[i], f->ifaces, f->netns, where, sizeof(where));
		bs_fw_publish_text(&pubs[i], line, sizeof(line));
		bs_text_safe(line, safe, sizeof(safe));
		printf("  %s\n", safe);
		if (strcmp(fate, "here") == 0)
			printf("      delivered here: the input chain sees it\n");
		else {
			bs_text_safe(where, safe, sizeof(safe));
			printf("      %s; %s\n",
			       strcmp(fate, "namespace") == 0
			           ? safe
			           : "on another machine (no namespace here has "
			             "that address)",
			       pubs[i].output ? "this host's own connections are sent there: they "
			                        "leave through the "
			                        "output chain, and no input chain here sees them"
			                      : "from another machine it is forwarded, not "
			                        "delivered here: it goes "
			                        "through the forward chain, so input rules (ufw's "
			                        "among them) never "
			                        "see it");
		}
		if (!pubs[i].exact) {
			bs_text_safe(pubs[i].text, safe, sizeof(safe));
			printf("      the rule: %s\n", safe);
		}
	}
	if (n > MAX_PUBLISHED)
		printf("  (and %zu more published ports, not shown)\n", n - MAX_PUBLISHED);
}

static json_t *published_json(const struct sockets_firewall *f)
{
	static struct bs_fw_publish pubs[MAX_PUBLISHED];
	size_t n = f->fw != NULL ? bs_fw_published(f->fw, pubs, MAX_PUBLISHED) : 0;
	json_t *a = json_array();
	char where[1200];

	for (size_t i = 0; i < n && i < MAX_PUBLISHED; i++) {
		const struct bs_fw_publish *p = &pubs[i];
		const char *fate = published_fate(p, f->ifaces, f->netns, where, sizeof(where));
		json_array_append_new(
		    a, json_pack("{s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:b,s:b,s:s,s:o,s:o,s:b}", "proto",
		                 p->any_proto ? "tcp/udp" : bs_proto_name(p->proto), "port",
		                 p->port ? json_integer(p->port) : json_null(), "iif",
		                 p->iif[0] ? cli_json_text(p->iif) : json_null(), "iif_not",
		                 p->iif_not, "daddr",
		                 p->daddr[0] ? cli_json_text(p->daddr) : json_null(), "to_addr",
		                 p->to_addr[0] ? cli_json_text(p->to_addr) : json_null(), "to_port",
		                 p->to_port ? json_integer(p->to_port) : json_null(), "redirect",
		                 p->redirect, "output", p->output, "delivered", fate, "where",
		                 where[0] ? cli_json_text(where) : json_null(), "rule",
		                 cli_json_text(p->where), "exact", p->exact));
	}
	return a;
}

static void print_text(const struct bs_socket_list *list, const struct sockets_opts *o,
                       struct sockets_firewall *f)
{
	static struct sockets_row row; /* 5 KiB: not on the stack */
	size_t shown = 0, wide_local = 5, wide_exposure = 8, wide_user = 4;

	/* Columns as wide as their widest shown cell, so OWNER always lines up. */
	for (size_t i = 0; i < list->count; i++) {
		if (!keep(o, &list->items[i]))
			continue;
		sockets_row_cells(&list->items[i], &row);
		if (strlen(row.local) > wide_local)
			wide_local = strlen(row.local);
		if (strlen(row.exposure) > wide_exposure)
			wide_exposure = strlen(row.exposure);
		if (strlen(row.user) > wide_user)
			wide_user = strlen(row.user);
	}
	printf("%-5s %-*s  %-*s  %-*s  %s\n", "PROTO", (int)wide_local, "LOCAL", (int)wide_exposure,
	       "EXPOSURE", (int)wide_user, "USER", "OWNER");
	for (size_t i = 0; i < list->count; i++) {
		const struct bs_socket *s = &list->items[i];
		if (!keep(o, s))
			continue;
		sockets_row_cells(s, &row);
		printf("%-5s %-*s  %-*s  %-*s  %s\n", bs_proto_name(s->proto), (int)wide_local,
		       row.local, (int)wide_exposure, row.exposure, (int)wide_user, row.user,
		       row.owner);
		print_fw_line(f, s);
		shown++;
	}
	if (shown == 0)
		printf("(no %slistening sockets)\n", o->exposed ? "exposed " : "");
	print_published(f);
	print_fw_footer(f);
}

/*
 * {"sockets": [ … ]} with one socket object per line, each built and freed in turn: ten
 * thousand sockets never sit in memory as one tree.
 */
/* "firewall": {...}, "sockets": [...], at indent (the object's own members). */
static void print_json_members(const struct bs_socket_list *list, const struct sockets_opts *o,
                               struct sockets_firewall *f, const char *indent)
{
	bool first = true;
	json_t *fw = cli_fw_status_json(f->fw, f->why);

	printf("%s\"firewall\": ", indent);
	json_dumpf(fw, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(fw);
	fw = published_json(f);
	printf(",\n%s\"published\": ", indent);
	json_dumpf(fw, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(fw);
	printf(",\n%s\"sockets\": [", indent);
	for (size_t i = 0; i < list->count; i++) {
		json_t *one;
		if (!keep(o, &list->items[i]))
			continue;
		one = socket_json(&list->items[i], f);
		printf(first ? "\n%s  " : ",\n%s  ", indent);
		json_dumpf(one, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(one);
		first = false;
	}
	if (first)
		fputs("]", stdout);
	else
		printf("\n%s]", indent);
}

static int print_json(const struct bs_socket_list *list, const struct sockets_opts *o,
                      struct sockets_firewall *f)
{
	fputs("{\n", stdout);
	print_json_members(list, o, f, "  ");
	fputs("\n}\n", stdout);
	return fflush(stdout) == 0 && !ferror(stdout) ? BS_EXIT_OK : BS_EXIT_FAILURE;
}

/* What one namespace holds: its interfaces, its sockets, its firewall. */
struct listing {
	struct bs_iface_list ifaces;
	struct bs_socket_list list;
	struct sockets_firewall f;
};

static int listing_read(struct listing *l, const struct sockets_opts *o, struct bs_error *err)
{
	memset(l, 0, sizeof(*l));
	if (bs_iface_list_read(&l->ifaces, err) < 0)
		return -1;
	if (bs_sockets_read(&l->list, o->flags, &l->ifaces, err) < 0 ||
	    sockets_firewall_read(&l->f, &l->ifaces, err) < 0)
		return -1;
	return 0;
}

static void listing_free(struct listing *l)
{
	sockets_firewall_free(&l->f);
	bs_socket_list_free(&l->list);
	bs_iface_list_free(&l->ifaces);
}

/* One namespace's listing, read from inside it; -1 with err when it cannot be entered. */
static int listing_read_in(struct listing *l, const struct bs_netns *ns,
                           const struct sockets_opts *o, struct bs_error *err)
{
	struct bs_netns_visit visit;
	char who[128];
	int fd, rc;

	if (ns->own)
		return listing_read(l, o, err);
	memset(l, 0, sizeof(*l));
	if ((fd = bs_netns_open(ns, err)) < 0)
		return -1;
	snprintf(who, sizeof(who), "net:[%llu]", (unsigned long long)ns->inode);
	rc = bs_netns_enter(fd, who, &visit, err);
	close(fd);
	if (rc < 0) {
		if (err->code == EPERM)
			bs_error_set(err, EPERM,
			             "not read: entering another network namespace needs "
			             "root (CAP_SYS_ADMIN)");
		return -1;
	}
	rc = listing_read(l, o, err);
	l->f.netns = ns->inode;
	bs_netns_leave(&visit);
	return rc;
}

static json_t *netns_json(const struct bs_netns *ns)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:I}", "inode", (json_int_t)ns->inode, "kind",
	                 ns->kind, "name", ns->name[0] ? cli_json_text(ns->name) : json_null(),
	                 "pid", ns->pid > 0 ? json_integer(ns->pid) : json_null(), "program",
	                 ns->pid > 0 ? cli_json_text(ns->program) : json_null(), "processes",
	                 (json_int_t)ns->processes);
}

static void print_namespace(const struct bs_netns *ns, struct listing *l, const char *why,
                            const struct sockets_opts *o, bool first)
{
	char text[256], safe[1024];

	if (o->json) {
		json_t *n = netns_json(ns);
		fputs(first ? "\n    {\"namespace\": " : ",\n    {\"namespace\": ", stdout);
		json_dumpf(n, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(n);
		if (why != NULL) {
			json_t *w = cli_json_text(why);
			fputs(", \"read\": false, \"why\": ", stdout);
			json_dumpf(w, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
			json_decref(w);
			fputs(", \"firewall\": null, \"sockets\": null}", stdout);
			return;
		}
		fputs(", \"read\": true, \"why\": null,\n", stdout);
		print_json_members(&l->list, o, &l->f, "      ");
		fputs("}", stdout);
		return;
	}
	bs_netns_text(ns, text, sizeof(text));
	bs_text_safe(text, safe, sizeof(safe));
	printf("%sNamespace %s\n", first ? "" : "\n", safe);
	if (why != NULL)
		printf("  %s\n", why);
	else
		print_text(&l->list, o, &l->f);
}

static int all_namespaces(const struct sockets_opts *o)
{
	struct bs_netns *nss = NULL;
	size_t hidden = 0;
	struct bs_error err;
	long n = bs_netns_list(&nss, &hidden, &err);

	if (n < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (o->json)
		fputs("{\n  \"namespaces\": [", stdout);
	for (long i = 0; i < n; i++) {
		struct listing l;
		bool ok = listing_read_in(&l, &nss[i], o, &err) == 0;
		print_namespace(&nss[i], &l, ok ? NULL : err.msg, o, i == 0);
		listing_free(&l);
	}
	if (o->json)
		printf("\n  ],\n  \"processes_not_read\": %zu\n}\n", hidden);
	else if (hidden > 0)
		printf("\n%zu processes could not be looked into (other users'; as root they can): "
		       "their namespaces may be missing above.\n",
		       hidden);
	free(nss);
	return fflush(stdout) == 0 && !ferror(stdout) ? BS_EXIT_OK : BS_EXIT_FAILURE;
}

int cmd_sockets(int argc, char **argv)
{
	struct sockets_opts o = {0};
	struct listing l;
	struct bs_error err;
	int rc = parse_sockets_opts(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (o.all_namespaces)
		return all_namespaces(&o);
	if (listing_read(&l, &o, &err) < 0) {
		cli_error_show(&err);
		listing_free(&l);
		return BS_EXIT_FAILURE;
	}
	if (o.json) {
		rc = print_json(&l.list, &o, &l.f);
	} else {
		print_text(&l.list, &o, &l.f);
		rc = fflush(stdout) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
	}
	listing_free(&l);
	return rc;
}
#endif /* CMD_SOCKETS_ROW_ONLY */
