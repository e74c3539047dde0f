/*
 * Owners of sockets: which processes hold each socket inode, found the way ss -p does it,
 * by reading the /proc/PID/fd links once and looking each "socket:[INODE]" up in a sorted
 * index of the sockets we care about. Every holder counts (nginx's master and workers); the
 * first one's command line and systemd unit (from /proc/PID/cgroup) are read too. Another
 * user's /proc/PID/fd is unreadable without root: those sockets keep pid 0 ("owner unknown
 * (needs root)"), which is not an error; as root it means the fds are not readable here.
 * The socket's uid is named from the password database, which needs no privilege.
 */
#include <pwd.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/sockets.h"

struct inode_ref {
	uint64_t inode;
	size_t index;
};

static int by_inode(const void *pa, const void *pb)
{
	const struct inode_ref *a = pa, *b = pb;

	return a->inode < b->inode ? -1 : a->inode > b->inode;
}

/* The start of a file, NUL-terminated; its length. */
static size_t read_raw(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return 0;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* Its first line; NULs (cmdline's separators) as blanks when asked. */
static void read_text(const char *path, char *buf, size_t len, bool nul_to_space)
{
	size_t n = read_raw(path, buf, len);

	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] == '\0' && nul_to_space)
			buf[i] = ' ';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The process behind one /proc/PID, read at most once however many sockets it holds. */
struct process {
	const char *proc_root, *pid;
	int proc_fd;
	bool read, detail_read;
	uid_t uid;
	char program[64];
	char cmdline[BS_OWNER_CMDLINE_MAX];
	char unit[64];
};

/* The path of the hierarchy systemd keeps its units in: "N:name=systemd:PATH" where
 * cgroup v1 is mounted beside v2, else the unified "0::PATH". NULL when neither is there. */
static const char *systemd_path(const char *cgroup)
{
	const char *p = strstr(cgroup, ":name=systemd:/");

	if (p != NULL)
		return p + strlen(":name=systemd:");
	for (p = cgroup; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "0::/", 4) == 0)
			return p + 3;
	return NULL;
}

/* "0::/system.slice/nginx.service" -> "nginx.service": the innermost systemd unit (a
 * .service, .socket or .scope) of the process's cgroup path, or "" outside systemd. */
static void unit_of(const char *cgroup, char *unit, size_t len)
{
	const char *path = systemd_path(cgroup), *p, *best = NULL, *end = NULL;

	unit[0] = '\0';
	if (path == NULL)
		return;
	for (p = path; *p != '\0' && *p != '\n';) {
		const char *start = p + 1, *stop = start;
		while (*stop != '\0' && *stop != '/' && *stop != '\n')
			stop++;
		size_t n = (size_t)(stop - start);
		if ((n > 8 && memcmp(stop - 8, ".service", 8) == 0) ||
		    (n > 7 && memcmp(stop - 7, ".socket", 7) == 0) ||
		    (n > 6 && memcmp(stop - 6, ".scope", 6) == 0)) {
			best = start;
			end = stop;
		}
		p = stop;
		if (*p != '/')
			break;
	}
	if (best != NULL)
		snprintf(unit, len, "%.*s", (int)(end - best), best);
}

static void read_process(struct process *p, bool first_holder)
{
	char path[512], cgroup[1024];
	struct stat st;

	if (!p->read) {
		snprintf(path, sizeof(path), "%s/%s/comm", p->proc_root, p->pid);
		read_text(path, p->program, sizeof(p->program), false);
		p->uid = fstatat(p->proc_fd, p->pid, &st, 0) == 0 ? st.st_uid : (uid_t)-1;
		p->read = true;
	}
	if (first_holder && !p->detail_read) {
		snprintf(path, sizeof(path), "%s/%s/cmdline", p->proc_root, p->pid);
		read_text(path, p->cmdline, sizeof(p->cmdline), true);
		snprintf(path, sizeof(path), "%s/%s/cgroup", p->proc_root, p->pid);
		read_raw(path, cgroup, sizeof(cgroup)); /* every line: the hierarchies */
		unit_of(cgroup, p->unit, sizeof(p->unit));
		p->detail_read = true;
	}
}

static void add_holder(struct bs_socket *s, struct process *p)
{
	pid_t pid = (pid_t)strtol(p->pid, NULL, 10);
	struct bs_holder *h;

	for (size_t i = 0; i < s->nholders && i < BS_SOCKET_HOLDERS_MAX; i++)
		if (s->holders[i].pid == pid)
			return; /* one process, two descriptors of the socket */
	read_process(p, s->nholders == 0);
	if (s->nholders == 0) {
		s->pid = pid;
		memcpy(s->program, p->program, sizeof(s->program));
		memcpy(s->cmdline, p->cmdline, sizeof(s->cmdline));
		memcpy(s->unit, p->unit, sizeof(s->unit));
	}
	if (s->nholders < BS_SOCKET_HOLDERS_MAX) {
		h = &s->holders[s->nholders];
		h->pid = pid;
		h->uid = p->uid;
		snprintf(h->program, sizeof(h->program), "%.15s",
		         p->program); /* comm: 15 at most */
	}
	s->nholders++;
}

