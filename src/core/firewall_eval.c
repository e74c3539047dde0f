/* The evaluator: one packet through the ruleset's hooks, chains and rules (see firewall.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "firewall_internal.h"

#define MAX_JUMP_DEPTH 16 /* the kernel refuses deeper; a fuzzed ruleset may loop */

enum tri { NO, YES, UNKNOWN };

enum vkind { V_STR, V_NUM, V_ADDR, V_ABSENT, V_UNKNOWN };

struct val {
	enum vkind kind;
	const char *s;
	long long n;
	unsigned char a[16];
	int family;
};

struct eval {
	const struct bs_fw_ruleset *fw;
	const struct bs_fw_query *q;
	enum fw_hook hook;
	size_t chain; /* the chain being walked: its table names the sets */
};

/* How a chain ends: falls off its end (or returns), or a verdict that ends the packet's walk
 * through this base chain (accept) or through everything (the rest). */
enum chain_end { END_FALL, END_ACCEPT, END_FINAL };

struct walk {
	enum chain_end end;
	struct bs_fw_verdict v;
};

static int packet_family(const struct bs_fw_query *q)
{
	return q->dst.family;
}

static int l4_number(enum bs_proto proto)
{
	return proto == BS_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
}

static struct val v_str(const char *s)
{
	struct val v = {.kind = V_STR, .s = s};
	return v;
}

static struct val v_num(long long n)
{
	struct val v = {.kind = V_NUM, .n = n};
	return v;
}

static struct val v_kind(enum vkind kind)
{
	struct val v = {.kind = kind};
	return v;
}

static struct val v_addr(const struct bs_endpoint *ep)
{
	struct val v = {.kind = V_ADDR, .family = ep->family};
	struct in_addr a4;

	if (bs_endpoint_v4(ep, &a4))
		memcpy(v.a, &a4, 4);
	else if (bs_endpoint_v6(ep) != NULL)
		memcpy(v.a, bs_endpoint_v6(ep), 16);
	else
		v.kind = V_UNKNOWN;
	return v;
}

static struct val meta_value(const struct eval *ev, const char *key)
{
	const struct bs_fw_query *q = ev->q;
	bool v6 = packet_family(q) == AF_INET6;

	if (fw_is(key, "iifname") || fw_is(key, "iif"))
		return v_str(ev->hook == FW_OUTPUT ? "" : q->iif);
	if (fw_is(key, "oifname") || fw_is(key, "oif"))
		return v_str(ev->hook == FW_OUTPUT ? q->oif : "");
	if (fw_is(key, "l4proto"))
		return v_num(l4_number(q->proto));
	if (fw_is(key, "nfproto"))
		return v_str(v6 ? "ipv6" : "ipv4");
	if (fw_is(key, "protocol"))
		return v_str(v6 ? "ip6" : "ip");
	return v_kind(V_UNKNOWN);
}

static struct val payload_value(const struct eval *ev, const json_t *p)
{
	const struct bs_fw_query *q = ev->q;
	const char *proto = fw_string_of(p, "protocol"), *field = fw_string_of(p, "field");
	bool v6 = packet_family(q) == AF_INET6;

	if (fw_is(proto, "ip") || fw_is(proto, "ip6")) {
		if (fw_is(proto, "ip6") != v6)
			return v_kind(V_ABSENT);
		if (fw_is(field, "daddr"))
			return v_addr(&q->dst);
		if (fw_is(field, "saddr"))
			return q->src_known ? v_addr(&q->src) : v_kind(V_UNKNOWN);
		if (fw_is(field, "protocol") || fw_is(field, "nexthdr"))
			return v_num(l4_number(q->proto));
		return v_kind(V_UNKNOWN);
	}
	if (fw_is(proto, "tcp") || fw_is(proto, "udp") || fw_is(proto, "th")) {
		if (fw_is(proto, "tcp") && q->proto != BS_PROTO_TCP)
			return v_kind(V_ABSENT);
		if (fw_is(proto, "udp") && q->proto != BS_PROTO_UDP)
			return v_kind(V_ABSENT);
		return fw_is(field, "dport") ? v_num(q->dst.port) : v_kind(V_UNKNOWN);
	}
	if (fw_is(proto, "icmp") || fw_is(proto, "icmpv6") || fw_is(proto, "sctp") ||
	    fw_is(proto, "dccp") || fw_is(proto, "udplite") || fw_is(proto, "esp") ||
	    fw_is(proto, "ah") || fw_is(proto, "igmp"))
		return v_kind(V_ABSENT); /* a header a TCP or UDP packet does not have */
	return v_kind(V_UNKNOWN);
}

