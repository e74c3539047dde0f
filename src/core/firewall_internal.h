/* The ruleset's insides, shared by firewall*.c only (others use include/bindscope/firewall.h). */
#ifndef BINDSCOPE_FIREWALL_INTERNAL_H
#define BINDSCOPE_FIREWALL_INTERNAL_H

#include <jansson.h>
#include <string.h>

#include "bindscope/firewall.h"

/* obj[key] when it is a string, else NULL (JSON from outside may hold anything). */
static inline const char *fw_string_of(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Whether a is the string b; a may be NULL. */
static inline bool fw_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

enum fw_family { FW_IP, FW_IP6, FW_INET, FW_NETDEV, FW_OTHER_FAMILY };
enum fw_hook { FW_HOOK_NONE, FW_PREROUTING, FW_INPUT, FW_OUTPUT, FW_INGRESS, FW_OTHER_HOOK };

struct fw_chain {
	enum fw_family family;
	const char *family_name, *table, *name; /* point into the JSON, kept alive by root */
	enum fw_hook hook;                      /* FW_HOOK_NONE: a regular chain */
	bool nat;                               /* type nat */
	long long prio;
	bool policy_drop;
	const json_t *dev; /* ingress: the device (or list of them) it is attached to */
	size_t *rules;     /* indexes into the ruleset's rules, in order */
	size_t nrules;
};

/* A rule's leading "tcp|udp|th dport == N" match, read once at parse time: a packet to
 * another port (or of another protocol) cannot match the rule, so the evaluator skips it
 * without walking its JSON. Exact, because the leading matches come before any statement. */
struct fw_guard {
	bool on;
	enum { FW_GUARD_TCP, FW_GUARD_UDP, FW_GUARD_ANY } proto;
	uint16_t port;
};

struct fw_rule {
	size_t chain;
	long long handle;
	json_t *expr; /* the rule's expression array */
	struct fw_guard guard;
};

/* Does a packet of proto to port pass r's guard (or has r none)? */
bool fw_guard_passes(const struct fw_rule *r, enum bs_proto proto, uint16_t port);

struct fw_set {
	enum fw_family family;
	const char *table, *name;
	json_t *elem; /* array, or NULL when empty */
};

struct bs_fw_ruleset {
	json_t *root;
	struct fw_chain *chains;
	size_t nchains;
	struct fw_rule *rules;
	size_t nrules;
	struct fw_set *sets;
	size_t nsets;
	size_t *index; /* every chain's rules lists, in one block */
};

/* The chain named name in chain c's table, or -1. */
long fw_find_chain(const struct bs_fw_ruleset *fw, size_t c, const char *name);
/* The set named name in chain c's table, or NULL. */
const struct fw_set *fw_find_set(const struct bs_fw_ruleset *fw, size_t c, const char *name);

/* One expression or statement of a rule as nft prints it, appended to buf. */
void fw_expr_text(const json_t *e, char *buf, size_t len);

/* How many nftables tables this network namespace has (firewall_tables.c), or -1 when the
 * kernel would not say (no permission, no nf_tables): then libnftables is asked, and says. */
long fw_count_tables(void);

#endif
