/*
 * The lab: a private network that looks like the topology (by default assets/labs/default.lab), so
 * any machine can run the lesson without touching its real network.
 *
 * bs_lab_isolate() moves the calling process into a new network namespace (inside a new user
 * namespace when not root, as `unshare -rn` does) and forks the lab's own process: the init
 * of a new pid namespace, with a /proc of its own. bs_lab_enter(), called there, creates the
 * topology's interfaces as veth pairs with addresses and starts one child process per peer
 * host, each in a network namespace of its own on its segment.
 *
 * Everything dies with the lab: whatever the lab starts (peers, the command, the command's
 * children and grandchildren) lives in its pid namespace, which the kernel empties when its
 * init ends; and the init ends when the keeper (the process the user started) does, in any
 * way, kill -9 included (PR_SET_PDEATHSIG). Why this and not a cgroup: see lab.c.
 * Call it before any thread exists. The host's own network is never touched.
 */
#ifndef BINDSCOPE_LAB_H
#define BINDSCOPE_LAB_H

#include <stddef.h>
#include <sys/types.h>

#include "bindscope/error.h"
#include "bindscope/topology.h"

struct bs_lab;

/*
 * Returns 0 in the lab's process (pid 1 of the lab's pid namespace), which goes on to
 * bs_lab_enter(); the lab's pid (> 0) in the caller, the keeper, which calls bs_lab_keep()
 * and exits with what it returns; or -1 with err set (saying how to allow namespaces if they
 * are off). In the lab's process -1 is possible too (no /proc of its own): it must then say
 * err and exit 1. Signals: on return SIGTERM, SIGHUP, SIGINT, SIGQUIT and SIGCHLD are blocked
 * in both (as init, the lab's process would drop SIGTERM and SIGHUP unless it takes them);
 * the lab's process ends that with bs_lab_wait() or bs_lab_unhold_signals().
 */
pid_t bs_lab_isolate(struct bs_error *err);

/* In the lab's process, before it runs something that handles its own signals (the TUI):
 * restore the caller's signal mask. Returns SIGTERM or SIGHUP if one came meanwhile (then the
 * lab should end, 128+N), else 0. */
int bs_lab_unhold_signals(void);

/* In the lab's process: its pid as the host sees it (bs_lab_isolate's return in the keeper). */
pid_t bs_lab_host_pid(void);

/* In the keeper: wait for the lab's process, passing SIGTERM and SIGHUP on to it (SIGKILL 4 s
 * later if it still runs). Returns its exit code (128+N when signal N ended it). */
int bs_lab_keep(pid_t lab);

/* In the lab's process: wait for the command it started, reaping the orphans that come to
 * init; SIGTERM and SIGHUP go on to the command, and 2 s later everything left in the lab is
 * killed. Returns the command's exit code (128+N for signal N). SIGINT and SIGQUIT stay held
 * (from the terminal, the command gets them itself), and all stay blocked on return. */
int bs_lab_wait(pid_t command);

/* In the lab's process (after bs_lab_isolate): build it. Returns the lab, or NULL with err. */
struct bs_lab *bs_lab_enter(const struct bs_topology *topology, struct bs_error *err);

/* Stop the peers and free. NULL is ignored. */
void bs_lab_leave(struct bs_lab *lab);

size_t bs_lab_peer_count(const struct bs_lab *lab);
const struct bs_lab_peer *bs_lab_peer(const struct bs_lab *lab, size_t i);
/* The peer's process: its network namespace is /proc/PID/ns/net (for nsenter -t PID -n). */
pid_t bs_lab_peer_pid(const struct bs_lab *lab, size_t i);

/*
 * For programs run inside the lab (and the TUI): BINDSCOPE_LAB=1, BINDSCOPE_LAB_PEERS
 * ("eth0-peer=PID ...", for nsenter) and BINDSCOPE_LAB_VANTAGES
 * ("eth0-peer,PID,eth0,192.168.0.20 ...", for bs_lab_vantages).
 */
void bs_lab_export(const struct bs_lab *lab);

/* A peer seen from inside the lab: a place to probe from. */
struct bs_lab_vantage {
	char name[BS_LAB_NAME_MAX];
	char iface[IF_NAMESIZE];    /* the workstation's interface on the peer's segment */
	char addr[BS_LAB_ADDR_MAX]; /* the peer's own address */
	long pid;                   /* its process: nsenter -t PID -n reaches its network */
	int netns_fd;               /* its network namespace, open */
};

/* The topology the lab was built from. */
const struct bs_topology *bs_lab_topology(const struct bs_lab *lab);

/* Apply the topology's firewall lines for one host ("" the workstation) in the namespace the
 * caller is in (the lab's reset, after `flush ruleset`). 0, or -1 with err (its line). */
int bs_lab_apply_firewall(const struct bs_lab *lab, const char *host, struct bs_error *err);

/* Add a route in a peer's network namespace (for the tour's weak host step). */
int bs_lab_vantage_route_add(const struct bs_lab_vantage *v, const char *net, const char *via,
                             struct bs_error *err);

/* Delete a route from a peer's network namespace. */
int bs_lab_vantage_route_del(const struct bs_lab_vantage *v, const char *net, struct bs_error *err);

/* The lab's peers, from BINDSCOPE_LAB_VANTAGES; 0 outside a lab. Close with _close. */
size_t bs_lab_vantages(struct bs_lab_vantage *out, size_t max);
void bs_lab_vantages_close(struct bs_lab_vantage *v, size_t n);

#endif
