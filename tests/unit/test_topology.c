/* Unit tests of the lab topology parser: the seed, every statement, and line-numbered errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/topology.h"

static void test_seed(void **state)
{
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_topology_parse(bs_topology_default, &t, &err), 0);
	assert_int_equal(t.nifaces, 2);
	assert_string_equal(t.ifaces[0].name, "eth0");
	assert_string_equal(t.ifaces[0].addrs[0], "192.168.0.110/24");
	assert_string_equal(t.ifaces[1].name, "wlan0");
	assert_int_equal(t.npeers, 2);
	assert_string_equal(t.peers[1].name, "wlan0-peer");
	assert_string_equal(t.peers[1].iface, "wlan0");
	assert_string_equal(t.peers[1].addrs[0], "192.168.1.20/24");
}

static void test_addresses_routes_comments(void **state)
{
	static const char text[] =
	    "# a comment line\n"
	    "\n"
	    "iface eth0 192.168.0.110/24 fd00::110/64   # two addresses\n"
	    "peer p on eth0 192.168.0.20/24 route 192.168.1.0/24 via 192.168.0.110 "
	    "route 10.0.0.0/8 via 192.168.0.1\n";
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_topology_parse(text, &t, &err), 0);
	assert_int_equal(t.ifaces[0].naddrs, 2);
	assert_string_equal(t.ifaces[0].addrs[1], "fd00::110/64");
	assert_int_equal(t.peers[0].nroutes, 2);
	assert_string_equal(t.peers[0].routes[0].net, "192.168.1.0/24");
	assert_string_equal(t.peers[0].routes[0].via, "192.168.0.110");
	assert_string_equal(t.peers[0].routes[1].via, "192.168.0.1");
}

struct bad {
	const char *text;
	const char *message;
};

static void test_errors_name_their_line(void **state)
{
	static const struct bad cases[] = {
	    {"iface eth0 192.168.0.1/24\nifac wlan0 1.2.3.4/24\n",
	     "line 2: 'ifac' is not a statement (use iface, peer or firewall)"},
	    {"iface eth0 192.168.0.300/24\n",
	     "line 1: '192.168.0.300/24' is not ADDRESS/PREFIX (e.g. 192.168.0.110/24)"},
	    {"iface eth0 192.168.0.1\n",
	     "line 1: '192.168.0.1' is not ADDRESS/PREFIX (e.g. 192.168.0.110/24)"},
	    {"iface eth0 192.168.0.1/33\n",
	     "line 1: '192.168.0.1/33' is not ADDRESS/PREFIX (e.g. 192.168.0.110/24)"},
	    {"iface eth0\n", "line 1: write: iface NAME ADDR/PREFIX [ADDR/PREFIX...]"},
	    {"iface lo 127.0.0.2/8\n",
	     "line 1: 'lo' cannot name an interface (up to 15 letters, digits, -_. and not lo)"},
	    {"iface a-very-long-interface-name 1.2.3.4/24\n",
	     "line 1: 'a-very-long-interface-name' cannot name an interface (up to 15 letters, "
	     "digits, -_. and not lo)"},
	    {"iface eth0 1.2.3.4/24\niface eth0 1.2.3.5/24\n",
	     "line 2: interface eth0 is declared twice"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth9 1.2.3.5/24\n",
	     "line 2: peer p is on 'eth9', which no iface line above declares"},
	    {"iface eth0 1.2.3.4/24\npeer p in eth0 1.2.3.5/24\n",
	     "line 2: write: peer NAME on IFACE ADDR/PREFIX [route NET/PREFIX via ADDRESS]"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24\npeer q on eth0 1.2.3.6/24\n",
	     "line 3: eth0 already has a peer (p): one peer per segment"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24 route 10.0.0.0/8 to 1.2.3.4\n",
	     "line 2: write routes as: route NET/PREFIX via ADDRESS (at 'route')"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24 route 10.0.0.0/8 via x\n",
	     "line 2: route 10.0.0.0/8 via x: write NET/PREFIX via ADDRESS"},
	    {"# nothing\n", "the topology declares no interface: add a line such as 'iface eth0 "
	                    "192.168.0.110/24'"},
	    /* Issue 15, item 8: these passed the parser and failed later, without a line. */
	    {"iface eth0 1.2.3.4/24\niface all 1.2.4.4/24\n",
	     "line 2: 'all' cannot name an interface: Linux refuses . and .. and keeps all and "
	     "default for its settings (net.ipv4.conf.all); try eth1"},
	    {"iface default 1.2.3.4/24\n",
	     "line 1: 'default' cannot name an interface: Linux refuses . and .. and keeps all "
	     "and default for its settings (net.ipv4.conf.all); try eth1"},
	    {"iface . 1.2.3.4/24\n", "line 1: '.' cannot name an interface: Linux refuses . and "
	                             ".. and keeps all and default for its settings "
	                             "(net.ipv4.conf.all); try eth1"},
	    {"iface .. 1.2.3.4/24\n", "line 1: '..' cannot name an interface: Linux refuses . and "
	                              ".. and keeps all and default for its settings "
	                              "(net.ipv4.conf.all); try eth1"},
	    {"iface eth0 fd00::1/64 fd00:0::1/128\n",
	     "line 1: fd00::1 is given twice on iface eth0 (as fd00::1/64 and fd00:0::1/128): "
	     "give each address once"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24 1.2.3.5/24\n",
	     "line 2: 1.2.3.5 is given twice on peer p (as 1.2.3.5/24 and 1.2.3.5/24): give each "
	     "address once"},
	    {"iface eth0 1.2.3.4/24\n\npeer p on eth0 1.2.3.4/24\n",
	     "line 3: peer p's address 1.2.3.4 is the workstation's own (eth0, line 1; peer on "
	     "line 3): give the peer an address of its own"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24\niface wlan0 1.2.3.5/24\n",
	     "line 3: peer p's address 1.2.3.5 is the workstation's own (wlan0, line 3; peer on "
	     "line 2): give the peer an address of its own"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24 route 10.0.0.0/8 via 9.9.9.9\n",
	     "line 2: route 10.0.0.0/8 via 9.9.9.9: 9.9.9.9 is not on peer p's segment (its "
	     "addresses: 1.2.3.5/24); give a gateway inside it, such as the workstation's address "
	     "there"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24 route fd00::/64 via 1.2.3.4\n",
	     "line 2: route fd00::/64 via 1.2.3.4: the network and the gateway are not of one "
	     "family (IPv4 and IPv6)"},
	    /* firewall lines */
	    {"iface eth0 1.2.3.4/24\nfirewall 'add table inet f\n",
	     "line 2: the nft command has no closing ' (write: firewall [on PEER] 'NFT COMMAND' "
	     "or firewall [on PEER] file PATH)"},
	    {"iface eth0 1.2.3.4/24\nfirewall ''\n",
	     "line 2: the nft command is empty (write: firewall [on PEER] 'NFT COMMAND' or "
	     "firewall [on PEER] file PATH)"},
	    {"iface eth0 1.2.3.4/24\nfirewall 'add table inet f' 'add table ip g'\n",
	     "line 2: ''add table ip g'' follows the nft command: one command per line"},
	    {"iface eth0 1.2.3.4/24\nfirewall add table inet f\n",
	     "line 2: write: firewall [on PEER] 'NFT COMMAND' or firewall [on PEER] file PATH"},
	    {"iface eth0 1.2.3.4/24\nfirewall\n",
	     "line 2: write: firewall [on PEER] 'NFT COMMAND' or firewall [on PEER] file PATH"},
	    {"iface eth0 1.2.3.4/24\nfirewall file\n",
	     "line 2: firewall file needs a PATH (write: firewall [on PEER] 'NFT COMMAND' or "
	     "firewall [on PEER] file PATH)"},
	    {"iface eth0 1.2.3.4/24\nfirewall file a.nft b.nft\n",
	     "line 2: one ruleset file per line (write: firewall [on PEER] 'NFT COMMAND' or "
	     "firewall [on PEER] file PATH)"},
	    {"iface eth0 1.2.3.4/24\npeer p on eth0 1.2.3.5/24\nfirewall on q 'add table ip t'\n",
	     "line 3: firewall on q: no peer q is declared"},
	    {"iface eth0 1.2.3.4/24\nfirewall on 'add table ip t'\n",
	     "line 2: firewall on needs a peer's name (write: firewall [on PEER] 'NFT COMMAND' or "
	     "firewall [on PEER] file PATH)"},
	};
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (bs_topology_parse(cases[i].text, &t, &err) == 0)
			fail_msg("accepted: %s", cases[i].text);
		assert_string_equal(err.msg, cases[i].message);
	}
}

