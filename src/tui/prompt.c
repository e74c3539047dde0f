/*
 * The prompts: a screen state, not a nested loop. Enter on an interface asks a port, with
 * the default 8081 (digits replace the default, then append); v asks a host to probe from
 * over ssh. What is typed is validated as it is typed, and the engine's sentence is shown in
 * place when opening the listener or starting ssh fails.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

static void validate(struct tui *t)
{
	struct bs_error err;
	uint16_t port;
	int rc;

	t->prompt.error[0] = '\0';
	if (t->prompt.kind == PROMPT_HOST) /* empty: nothing typed yet, not an error yet */
		rc = t->prompt.text[0] ? bs_remote_host_check(t->prompt.text, &err) : 0;
	else
		rc = bs_port_parse(t->prompt.text, &port, &err);
	if (rc < 0)
		snprintf(t->prompt.error, sizeof(t->prompt.error), "%s", err.msg);
}

/* How much a prompt takes: a port's digits (and a few more, to say what is wrong), or a
 * host as long as ssh's check allows. */
static size_t prompt_max(const struct tui *t)
{
	return t->prompt.kind == PROMPT_HOST ? sizeof(t->prompt.text) - 1 : 7;
}

void prompt_open(struct tui *t)
{
	const struct iface_row *row = &t->rows[t->sel_iface];

	if (!row->bindable) {
		tui_log(t, "that interface has no address to bind; pick another row");
		return;
	}
	memset(&t->prompt, 0, sizeof(t->prompt));
	t->prompt.active = true;
	t->prompt.fresh = true;
	t->prompt.row = *row;
	snprintf(t->prompt.text, sizeof(t->prompt.text), "%s", TUI_DEFAULT_PORT);
}

void prompt_open_host(struct tui *t)
{
	memset(&t->prompt, 0, sizeof(t->prompt));
	t->prompt.active = true;
	t->prompt.kind = PROMPT_HOST;
}

static void submit_host(struct tui *t)
{
	struct bs_error err;

	validate(t);
	if (t->prompt.error[0] != '\0')
		return;
	if (bs_remote_host_check(t->prompt.text, &err) < 0 ||
	    bs_lesson_add_host(t->lesson, t->prompt.text, t->ssh_command, &err) < 0) {
		snprintf(t->prompt.error, sizeof(t->prompt.error), "%s", err.msg);
		return;
	}
	t->prompt.active = false;
}

static void submit(struct tui *t)
{
	struct bs_listener_opts opts = bs_listener_opts_default();
	struct bs_endpoint ep = t->prompt.row.bind;
	struct bs_error err;
	uint16_t port;

	validate(t);
	if (t->prompt.error[0] != '\0' || bs_port_parse(t->prompt.text, &port, &err) < 0)
		return;
	bs_endpoint_set_port(&ep, port);
	opts.proto = t->next_proto;
	opts.v6only = t->v6only;
	if (bs_lesson_open(t->lesson, &ep, &opts, &err) < 0) {
		snprintf(t->prompt.error, sizeof(t->prompt.error), "%s", err.msg);
		return;
	}
	t->prompt.active = false;
	t->sel_listener = bs_lesson_listener_count(t->lesson) - 1;
	if (bs_lesson_row_of_listener(t->lesson, t->sel_listener) >= 0)
		t->sel_row = (size_t)bs_lesson_row_of_listener(t->lesson, t->sel_listener);
}

void prompt_key(struct tui *t, int key)
{
	size_t len = strlen(t->prompt.text);

	switch (key) {
	case 27: /* Escape */
		t->prompt.active = false;
		return;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (t->prompt.kind == PROMPT_HOST)
			submit_host(t);
		else
			submit(t);
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len > 0)
			len--;
		t->prompt.text[len] = '\0';
		t->prompt.fresh = false;
		break;
	default:
		if (key < 32 || key > 126)
			return;
		if (t->prompt.fresh)
			len = 0;
		t->prompt.fresh = false;
		if (len < prompt_max(t)) {
			t->prompt.text[len] = (char)key;
			t->prompt.text[len + 1] = '\0';
		}
		break;
	}
	validate(t);
}