/* Returns false when the process's descriptors could not be read (another user's).
 * Each link is read relative to the open fd directory, so the kernel does not walk
 * /proc/PID/fd again for every descriptor. */
static bool scan_process(struct bs_socket_list *list, int proc_fd, const char *proc_root,
                         const char *pid, const struct inode_ref *refs, size_t nrefs)
{
	struct process proc = {.proc_root = proc_root, .pid = pid, .proc_fd = proc_fd};
	bool readable = true;
	char path[64], link[64];
	struct dirent *f;
	DIR *fds;
	int fd_dir;

	snprintf(path, sizeof(path), "%s/fd", pid);
	fd_dir = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_dir < 0)
		return errno == ENOENT; /* a process that just ended hides nothing */
	fds = fdopendir(fd_dir);
	if (fds == NULL) {
		close(fd_dir);
		return true;
	}
	while ((f = readdir(fds)) != NULL) {
		struct inode_ref key, *hit;
		ssize_t n;

		if (f->d_name[0] == '.')
			continue;
		n = readlinkat(fd_dir, f->d_name, link, sizeof(link) - 1);
		if (n < 0 && (errno == EACCES || errno == EPERM)) {
			readable = false; /* the directory opened, its links did not: */
			break;            /* nor will the process's other links */
		}
		if (n < 9 || strncmp(link, "socket:[", 8) != 0)
			continue;
		link[n] = '\0';
		key.inode = strtoull(link + 8, NULL, 10);
		hit = bsearch(&key, refs, nrefs, sizeof(*refs), by_inode);
		if (hit != NULL)
			add_holder(&list->items[hit->index], &proc);
	}
	closedir(fds); /* closes fd_dir */
	return readable;
}

static size_t unowned(const struct bs_socket_list *list)
{
	size_t n = 0;

	for (size_t i = 0; i < list->count; i++)
		n += list->items[i].pid == 0;
	return n;
}

void bs_sockets_find_owners(struct bs_socket_list *list, const char *proc_root)
{
	struct inode_ref *refs;
	struct dirent *p;
	DIR *proc;
	bool hidden = false, done = false;
	char self[24];

	if (list->count == 0)
		return;
	refs = malloc(list->count * sizeof(*refs));
	if (refs == NULL)
		return; /* owners stay unknown: the list is still right */
	for (size_t i = 0; i < list->count; i++) {
		refs[i].inode = list->items[i].inode;
		refs[i].index = i;
	}
	qsort(refs, list->count, sizeof(*refs), by_inode);
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	proc = opendir(proc_root);
	/* The sockets a probe is about are often this process's own listeners: when they all
	 * are, one fd directory is read instead of every process's. (No other process holds
	 * them: bindscope's sockets are close-on-exec, and never passed on.) */
	if (proc != NULL && scan_process(list, dirfd(proc), proc_root, self, refs, list->count) &&
	    unowned(list) == 0) {
		closedir(proc);
		proc = NULL;
		done = true;
	}
	if (proc != NULL) {
		while ((p = readdir(proc)) != NULL)
			if (p->d_name[0] >= '1' && p->d_name[0] <= '9' &&
			    strcmp(p->d_name, self) != 0 &&
			    !scan_process(list, dirfd(proc), proc_root, p->d_name, refs,
			                  list->count))
				hidden = true;
		closedir(proc);
	}
	/* An unowned socket is "needs root" only if some process's descriptors were hidden;
	 * otherwise no process holds it (it is being passed between processes, or closed). */
	for (size_t i = 0; i < list->count; i++) {
		struct bs_socket *s = &list->items[i];
		s->owner_hidden = s->pid == 0 && (hidden || (proc == NULL && !done));
		s->hidden_as_root = s->owner_hidden && geteuid() == 0;
		snprintf(s->user, sizeof(s->user), "%s", bs_user_name(s->uid));
	}
	free(refs);
}

/* The uids asked about, and their names: a password-database lookup reads /etc/passwd. */
static struct {
	uid_t uid;
	char name[33];
} * names;
static size_t nnames, names_cap;

const char *bs_user_name(uid_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[2048];

	for (size_t i = 0; i < nnames; i++)
		if (names[i].uid == uid)
			return names[i].name;
	if (nnames == names_cap) {
		size_t cap = names_cap ? 2 * names_cap : 16;
		void *grown = realloc(names, cap * sizeof(*names));
		if (grown == NULL)
			return ""; /* unnamed, not wrongly named */
		names = grown;
		names_cap = cap;
	}
	names[nnames].uid = uid;
	names[nnames].name[0] = '\0';
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found != NULL)
		snprintf(names[nnames].name, sizeof(names[nnames].name), "%s", found->pw_name);
	return names[nnames++].name;
}
