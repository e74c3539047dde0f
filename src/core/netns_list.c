/* Every network namespace of the machine, named where a name exists (netns_list.h). */
#include "bindscope/netns_list.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/netns.h"
#include "bindscope/textbuf.h"

struct found {
	struct bs_netns *items;
	size_t n, cap;
};

static struct bs_netns *find(struct found *f, uint64_t inode)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].inode == inode)
			return &f->items[i];
	return NULL;
}

static struct bs_netns *add(struct found *f, uint64_t inode)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct bs_netns *items = realloc(f->items, cap * sizeof(*items));
		if (items == NULL)
			return NULL;
		f->items = items;
		f->cap = cap;
	}
	memset(&f->items[f->n], 0, sizeof(f->items[0]));
	f->items[f->n].inode = inode;
	return &f->items[f->n++];
}

static void read_small(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (fp == NULL)
		return;
	n = fread(buf, 1, len - 1, fp);
	fclose(fp);
	buf[n] = '\0';
}

/* A container's id in the process's cgroup path (docker-ID.scope, /docker/ID, libpod-ID):
 * its first 12 characters, as docker ps shows them. */
static bool container_of(pid_t pid, char *out, size_t len)
{
	static const struct {
		const char *mark, *engine;
	} marks[] = {
	    {"docker-", "docker"},         {"/docker/", "docker"}, {"libpod-", "podman"},
	    {"containerd-", "containerd"}, {"crio-", "cri-o"},
	};
	char path[64], cgroup[2048];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	read_small(path, cgroup, sizeof(cgroup));
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
		const char *p = strstr(cgroup, marks[m].mark);
		size_t n = 0;
		if (p == NULL)
			continue;
		p += strlen(marks[m].mark);
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n >= 12) {
			snprintf(out, len, "%s %.12s", marks[m].engine, p);
			return true;
		}
	}
	return false;
}

/* Inside `bindscope lab`: the peer whose process pid is ("eth0-peer=2 wlan0-peer=3"). */
static bool lab_peer_of(pid_t pid, char *out, size_t len)
{
	const char *peers = getenv("BINDSCOPE_LAB_PEERS");
	char buf[1024], *save = NULL;

	if (peers == NULL)
		return false;
	snprintf(buf, sizeof(buf), "%s", peers);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (eq != NULL && strtol(eq + 1, NULL, 10) == pid) {
			*eq = '\0';
			snprintf(out, len, "%s", tok);
			return true;
		}
	}
	return false;
}

static void scan_processes(struct found *f, size_t *hidden)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[300];
		struct stat st;
		struct bs_netns *ns;
		pid_t pid;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)strtol(e->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) < 0) {
			*hidden += errno == EACCES || errno == EPERM;
			continue;
		}
		if ((ns = find(f, (uint64_t)st.st_ino)) == NULL &&
		    (ns = add(f, (uint64_t)st.st_ino)) == NULL)
			break;
		ns->processes++;
		if (ns->pid == 0 || pid < ns->pid) {
			char comm[64];
			ns->pid = pid;
			snprintf(ns->path, sizeof(ns->path), "%s", path);
			snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
			read_small(path, comm, sizeof(comm));
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(ns->program, sizeof(ns->program), "%.15s", comm);
		}
	}
	closedir(d);
}

static void scan_mounts(struct found *f)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[300];
		struct stat st;
		struct bs_netns *ns;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%.200s", e->d_name);
		if (stat(path, &st) < 0)
			continue;
		if ((ns = find(f, (uint64_t)st.st_ino)) == NULL) {
			if ((ns = add(f, (uint64_t)st.st_ino)) == NULL)
				break;
			snprintf(ns->path, sizeof(ns->path), "%s", path);
		}
		snprintf(ns->name, sizeof(ns->name), "%.64s", e->d_name);
		snprintf(ns->kind, sizeof(ns->kind), "ip-netns");
	}
	closedir(d);
}

