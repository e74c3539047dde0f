/* The explain panel: why, for whatever is selected, and the equivalent commands. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "tui.h"

/* "eth0 192.168.0.0/24, wlan0 192.168.1.0/24": the networks a wildcard of family exposes. */
static void exposed_networks(const struct tui *t, int family, char *buf, size_t len)
{
	const struct bs_iface_list *ifaces = bs_lesson_ifaces(t->lesson);

	buf[0] = '\0';
	for (size_t i = 0; i < ifaces->count; i++) {
		const struct bs_iface *iface = &ifaces->items[i];
		if (!(iface->flags & IFF_UP) || (iface->flags & IFF_LOOPBACK))
			continue;
		for (size_t j = 0; j < iface->naddrs; j++) {
			const struct bs_iface_addr *a = &iface->addrs[j];
			char net[INET6_ADDRSTRLEN];
			if (a->family != family)
				continue;
			if (family == AF_INET) {
				uint32_t mask = a->prefix ? htonl(~0u << (32 - a->prefix)) : 0;
				struct in_addr n = {.s_addr = a->addr.v4.s_addr & mask};
				inet_ntop(AF_INET, &n, net, sizeof(net));
			} else {
				snprintf(net, sizeof(net), "%s", a->text);
			}
			bs_textbuf_appendf(buf, len, "%s%s %s/%u%s", buf[0] ? ", " : "",
			                   iface->name, net, a->prefix,
			                   a->scope == BS_SCOPE_LINK ? " (link-local)" : "");
		}
	}
}

static size_t explain_row(const struct tui *t, const struct iface_row *row,
                          char lines[][EXPLAIN_LINE], size_t max)
{
	char nets[300], addr[BS_ENDPOINT_TEXT_MAX];
	size_t n = 0;

	bs_endpoint_addr_text(&row->bind, addr, sizeof(addr));

	if (!row->bindable) {
		snprintf(lines[n++], EXPLAIN_LINE,
		         "%s has no address to bind: a listener needs an address "
		         "that is on this machine.",
		         row->name);
		return n;
	}
	if (row->wildcard) {
		exposed_networks(t, row->bind.family, nets, sizeof(nets));
		if (nets[0] != '\0')
			snprintf(lines[n++], EXPLAIN_LINE,
			         "Warning: %s exposes the port to every "
			         "network this machine is on: %s.",
			         addr, nets);
		else
			snprintf(lines[n++], EXPLAIN_LINE,
			         "Only loopback is up: %s exposes the port "
			         "to this machine only, for now.",
			         addr);
		if (n < max)
			snprintf(lines[n++], EXPLAIN_LINE,
			         "It listens on every %s address, including "
			         "ones added later (DHCP, VPN)%s.",
			         row->bind.family == AF_INET ? "IPv4" : "IPv6",
			         row->bind.family == AF_INET6 && t->v6only != 1
			             ? ", and takes IPv4 too unless v6only is on (key 6)"
			             : "");
	} else {
		snprintf(lines[n++], EXPLAIN_LINE,
		         "Binding %s (%s) accepts only %s addressed to it; every other address of "
		         "this machine refuses (%s).",
		         addr, row->name,
		         t->next_proto == BS_PROTO_UDP ? "datagrams" : "connections",
		         t->next_proto == BS_PROTO_UDP ? "ICMP port unreachable" : "a reset");
	}
	if (n < max)
		snprintf(lines[n++], EXPLAIN_LINE,
		         "same as: socat %s%s-LISTEN:%s,bind=%s%s%s,fork%s /dev/null",
		         t->next_proto == BS_PROTO_UDP ? "UDP" : "TCP",
		         row->bind.family == AF_INET6 ? "6" : "4",
		         t->prompt.active ? t->prompt.text : "PORT",
		         row->bind.family == AF_INET6 ? "[" : "", addr,
		         row->bind.family == AF_INET6 ? "]" : "",
		         t->next_proto == BS_PROTO_TCP ? ",reuseaddr" : "");
	return n;
}

static size_t explain_listener(const struct tui *t, size_t i, char lines[][EXPLAIN_LINE],
                               size_t max)
{
	const struct bs_exposure_listener *x = bs_lesson_exposure(t->lesson, i);
	char text[512], cmd[256], ss[128];
	size_t n = 0;

	bs_exposure_summary(x, bs_lesson_ifaces(t->lesson), text, sizeof(text));
	snprintf(lines[n++], EXPLAIN_LINE, "%s", text);
	bs_exposure_socat_command(x, cmd, sizeof(cmd));
	bs_exposure_ss_command(x, ss, sizeof(ss));
	if (n < max)
		snprintf(lines[n++], EXPLAIN_LINE, "%s   %s", cmd, ss);
	return n;
}

static size_t explain_cell(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	size_t i = t->sel_row, j = t->sel_col, n = 0;
	const struct bs_exposure_listener *x;
	const struct bs_exposure_target *target;
	const struct bs_probe_result *r;
	struct bs_exposure_cell cell;
	char nc[128], ss[128];

	if (i >= bs_lesson_listener_count(t->lesson) || j >= bs_lesson_target_count(t->lesson))
		return 0;
	x = bs_lesson_exposure(t->lesson, i);
	target = bs_lesson_target(t->lesson, j);
	r = bs_lesson_result(t->lesson, i, j);
	bs_exposure_cell_eval(x, target, r, &cell);
	/* "eth0 192.168.0.110: …", but "::: …" would stutter for the :: column. */
	snprintf(lines[n++], EXPLAIN_LINE, "%s%s%s: %s%s", target->label,
	         strcmp(target->label, target->text) ? " " : "",
	         strcmp(target->label, target->text) ? target->text : "",
	         r->verdict == BS_VERDICT_PENDING ? "probing... " : "", cell.why);
	bs_exposure_nc_command(x, target, nc, sizeof(nc));
	bs_exposure_ss_command(x, ss, sizeof(ss));
	if (n < max && r->verdict != BS_VERDICT_PENDING)
		snprintf(lines[n++], EXPLAIN_LINE,
		         "observed %s%s%s in %.2f ms from this host   %s   %s",
		         bs_verdict_name(r->verdict), r->error ? " " : "",
		         r->error ? bs_errno_name(r->error) : "", (double)r->latency_us / 1000.0,
		         nc, ss);
	return n;
}

size_t explain_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	size_t count = bs_lesson_listener_count(t->lesson);

	if (t->prompt.active)
		return explain_row(t, &t->prompt.row, lines, max);
	if (t->tour_step >= 0)
		return tour_lines(t, lines, max);
	switch (t->focus) {
	case FOCUS_IFACES:
		return explain_row(t, &t->rows[t->sel_iface], lines, max);
	case FOCUS_LISTENERS:
		if (t->sel_listener < count)
			return explain_listener(t, t->sel_listener, lines, max);
		break;
	case FOCUS_MATRIX:
		return explain_cell(t, lines, max);
	case FOCUS_SOCKETS:
		break;
	}
	snprintf(lines[0], EXPLAIN_LINE, "No listener yet: choose an interface and press Enter.");
	return 1;
}
