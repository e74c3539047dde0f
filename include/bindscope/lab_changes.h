/*
 * Changes made to a running lab (by a tour, from the TUI), each written down so that a reset
 * puts the lab back as its topology built it: routes added to or deleted from a peer's table,
 * net.* settings of the workstation, nftables commands run in the workstation or a peer.
 *
 * Only for the lab's process: every change is made in the lab's own namespaces (the settings
 * in the caller's, which must be the lab's workstation), never on the host.
 */
#ifndef BINDSCOPE_LAB_CHANGES_H
#define BINDSCOPE_LAB_CHANGES_H

#include <stddef.h>

#include "bindscope/error.h"
#include "bindscope/lab.h"

struct bs_lab_changes;

/* lab is the running lab (its topology: what a reset restores); it outlives the changes. */
struct bs_lab_changes *bs_lab_changes_new(const struct bs_lab *lab, struct bs_error *err);
void bs_lab_changes_free(struct bs_lab_changes *ch);

/* A route in peer v's table (v outlives the changes). 0, or -1 with err (nothing changed).
 * Deleting is refused for a route neither added here nor listed in the topology: a reset
 * could not put it back. */
int bs_lab_changes_route_add(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                             const char *net, const char *via, struct bs_error *err);
int bs_lab_changes_route_del(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                             const char *net, struct bs_error *err);

/* net.* setting NAME (net.ipv4.ip_nonlocal_bind) of the workstation to value. */
int bs_lab_changes_sysctl(struct bs_lab_changes *ch, const char *name, const char *value,
                          struct bs_error *err);

/* An nft command in the workstation (v NULL) or in peer v. */
int bs_lab_changes_firewall(struct bs_lab_changes *ch, const struct bs_lab_vantage *v,
                            const char *command, struct bs_error *err);

size_t bs_lab_changes_count(const struct bs_lab_changes *ch);

/* Undo every change, the last first; say(arg, sentence) tells each one (and any that could
 * not be undone, and why). Returns how many were undone; afterwards nothing is left to undo. */
size_t bs_lab_changes_undo(struct bs_lab_changes *ch, void (*say)(void *arg, const char *sentence),
                           void *arg);

#endif
