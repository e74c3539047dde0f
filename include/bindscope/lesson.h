/*
 * The live lesson behind the TUI: the listeners a user opened, and the exposure matrix of their
 * ports (every socket on them, read from the kernel), probed on every address and vantage
 * whenever something changes (a listener opened or closed, an interface or address added or
 * removed), with a log of what happened in plain sentences.
 *
 * The lesson owns its listeners, its probe and an interface watch, all on the caller's loop.
 * It calls events->changed after every change the view should redraw for, and events->log
 * with one sentence per event (no timestamp: the view adds one). It never draws.
 */
#ifndef BINDSCOPE_LESSON_H
#define BINDSCOPE_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bindscope/iface.h"
#include "bindscope/lab.h"
#include "bindscope/listener.h"
#include "bindscope/loop.h"
#include "bindscope/matrix.h"
#include "bindscope/probe.h"
#include "bindscope/remote.h"

#define BS_LESSON_MAX_LISTENERS 16
#define BS_LESSON_MAX_VANTAGES  8
#define BS_LESSON_MAX_HOSTS     64 /* machines probing over ssh: a classroom's */

struct bs_lesson_events {
	void (*changed)(void *arg);
	void (*log)(void *arg, const char *sentence);
	void *arg;
};

struct bs_lesson;

/* A listener's traffic without the lesson's own probes: what visitors did. */
struct bs_lesson_counts {
	uint64_t visits;   /* TCP connections accepted, or UDP datagrams, from others */
	uint64_t open_now; /* TCP connections from others open now */
	uint64_t bytes;    /* bytes from others */
	uint64_t probes;   /* connections and datagrams that were the lesson's own probes */
};

/* Read the interfaces, start watching them. Returns the lesson, or NULL with err set. */
struct bs_lesson *bs_lesson_new(struct bs_loop *loop, const struct bs_lesson_events *events,
                                struct bs_error *err);

/* Close every listener, stop probing and watching, free. NULL is ignored. */
void bs_lesson_free(struct bs_lesson *lesson);

/* Open a listener and probe again. Returns 0, or -1 with err set to the engine's sentence. */
int bs_lesson_open(struct bs_lesson *lesson, const struct bs_endpoint *ep,
                   const struct bs_listener_opts *opts, struct bs_error *err);

/* Close listener i (0-based, in opening order) and probe again. */
void bs_lesson_close(struct bs_lesson *lesson, size_t i);

/* Close every listener (the last opened first) and probe again. */
void bs_lesson_close_all(struct bs_lesson *lesson);

/* How many probe rounds of the matrix have run to their end: one that began after a change
 * has ended once this count has grown past its value at the change. */
unsigned long bs_lesson_rounds(const struct bs_lesson *lesson);

/* Probe every listener on every target again (abandoning a round in progress). */
void bs_lesson_reprobe(struct bs_lesson *lesson);

/*
 * Probe one port on every address (the sockets screen's p): every socket there, anyone's.
 * This lesson's listeners count as its own, so their accepts are claimed, never visitors.
 * done runs when the round is over. Read with bs_lesson_port_matrix. 0, or -1 with err.
 */
int bs_lesson_probe_port(struct bs_lesson *lesson, enum bs_proto proto, uint16_t port,
                         void (*done)(void *arg), void *arg, struct bs_error *err);
const struct bs_matrix *bs_lesson_port_matrix(const struct bs_lesson *lesson); /* or NULL */

/* Probe from these hosts too (a column each; their netns fds stay the caller's), and probe
 * again. */
void bs_lesson_set_vantages(struct bs_lesson *lesson, const struct bs_lab_vantage *v, size_t n);

/*
 * Probe from another machine too, over ssh (remote.h: the user's own ssh, BatchMode, never a
 * password prompt). Nothing waits: the host becomes columns of the matrix once its agent has
 * answered, or once it failed (then its cells read "? WORD" and the log has the sentence).
 * ssh_command NULL: "ssh". A host already added that failed is tried again. 0, or -1 with err
 * (a host ssh would misread, too many hosts, already probing from it, ssh not startable).
 */
int bs_lesson_add_host(struct bs_lesson *lesson, const char *host, const char *ssh_command,
                       struct bs_error *err);

/* Stop probing from host i (0-based, in the order added): its ssh ends, and its columns go. */
void bs_lesson_remove_host(struct bs_lesson *lesson, size_t i);

size_t bs_lesson_host_count(const struct bs_lesson *lesson);
/* The host whose vantage matrix column c is, or -1 (this host, a lab peer). */
long bs_lesson_host_of_col(const struct bs_lesson *lesson, size_t c);

/* Only IPv4 columns (no IPv6, no link-local): a narrow screen's zoom. Every socket stays a row. */
void bs_lesson_set_only_v4(struct bs_lesson *lesson, bool on);
bool bs_lesson_only_v4(const struct bs_lesson *lesson);

/* Show IPv6 targets even when no listener is IPv6. */
void bs_lesson_set_ipv6(struct bs_lesson *lesson, bool on);

const struct bs_iface_list *bs_lesson_ifaces(const struct bs_lesson *lesson);
size_t bs_lesson_listener_count(const struct bs_lesson *lesson);
const struct bs_listener *bs_lesson_listener(const struct bs_lesson *lesson, size_t i);
const struct bs_lesson_counts *bs_lesson_counts(const struct bs_lesson *lesson, size_t i);
/* The exposure matrix of the listeners' ports (every socket there, ours and others'), as
 * probed last; rebuilt on every change. */
const struct bs_matrix *bs_lesson_matrix(const struct bs_lesson *lesson);
/* The matrix row of listener i, and the listener of matrix row r (-1: none, e.g. another
 * process's socket on the same port). */
long bs_lesson_row_of_listener(const struct bs_lesson *lesson, size_t i);
long bs_lesson_listener_of_row(const struct bs_lesson *lesson, size_t r);
bool bs_lesson_probing(const struct bs_lesson *lesson);

#endif
