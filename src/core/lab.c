#include "bindscope/lab.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bindscope/firewall.h"
#include "bindscope/iface.h"
#include "bindscope/netns.h"
#include "bindscope/rtnl.h"
#include "bindscope/sysinfo.h"
#include "bindscope/textbuf.h"

struct peer_proc {
	pid_t pid;
	int to_peer;   /* pipe: the parent says "go" once the veth end is in place */
	int from_peer; /* pipe: the peer answers "ok" or an error sentence */
};

struct bs_lab {
	struct bs_topology topo;
	struct peer_proc peers[BS_LAB_MAX_PEERS];
	size_t npeers;
};

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int namespaces_off(int code, struct bs_error *err)
{
	char why[256] = "";

	if ((bs_sysinfo_read_int("/proc/sys/kernel/unprivileged_userns_clone", -1)) == 0)
		bs_textbuf_appendf(why, sizeof(why), " kernel.unprivileged_userns_clone is 0;");
	if ((bs_sysinfo_read_int("/proc/sys/user/max_user_namespaces", -1)) == 0)
		bs_textbuf_appendf(why, sizeof(why), " user.max_user_namespaces is 0;");
	if ((bs_sysinfo_read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", -1)) ==
	    1)
		bs_textbuf_appendf(why, sizeof(why),
		                   " kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu);");
	return bs_error_set(err, code,
	                    "cannot create the lab's private network: user namespaces are not "
	                    "allowed here (%s).%s Run it as root (sudo bindscope lab), or allow "
	                    "them: sudo sysctl -w user.max_user_namespaces=10000 (and, on Ubuntu, "
	                    "kernel.apparmor_restrict_unprivileged_userns=0)",
	                    strerror(code), why);
}

/* Into a new network namespace; when not root, inside a user namespace where we are root. */
static int enter_namespaces(struct bs_error *err)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (uid == 0) {
		if (unshare(CLONE_NEWNET) == 0)
			return 0;
		if (errno != EPERM)
			return bs_error_set(err, errno,
			                    "cannot create the lab's network namespace: %s",
			                    strerror(errno));
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return namespaces_off(errno, err);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		return bs_error_set(err, errno, "cannot set up the lab's user namespace: %s",
		                    strerror(errno));
	if (write_file("/proc/self/uid_map", map) < 0)
		return bs_error_set(err, errno, "cannot map the lab's user: %s", strerror(errno));
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return bs_error_set(err, errno, "cannot map the lab's group: %s", strerror(errno));
	return 0;
}

/* An error of the kernel's while building what the topology's line says: name the line. */
static int at_line(int line, struct bs_error *err)
{
	char msg[BS_ERROR_MSG_MAX];

	if (err == NULL || line <= 0)
		return -1;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return bs_error_set(err, err->code, "topology line %d: %s", line, msg);
}

static int configure_iface(const char *name, const char (*addrs)[BS_LAB_ADDR_MAX], size_t n,
                           int line, struct bs_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (bs_rtnl_addr_add(name, addrs[i], err) < 0)
			return at_line(line, err);
	return bs_rtnl_link_up(name, err) < 0 ? at_line(line, err) : 0;
}

#define RULESET_FILE_MAX ((size_t)1024 * 1024)

/* A ruleset file's text (nft -f syntax), NUL-terminated; free it. NULL with err set. */
static char *read_ruleset_file(const char *path, struct bs_error *err)
{
	FILE *f = fopen(path, "re");
	char shown[4 * BS_TEXT_ABBREV_MAX + 32], *text;
	size_t n;

	bs_text_abbrev(path, shown, sizeof(shown));
	if (f == NULL) {
		bs_error_set(err, errno, "cannot read the ruleset file %s: %s", shown,
		             strerror(errno));
		return NULL;
	}
	text = malloc(RULESET_FILE_MAX + 1);
	if (text == NULL) {
		fclose(f);
		bs_error_set(err, ENOMEM, "out of memory reading the ruleset file %s", shown);
		return NULL;
	}
	n = fread(text, 1, RULESET_FILE_MAX + 1, f);
	fclose(f);
	if (n > RULESET_FILE_MAX || memchr(text, '\0', n) != NULL) {
		free(text);
		bs_error_set(err, 0, "the ruleset file %s is %s", shown,
		             n > RULESET_FILE_MAX ? "larger than 1 MiB" : "not text");
		return NULL;
	}
	text[n] = '\0';
	return text;
}

/* The topology's firewall lines for one host ("" the workstation), here, in order. */
static int apply_firewall(const struct bs_topology *t, const char *host, struct bs_error *err)
{
	for (size_t i = 0; i < t->nfirewall; i++) {
		const struct bs_lab_firewall *f = &t->firewall[i];
		char *text = NULL;
		int rc;
		if (strcmp(f->peer, host) != 0)
			continue;
		if (f->file && (text = read_ruleset_file(f->text, err)) == NULL)
			return at_line(f->line, err);
		rc = bs_fw_apply(f->file ? text : f->text, err);
		free(text);
		if (rc < 0)
			return at_line(f->line, err);
	}
	return 0;
}

/* In the peer's process, in its own namespace: lo, its end of the segment, its routes, its
 * firewall. */
static int configure_peer(const struct bs_topology *t, const struct bs_lab_peer *p,
                          struct bs_error *err)
{
	if (bs_rtnl_link_up("lo", err) < 0 ||
	    configure_iface(p->iface, p->addrs, p->naddrs, p->line, err) < 0)
		return -1;
	for (size_t i = 0; i < p->nroutes; i++)
		if (bs_rtnl_route_add(p->routes[i].net, p->routes[i].via, err) < 0)
			return at_line(p->routes[i].line, err);
	return apply_firewall(t, p->name, err);
}

static void peer_main(const struct bs_topology *t, const struct bs_lab_peer *p, int from_parent,
                      int to_parent)
{
	struct bs_error err;
	char go;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET) < 0) {
		dprintf(to_parent, "peer %s: cannot create its network namespace: %s", p->name,
		        strerror(errno));
		_exit(1);
	}
	if (write(to_parent, "r", 1) != 1 || read(from_parent, &go, 1) != 1)
		_exit(1);
	if (configure_peer(t, p, &err) < 0) {
		dprintf(to_parent, "peer %s: %s", p->name, err.msg);
		_exit(1);
	}
	if (write(to_parent, "k", 1) != 1)
		_exit(1);
	close(to_parent);
	/* The peer host idles; its namespace lives as long as it does. */
	for (;;)
		pause();
}

