/*
 * The tour (`bindscope lab --tour`): the lesson's steps one at a time, each explained in the
 * explain panel and advanced with Space, ready for a projector. Each step does its part through
 * the lesson, as a person at the keys would, so the screen shows the real result.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

struct step {
	const char *title;
	const char *text;
	void (*act)(struct tui *t);
};

static void open_at(struct tui *t, const char *text)
{
	struct bs_listener_opts opts = bs_listener_opts_default();
	struct bs_endpoint ep;
	struct bs_error err;

	/* A failure to open is logged by the lesson itself, in the engine's words. */
	if (bs_endpoint_parse(text, bs_lesson_ifaces(t->lesson), &ep, &err) < 0)
		tui_log(t, err.msg);
	else
		bs_lesson_open(t->lesson, &ep, &opts, &err);
}

static void act_wildcard(struct tui *t)
{
	open_at(t, "0.0.0.0:8081");
}

static void act_specific(struct tui *t)
{
	open_at(t, "192.168.1.10:8082");
}

static void act_not_here(struct tui *t)
{
	open_at(t, "192.168.2.20:8083"); /* fails: the log shows the engine's sentence */
}

static void act_route(struct tui *t)
{
	struct bs_error err;

	for (size_t i = 0; i < t->nvantages; i++)
		if (strcmp(t->vantages[i].name, "eth0-peer") == 0) {
			if (bs_lab_vantage_route_add(&t->vantages[i], "192.168.1.0/24",
			                             "192.168.0.110", &err) < 0)
				tui_log(t, err.msg);
			else
				tui_log(t,
				        "eth0-peer: route 192.168.1.0/24 via 192.168.0.110 added");
			bs_lesson_reprobe(t->lesson);
			return;
		}
	tui_log(t, "this step needs the lab's eth0-peer (run bindscope lab --tour)");
}

static const struct step steps[] = {
    {"Welcome",
     "This is the lab's network: lo, eth0 192.168.0.110, wlan0 192.168.1.10, and a "
     "host on each segment. Space takes the next step; Esc leaves the tour.",
     NULL},
    {"Listen on every interface",
     "socat TCP4-LISTEN:8081,bind=0.0.0.0,fork /dev/null: the "
     "wildcard. Every address of this machine answers, and both "
     "peers reach it.",
     act_wildcard},
    {"Listen on one address",
     "socat TCP4-LISTEN:8082,bind=192.168.1.10,fork /dev/null: only "
     "192.168.1.10 answers; the other addresses refuse. The Wi-Fi peer "
     "reaches it; the Ethernet peer has no route to it.",
     act_specific},
    {"Compare",
     "Read the two rows side by side: 0.0.0.0 exposes the port on every network this "
     "machine is on; 192.168.1.10 only where that address can be reached.",
     NULL},
    {"An address that is not here",
     "bind=192.168.2.20 (an address this machine does not have) fails: "
     "cannot assign requested address. The log says which "
     "addresses are here.",
     act_not_here},
    {"The weak host model",
     "Give eth0-peer a route to 192.168.1.0/24 through this machine: now "
     "it reaches 192.168.1.10:8082 through eth0. Binding an address does "
     "not choose the interface; Linux accepts it on any (the weak host model), "
     "and bindscope predicts it from eth0-peer's own routing table.",
     act_route},
    {"The end",
     "Try your own: Enter on an interface opens a listener; ? lists the keys. Esc "
     "leaves the tour.",
     NULL},
};

#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static void enter_step(struct tui *t, int step)
{
	char line[160];

	t->tour_step = step;
	snprintf(line, sizeof(line), "tour step %d of %zu: %s", step + 1, NSTEPS,
	         steps[step].title);
	tui_log(t, line);
	if (steps[step].act != NULL)
		steps[step].act(t);
	t->focus = FOCUS_MATRIX;
}

void tour_start(struct tui *t)
{
	enter_step(t, 0);
}

bool tour_key(struct tui *t, int key)
{
	if (t->tour_step < 0)
		return false;
	if (key == 27) {
		t->tour_step = -1;
		tui_log(t, "tour left: the lab is yours");
		return true;
	}
	if (key == ' ' || key == 'n') {
		if ((size_t)t->tour_step + 1 < NSTEPS)
			enter_step(t, t->tour_step + 1);
		return true;
	}
	return false;
}

size_t tour_lines(const struct tui *t, char lines[][EXPLAIN_LINE], size_t max)
{
	const struct step *s = &steps[t->tour_step];

	if (max < 2)
		return 0;
	snprintf(lines[0], EXPLAIN_LINE, "Tour %d/%zu: %s. %s", t->tour_step + 1, NSTEPS, s->title,
	         s->text);
	snprintf(lines[1], EXPLAIN_LINE, "%s",
	         (size_t)t->tour_step + 1 < NSTEPS ? "Space: next step   Esc: leave the tour"
	                                           : "Esc: leave the tour");
	return 2;
}
