/* Running labs, written down for `bindscope lab exec` (lab_registry.h). */
#include "bindscope/lab_registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/textbuf.h"

static char registry[PATH_MAX]; /* bs_lab_registry_prepare's, kept for the lab's process */
static char advertised[PATH_MAX + 32];

/* The user's directory for lab files (made when missing); 0, or -1 with err. */
static int registry_dir(char *out, size_t len, struct bs_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg != NULL && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid())
		snprintf(out, len, "%.*s/bindscope", (int)(len - 16), xdg);
	else if (geteuid() == 0)
		snprintf(out, len, "/run/bindscope");
	else
		snprintf(out, len, "/tmp/bindscope-%u", (unsigned)geteuid());
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return bs_error_set(err, errno, "cannot make %s for the lab's address: %s", out,
		                    strerror(errno));
	if (lstat(out, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return bs_error_set(err, EPERM,
		                    "%s is not a private directory of this user (it must be a "
		                    "directory of yours with mode 0700): labs are not written down",
		                    out);
	return 0;
}

int bs_lab_registry_where(char *out, size_t len, struct bs_error *err)
{
	return registry_dir(out, len, err);
}

int bs_lab_registry_prepare(struct bs_error *err)
{
	return registry_dir(registry, sizeof(registry), err);
}

static unsigned long long start_time_of(FILE *f);

/* Field 22 of /proc/PID/stat: when the process started. 0 when unknown. */
static unsigned long long start_time(const char *stat_path)
{
	FILE *f = fopen(stat_path, "re");

	return f != NULL ? start_time_of(f) : 0;
}

/* The same, of the process whose /proc directory dir is (pinned: never a later one). */
static unsigned long long start_time_at(int dir)
{
	int fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (f == NULL && fd >= 0)
		close(fd);
	return f != NULL ? start_time_of(f) : 0;
}

/* Reads and closes f. */
static unsigned long long start_time_of(FILE *f)
{
	char buf[1024], *p;
	unsigned long long start = 0;

	if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL) {
		/* after "pid (comm)": state is field 3, start time field 22 */
		p++;
		for (int field = 3; field < 22 && p != NULL; field++)
			p = strchr(p + 1, ' ');
		if (p != NULL)
			start = strtoull(p + 1, NULL, 10);
	}
	fclose(f);
	return start;
}

int bs_lab_advertise(const char *topology, struct bs_error *err)
{
	char tmp[PATH_MAX + 48];
	const char *peers = getenv("BINDSCOPE_LAB_PEERS"),
	           *vantages = getenv("BINDSCOPE_LAB_VANTAGES");
	FILE *f;
	int fd;

	if (registry[0] == '\0' || bs_lab_host_pid() <= 0)
		return bs_error_set(err, 0, "the lab is not written down (no directory for it)");
	snprintf(advertised, sizeof(advertised), "%s/lab-%d", registry, (int)bs_lab_host_pid());
	snprintf(tmp, sizeof(tmp), "%s.new", advertised);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		advertised[0] = '\0';
		return bs_error_set(err, saved, "cannot write %s: %s", tmp, strerror(saved));
	}
	fprintf(f,
	        "# a running bindscope lab, for bindscope lab exec; it goes when the lab ends\n"
	        "pid %d\nstart %llu\ntopology %s\npeers %s\nvantages %s\n",
	        (int)bs_lab_host_pid(), start_time("/proc/self/stat"), topology ? topology : "",
	        peers ? peers : "", vantages ? vantages : "");
	if (fclose(f) != 0 || rename(tmp, advertised) < 0) {
		int saved = errno;
		unlink(tmp);
		advertised[0] = '\0';
		return bs_error_set(err, saved, "cannot write the lab's file: %s", strerror(saved));
	}
	return 0;
}

void bs_lab_unadvertise(void)
{
	if (advertised[0] != '\0')
		unlink(advertised);
	advertised[0] = '\0';
}

