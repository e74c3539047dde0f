/*
 * The firewall's part in a cell: what this machine's ruleset (env.firewall) does to each probe
 * on its way in, before any socket is asked, and, for a host cell of an interface's address,
 * what the same connection would meet arriving on that interface from another machine.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "matrix_internal.h"

/* A peer sends from its own address when the family matches; else the source is not known. */
static bool peer_source(const struct bs_vantage *v, int family, struct bs_endpoint *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (family == AF_INET && inet_pton(AF_INET, v->addr, &a4) == 1) {
		bs_endpoint_from_v4(out, a4, 0);
		return true;
	}
	if (family == AF_INET6 && inet_pton(AF_INET6, v->addr, &a6) == 1) {
		bs_endpoint_from_v6(out, &a6, 0, 0);
		return true;
	}
	return false;
}

/* The packet a probe sends, as the firewall sees it arrive. */
static void probe_packet(const struct bs_matrix *m, const struct bs_matrix_probe *pr,
                         struct bs_fw_query *q)
{
	const struct bs_vantage *v = bs_matrix_vantage(m, m->cols[pr->col].vantage);

	memset(q, 0, sizeof(*q));
	q->proto = m->ports[pr->port].proto;
	q->dst = pr->query.dst;
	q->dst_local = true;
	if (v->peer) {
		snprintf(q->iif, sizeof(q->iif), "%s", v->iface);
		q->src_known = peer_source(v, q->dst.family, &q->src);
		return;
	}
	/* From this host to its own address: out through lo and in again, the source being the
	 * address itself (ip route get ADDR says src ADDR) unless --from bound another. */
	q->from_host = true;
	snprintf(q->iif, sizeof(q->iif), "lo");
	snprintf(q->oif, sizeof(q->oif), "lo");
	q->src =
	    m->env.from.family == q->dst.family ? m->env.from : bs_endpoint_without_port(&q->dst);
	q->src_known = true;
}

void matrix_firewall_judge(struct bs_matrix *m, struct bs_matrix_probe *pr,
                           const struct bs_iface_list *ifaces)
{
	const struct bs_matrix_col *col = &m->cols[pr->col];
	const struct bs_iface *owner;
	struct bs_fw_query q;

	pr->firewall_known = bs_matrix_firewall_why(m)[0] == '\0';
	pr->has_outside = false;
	memset(&pr->firewall, 0, sizeof(pr->firewall));
	pr->firewall.chain = pr->firewall.rule = -1;
	if (!pr->firewall_known || col->kind == BS_COL_NOT_LOCAL || col->route != BS_ROUTE_HERE)
		return; /* it never arrives here: nothing for the firewall to do */
	probe_packet(m, pr, &q);
	bs_fw_eval(m->env.firewall, &q, &pr->firewall);
	if (col->vantage != 0 || col->kind != BS_COL_ADDRESS)
		return;
	owner = bs_endpoint_owner(ifaces, &col->addr);
	if (owner == NULL || (owner->flags & IFF_LOOPBACK))
		return;
	/* The same connection from another machine: it arrives on the address's interface,
	 * from a sender not known here. */
	q.from_host = false;
	q.oif[0] = '\0';
	q.src_known = false;
	snprintf(q.iif, sizeof(q.iif), "%s", owner->name);
	snprintf(pr->outside_iface, sizeof(pr->outside_iface), "%s", owner->name);
	bs_fw_eval(m->env.firewall, &q, &pr->outside);
	pr->has_outside = true;
}

enum matrix_fw_effect matrix_firewall_effect(const struct bs_matrix_probe *p)
{
	if (!p->firewall_known)
		return MATRIX_FW_PASS; /* not read: predictions are the socket table's alone */
	switch (p->firewall.outcome) {
	case BS_FW_ACCEPT:
		return MATRIX_FW_PASS;
	case BS_FW_DROP:
	case BS_FW_REJECT:
		return MATRIX_FW_BLOCK;
	case BS_FW_DEPENDS:
	case BS_FW_TRANSLATED:
		break;
	}
	return MATRIX_FW_UNKNOWN;
}

bool matrix_firewall_icmp_due(const struct bs_matrix_probe *p)
{
	return matrix_firewall_effect(p) == MATRIX_FW_BLOCK &&
	       p->firewall.outcome == BS_FW_REJECT && p->firewall.reject == BS_REJECT_ICMP;
}

