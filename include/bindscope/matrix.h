/*
 * The exposure matrix, one engine type for every face (probe, the TUI, the sockets screen):
 * the sockets on the ports in question × the places a connection can be sent to, from where.
 *
 *  - Rows are sockets, read from the kernel (sock_diag) for the matrix's ports: bindscope's
 *    own listeners and anyone else's, with owner, v6only, device and SO_REUSEPORT. A port
 *    with no socket gets one row that says so. Nothing about a socket is inferred from probes.
 *  - Columns are targets: a destination address and the vantage the connection starts from
 *    (this host, or a lab peer). From this host: every address of every interface that is
 *    up, every other address a socket on the ports is bound to, localhost as the resolver
 *    returns it, and the wildcards. From a peer: every address of this machine that is not
 *    loopback or link-local, routed by the peer's own routing table.
 *  - A probe is one connection (or datagram) per (port, column). Its prediction is the
 *    kernel's lookup (lookup.h) over every socket on the port; its observation is the
 *    verdict and, where it can be known, the socket that took it: from the accept of
 *    bindscope's own listeners, else from the socket table. Every row on the port reads the
 *    same probe, as "this socket took it", "socket #k took it", or refused, timeout, ...
 *
 * Building is pure (bs_matrix_build: table, interfaces and an environment seam in, no sockets),
 * so it is unit-tested from hand-made tables. Probing runs on the caller's loop.
 */
#ifndef BINDSCOPE_MATRIX_H
#define BINDSCOPE_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindscope/endpoint.h"
#include "bindscope/firewall.h"
#include "bindscope/iface.h"
#include "bindscope/lab.h"
#include "bindscope/listener.h"
#include "bindscope/lookup.h"
#include "bindscope/loop.h"
#include "bindscope/probe.h"
#include "bindscope/remote.h"
#include "bindscope/route.h"
#include "bindscope/sockets.h"

#define BS_VANTAGE_NAME_MAX BS_REMOTE_HOST_MAX
#define BS_MATRIX_LABEL_MAX (BS_VANTAGE_NAME_MAX + 8)

/* Where connections start: this host (vantage 0), a lab peer, or another machine reached
 * over ssh (remote: its agent probes; everything else reads as a peer's). */
struct bs_vantage {
	char name[BS_VANTAGE_NAME_MAX]; /* "this host", the peer's name, or the host as typed */
	bool peer;
	int netns_fd;               /* -1 for this host; for a peer the caller's open fd */
	long pid;                   /* a peer's process, for nsenter -t PID -n; 0 for this host */
	char iface[IF_NAMESIZE];    /* a peer: this machine's interface on its segment */
	unsigned arrival_ifindex;   /* where its packets arrive here: lo, or iface */
	char addr[BS_LAB_ADDR_MAX]; /* a peer: its own address */
	struct bs_remote *remote;   /* another machine: the caller's, kept while the matrix is */
};

enum bs_col_kind {
	BS_COL_ADDRESS,   /* an address of an interface that is up */
	BS_COL_BOUND,     /* another local address a socket is bound to (127.0.0.53) */
	BS_COL_NOT_LOCAL, /* an address a socket is bound to that this machine lacks: not probed */
	BS_COL_LOCALHOST, /* "localhost", as the resolver returns it */
	BS_COL_ANY,       /* 0.0.0.0 or ::: Linux sends it to the source address, loopback */
	BS_COL_PEER,      /* an address of this machine, from a lab peer */
};

/* What a peer's routing table says of a column's address. */
enum bs_route_verdict {
	BS_ROUTE_HERE,      /* it reaches this machine, arriving on the vantage's interface */
	BS_ROUTE_NONE,      /* no route: the connect fails at once (ENETUNREACH) */
	BS_ROUTE_ELSEWHERE, /* it goes somewhere this machine cannot see: no prediction */
	BS_ROUTE_UNKNOWN,   /* its route is not known here (a host that never answered, or
	                     * whose packets arrive on no interface of ours): no prediction */
};