static int by_inode(const void *a, const void *b)
{
	const struct bs_netns *x = a, *y = b;

	if (x->own != y->own)
		return x->own ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

long bs_netns_list(struct bs_netns **out, size_t *hidden, struct bs_error *err)
{
	struct found f = {0};
	struct stat self;

	*hidden = 0;
	if (stat("/proc/self/ns/net", &self) < 0)
		return bs_error_set(err, errno, "cannot read this process's network namespace: %s",
		                    strerror(errno));
	scan_processes(&f, hidden);
	scan_mounts(&f);
	if (find(&f, (uint64_t)self.st_ino) == NULL && add(&f, (uint64_t)self.st_ino) != NULL)
		snprintf(f.items[f.n - 1].path, sizeof(f.items[0].path), "/proc/self/ns/net");
	if (f.items == NULL)
		return bs_error_set(err, ENOMEM, "out of memory listing network namespaces");
	for (size_t i = 0; i < f.n; i++) {
		struct bs_netns *ns = &f.items[i];
		ns->own = ns->inode == (uint64_t)self.st_ino;
		if (ns->own)
			snprintf(ns->kind, sizeof(ns->kind), "this");
		else if (ns->kind[0] != '\0')
			continue; /* ip netns: named */
		else if (ns->pid > 0 && lab_peer_of(ns->pid, ns->name, sizeof(ns->name)))
			snprintf(ns->kind, sizeof(ns->kind), "lab-peer");
		else if (ns->pid > 0 && container_of(ns->pid, ns->name, sizeof(ns->name)))
			snprintf(ns->kind, sizeof(ns->kind), "container");
		else
			snprintf(ns->kind, sizeof(ns->kind), "process");
	}
	qsort(f.items, f.n, sizeof(f.items[0]), by_inode);
	*out = f.items;
	return (long)f.n;
}

void bs_netns_text(const struct bs_netns *ns, char *buf, size_t len)
{
	char first[80] = "";

	if (ns->pid > 0)
		snprintf(first, sizeof(first), "first process %s (pid %d), %zu process%s",
		         ns->program, (int)ns->pid, ns->processes, ns->processes == 1 ? "" : "es");
	else
		snprintf(first, sizeof(first), "no process in it (held by its mount)");
	if (ns->own)
		snprintf(buf, len, "this namespace (net:[%llu]), %s", (unsigned long long)ns->inode,
		         first);
	else if (strcmp(ns->kind, "lab-peer") == 0)
		snprintf(buf, len, "%s (a lab peer, net:[%llu]), %s", ns->name,
		         (unsigned long long)ns->inode, first);
	else if (ns->name[0] != '\0')
		snprintf(buf, len, "%s (%s, net:[%llu]), %s", ns->name,
		         strcmp(ns->kind, "ip-netns") == 0 ? "ip netns" : "a container",
		         (unsigned long long)ns->inode, first);
	else
		snprintf(buf, len, "net:[%llu], %s", (unsigned long long)ns->inode, first);
}

int bs_netns_open(const struct bs_netns *ns, struct bs_error *err)
{
	struct stat st;
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bs_error_set(err, errno, "cannot open %s: %s", ns->path, strerror(errno));
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != ns->inode) {
		close(fd);
		return bs_error_set(err, ESRCH, "net:[%llu] is gone (its process ended)",
		                    (unsigned long long)ns->inode);
	}
	return fd;
}

/* The short name a row shows: "eth0-peer", "docker 3f2a9c1b7d4e", "net:[4026532773]". */
static void short_name(const struct bs_netns *ns, char *buf, size_t len)
{
	if (ns->name[0] != '\0')
		snprintf(buf, len, "%s", ns->name);
	else
		snprintf(buf, len, "net:[%llu]", (unsigned long long)ns->inode);
}

/* Move every socket of from to the end of to, tagged with ns. */
static int append(struct bs_socket_list *to, struct bs_socket_list *from, const struct bs_netns *ns,
                  struct bs_error *err)
{
	struct bs_socket *items;

	if (from->count == 0)
		return 0;
	items = realloc(to->items, (to->count + from->count) * sizeof(*items));
	if (items == NULL)
		return bs_error_set(err, ENOMEM,
		                    "out of memory for the sockets of every namespace");
	to->items = items;
	for (size_t i = 0; i < from->count; i++) {
		struct bs_socket *s = &to->items[to->count++];
		*s = from->items[i];
		s->netns = ns->inode;
		short_name(ns, s->netns_name, sizeof(s->netns_name));
	}
	return 0;
}

/* The sockets of ns, read from inside it. -1 when it cannot be entered (or read). */
static int read_in(const struct bs_netns *ns, unsigned flags, struct bs_socket_list *out)
{
	struct bs_iface_list ifaces = {0};
	struct bs_netns_visit visit;
	int fd = bs_netns_open(ns, NULL), rc = -1;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -1;
	if (bs_netns_enter(fd, "that namespace", &visit, NULL) == 0) {
		if (bs_iface_list_read(&ifaces, NULL) == 0)
			rc = bs_sockets_read(out, flags, &ifaces, NULL);
		bs_netns_leave(&visit);
	}
	close(fd);
	bs_iface_list_free(&ifaces);
	return rc;
}

