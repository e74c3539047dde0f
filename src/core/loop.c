#include "bindscope/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256

struct bs_watch {
	struct bs_loop *loop;
	int fd;
	bs_fd_cb cb;
	void *arg;
	bool dead;
	struct bs_watch *next; /* in the loop's list of all watches */
};

struct bs_timer {
	struct bs_watch *watch; /* on the timerfd */
	bs_timer_cb cb;
	void *arg;
	uint64_t ms;
	bool repeat;
	bool dead;
	struct bs_timer *next; /* in the loop's list of all timers */
};

struct bs_loop {
	int epfd;
	bool stopping;
	struct bs_watch *watches;
	struct bs_timer *timers;
	int sigfd;
	sigset_t sigset; /* the signals received through sigfd */
	struct bs_watch *sigwatch;
	bs_signal_cb sigcb;
	void *sigarg;
};

uint64_t bs_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct bs_loop *bs_loop_new(struct bs_error *err)
{
	struct bs_loop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL) {
		bs_error_set(err, ENOMEM, "out of memory creating the event loop");
		return NULL;
	}
	loop->sigfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int saved = errno;
		free(loop);
		bs_error_set(err, saved, "cannot create the event loop (epoll): %s",
		             strerror(saved));
		return NULL;
	}
	return loop;
}

/* Free watches removed during the last turn. */
static void reap(struct bs_loop *loop)
{
	struct bs_watch **pp = &loop->watches;

	while (*pp != NULL) {
		struct bs_watch *w = *pp;
		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
	for (struct bs_timer **tp = &loop->timers; *tp != NULL;) {
		struct bs_timer *t = *tp;
		if (t->dead) {
			*tp = t->next;
			free(t);
		} else {
			tp = &t->next;
		}
	}
}

void bs_loop_free(struct bs_loop *loop)
{
	if (loop == NULL)
		return;
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	for (struct bs_timer *t = loop->timers; t != NULL; t = t->next)
		bs_timer_cancel(t);
	for (struct bs_watch *w = loop->watches; w != NULL; w = w->next)
		w->dead = true;
	reap(loop);
	close(loop->epfd);
	free(loop);
}

struct bs_watch *bs_loop_watch(struct bs_loop *loop, int fd, uint32_t events, bs_fd_cb cb,
                               void *arg, struct bs_error *err)
{
	struct bs_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = {.events = events};

	if (w == NULL) {
		bs_error_set(err, ENOMEM, "out of memory adding to the event loop");
		return NULL;
	}
	w->loop = loop;
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int saved = errno;
		free(w);
		bs_error_set(err, saved, "cannot watch a socket in the event loop: %s",
		             strerror(saved));
		return NULL;
	}
	w->next = loop->watches;
	loop->watches = w;
	return w;
}

int bs_watch_set_events(struct bs_watch *watch, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = watch};

	return epoll_ctl(watch->loop->epfd, EPOLL_CTL_MOD, watch->fd, &ev);
}

void bs_watch_remove(struct bs_watch *watch)
{
	if (watch == NULL || watch->dead)
		return;
	epoll_ctl(watch->loop->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
	watch->dead = true;
}

void bs_watch_close(struct bs_watch *watch, int fd)
{
	if (watch != NULL)
		watch->dead = true; /* freed with the loop's other dead watches */
	close(fd);
}

static void timer_fired(int fd, uint32_t events, void *arg)
{
	struct bs_timer *t = arg;
	uint64_t expirations;

	(void)events;
	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	if (!t->dead)
		t->cb(t->arg);
}

int bs_timer_rearm(struct bs_timer *timer, uint64_t ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (timer->repeat)
		its.it_interval = its.it_value;
	timer->ms = ms;
	return timerfd_settime(timer->watch->fd, 0, &its, NULL);
}

struct bs_timer *bs_loop_timer(struct bs_loop *loop, uint64_t ms, bool repeat, bs_timer_cb cb,
                               void *arg, struct bs_error *err)
{
	struct bs_timer *t = calloc(1, sizeof(*t));
	int fd;

	if (t == NULL) {
		bs_error_set(err, ENOMEM, "out of memory creating a timer");
		return NULL;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0) {
		int saved = errno;
		free(t);
		bs_error_set(err, saved, "cannot create a timer: %s", strerror(saved));
		return NULL;
	}
	t->cb = cb;
	t->arg = arg;
	t->repeat = repeat;
	t->watch = bs_loop_watch(loop, fd, EPOLLIN, timer_fired, t, err);
	if (t->watch == NULL) {
		close(fd);
		free(t);
		return NULL;
	}
	t->next = loop->timers;
	loop->timers = t;
	if (ms > 0)
		bs_timer_rearm(t, ms);
	return t;
}

void bs_timer_cancel(struct bs_timer *timer)
{
	if (timer == NULL || timer->dead)
		return;
	close(timer->watch->fd);
	/* The fd is closed, so epoll has forgotten it; mark both for reaping. */
	timer->watch->dead = true;
	timer->dead = true;
}

static void signal_arrived(int fd, uint32_t events, void *arg)
{
	struct bs_loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		loop->sigcb((int)si.ssi_signo, loop->sigarg);
}

int bs_loop_handle_signals(struct bs_loop *loop, const int *signals, int count, bs_signal_cb cb,
                           void *arg, struct bs_error *err)
{
	sigset_t set;

	sigemptyset(&set);
	for (int i = 0; i < count; i++)
		sigaddset(&set, signals[i]);
	loop->sigset = set;
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return bs_error_set(err, errno, "cannot block signals: %s", strerror(errno));
	loop->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sigfd < 0)
		return bs_error_set(err, errno, "cannot receive signals (signalfd): %s",
		                    strerror(errno));
	loop->sigcb = cb;
	loop->sigarg = arg;
	loop->sigwatch = bs_loop_watch(loop, loop->sigfd, EPOLLIN, signal_arrived, loop, err);
	return loop->sigwatch == NULL ? -1 : 0;
}

void bs_loop_discard_signals(struct bs_loop *loop)
{
	if (loop == NULL || loop->sigfd < 0)
		return;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&loop->sigset, sig) == 1)
			signal(sig, SIG_IGN);
	/* Linux queues a blocked signal even when it is ignored: unblock, so those pending are
	 * dropped now and late ones are never queued at all. */
	sigprocmask(SIG_UNBLOCK, &loop->sigset, NULL);
}

int bs_loop_turn(struct bs_loop *loop, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n = epoll_wait(loop->epfd, events, MAX_EVENTS, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct bs_watch *w = events[i].data.ptr;
		if (!w->dead)
			w->cb(w->fd, events[i].events, w->arg);
	}
	reap(loop);
	return 0;
}

int bs_loop_run(struct bs_loop *loop)
{
	loop->stopping = false;
	while (!loop->stopping)
		if (bs_loop_turn(loop, -1) < 0)
			return -1;
	return 0;
}

void bs_loop_stop(struct bs_loop *loop)
{
	loop->stopping = true;
}
