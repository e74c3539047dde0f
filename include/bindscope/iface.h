/*
 * The machine's network interfaces, read with getifaddrs(3).
 *
 * bs_iface_list_read() fills an owned list; bs_iface_list_free() releases all of it.
 * The list is sorted loopback first, then by interface index. Each interface keeps
 * every address it has (several IPv4, IPv6 with scope), IPv4 addresses first.
 * Interfaces without any address, down, or without a MAC are kept too.
 *
 * Host state enters through one seam: bs_iface_list_from_ifaddrs() builds the list
 * from a struct ifaddrs chain (real or hand-built in tests) plus optional lookups
 * for what getifaddrs does not carry (MTU, index of an interface with no link entry).
 */
#ifndef BINDSCOPE_IFACE_H
#define BINDSCOPE_IFACE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "bindscope/error.h"

struct ifaddrs;

enum bs_scope {
	BS_SCOPE_GLOBAL,
	BS_SCOPE_SITE,
	BS_SCOPE_LINK,
	BS_SCOPE_HOST,
};

struct bs_iface_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	unsigned prefix;    /* prefix length from the netmask */
	bool has_broadcast; /* IPv4 only */
	struct in_addr broadcast;
	enum bs_scope scope;         /* IPv6: derived from the address; IPv4: host for 127/8 */
	char text[INET6_ADDRSTRLEN]; /* numeric form, without scope suffix */
	char broadcast_text[INET_ADDRSTRLEN];
};

struct bs_iface {
	char name[IF_NAMESIZE];
	unsigned index; /* 0 when unknown */
	unsigned flags; /* IFF_* from <net/if.h> */
	int mtu;        /* -1 when unknown */
	bool has_mac;
	unsigned char mac[6];
	size_t naddrs;
	struct bs_iface_addr *addrs;
};

struct bs_iface_list {
	size_t count;
	struct bs_iface *items;
};

/* Lookups for facts getifaddrs does not carry; either may be NULL (fact unknown). */
struct bs_iface_host {
	int (*mtu)(const char *name, void *ctx);        /* -1 when unknown */
	unsigned (*index)(const char *name, void *ctx); /* 0 when unknown */
	void *ctx;
};

/* Read this machine's interfaces. Returns 0, or -1 with err set. */
int bs_iface_list_read(struct bs_iface_list *list, struct bs_error *err);

/* Build a list from an ifaddrs chain; host may be NULL. Returns 0, or -1 with err set. */
int bs_iface_list_from_ifaddrs(struct bs_iface_list *list, const struct ifaddrs *chain,
                               const struct bs_iface_host *host, struct bs_error *err);

/* Release everything the list owns and leave it empty. Safe on an empty list. */
void bs_iface_list_free(struct bs_iface_list *list);

/* The interface with this name, or NULL. */
const struct bs_iface *bs_iface_find(const struct bs_iface_list *list, const char *name);

/* The first address of this family (AF_INET / AF_INET6) on the interface, or NULL. */
const struct bs_iface_addr *bs_iface_first_addr(const struct bs_iface *iface, int family);

/* The interface that owns this address (AF_INET: struct in_addr, AF_INET6: struct in6_addr). */
const struct bs_iface *bs_iface_owning(const struct bs_iface_list *list, int family,
                                       const void *addr);

/* "UP,LOOPBACK,RUNNING": the flags a person cares about, comma-separated. */
void bs_iface_flags_text(unsigned flags, char *buf, size_t len);

/* "host", "link", "site", "global". */
const char *bs_scope_name(enum bs_scope scope);

/* "lo, eth0, wlan0": every interface name, for messages. */
void bs_iface_names_text(const struct bs_iface_list *list, char *buf, size_t len);

/* "127.0.0.1, 192.168.0.110": every address of a family, for messages. */
void bs_iface_addrs_text(const struct bs_iface_list *list, int family, char *buf, size_t len);

/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). */
void bs_iface_mac_text(const struct bs_iface *iface, char *buf, size_t len);

#endif