struct bs_matrix_col {
	enum bs_col_kind kind;
	size_t vantage;          /* index into the vantages; 0 is this host */
	struct bs_endpoint addr; /* what is connected to, port 0 */
	struct bs_endpoint dst;  /* where it is delivered (0.0.0.0 → 127.0.0.1), port 0 */
	char
	    label[BS_MATRIX_LABEL_MAX]; /* "lo", "eth0", "localhost", "0.0.0.0", "from eth0-peer" */
	char text[BS_ENDPOINT_TEXT_MAX]; /* the address as typed: 192.168.1.10, fe80::1%eth0 */
	enum bs_route_verdict route;     /* BS_COL_PEER; HERE for every other kind */
	bool has_gateway;                /* BS_COL_PEER: routed through a gateway */
	struct bs_endpoint gateway;
};

struct bs_matrix_port {
	enum bs_proto proto;
	uint16_t port;
	bool only;             /* ADDR:PORT: probe only at this address */
	struct bs_endpoint at; /* when only */
};

struct bs_matrix_row {
	size_t port;    /* index into the ports */
	bool socket;    /* false: the port has no socket (this row says so) */
	size_t sock;    /* when socket: index into bs_matrix_sockets() */
	bool ours;      /* a listener this process opened */
	bool reuseaddr; /* ours: SO_REUSEADDR as bindscope set it */
};

enum bs_attribution {
	BS_ATTR_NONE,   /* nobody took it, or not known yet */
	BS_ATTR_ACCEPT, /* a listener of this process accepted (or received) it */
	BS_ATTR_TABLE,  /* the socket table says which socket took it */
};

struct bs_matrix_probe {
	size_t port, col;
	bool probed;                       /* false: narrowed away (ADDR:PORT) or not local */
	struct bs_lookup_query query;      /* the destination and arrival device */
	struct bs_lookup_answer predicted; /* over the sockets on the port */
	struct bs_probe_result observed;   /* PENDING until probed */
	enum bs_attribution how;
	long answered_by; /* ACCEPT: the row that took it; else -1 */
	long same_as;     /* an earlier probe of the same address, port and vantage (localhost is
	                   * 127.0.0.1 too): not sent again, its result copied; else -1 */
	struct bs_endpoint source; /* the probe's own address and port, for claiming */
	/* What this machine's firewall does to it on its way in (env.firewall), before any
	 * socket is asked; firewall_known is false when the ruleset was not read. */
	bool firewall_known;
	struct bs_fw_verdict firewall;
	/* A host cell of an interface's address travels over lo: what the firewall would do
	 * to the same connection arriving on that interface from another machine. */
	bool has_outside;
	char outside_iface[IF_NAMESIZE];
	struct bs_fw_verdict outside;
};

/* How a row reads one probe. */
enum bs_cell_state {
	BS_CELL_PENDING, /* not probed yet */
	BS_CELL_SKIPPED, /* not probed at all */
	BS_CELL_THIS,    /* this row's socket took it */
	BS_CELL_OTHER,   /* another socket took it (other_row) */
	BS_CELL_SHARED,  /* its SO_REUSEPORT group took it (or a tie): which one is not known */
	BS_CELL_NOBODY,  /* refused, timeout, unreachable, open|filtered, or an error */
	BS_CELL_UNATTRIBUTED, /* open, yet no socket here takes it */
};

struct bs_matrix_cell {
	const struct bs_matrix_probe *probe;
	enum bs_cell_state state;
	long other_row;      /* BS_CELL_OTHER (or the first of a group): that row, else -1 */
	bool predicted_this; /* the lookup says this row's socket takes it (alone or shared) */
	bool disagree;       /* the observation contradicts the prediction */
};