/* "key value" lines into e; false when the file is not a lab's. */
static bool read_entry(const char *path, struct bs_lab_entry *e)
{
	char line[BS_LAB_ENV_MAX + 64];
	FILE *f = fopen(path, "re");
	struct stat st;
	bool pid = false, start = false;

	if (f == NULL)
		return false;
	memset(e, 0, sizeof(*e));
	if (fstat(fileno(f), &st) < 0 || st.st_uid != geteuid() || !S_ISREG(st.st_mode)) {
		fclose(f);
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v = strchr(line, ' ');
		if (v == NULL)
			continue;
		*v++ = '\0';
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "pid") == 0)
			pid = (e->pid = (pid_t)strtol(v, NULL, 10)) > 0;
		else if (strcmp(line, "start") == 0)
			start = (e->start = strtoull(v, NULL, 10)) > 0;
		else if (strcmp(line, "topology") == 0)
			snprintf(e->topology, sizeof(e->topology), "%s", v);
		else if (strcmp(line, "peers") == 0)
			snprintf(e->peers, sizeof(e->peers), "%s", v);
		else if (strcmp(line, "vantages") == 0)
			snprintf(e->vantages, sizeof(e->vantages), "%s", v);
	}
	fclose(f);
	if (strlen(path) >= sizeof(e->path))
		return false;
	memcpy(e->path, path, strlen(path) + 1);
	return pid && start;
}

long bs_lab_running(struct bs_lab_entry *out, size_t max, struct bs_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], stat_path[64];
	struct dirent *d;
	DIR *dp;
	long n = 0;

	if (registry_dir(dir, sizeof(dir), err) < 0)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return bs_error_set(err, errno, "cannot read %s: %s", dir, strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		struct bs_lab_entry e;
		if (strncmp(d->d_name, "lab-", 4) != 0 || strchr(d->d_name, '.') != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (!read_entry(path, &e))
			continue;
		snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", (int)e.pid);
		if (start_time(stat_path) != e.start) {
			unlink(
			    path); /* its lab was killed: the pid is gone, or someone else's now */
			continue;
		}
		if ((size_t)n < max)
			out[n] = e;
		n++;
	}
	closedir(dp);
	return n;
}

static int open_ns(int dir, pid_t pid, const char *kind, struct bs_error *err)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "ns/%s", kind);
	fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bs_error_set(err, errno, "cannot reach the lab (pid %d): /proc/%d/%s: %s", (int)pid,
		             (int)pid, path, strerror(errno));
	return fd;
}

static bool same_ns(int fd, const char *own)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(own, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* The in-lab pid of peer name, from "eth0-peer=PID wlan0-peer=PID"; 0 when none. */
static long peer_pid(const char *peers, const char *name)
{
	char buf[BS_LAB_ENV_MAX], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", peers);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (eq != NULL && (size_t)(eq - tok) == strlen(name) &&
		    strncmp(tok, name, strlen(name)) == 0)
			return strtol(eq + 1, NULL, 10);
	}
	return 0;
}

static int enter(int fd, int type, const char *what, struct bs_error *err)
{
	if (setns(fd, type) == 0)
		return 0;
	return bs_error_set(err, errno, "cannot enter the lab's %s: %s", what, strerror(errno));
}

/* In the lab's mounts (its /proc): the network namespace to end in. */
static int net_fd_inside(const struct bs_lab_entry *e, const char *peer, int workstation,
                         struct bs_error *err)
{
	char path[64], names[BS_LAB_ENV_MAX] = "", buf[BS_LAB_ENV_MAX], *save = NULL;
	long pid;

	if (peer == NULL || peer[0] == '\0')
		return dup(workstation);
	if ((pid = peer_pid(e->peers, peer)) <= 0) {
		snprintf(buf, sizeof(buf), "%s", e->peers);
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			tok[strcspn(tok, "=")] = '\0';
			bs_textbuf_appendf(names, sizeof(names), "%s%s", names[0] ? ", " : "", tok);
		}
		if (e->pid <= 0)
			return bs_error_set(err, ENOENT, "this lab has no peer %s (%s)", peer,
			                    names[0] ? names : "it has no peers");
		return bs_error_set(err, ENOENT, "the lab (pid %d) has no peer %s (%s)",
		                    (int)e->pid, peer, names[0] ? names : "it has no peers");
	}
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bs_error_set(err, errno, "cannot reach peer %s of the lab: %s", peer,
		             strerror(errno));
	return fd;
}

