/* The firewall's words: where a verdict came from, the rule as nft prints it, and ids. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bindscope/textbuf.h"
#include "firewall_internal.h"

const char *bs_fw_status_text(enum bs_fw_status status)
{
	switch (status) {
	case BS_FW_READ:
		return "";
	case BS_FW_NEEDS_ROOT:
		return "firewall not read (needs root: run as root, or sudo bindscope ...)";
	case BS_FW_LEGACY:
		return "firewall not read: this machine filters with legacy iptables (ip_tables), "
		       "which "
		       "bindscope cannot read; see it with sudo iptables-legacy -L -n -v";
	case BS_FW_UNAVAILABLE:
		return "firewall not read (nftables is not available here)";
	}
	return "";
}

void bs_fw_summary(const struct bs_fw_ruleset *fw, const char *why, char *buf, size_t len)
{
	size_t n = fw != NULL ? bs_fw_rule_count(fw) : 0;

	if (fw == NULL && why[0] != '\0')
		snprintf(buf, len, "F%s", why + 1); /* "firewall not read (...)" */
	else if (fw == NULL || (n == 0 && bs_fw_base_chain_count(fw) == 0))
		snprintf(buf, len, "Firewall: no nftables rules here, so nothing is filtered");
	else if (bs_fw_base_chain_count(fw) == 0)
		snprintf(buf, len,
		         "Firewall: %zu nftables rule%s, none on the way in (ingress, prerouting, "
		         "input, output), so nothing arriving is filtered",
		         n, n == 1 ? "" : "s");
	else
		snprintf(buf, len,
		         "Firewall: %zu nftables rule%s read, in %zu chain%s on the way in", n,
		         n == 1 ? "" : "s", bs_fw_base_chain_count(fw),
		         bs_fw_base_chain_count(fw) == 1 ? "" : "s");
}

const char *bs_fw_outcome_id(enum bs_fw_outcome outcome)
{
	static const char *const ids[] = {"accept", "drop", "reject", "depends", "translated"};

	return (size_t)outcome < sizeof(ids) / sizeof(ids[0]) ? ids[outcome] : "depends";
}

/* The ids carry nmap's "icmp-" prefix; bs_icmp_name is the same text without it. */
const char *bs_icmp_id(int family, uint8_t type, uint8_t code)
{
	static const char *const v4[] = {"icmp-net-unreachable",
	                                 "icmp-host-unreachable",
	                                 "icmp-prot-unreachable",
	                                 "icmp-port-unreachable",
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 NULL,
	                                 "icmp-net-prohibited",
	                                 "icmp-host-prohibited",
	                                 NULL,
	                                 NULL,
	                                 "icmp-admin-prohibited"};
	static const char *const v6[] = {
	    "icmp-no-route",         "icmp-admin-prohibited", NULL,
	    "icmp-addr-unreachable", "icmp-port-unreachable", "icmp-policy-fail",
	    "icmp-reject-route"};

	if (family == AF_INET && type == 3 && code < sizeof(v4) / sizeof(v4[0]) && v4[code])
		return v4[code];
	if (family == AF_INET6 && type == 1 && code < sizeof(v6) / sizeof(v6[0]) && v6[code])
		return v6[code];
	return family == AF_INET6 ? "icmpv6-error" : "icmp-error";
}

const char *bs_icmp_name(int family, uint8_t type, uint8_t code)
{
	const char *id = bs_icmp_id(family, type, code);

	if (strcmp(id, "icmp-error") == 0 || strncmp(id, "icmp-", 5) != 0)
		return id;
	return id + strlen("icmp-");
}

const char *bs_fw_reject_id(const struct bs_fw_verdict *v, int family)
{
	if (v->outcome != BS_FW_REJECT)
		return "";
	if (v->reject == BS_REJECT_TCP_RESET)
		return "tcp-reset";
	return bs_icmp_id(family, v->icmp_type, v->icmp_code);
}

void bs_fw_outcome_text(const struct bs_fw_verdict *v, int family, char *buf, size_t len)
{
	switch (v->outcome) {
	case BS_FW_ACCEPT:
		snprintf(buf, len, "accepted");
		return;
	case BS_FW_DROP:
		snprintf(buf, len, "dropped");
		return;
	case BS_FW_REJECT:
		if (v->reject == BS_REJECT_TCP_RESET)
			snprintf(buf, len, "rejected with a TCP reset");
		else
			snprintf(buf, len, "rejected with ICMP %s",
			         bs_icmp_name(family, v->icmp_type, v->icmp_code));
		return;
	case BS_FW_DEPENDS:
		snprintf(buf, len, "decided by a rule bindscope cannot evaluate for this packet");
		return;
	case BS_FW_TRANSLATED:
		snprintf(buf, len, "sent elsewhere by a nat rule");
		return;
	}
	snprintf(buf, len, "unknown");
}

void bs_fw_where(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v, char *buf,
                 size_t len)
{
	char safe[3][96];
	const struct fw_chain *c;

	buf[0] = '\0';
	if (fw == NULL || v->chain < 0 || (size_t)v->chain >= fw->nchains)
		return;
	c = &fw->chains[v->chain];
	bs_text_safe(c->family_name, safe[0], sizeof(safe[0]));
	bs_text_safe(c->table, safe[1], sizeof(safe[1]));
	bs_text_safe(c->name, safe[2], sizeof(safe[2]));
	if (v->rule >= 0 && (size_t)v->rule < fw->nrules)
		snprintf(buf, len, "%s %s %s, handle %lld", safe[0], safe[1], safe[2],
		         fw->rules[v->rule].handle);
	else
		snprintf(buf, len, "the policy of %s %s %s", safe[0], safe[1], safe[2]);
}

