#include "bindscope/endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/textbuf.h"

#define PORT_RANGE_HINT "ports are whole numbers from 1 to 65535"

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int bs_port_parse(const char *text, uint16_t *port, struct bs_error *err)
{
	const char *p = text;
	unsigned long value = 0;
	char shown[4 * BS_TEXT_ABBREV_MAX + 32], rest[4 * BS_TEXT_ABBREV_MAX + 32];

	bs_text_abbrev(text, shown, sizeof(shown)); /* an argument may be of any length */

	if (*text == '\0')
		return bs_error_set(err, 0, "no port given: %s", PORT_RANGE_HINT);
	if (*p == '-' && isdigit((unsigned char)p[1]))
		return bs_error_set(err, 0, "port %s is negative: %s", shown, PORT_RANGE_HINT);
	if (!isdigit((unsigned char)*p))
		return bs_error_set(err, 0, "port '%s' is not a number: %s", shown,
		                    PORT_RANGE_HINT);
	/* Count digits ourselves: a bounded parse that cannot overflow. */
	for (; isdigit((unsigned char)*p); p++) {
		if (value <= 65535)
			value = value * 10 + (unsigned long)(*p - '0');
	}
	if (*p != '\0') {
		bs_text_abbrev(p, rest, sizeof(rest));
		return bs_error_set(err, 0, "port '%s' has '%s' after the number: %s", shown, rest,
		                    PORT_RANGE_HINT);
	}
	if (value == 0)
		return bs_error_set(err, 0,
		                    "port 0 is not a port you can choose (the kernel reads it as "
		                    "'any free port'): %s",
		                    PORT_RANGE_HINT);
	if (value > 65535)
		return bs_error_set(err, 0, "port %s is too large: the largest port is 65535",
		                    shown);
	*port = (uint16_t)value;
	return 0;
}

