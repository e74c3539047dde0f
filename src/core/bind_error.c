#include "bindscope/bind_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/sockets.h"
#include "bindscope/sysinfo.h"
#include "bindscope/textbuf.h"

/* The Linux rule behind a refusal, as a sentence; "" when no rule is known to apply. */
static const char *clash_rule(enum bs_port_clash clash)
{
	switch (clash) {
	case BS_CLASH_WILDCARD_SPECIFIC:
		return "On Linux a wildcard (0.0.0.0 or [::]) and a specific address cannot share "
		       "a "
		       "port, even with SO_REUSEADDR. ";
	case BS_CLASH_DUAL_STACK:
		return "On Linux 0.0.0.0 and a [::] socket without IPV6_V6ONLY cannot share a "
		       "port: "
		       "that [::] takes IPv4 too. With IPV6_V6ONLY on the [::] socket (bindscope: "
		       "--v6only) both fit. ";
	case BS_CLASH_NONE:
		break;
	}
	return "";
}

struct self_port {
	enum bs_proto proto;
	uint16_t port;
};

static bool on_port(const struct bs_socket *s, void *arg)
{
	const struct self_port *want = arg;

	return s->proto == want->proto && s->local.port == want->port;
}

/*
 * Where this very process already has a socket on ep's port, as "0.0.0.0:8082" in buf:
 * "in use by bindscope (pid N)" with N our own pid would send the learner after a process
 * that is the one reading the message. False when none (or the table cannot be read).
 */
static bool held_by_self(const char *proto, const struct bs_endpoint *ep, char *buf, size_t len)
{
	struct self_port want = {strcmp(proto, "udp") == 0 ? BS_PROTO_UDP : BS_PROTO_TCP, ep->port};
	struct bs_socket_list list;
	bool found = false;

	buf[0] = '\0';
	if (bs_sockets_read_filtered(
	        &list,
	        (want.proto == BS_PROTO_UDP ? BS_SOCKETS_UDP : BS_SOCKETS_TCP) | BS_SOCKETS_IPV4 |
	            BS_SOCKETS_IPV6,
	        NULL, on_port, &want, NULL) < 0)
		return false;
	for (size_t i = 0; i < list.count; i++) {
		char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE];
		if (list.items[i].pid != getpid())
			continue;
		bs_socket_local_text(&list.items[i], local, sizeof(local));
		bs_textbuf_appendf(buf, len, "%s%s", found ? ", " : "", local);
		found = true;
	}
	bs_socket_list_free(&list);
	return found;
}

static int in_use(struct bs_error *err, int code, const char *where, const char *proto,
                  const struct bs_endpoint *ep, const char *holder, enum bs_port_clash clash)
{
	const char *ss_flags = strcmp(proto, "udp") == 0 ? "-lunp" : "-ltnp";
	char mine[256], safe[1024];

	if (held_by_self(proto, ep, mine, sizeof(mine)))
		return bs_error_set(err, code,
		                    "cannot listen on %s: this bindscope itself already listens on "
		                    "%s (opened earlier in this run). %sGive addresses that do not "
		                    "overlap, or another port",
		                    where, mine, clash_rule(clash));
	if (holder != NULL && holder[0] != '\0') {
		/* The holder's program name comes from outside: never raw on a terminal. */
		bs_text_safe(holder, safe, sizeof(safe));
		holder = safe;
	}
	if (holder != NULL && holder[0] != '\0')
		return bs_error_set(err, code,
		                    "cannot listen on %s: port %u is already in use by %s. %sStop "
		                    "it or pick another port (check with: ss %s 'sport = :%u')",
		                    where, ep->port, holder, clash_rule(clash), ss_flags, ep->port);
	return bs_error_set(err, code,
	                    "cannot listen on %s: port %u is already in use (find out by whom "
	                    "with: sudo ss %s 'sport = :%u'). %s%s",
	                    where, ep->port, ss_flags, ep->port,
	                    clash_rule(BS_CLASH_WILDCARD_SPECIFIC),
	                    clash_rule(BS_CLASH_DUAL_STACK));
}

/*
 * This machine's addresses of a family for the "not on this machine" sentence, as many as fit
 * in len with room for the tail; the rest counted, never cut silently: a router has hundreds
 * and a message has BS_ERROR_MSG_MAX bytes.
 */
static void addrs_abbrev(const struct bs_iface_list *ifaces, int family, char *buf, size_t len)
{
	static const size_t tail = 48; /* ", and 12345 more (bindscope list shows them)" */
	size_t shown = 0, left = 0, used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ifaces->count; i++)
		for (size_t j = 0; j < ifaces->items[i].naddrs; j++) {
			const struct bs_iface_addr *a = &ifaces->items[i].addrs[j];
			if (a->family != family)
				continue;
			if (left == 0 && used + strlen(a->text) + 2 + tail < len) {
				bs_textbuf_appendf(buf, len, "%s%s", shown++ ? ", " : "", a->text);
				used = strlen(buf);
			} else {
				left++;
			}
		}
	if (shown == 0 && left == 0)
		snprintf(buf, len, "none");
	else if (left > 0)
		bs_textbuf_appendf(buf, len, ", and %zu more (bindscope list shows them)", left);
}

int bs_bind_error(struct bs_error *err, int code, const char *proto, const struct bs_endpoint *ep,
                  const struct bs_iface_list *ifaces, const char *holder, enum bs_port_clash clash)
{
	char where[BS_ENDPOINT_TEXT_MAX + 8], addr[BS_ENDPOINT_TEXT_MAX], here[280];

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
			addrs_abbrev(ifaces, ep->family, here, sizeof(here));
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