void bs_fw_rule_text(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v, char *buf,
                     size_t len)
{
	char raw[512] = "";
	size_t i;
	const json_t *e;

	buf[0] = '\0';
	if (fw == NULL || v->rule < 0 || (size_t)v->rule >= fw->nrules)
		return;
	json_array_foreach(fw->rules[v->rule].expr, i, e)
	{
		if (raw[0] != '\0')
			bs_textbuf_appendf(raw, sizeof(raw), " ");
		fw_expr_text(e, raw, sizeof(raw));
	}
	bs_text_safe(raw, buf, len);
}

/* The text of a value on the right of a match. */
static void value_text(const json_t *v, bool quote, char *buf, size_t len)
{
	const json_t *x;
	size_t i;

	if (json_is_string(v)) {
		bs_textbuf_appendf(buf, len, quote ? "\"%s\"" : "%s", json_string_value(v));
	} else if (json_is_integer(v)) {
		bs_textbuf_appendf(buf, len, "%lld", (long long)json_integer_value(v));
	} else if ((x = json_object_get(v, "prefix")) != NULL) {
		bs_textbuf_appendf(buf, len, "%s/%lld",
		                   json_string_value(json_object_get(x, "addr")),
		                   (long long)json_integer_value(json_object_get(x, "len")));
	} else if ((x = json_object_get(v, "range")) != NULL) {
		value_text(json_array_get(x, 0), quote, buf, len);
		bs_textbuf_appendf(buf, len, "-");
		value_text(json_array_get(x, 1), quote, buf, len);
	} else if ((x = json_object_get(v, "elem")) != NULL) {
		value_text(json_object_get(x, "val"), quote, buf, len);
	} else if (json_is_array(v) || json_is_array(json_object_get(v, "set"))) {
		const json_t *list = json_is_array(v) ? v : json_object_get(v, "set");
		bool braces = !json_is_array(v);
		bs_textbuf_appendf(buf, len, braces ? "{ " : "");
		json_array_foreach(list, i, x)
		{
			bs_textbuf_appendf(buf, len, i ? ", " : "");
			value_text(x, quote, buf, len);
		}
		bs_textbuf_appendf(buf, len, braces ? " }" : "");
	} else {
		bs_textbuf_appendf(buf, len, "...");
	}
}

/* The left side of a match, and whether its values are quoted (interface names). */
static bool left_text(const json_t *l, char *buf, size_t len)
{
	const json_t *x;

	if ((x = json_object_get(l, "meta")) != NULL) {
		const char *key = json_string_value(json_object_get(x, "key"));
		bool name = key != NULL && (strstr(key, "name") != NULL ||
		                            strcmp(key, "iif") == 0 || strcmp(key, "oif") == 0);
		bs_textbuf_appendf(buf, len, "%s%s", name ? "" : "meta ", key ? key : "?");
		return name;
	}
	if ((x = json_object_get(l, "payload")) != NULL)
		bs_textbuf_appendf(buf, len, "%s %s",
		                   json_string_value(json_object_get(x, "protocol")) ?: "?",
		                   json_string_value(json_object_get(x, "field")) ?: "?");
	else if ((x = json_object_get(l, "ct")) != NULL)
		bs_textbuf_appendf(buf, len, "ct %s",
		                   json_string_value(json_object_get(x, "key")) ?: "?");
	else if ((x = json_object_get(l, "fib")) != NULL)
		bs_textbuf_appendf(buf, len, "fib daddr %s",
		                   json_string_value(json_object_get(x, "result")) ?: "?");
	else
		bs_textbuf_appendf(buf, len, "...");
	return false;
}

static void reject_text(const json_t *r, char *buf, size_t len)
{
	const char *type = json_string_value(json_object_get(r, "type"));
	const char *expr = json_string_value(json_object_get(r, "expr"));

	bs_textbuf_appendf(buf, len, "reject");
	if (type != NULL && strcmp(type, "tcp reset") == 0)
		bs_textbuf_appendf(buf, len, " with tcp reset");
	else if (type != NULL)
		bs_textbuf_appendf(buf, len, " with %s %s", type, expr ? expr : "port-unreachable");
}

void fw_expr_text(const json_t *e, char *buf, size_t len)
{
	const char *key;
	json_t *arg;

	json_object_foreach((json_t *)e, key, arg)
	{
		if (strcmp(key, "match") == 0) {
			const char *op = json_string_value(json_object_get(arg, "op"));
			bool quote = left_text(json_object_get(arg, "left"), buf, len);
			if (op != NULL && strcmp(op, "==") != 0 && strcmp(op, "in") != 0)
				bs_textbuf_appendf(buf, len, " %s", op);
			bs_textbuf_appendf(buf, len, " ");
			value_text(json_object_get(arg, "right"), quote, buf, len);
		} else if (strcmp(key, "reject") == 0) {
			reject_text(arg, buf, len);
		} else if (strcmp(key, "jump") == 0 || strcmp(key, "goto") == 0) {
			bs_textbuf_appendf(buf, len, "%s %s", key,
			                   json_string_value(json_object_get(arg, "target"))
			                       ?: "?");
		} else if (strcmp(key, "xt") == 0) {
			bs_textbuf_appendf(buf, len, "xt %s %s",
			                   json_string_value(json_object_get(arg, "type")) ?: "?",
			                   json_string_value(json_object_get(arg, "name")) ?: "?");
		} else {
			bs_textbuf_appendf(buf, len, "%s", key);
		}
	}
}