/* Host state the build needs, as a seam: tests hand-make it, bs_matrix_env_system reads it. */
struct bs_matrix_env {
	struct bs_endpoint localhost[4]; /* getaddrinfo("localhost"), in its order, port 0 */
	size_t nlocalhost;
	/* Where vantage v's packets to dst go (bs_route_get in its namespace). 0 or -1. */
	int (*route)(void *arg, const struct bs_vantage *v, const struct bs_endpoint *dst,
	             struct bs_route *out);
	void *route_arg;
	int arp_ignore;      /* net.ipv4.conf.all.arp_ignore: 0 answers ARP for any local address */
	unsigned icmp_burst; /* net.ipv4.icmp_msgs_burst: ICMP errors sent at once before the
	                      * kernel's rate limit silences them */
	unsigned icmp_peer_burst; /* ICMP errors one other host gets at once (the kernel's
	                           * per-destination limit, net.ipv4.icmp_ratelimit); 0: none */
	unsigned lo_index;
	struct bs_endpoint from; /* probes' source address (--from), or family 0 */
	/* TcpExt ListenDrops of this namespace (where the sockets are), or -1: read before and
	 * after a probe round, so a SYN dropped by a full listen queue is named as such. */
	long long (*listen_drops)(void);
	/* This namespace's firewall (bs_fw_read_or_why), or NULL: then firewall_why says why it
	 * was not read, and "" means there is none (no rules). bs_matrix_build takes it: the
	 * matrix frees it at its next build or bs_matrix_free. */
	struct bs_fw_ruleset *firewall;
	char firewall_why[BS_ERROR_MSG_MAX + 32];
};

/* The system's answers: localhost from getaddrinfo, routes from each namespace, the
 * firewall's ruleset (libnftables). */
void bs_matrix_env_system(struct bs_matrix_env *env);

struct bs_matrix;

/* Read every socket on the matrix's ports from the kernel (sock_diag, owners included), for
 * bs_matrix_build. Returns 0, or -1 with err set. Free with bs_socket_list_free. */
int bs_matrix_read_sockets(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                           struct bs_socket_list *out, struct bs_error *err);

struct bs_matrix *bs_matrix_new(void);
void bs_matrix_free(struct bs_matrix *m);

/* Ports to show (at most 65536; duplicates are merged). Returns 0, or -1 with err set. */
int bs_matrix_add_port(struct bs_matrix *m, enum bs_proto proto, uint16_t port,
                       const struct bs_endpoint *only_at, struct bs_error *err);
void bs_matrix_clear_ports(struct bs_matrix *m);

/* Which address families get columns: both false (the default) means IPv4, plus IPv6 when a
 * socket on the ports is IPv6 or show_ipv6 is set. */
void bs_matrix_set_families(struct bs_matrix *m, bool only_v4, bool only_v6, bool show_ipv6);

/* The lab's peers as vantages (their fds stay the caller's). */
int bs_matrix_set_peers(struct bs_matrix *m, const struct bs_lab_vantage *v, size_t n,
                        struct bs_error *err);

/* Another machine as a vantage, after the lab's peers (call after bs_matrix_set_peers). Its
 * packets arrive on the interface that has this machine's address as the other one saw it
 * (SSH_CONNECTION); where that is not one of ours (a NAT between), its routes predict
 * nothing. remote must be READY and outlive the matrix's use of it. */
int bs_matrix_add_remote(struct bs_matrix *m, struct bs_remote *remote,
                         const struct bs_iface_list *ifaces, struct bs_error *err);

/* This machine's addresses another machine is asked its routes to (bs_remote_start's
 * targets): every address of an interface that is up, but loopback and link-local (those
 * never leave this machine's link). Returns how many there are; fills at most max. */
size_t bs_matrix_remote_targets(const struct bs_iface_list *ifaces, struct bs_endpoint *out,
                                size_t max);

/* A socket this process opened (by inode), so its accepts attribute probes. */
int bs_matrix_mark_own(struct bs_matrix *m, uint64_t inode, bool reuseaddr, bool reuseport,
                       struct bs_error *err);
void bs_matrix_clear_own(struct bs_matrix *m);

/*
 * Build rows, columns and predictions from a socket table (as bs_sockets_read fills it; the
 * matrix copies what it keeps) and the interfaces (kept by the caller, unchanged, as long as
 * the matrix's words are read). Forgets earlier observations.
 * Returns 0, or -1 with err set (out of memory).
 */
int bs_matrix_build(struct bs_matrix *m, const struct bs_socket_list *table,
                    const struct bs_iface_list *ifaces, const struct bs_matrix_env *env,
                    struct bs_error *err);

struct bs_matrix_probe_opts {
	unsigned timeout_ms;            /* per probe (default 1000) */
	unsigned concurrency;           /* per vantage (default 256) */
	const struct bs_endpoint *from; /* this host's probes: bind this source, or NULL */
};

