/*
 * Ports published by the firewall (bs_fw_published): every rule with a dnat or redirect in a
 * nat table (its base chains on prerouting or output, and the regular chains they jump to, as
 * Docker's DOCKER chain), read as what it does to a connection.
 */
#include <stdio.h>
#include <string.h>

#include "bindscope/textbuf.h"
#include "firewall_internal.h"

/* Does the chain's table have a nat base chain (so the chain is nat's, if only by a jump)? */
static bool in_nat_table(const struct bs_fw_ruleset *fw, const struct fw_chain *c, bool *output)
{
	bool found = false;

	*output = false;
	for (size_t i = 0; i < fw->nchains; i++) {
		const struct fw_chain *b = &fw->chains[i];
		if (!b->nat || b->family != c->family || strcmp(b->table, c->table) != 0)
			continue;
		found = true;
		if (b == c && b->hook == FW_OUTPUT)
			*output = true;
	}
	return found;
}

/* {"match": {"left": {"meta": {"key": "iifname"}}, "right": "wlan0", "op": "=="}} */
static bool read_iif(const json_t *m, struct bs_fw_publish *p)
{
	const json_t *meta = json_object_get(json_object_get(m, "left"), "meta");
	const char *key = fw_string_of(meta, "key"), *right = fw_string_of(m, "right");
	const char *op = fw_string_of(m, "op");

	if (!fw_is(key, "iifname") || right == NULL)
		return false;
	snprintf(p->iif, sizeof(p->iif), "%.15s", right);
	p->iif_not = fw_is(op, "!=");
	return fw_is(op, "==") || fw_is(op, "!=");
}

/* {"match": {"left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "ADDR"}} */
static bool read_daddr(const json_t *m, struct bs_fw_publish *p)
{
	const json_t *pl = json_object_get(json_object_get(m, "left"), "payload");
	const char *right = fw_string_of(m, "right");

	if (!fw_is(fw_string_of(pl, "field"), "daddr") || right == NULL ||
	    !fw_is(fw_string_of(m, "op"), "=="))
		return false;
	snprintf(p->daddr, sizeof(p->daddr), "%.63s", right);
	return true;
}

static bool read_dport(const json_t *m, struct bs_fw_publish *p)
{
	const json_t *pl = json_object_get(json_object_get(m, "left"), "payload");
	const json_t *right = json_object_get(m, "right");
	const char *proto = fw_string_of(pl, "protocol");

	if (!fw_is(fw_string_of(pl, "field"), "dport") || !json_is_integer(right) ||
	    !fw_is(fw_string_of(m, "op"), "==") || json_integer_value(right) < 1 ||
	    json_integer_value(right) > 65535)
		return false;
	p->port = (uint16_t)json_integer_value(right);
	p->any_proto = !fw_is(proto, "tcp") && !fw_is(proto, "udp");
	p->proto = fw_is(proto, "udp") ? BS_PROTO_UDP : BS_PROTO_TCP;
	return true;
}

/* {"dnat": {"addr": "10.0.0.2", "port": 80}} or {"redirect": {"port": 8080}}. */
static bool read_target(const char *key, const json_t *arg, struct bs_fw_publish *p)
{
	const json_t *port = json_object_get(arg, "port");
	const char *addr = fw_string_of(arg, "addr");

	if (port != NULL && !json_is_integer(port))
		return false;
	p->to_port = port != NULL ? (uint16_t)json_integer_value(port) : 0;
	if (fw_is(key, "redirect")) {
		p->redirect = true;
		return true;
	}
	if (addr == NULL)
		return false;
	snprintf(p->to_addr, sizeof(p->to_addr), "%.63s", addr);
	return true;
}

/* What rule r publishes; false when it has no dnat or redirect. */
static bool read_rule(const struct bs_fw_ruleset *fw, size_t r, struct bs_fw_publish *p)
{
	const struct fw_rule *rule = &fw->rules[r];
	const json_t *e;
	bool target = false;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->exact = true;
	json_array_foreach(rule->expr, i, e)
	{
		const char *key;
		json_t *arg;
		json_object_foreach((json_t *)e, key, arg)
		{
			if (fw_is(key, "match")) {
				if (!read_dport(arg, p) && !read_iif(arg, p) && !read_daddr(arg, p))
					p->exact =
					    false; /* a match not read: the rule's text says it */
			} else if (fw_is(key, "dnat") || fw_is(key, "redirect")) {
				target = read_target(key, arg, p) || target;
				p->exact = p->exact && target;
			} else if (!fw_is(key, "counter")) {
				p->exact = p->exact && !fw_is(key, "xt");
			}
		}
	}
	return target;
}

size_t bs_fw_published(const struct bs_fw_ruleset *fw, struct bs_fw_publish *out, size_t max)
{
	size_t n = 0;

	if (fw == NULL)
		return 0;
	for (size_t c = 0; c < fw->nchains; c++) {
		const struct fw_chain *ch = &fw->chains[c];
		bool output;
		if (!in_nat_table(fw, ch, &output))
			continue;
		for (size_t k = 0; k < ch->nrules; k++) {
			struct bs_fw_publish p;
			if (!read_rule(fw, ch->rules[k], &p))
				continue;
			p.output = output;
			snprintf(p.where, sizeof(p.where), "%s %s %s, handle %lld", ch->family_name,
			         ch->table, ch->name, fw->rules[ch->rules[k]].handle);
			{
				struct bs_fw_verdict v = {0};
				v.rule = (long)ch->rules[k];
				bs_fw_rule_text(fw, &v, p.text, sizeof(p.text));
			}
			if (n < max)
				out[n] = p;
			n++;
		}
	}
	return n;
}

void bs_fw_publish_text(const struct bs_fw_publish *p, char *buf, size_t len)
{
	char port[64], on[64], to[128];

	if (p->redirect)
		snprintf(to, sizeof(to), "this machine's own port %u",
		         (unsigned)(p->to_port ? p->to_port : p->port));
	else if (p->to_port != 0)
		snprintf(to, sizeof(to), "%s:%u", p->to_addr, (unsigned)p->to_port);
	else
		snprintf(to, sizeof(to), "%s, the same port", p->to_addr);
	/* A rule with matches not read: what it publishes is only what its text says. */
	if (!p->exact) {
		snprintf(buf, len, "what the rule below matches -> %s (%s%s)", to,
		         p->output ? "this host's own, " : "", p->where);
		return;
	}
	if (p->port == 0)
		snprintf(port, sizeof(port), "every port");
	else
		snprintf(port, sizeof(port), "%s %u",
		         p->any_proto ? "tcp/udp" : bs_proto_name(p->proto), p->port);
	if (p->iif[0] == '\0')
		snprintf(on, sizeof(on), "%s", p->daddr[0] ? "" : " on every address");
	else
		snprintf(on, sizeof(on), " arriving %s %s", p->iif_not ? "anywhere but" : "on",
		         p->iif);
	if (p->daddr[0] != '\0')
		bs_textbuf_appendf(on, sizeof(on), " to %s", p->daddr);
	snprintf(buf, len, "%s%s -> %s (%s%s)", port, on, to, p->output ? "this host's own, " : "",
	         p->where);
}
