/* Changes to a running lab, written down so that a reset undoes them (lab_changes.h). */
#include "bindscope/lab_changes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindscope/firewall.h"
#include "bindscope/netns.h"
#include "bindscope/textbuf.h"

#define SETTING_MAX 256

enum change_kind { ROUTE_ADDED, ROUTE_DELETED, SYSCTL_SET, FIREWALL_RUN };

struct change {
	enum change_kind kind;
	const struct bs_lab_vantage *v; /* routes, firewall; NULL: the workstation */
	char net[BS_LAB_ADDR_MAX], via[BS_LAB_ADDR_MAX];
	char name[SETTING_MAX], old[SETTING_MAX]; /* sysctl: its name and the value it had */
};

struct bs_lab_changes {
	const struct bs_lab *lab;
	struct change *items;
	size_t n, cap;
};

struct bs_lab_changes *bs_lab_changes_new(const struct bs_lab *lab, struct bs_error *err)
{
	struct bs_lab_changes *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		bs_error_set(err, ENOMEM, "out of memory");
	else
		ch->lab = lab;
	return ch;
}

void bs_lab_changes_free(struct bs_lab_changes *ch)
{
	if (ch == NULL)
		return;
	free(ch->items);
	free(ch);
}

size_t bs_lab_changes_count(const struct bs_lab_changes *ch)
{
	return ch->n;
}

static struct change *record(struct bs_lab_changes *ch, enum change_kind kind,
                             const struct bs_lab_vantage *v)
{
	if (ch->n == ch->cap) {
		size_t cap = ch->cap ? 2 * ch->cap : 16;
		struct change *items = realloc(ch->items, cap * sizeof(*items));
		if (items == NULL)
			return NULL;
		ch->items = items;
		ch->cap = cap;
	}
	memset(&ch->items[ch->n], 0, sizeof(ch->items[0]));
	ch->items[ch->n].kind = kind;
	ch->items[ch->n].v = v;
	return &ch->items[ch->n++];
}

static int no_memory(struct bs_error *err)
{
	return bs_error_set(err, ENOMEM,
	                    "out of memory to remember the change, so it was not made");
}

int bs_lab_changes_route_add(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                             const char *net, const char *via, struct bs_error *err)
{
	struct change *c = record(ch, ROUTE_ADDED, v);

	if (c == NULL)
		return no_memory(err);
	if (bs_lab_vantage_route_add(v, net, via, err) < 0) {
		ch->n--;
		return -1;
	}
	snprintf(c->net, sizeof(c->net), "%s", net);
	snprintf(c->via, sizeof(c->via), "%s", via);
	return 0;
}

/* The gateway of the topology's route to net on peer v, so a reset can put it back. */
static const char *topology_via(const struct bs_lab *lab, const struct bs_lab_vantage *v,
                                const char *net)
{
	const struct bs_topology *t = bs_lab_topology(lab);

	for (size_t i = 0; i < t->npeers; i++) {
		if (strcmp(t->peers[i].name, v->name) != 0)
			continue;
		for (size_t r = 0; r < t->peers[i].nroutes; r++)
			if (strcmp(t->peers[i].routes[r].net, net) == 0)
				return t->peers[i].routes[r].via;
	}
	return NULL;
}

/* The change that added the route to net on v, or -1. */
static long added_by_us(const struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                        const char *net)
{
	for (size_t i = ch->n; i-- > 0;)
		if (ch->items[i].kind == ROUTE_ADDED && ch->items[i].v == v &&
		    strcmp(ch->items[i].net, net) == 0)
			return (long)i;
	return -1;
}

int bs_lab_changes_route_del(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                             const char *net, struct bs_error *err)
{
	const char *via = topology_via(ch->lab, v, net);
	long ours = added_by_us(ch, v, net);
	struct change *c;

	/* Only what a reset can put back: a route added here, or one the topology lists. */
	if (ours < 0 && via == NULL)
		return bs_error_set(err, EPERM,
		                    "%s: the route to %s was neither added here nor listed in the "
		                    "lab's topology, so a reset could not put it back: it is kept",
		                    v->name, net);
	if (bs_lab_vantage_route_del(v, net, err) < 0)
		return -1;
	if (ours >= 0) { /* added and deleted: nothing left to undo */
		memmove(&ch->items[ours], &ch->items[ours + 1],
		        (ch->n - (size_t)ours - 1) * sizeof(ch->items[0]));
		ch->n--;
		return 0;
	}
	if ((c = record(ch, ROUTE_DELETED, v)) == NULL) {
		/* deleted, and not written down: put it back rather than lose it */
		bs_lab_vantage_route_add(v, net, via, NULL);
		return no_memory(err);
	}
	snprintf(c->net, sizeof(c->net), "%s", net);
	snprintf(c->via, sizeof(c->via), "%s", via);
	return 0;
}

static void sysctl_path(const char *name, char *path, size_t len)
{
	snprintf(path, len, "/proc/sys/%s", name);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
}

