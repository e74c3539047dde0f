/*
 * Just enough rtnetlink (through libmnl) to build a lab network: links up, veth pairs with
 * the far end in another namespace, addresses and routes. Each call opens, asks, reads the
 * kernel's acknowledgement and closes; errors come back as a sentence. No shelling out to ip.
 */
#ifndef BINDSCOPE_RTNL_H
#define BINDSCOPE_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bindscope/error.h"

/*
 * True when every netlink message in buf has a length that fits: checked before libmnl walks
 * them, since mnl_nlmsg_ok() compares lengths as int and a length above 2 GiB passes (found
 * by fuzzing).
 */
bool bs_netlink_lengths_sane(const void *buf, size_t len);

/* Read the kernel's answer to request seq: 0 for an acknowledgement, -1 with err (the kernel's
 * errno and what was being done) for an error or a malformed reply. */
int bs_rtnl_parse_ack(const void *buf, size_t len, unsigned seq, unsigned portid, const char *what,
                      struct bs_error *err);

/* Bring an interface up, by name, in the caller's network namespace. */
int bs_rtnl_link_up(const char *name, struct bs_error *err);

/* Create a veth pair: name here, peer_name inside the network namespace of peer_pid. */
int bs_rtnl_veth(const char *name, const char *peer_name, pid_t peer_pid, struct bs_error *err);

/* Add ADDR/PREFIX (IPv4 with its broadcast, or IPv6) to an interface. text: "192.168.0.110/24". */
int bs_rtnl_addr_add(const char *ifname, const char *text, struct bs_error *err);

/* Add a route to NET/PREFIX via a gateway ("192.168.1.0/24", "192.168.0.110"). */
int bs_rtnl_route_add(const char *net, const char *gateway, struct bs_error *err);

/* Is the link operationally up (RFC 2863 "up")? The kernel says so once it has finished
 * bringing the link up (its queue attached), a moment after the carrier: packets sent in
 * between are dropped. False when it cannot be read. */
bool bs_rtnl_link_oper_up(const char *name);

/* Delete the main table's route to NET/PREFIX ("192.168.1.0/24"). */
int bs_rtnl_route_del(const char *net, struct bs_error *err);

#endif