/* Probe every (port, column) of the matrix on loop; done(arg) once when all have verdicts.
 * Returns 0, or -1 with err set. A round in progress is abandoned. */
int bs_matrix_probe_start(struct bs_matrix *m, struct bs_loop *loop,
                          const struct bs_matrix_probe_opts *opts, void (*done)(void *arg),
                          void *arg, struct bs_error *err);
bool bs_matrix_probing(const struct bs_matrix *m);
/* Stop probing and forget the round's connections. */
void bs_matrix_probe_stop(struct bs_matrix *m);

/*
 * An event of one of this process's listeners (inode, as marked with bs_matrix_mark_own):
 * when it is one of the matrix's own probes (a connection accepted, a datagram received),
 * the probe is attributed to that listener's row. Returns true when it was a probe.
 */
bool bs_matrix_claim(struct bs_matrix *m, uint64_t inode, const struct bs_listener_event *ev);

/* An open probe that one of our listeners should have taken, but none has claimed yet, is a
 * contradiction only this long after the round ended: the accept can come a loop turn after
 * the connect completed. A view redraws once the moment has passed (bs_lesson does). */
#define BS_MATRIX_SETTLE_US 300000u

/* True when every open probe whose predicted socket is ours has been claimed (or is
 * contradicted): the CLI waits for this, bounded, before it prints. */
bool bs_matrix_settled(const struct bs_matrix *m);

/* SYNs the kernel dropped for a full listen queue during the last probe round (all vantages),
 * or -1 when that is not known (still probing, or no counter). */
long long bs_matrix_listen_drops(const struct bs_matrix *m);

/* Does the lookup say row r's socket takes probe p (alone or in its group)? False where the
 * vantage's route does not lead here. */
bool bs_matrix_probe_predicts_row(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                  size_t r);

/* The model, read-only. */
size_t bs_matrix_nrows(const struct bs_matrix *m);
size_t bs_matrix_ncols(const struct bs_matrix *m);
size_t bs_matrix_nports(const struct bs_matrix *m);
size_t bs_matrix_nprobes(const struct bs_matrix *m);
size_t bs_matrix_nvantages(const struct bs_matrix *m);
const struct bs_matrix_row *bs_matrix_row(const struct bs_matrix *m, size_t r);
const struct bs_matrix_col *bs_matrix_col(const struct bs_matrix *m, size_t c);
const struct bs_matrix_port *bs_matrix_port(const struct bs_matrix *m, size_t p);
const struct bs_matrix_probe *bs_matrix_probe(const struct bs_matrix *m, size_t i);
const struct bs_matrix_probe *bs_matrix_probe_at(const struct bs_matrix *m, size_t port,
                                                 size_t col);
const struct bs_vantage *bs_matrix_vantage(const struct bs_matrix *m, size_t v);
const struct bs_socket *bs_matrix_sockets(const struct bs_matrix *m, size_t *count);
/* The row of socket sock_index. */
long bs_matrix_row_of_socket(const struct bs_matrix *m, size_t sock_index);
/* The firewall the last build judged with (NULL: none, or not read), and why it was not
 * read ("" when it was). */
const struct bs_fw_ruleset *bs_matrix_firewall(const struct bs_matrix *m);
const char *bs_matrix_firewall_why(const struct bs_matrix *m);
/* Rows on one port: [*first, *first + count). */
size_t bs_matrix_port_rows(const struct bs_matrix *m, size_t port, size_t *first);

/* How row r reads column c's probe. */
void bs_matrix_cell(const struct bs_matrix *m, size_t r, size_t c, struct bs_matrix_cell *out);

/* Why the probe's vantage could not probe (another machine that failed: its sentence), or
 * "" when it could. */
const char *bs_matrix_vantage_failure(const struct bs_matrix *m, const struct bs_matrix_probe *p);
/* That failure's short word for the cell ("ssh failed", "dropped": remote.h), or "". */
const char *bs_matrix_vantage_fault_word(const struct bs_matrix *m,
                                         const struct bs_matrix_probe *p);

/* True when the probe's observation contradicts its prediction. */
bool bs_matrix_probe_disagrees(const struct bs_matrix *m, const struct bs_matrix_probe *p);