int bs_sockets_read_everywhere(struct bs_socket_list *list, unsigned flags,
                               const struct bs_iface_list *ifaces, struct bs_netns_census *census,
                               struct bs_error *err)
{
	struct bs_netns *nss = NULL;
	long n = bs_netns_list(&nss, &census->hidden, err);

	census->namespaces = n > 0 ? (size_t)n : 0;
	census->unread = 0;
	if (n < 0 || nss == NULL || bs_sockets_read(list, flags, ifaces, err) < 0) {
		free(nss);
		return -1;
	}
	for (long i = 0; i < n; i++) {
		struct bs_socket_list theirs;
		if (nss[i].own)
			continue;
		if (read_in(&nss[i], flags, &theirs) < 0) {
			census->unread++;
			bs_socket_list_free(&theirs);
			continue;
		}
		if (append(list, &theirs, &nss[i], err) < 0) {
			bs_socket_list_free(&theirs);
			free(nss);
			return -1;
		}
		free(theirs.items); /* moved: the sockets own nothing else */
	}
	free(nss);
	return 0;
}

/* Does this namespace (the caller's, now) have addr on an interface? */
static bool has_address(const char *addr)
{
	struct bs_iface_list ifaces = {0};
	bool found = false;

	if (bs_iface_list_read(&ifaces, NULL) < 0)
		return false;
	for (size_t i = 0; i < ifaces.count && !found; i++)
		for (size_t k = 0; k < ifaces.items[i].naddrs && !found; k++)
			found = strcmp(ifaces.items[i].addrs[k].text, addr) == 0;
	bs_iface_list_free(&ifaces);
	return found;
}

/* The socket on proto/port here that would take a connection to addr: its owner in words. */
static bool holder_of(const char *addr, enum bs_proto proto, uint16_t port, char *buf, size_t len)
{
	struct bs_iface_list ifaces = {0};
	struct bs_socket_list list = {0};
	bool found = false;

	if (bs_iface_list_read(&ifaces, NULL) < 0 ||
	    bs_sockets_read(&list, BS_SOCKETS_ALL, &ifaces, NULL) < 0) {
		bs_iface_list_free(&ifaces);
		return false;
	}
	for (size_t i = 0; i < list.count && !found; i++) {
		const struct bs_socket *s = &list.items[i];
		char a[BS_ENDPOINT_TEXT_MAX];
		if (s->proto != proto || s->local.port != port)
			continue;
		bs_endpoint_addr_text(&s->local, a, sizeof(a));
		if (!bs_endpoint_is_wildcard(&s->local) && strcmp(a, addr) != 0)
			continue;
		bs_socket_owner_text(s, buf, len);
		found = true;
	}
	bs_socket_list_free(&list);
	bs_iface_list_free(&ifaces);
	return found;
}

int bs_netns_who_has(const char *addr, enum bs_proto proto, uint16_t port, uint64_t skip, char *buf,
                     size_t len)
{
	struct bs_netns *nss = NULL;
	size_t hidden;
	long n = bs_netns_list(&nss, &hidden, NULL);
	int found = 0;

	buf[0] = '\0';
	for (long i = 0; nss != NULL && i < n && found == 0; i++) {
		struct bs_netns_visit visit;
		char name[160], owner[1024];
		int fd;
		if (skip != 0 ? nss[i].inode == skip : nss[i].own)
			continue; /* the namespace the rule is in: its own addresses are checked
			             apart */
		if ((fd = bs_netns_open(&nss[i], NULL)) < 0)
			continue;
		if (bs_netns_enter(fd, "that namespace", &visit, NULL) == 0) {
			if (has_address(addr)) {
				if (nss[i].own)
					snprintf(name, sizeof(name),
					         "the namespace bindscope runs in (net:[%llu])",
					         (unsigned long long)nss[i].inode);
				else {
					char shortn[96];
					short_name(&nss[i], shortn, sizeof(shortn));
					snprintf(name, sizeof(name), "namespace %s", shortn);
				}
				if (holder_of(addr, proto, port, owner, sizeof(owner)))
					snprintf(buf, len, "in %s, held by %s", name, owner);
				else
					snprintf(buf, len,
					         "in %s, where no socket listens on %s %u", name,
					         bs_proto_name(proto), (unsigned)port);
				found = 1;
			}
			bs_netns_leave(&visit);
		}
		close(fd);
	}
	free(nss);
	return found;
}
