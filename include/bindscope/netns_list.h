/*
 * Every network namespace on the machine (what a container is, for the network): found
 * through /proc/PID/ns/net of every process and the bind mounts under /run/netns (ip netns),
 * each once by inode, this process's own first. Each is named where a name exists: the
 * ip netns name, a lab peer's name (inside `bindscope lab`), a container's id from its
 * process's cgroup; else it is its inode and the first process in it.
 */
#ifndef BINDSCOPE_NETNS_LIST_H
#define BINDSCOPE_NETNS_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/sockets.h"

struct bs_netns {
	uint64_t inode;
	bool own;         /* this process's namespace */
	char name[80];    /* "eth0-peer", "docker 3f2a9c1b7d4e", an ip netns name, or "" */
	char kind[16];    /* "this", "ip-netns", "lab-peer", "container", "process" */
	pid_t pid;        /* the first process in it (lowest pid), 0 when only a mount holds it */
	char program[16]; /* that process's comm */
	size_t processes; /* how many processes are in it */
	char path[300];   /* what to open to enter it: /proc/PID/ns/net or /run/netns/NAME */
};

/* All of them, this process's first: *out (free it) and the count, or -1 with err. Namespaces
 * this process may not look into (other users' processes, not as root) are not found: then
 * *hidden counts the processes whose namespace could not be read. */
long bs_netns_list(struct bs_netns **out, size_t *hidden, struct bs_error *err);

/* "eth0-peer (a lab peer, net:[4026532401])", "net:[4026532401], first process nginx (pid
 * 812), 3 processes" */
void bs_netns_text(const struct bs_netns *ns, char *buf, size_t len);

/* Open it to enter (bs_netns_enter): the fd, or -1 with err (it is gone, or not this one any
 * more: the inode is checked). */
int bs_netns_open(const struct bs_netns *ns, struct bs_error *err);

/* Which other namespace of this machine (other than skip's, the one a rule is in; 0: this
 * process's) has addr on an interface, and who listens there on proto/port: "in namespace
 * eth0-peer, held by socat (pid 8)". 1 and buf filled, or 0 when no namespace here has it
 * (another machine's, or not looked into). */
int bs_netns_who_has(const char *addr, enum bs_proto proto, uint16_t port, uint64_t skip, char *buf,
                     size_t len);

/* What bs_sockets_read_everywhere saw. */
struct bs_netns_census {
	size_t namespaces; /* found */
	size_t unread;     /* found, but not entered (needs root) */
	size_t hidden;     /* processes not looked into: their namespaces are not found */
};

/*
 * Every namespace's sockets in one list: this one's first (read with ifaces, the caller's),
 * then each other's, read from inside it with its own interfaces and tagged with it (netns,
 * netns_name). A namespace that cannot be entered is counted in census, not failed on.
 * 0, or -1 with err (out of memory, or this namespace's own read failing).
 */
int bs_sockets_read_everywhere(struct bs_socket_list *list, unsigned flags,
                               const struct bs_iface_list *ifaces, struct bs_netns_census *census,
                               struct bs_error *err);

#endif
