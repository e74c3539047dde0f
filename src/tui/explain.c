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

/* What the next [::] listener does with IPv4: v6only as chosen with key 6, or the system's. */
static const char *v6only_words(const struct tui *t)
{
	if (t->v6only == 1)
		return ", IPv6 only: v6only is on (key 6)";
	if (t->v6only == 0)
		return ", and IPv4 too: v6only is off (key 6)";
	return t->sys_bindv6only
	           ? ", IPv6 only: net.ipv6.bindv6only = 1 turns v6only on (key 6)"
	           : ", and IPv4 too: net.ipv6.bindv6only = 0 leaves v6only off (key 6)";
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
			         row->bind.family == AF_INET ? "" : v6only_words(t));
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
		         "same as: socat %s%s-LISTEN:%s,bind=%s%s%s,fork%s%s /dev/null",
		         t->next_proto == BS_PROTO_UDP ? "UDP" : "TCP",
		         row->bind.family == AF_INET6 ? "6" : "4",
		         t->prompt.active ? t->prompt.text : TUI_DEFAULT_PORT, /* Enter, Enter */
		         row->bind.family == AF_INET6 ? "[" : "", addr,
		         row->bind.family == AF_INET6 ? "]" : "",
		         t->next_proto == BS_PROTO_TCP ? ",reuseaddr" : "",
		         row->bind.family != AF_INET6 || t->v6only == -1 ? ""
		         : t->v6only                                     ? ",ipv6only=1"
		                                                         : ",ipv6only=0");
	return n;
}

static size_t explain_row_summary(const struct tui *t, long r, char lines[][EXPLAIN_LINE],
                                  size_t max)
{
	const struct bs_matrix *m = bs_lesson_matrix(t->lesson);
	char text[EXPLAIN_LINE], cmd[EXPLAIN_LINE / 2], ss[128];
	size_t n = 0;

	bs_matrix_row_summary(m, (size_t)r, bs_lesson_ifaces(t->lesson), text, sizeof(text));
	snprintf(lines[n++], EXPLAIN_LINE, "%s", text);
	bs_matrix_row_socat(m, (size_t)r, cmd, sizeof(cmd));
	bs_matrix_row_ss(m, (size_t)r, ss, sizeof(ss));
	if (n < max)
		snprintf(lines[n++], EXPLAIN_LINE, "%s%s%s", cmd, cmd[0] ? "   " : "", ss);
	return n;
}

static size_t explain_listener(const struct tui *t, size_t i, char lines[][EXPLAIN_LINE],
                               size_t max)
{
	long r = bs_lesson_row_of_listener(t->lesson, i);
	char ep[BS_ENDPOINT_TEXT_MAX];

	if (r >= 0)
		return explain_row_summary(t, r, lines, max);
	bs_endpoint_text(bs_listener_endpoint(bs_lesson_listener(t->lesson, i)), ep, sizeof(ep));
	snprintf(lines[0], EXPLAIN_LINE, "%s %s: %s",
	         bs_proto_name(bs_listener_proto(bs_lesson_listener(t->lesson, i))), ep,
	         bs_lesson_probing(t->lesson) ? "reading the socket table..."
	                                      : "not in the socket table yet: press r to read it");
	return 1;
}

static size_t explain_cell(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	const struct bs_matrix *m = bs_lesson_matrix(t->lesson);
	size_t i = t->sel_row, j = t->sel_col, n = 0;
	const struct bs_matrix_col *col;
	struct bs_matrix_cell cell;
	char why[EXPLAIN_LINE - 2 * BS_MATRIX_LABEL_MAX - BS_ENDPOINT_TEXT_MAX - 16], check[1024],
	    ss[128];
	const struct bs_probe_result *r;

	if (bs_lesson_listener_count(t->lesson) == 0 || i >= bs_matrix_nrows(m) ||
	    j >= bs_matrix_ncols(m))
		return 0;
	col = bs_matrix_col(m, j);
	bs_matrix_cell(m, i, j, &cell);
	r = &cell.probe->observed;
	bs_matrix_cell_why(m, i, j, why, sizeof(why));
	/* The check command first: the why can be long and the panel is short. */
	bs_matrix_probe_check(m, cell.probe, check, sizeof(check));
	bs_matrix_row_ss(m, i, ss, sizeof(ss));
	if (bs_matrix_vantage_failure(m, cell.probe)[0] != '\0')
		snprintf(lines[n++], EXPLAIN_LINE, "not probed from %s (%s)   %s",
		         bs_matrix_vantage(m, col->vantage)->name,
		         bs_matrix_vantage_fault_word(m, cell.probe), check);
	else if (r->verdict != BS_VERDICT_PENDING)
		snprintf(lines[n++], EXPLAIN_LINE, "observed %s%s%s in %.2f ms from %s   %s   %s",
		         bs_verdict_name(r->verdict), r->error ? " " : "",
		         r->error ? bs_errno_name(r->error) : "", (double)r->latency_us / 1000.0,
		         bs_matrix_vantage(m, col->vantage)->name, check, ss);
	/* "eth0 192.168.0.110: …", but "::: …" would stutter for the :: column. */
	if (n < max)
		snprintf(lines[n++], EXPLAIN_LINE, "%s%s%s: %s%s", col->label,
		         strcmp(col->label, col->text) ? " " : "",
		         strcmp(col->label, col->text) ? col->text : "",
		         r->verdict == BS_VERDICT_PENDING ? "probing... " : "", why);
	return n;
}

/* What v does, while its host is typed. */
static size_t explain_host_prompt(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	const char *host = t->prompt.text[0] ? t->prompt.text : "HOST";
	const char *ssh = t->ssh_command ? t->ssh_command : "ssh";
	size_t n = 0;

	snprintf(lines[n++], EXPLAIN_LINE,
	         "Another machine's probes cross the real network to this one, which probes from "
	         "this host (over loopback) never do: each of its connections is a column.");
	if (n < max)
		snprintf(
		    lines[n++], EXPLAIN_LINE,
		    "bindscope runs `%s -T -o BatchMode=yes %s bindscope agent`: that must log "
		    "in without a password prompt (a key, your ssh config), and %s needs "
		    "bindscope installed.",
		    ssh, host, host);
	return n;
}

size_t explain_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	size_t count = bs_lesson_listener_count(t->lesson);

	if (t->prompt.active && t->prompt.kind == PROMPT_HOST)
		return explain_host_prompt(t, lines, max);
	if (t->prompt.active)
		return explain_row(t, &t->prompt.row, lines, max);
	if (tour_showing(t))
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
