/* Address accessors for struct bs_endpoint: the one place that looks inside a sockaddr. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/endpoint.h"

static const struct sockaddr_in *sin_of(const struct bs_endpoint *ep)
{
	return (const struct sockaddr_in *)&ep->addr;
}

static const struct sockaddr_in6 *sin6_of(const struct bs_endpoint *ep)
{
	return (const struct sockaddr_in6 *)&ep->addr;
}

bool bs_endpoint_v4(const struct bs_endpoint *ep, struct in_addr *out)
{
	if (ep->family == AF_INET) {
		*out = sin_of(ep)->sin_addr;
		return true;
	}
	if (ep->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6_of(ep)->sin6_addr)) {
		memcpy(out, &sin6_of(ep)->sin6_addr.s6_addr[12], 4);
		return true;
	}
	return false;
}

const struct in6_addr *bs_endpoint_v6(const struct bs_endpoint *ep)
{
	return ep->family == AF_INET6 ? &sin6_of(ep)->sin6_addr : NULL;
}

bool bs_endpoint_is_v4_mapped(const struct bs_endpoint *ep)
{
	return ep->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6_of(ep)->sin6_addr);
}

bool bs_endpoint_same_addr(const struct bs_endpoint *a, const struct bs_endpoint *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return sin_of(a)->sin_addr.s_addr == sin_of(b)->sin_addr.s_addr;
	return memcmp(&sin6_of(a)->sin6_addr, &sin6_of(b)->sin6_addr, 16) == 0;
}

bool bs_endpoint_is_loopback(const struct bs_endpoint *ep)
{
	struct in_addr v4;

	if (bs_endpoint_v4(ep, &v4))
		return (ntohl(v4.s_addr) >> 24) == 127;
	return ep->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&sin6_of(ep)->sin6_addr);
}

bool bs_endpoint_is_link_local(const struct bs_endpoint *ep)
{
	return ep->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&sin6_of(ep)->sin6_addr);
}

const struct bs_iface *bs_endpoint_owner(const struct bs_iface_list *ifaces,
                                         const struct bs_endpoint *ep)
{
	struct in_addr v4;

	if (ifaces == NULL)
		return NULL;
	if (bs_endpoint_v4(ep, &v4))
		return bs_iface_owning(ifaces, AF_INET, &v4);
	return bs_iface_owning(ifaces, AF_INET6, &sin6_of(ep)->sin6_addr);
}

struct bs_endpoint bs_endpoint_without_port(const struct bs_endpoint *ep)
{
	struct bs_endpoint out = *ep;

	bs_endpoint_set_port(&out, 0);
	out.port_only = false;
	return out;
}

void bs_endpoint_from_v4(struct bs_endpoint *ep, struct in_addr a, uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a, .sin_port = htons(port)};

	bs_endpoint_from_sockaddr(ep, (const struct sockaddr *)&sin, sizeof(sin));
}

void bs_endpoint_from_v6(struct bs_endpoint *ep, const struct in6_addr *a, unsigned scope,
                         uint16_t port)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
	                            .sin6_addr = *a,
	                            .sin6_scope_id = scope,
	                            .sin6_port = htons(port)};

	bs_endpoint_from_sockaddr(ep, (const struct sockaddr *)&sin6, sizeof(sin6));
}

void bs_endpoint_from_iface_addr(struct bs_endpoint *ep, const struct bs_iface *f,
                                 const struct bs_iface_addr *a)
{
	if (a->family == AF_INET) {
		bs_endpoint_from_v4(ep, a->addr.v4, 0);
		return;
	}
	bs_endpoint_from_v6(ep, &a->addr.v6, a->scope == BS_SCOPE_LINK ? f->index : 0, 0);
	if (a->scope == BS_SCOPE_LINK)
		snprintf(ep->ifname, sizeof(ep->ifname), "%s", f->name);
}

bool bs_endpoint_same_peer(const struct bs_endpoint *a, const struct bs_endpoint *b)
{
	struct in_addr x, y;

	if (bs_endpoint_equal(a, b))
		return true;
	return a->port == b->port && (bs_endpoint_is_v4_mapped(a) || bs_endpoint_is_v4_mapped(b)) &&
	       bs_endpoint_v4(a, &x) && bs_endpoint_v4(b, &y) && x.s_addr == y.s_addr;
}