/* fib daddr type: local when the destination is this machine's (the lookup ignores iif). */
static struct val fib_value(const struct eval *ev, const json_t *f)
{
	const json_t *flags = json_object_get(f, "flags");
	const char *only = json_is_array(flags) && json_array_size(flags) == 1
	                       ? json_string_value(json_array_get(flags, 0))
	                       : json_string_value(flags);

	if (fw_is(fw_string_of(f, "result"), "type") && fw_is(only, "daddr") && ev->q->dst_local)
		return v_str("local");
	return v_kind(V_UNKNOWN);
}

static struct val left_value(const struct eval *ev, const json_t *left)
{
	const json_t *x;

	if ((x = json_object_get(left, "meta")) != NULL)
		return meta_value(ev, fw_string_of(x, "key"));
	if ((x = json_object_get(left, "payload")) != NULL)
		return payload_value(ev, x);
	if ((x = json_object_get(left, "ct")) != NULL)
		return fw_is(fw_string_of(x, "key"), "state") ? v_str("new") : v_kind(V_UNKNOWN);
	if ((x = json_object_get(left, "fib")) != NULL)
		return fib_value(ev, x);
	return v_kind(V_UNKNOWN);
}

static long long proto_number(const char *s)
{
	static const struct {
		const char *name;
		int number;
	} names[] = {
	    {"tcp", IPPROTO_TCP},         {"udp", IPPROTO_UDP},          {"icmp", IPPROTO_ICMP},
	    {"sctp", IPPROTO_SCTP},       {"ipv6-icmp", IPPROTO_ICMPV6}, {"icmpv6", IPPROTO_ICMPV6},
	    {"udplite", IPPROTO_UDPLITE}, {"esp", IPPROTO_ESP},          {"gre", IPPROTO_GRE}};
	char *end;
	long long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].number;
	n = strtoll(s, &end, 10);
	return end != s && *end == '\0' ? n : -1;
}

/* Parse text as an address of v's family: 1, 0 (an address of the other family), -1. */
static int parse_addr(const struct val *v, const char *text, unsigned char out[16])
{
	unsigned char other[16];

	if (inet_pton(v->family, text, out) == 1)
		return 1;
	return inet_pton(v->family == AF_INET ? AF_INET6 : AF_INET, text, other) == 1 ? 0 : -1;
}

static size_t addr_bytes(const struct val *v)
{
	return v->family == AF_INET ? 4 : 16;
}

static enum tri str_equals(const struct val *v, const char *s)
{
	size_t n = strlen(s);
	unsigned char a[16];
	long long num;

	switch (v->kind) {
	case V_STR:
		if (n > 0 && s[n - 1] == '*')
			return strncmp(v->s, s, n - 1) == 0 ? YES : NO;
		return strcmp(v->s, s) == 0 ? YES : NO;
	case V_NUM:
		num = proto_number(s);
		return num < 0 ? UNKNOWN : (num == v->n ? YES : NO);
	case V_ADDR:
		switch (parse_addr(v, s, a)) {
		case 1:
			return memcmp(a, v->a, addr_bytes(v)) == 0 ? YES : NO;
		case 0:
			return NO;
		default:
			return UNKNOWN;
		}
	default:
		return UNKNOWN;
	}
}

static enum tri in_prefix(const struct val *v, const json_t *prefix)
{
	const char *text = fw_string_of(prefix, "addr");
	const json_t *len = json_object_get(prefix, "len");
	unsigned char a[16];
	long long bits;

	if (v->kind != V_ADDR || text == NULL || !json_is_integer(len))
		return UNKNOWN;
	bits = json_integer_value(len);
	switch (parse_addr(v, text, a)) {
	case 0:
		return NO;
	case -1:
		return UNKNOWN;
	default:
		break;
	}
	if (bits < 0 || bits > (long long)addr_bytes(v) * 8)
		return UNKNOWN;
	for (long long i = 0; i < bits; i++) {
		unsigned mask = 0x80u >> (i % 8);
		if ((a[i / 8] & mask) != (v->a[i / 8] & mask))
			return NO;
	}
	return YES;
}

