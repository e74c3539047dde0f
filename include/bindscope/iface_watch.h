/*
 * Live interface changes: an rtnetlink socket subscribed to link and address events, on the
 * loop. When the kernel reports a change (an address added or removed, a link up or down),
 * the callback runs once per burst of messages; the caller re-reads the list with
 * bs_iface_list_read(). No polling: an idle machine costs nothing.
 */
#ifndef BINDSCOPE_IFACE_WATCH_H
#define BINDSCOPE_IFACE_WATCH_H

#include "bindscope/error.h"
#include "bindscope/loop.h"

struct bs_iface_watch;

typedef void (*bs_iface_changed_cb)(void *arg);

/* Start watching. Returns the watch, or NULL with err set. */
struct bs_iface_watch *bs_iface_watch_start(struct bs_loop *loop, bs_iface_changed_cb cb, void *arg,
                                            struct bs_error *err);

/* Stop watching and free. NULL is ignored. */
void bs_iface_watch_stop(struct bs_iface_watch *watch);

#endif
