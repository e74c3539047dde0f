/*
 * Tours: a lesson told in steps, written as a file (assets/tours/), so a teacher can write one
 * for their own lab. One statement per line; a line whose first word starts with # is a
 * comment. Every step waits for the user (Space) before the next one.
 *
 *   title TEXT                the tour's name (once, before the first step)
 *   lab NAME                  the lab it is written for (a shipped lab's name or a file):
 *                             `bindscope lab --tour` builds that lab unless --topology says
 *                             otherwise (once, before the first step)
 *   step TITLE                a new step: the statements below it belong to it
 *   say TEXT                  a line of the step's text (several lines make one paragraph)
 *   listen [tcp|udp] ADDR:PORT [v6only|dual-stack] [reuseport]
 *                             open a listener, as Enter in the TUI does
 *   close [tcp|udp] ADDR:PORT close the listener opened there
 *   connect [tcp|udp] [from PEER] ADDR:PORT
 *                             one connection (or datagram) from this host or from a peer; the
 *                             log says what came back
 *   route PEER add NET/PREFIX via ADDR
 *   route PEER del NET/PREFIX a route in a peer's own routing table
 *   firewall [on PEER] 'NFT COMMAND'
 *                             an nftables command in the workstation's (or the peer's)
 *                             namespace, as in a topology file
 *   sysctl NAME VALUE         a net.* setting of the lab's workstation
 *                             (net.ipv4.ip_nonlocal_bind 1)
 *   expect [tcp|udp] ADDR:PORT at ADDR [from PEER] VERDICT
 *                             what the matrix must show once the step's probes are in: the
 *                             socket bound to ADDR:PORT, the column for ADDR (from this host,
 *                             or from PEER); VERDICT is open (that socket took it), refused,
 *                             timeout, unreachable or open|filtered
 *
 * Placeholders, anywhere in a text or an argument, resolve against the running lab:
 *   {IFACE}           the interface's first IPv4 address ({wlan0} -> 192.168.1.10), else its
 *                     first address
 *   {IFACE:6}         its first IPv6 address that is not link-local
 *   {peer:IFACE}      the name of the peer on IFACE's segment (eth0-peer)
 *   {peeraddr:IFACE}  that peer's address
 * A brace followed by anything else ({ 22, 80 } in an nft set) is text as written.
 *
 * Parsing (bs_tour_parse) checks the statements; resolving (bs_tour_resolve) fills the
 * placeholders in and checks every address and peer against the lab. Both name the line:
 * "line 7: 'lisen' is not a statement (use title, step, say, listen, ...)".
 */
#ifndef BINDSCOPE_TOUR_H
#define BINDSCOPE_TOUR_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/lab.h"
#include "bindscope/listener.h"
#include "bindscope/probe.h"

#define BS_TOUR_MAX_STEPS   64
#define BS_TOUR_MAX_ACTIONS 16 /* per step */
#define BS_TOUR_TITLE_MAX   96
#define BS_TOUR_TEXT_MAX    1024 /* a step's text, all its say lines */
#define BS_TOUR_MAX_SAYS    16   /* say lines per step */
#define BS_TOUR_ARG_MAX     BS_LAB_RULE_MAX

enum bs_tour_do {
	BS_TOUR_LISTEN,
	BS_TOUR_CLOSE,
	BS_TOUR_CONNECT,
	BS_TOUR_ROUTE_ADD,
	BS_TOUR_ROUTE_DEL,
	BS_TOUR_FIREWALL,
	BS_TOUR_SYSCTL,
	BS_TOUR_EXPECT,
};

struct bs_tour_action {
	enum bs_tour_do what;
	int line;
	enum bs_proto proto;
	char addr[BS_LAB_ADDR_MAX + 8]; /* ADDR:PORT: listen, close, connect, expect */
	char at[BS_LAB_ADDR_MAX];       /* expect: the column's address */
	char peer[BS_LAB_ADDR_MAX];     /* connect, expect, route, firewall on: "" is this host
	                                 * (as written, {peer:IFACE} too, until resolved) */
	int v6only;                     /* listen: -1 the system's default, 0 or 1 */
	bool reuseport;                 /* listen */
	char net[BS_LAB_ADDR_MAX];      /* route */
	char via[BS_LAB_ADDR_MAX];      /* route add */
	char text[BS_TOUR_ARG_MAX];     /* firewall: the nft command; sysctl: its name */
	char value[32];                 /* sysctl */
	enum bs_verdict verdict;        /* expect */
};

struct bs_tour_step {
	char title[BS_TOUR_TITLE_MAX];
	char text[BS_TOUR_TEXT_MAX];     /* its say lines, one paragraph */
	int say_lines[BS_TOUR_MAX_SAYS]; /* where each say line is, for messages */
	size_t nsays;
	struct bs_tour_action actions[BS_TOUR_MAX_ACTIONS];
	size_t nactions;
	int line;
};

struct bs_tour {
	char title[BS_TOUR_TITLE_MAX];
	char lab[BS_LAB_RULE_MAX];  /* `lab NAME`, or "" */
	struct bs_tour_step *steps; /* nsteps of them */
	size_t nsteps;
};

/* Parse text. Returns 0, or -1 with err naming the line and what is wrong; free with
 * bs_tour_free either way. */
int bs_tour_parse(const char *text, struct bs_tour *tour, struct bs_error *err);

/* Read and parse a file: 0, or -1 with err (the file's name and line). */
int bs_tour_load(const char *path, struct bs_tour *tour, struct bs_error *err);

void bs_tour_free(struct bs_tour *tour);

/* The lab a tour runs in: its interfaces (as read here) and its peers. */
struct bs_tour_lab {
	const struct bs_iface_list *ifaces;
	const struct bs_lab_vantage *peers;
	size_t npeers;
};

/* Fill every placeholder in, and check each address, network and peer against the lab. 0, or
 * -1 with err naming the line ("line 9: {wlan1}: this lab has no interface wlan1 (it has lo,
 * eth0, wlan0)"). */
int bs_tour_resolve(struct bs_tour *tour, const struct bs_tour_lab *lab, struct bs_error *err);

/* The verdict word a tour writes: open, refused, timeout, unreachable, open|filtered; -1
 * when text is none of them. */
int bs_tour_verdict(const char *text);

#endif
