#include "bindscope/bind_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/sysinfo.h"

#define WILDCARD_RULE                                                                              \
	"On Linux a wildcard (0.0.0.0 or [::]) and a specific address cannot share a port, "       \
	"even with SO_REUSEADDR; nor can 0.0.0.0 and [::] unless [::] is IPV6_V6ONLY. "

static int in_use(struct bs_error *err, int code, const char *where, const char *proto,
                  const struct bs_endpoint *ep, const char *holder, bool clash)
{
	const char *ss_flags = strcmp(proto, "udp") == 0 ? "-lunp" : "-ltnp";

	if (holder != NULL && holder[0] != '\0')
		return bs_error_set(err, code,
		                    "cannot listen on %s: port %u is already in use by %s. %sStop "
		                    "it or pick another port (check with: ss %s 'sport = :%u')",
		                    where, ep->port, holder, clash ? WILDCARD_RULE : "", ss_flags,
		                    ep->port);
	return bs_error_set(err, code,
	                    "cannot listen on %s: port %u is already in use (find out by whom "
	                    "with: sudo ss %s 'sport = :%u'). %s",
	                    where, ep->port, ss_flags, ep->port, WILDCARD_RULE);
}

int bs_bind_error(struct bs_error *err, int code, const char *proto, const struct bs_endpoint *ep,
                  const struct bs_iface_list *ifaces, const char *holder, bool clash)
{
	char where[BS_ENDPOINT_TEXT_MAX + 8], addr[BS_ENDPOINT_TEXT_MAX], here[512];

	bs_endpoint_text(ep, addr, sizeof(addr));
	snprintf(where, sizeof(where), "%s %s", proto, addr);
	switch (code) {
	case EADDRINUSE:
		return in_use(err, code, where, proto, ep, holder, clash);
	case EACCES:
	case EPERM:
		return bs_error_set(err, code,
		                    "cannot listen on %s: ports below %d are privileged here "
		                    "(net.ipv4.ip_unprivileged_port_start = %d) and need root or "
		                    "CAP_NET_BIND_SERVICE; pick a port from %d up",
		                    where, bs_sysinfo_unprivileged_port_start(),
		                    bs_sysinfo_unprivileged_port_start(),
		                    bs_sysinfo_unprivileged_port_start());
	case EADDRNOTAVAIL:
		if (ifaces != NULL)
			bs_iface_addrs_text(ifaces, ep->family, here, sizeof(here));
		else
			snprintf(here, sizeof(here), "see bindscope list");
		return bs_error_set(err, code,
		                    "cannot listen on %s: that address is not on this machine (its "
		                    "%s addresses: %s)",
		                    where, ep->family == AF_INET6 ? "IPv6" : "IPv4", here);
	case EMFILE:
	case ENFILE:
		return bs_error_set(err, code,
		                    "cannot listen on %s: out of file descriptors (%s; limit %ld); "
		                    "close some listeners or raise the limit with ulimit -n",
		                    where, strerror(code), bs_sysinfo_fd_limit());
	case EAFNOSUPPORT:
		return bs_error_set(err, code,
		                    "cannot listen on %s: this machine has IPv6 turned off", where);
	case EINVAL:
		if (ep->family == AF_INET6)
			return bs_error_set(
			    err, code,
			    "cannot listen on %s: the kernel refused it (%s); a "
			    "link-local address needs its interface: [fe80::…%%eth0]",
			    where, strerror(code));
		break;
	default:
		break;
	}
	return bs_error_set(err, code, "cannot listen on %s: %s (%s)", where, strerror(code),
	                    bs_errno_name(code));
}