int bs_port_range_parse(const char *text, uint16_t *lo, uint16_t *hi, struct bs_error *err)
{
	char first[16];
	const char *dash = strchr(text, '-');
	size_t n;

	if (dash == NULL || dash == text) {
		if (bs_port_parse(text, lo, err) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	n = (size_t)(dash - text);
	if (n >= sizeof(first))
		return bs_error_set(
		    err, 0, "port range '%s' is malformed: write LOW-HIGH, e.g. 1-1024", text);
	memcpy(first, text, n);
	first[n] = '\0';
	if (bs_port_parse(first, lo, err) < 0 || bs_port_parse(dash + 1, hi, err) < 0)
		return -1;
	if (*lo > *hi)
		return bs_error_set(err, 0,
		                    "port range '%s' runs backwards: write the lower port first, "
		                    "e.g. %u-%u",
		                    text, *hi, *lo);
	return 0;
}

static void set_v4(struct bs_endpoint *ep, struct in_addr a, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ep->addr;

	memset(&ep->addr, 0, sizeof(ep->addr));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons(port);
	ep->addrlen = sizeof(*sin);
	ep->family = AF_INET;
	ep->port = port;
}

static void set_v6(struct bs_endpoint *ep, const struct in6_addr *a, uint32_t scope, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->addr;

	memset(&ep->addr, 0, sizeof(ep->addr));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *a;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	ep->addrlen = sizeof(*sin6);
	ep->family = AF_INET6;
	ep->port = port;
}

/* Port errors are reported with the whole input for context. */
static int parse_port_of(const char *text, const char *port_text, uint16_t *port,
                         struct bs_error *err)
{
	struct bs_error perr;

	if (bs_port_parse(port_text, port, &perr) == 0)
		return 0;
	return bs_error_set(err, 0, "\"%s\": %s", text, perr.msg);
}

/* The interface a scope names, by name or by index; NULL when there is none. */
static const struct bs_iface *scope_iface(const char *scope, const struct bs_iface_list *ifaces)
{
	unsigned long index;

	if (ifaces == NULL)
		return NULL;
	if (!all_digits(scope))
		return bs_iface_find(ifaces, scope);
	index = strlen(scope) < 10 ? strtoul(scope, NULL, 10) : 0;
	for (size_t i = 0; index != 0 && i < ifaces->count; i++)
		if (ifaces->items[i].index == index)
			return &ifaces->items[i];
	return NULL;
}

static int parse_bracketed(const char *text, const struct bs_iface_list *ifaces,
                           struct bs_endpoint *ep, struct bs_error *err)
{
	const char *close = strchr(text, ']');
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	struct in6_addr a;
	const struct bs_iface *scoped = NULL;
	uint32_t scope = 0;
	uint16_t port = 0;
	char *percent;
	size_t n;

	if (close == NULL)
		return bs_error_set(err, 0,
		                    "\"%s\" is missing the closing ']' of the IPv6 address: write "
		                    "e.g. [::1]:8082",
		                    text);
	n = (size_t)(close - text - 1);
	if (n >= sizeof(host))
		return bs_error_set(err, 0,
		                    "\"%s\": the text between [ and ] is too long for an "
		                    "IPv6 address",
		                    text);
	memcpy(host, text + 1, n);
	host[n] = '\0';
	if (close[1] == '\0')
		return bs_error_set(err, 0,
		                    "\"%s\" has no port: add one after the ']', e.g. [%s]:8082",
		                    text, host);
	if (close[1] != ':')
		return bs_error_set(err, 0,
		                    "\"%s\" has '%s' after the ']' where ':PORT' should be: write "
		                    "e.g. [%s]:8082",
		                    text, close + 1, host);
	percent = strchr(host, '%');
	if (percent != NULL)
		*percent++ = '\0';
	if (inet_pton(AF_INET6, host, &a) != 1)
		return bs_error_set(err, 0, "\"%s\": '%s' is not a valid IPv6 address", text, host);
	if (percent != NULL && (scoped = scope_iface(percent, ifaces)) == NULL) {
		char names[256];

		if (ifaces != NULL)
			bs_iface_names_text(ifaces, names, sizeof(names));
		else
			snprintf(names, sizeof(names), "unknown");
		return bs_error_set(err, 0,
		                    "\"%s\": no interface named or numbered '%s' for the scope "
		                    "(interfaces: %s)",
		                    text, percent, names);
	}
	if (IN6_IS_ADDR_LINKLOCAL(&a) && percent == NULL)
		return bs_error_set(err, 0,
		                    "\"%s\": %s is a link-local address and needs its interface, "
		                    "e.g. [%s%%eth0]:PORT",
		                    text, host, host);
	if (parse_port_of(text, close + 2, &port, err) < 0)
		return -1;
	if (scoped != NULL) {
		scope = scoped->index;
		snprintf(ep->ifname, sizeof(ep->ifname), "%s", scoped->name);
	}
	set_v6(ep, &a, scope, port);
	return 0;
}

static bool looks_numeric_v4(const char *host)
{
	for (; *host; host++)
		if (!isdigit((unsigned char)*host) && *host != '.')
			return false;
	return true;
}

static int resolve_host(const char *text, const char *host, const struct bs_iface_list *ifaces,
                        struct in_addr *a, struct bs_endpoint *ep, struct bs_error *err)
{
	const struct bs_iface *iface;
	const struct bs_iface_addr *first;
	char names[256];

	if (strcmp(host, "*") == 0) {
		a->s_addr = htonl(INADDR_ANY);
		return 0;
	}
	if (strcmp(host, "localhost") == 0) {
		a->s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	if (inet_pton(AF_INET, host, a) == 1)
		return 0;
	if (looks_numeric_v4(host))
		return bs_error_set(err, 0,
		                    "\"%s\": '%s' is not a valid IPv4 address (four numbers 0-255 "
		                    "separated by dots, e.g. 192.168.1.10)",
		                    text, host);
	iface = ifaces != NULL ? bs_iface_find(ifaces, host) : NULL;
	if (iface == NULL) {
		if (ifaces != NULL)
			bs_iface_names_text(ifaces, names, sizeof(names));
		else
			snprintf(names, sizeof(names), "none known");
		return bs_error_set(err, 0,
		                    "\"%s\": '%s' is neither an IPv4 address nor an interface on "
		                    "this machine (interfaces: %s)",
		                    text, host, names);
	}
	first = bs_iface_first_addr(iface, AF_INET);
	if (first == NULL) {
		first = bs_iface_first_addr(iface, AF_INET6);
		if (first != NULL)
			return bs_error_set(err, 0,
			                    "\"%s\": interface %s has no IPv4 address (it has IPv6 "
			                    "%s: write it in brackets, e.g. [%s%s%s]:PORT)",
			                    text, host, first->text, first->text,
			                    first->scope == BS_SCOPE_LINK ? "%" : "",
			                    first->scope == BS_SCOPE_LINK ? host : "");
		return bs_error_set(err, 0,
		                    "\"%s\": interface %s has no IPv4 address (it has no address "
		                    "at all%s)",
		                    text, host, (iface->flags & IFF_UP) ? "" : "; it is down");
	}
	*a = first->addr.v4;
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", iface->name);
	return 0;
}

static int parse_plain(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep,
                       struct bs_error *err)
{
	const char *colon = strrchr(text, ':');
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE];
	struct in_addr a;
	struct in6_addr a6;
	uint16_t port = 0;
	size_t n;

	n = (size_t)(colon - text);
	if (n >= sizeof(host))
		return bs_error_set(err, 0, "\"%s\": the address before the ':' is too long", text);
	memcpy(host, text, n);
	host[n] = '\0';
	if (strchr(host, ':') != NULL) {
		if (inet_pton(AF_INET6, host, &a6) == 1 || inet_pton(AF_INET6, text, &a6) == 1)
			return bs_error_set(err, 0,
			                    "\"%s\": an IPv6 address needs brackets around it, "
			                    "e.g. [::1]:8082",
			                    text);
		return bs_error_set(err, 0,
		                    "\"%s\" has too many ':' to be ADDR:PORT (IPv6 addresses go in "
		                    "brackets: [::1]:8082)",
		                    text);
	}
	if (n == 0)
		return bs_error_set(err, 0,
		                    "\"%s\" has no address before the ':': write 0.0.0.0%s for all "
		                    "interfaces or an address such as 127.0.0.1%s",
		                    text, colon, colon);
	if (resolve_host(text, host, ifaces, &a, ep, err) < 0)
		return -1;
	if (parse_port_of(text, colon + 1, &port, err) < 0)
		return -1;
	set_v4(ep, a, port);
	return 0;
}

static int parse_port_only(const char *text, const struct bs_iface_list *ifaces,
                           struct bs_endpoint *ep, struct bs_error *err)
{
	struct in_addr a;
	uint16_t port = 0;

	/* "wlan0" or "192.168.1.10" alone is an address that forgot its port. */
	if (inet_pton(AF_INET, text, &a) == 1 || (ifaces != NULL && bs_iface_find(ifaces, text)))
		return bs_error_set(err, 0, "\"%s\" has no port: write %s:PORT, e.g. %s:8082", text,
		                    text, text);
	if (parse_port_of(text, text, &port, err) < 0)
		return -1;
	a.s_addr = htonl(INADDR_ANY);
	set_v4(ep, a, port);
	ep->port_only = true;
	return 0;
}

int bs_endpoint_parse(const char *text, const struct bs_iface_list *ifaces, struct bs_endpoint *ep,
                      struct bs_error *err)
{
	memset(ep, 0, sizeof(*ep));
	if (text == NULL || *text == '\0')
		return bs_error_set(err, 0,
		                    "no address given: write PORT, ADDR:PORT, [IPV6]:PORT or "
		                    "IFNAME:PORT, e.g. 192.168.1.10:8082");
	/* The longest form, [IPV6%IFNAME]:PORT, is under 80 characters: anything far longer is
	 * not an address, and echoing it whole would push the reason off the screen. */
	if (strlen(text) > BS_ENDPOINT_INPUT_MAX)
		return bs_error_set(
		    err, 0,
		    "the address given is %zu characters long (it begins \"%.24s...\"); "
		    "an address and port is at most %d, e.g. 192.168.1.10:8082 or "
		    "[fe80::1%%eth0]:8082",
		    strlen(text), text, BS_ENDPOINT_INPUT_MAX);
	if (text[0] == '[')
		return parse_bracketed(text, ifaces, ep, err);
	if (strchr(text, ':') == NULL)
		return parse_port_only(text, ifaces, ep, err);
	return parse_plain(text, ifaces, ep, err);
}

int bs_endpoint_from_sockaddr(struct bs_endpoint *ep, const struct sockaddr *sa, socklen_t len)
{
	memset(ep, 0, sizeof(*ep));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		set_v4(ep, sin->sin_addr, ntohs(sin->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		set_v6(ep, &sin6->sin6_addr, sin6->sin6_scope_id, ntohs(sin6->sin6_port));
		if (sin6->sin6_scope_id != 0)
			if_indextoname(sin6->sin6_scope_id, ep->ifname);
		return 0;
	}
	return -1;
}

void bs_endpoint_set_port(struct bs_endpoint *ep, uint16_t port)
{
	ep->port = port;
	if (ep->family == AF_INET)
		((struct sockaddr_in *)&ep->addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ep->addr)->sin6_port = htons(port);
}

bool bs_endpoint_equal(const struct bs_endpoint *a, const struct bs_endpoint *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return ((const struct sockaddr_in *)&a->addr)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&b->addr)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)&a->addr)->sin6_addr,
	              &((const struct sockaddr_in6 *)&b->addr)->sin6_addr, 16) == 0;
}