/* Read the peer's one-letter answer ("r" ready, "k" configured) or its error sentence. */
static int await(struct peer_proc *pp, char want, struct bs_error *err)
{
	char buf[BS_ERROR_MSG_MAX];
	ssize_t n = read(pp->from_peer, buf, sizeof(buf) - 1);

	if (n == 1 && buf[0] == want)
		return 0;
	if (n <= 0)
		return bs_error_set(err, 0, "a lab peer stopped while starting");
	buf[n] = '\0';
	return bs_error_set(err, 0, "%s", buf);
}

static int start_peer(struct bs_lab *lab, const struct bs_lab_peer *p, struct bs_error *err)
{
	struct peer_proc *pp = &lab->peers[lab->npeers];
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC) < 0 || pipe2(up, O_CLOEXEC) < 0)
		return bs_error_set(err, errno, "cannot start a lab peer: %s", strerror(errno));
	pp->pid = fork();
	if (pp->pid < 0)
		return bs_error_set(err, errno, "cannot start a lab peer: %s", strerror(errno));
	if (pp->pid == 0) {
		close(down[1]);
		close(up[0]);
		peer_main(&lab->topo, p, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	pp->to_peer = down[1];
	pp->from_peer = up[0];
	lab->npeers++;
	if (await(pp, 'r', err) < 0)
		return -1;
	/* The segment: our end is the workstation's interface, the far end the peer's. */
	if (bs_rtnl_veth(p->iface, p->iface, pp->pid, err) < 0)
		return -1;
	if (write(pp->to_peer, "g", 1) != 1)
		return bs_error_set(err, errno, "cannot reach lab peer %s", p->name);
	return await(pp, 'k', err);
}

static const struct bs_lab_peer *peer_on(const struct bs_topology *t, const char *iface)
{
	for (size_t i = 0; i < t->npeers; i++)
		if (strcmp(t->peers[i].iface, iface) == 0)
			return &t->peers[i];
	return NULL;
}

/* Bounded wait (2 s) until every lab interface has carrier, so the lab is ready as a whole. */
static bool has_link_local(const struct bs_iface *f)
{
	for (size_t i = 0; i < f->naddrs; i++)
		if (f->addrs[i].family == AF_INET6 && f->addrs[i].scope == BS_SCOPE_LINK)
			return true;
	return false;
}

static void await_carrier(const struct bs_topology *t)
{
	bool ipv6 = bs_sysinfo_read_int("/proc/sys/net/ipv6/conf/all/disable_ipv6", 1) == 0;

	for (int tries = 0; tries < 200; tries++) {
		struct bs_iface_list list;
		size_t running = 0;

		if (bs_iface_list_read(&list, NULL) < 0)
			return;
		for (size_t i = 0; i < t->nifaces; i++) {
			const struct bs_iface *f = bs_iface_find(&list, t->ifaces[i].name);
			/* Up, and with its IPv6 link-local address in place where IPv6 is on: the
			 * lab is settled and no late address event follows the command's start. */
			running += f != NULL && (f->flags & IFF_RUNNING) &&
			           (!ipv6 || has_link_local(f)) &&
			           /* and brought up whole: before that, packets are dropped */
			           bs_rtnl_link_oper_up(f->name);
		}
		bs_iface_list_free(&list);
		if (running == t->nifaces)
			return;
		usleep(10000);
	}
}

static int build(struct bs_lab *lab, struct bs_error *err)
{
	const struct bs_topology *t = &lab->topo;

	if (bs_rtnl_link_up("lo", err) < 0)
		return -1;
	/* No duplicate address detection in the lab: its IPv6 addresses (link-local included)
	 * are usable at once instead of "tentative" for the first seconds. Per namespace. */
	write_file("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	write_file("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
	for (size_t i = 0; i < t->nifaces; i++) {
		const struct bs_lab_iface *f = &t->ifaces[i];
		const struct bs_lab_peer *p = peer_on(t, f->name);
		/* A segment without a peer still needs a far end: a silent host. */
		struct bs_lab_peer silent = {0};

		if (p == NULL) {
			snprintf(silent.name, sizeof(silent.name), "%.10s-none", f->name);
			snprintf(silent.iface, sizeof(silent.iface), "%s", f->name);
			p = &silent;
		}
		if (start_peer(lab, p, err) < 0 ||
		    configure_iface(f->name, f->addrs, f->naddrs, f->line, err) < 0)
			return -1;
	}
	await_carrier(t);
	return apply_firewall(t, "", err);
}

/*
 * Why a pid namespace (and not PR_SET_PDEATHSIG alone, or a cgroup): PR_SET_PDEATHSIG covers
 * one child only, so a grandchild that forks away (sh -c 'sleep 300 &') would outlive the lab;
 * a cgroup needs a delegated cgroup tree, which a normal user rarely has, and someone left to
 * kill it after kill -9. A pid namespace needs neither: when its init dies, the kernel kills
 * every process in it, and an unprivileged user may make one inside the lab's user
 * namespace. So the lab's process is that init, with PR_SET_PDEATHSIG set so the kernel kills
 * it when the keeper (the process the user started) dies in any way, kill -9 included. A fresh
 * /proc in a mount namespace of its own makes the pids the lab's programs see ($$, $!, ss -p,
 * BINDSCOPE_LAB_PEERS) the same as the ones they can kill and nsenter.
 */
/* Passed on to the lab (by the keeper) and to the command (by the lab). SIGINT and SIGQUIT
 * are held, not passed on: from the terminal, every program of the lab gets them itself. */
static const int forwarded[] = {SIGTERM, SIGHUP};

static void held_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGCHLD);
}

