#include "bindscope/iface.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bindscope/textbuf.h"

static unsigned prefix_from_mask(const unsigned char *bytes, size_t n)
{
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++)
		bits += (unsigned)__builtin_popcount(bytes[i]);
	return bits;
}

static enum bs_scope scope_of_v6(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LOOPBACK(a))
		return BS_SCOPE_HOST;
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return BS_SCOPE_LINK;
	if (IN6_IS_ADDR_SITELOCAL(a))
		return BS_SCOPE_SITE;
	return BS_SCOPE_GLOBAL;
}

/*
 * getifaddrs names labelled IPv4 addresses "eth0:1"; they belong to eth0. Keeping the
 * label would also make "eth0:1:8082" ambiguous to the endpoint parser.
 */
static void base_name(const char *name, char out[IF_NAMESIZE])
{
	size_t n = strcspn(name, ":");

	if (n >= IF_NAMESIZE)
		n = IF_NAMESIZE - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

static struct bs_iface *find_or_add(struct bs_iface_list *list, const char *raw_name,
                                    struct bs_error *err)
{
	char name[IF_NAMESIZE];
	struct bs_iface *grown;

	base_name(raw_name, name);
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return &list->items[i];
	grown = realloc(list->items, (list->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		bs_error_set(err, ENOMEM, "out of memory while listing interfaces");
		return NULL;
	}
	list->items = grown;
	memset(&grown[list->count], 0, sizeof(grown[0]));
	memcpy(grown[list->count].name, name, sizeof(name));
	grown[list->count].mtu = -1;
	return &list->items[list->count++];
}

static void fill_v4(struct bs_iface_addr *a, const struct ifaddrs *ifa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ifa->ifa_addr;

	a->family = AF_INET;
	a->addr.v4 = sin->sin_addr;
	if (ifa->ifa_netmask != NULL) {
		const struct sockaddr_in *m = (const struct sockaddr_in *)ifa->ifa_netmask;
		a->prefix = prefix_from_mask((const unsigned char *)&m->sin_addr, 4);
	}
	/* glibc puts the address itself in ifa_broadaddr when the kernel sent no broadcast
	 * (`ip addr add` without `brd`): that is no broadcast address. */
	if ((ifa->ifa_flags & IFF_BROADCAST) && ifa->ifa_broadaddr != NULL &&
	    ifa->ifa_broadaddr->sa_family == AF_INET &&
	    ((const struct sockaddr_in *)ifa->ifa_broadaddr)->sin_addr.s_addr !=
	        sin->sin_addr.s_addr) {
		const struct sockaddr_in *b = (const struct sockaddr_in *)ifa->ifa_broadaddr;
		a->has_broadcast = true;
		a->broadcast = b->sin_addr;
		inet_ntop(AF_INET, &a->broadcast, a->broadcast_text, sizeof(a->broadcast_text));
	}
	a->scope = (ntohl(a->addr.v4.s_addr) >> 24) == 127 ? BS_SCOPE_HOST : BS_SCOPE_GLOBAL;
	inet_ntop(AF_INET, &a->addr.v4, a->text, sizeof(a->text));
}

static void fill_v6(struct bs_iface_addr *a, const struct ifaddrs *ifa)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ifa->ifa_addr;

	a->family = AF_INET6;
	a->addr.v6 = sin6->sin6_addr;
	if (ifa->ifa_netmask != NULL) {
		const struct sockaddr_in6 *m = (const struct sockaddr_in6 *)ifa->ifa_netmask;
		a->prefix = prefix_from_mask(m->sin6_addr.s6_addr, 16);
	}
	a->scope = scope_of_v6(&a->addr.v6);
	inet_ntop(AF_INET6, &a->addr.v6, a->text, sizeof(a->text));
}

static int add_addr(struct bs_iface *iface, const struct ifaddrs *ifa, struct bs_error *err)
{
	struct bs_iface_addr *grown, *a;

	grown = realloc(iface->addrs, (iface->naddrs + 1) * sizeof(*grown));
	if (grown == NULL)
		return bs_error_set(err, ENOMEM, "out of memory while listing addresses");
	iface->addrs = grown;
	a = &grown[iface->naddrs++];
	memset(a, 0, sizeof(*a));
	if (ifa->ifa_addr->sa_family == AF_INET)
		fill_v4(a, ifa);
	else
		fill_v6(a, ifa);
	return 0;
}

static void take_link(struct bs_iface *iface, const struct ifaddrs *ifa)
{
	const struct sockaddr_ll *ll = (const struct sockaddr_ll *)ifa->ifa_addr;

	iface->index = (unsigned)ll->sll_ifindex;
	if (ll->sll_halen == 6) {
		static const unsigned char zero[6];
		memcpy(iface->mac, ll->sll_addr, 6);
		/* Loopback and tunnels report an all-zero hardware address: that is no MAC. */
		iface->has_mac = memcmp(iface->mac, zero, 6) != 0;
	}
}

static int take_entry(struct bs_iface_list *list, const struct ifaddrs *ifa, struct bs_error *err)
{
	struct bs_iface *iface;

	if (ifa->ifa_name == NULL)
		return 0;
	iface = find_or_add(list, ifa->ifa_name, err);
	if (iface == NULL)
		return -1;
	/* The link entry carries the interface's own flags; address entries repeat them. */
	if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family == AF_PACKET || iface->flags == 0)
		iface->flags = ifa->ifa_flags;
	if (ifa->ifa_addr == NULL)
		return 0;
	switch (ifa->ifa_addr->sa_family) {
	case AF_PACKET:
		take_link(iface, ifa);
		return 0;
	case AF_INET:
	case AF_INET6:
		return add_addr(iface, ifa, err);
	default:
		return 0;
	}
}

