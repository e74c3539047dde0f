/* The interfaces panel's rows: one per address to bind, then the two wildcards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "tui.h"

static void add_row(struct tui *t, const char *name, const char *addr, bool up, bool bindable,
                    bool wildcard, const char *endpoint_text)
{
	struct iface_row *r;

	if (t->nrows == t->rows_cap) {
		size_t cap = t->rows_cap ? 2 * t->rows_cap : 16;
		r = realloc(t->rows, cap * sizeof(*r));
		if (r == NULL) {
			t->rows_lost++; /* said in the panel: never a silent cut */
			return;
		}
		t->rows = r;
		t->rows_cap = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	bs_text_safe(name, r->name, sizeof(r->name)); /* an interface name may hold ESC */
	snprintf(r->addr, sizeof(r->addr), "%s", addr);
	r->up = up;
	r->bindable = bindable;
	r->wildcard = wildcard;
	if (bindable)
		bindable = bs_endpoint_parse(endpoint_text, bs_lesson_ifaces(t->lesson), &r->bind,
		                             NULL) == 0;
	r->bindable = bindable;
}

static void add_iface(struct tui *t, const struct bs_iface *iface)
{
	char addr[64], ep[BS_ENDPOINT_TEXT_MAX + 4];
	bool any = false, up = (iface->flags & IFF_UP) != 0;

	for (size_t j = 0; j < iface->naddrs; j++) {
		const struct bs_iface_addr *a = &iface->addrs[j];
		if (a->family == AF_INET6 && !t->show_ipv6)
			continue;
		snprintf(addr, sizeof(addr), "%s/%u", a->text, a->prefix);
		if (a->family == AF_INET)
			snprintf(ep, sizeof(ep), "%s:1", a->text);
		else if (a->scope == BS_SCOPE_LINK)
			snprintf(ep, sizeof(ep), "[%s%%%s]:1", a->text, iface->name);
		else
			snprintf(ep, sizeof(ep), "[%s]:1", a->text);
		add_row(t, iface->name, addr, up, true, false, ep);
		any = true;
	}
	if (!any)
		add_row(t, iface->name, t->show_ipv6 ? "(no address)" : "(no IPv4 address)", up,
		        false, false, "");
}

void rows_free(struct tui *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->rows_cap = 0;
}

void rows_rebuild(struct tui *t)
{
	const struct bs_iface_list *ifaces = bs_lesson_ifaces(t->lesson);
	struct iface_row selected = {0};

	/* Keep the selection on the same address when rows come and go. */
	if (t->sel_iface < t->nrows)
		selected = t->rows[t->sel_iface];
	t->nrows = 0;
	t->rows_lost = 0;
	for (size_t i = 0; i < ifaces->count; i++)
		add_iface(t, &ifaces->items[i]);
	add_row(t, "0.0.0.0", "all IPv4 interfaces", true, true, true, "0.0.0.0:1");
	add_row(t, "::", "all IPv6 interfaces", true, true, true, "[::]:1");
	for (size_t i = 0; i < t->nrows && selected.name[0] != '\0'; i++)
		if (strcmp(t->rows[i].name, selected.name) == 0 &&
		    strcmp(t->rows[i].addr, selected.addr) == 0)
			t->sel_iface = i;
	if (t->sel_iface >= t->nrows)
		t->sel_iface = t->nrows > 0 ? t->nrows - 1 : 0;
}
