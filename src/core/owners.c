/*
 * Owners of sockets: which process holds each socket inode, found the way ss -p does it,
 * by reading the /proc/PID/fd links once and looking each "socket:[INODE]" up in a sorted
 * index of the sockets we care about. Another user's /proc/PID/fd is unreadable without
 * root: those sockets keep pid 0 ("owner unknown (needs root)"), which is not an error.
 */
#include <dirent.h>
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

static void set_owner(struct bs_socket *s, const char *proc_root, const char *pid)
{
	char path[512];

	s->pid = (pid_t)atoi(pid);
	snprintf(path, sizeof(path), "%s/%s/comm", proc_root, pid);
	read_text(path, s->program, sizeof(s->program), false);
	snprintf(path, sizeof(path), "%s/%s/cmdline", proc_root, pid);
	read_text(path, s->cmdline, sizeof(s->cmdline), true);
}

static void scan_process(struct bs_socket_list *list, const char *proc_root, const char *pid,
                         const struct inode_ref *refs, size_t nrefs)
{
	char path[512], link[64];
	struct dirent *f;
	DIR *fds;

	snprintf(path, sizeof(path), "%s/%s/fd", proc_root, pid);
	fds = opendir(path);
	if (fds == NULL)
		return;
	while ((f = readdir(fds)) != NULL) {
		struct inode_ref key, *hit;
		ssize_t n;

		if (f->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd/%s", proc_root, pid, f->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 9 || strncmp(link, "socket:[", 8) != 0)
			continue;
		link[n] = '\0';
		key.inode = strtoull(link + 8, NULL, 10);
		hit = bsearch(&key, refs, nrefs, sizeof(*refs), by_inode);
		if (hit != NULL && list->items[hit->index].pid == 0)
			set_owner(&list->items[hit->index], proc_root, pid);
	}
	closedir(fds);
}

void bs_sockets_find_owners(struct bs_socket_list *list, const char *proc_root)
{
	struct inode_ref *refs;
	struct dirent *p;
	DIR *proc;

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
	proc = opendir(proc_root);
	if (proc != NULL) {
		while ((p = readdir(proc)) != NULL)
			if (p->d_name[0] >= '1' && p->d_name[0] <= '9')
				scan_process(list, proc_root, p->d_name, refs, list->count);
		closedir(proc);
	}
	free(refs);
}
