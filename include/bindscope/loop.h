/*
 * The single-threaded event loop: epoll for file descriptors, timerfd for timers,
 * signalfd for signals. Everything that waits (listeners, probes, later the terminal
 * and netlink) registers here; nothing else blocks.
 *
 * Callbacks may add or remove any watch or timer, including their own, at any time:
 * removed entries are freed only after the current turn has finished dispatching.
 */
#ifndef BINDSCOPE_LOOP_H
#define BINDSCOPE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "bindscope/error.h"

struct bs_loop;
struct bs_watch;
struct bs_timer;

typedef void (*bs_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*bs_timer_cb)(void *arg);
typedef void (*bs_signal_cb)(int signo, void *arg);

/* Returns a new loop, or NULL with err set. */
struct bs_loop *bs_loop_new(struct bs_error *err);

/* Frees the loop and every watch and timer still registered (it does not close watched fds). */
void bs_loop_free(struct bs_loop *loop);

/* Watch fd for events (EPOLLIN, EPOLLOUT...). Returns the watch, or NULL with err set. */
struct bs_watch *bs_loop_watch(struct bs_loop *loop, int fd, uint32_t events, bs_fd_cb cb,
                               void *arg, struct bs_error *err);

/* Change the events of a watch. Returns 0 or -1 (errno set). */
int bs_watch_set_events(struct bs_watch *watch, uint32_t events);

/* Stop watching (does not close the fd). NULL is ignored. */
void bs_watch_remove(struct bs_watch *watch);
/* Stop watching and close the fd: one syscall, since a closed fd leaves the epoll set by
 * itself (for fds that are not duplicated, as an accepted connection's is not). */
void bs_watch_close(struct bs_watch *watch, int fd);

/* Call cb after ms milliseconds, and then every ms milliseconds when repeat is true. */
struct bs_timer *bs_loop_timer(struct bs_loop *loop, uint64_t ms, bool repeat, bs_timer_cb cb,
                               void *arg, struct bs_error *err);

/* Re-arm a timer to fire after ms milliseconds (0 disarms it). Returns 0 or -1. */
int bs_timer_rearm(struct bs_timer *timer, uint64_t ms);

/* Cancel and free a timer. NULL is ignored. */
void bs_timer_cancel(struct bs_timer *timer);

/*
 * Receive these signals through the loop instead of as asynchronous handlers: they are
 * blocked in the calling thread and delivered to cb in a later turn. One handler per loop.
 */
int bs_loop_handle_signals(struct bs_loop *loop, const int *signals, int count, bs_signal_cb cb,
                           void *arg, struct bs_error *err);

/*
 * When leaving: ignore and unblock the loop's signals, which discards any still pending (a
 * hangup and a terminate often come together) and any that come later. Left blocked, they reach
 * whatever runs at exit with an open mask; LeakSanitizer's tracer thread died of one and left the
 * process spinning.
 */
void bs_loop_discard_signals(struct bs_loop *loop);

/* Run one turn: wait up to timeout_ms (-1 = forever) and dispatch. Returns 0 or -1. */
int bs_loop_turn(struct bs_loop *loop, int timeout_ms);

/* Run turns until bs_loop_stop() is called. Returns 0, or -1 on an epoll failure. */
int bs_loop_run(struct bs_loop *loop);

/* Make bs_loop_run() return after the current turn. */
void bs_loop_stop(struct bs_loop *loop);

/* Microseconds on the monotonic clock. */
uint64_t bs_now_us(void);

#endif