static int addr_order(const void *pa, const void *pb)
{
	const struct bs_iface_addr *a = pa, *b = pb;

	/* IPv4 before IPv6; otherwise keep the kernel's order (qsort is not stable, so
	 * compare the positions, which are increasing in memory). */
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return a < b ? -1 : (a > b);
}

static int iface_order(const void *pa, const void *pb)
{
	const struct bs_iface *a = pa, *b = pb;
	int la = (a->flags & IFF_LOOPBACK) != 0, lb = (b->flags & IFF_LOOPBACK) != 0;

	if (la != lb)
		return lb - la;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return strcmp(a->name, b->name);
}

int bs_iface_list_from_ifaddrs(struct bs_iface_list *list, const struct ifaddrs *chain,
                               const struct bs_iface_host *host, struct bs_error *err)
{
	list->count = 0;
	list->items = NULL;
	for (const struct ifaddrs *ifa = chain; ifa != NULL; ifa = ifa->ifa_next) {
		if (take_entry(list, ifa, err) < 0) {
			bs_iface_list_free(list);
			return -1;
		}
	}
	for (size_t i = 0; i < list->count; i++) {
		struct bs_iface *iface = &list->items[i];

		if (host != NULL && host->index != NULL && iface->index == 0)
			iface->index = host->index(iface->name, host->ctx);
		if (host != NULL && host->mtu != NULL)
			iface->mtu = host->mtu(iface->name, host->ctx);
		if (iface->naddrs > 1)
			qsort(iface->addrs, iface->naddrs, sizeof(iface->addrs[0]), addr_order);
	}
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(list->items[0]), iface_order);
	return 0;
}

static int mtu_by_ioctl(const char *name, void *ctx)
{
	int fd = *(int *)ctx;
	struct ifreq ifr;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name) - 1);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		return -1;
	return ifr.ifr_mtu;
}

static unsigned index_by_name(const char *name, void *ctx)
{
	(void)ctx;
	return if_nametoindex(name);
}

int bs_iface_list_read(struct bs_iface_list *list, struct bs_error *err)
{
	struct ifaddrs *chain;
	int fd, rc, saved;

	if (getifaddrs(&chain) < 0) {
		saved = errno;
		list->count = 0;
		list->items = NULL;
		return bs_error_set(err, saved, "cannot list the network interfaces: %s",
		                    strerror(saved));
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct bs_iface_host host = {.mtu = mtu_by_ioctl, .index = index_by_name, .ctx = &fd};
	rc = bs_iface_list_from_ifaddrs(list, chain, &host, err);
	if (fd >= 0)
		close(fd);
	freeifaddrs(chain);
	return rc;
}

void bs_iface_list_free(struct bs_iface_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].addrs);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

const struct bs_iface *bs_iface_find(const struct bs_iface_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return &list->items[i];
	return NULL;
}

const struct bs_iface_addr *bs_iface_first_addr(const struct bs_iface *iface, int family)
{
	for (size_t i = 0; i < iface->naddrs; i++)
		if (iface->addrs[i].family == family)
			return &iface->addrs[i];
	return NULL;
}

const struct bs_iface *bs_iface_owning(const struct bs_iface_list *list, int family,
                                       const void *addr)
{
	size_t n = family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);

	for (size_t i = 0; i < list->count; i++)
		for (size_t j = 0; j < list->items[i].naddrs; j++) {
			const struct bs_iface_addr *a = &list->items[i].addrs[j];
			if (a->family == family && memcmp(&a->addr, addr, n) == 0)
				return &list->items[i];
		}
	return NULL;
}

void bs_iface_flags_text(unsigned flags, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {IFF_UP, "UP"},
	    {IFF_LOOPBACK, "LOOPBACK"},
	    {IFF_BROADCAST, "BROADCAST"},
	    {IFF_POINTOPOINT, "POINTOPOINT"},
	    {IFF_RUNNING, "RUNNING"},
	    {IFF_MULTICAST, "MULTICAST"},
	    {IFF_PROMISC, "PROMISC"},
	    {IFF_NOARP, "NOARP"},
	};

	buf[0] = '\0';
	if (!(flags & IFF_UP))
		bs_textbuf_appendf(buf, len, "DOWN");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			bs_textbuf_appendf(buf, len, "%s%s", buf[0] ? "," : "", names[i].name);
}

const char *bs_scope_name(enum bs_scope scope)
{
	switch (scope) {
	case BS_SCOPE_HOST:
		return "host";
	case BS_SCOPE_LINK:
		return "link";
	case BS_SCOPE_SITE:
		return "site";
	case BS_SCOPE_GLOBAL:
		break;
	}
	return "global";
}

void bs_iface_names_text(const struct bs_iface_list *list, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < list->count; i++)
		bs_textbuf_appendf(buf, len, "%s%s", i ? ", " : "", list->items[i].name);
	if (list->count == 0)
		bs_textbuf_appendf(buf, len, "none");
}

void bs_iface_addrs_text(const struct bs_iface_list *list, int family, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < list->count; i++)
		for (size_t j = 0; j < list->items[i].naddrs; j++) {
			const struct bs_iface_addr *a = &list->items[i].addrs[j];
			if (a->family == family)
				bs_textbuf_appendf(buf, len, "%s%s", buf[0] ? ", " : "", a->text);
		}
	if (buf[0] == '\0')
		bs_textbuf_appendf(buf, len, "none");
}

void bs_iface_mac_text(const struct bs_iface *iface, char *buf, size_t len)
{
	const unsigned char *m = iface->mac;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}