static enum tri in_range(const struct val *v, const json_t *range)
{
	const json_t *lo = json_array_get(range, 0), *hi = json_array_get(range, 1);
	unsigned char a[16], b[16];

	if (json_array_size(range) != 2)
		return UNKNOWN;
	if (v->kind == V_NUM && json_is_integer(lo) && json_is_integer(hi))
		return v->n >= json_integer_value(lo) && v->n <= json_integer_value(hi) ? YES : NO;
	if (v->kind == V_ADDR && json_is_string(lo) && json_is_string(hi)) {
		int pa = parse_addr(v, json_string_value(lo), a);
		int pb = parse_addr(v, json_string_value(hi), b);
		if (pa == 0 && pb == 0)
			return NO;
		if (pa != 1 || pb != 1)
			return UNKNOWN;
		return memcmp(v->a, a, addr_bytes(v)) >= 0 && memcmp(v->a, b, addr_bytes(v)) <= 0
		           ? YES
		           : NO;
	}
	return UNKNOWN;
}

static enum tri value_matches(const struct eval *ev, const struct val *v, const json_t *right,
                              int depth);

/* Any element matches: YES; else any unknown: UNKNOWN; else NO. */
static enum tri any_of(const struct eval *ev, const struct val *v, const json_t *list, int depth)
{
	enum tri out = NO;
	size_t i;
	const json_t *e;

	json_array_foreach(list, i, e)
	{
		enum tri t = value_matches(ev, v, e, depth + 1);
		if (t == YES)
			return YES;
		if (t == UNKNOWN)
			out = UNKNOWN;
	}
	return out;
}

static enum tri value_matches(const struct eval *ev, const struct val *v, const json_t *right,
                              int depth)
{
	const json_t *x;
	const char *s;

	if (depth > 4)
		return UNKNOWN;
	if ((s = json_string_value(right)) != NULL) {
		if (s[0] == '@') {
			const struct fw_set *set = fw_find_set(ev->fw, ev->chain, s + 1);
			if (set == NULL)
				return UNKNOWN;
			return set->elem == NULL ? NO : any_of(ev, v, set->elem, depth);
		}
		return str_equals(v, s);
	}
	if (json_is_integer(right))
		return v->kind == V_NUM ? (v->n == json_integer_value(right) ? YES : NO) : UNKNOWN;
	if (json_is_array(right))
		return any_of(ev, v, right, depth);
	if ((x = json_object_get(right, "set")) != NULL)
		return json_is_array(x) ? any_of(ev, v, x, depth)
		                        : value_matches(ev, v, x, depth + 1);
	if ((x = json_object_get(right, "prefix")) != NULL)
		return in_prefix(v, x);
	if ((x = json_object_get(right, "range")) != NULL)
		return in_range(v, x);
	if ((x = json_object_get(right, "elem")) != NULL)
		return value_matches(ev, v, json_object_get(x, "val"), depth + 1);
	return UNKNOWN;
}

static enum tri negate(enum tri t)
{
	return t == UNKNOWN ? UNKNOWN : (t == YES ? NO : YES);
}

static enum tri compare(const struct val *v, const char *op, const json_t *right)
{
	long long r;

	if (v->kind != V_NUM || !json_is_integer(right))
		return UNKNOWN;
	r = json_integer_value(right);
	if (fw_is(op, "<"))
		return v->n < r ? YES : NO;
	if (fw_is(op, ">"))
		return v->n > r ? YES : NO;
	if (fw_is(op, "<="))
		return v->n <= r ? YES : NO;
	return v->n >= r ? YES : NO;
}

static enum tri match(const struct eval *ev, const json_t *m)
{
	const char *op = fw_string_of(m, "op");
	struct val v = left_value(ev, json_object_get(m, "left"));
	const json_t *right = json_object_get(m, "right");

	if (v.kind == V_ABSENT)
		return NO; /* tcp dport on a UDP packet, ip saddr on IPv6: the rule cannot match */
	if (v.kind == V_UNKNOWN || op == NULL)
		return UNKNOWN;
	if (fw_is(op, "==") || fw_is(op, "in"))
		return value_matches(ev, &v, right, 0);
	if (fw_is(op, "!="))
		return negate(value_matches(ev, &v, right, 0));
	if (fw_is(op, "<") || fw_is(op, ">") || fw_is(op, "<=") || fw_is(op, ">="))
		return compare(&v, op, right);
	return UNKNOWN;
}

