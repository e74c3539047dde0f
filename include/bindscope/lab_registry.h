/*
 * Running labs, written down so that another terminal can join one (`bindscope lab exec`).
 *
 * Each lab writes one file, lab-PID (PID: the lab's process as the host sees it), in the
 * user's runtime directory: $XDG_RUNTIME_DIR/bindscope, else /run/bindscope for root, else
 * /tmp/bindscope-UID (made 0700, refused when someone else owns it). The file says the lab's
 * start time (so a reused pid is not taken for it), its topology and its peers. It goes when
 * the lab ends; a file left by a lab that was killed is recognised as stale and removed.
 */
#ifndef BINDSCOPE_LAB_REGISTRY_H
#define BINDSCOPE_LAB_REGISTRY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bindscope/error.h"
#include "bindscope/lab.h"

#define BS_LAB_ENV_MAX 1024

struct bs_lab_entry {
	pid_t pid;                     /* the lab's process, as this host sees it */
	unsigned long long start;      /* its start time (clock ticks since boot) */
	char topology[PATH_MAX];       /* "" for the default lab */
	char peers[BS_LAB_ENV_MAX];    /* BINDSCOPE_LAB_PEERS inside: "eth0-peer=PID ..." */
	char vantages[BS_LAB_ENV_MAX]; /* BINDSCOPE_LAB_VANTAGES inside */
	char path[PATH_MAX];           /* its file */
};

/* In the keeper, before bs_lab_isolate: find (or make) the directory as the user it runs as.
 * -1 with err when there is none: the lab then runs unadvertised. */
int bs_lab_registry_prepare(struct bs_error *err);

/* The directory labs are written down in, for this user (made when missing). */
int bs_lab_registry_where(char *out, size_t len, struct bs_error *err);

/* In the lab's process, once built and exported (bs_lab_export): write its file. */
int bs_lab_advertise(const char *topology, struct bs_error *err);
/* Remove it (the lab is ending). */
void bs_lab_unadvertise(void);

/* The labs running now, at most max of them (the count may be larger); stale files are
 * removed. -1 with err when the directory cannot be read. */
long bs_lab_running(struct bs_lab_entry *out, size_t max, struct bs_error *err);

/*
 * Step this process into lab e: its user namespace (where it has one), its mounts (its
 * /proc), its pid namespace (for the children forked afterwards), and the network namespace
 * of peer (NULL or "": the lab's workstation). Sets BINDSCOPE_LAB, BINDSCOPE_LAB_PEERS and
 * BINDSCOPE_LAB_VANTAGES as the lab's own programs see them. Single-threaded callers only.
 * 0, or -1 with err (an unknown peer lists the lab's).
 */
int bs_lab_join(const struct bs_lab_entry *e, const char *peer, struct bs_error *err);

/* True inside a lab (a program the lab runs, or one lab exec started): then lab exec steps
 * into a peer from here, without the registry. */
bool bs_lab_inside(void);

/* Inside a lab: step into peer's network namespace (NULL or "": stay, this is the lab's
 * workstation). 0, or -1 with err (an unknown peer lists the lab's). */
int bs_lab_join_here(const char *peer, struct bs_error *err);

#endif
