/* Reading `nft -j list ruleset` into tables, chains, rules and sets (jansson). */
#include <stdlib.h>
#include <string.h>

#include "firewall_internal.h"

static enum fw_family family_of(const char *name)
{
	static const struct {
		const char *name;
		enum fw_family family;
	} names[] = {{"ip", FW_IP}, {"ip6", FW_IP6}, {"inet", FW_INET}, {"netdev", FW_NETDEV}};

	for (size_t i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].family;
	return FW_OTHER_FAMILY;
}

static enum fw_hook hook_of(const char *name)
{
	static const struct {
		const char *name;
		enum fw_hook hook;
	} names[] = {{"prerouting", FW_PREROUTING},
	             {"input", FW_INPUT},
	             {"output", FW_OUTPUT},
	             {"ingress", FW_INGRESS}};

	if (name == NULL)
		return FW_HOOK_NONE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].hook;
	return FW_OTHER_HOOK;
}

static bool same_table(const struct fw_chain *c, enum fw_family family, const char *table)
{
	return c->family == family && table != NULL && strcmp(c->table, table) == 0;
}

long fw_find_chain(const struct bs_fw_ruleset *fw, size_t c, const char *name)
{
	const struct fw_chain *from = &fw->chains[c];

	for (size_t i = 0; name != NULL && i < fw->nchains; i++)
		if (same_table(&fw->chains[i], from->family, from->table) &&
		    strcmp(fw->chains[i].name, name) == 0)
			return (long)i;
	return -1;
}

const struct fw_set *fw_find_set(const struct bs_fw_ruleset *fw, size_t c, const char *name)
{
	const struct fw_chain *from = &fw->chains[c];

	for (size_t i = 0; name != NULL && i < fw->nsets; i++)
		if (fw->sets[i].family == from->family &&
		    strcmp(fw->sets[i].table, from->table) == 0 &&
		    strcmp(fw->sets[i].name, name) == 0)
			return &fw->sets[i];
	return NULL;
}

static void take_chain(struct bs_fw_ruleset *fw, const json_t *c)
{
	struct fw_chain *ch = &fw->chains[fw->nchains];
	const char *family = fw_string_of(c, "family"), *table = fw_string_of(c, "table"),
	           *name = fw_string_of(c, "name"), *type = fw_string_of(c, "type");
	const json_t *prio = json_object_get(c, "prio");

	if (family == NULL || table == NULL || name == NULL)
		return;
	memset(ch, 0, sizeof(*ch));
	ch->family = family_of(family);
	ch->family_name = family;
	ch->table = table;
	ch->name = name;
	ch->hook = hook_of(fw_string_of(c, "hook"));
	ch->nat = fw_is(type, "nat");
	ch->prio = json_is_integer(prio) ? json_integer_value(prio) : 0;
	ch->policy_drop =
	    fw_string_of(c, "policy") != NULL && strcmp(fw_string_of(c, "policy"), "drop") == 0;
	ch->dev = json_object_get(c, "dev");
	fw->nchains++;
}