static bool is_forwarded(int sig)
{
	return sig == SIGTERM || sig == SIGHUP;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The lab's process id as the host sees it (the keeper tells it), for bs_lab_advertise. */
static pid_t lab_host_pid;

/* In the lab's process: die with the keeper, then a /proc of our own pid namespace. */
static int become_lab_init(int keeper_alive, struct bs_error *err)
{
	struct pollfd pfd = {.fd = keeper_alive, .events = POLLIN};
	pid_t told = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The keeper writes our pid, as it sees it, and keeps its end open while it lives: a
	 * short read is a keeper that died, and so is a hangup after the pid (it may have died
	 * before the line above). */
	if (read(keeper_alive, &told, sizeof(told)) != (ssize_t)sizeof(told) ||
	    (poll(&pfd, 1, 0) != 0 && (pfd.revents & (POLLHUP | POLLIN))))
		_exit(1);
	lab_host_pid = told;
	close(keeper_alive);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return bs_error_set(err, errno,
		                    "cannot give the lab a /proc of its own (%s), so the lab could "
		                    "not make sure its programs end with it; run it as root "
		                    "(sudo bindscope lab)",
		                    strerror(errno));
	return 0;
}

static sigset_t caller_mask;

int bs_lab_unhold_signals(void)
{
	const struct timespec now = {0, 0};
	sigset_t set;
	int sig;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sig = sigtimedwait(&set, NULL, &now);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	return sig > 0 ? sig : 0;
}

pid_t bs_lab_isolate(struct bs_error *err)
{
	sigset_t set, old;
	int alive[2];
	pid_t pid;

	if (enter_namespaces(err) < 0)
		return -1;
	if (unshare(CLONE_NEWPID) < 0)
		return bs_error_set(err, errno, "cannot create the lab's process namespace: %s",
		                    strerror(errno));
	if (pipe2(alive, O_CLOEXEC) < 0)
		return bs_error_set(err, errno, "cannot start the lab: %s", strerror(errno));
	/* Blocked before the fork, so no signal meant for the lab is lost in between. */
	held_set(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		int saved = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return bs_error_set(err, saved, "cannot start the lab: %s", strerror(saved));
	}
	if (pid == 0) {
		/* Still blocked here: as init, the lab's process would drop SIGTERM and SIGHUP
		 * (init ignores the signals it does not handle); bs_lab_wait takes them, or
		 * bs_lab_unhold_signals says one came. */
		caller_mask = old;
		close(alive[1]);
		return become_lab_init(alive[0], err) < 0 ? -1 : 0;
	}
	close(alive[0]); /* alive[1] stays open until the keeper dies */
	if (write(alive[1], &pid, sizeof(pid)) != (ssize_t)sizeof(pid)) {
		int saved = errno;
		kill(pid, SIGKILL);
		close(alive[1]);
		waitpid(pid, NULL, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return bs_error_set(err, saved, "cannot start the lab: %s", strerror(saved));
	}
	return pid;
}

static int exit_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * Wait for pid, reaping any other child (the lab's process is init: orphans come to it).
 * SIGTERM and SIGHUP go on to pid; grace_ms later, if it still runs, SIGKILL goes to pid (or,
 * with kill_all, to every process of the lab's pid namespace). Returns pid's exit code, the
 * way a shell says it (128+N for signal N).
 */
static int wait_forwarding(pid_t pid, int grace_ms, bool kill_all)
{
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
	long deadline = -1;
	sigset_t set;

	held_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		int status, sig;
		pid_t done;

		while ((done = waitpid(-1, &status, WNOHANG)) > 0)
			if (done == pid)
				return exit_code(status);
		if (done < 0 && errno == ECHILD)
			return 1;
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig > 0 && is_forwarded(sig)) {
			kill(pid, sig);
			if (deadline < 0)
				deadline = now_ms() + grace_ms;
		}
		if (deadline >= 0 && now_ms() >= deadline) {
			/* -1 is every process of the namespace only for its init: checked. */
			kill(kill_all && getpid() == 1 ? -1 : pid, SIGKILL);
			deadline = now_ms() + grace_ms;
		}
	}
}

int bs_lab_keep(pid_t lab)
{
	return wait_forwarding(lab, 4000, false);
}

int bs_lab_wait(pid_t command)
{
	return wait_forwarding(command, 2000, true);
}

struct bs_lab *bs_lab_enter(const struct bs_topology *topology, struct bs_error *err)
{
	struct bs_lab *lab = calloc(1, sizeof(*lab));

	if (lab == NULL) {
		bs_error_set(err, ENOMEM, "out of memory starting the lab");
		return NULL;
	}
	lab->topo = *topology;
	if (build(lab, err) < 0) {
		bs_lab_leave(lab);
		return NULL;
	}
	return lab;
}

void bs_lab_leave(struct bs_lab *lab)
{
	if (lab == NULL)
		return;
	for (size_t i = 0; i < lab->npeers; i++) {
		kill(lab->peers[i].pid, SIGKILL);
		waitpid(lab->peers[i].pid, NULL, 0);
		close(lab->peers[i].to_peer);
		close(lab->peers[i].from_peer);
	}
	free(lab);
}

/* Peers in topology order; silent far ends of peerless segments are not listed. */
static const struct peer_proc *nth_peer(const struct bs_lab *lab, size_t i, size_t *topo_index)
{
	for (size_t f = 0, k = 0; f < lab->topo.nifaces && f < lab->npeers; f++) {
		const struct bs_lab_peer *p = peer_on(&lab->topo, lab->topo.ifaces[f].name);
		if (p == NULL)
			continue;
		if (k++ == i) {
			*topo_index = (size_t)(p - lab->topo.peers);
			return &lab->peers[f];
		}
	}
	return NULL;
}

size_t bs_lab_peer_count(const struct bs_lab *lab)
{
	return lab->topo.npeers;
}

const struct bs_lab_peer *bs_lab_peer(const struct bs_lab *lab, size_t i)
{
	size_t t;

	return nth_peer(lab, i, &t) ? &lab->topo.peers[t] : NULL;
}

pid_t bs_lab_peer_pid(const struct bs_lab *lab, size_t i)
{
	size_t t;
	const struct peer_proc *pp = nth_peer(lab, i, &t);

	return pp ? pp->pid : 0;
}

void bs_lab_export(const struct bs_lab *lab)
{
	char peers[512] = "", vantages[1024] = "";

	for (size_t i = 0; i < bs_lab_peer_count(lab); i++) {
		const struct bs_lab_peer *p = bs_lab_peer(lab, i);
		char addr[BS_LAB_ADDR_MAX];

		snprintf(addr, sizeof(addr), "%s", p->addrs[0]);
		addr[strcspn(addr, "/")] = '\0';
		bs_textbuf_appendf(peers, sizeof(peers), "%s%s=%d", i ? " " : "", p->name,
		                   (int)bs_lab_peer_pid(lab, i));
		bs_textbuf_appendf(vantages, sizeof(vantages), "%s%s,%d,%s,%s", i ? " " : "",
		                   p->name, (int)bs_lab_peer_pid(lab, i), p->iface, addr);
	}
	setenv("BINDSCOPE_LAB", "1", 1);
	setenv("BINDSCOPE_LAB_PEERS", peers, 1);
	setenv("BINDSCOPE_LAB_VANTAGES", vantages, 1);
}

size_t bs_lab_vantages(struct bs_lab_vantage *out, size_t max)
{
	const char *env = getenv("BINDSCOPE_LAB_VANTAGES");
	char buf[1024], *save = NULL, path[64];
	size_t n = 0;

	if (env == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", env);
	for (char *tok = strtok_r(buf, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save)) {
		struct bs_lab_vantage *v = &out[n];
		char *f[4], *s2 = NULL;
		int k = 0;

		for (char *x = strtok_r(tok, ",", &s2); x && k < 4; x = strtok_r(NULL, ",", &s2))
			f[k++] = x;
		if (k != 4)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", strtol(f[1], NULL, 10));
		v->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (v->netns_fd < 0)
			continue; /* the peer is gone: no vantage from there */
		v->pid = strtol(f[1], NULL, 10);
		snprintf(v->name, sizeof(v->name), "%s", f[0]);
		snprintf(v->iface, sizeof(v->iface), "%s", f[2]);
		snprintf(v->addr, sizeof(v->addr), "%s", f[3]);
		n++;
	}
	return n;
}

void bs_lab_vantages_close(struct bs_lab_vantage *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].netns_fd >= 0)
			close(v[i].netns_fd);
}

int bs_lab_vantage_route_add(const struct bs_lab_vantage *v, const char *net, const char *via,
                             struct bs_error *err)
{
	struct bs_netns_visit visit;
	int rc;

	if (bs_netns_enter(v->netns_fd, v->name, &visit, err) < 0)
		return -1;
	rc = bs_rtnl_route_add(net, via, err);
	bs_netns_leave(&visit);
	return rc;
}

int bs_lab_vantage_route_del(const struct bs_lab_vantage *v, const char *net, struct bs_error *err)
{
	struct bs_netns_visit visit;
	int rc;

	if (bs_netns_enter(v->netns_fd, v->name, &visit, err) < 0)
		return -1;
	rc = bs_rtnl_route_del(net, err);
	bs_netns_leave(&visit);
	return rc;
}

const struct bs_topology *bs_lab_topology(const struct bs_lab *lab)
{
	return &lab->topo;
}

int bs_lab_apply_firewall(const struct bs_lab *lab, const char *host, struct bs_error *err)
{
	return apply_firewall(&lab->topo, host, err);
}

pid_t bs_lab_host_pid(void)
{
	return lab_host_pid;
}