int bs_lab_join(const struct bs_lab_entry *e, const char *peer, struct bs_error *err)
{
	char cwd[PATH_MAX], dir_path[32];
	int dir, user = -1, mnt = -1, pidns = -1, net = -1, target = -1;
	int rc = -1;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "/");
	/* The process's /proc directory pins it: what is read through it is that process's, even
	 * if it ends and its pid goes to another one meanwhile. */
	snprintf(dir_path, sizeof(dir_path), "/proc/%d", (int)e->pid);
	if ((dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    start_time_at(dir) != e->start) {
		if (dir >= 0)
			close(dir);
		return bs_error_set(err, ESRCH, "the lab (pid %d) has ended", (int)e->pid);
	}
	user = open_ns(dir, e->pid, "user", err);
	if (user >= 0 && (mnt = open_ns(dir, e->pid, "mnt", err)) >= 0 &&
	    (pidns = open_ns(dir, e->pid, "pid", err)) >= 0)
		net = open_ns(dir, e->pid, "net", err);
	close(dir);
	if (net < 0)
		goto out;
	/* A lab never shares this process's network or processes: if it seems to, it is not a
	 * lab, and nothing is entered. */
	if (same_ns(net, "/proc/self/ns/net") || same_ns(pidns, "/proc/self/ns/pid")) {
		bs_error_set(err, EPERM,
		             "pid %d shares this process's network or processes, so it is not a "
		             "lab: nothing was entered",
		             (int)e->pid);
		goto out;
	}
	/* Where not root, the lab is inside a user namespace of its own: that first, for the
	 * right to enter the rest. */
	if (!same_ns(user, "/proc/self/ns/user") &&
	    enter(user, CLONE_NEWUSER, "user namespace", err) < 0)
		goto out;
	if (enter(mnt, CLONE_NEWNS, "mounts", err) < 0)
		goto out;
	if (chdir(cwd) < 0 && chdir("/") < 0)
		goto out;
	if ((target = net_fd_inside(e, peer, net, err)) < 0 ||
	    enter(target, CLONE_NEWNET, "network", err) < 0 ||
	    enter(pidns, CLONE_NEWPID, "processes", err) < 0)
		goto out;
	setenv("BINDSCOPE_LAB", "1", 1);
	setenv("BINDSCOPE_LAB_PEERS", e->peers, 1);
	setenv("BINDSCOPE_LAB_VANTAGES", e->vantages, 1);
	rc = 0;
out:;
	const int fds[] = {user, mnt, pidns, net, target};
	for (size_t k = 0; k < sizeof(fds) / sizeof(fds[0]); k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return rc;
}

bool bs_lab_inside(void)
{
	char comm[32] = "";
	FILE *f;

	if (getenv("BINDSCOPE_LAB") == NULL || getenv("BINDSCOPE_LAB_PEERS") == NULL)
		return false;
	/* The lab's own process is pid 1 of its pid namespace. */
	if ((f = fopen("/proc/1/comm", "re")) == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "bindscope", 9) == 0;
}

int bs_lab_join_here(const char *peer, struct bs_error *err)
{
	struct bs_lab_entry here = {0};
	char path[64];
	long pid;
	int fd, rc;

	if (peer == NULL || peer[0] == '\0') {
		/* The lab's workstation: where its own process, pid 1 here, is (this may be a
		 * shell lab exec started in a peer). */
		if ((fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
			return bs_error_set(err, errno, "cannot reach the lab's workstation: %s",
			                    strerror(errno));
		rc = enter(fd, CLONE_NEWNET, "network", err);
		close(fd);
		return rc;
	}
	snprintf(here.peers, sizeof(here.peers), "%s", getenv("BINDSCOPE_LAB_PEERS"));
	if ((pid = peer_pid(here.peers, peer)) <= 0) {
		fd = net_fd_inside(&here, peer, -1, err); /* says which peers there are */
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return bs_error_set(err, errno, "cannot reach peer %s of the lab: %s", peer,
		                    strerror(errno));
	rc = enter(fd, CLONE_NEWNET, "network", err);
	close(fd);
	return rc;
}
