/*
 * The lab: a private network that looks like the topology (by default the seed's), so any
 * machine can run the lesson without touching its real network.
 *
 * bs_lab_enter() moves the calling process into a new network namespace (inside a new user
 * namespace when not root, as `unshare -rn` does), creates the topology's interfaces as veth
 * pairs with addresses, and starts one child process per peer host, each in a namespace of
 * its own on its segment. Everything dies with the caller: the peers are killed by
 * bs_lab_leave() and, should the caller crash, by the kernel (PR_SET_PDEATHSIG).
 * Call it before any thread exists. The host's own network is never touched.
 */
#ifndef BINDSCOPE_LAB_H
#define BINDSCOPE_LAB_H

#include <stddef.h>
#include <sys/types.h>

#include "bindscope/error.h"
#include "bindscope/topology.h"

struct bs_lab;

/* Returns the lab, or NULL with err set (saying how to allow namespaces if they are off). */
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

/* Add a route in a peer's network namespace (for the tour's weak host step). */
int bs_lab_vantage_route_add(const struct bs_lab_vantage *v, const char *net, const char *via,
                             struct bs_error *err);

/* The lab's peers, from BINDSCOPE_LAB_VANTAGES; 0 outside a lab. Close with _close. */
size_t bs_lab_vantages(struct bs_lab_vantage *out, size_t max);
void bs_lab_vantages_close(struct bs_lab_vantage *v, size_t n);

#endif