static int sysctl_read(const char *name, char *out, size_t len, struct bs_error *err)
{
	char path[512];
	int fd;
	ssize_t n;

	sysctl_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_error_set(err, errno, "cannot read %s (%s): %s", name, path,
		                    errno == ENOENT ? "no such setting" : strerror(errno));
	n = read(fd, out, len);
	close(fd);
	if (n < 0)
		return bs_error_set(err, errno, "cannot read %s: %s", name, strerror(errno));
	if ((size_t)n == len) /* its value would be cut, and a reset could not restore it */
		return bs_error_set(err, EOVERFLOW,
		                    "%s holds more than %zu bytes, too long to restore: not set",
		                    name, len - 1);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int sysctl_write(const char *name, const char *value, struct bs_error *err)
{
	char path[512];
	int fd;
	ssize_t n;

	sysctl_path(name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_error_set(err, errno, "cannot set %s: %s", name, strerror(errno));
	n = write(fd, value, strlen(value));
	if (n < 0) {
		int saved = errno;
		close(fd);
		return bs_error_set(err, saved, "cannot set %s to %s: %s", name, value,
		                    strerror(saved));
	}
	close(fd);
	return 0;
}

int bs_lab_changes_sysctl(struct bs_lab_changes *ch, const char *name, const char *value,
                          struct bs_error *err)
{
	char old[SETTING_MAX];
	struct change *c;

	if (strncmp(name, "net.", 4) != 0 || strstr(name, "..") != NULL || strchr(name, '/'))
		return bs_error_set(
		    err, EINVAL, "%.64s is not a network setting of the lab: only net.* can be set",
		    name);
	if (strlen(name) >= SETTING_MAX)
		return bs_error_set(err, ENAMETOOLONG, "the setting's name %.64s... is too long",
		                    name);
	if (sysctl_read(name, old, sizeof(old), err) < 0)
		return -1;
	if ((c = record(ch, SYSCTL_SET, NULL)) == NULL)
		return no_memory(err);
	if (sysctl_write(name, value, err) < 0) {
		ch->n--;
		return -1;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->old, sizeof(c->old), "%s", old);
	return 0;
}

int bs_lab_changes_firewall(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                            const char *command, struct bs_error *err)
{
	struct bs_netns_visit visit;
	int rc;

	if (record(ch, FIREWALL_RUN, v) == NULL)
		return no_memory(err);
	if (v != NULL && bs_netns_enter(v->netns_fd, v->name, &visit, err) < 0) {
		ch->n--;
		return -1;
	}
	rc = bs_fw_apply(command, err);
	if (v != NULL)
		bs_netns_leave(&visit);
	if (rc < 0)
		ch->n--; /* nft refused it whole: nothing changed */
	return rc;
}

/* The host's ruleset as the topology made it: flushed, then its own lines again. */
static int firewall_restore(const struct bs_lab *lab, const struct bs_lab_vantage *v,
                            struct bs_error *err)
{
	struct bs_netns_visit visit;
	int rc;

	if (v != NULL && bs_netns_enter(v->netns_fd, v->name, &visit, err) < 0)
		return -1;
	rc = bs_fw_apply("flush ruleset", err);
	if (rc == 0)
		rc = bs_lab_apply_firewall(lab, v != NULL ? v->name : "", err);
	if (v != NULL)
		bs_netns_leave(&visit);
	return rc;
}

/* Has an earlier change (index < i) run a command in the same firewall? Then it is restored
 * once, at that change. */
static bool firewall_restored_later(const struct bs_lab_changes *ch, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (ch->items[k].kind == FIREWALL_RUN && ch->items[k].v == ch->items[i].v)
			return true;
	return false;
}

/* Undo change i, saying so in said; true when it is undone (or was, with an earlier one). */
static bool undo_one(struct bs_lab_changes *ch, size_t i, char *said, size_t len)
{
	const struct change *c = &ch->items[i];
	const char *who = c->v != NULL ? c->v->name : "the workstation";
	struct bs_error err;

	said[0] = '\0';
	switch (c->kind) {
	case ROUTE_ADDED:
		if (bs_lab_vantage_route_del(c->v, c->net, &err) < 0) {
			snprintf(said, len, "%s: the route to %s stays: %s", who, c->net, err.msg);
			return false;
		}
		snprintf(said, len, "%s: route %s via %s removed", who, c->net, c->via);
		return true;
	case ROUTE_DELETED:
		if (bs_lab_vantage_route_add(c->v, c->net, c->via, &err) < 0) {
			snprintf(said, len, "%s: the route to %s could not be put back: %s", who,
			         c->net, err.msg);
			return false;
		}
		snprintf(said, len, "%s: route %s via %s put back", who, c->net, c->via);
		return true;
	case SYSCTL_SET:
		if (sysctl_write(c->name, c->old, &err) < 0) {
			snprintf(said, len, "%s stays changed: %s", c->name, err.msg);
			return false;
		}
		snprintf(said, len, "%s is %s again", c->name, c->old);
		return true;
	case FIREWALL_RUN:
		if (firewall_restored_later(ch, i))
			return true; /* restored once, with the first change to that firewall */
		if (firewall_restore(ch->lab, c->v, &err) < 0) {
			snprintf(said, len, "%s's firewall could not be restored: %s", who,
			         err.msg);
			return false;
		}
		snprintf(said, len, "%s's firewall is as the lab's topology made it", who);
		return true;
	}
	return false;
}

size_t bs_lab_changes_undo(struct bs_lab_changes *ch, void (*say)(void *arg, const char *sentence),
                           void *arg)
{
	char said[2 * BS_ERROR_MSG_MAX + 256];
	size_t undone = 0;

	for (size_t i = ch->n; i-- > 0;) {
		undone += undo_one(ch, i, said, sizeof(said));
		if (said[0] != '\0' && say != NULL)
			say(arg, said);
	}
	ch->n = 0;
	return undone;
}