static long chain_named(const struct bs_fw_ruleset *fw, const json_t *r)
{
	enum fw_family family = family_of(fw_string_of(r, "family"));
	const char *table = fw_string_of(r, "table"), *name = fw_string_of(r, "chain");

	for (size_t i = 0; name != NULL && i < fw->nchains; i++)
		if (same_table(&fw->chains[i], family, table) &&
		    strcmp(fw->chains[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
 *  "right": 8082}}: its guard, or false. */
static bool dport_guard(const json_t *e, struct fw_guard *g)
{
	const json_t *m = json_object_get(e, "match");
	const json_t *pl = json_object_get(json_object_get(m, "left"), "payload");
	const json_t *right = json_object_get(m, "right");
	const char *proto = fw_string_of(pl, "protocol"), *field = fw_string_of(pl, "field");
	json_int_t port;

	if (pl == NULL || !json_is_integer(right) || !fw_is(fw_string_of(m, "op"), "==") ||
	    !fw_is(field, "dport"))
		return false;
	port = json_integer_value(right);
	if (port < 0 || port > 65535)
		return false;
	if (fw_is(proto, "tcp"))
		g->proto = FW_GUARD_TCP;
	else if (fw_is(proto, "udp"))
		g->proto = FW_GUARD_UDP;
	else if (fw_is(proto, "th"))
		g->proto = FW_GUARD_ANY;
	else
		return false;
	g->port = (uint16_t)port;
	g->on = true;
	return true;
}

/* The guard of a rule: from its leading matches only (each a one-key "match" object). */
static struct fw_guard rule_guard(const json_t *expr)
{
	struct fw_guard g = {0};
	const json_t *e;
	size_t i;

	json_array_foreach(expr, i, e)
	{
		if (!json_is_object(e) || json_object_size(e) != 1 ||
		    json_object_get(e, "match") == NULL)
			break;
		if (dport_guard(e, &g))
			break;
	}
	return g;
}

bool fw_guard_passes(const struct fw_rule *r, enum bs_proto proto, uint16_t port)
{
	if (!r->guard.on)
		return true;
	if ((r->guard.proto == FW_GUARD_TCP && proto != BS_PROTO_TCP) ||
	    (r->guard.proto == FW_GUARD_UDP && proto != BS_PROTO_UDP))
		return false;
	return r->guard.port == port;
}

static void take_rule(struct bs_fw_ruleset *fw, json_t *r)
{
	long c = chain_named(fw, r);
	json_t *expr = json_object_get(r, "expr");
	const json_t *handle = json_object_get(r, "handle");

	if (c < 0 || !json_is_array(expr))
		return;
	fw->rules[fw->nrules].chain = (size_t)c;
	fw->rules[fw->nrules].expr = expr;
	fw->rules[fw->nrules].handle = json_is_integer(handle) ? json_integer_value(handle) : -1;
	fw->rules[fw->nrules].guard = rule_guard(expr);
	fw->chains[c].nrules++;
	fw->nrules++;
}

static void take_set(struct bs_fw_ruleset *fw, json_t *s)
{
	const char *table = fw_string_of(s, "table"), *name = fw_string_of(s, "name");
	json_t *elem = json_object_get(s, "elem");

	if (table == NULL || name == NULL)
		return;
	fw->sets[fw->nsets].family = family_of(fw_string_of(s, "family"));
	fw->sets[fw->nsets].table = table;
	fw->sets[fw->nsets].name = name;
	fw->sets[fw->nsets].elem = json_is_array(elem) ? elem : NULL;
	fw->nsets++;
}

/* Each chain's rules as index lists, in the order the listing gives them. */
static int index_rules(struct bs_fw_ruleset *fw)
{
	size_t *all = calloc(fw->nrules ? fw->nrules : 1, sizeof(*all)), at = 0;

	if (all == NULL)
		return -1;
	fw->index = all;
	for (size_t c = 0; c < fw->nchains; c++) {
		fw->chains[c].rules = all + at;
		at += fw->chains[c].nrules;
		fw->chains[c].nrules = 0;
	}
	for (size_t r = 0; r < fw->nrules; r++) {
		struct fw_chain *ch = &fw->chains[fw->rules[r].chain];
		ch->rules[ch->nrules++] = r;
	}
	return 0;
}

static int take_all(struct bs_fw_ruleset *fw, json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t *item;

	fw->chains = calloc(n ? n : 1, sizeof(*fw->chains));
	fw->rules = calloc(n ? n : 1, sizeof(*fw->rules));
	fw->sets = calloc(n ? n : 1, sizeof(*fw->sets));
	if (fw->chains == NULL || fw->rules == NULL || fw->sets == NULL)
		return -1;
	json_array_foreach(list, i, item)
	{
		json_t *c = json_object_get(item, "chain");
		json_t *s = json_object_get(item, "set");
		if (json_is_object(c))
			take_chain(fw, c);
		else if (json_is_object(s))
			take_set(fw, s);
	}
	json_array_foreach(list, i, item)
	{
		json_t *r = json_object_get(item, "rule");
		if (json_is_object(r))
			take_rule(fw, r);
	}
	return index_rules(fw);
}

struct bs_fw_ruleset *bs_fw_parse(const char *json, size_t len, struct bs_error *err)
{
	json_error_t jerr;
	struct bs_fw_ruleset *fw = calloc(1, sizeof(*fw));
	json_t *list;

	if (fw == NULL) {
		bs_error_set(err, 0, "out of memory reading the firewall ruleset");
		return NULL;
	}
	fw->root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (fw->root == NULL) {
		bs_error_set(err, 0, "the firewall ruleset is not JSON (line %d: %s)", jerr.line,
		             jerr.text);
		bs_fw_free(fw);
		return NULL;
	}
	list = json_object_get(fw->root, "nftables");
	if (!json_is_array(list)) {
		bs_error_set(err, 0, "the firewall ruleset has no \"nftables\" list");
		bs_fw_free(fw);
		return NULL;
	}
	if (take_all(fw, list) < 0) {
		bs_error_set(err, 0, "out of memory reading the firewall ruleset");
		bs_fw_free(fw);
		return NULL;
	}
	return fw;
}

void bs_fw_free(struct bs_fw_ruleset *fw)
{
	if (fw == NULL)
		return;
	free(fw->index);
	free(fw->chains);
	free(fw->rules);
	free(fw->sets);
	json_decref(fw->root);
	free(fw);
}

size_t bs_fw_rule_count(const struct bs_fw_ruleset *fw)
{
	return fw == NULL ? 0 : fw->nrules;
}

size_t bs_fw_base_chain_count(const struct bs_fw_ruleset *fw)
{
	size_t n = 0;

	for (size_t c = 0; fw != NULL && c < fw->nchains; c++)
		n += fw->chains[c].hook != FW_HOOK_NONE && fw->chains[c].hook != FW_OTHER_HOOK;
	return n;
}
