/* The matrix's insides, shared by matrix*.c only (faces use include/bindscope/matrix.h). */
#ifndef BINDSCOPE_MATRIX_INTERNAL_H
#define BINDSCOPE_MATRIX_INTERNAL_H

#include "bindscope/matrix.h"

struct matrix_own {
	uint64_t inode;
	bool reuseaddr, reuseport;
};

struct matrix_stale {
	bool udp;
	struct bs_endpoint source; /* TCP: the probe's own address and port */
	uint32_t token;            /* UDP: its round's token */
	uint64_t since_us;
};

/* What one of our listeners saw of another machine's probe before its answer came. */
struct matrix_early {
	bool udp;
	struct bs_endpoint peer, local;
	long row;
};

/* One probe round from one vantage: its probe and which matrix probe each target is. */
struct matrix_round {
	struct bs_matrix *m;
	size_t vantage;
	struct bs_probe *probe;          /* this host or a lab peer */
	struct bs_probe_result *results; /* another machine: its agent's answers */
	struct bs_endpoint *targets;     /* another machine: what it was asked */
	uint32_t token;                  /* another machine: its UDP datagrams' token */
	struct matrix_early *early;      /* another machine: accepts seen while it probed */
	size_t nearly, early_cap;
	size_t *index; /* probe target k is m->probes[index[k]] */
	size_t count;
	bool running;
};

struct bs_matrix {
	struct bs_matrix_port *ports;
	size_t nports, ports_cap;
	bool only_v4, only_v6, show_ipv6;
	struct bs_vantage host;
	struct bs_vantage *peers;
	size_t npeers, peers_cap;
	struct matrix_own *own;
	size_t nown, own_cap;
	struct bs_matrix_env env;
	const struct bs_iface_list *ifaces; /* as given to the last build: the caller keeps it */

	struct bs_socket *socks;
	size_t nsocks, socks_cap;
	struct bs_matrix_row *rows;
	size_t nrows, rows_cap;
	struct bs_matrix_col *cols;
	size_t ncols, cols_cap;
	struct bs_matrix_probe *probes; /* nports × ncols, port-major */
	size_t nprobes, probes_cap;

	struct matrix_round *rounds; /* one per vantage while probing */
	size_t nrounds;
	void (*done)(void *arg);
	void *done_arg;
	long long drops_before, drops_after; /* env.listen_drops around the round, or -1 */
	uint64_t done_us; /* when the last round ended (bs_now_us), 0 while none has */

	/* Connections and UDP tokens of rounds that were replaced before our listeners saw
	 * them: still ours, never a visitor (kept 10 s, like a round's own claims). */
	struct matrix_stale *stale;
	size_t nstale, stale_cap;
};

int matrix_reserve(void **items, size_t *cap, size_t want, size_t each);
const struct matrix_own *matrix_own_find(const struct bs_matrix *m, uint64_t inode);
bool matrix_family_shown(const struct bs_matrix *m, int family);

/* matrix_targets.c */
int matrix_make_columns(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                        struct bs_error *err);
int matrix_make_probes(struct bs_matrix *m, const struct bs_iface_list *ifaces,
                       struct bs_error *err);

/* matrix_probe.c: probes from p's vantage, this round, due an ICMP error (a UDP refusal or a
 * firewall's ICMP reject). */
size_t matrix_icmp_due(const struct bs_matrix *m, const struct bs_matrix_probe *p);

/* matrix_firewall.c */
enum matrix_fw_effect {
	MATRIX_FW_PASS,    /* accepted, or the ruleset was not read (nothing predicted of it) */
	MATRIX_FW_BLOCK,   /* dropped or rejected before any socket is asked */
	MATRIX_FW_UNKNOWN, /* depends on a rule bindscope cannot evaluate, or a nat rule */
};
void matrix_firewall_judge(struct bs_matrix *m, struct bs_matrix_probe *pr,
                           const struct bs_iface_list *ifaces);
enum matrix_fw_effect matrix_firewall_effect(const struct bs_matrix_probe *p);
/* A firewall reject sends ICMP for p (rate limited like the kernel's own). */
bool matrix_firewall_icmp_due(const struct bs_matrix_probe *p);
/* A blocked probe's observation is what its rule sends back (silence, reset, that ICMP). */
bool matrix_firewall_explains(const struct bs_matrix *m, const struct bs_matrix_probe *p);
/* "The firewall stops it before any socket is asked: dropped by ..." ("" for nothing to say). */
void matrix_firewall_words(const struct bs_matrix *m, const struct bs_matrix_probe *p, char *buf,
                           size_t len);
/* A host cell over lo: what the firewall would do arriving on the address's interface. */
void matrix_firewall_outside_words(const struct bs_matrix *m, const struct bs_matrix_probe *p,
                                   char *buf, size_t len);

#endif
