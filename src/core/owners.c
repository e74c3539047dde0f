/*
 * Owners of sockets: which process holds each socket inode, found the way ss -p does it,
 * by reading the /proc/PID/fd links once and looking each "socket:[INODE]" up in a sorted
 * index of the sockets we care about. Another user's /proc/PID/fd is unreadable without
 * root: those sockets keep pid 0 ("owner unknown (needs root)"), which is not an error.
 */
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

static void read_text(const char *path, char *buf, size_t len, bool nul_to_space)
{
	FILE *f = fopen(path, "re");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i + 1 < n; i++)
		if (buf[i] == '\0' && nul_to_space)
			buf[i] = ' ';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The process behind one /proc/PID, read at most once however many sockets it holds. */
struct process {
	const char *proc_root, *pid;
	bool read;
	char program[64];
	char cmdline[BS_OWNER_CMDLINE_MAX];
};

static void set_owner(struct bs_socket *s, struct process *p)
{
	char path[512];

	if (!p->read) {
		snprintf(path, sizeof(path), "%s/%s/comm", p->proc_root, p->pid);
		read_text(path, p->program, sizeof(p->program), false);
		snprintf(path, sizeof(path), "%s/%s/cmdline", p->proc_root, p->pid);
		read_text(path, p->cmdline, sizeof(p->cmdline), true);
		p->read = true;
	}
	s->pid = (pid_t)strtol(p->pid, NULL, 10);
	memcpy(s->program, p->program, sizeof(s->program));
	memcpy(s->cmdline, p->cmdline, sizeof(s->cmdline));
}

/* Returns false when the process's descriptors could not be read (another user's).
 * Each link is read relative to the open fd directory, so the kernel does not walk
 * /proc/PID/fd again for every descriptor. */
static bool scan_process(struct bs_socket_list *list, int proc_fd, const char *proc_root,
                         const char *pid, const struct inode_ref *refs, size_t nrefs)
{
	struct process proc = {.proc_root = proc_root, .pid = pid};
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
		if (hit != NULL && list->items[hit->index].pid == 0)
			set_owner(&list->items[hit->index], &proc);
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
	 * are, one fd directory is read instead of every process's. */
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
	for (size_t i = 0; i < list->count; i++)
		list->items[i].owner_hidden =
		    list->items[i].pid == 0 && (hidden || (proc == NULL && !done));
	free(refs);
}