/* True when more UDP probes from p's vantage were due an ICMP port unreachable than the
 * kernel sends at once (net.ipv4.icmp_msgs_burst): silence there is rate limiting. */
bool bs_matrix_icmp_limited(const struct bs_matrix *m, const struct bs_matrix_probe *p);

/* The socket that should answer or did, for words: first of a group; -1 when none. */
long bs_matrix_probe_answer_row(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                bool observed);

/* Words (matrix_words.c): sentences a learner reads, each true of the model. */

/* "#2 tcp 127.0.0.1:8082" */
void bs_matrix_row_label(const struct bs_matrix *m, size_t r, char *buf, size_t len);
/* "127.0.0.1:8082, socat (pid 4242)": which socket, for "answered by ..." */
void bs_matrix_row_who(const struct bs_matrix *m, size_t r, char *buf, size_t len);
/* What this socket takes, read from the table: the addresses it answers for from this host. */
void bs_matrix_row_summary(const struct bs_matrix *m, size_t r, const struct bs_iface_list *ifaces,
                           char *buf, size_t len);
/* The socat command that makes this socket with the options it really has; "" when unknown. */
void bs_matrix_row_socat(const struct bs_matrix *m, size_t r, char *buf, size_t len);
/* ss -ltn 'sport = :PORT' (or -lun). */
void bs_matrix_row_ss(const struct bs_matrix *m, size_t r, char *buf, size_t len);
/* Why row r reads column c as it does: prediction, observation, attribution. */
void bs_matrix_cell_why(const struct bs_matrix *m, size_t r, size_t c, char *buf, size_t len);
/* The command that reproduces a probe from its vantage: nc, or `bindscope lab exec PEER -- nc` for
 * a lab peer. */
void bs_matrix_probe_check(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                           size_t len);
/* "answered by 127.0.0.1:8082, socat (pid 42)", "refused: no socket", ... for one probe. */
void bs_matrix_probe_text(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                          size_t len);
/* The observed verdict as a short word, ICMP told apart as nmap's --reason does: "open",
 * "refused", "refused (icmp)" (TCP refused by an ICMP error: a firewall's reject),
 * "prohibited", "unreach", "timeout", "open|filtered", or the errno's name. */
const char *bs_matrix_verdict_word(const struct bs_matrix *m, const struct bs_matrix_probe *p);

/* How a cell reads at a glance, for colour. */
enum bs_cell_look {
	BS_LOOK_NONE,    /* not probed, or not yet */
	BS_LOOK_OPEN,    /* a socket took it: this row's, or its group's */
	BS_LOOK_OTHER,   /* another row's socket took it */
	BS_LOOK_REFUSED, /* refused: nothing takes it there */
	BS_LOOK_UNKNOWN, /* open|filtered, or the vantage could not probe */
	BS_LOOK_BAD,     /* timeout, unreachable, prohibited, an error */
};

/* The cell's short text as every face shows it ("✓ open", "→ #2", "✓ shared", "✗ refused",
 * "⊘ prohibited", "? ssh failed", "not here", "-"; " !" added on a real contradiction), and
 * its look. */
enum bs_cell_look bs_matrix_cell_word(const struct bs_matrix *m, size_t r, size_t c, bool utf8,
                                      char *buf, size_t len);

/* True when column c is a peer's connection to an address of another interface that reaches
 * this machine anyway (the weak host model): worth explaining even when it is open. */
bool bs_matrix_col_weak_host(const struct bs_matrix *m, size_t c);
/* "predicted" as an id for JSON: open, refused, unreachable, not-local, dropped, rejected (by
 * the firewall), unknown (a route elsewhere, or a firewall rule that cannot be evaluated). */
const char *bs_matrix_prediction_id(const struct bs_matrix *m, const struct bs_matrix_probe *p);

/* The reason (bs_probe_reason) the model expects the probe to end with: "syn-ack", "reset",
 * "icmp-admin-prohibited", "no-response", "received", "no-route", ...; NULL where nothing is
 * predicted (not probed, a route elsewhere, a firewall rule that cannot be evaluated). */
const char *bs_matrix_predicted_reason(const struct bs_matrix *m, const struct bs_matrix_probe *p);

#endif
