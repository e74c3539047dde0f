/*
 * The firewall: the nftables ruleset as the kernel holds it (iptables-nft rules from ufw,
 * firewalld and Docker included), read through libnftables as JSON, and a pure evaluator that
 * says what the ruleset does to one arriving connection or datagram, and which rule decided.
 *
 * What is walked, in the kernel's order: for a connection this host makes to itself, the
 * output hook (it leaves through lo); then the ingress hook of the arrival device (netdev and
 * inet families), prerouting and input. In each hook every base chain of a family that sees
 * the packet (ip or inet for IPv4, ip6 or inet for IPv6), lowest priority first; an accept
 * ends that chain only, a drop or reject ends everything. Regular chains are entered by jump
 * (back at the end or on return) and goto (no coming back). A nat chain's dnat or redirect
 * changes where the packet goes: the verdict says so and goes no further.
 *
 * Matches understood: meta iifname/iif/oifname/oif/l4proto/nfproto/protocol, ip and ip6
 * saddr/daddr/protocol/nexthdr, tcp/udp/th dport, ct state (a probe's packet is new), fib
 * daddr type, against values, prefixes, ranges, anonymous and named sets, with == != in < >.
 * Anything else (a source port, a mark, a rate limit, an iptables match kept as "xt") cannot
 * be known for a packet not yet sent: a rule using one is "depends on rule X", never a guess.
 */
#ifndef BINDSCOPE_FIREWALL_H
#define BINDSCOPE_FIREWALL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/listener.h"
#include "bindscope/sockets.h"

struct bs_fw_ruleset;

/* Whether the ruleset could be read, and if not why: words for each in bs_fw_status_text. */
enum bs_fw_status {
	BS_FW_READ,        /* read (it may hold no rules at all) */
	BS_FW_NEEDS_ROOT,  /* reading it needs CAP_NET_ADMIN */
	BS_FW_LEGACY,      /* no nftables rules, but legacy iptables (ip_tables) is loaded */
	BS_FW_UNAVAILABLE, /* libnftables failed for another reason (the message says) */
};

/* "firewall not read (needs root)" and the like; "" for BS_FW_READ. */
const char *bs_fw_status_text(enum bs_fw_status status);

/* Parse `nft -j list ruleset` output. Returns the ruleset, or NULL with err set. */
struct bs_fw_ruleset *bs_fw_parse(const char *json, size_t len, struct bs_error *err);
void bs_fw_free(struct bs_fw_ruleset *fw);

/* Read this network namespace's ruleset with libnftables. Returns the ruleset (status
 * BS_FW_READ), or NULL with *status saying why not and err set to the library's words. */
struct bs_fw_ruleset *bs_fw_read(enum bs_fw_status *status, struct bs_error *err);

/* bs_fw_read for a face: the ruleset, or NULL with why filled ("firewall not read (needs
 * root: ...)", or libnftables' own reason), ready to show. */
struct bs_fw_ruleset *bs_fw_read_or_why(char *why, size_t len);

/* One sentence on the whole ruleset, without its final period, for the foot of a listing:
 * "Firewall not read (needs root: ...)" (fw NULL, from why), "Firewall: no nftables rules
 * here, so nothing is filtered" (also fw NULL with why ""), "Firewall: 3 nftables rules, none on
 * the way in (ingress, prerouting, input, output), so nothing arriving is filtered", "Firewall: 5
 * nftables rules read, in 2 chains on the way in" (a chain with a drop policy and no rules counts).
 */
void bs_fw_summary(const struct bs_fw_ruleset *fw, const char *why, char *buf, size_t len);

/* Run nft commands (nft -f syntax, one or more lines) in this namespace, for the lab.
 * Returns 0, or -1 with err set to what nft said. */
int bs_fw_apply(const char *commands, struct bs_error *err);

/* A port the firewall publishes: a dnat (or redirect) rule in a nat table, read as what it
 * does to a connection. */
struct bs_fw_publish {
	enum bs_proto proto;
	bool any_proto;        /* th dport: TCP and UDP */
	uint16_t port;         /* the dport matched; 0: no dport match read */
	char iif[IF_NAMESIZE]; /* iifname matched, "" for any */
	bool iif_not;          /* iifname != iif (Docker: anything but docker0) */
	char daddr[64];        /* ip daddr matched, "" for any */
	char to_addr[64];      /* dnat to this address ("" for redirect) */
	uint16_t to_port;      /* and port; 0: the same port */
	bool redirect;         /* to this machine itself */
	bool output;           /* in a nat output chain: this host's own connections */
	bool exact;            /* every match and statement of the rule was read */
	char where[160];       /* "ip nat DOCKER, handle 12" */
	char text[512];        /* the rule as nft prints it */
};

/* Every published port, in ruleset order: returns how many there are; fills at most max. */
size_t bs_fw_published(const struct bs_fw_ruleset *fw, struct bs_fw_publish *out, size_t max);

/* "tcp 8888 arriving on wlan0 -> 192.168.0.20:80 (ip nat prerouting, handle 4)" */
void bs_fw_publish_text(const struct bs_fw_publish *p, char *buf, size_t len);

