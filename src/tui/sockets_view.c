/*
 * The sockets screen: every listening socket of this machine with its owner and exposure,
 * most exposed first (the engine's bs_sockets), filtered by protocol and exposure. p probes
 * the chosen socket's port on every local address through the probe engine. The list is
 * read again every 2 s while the screen is shown, and not at all otherwise.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

#define REFRESH_MS 2000

static bool visible(const struct tui *t, const struct bs_socket *s)
{
	if (t->sv.exposed_only && s->exposure == BS_EXPOSED_LOOPBACK)
		return false;
	if (t->sv.proto_filter == 1 && s->proto != BS_PROTO_TCP)
		return false;
	return t->sv.proto_filter != 2 || s->proto == BS_PROTO_UDP;
}

/* The index in the list of the n-th visible socket, or list.count when there is none. */
static size_t nth_visible(const struct tui *t, size_t n)
{
	for (size_t i = 0; i < t->sv.list.count; i++)
		if (visible(t, &t->sv.list.items[i]) && n-- == 0)
			return i;
	return t->sv.list.count;
}

static size_t visible_count(const struct tui *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->sv.list.count; i++)
		n += visible(t, &t->sv.list.items[i]);
	return n;
}

void sockets_view_refresh(struct tui *t)
{
	struct bs_socket_list fresh;
	struct bs_error err;

	if (bs_sockets_read(&fresh, BS_SOCKETS_ALL, bs_lesson_ifaces(t->lesson), &err) < 0) {
		snprintf(t->sv.error, sizeof(t->sv.error), "%s", err.msg);
		return;
	}
	t->sv.error[0] = '\0';
	bs_socket_list_free(&t->sv.list);
	t->sv.list = fresh;
	if (t->sv.sel >= visible_count(t) && t->sv.sel > 0)
		t->sv.sel = visible_count(t) ? visible_count(t) - 1 : 0;
	t->dirty = true;
}

static void refresh_tick(void *arg)
{
	sockets_view_refresh(arg);
}

void sockets_view_show(struct tui *t, bool on)
{
	if (on) {
		sockets_view_refresh(t);
		if (t->sv.refresh == NULL)
			t->sv.refresh =
			    bs_loop_timer(t->loop, REFRESH_MS, true, refresh_tick, t, NULL);
	} else {
		/* Off screen, nothing is re-read: idle stays free. */
		bs_timer_cancel(t->sv.refresh);
		t->sv.refresh = NULL;
	}
}

void sockets_view_move(struct tui *t, int dy)
{
	size_t n = visible_count(t);

	if (dy < 0 && t->sv.sel > 0)
		t->sv.sel--;
	if (dy > 0 && t->sv.sel + 1 < n)
		t->sv.sel++;
	if (dy == 0)
		t->sv.sel = 0; /* a filter changed */
}

static void probe_done(struct bs_probe *p, void *arg)
{
	struct tui *t = arg;

	(void)p;
	t->dirty = true;
}

void sockets_view_probe(struct tui *t)
{
	static struct bs_endpoint eps[BS_LESSON_MAX_TARGETS];
	struct bs_probe_opts po = bs_probe_opts_default();
	size_t i = nth_visible(t, t->sv.sel);
	struct bs_error err;

	if (i >= t->sv.list.count)
		return;
	bs_probe_free(t->sv.probe);
	t->sv.probe = NULL;
	t->sv.probed = t->sv.list.items[i];
	t->sv.ntargets =
	    bs_exposure_targets(bs_lesson_ifaces(t->lesson), t->sv.probed.local.family == AF_INET6,
	                        t->sv.targets, BS_LESSON_MAX_TARGETS);
	for (size_t j = 0; j < t->sv.ntargets; j++)
		bs_exposure_target_endpoint(&t->sv.targets[j], t->sv.probed.local.port, &eps[j]);
	po.proto = t->sv.probed.proto;
	t->sv.probe = bs_probe_start(t->loop, eps, t->sv.ntargets, &po, probe_done, t, &err);
	if (t->sv.probe == NULL)
		snprintf(t->sv.error, sizeof(t->sv.error), "%s", err.msg);
}