bool bs_endpoint_is_wildcard(const struct bs_endpoint *ep)
{
	if (ep->family == AF_INET)
		return ((const struct sockaddr_in *)&ep->addr)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&ep->addr)->sin6_addr);
}

void bs_endpoint_addr_text(const struct bs_endpoint *ep, char *buf, size_t len)
{
	if (ep->family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&ep->addr)->sin_addr, buf,
		          (socklen_t)len);
		return;
	}
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ep->addr;
	inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)len);
	if (sin6->sin6_scope_id != 0) {
		if (ep->ifname[0] != '\0')
			bs_textbuf_appendf(buf, len, "%%%s", ep->ifname);
		else
			bs_textbuf_appendf(buf, len, "%%%u", sin6->sin6_scope_id);
	}
}

/* "[ADDR]:PORT" or "ADDR:PORT", cut to len as snprintf would. Written by hand: a listener
 * says two of these per connection, and printf's machinery was most of its CPU. */
void bs_endpoint_text(const struct bs_endpoint *ep, char *buf, size_t len)
{
	char out[INET6_ADDRSTRLEN + IF_NAMESIZE + 16], digits[8];
	size_t o = 0, nd = 0, n;
	unsigned port = ep->port;
	bool v6 = ep->family == AF_INET6;

	if (len == 0)
		return;
	if (v6)
		out[o++] = '[';
	bs_endpoint_addr_text(ep, out + o, sizeof(out) - o - 9);
	o += strlen(out + o);
	if (v6)
		out[o++] = ']';
	out[o++] = ':';
	do
		digits[nd++] = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	while (nd > 0)
		out[o++] = digits[--nd];
	n = o < len - 1 ? o : len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}

void bs_sockaddr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen)
{
	struct bs_endpoint ep;

	if (bs_endpoint_from_sockaddr(&ep, sa, len) < 0) {
		snprintf(buf, buflen, "(unknown address family %d)", sa->sa_family);
		return;
	}
	bs_endpoint_text(&ep, buf, buflen);
}
