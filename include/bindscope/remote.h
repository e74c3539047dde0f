/*
 * Another machine as a vantage point: `ssh -T -o BatchMode=yes HOST bindscope agent` run as
 * a child process and spoken to through pipes on the loop, in the agent protocol (agent.h).
 * The user's own ssh: their config, keys and known_hosts; never a password prompt (BatchMode).
 * The ssh command is "ssh" unless the caller names another ("ssh -F lab.conf"), split on
 * blanks with '...' and "..." quoting, no shell.
 *
 * Nothing blocks: every request has a deadline, and a host that fails (ssh cannot connect,
 * no bindscope there, another protocol version, the connection dropped, too slow) is
 * BS_REMOTE_FAILED with one sentence that says what happened and what to try.
 */
#ifndef BINDSCOPE_REMOTE_H
#define BINDSCOPE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "bindscope/endpoint.h"
#include "bindscope/error.h"
#include "bindscope/loop.h"
#include "bindscope/probe.h"
#include "bindscope/route.h"

#define BS_REMOTE_HOST_MAX 256

enum bs_remote_state {
	BS_REMOTE_STARTING, /* ssh started; the agent has not said hello yet */
	BS_REMOTE_READY,    /* hello answered in this protocol, routes read */
	BS_REMOTE_FAILED,   /* bs_remote_failure says why */
};

/* What went wrong, for a cell's short word; the sentence says the rest. */
enum bs_remote_fault {
	BS_REMOTE_OK,
	BS_REMOTE_NO_SSH,    /* ssh could not connect or log in */
	BS_REMOTE_NO_AGENT,  /* no bindscope on the other side (its shell: command not found) */
	BS_REMOTE_VERSION,   /* the other side speaks another protocol version */
	BS_REMOTE_DROPPED,   /* the connection ended while a request was waiting */
	BS_REMOTE_SLOW,      /* no answer by the deadline */
	BS_REMOTE_BAD_REPLY, /* an answer that is not the protocol */
	BS_REMOTE_LOCAL,     /* ssh could not be started here */
};

struct bs_remote;

/* Check a host as typed ([USER@]HOST): not empty, no blanks or control characters, not
 * starting with '-' (ssh would read it as an option). 0, or -1 with err set. */
int bs_remote_host_check(const char *host, struct bs_error *err);

/* Split an ssh command ("ssh -F 'my lab.conf'") into words. Returns the count (at most max),
 * or -1 with err set (an unclosed quote, nothing in it, too many words). Words point into
 * buf, which receives a copy of the command. */
int bs_remote_split_command(const char *command, char *buf, size_t len, char **words, size_t max,
                            struct bs_error *err);

/* Start ssh to host on the loop and say hello; then ask the agent's routes to each of
 * targets (this machine's addresses, port 0). done is called once, from the loop, when the
 * remote is READY or FAILED. Returns the remote, or NULL with err set (bad host or command;
 * a remote that starts and then fails is returned and fails through done). */
struct bs_remote *bs_remote_start(struct bs_loop *loop, const char *host, const char *ssh_command,
                                  const struct bs_endpoint *targets, size_t ntargets,
                                  unsigned timeout_ms, void (*done)(void *arg), void *arg,
                                  struct bs_error *err);

enum bs_remote_state bs_remote_state(const struct bs_remote *r);
enum bs_remote_fault bs_remote_fault(const struct bs_remote *r);
/* A cell's word for a fault: "ssh failed", "no agent", "version", "dropped", "too slow",
 * "bad reply", "not run"; "" for BS_REMOTE_OK. And its JSON id: "no-ssh", "no-agent",
 * "version", "dropped", "slow", "bad-reply", "local"; NULL for BS_REMOTE_OK. */
const char *bs_remote_fault_word(enum bs_remote_fault fault);
const char *bs_remote_fault_id(enum bs_remote_fault fault);
/* The sentence, safe for a terminal; "" unless FAILED. */
const char *bs_remote_failure(const struct bs_remote *r);
/* The host as typed, and the ssh command as given ("ssh" by default). */
const char *bs_remote_host(const struct bs_remote *r);
const char *bs_remote_ssh_command(const struct bs_remote *r);
/* From the agent's SSH_CONNECTION: this machine's address as the other one saw it (here)
 * and the other machine's own address (there). False when the agent did not say. */
bool bs_remote_addresses(const struct bs_remote *r, struct bs_endpoint *here,
                         struct bs_endpoint *there);
/* The agent's route to targets[i] of bs_remote_start. 0, or -1 when it is not known. */
int bs_remote_route(const struct bs_remote *r, const struct bs_endpoint *dst, struct bs_route *out);

/* Probe targets from the other machine: results[i] (each with its source port) and *token
 * (what its UDP datagrams carry) are filled when done is called (from
 * the loop, once). When the remote fails, every result is BS_VERDICT_ERROR (its error
 * ECONNABORTED) and bs_remote_failure says why. 0, or -1 with err set. */
int bs_remote_probe(struct bs_remote *r, enum bs_proto proto, unsigned timeout_ms,
                    const struct bs_endpoint *targets, size_t n, struct bs_probe_result *results,
                    uint32_t *token, void (*done)(void *arg), void *arg, struct bs_error *err);

/* Forget the probe whose results are these (its caller is gone): its answer, when it
 * comes, is dropped and done is not called. */
void bs_remote_probe_cancel(struct bs_remote *r, const struct bs_probe_result *results);

/* Stop the agent (end its input, then SIGTERM) and free. NULL is ignored. */
void bs_remote_free(struct bs_remote *r);

#endif