static void draw_table(struct tui *t, int y, int height)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], exposure[96], owner[128], line[512];
	size_t n = visible_count(t), first = 0;

	if (t->sv.sel >= (size_t)height)
		first = t->sv.sel - (size_t)height + 1;
	attron(A_BOLD);
	mvprintw(y, 1, "%-5s %-24s %-36s %s", "PROTO", "LOCAL", "EXPOSURE", "OWNER");
	attroff(A_BOLD);
	for (size_t k = 0; k + first < n && (int)k < height; k++) {
		const struct bs_socket *s = &t->sv.list.items[nth_visible(t, first + k)];
		bool sel = first + k == t->sv.sel;

		bs_socket_local_text(s, local, sizeof(local));
		bs_exposure_class_text(s, exposure, sizeof(exposure));
		bs_socket_owner_text(s, owner, sizeof(owner));
		snprintf(line, sizeof(line), "%-5s %-24s %-36s %s", bs_proto_name(s->proto), local,
		         exposure, owner);
		if (sel)
			attron(A_REVERSE);
		else if (s->exposure == BS_EXPOSED_LOOPBACK)
			attron(A_DIM);
		else if (s->exposure <= BS_EXPOSED_ALL_IPV6)
			term_color_on(t, C_WARN);
		mvaddnstr(y + 1 + (int)k, 1, line, COLS - 2);
		attroff(A_REVERSE | A_DIM);
		term_color_off(t, C_WARN);
	}
	if (n == 0)
		mvaddstr(y + 1, 1,
		         t->sv.list.count ? "(none match the filter)" : "(no listening sockets)");
}

static void draw_probe_row(struct tui *t, int y)
{
	char local[BS_ENDPOINT_TEXT_MAX + IF_NAMESIZE], text[512];
	static struct bs_probe_result results[BS_LESSON_MAX_TARGETS];
	int colw = 16, x = 1;

	if (t->sv.probe == NULL) {
		mvaddnstr(y, 1,
		          "p probes the chosen socket's port on every address of this machine.",
		          COLS - 2);
		return;
	}
	bs_socket_local_text(&t->sv.probed, local, sizeof(local));
	mvprintw(y, 1, "%s %s, probed from this host:", bs_proto_name(t->sv.probed.proto), local);
	for (size_t j = 0; j < t->sv.ntargets && x + colw <= COLS; j++, x += colw) {
		const struct bs_probe_result *r = bs_probe_result(t->sv.probe, j);
		char cell[32];

		results[j] = *r;
		mvaddnstr(y + 1, x, t->sv.targets[j].label, colw - 1);
		mvaddnstr(y + 2, x, t->sv.targets[j].text, colw - 1);
		snprintf(cell, sizeof(cell), "%s %s", verdict_symbol(t, r->verdict),
		         r->verdict == BS_VERDICT_PENDING ? "probing"
		                                          : bs_verdict_name(r->verdict));
		mvaddnstr(y + 3, x, cell, colw - 1);
	}
	if (bs_probe_finished(t->sv.probe)) {
		bs_exposure_infer(t->sv.targets, results, t->sv.ntargets, t->sv.probed.local.port,
		                  text, sizeof(text));
		mvaddnstr(y + 4, 1, text, COLS - 2);
	}
}

void sockets_view_draw(struct tui *t, int y, int height)
{
	static const char *const protos[] = {"tcp+udp", "tcp", "udp"};
	char title[128];
	int table_h = height - 8;

	snprintf(title, sizeof(title), "Listening sockets (%s%s, most exposed first, %zu shown)",
	         protos[t->sv.proto_filter], t->sv.exposed_only ? ", exposed only" : "",
	         visible_count(t));
	mvhline(y, 0, t->utf8 ? ACS_HLINE : '-', COLS);
	attron(A_REVERSE);
	mvprintw(y, 1, " %s ", title);
	attroff(A_REVERSE);
	draw_table(t, y + 1, table_h - 1);
	mvhline(y + table_h, 0, t->utf8 ? ACS_HLINE : '-', COLS);
	mvaddstr(y + table_h, 2, " Probe ");
	draw_probe_row(t, y + table_h + 1);
	if (t->sv.error[0] != '\0') {
		term_color_on(t, C_BAD);
		mvaddnstr(y + height - 1, 1, t->sv.error, COLS - 2);
		term_color_off(t, C_BAD);
	}
}

void sockets_view_free(struct tui *t)
{
	bs_timer_cancel(t->sv.refresh);
	bs_probe_free(t->sv.probe);
	bs_socket_list_free(&t->sv.list);
	memset(&t->sv, 0, sizeof(t->sv));
}