bool matrix_firewall_explains(const struct bs_matrix *m, const struct bs_matrix_probe *p)
{
	const struct bs_probe_result *o = &p->observed;
	const struct bs_fw_verdict *f = &p->firewall;
	bool udp = m->ports[p->port].proto == BS_PROTO_UDP;

	if (f->outcome == BS_FW_DROP)
		return o->verdict == (udp ? BS_VERDICT_OPEN_FILTERED : BS_VERDICT_TIMEOUT);
	if (f->reject == BS_REJECT_TCP_RESET)
		return o->verdict == BS_VERDICT_REFUSED && !o->icmp;
	return o->icmp && o->icmp_type == f->icmp_type && o->icmp_code == f->icmp_code;
}

/* "dropped by inet hostfw input, handle 7 (iifname "wlan0" tcp dport 80 drop)", "accepted by
 * the policy of ip filter INPUT", "accepted: no firewall rule is on its path". */
static void verdict_words(const struct bs_matrix *m, const struct bs_fw_verdict *v, int family,
                          char *buf, size_t len)
{
	char outcome[96], where[200], rule[400];

	bs_fw_outcome_text(v, family, outcome, sizeof(outcome));
	bs_fw_where(m->env.firewall, v, where, sizeof(where));
	bs_fw_rule_text(m->env.firewall, v, rule, sizeof(rule));
	if (v->outcome == BS_FW_ACCEPT && !v->any_rule) {
		snprintf(buf, len, "accepted: no firewall rule is on its path");
		return;
	}
	snprintf(buf, len, "%s", outcome);
	if (where[0] != '\0')
		bs_textbuf_appendf(buf, len, " by %s", where);
	if (rule[0] != '\0')
		bs_textbuf_appendf(buf, len, " (%s)", rule);
}

/* Why a rule's verdict cannot be known before the packet is sent. */
static void depends_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                          size_t len)
{
	char where[200], rule[400];

	bs_fw_where(m->env.firewall, &p->firewall, where, sizeof(where));
	bs_fw_rule_text(m->env.firewall, &p->firewall, rule, sizeof(rule));
	if (p->firewall.outcome == BS_FW_TRANSLATED)
		snprintf(
		    buf, len,
		    "The firewall's nat rule %s (%s) sends it elsewhere before any socket here "
		    "is asked, so the socket table predicts nothing for it.",
		    where, rule);
	else
		snprintf(buf, len,
		         "What the firewall does to it depends on %s (%s): bindscope cannot tell "
		         "whether that rule matches this packet, so nothing is predicted.",
		         where, rule);
}

void matrix_firewall_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                           size_t len)
{
	char part[800];
	int family = p->query.dst.family;

	buf[0] = '\0';
	if (!p->firewall_known) {
		bs_fw_summary(NULL, bs_matrix_firewall_why(m), part, sizeof(part));
		snprintf(buf, len, "%s: what it does to this is not predicted.", part);
		return;
	}
	switch (matrix_firewall_effect(p)) {
	case MATRIX_FW_UNKNOWN:
		depends_words(m, p, buf, len);
		return;
	case MATRIX_FW_BLOCK:
		verdict_words(m, &p->firewall, family, part, sizeof(part));
		snprintf(buf, len, "The firewall stops it before any socket is asked: %s.", part);
		return;
	case MATRIX_FW_PASS:
		break;
	}
	if (p->firewall.any_rule) {
		verdict_words(m, &p->firewall, family, part, sizeof(part));
		snprintf(buf, len, "The firewall lets it in: %s.", part);
	}
}

void matrix_firewall_outside_words(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                   char *buf, size_t len)
{
	char part[800];

	buf[0] = '\0';
	if (!p->has_outside)
		return;
	if (p->outside.outcome == BS_FW_DEPENDS) {
		bs_fw_where(m->env.firewall, &p->outside, part, sizeof(part));
		snprintf(
		    buf, len,
		    "This travelled over lo, so the firewall's rules for %s were not exercised: "
		    "from another machine, arriving on %s, its fate depends on %s, and bindscope "
		    "cannot tell whether that rule matches it.",
		    p->outside_iface, p->outside_iface, part);
		return;
	}
	verdict_words(m, &p->outside, p->query.dst.family, part, sizeof(part));
	snprintf(buf, len,
	         "This travelled over lo, so the firewall's rules for %s were not exercised: from "
	         "another machine, arriving on %s, it would be %s.",
	         p->outside_iface, p->outside_iface, part);
}