/* How many rules, and base chains on the hooks the evaluator walks. */
size_t bs_fw_rule_count(const struct bs_fw_ruleset *fw);
size_t bs_fw_base_chain_count(const struct bs_fw_ruleset *fw);

/* One packet, as it arrives: the first packet of a connection (a SYN) or a datagram. */
struct bs_fw_query {
	enum bs_proto proto;
	struct bs_endpoint src; /* the sender's address (port ignored: it is not known) */
	bool src_known;         /* false: any sender (the sockets listing) */
	struct bs_endpoint dst; /* the destination, port included */
	char iif[IF_NAMESIZE];  /* the device it arrives on */
	char oif[IF_NAMESIZE];  /* from_host: the device it leaves by (lo) */
	bool from_host;         /* made by this host: the output hook first */
	bool dst_local;         /* dst is an address of this machine (fib daddr type local) */
};

enum bs_fw_outcome {
	BS_FW_ACCEPT,     /* nothing stops it (no rule, or accepted by every chain) */
	BS_FW_DROP,       /* dropped: the sender hears nothing */
	BS_FW_REJECT,     /* rejected: a TCP reset or an ICMP error goes back */
	BS_FW_DEPENDS,    /* a rule this packet may match uses a match bindscope cannot know */
	BS_FW_TRANSLATED, /* dnat or redirect: it is sent somewhere else */
};

/* What a reject sends back. */
enum bs_fw_reject_kind {
	BS_REJECT_TCP_RESET,
	BS_REJECT_ICMP, /* icmp_type and icmp_code, of the packet's own family */
};

struct bs_fw_verdict {
	enum bs_fw_outcome outcome;
	bool by_policy; /* decided by a base chain's policy, not a rule */
	bool any_rule;  /* some base chain saw the packet (false: nothing on its path) */
	long chain;     /* the chain of the rule (or policy) that decided, or -1 */
	long rule;      /* the rule that decided, or -1 (policy, or no rule) */
	enum bs_fw_reject_kind reject;
	uint8_t icmp_type, icmp_code; /* BS_REJECT_ICMP, as the kernel will send them */
};

/* What the ruleset does to q. Pure: reads only fw and q. fw may be NULL (no ruleset). */
void bs_fw_eval(const struct bs_fw_ruleset *fw, const struct bs_fw_query *q,
                struct bs_fw_verdict *out);

/* Words. "inet hostfw input, handle 7" of the verdict's chain and rule ("" when none). */
void bs_fw_where(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v, char *buf,
                 size_t len);
/* The deciding rule as nft prints it: 'iifname "wlan0" tcp dport 8082 drop' ("" when none). */
void bs_fw_rule_text(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v, char *buf,
                     size_t len);
/* "accepted", "dropped", "rejected with a TCP reset", "rejected with ICMP admin-prohibited",
 * "decided by a rule bindscope cannot evaluate for this packet", "sent elsewhere by a nat
 * rule". */
void bs_fw_outcome_text(const struct bs_fw_verdict *v, int family, char *buf, size_t len);
/* "accept", "drop", "reject", "depends", "translated": for JSON. */
const char *bs_fw_outcome_id(enum bs_fw_outcome outcome);
/* "tcp-reset", "icmp-port-unreachable", "icmp-admin-prohibited", ...: for JSON; "" else. */
const char *bs_fw_reject_id(const struct bs_fw_verdict *v, int family);
/* An ICMP destination unreachable of a family by its name: "port-unreachable",
 * "admin-prohibited", ... (bs_icmp_name); with nmap's prefix, "icmp-port-unreachable"
 * (bs_icmp_id). An unnamed type or code is "icmp-error" / "icmpv6-error". */
const char *bs_icmp_name(int family, uint8_t type, uint8_t code);
const char *bs_icmp_id(int family, uint8_t type, uint8_t code);

/*
 * A socket's exposure through the firewall: for each interface that is up and not loopback
 * where a connection to the socket can arrive from another machine (every one for a wildcard;
 * the address's own interface for one address; the device for SO_BINDTODEVICE; none for
 * loopback), what the ruleset does to a new connection (a datagram) to its port, from a
 * sender not known. A dual-stack socket gets one for each family the interface has.
 */
struct bs_fw_iface_verdict {
	char iface[IF_NAMESIZE];
	int family;
	struct bs_fw_verdict verdict;
};

/* Up to max verdicts into out; returns how many there are in all (a caller with fewer slots
 * than that shows what it has and says how many it left out). */
size_t bs_fw_socket_exposure(const struct bs_fw_ruleset *fw, const struct bs_socket *s,
                             const struct bs_iface_list *ifaces, struct bs_fw_iface_verdict *out,
                             size_t max);

/* "8082: dropped on wlan0 by inet hostfw input, handle 4; accepted on eth0", grouped by what
 * decided; "" when n is 0. */
void bs_fw_socket_exposure_text(const struct bs_fw_ruleset *fw, const struct bs_socket *s,
                                const struct bs_fw_iface_verdict *v, size_t n, char *buf,
                                size_t len);

#endif
