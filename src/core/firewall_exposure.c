/* What the firewall lets through to one socket from other machines, interface by interface. */
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "firewall_internal.h"

/* The address a connection from outside is sent to on interface f: the socket's own, or, for
 * a wildcard, f's first address of the family (a global one before a link-local one). */
static bool destination_on(const struct bs_socket *s, const struct bs_iface *f, int family,
                           struct bs_endpoint *dst)
{
	const struct bs_iface_addr *pick = NULL;

	if (!bs_endpoint_is_wildcard(&s->local)) {
		*dst = s->local;
		return true;
	}
	for (size_t i = 0; i < f->naddrs; i++) {
		const struct bs_iface_addr *a = &f->addrs[i];
		if (a->family != family)
			continue;
		if (pick == NULL || (pick->scope == BS_SCOPE_LINK && a->scope != BS_SCOPE_LINK))
			pick = a;
	}
	if (pick == NULL)
		return false;
	bs_endpoint_from_iface_addr(dst, f, pick);
	bs_endpoint_set_port(dst, s->local.port);
	return true;
}

/* Can a connection for s arrive on f from another machine? */
static bool arrives_on(const struct bs_socket *s, const struct bs_iface *f,
                       const struct bs_iface_list *ifaces)
{
	const struct bs_iface *owner;

	if (!(f->flags & IFF_UP) || (f->flags & IFF_LOOPBACK))
		return false;
	if (s->bound_ifindex != 0)
		return strcmp(s->bound_dev, f->name) == 0;
	if (bs_endpoint_is_wildcard(&s->local))
		return true;
	if (bs_endpoint_is_loopback(&s->local))
		return false;
	owner = bs_endpoint_owner(ifaces, &s->local);
	return owner != NULL && strcmp(owner->name, f->name) == 0;
}

size_t bs_fw_socket_exposure(const struct bs_fw_ruleset *fw, const struct bs_socket *s,
                             const struct bs_iface_list *ifaces, struct bs_fw_iface_verdict *out,
                             size_t max)
{
	bool dual =
	    s->local.family == AF_INET6 && s->v6only == 0 && bs_endpoint_is_wildcard(&s->local);
	const int families[2] = {dual ? AF_INET : s->local.family, AF_INET6};
	size_t n = 0;

	for (size_t i = 0; ifaces != NULL && i < ifaces->count; i++) {
		const struct bs_iface *f = &ifaces->items[i];
		if (!arrives_on(s, f, ifaces))
			continue;
		for (int k = 0; k < (dual ? 2 : 1); k++) {
			struct bs_fw_query q = {.proto = s->proto, .dst_local = true};
			if (!destination_on(s, f, families[k], &q.dst))
				continue;
			if (n < max) {
				snprintf(q.iif, sizeof(q.iif), "%s", f->name);
				snprintf(out[n].iface, sizeof(out[n].iface), "%s", f->name);
				out[n].family = q.dst.family;
				bs_fw_eval(fw, &q, &out[n].verdict);
			}
			n++;
		}
	}
	return n;
}

static bool same_decision(const struct bs_fw_verdict *a, const struct bs_fw_verdict *b)
{
	return a->outcome == b->outcome && a->chain == b->chain && a->rule == b->rule &&
	       a->reject == b->reject && a->icmp_type == b->icmp_type &&
	       a->icmp_code == b->icmp_code;
}

/* Does v[k]'s interface have its other family's verdict in the same group? */
static bool twin_in_group(const struct bs_fw_iface_verdict *v, size_t n, size_t first, size_t k)
{
	for (size_t j = first; j < n; j++)
		if (j != k && v[j].family != v[k].family && strcmp(v[j].iface, v[k].iface) == 0 &&
		    same_decision(&v[j].verdict, &v[first].verdict))
			return true;
	return false;
}

/* "dropped on wlan0, eth1 by inet hostfw input, handle 4" for the group starting at v[first]. */
static void group_text(const struct bs_fw_ruleset *fw, const struct bs_fw_iface_verdict *v,
                       size_t n, size_t first, bool dual, char *buf, size_t len)
{
	char outcome[96], where[200], safe[4 * IF_NAMESIZE], rule[400];
	bool any = false;

	bs_fw_outcome_text(&v[first].verdict, v[first].family, outcome, sizeof(outcome));
	bs_textbuf_appendf(buf, len, "%s on ",
	                   v[first].verdict.outcome == BS_FW_DEPENDS ? "undecided" : outcome);
	for (size_t k = first; k < n; k++) {
		bool both = dual && twin_in_group(v, n, first, k);
		if (!same_decision(&v[k].verdict, &v[first].verdict) ||
		    (both && v[k].family == AF_INET6))
			continue; /* not this group, or said with its IPv4 twin */
		bs_text_safe(v[k].iface, safe, sizeof(safe));
		bs_textbuf_appendf(buf, len, "%s%s%s", any ? ", " : "", safe,
		                   !dual || both             ? ""
		                   : v[k].family == AF_INET6 ? " (IPv6)"
		                                             : " (IPv4)");
		any = true;
	}
	bs_fw_where(fw, &v[first].verdict, where, sizeof(where));
	if (v[first].verdict.outcome == BS_FW_DEPENDS) {
		bs_fw_rule_text(fw, &v[first].verdict, rule, sizeof(rule)); /* made safe */
		bs_textbuf_appendf(buf, len,
		                   ": bindscope cannot tell whether %s (%s) matches a connection "
		                   "arriving there",
		                   where, rule);
	} else if (where[0] != '\0') {
		bs_textbuf_appendf(buf, len, " by %s", where);
	}
}

void bs_fw_socket_exposure_text(const struct bs_fw_ruleset *fw, const struct bs_socket *s,
                                const struct bs_fw_iface_verdict *v, size_t n, char *buf,
                                size_t len)
{
	bool dual =
	    s->local.family == AF_INET6 && s->v6only == 0 && bs_endpoint_is_wildcard(&s->local);

	buf[0] = '\0';
	if (n == 0)
		return;
	snprintf(buf, len, "%u: ", (unsigned)s->local.port);
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = same_decision(&v[k].verdict, &v[i].verdict);
		if (seen)
			continue;
		if (i > 0)
			bs_textbuf_appendf(buf, len, "; ");
		group_text(fw, v, n, i, dual, buf, len);
	}
}
