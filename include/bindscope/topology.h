/*
 * Lab topologies: a small text format describing the lab's workstation interfaces and the
 * peer hosts on their segments. One statement per line; # starts a comment.
 *
 *   iface NAME ADDR/PREFIX [ADDR/PREFIX...]
 *       an interface of the workstation (a veth whose far end is the segment)
 *   peer NAME on IFACE ADDR/PREFIX [ADDR/PREFIX...] [route NET/PREFIX via ADDR]...
 *       a host on IFACE's segment, in its own network namespace; routes are its own
 *   firewall [on PEER] 'NFT COMMAND'
 *   firewall [on PEER] file PATH
 *       nftables rules for the workstation (or that peer), applied in its namespace through
 *       libnftables in the order given: one command in single quotes, as `nft` takes it
 *       ('add rule inet filter input iifname "wlan0" tcp dport 8082 drop'), or a ruleset
 *       file in `nft -f` syntax (relative to the topology file). nft's own error is told
 *       with the line when the lab is built.
 *
 * Every error names its line: "line 3: 'ifac' is not a statement (use iface or peer)".
 * Rejected with their line, before anything is built: interface names Linux refuses or
 * reserves (. .. all default), an address given twice on one line, a peer with one of the
 * workstation's addresses (two hosts with one address on a segment: its column would probe
 * itself), and a route whose gateway is not on the peer's own segment (the kernel would say
 * only "Network is unreachable"). One address on two workstation interfaces is accepted:
 * the kernel allows it and routers do it (10.5.0.1 on two links, fe80::1 on several).
 */
#ifndef BINDSCOPE_TOPOLOGY_H
#define BINDSCOPE_TOPOLOGY_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "bindscope/error.h"

#define BS_LAB_MAX_IFACES 8
#define BS_LAB_MAX_PEERS  8
#define BS_LAB_MAX_ADDRS  4
#define BS_LAB_MAX_ROUTES 4
#define BS_LAB_NAME_MAX   16
#define BS_LAB_ADDR_MAX   64

struct bs_lab_route {
	char net[BS_LAB_ADDR_MAX];
	char via[BS_LAB_ADDR_MAX];
	int line; /* its line in the topology text, for messages */
};

struct bs_lab_iface {
	char name[IF_NAMESIZE];
	char addrs[BS_LAB_MAX_ADDRS][BS_LAB_ADDR_MAX];
	size_t naddrs;
	int line;
};

struct bs_lab_peer {
	char name[BS_LAB_NAME_MAX];
	char iface[IF_NAMESIZE]; /* the workstation interface whose segment it is on */
	char addrs[BS_LAB_MAX_ADDRS][BS_LAB_ADDR_MAX];
	size_t naddrs;
	struct bs_lab_route routes[BS_LAB_MAX_ROUTES];
	size_t nroutes;
	int line;
};

#define BS_LAB_MAX_FIREWALL 64
#define BS_LAB_RULE_MAX     512

struct bs_lab_firewall {
	char peer[BS_LAB_NAME_MAX]; /* "" for the workstation, else that peer's name */
	char text[BS_LAB_RULE_MAX]; /* the nft command, or (file) the ruleset file's path */
	bool file;
	int line;
};

struct bs_topology {
	struct bs_lab_iface ifaces[BS_LAB_MAX_IFACES];
	size_t nifaces;
	struct bs_lab_peer peers[BS_LAB_MAX_PEERS];
	size_t npeers;
	struct bs_lab_firewall firewall[BS_LAB_MAX_FIREWALL];
	size_t nfirewall;
};

/* The default lab (assets/labs/default.lab): eth0 192.168.0.110/24 with a peer at .20, wlan0
 * 192.168.1.10/24 likewise. */
extern const char bs_topology_default[];

/* Parse text. Returns 0, or -1 with err naming the line and what is wrong. */
int bs_topology_parse(const char *text, struct bs_topology *t, struct bs_error *err);

/* Read and parse a file. Returns 0, or -1 with err (the file's name and line). */
int bs_topology_load(const char *path, struct bs_topology *t, struct bs_error *err);

#endif
