/*
 * The system's listening sockets, as ss(8) sees them: TCP sockets in LISTEN and bound,
 * unconnected UDP sockets, IPv4 and IPv6, read with sock_diag netlink through libmnl.
 * Each gets its owner (pid, program, command line, from /proc/PID/fd) where this user may
 * see it, and an exposure class worded for a learner: who can reach it.
 *
 * bs_sockets_read() fills an owned list sorted most exposed first; bs_socket_list_free()
 * releases it. bs_sockets_parse() is the seam for tests and fuzzing: it takes raw
 * sock_diag reply bytes.
 */
#ifndef BINDSCOPE_SOCKETS_H
#define BINDSCOPE_SOCKETS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/iface.h"
#include "bindscope/listener.h"

/* Most exposed first: the order of the table. */
enum bs_exposure_class {
	BS_EXPOSED_DUAL_STACK,  /* [::] without IPV6_V6ONLY: every IPv4 and IPv6 address */
	BS_EXPOSED_ALL_IPV4,    /* 0.0.0.0 */
	BS_EXPOSED_ALL_IPV6,    /* [::] with IPV6_V6ONLY */
	BS_EXPOSED_DEVICE,      /* SO_BINDTODEVICE: only traffic through one device */
	BS_EXPOSED_ONE_ADDRESS, /* one address of one interface */
	BS_EXPOSED_LOOPBACK,    /* 127.0.0.0/8 or ::1: this machine only */
};

#define BS_OWNER_CMDLINE_MAX  256
#define BS_SOCKET_HOLDERS_MAX 8 /* processes named per socket; the rest are counted */

/* A process that holds the socket (a descriptor of it): nginx's master and its workers. */
struct bs_holder {
	pid_t pid;
	uid_t uid;        /* the process's user, which may differ from the socket's */
	char program[16]; /* its comm: at most 15 characters */
};

struct bs_socket {
	enum bs_proto proto;
	struct bs_endpoint local;
	uint32_t uid;
	uint64_t inode;
	int v6only;             /* IPv6: 0 or 1 as the kernel reports it; -1 for IPv4 */
	unsigned bound_ifindex; /* SO_BINDTODEVICE, 0 when none */
	char bound_dev[IF_NAMESIZE];
	int reuseport;    /* SO_REUSEPORT: 1, 0, or -1 when this process cannot know */
	bool freebind;    /* IP_FREEBIND (sock_diag's INET_DIAG_SOCKOPT) */
	bool transparent; /* IP_TRANSPARENT */
	unsigned backlog; /* TCP: the listen queue's length limit (listen()'s backlog, capped) */
	unsigned queued;  /* TCP: connections waiting in it for accept() when read */
	enum bs_exposure_class exposure;
	char iface[IF_NAMESIZE]; /* BS_EXPOSED_ONE_ADDRESS: the interface that has the address */
	pid_t pid;               /* 0: no owner found; else the first holder */
	bool owner_hidden;       /* no owner found, and some processes could not be read */
	bool hidden_as_root;     /* ... though the scan ran as root: not a matter of rights */
	char program[64];
	char cmdline[BS_OWNER_CMDLINE_MAX];
	char unit[64]; /* the first holder's systemd unit ("nginx.service"), or "" */
	char user[33]; /* the socket's uid as a name (anyone may read it), or "" */
	struct bs_holder holders[BS_SOCKET_HOLDERS_MAX];
	size_t nholders; /* every process that holds it; the first ones are in holders */
	/* Read from another network namespace (bs_sockets_read_everywhere): its inode and how
	 * it is named ("eth0-peer", "net:[4026532773]"); 0 and "" for the reader's own. */
	uint64_t netns;
	char netns_name[80];
};

struct bs_socket_list {
	size_t count;
	struct bs_socket *items;
};