/* Firewall lines keep nft's own # and quotes, name their host, and run in order. */
static void test_firewall_lines(void **state)
{
	static const char text[] =
	    "iface eth0 192.168.0.110/24\n"
	    "firewall 'add rule inet f input iifname \"eth0\" tcp dport 22 drop comment \"#1\"' "
	    " # why\n"
	    "  firewall on p file rules/peer.nft\n"
	    "peer p on eth0 192.168.0.20/24\n";
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_topology_parse(text, &t, &err), 0);
	assert_int_equal(t.nfirewall, 2);
	assert_string_equal(t.firewall[0].peer, "");
	assert_string_equal(
	    t.firewall[0].text,
	    "add rule inet f input iifname \"eth0\" tcp dport 22 drop comment \"#1\"");
	assert_false(t.firewall[0].file);
	assert_int_equal(t.firewall[0].line, 2);
	assert_string_equal(t.firewall[1].peer, "p");
	assert_string_equal(t.firewall[1].text, "rules/peer.nft");
	assert_true(t.firewall[1].file);
	assert_int_equal(t.firewall[1].line, 3);
}

/* A ruleset file named in a topology file is found beside it. */
static void test_firewall_file_beside_topology(void **state)
{
	char dir[] = "/tmp/bs-topo-XXXXXX", path[64];
	struct bs_topology t;
	struct bs_error err;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fw.lab", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("iface eth0 1.2.3.4/24\nfirewall file rules.nft\nfirewall file /abs.nft\n", f);
	fclose(f);
	assert_int_equal(bs_topology_load(path, &t, &err), 0);
	snprintf(path, sizeof(path), "%s/rules.nft", dir);
	assert_string_equal(t.firewall[0].text, path);
	assert_string_equal(t.firewall[1].text, "/abs.nft");
	snprintf(path, sizeof(path), "%s/fw.lab", dir);
	unlink(path);
	rmdir(dir);
}

/* One address on two workstation interfaces is allowed: the kernel does, routers do. */
static void test_shared_address_allowed(void **state)
{
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	assert_int_equal(
	    bs_topology_parse("iface eth0 10.5.0.1/24\niface eth1 10.5.0.1/24\n", &t, &err), 0);
	assert_int_equal(t.ifaces[1].line, 2);
}

/* Issue 15, item 8: a directory said "declares no interface". */
static void test_directory_is_named(void **state)
{
	struct bs_topology t;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_topology_load("/", &t, &err), -1);
	assert_string_equal(err.msg, "the topology / is a directory: give a file, such as "
	                             "assets/labs/default.lab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed),
	    cmocka_unit_test(test_addresses_routes_comments),
	    cmocka_unit_test(test_errors_name_their_line),
	    cmocka_unit_test(test_shared_address_allowed),
	    cmocka_unit_test(test_firewall_lines),
	    cmocka_unit_test(test_firewall_file_beside_topology),
	    cmocka_unit_test(test_directory_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
