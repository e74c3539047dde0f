/* `bindscope list`: the interfaces, their state and addresses, as text or JSON. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bindscope/iface.h"
#include "cli_util.h"
#include "commands.h"

static const char list_usage[] =
    "Usage: bindscope list [-4|-6] [--json]\n"
    "\n"
    "List the network interfaces: name, state, IPv4 addresses with prefix and broadcast,\n"
    "IPv6 addresses with prefix and scope, MAC address and MTU. Loopback comes first,\n"
    "then the others by interface index.\n"
    "\n"
    "  -4, --ipv4    show only IPv4 addresses\n"
    "  -6, --ipv6    show only IPv6 addresses\n"
    "  -j, --json    print a JSON document (its shape is in the README)\n"
    "  -h, --help    show this help\n";

struct list_opts {
	bool v4, v6, json;
};

static json_t *addr_json(const struct bs_iface_addr *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "address", cli_json_text(a->text));
	json_object_set_new(o, "prefix", json_integer(a->prefix));
	if (a->family == AF_INET)
		json_object_set_new(o, "broadcast",
		                    a->has_broadcast ? cli_json_text(a->broadcast_text)
		                                     : json_null());
	else
		json_object_set_new(o, "scope", json_string(bs_scope_name(a->scope)));
	return o;
}

static json_t *flags_json(unsigned flags)
{
	char text[128];
	json_t *arr = json_array();

	bs_iface_flags_text(flags, text, sizeof(text));
	for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, cli_json_text(tok));
	return arr;
}

static json_t *iface_json(const struct bs_iface *iface, const struct list_opts *o)
{
	json_t *obj = json_object(), *v4 = json_array(), *v6 = json_array();
	char mac[18];

	json_object_set_new(obj, "name", cli_json_text(iface->name));
	json_object_set_new(obj, "index", json_integer(iface->index));
	json_object_set_new(obj, "flags", flags_json(iface->flags));
	json_object_set_new(obj, "up", json_boolean(iface->flags & IFF_UP));
	json_object_set_new(obj, "running", json_boolean(iface->flags & IFF_RUNNING));
	json_object_set_new(obj, "loopback", json_boolean(iface->flags & IFF_LOOPBACK));
	json_object_set_new(obj, "mtu", iface->mtu >= 0 ? json_integer(iface->mtu) : json_null());
	bs_iface_mac_text(iface, mac, sizeof(mac));
	json_object_set_new(obj, "mac", iface->has_mac ? cli_json_text(mac) : json_null());
	for (size_t i = 0; i < iface->naddrs; i++) {
		const struct bs_iface_addr *a = &iface->addrs[i];
		if (a->family == AF_INET && o->v4)
			json_array_append_new(v4, addr_json(a));
		else if (a->family == AF_INET6 && o->v6)
			json_array_append_new(v6, addr_json(a));
	}
	if (o->v4)
		json_object_set_new(obj, "ipv4", v4);
	else
		json_decref(v4);
	if (o->v6)
		json_object_set_new(obj, "ipv6", v6);
	else
		json_decref(v6);
	return obj;
}

static int print_json(const struct bs_iface_list *list, const struct list_opts *o)
{
	json_t *root = json_object(), *arr = json_array();

	for (size_t i = 0; i < list->count; i++)
		json_array_append_new(arr, iface_json(&list->items[i], o));
	json_object_set_new(root, "interfaces", arr);
	return cli_json_emit(root, false) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
}

static void print_iface_text(const struct bs_iface *iface, const struct list_opts *o)
{
	char flags[128], mac[18];

	bs_iface_flags_text(iface->flags, flags, sizeof(flags));
	/* Interface names come from outside (a name may hold an escape byte): made safe. */
	printf("%u: ", iface->index);
	cli_puts_safe(iface->name);
	printf("  <%s>", flags);
	if (iface->mtu >= 0)
		printf("  mtu %d", iface->mtu);
	if (iface->has_mac) {
		bs_iface_mac_text(iface, mac, sizeof(mac));
		printf("  mac %s", mac);
	}
	putchar('\n');
	for (size_t i = 0; i < iface->naddrs; i++) {
		const struct bs_iface_addr *a = &iface->addrs[i];
		if (a->family == AF_INET && o->v4) {
			printf("    inet  %s/%u", a->text, a->prefix);
			if (a->has_broadcast)
				printf("  brd %s", a->broadcast_text);
			putchar('\n');
		} else if (a->family == AF_INET6 && o->v6) {
			printf("    inet6 %s/%u  scope %s\n", a->text, a->prefix,
			       bs_scope_name(a->scope));
		}
	}
	if (iface->naddrs == 0)
		printf("    (no addresses)\n");
}

static int parse_list_opts(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
	    {"ipv4", no_argument, NULL, '4'},
	    {"ipv6", no_argument, NULL, '6'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool only4 = false, only6 = false;
	int c;

	/* 0, not 1: glibc then forgets main()'s "+" (stop at the first non-option) mode. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "46jh", longopts, NULL)) != -1) {
		switch (c) {
		case '4':
			only4 = true;
			break;
		case '6':
			only6 = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return BS_EXIT_OK;
		default:
			return cli_usage_error("list", NULL);
		}
	}
	if (optind < argc)
		return cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
	if (only4 && only6)
		return cli_usage_error("list",
		                       "-4 and -6 exclude each other; give neither for both");
	o->v4 = !only6;
	o->v6 = !only4;
	return -1;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = {0};
	struct bs_iface_list list;
	struct bs_error err;
	int rc = parse_list_opts(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (bs_iface_list_read(&list, &err) < 0) {
		cli_error_show(&err);
		return BS_EXIT_FAILURE;
	}
	if (o.json) {
		rc = print_json(&list, &o);
	} else {
		for (size_t i = 0; i < list.count; i++)
			print_iface_text(&list.items[i], &o);
		rc = fflush(stdout) == 0 ? BS_EXIT_OK : BS_EXIT_FAILURE;
	}
	bs_iface_list_free(&list);
	return rc;
}