enum {
	BS_SOCKETS_TCP = 1 << 0,
	BS_SOCKETS_UDP = 1 << 1,
	BS_SOCKETS_IPV4 = 1 << 2,
	BS_SOCKETS_IPV6 = 1 << 3,
	BS_SOCKETS_ALL = 0xf,
};

/*
 * Read the listening sockets selected by flags (BS_SOCKETS_*), classify them against ifaces
 * (may be NULL: then one-address sockets name no interface) and find their owners.
 * Returns 0, or -1 with err set.
 */
int bs_sockets_read(struct bs_socket_list *list, unsigned flags, const struct bs_iface_list *ifaces,
                    struct bs_error *err);

/*
 * The same, keeping only the sockets keep(s, arg) says yes to, before their owners are looked
 * up (the costly part): for the few ports a probe is about.
 */
int bs_sockets_read_filtered(struct bs_socket_list *list, unsigned flags,
                             const struct bs_iface_list *ifaces,
                             bool (*keep)(const struct bs_socket *s, void *arg), void *arg,
                             struct bs_error *err);

/* Append the sockets in a raw sock_diag reply (a buffer of netlink messages, 4-byte aligned
 * as the kernel delivers it) to list. Returns 1 at the end of the dump, 0 when more may come,
 * -1 with err set on an error message or a malformed buffer. */
int bs_sockets_parse(struct bs_socket_list *list, enum bs_proto proto, const void *buf, size_t len,
                     struct bs_error *err);

/*
 * What the socket table itself proves about SO_REUSEPORT: Linux lets two TCP sockets listen
 * on one port with overlapping bindings (addresses and devices that overlap, as a bind
 * conflict judges them) only when both set it, so such sockets get reuseport = 1. Called by
 * bs_sockets_read; any other socket keeps -1 (for TCP it then makes no difference).
 */
void bs_sockets_deduce_reuseport(struct bs_socket_list *list);

/* Set each socket's exposure class and interface, then sort most exposed first. */
void bs_sockets_classify(struct bs_socket_list *list, const struct bs_iface_list *ifaces);

/* Fill the holders (pid, program, their users), the first one's cmdline and systemd unit,
 * from proc_root ("/proc"), for every socket it can see; and each socket's user name. */
void bs_sockets_find_owners(struct bs_socket_list *list, const char *proc_root);

/* The name of a uid, from the password database, or "" when it has none. Looked up once
 * per uid however often asked (a cache that lives for the process). */
const char *bs_user_name(uid_t uid);

void bs_socket_list_free(struct bs_socket_list *list);

/* "loopback only", "one interface: wlan0", "all IPv4 interfaces", ... */
void bs_exposure_class_text(const struct bs_socket *s, char *buf, size_t len);

/* "loopback", "one-address", "all-ipv4", "all-ipv6", "dual-stack", "device". */
const char *bs_exposure_class_id(enum bs_exposure_class c);

/* The local address as ss prints it: "*:8082" (dual-stack any), "[::]:8082",
 * "0.0.0.0%eth0:8082" (bound to a device). */
void bs_socket_local_text(const struct bs_socket *s, char *buf, size_t len);

/* "socat (pid 4242)", "owner unknown (needs root)", or "no process holds it". */
void bs_socket_owner_text(const struct bs_socket *s, char *buf, size_t len);

/* Why Linux refuses two sockets on one port even with SO_REUSEADDR. */
enum bs_port_clash {
	BS_CLASH_NONE,
	BS_CLASH_WILDCARD_SPECIFIC, /* a wildcard and a specific address */
	BS_CLASH_DUAL_STACK,        /* 0.0.0.0 and a [::] without IPV6_V6ONLY */
};

/*
 * "socat (pid 4242) on 0.0.0.0:8082": who holds ep's port, for messages; "" when nobody.
 * Sets *clash to the rule that keeps ep from sharing the port with a holder, if one does.
 */
void bs_sockets_holder_text(enum bs_proto proto, const struct bs_endpoint *ep, char *buf,
                            size_t len, enum bs_port_clash *clash);

#endif