static void icmp_of(const char *type, const char *code, int family, struct bs_fw_verdict *out)
{
	static const struct {
		const char *name;
		uint8_t v4, v6;
	} codes[] = {
	    {"port-unreachable", 3, 4}, {"admin-prohibited", 13, 1}, {"no-route", 0, 0},
	    {"net-unreachable", 0, 0},  {"host-unreachable", 1, 3},  {"addr-unreachable", 1, 3},
	    {"prot-unreachable", 2, 4}, {"net-prohibited", 9, 1},    {"host-prohibited", 10, 1},
	    {"policy-fail", 13, 5},     {"reject-route", 13, 6}};
	bool v6 = family == AF_INET6;

	(void)type;
	out->reject = BS_REJECT_ICMP;
	out->icmp_type = v6 ? 1 : 3;
	out->icmp_code = v6 ? 4 : 3; /* the default: port unreachable */
	for (size_t i = 0; code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i].name) == 0)
			out->icmp_code = v6 ? codes[i].v6 : codes[i].v4;
}

static void reject_of(const json_t *r, int family, struct bs_fw_verdict *out)
{
	const char *type = fw_string_of(r, "type");

	out->outcome = BS_FW_REJECT;
	if (fw_is(type, "tcp reset")) {
		out->reject = BS_REJECT_TCP_RESET;
		return;
	}
	icmp_of(type, fw_string_of(r, "expr"), family, out);
}

static struct walk final(enum bs_fw_outcome outcome, size_t chain, size_t rule)
{
	struct walk w = {.end = END_FINAL};

	w.v.outcome = outcome;
	w.v.chain = (long)chain;
	w.v.rule = (long)rule;
	return w;
}

static struct walk walk_chain(struct eval *ev, size_t chain, int depth);

static bool ignorable(const char *key)
{
	static const char *const keys[] = {
	    "counter",        "log", "notrack", "mangle",    "snat",
	    "masquerade",     "set", "map",     "ct helper", "ct timeout",
	    "ct expectation", "dup", "fwd",     "meter",     "last"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

static bool xt_harmless(const json_t *xt)
{
	static const char *const names[] = {"LOG", "NFLOG", "MARK", "CONNMARK", "TRACE", "CT"};
	const char *type = fw_string_of(xt, "type"), *name = fw_string_of(xt, "name");

	if (!fw_is(type, "target"))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fw_is(name, names[i]))
			return true;
	return false;
}

/* A verdict statement (accept, drop, reject, jump, goto, return, continue) in rule r. */
static bool is_verdict(const char *key)
{
	return fw_is(key, "accept") || fw_is(key, "drop") || fw_is(key, "reject") ||
	       fw_is(key, "jump") || fw_is(key, "goto") || fw_is(key, "return") ||
	       fw_is(key, "continue") || fw_is(key, "queue");
}

/* Apply a verdict. *next is set when the walk goes on with the chain's next rule. */
static struct walk apply_verdict(struct eval *ev, const char *key, const json_t *arg, size_t r,
                                 int depth, bool *next)
{
	size_t chain = ev->fw->rules[r].chain;
	struct walk w = {.end = END_FALL};

	*next = false;
	if (fw_is(key, "accept")) {
		w = final(BS_FW_ACCEPT, chain, r);
		w.end = END_ACCEPT;
		return w;
	}
	if (fw_is(key, "drop"))
		return final(BS_FW_DROP, chain, r);
	if (fw_is(key, "reject")) {
		w = final(BS_FW_REJECT, chain, r);
		reject_of(arg, packet_family(ev->q), &w.v);
		return w;
	}
	if (fw_is(key, "queue"))
		return final(BS_FW_DEPENDS, chain, r); /* a userspace program decides */
	if (fw_is(key, "continue")) {
		*next = true;
		return w;
	}
	if (fw_is(key, "return"))
		return w; /* END_FALL: back to the caller */
	/* jump or goto */
	long target = fw_find_chain(ev->fw, chain, fw_string_of(arg, "target"));
	if (target < 0 || depth >= MAX_JUMP_DEPTH)
		return final(BS_FW_DEPENDS, chain, r);
	size_t saved = ev->chain;
	w = walk_chain(ev, (size_t)target, depth + 1);
	ev->chain = saved;
	if (w.end == END_FALL && fw_is(key, "jump"))
		*next = true;
	return w; /* goto: falling off the target's end ends this chain too */
}

/* A verdict map: the key's value picks the verdict. */
static struct walk apply_vmap(struct eval *ev, const json_t *vmap, size_t r, bool maybe, int depth,
                              bool *next)
{
	size_t chain = ev->fw->rules[r].chain, i;
	struct val v = left_value(ev, json_object_get(vmap, "key"));
	const json_t *data = json_object_get(json_object_get(vmap, "data"), "set"), *pair;

	*next = true;
	if (v.kind == V_ABSENT)
		return (struct walk){.end = END_FALL};
	if (maybe || v.kind == V_UNKNOWN || !json_is_array(data))
		return final(BS_FW_DEPENDS, chain, r);
	json_array_foreach(data, i, pair)
	{
		const json_t *verdict = json_array_get(pair, 1);
		const char *key;
		json_t *arg;
		enum tri t = value_matches(ev, &v, json_array_get(pair, 0), 0);
		if (t == NO)
			continue;
		if (t == UNKNOWN || !json_is_object(verdict) || json_object_size(verdict) != 1)
			return final(BS_FW_DEPENDS, chain, r);
		json_object_foreach((json_t *)verdict, key, arg)
		{
			if (!is_verdict(key))
				return final(BS_FW_DEPENDS, chain, r);
			return apply_verdict(ev, key, arg, r, depth, next);
		}
	}
	return (struct walk){.end = END_FALL}; /* no element: on to the next rule */
}

/* A jump the packet may or may not take: when the chain it leads to ends without deciding
 * (it only logs or counts), taking it or not is the same. Else the rule decides it. */
static struct walk maybe_jump(struct eval *ev, const json_t *arg, size_t r, int depth, bool *next)
{
	bool on;
	struct walk w = apply_verdict(ev, "jump", arg, r, depth, &on);

	*next = on;
	if (on)
		return w;
	*next = false;
	return final(BS_FW_DEPENDS, ev->fw->rules[r].chain, r);
}

/* Rule r: *next is true when the walk goes on with the next rule. */
static struct walk walk_rule(struct eval *ev, size_t r, int depth, bool *next)
{
	size_t chain = ev->fw->rules[r].chain, i;
	const json_t *e;
	bool maybe = false; /* a match whose result cannot be known */

	*next = true;
	if (!fw_guard_passes(&ev->fw->rules[r], ev->q->proto, ev->q->dst.port))
		return (struct walk){.end = END_FALL}; /* another port: its leading match fails */
	json_array_foreach(ev->fw->rules[r].expr, i, e)
	{
		const char *key;
		json_t *arg;

		if (!json_is_object(e) || json_object_size(e) != 1)
			return final(BS_FW_DEPENDS, chain, r);
		json_object_foreach((json_t *)e, key, arg)
		{
			if (fw_is(key, "match")) {
				enum tri t = match(ev, arg);
				if (t == NO)
					return (struct walk){.end = END_FALL};
				maybe |= t == UNKNOWN;
			} else if (fw_is(key, "limit") || fw_is(key, "quota") ||
			           (fw_is(key, "xt") &&
			            !fw_is(fw_string_of(arg, "type"), "target"))) {
				maybe = true;
			} else if (ignorable(key) || (fw_is(key, "xt") && xt_harmless(arg))) {
				/* no say in where the packet goes */
			} else if (fw_is(key, "vmap")) {
				return apply_vmap(ev, arg, r, maybe, depth, next);
			} else if (fw_is(key, "dnat") || fw_is(key, "redirect") ||
			           fw_is(key, "tproxy") ||
			           (fw_is(key, "xt") &&
			            (fw_is(fw_string_of(arg, "name"), "DNAT") ||
			             fw_is(fw_string_of(arg, "name"), "REDIRECT")))) {
				*next = false;
				return final(maybe ? BS_FW_DEPENDS : BS_FW_TRANSLATED, chain, r);
			} else if (is_verdict(key) && !maybe) {
				return apply_verdict(ev, key, arg, r, depth, next);
			} else if (fw_is(key, "jump") && maybe) {
				return maybe_jump(ev, arg, r, depth, next);
			} else {
				/* A verdict after an unknowable match, or a statement not
				 * understood. */
				*next = false;
				return final(BS_FW_DEPENDS, chain, r);
			}
		}
	}
	return (struct walk){.end = END_FALL};
}

static struct walk walk_chain(struct eval *ev, size_t chain, int depth)
{
	const struct fw_chain *c = &ev->fw->chains[chain];

	ev->chain = chain;
	for (size_t k = 0; k < c->nrules; k++) {
		bool next;
		struct walk w = walk_rule(ev, c->rules[k], depth, &next);
		ev->chain = chain;
		if (!next)
			return w;
	}
	return (struct walk){.end = END_FALL};
}

static bool dev_matches(const json_t *dev, const char *iif)
{
	size_t i;
	const json_t *d;

	if (json_is_string(dev))
		return strcmp(json_string_value(dev), iif) == 0;
	json_array_foreach(dev, i, d)
	{
		if (json_is_string(d) && strcmp(json_string_value(d), iif) == 0)
			return true;
	}
	return false;
}

static bool chain_sees(const struct fw_chain *c, const struct bs_fw_query *q, enum fw_hook hook)
{
	bool v6 = packet_family(q) == AF_INET6;

	if (c->hook != hook)
		return false;
	if (hook == FW_INGRESS && !dev_matches(c->dev, q->iif))
		return false;
	switch (c->family) {
	case FW_IP:
		return !v6;
	case FW_IP6:
		return v6;
	case FW_INET:
		return true;
	case FW_NETDEV:
		return hook == FW_INGRESS;
	default:
		return false;
	}
}

/* The next base chain on hook after (prio, index) prev, lowest priority first; -1 at the end. */
static long next_base(const struct bs_fw_ruleset *fw, const struct bs_fw_query *q,
                      enum fw_hook hook, long prev)
{
	long best = -1;

	for (size_t i = 0; i < fw->nchains; i++) {
		const struct fw_chain *c = &fw->chains[i];
		if (!chain_sees(c, q, hook))
			continue;
		if (prev >= 0) {
			const struct fw_chain *p = &fw->chains[prev];
			if (c->prio < p->prio || (c->prio == p->prio && (long)i <= prev))
				continue;
		}
		if (best < 0 || c->prio < fw->chains[best].prio)
			best = (long)i;
	}
	return best;
}

/* Every base chain on one hook. Returns true when the walk ends here (out set). */
static bool walk_hook(struct eval *ev, enum fw_hook hook, struct bs_fw_verdict *out)
{
	ev->hook = hook;
	for (long c = next_base(ev->fw, ev->q, hook, -1); c >= 0;
	     c = next_base(ev->fw, ev->q, hook, c)) {
		struct walk w = walk_chain(ev, (size_t)c, 0);
		out->any_rule = true;
		if (w.end == END_FINAL) {
			bool any = out->any_rule;
			*out = w.v;
			out->any_rule = any;
			return true;
		}
		if (w.end == END_ACCEPT) {
			out->chain = w.v.chain;
			out->rule = w.v.rule;
			out->by_policy = false;
			continue;
		}
		if (ev->fw->chains[c].policy_drop) {
			out->outcome = BS_FW_DROP;
			out->by_policy = true;
			out->chain = c;
			out->rule = -1;
			return true;
		}
		out->chain = c;
		out->rule = -1;
		out->by_policy = true;
	}
	return false;
}

void bs_fw_eval(const struct bs_fw_ruleset *fw, const struct bs_fw_query *q,
                struct bs_fw_verdict *out)
{
	static const enum fw_hook arrival[] = {FW_INGRESS, FW_PREROUTING, FW_INPUT};
	struct eval ev = {.fw = fw, .q = q};

	memset(out, 0, sizeof(*out));
	out->outcome = BS_FW_ACCEPT;
	out->chain = -1;
	out->rule = -1;
	if (fw == NULL)
		return;
	if (q->from_host && walk_hook(&ev, FW_OUTPUT, out))
		return;
	for (size_t h = 0; h < sizeof(arrival) / sizeof(arrival[0]); h++)
		if (walk_hook(&ev, arrival[h], out))
			return;
}
