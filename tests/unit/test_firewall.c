/*
 * Unit tests of the firewall evaluator (firewall.h) on rulesets recorded with
 * `nft -j list ruleset` in private namespaces (tests/data/firewall/README.md says how):
 * hostfw.json (every kind of rule the evaluator knows, and one it cannot), ufw.json (ufw's
 * default with 22/tcp allowed) and docker.json (dockerd's chains for one published port).
 * tests/integration/firewall_lab.sh checks the same verdicts against the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/firewall.h"

static struct bs_fw_ruleset *load(const char *name)
{
	char path[512], *text;
	struct bs_error err;
	struct bs_fw_ruleset *fw;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIREWALL_DATA, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	fw = bs_fw_parse(text, (size_t)n, &err);
	free(text);
	if (fw == NULL)
		fail_msg("%s: %s", name, err.msg);
	return fw;
}

static struct bs_endpoint ep(const char *addr, uint16_t port)
{
	struct bs_endpoint e;
	struct bs_error err;
	char text[80];

	snprintf(text, sizeof(text), strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
	if (bs_endpoint_parse(text, NULL, &e, &err) < 0)
		fail_msg("cannot parse %s: %s", text, err.msg);
	return e;
}

/* A packet from src (NULL: any sender) to dst:port arriving on iif. */
static struct bs_fw_query arriving(enum bs_proto proto, const char *src, const char *dst,
                                   uint16_t port, const char *iif)
{
	struct bs_fw_query q;

	memset(&q, 0, sizeof(q));
	q.proto = proto;
	q.dst = ep(dst, port);
	q.dst_local = true;
	if (src != NULL) {
		q.src = ep(src, 40000);
		q.src_known = true;
	}
	snprintf(q.iif, sizeof(q.iif), "%s", iif);
	return q;
}

static struct bs_fw_query from_host(enum bs_proto proto, const char *dst, uint16_t port)
{
	struct bs_fw_query q = arriving(proto, dst, dst, port, "lo");

	q.from_host = true;
	snprintf(q.oif, sizeof(q.oif), "lo");
	return q;
}

static struct bs_fw_verdict eval(const struct bs_fw_ruleset *fw, struct bs_fw_query q)
{
	struct bs_fw_verdict v;

	bs_fw_eval(fw, &q, &v);
	return v;
}

static void assert_rule(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v,
                        const char *text)
{
	char buf[512];

	bs_fw_rule_text(fw, v, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void test_no_ruleset_accepts(void **state)
{
	struct bs_fw_verdict v =
	    eval(NULL, arriving(BS_PROTO_TCP, NULL, "192.168.1.10", 80, "wlan0"));

	(void)state;
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	assert_false(v.any_rule);
}

/* A drop on one interface only: the same port arriving elsewhere is accepted. */
static void test_drop_per_interface(void **state)
{
	struct bs_fw_ruleset *fw = load("hostfw.json");
	struct bs_fw_verdict v =
	    eval(fw, arriving(BS_PROTO_TCP, "192.168.1.20", "192.168.1.10", 8082, "wlan0"));
	char where[128];

	(void)state;
	assert_int_equal(v.outcome, BS_FW_DROP);
	assert_false(v.by_policy);
	assert_rule(fw, &v, "iifname \"wlan0\" tcp dport 8082 drop");
	bs_fw_where(fw, &v, where, sizeof(where));
	assert_non_null(strstr(where, "inet hostfw input, handle "));
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8082, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	/* From this host over lo: the lo rule accepts before the wlan0 rule is reached. */
	v = eval(fw, from_host(BS_PROTO_TCP, "192.168.1.10", 8082));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	assert_rule(fw, &v, "iifname \"lo\" accept");
	/* UDP to the same port is not matched by a tcp dport rule. */
	v = eval(fw, arriving(BS_PROTO_UDP, "192.168.1.20", "192.168.1.10", 8082, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	bs_fw_free(fw);
}

/* The reject kinds: TCP reset, icmpx admin-prohibited by family, the default, icmp codes. */
static void test_reject_kinds(void **state)
{
	struct bs_fw_ruleset *fw = load("hostfw.json");
	struct bs_fw_verdict v;

	(void)state;
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.1.20", "192.168.1.10", 8083, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_REJECT);
	assert_int_equal(v.reject, BS_REJECT_TCP_RESET);
	assert_string_equal(bs_fw_reject_id(&v, AF_INET), "tcp-reset");
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.1.20", "192.168.1.10", 8084, "wlan0"));
	assert_int_equal(v.reject, BS_REJECT_ICMP);
	assert_int_equal(v.icmp_type, 3);
	assert_int_equal(v.icmp_code, 13);
	assert_string_equal(bs_fw_reject_id(&v, AF_INET), "icmp-admin-prohibited");
	v = eval(fw, arriving(BS_PROTO_TCP, "fd00::1:20", "fd00::1:10", 8084, "wlan0"));
	assert_int_equal(v.icmp_type, 1);
	assert_int_equal(v.icmp_code, 1);
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8086, "eth0"));
	assert_int_equal(v.outcome, BS_FW_REJECT);
	assert_string_equal(bs_fw_reject_id(&v, AF_INET), "icmp-port-unreachable");
	assert_rule(fw, &v, "tcp dport { 8085, 8086 } reject with icmpx port-unreachable");
	v = eval(fw, arriving(BS_PROTO_UDP, "192.168.0.20", "192.168.0.110", 8093, "eth0"));
	assert_string_equal(bs_fw_reject_id(&v, AF_INET), "icmp-host-unreachable");
	v = eval(fw, arriving(BS_PROTO_UDP, "192.168.1.20", "192.168.1.10", 8093, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT); /* iifname "eth*" is a wildcard */
	v = eval(fw, arriving(BS_PROTO_UDP, "192.168.1.20", "192.168.1.10", 8092, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_DROP);
	bs_fw_free(fw);
}

/* Source prefixes, named sets, a jump into a regular chain and back with return. */
static void test_sources_sets_and_jumps(void **state)
{
	struct bs_fw_ruleset *fw = load("hostfw.json");
	struct bs_fw_verdict v;

	(void)state;
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8087, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DROP);
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.1.20", "192.168.1.10", 8087, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	/* ip saddr does not match an IPv6 packet at all. */
	v = eval(fw, arriving(BS_PROTO_TCP, "fd00::20", "fd00::110", 8087, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	/* Any sender: whether the source is in 192.168.0.0/24 cannot be known. */
	v = eval(fw, arriving(BS_PROTO_TCP, NULL, "192.168.0.110", 8087, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DEPENDS);
	assert_rule(fw, &v, "ip saddr 192.168.0.0/24 tcp dport 8087 drop");
	/* 192.168.0.5 is in @trusted (192.168.0.0/28): accepted inside the jump. */
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.5", "192.168.0.110", 8091, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	assert_rule(fw, &v, "ip saddr @trusted accept");
	v = eval(fw, arriving(BS_PROTO_TCP, "10.9.0.1", "192.168.0.110", 8091, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8091, "eth0"));
	assert_int_equal(v.outcome, BS_FW_REJECT);
	assert_rule(fw, &v, "tcp dport 8091 reject with tcp reset");
	/* 8090 returns from the chain and the input policy accepts it. */
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8090, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	assert_true(v.by_policy);
	bs_fw_free(fw);
}

/* A match that cannot be known before the packet exists: depends on that rule, no guess. */
static void test_unknowable_match_depends(void **state)
{
	struct bs_fw_ruleset *fw = load("hostfw.json");
	struct bs_fw_verdict v =
	    eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8094, "eth0"));

	(void)state;
	assert_int_equal(v.outcome, BS_FW_DEPENDS);
	assert_rule(fw, &v, "tcp dport 8094 tcp sport 1024-65535 drop");
	/* A dnat in prerouting sends it elsewhere before input is reached. */
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8095, "eth0"));
	assert_int_equal(v.outcome, BS_FW_TRANSLATED);
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.1.20", "192.168.1.10", 8095, "wlan0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	bs_fw_free(fw);
}

/* ufw's default: policy drop, loopback and 22/tcp allowed. ufw matches connection states with
 * iptables' conntrack match, which nftables keeps as "xt" and its JSON does not spell out:
 * every packet from outside depends on that rule. From this host, lo is accepted
 * first, and UDP 137 is dropped before the addrtype rule is reached. */
static void test_ufw_default(void **state)
{
	struct bs_fw_ruleset *fw = load("ufw.json");
	struct bs_fw_verdict v;
	char where[128];

	(void)state;
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 22, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DEPENDS);
	assert_rule(fw, &v, "xt match conntrack counter accept");
	bs_fw_where(fw, &v, where, sizeof(where));
	assert_non_null(strstr(where, "ip filter ufw-before-input, handle "));
	v = eval(fw, from_host(BS_PROTO_TCP, "192.168.0.110", 8082));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	assert_rule(fw, &v, "iifname \"lo\" counter accept");
	v = eval(fw, arriving(BS_PROTO_UDP, "192.168.0.20", "192.168.0.110", 137, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DEPENDS);
	bs_fw_free(fw);
}

/* Docker: the published port's DNAT sits behind an iptables addrtype match ("xt"), which the
 * JSON does not spell out: depends on that rule. Other ports pass through DOCKER untouched. */
static void test_docker_chains(void **state)
{
	struct bs_fw_ruleset *fw = load("docker.json");
	struct bs_fw_verdict v;

	(void)state;
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8888, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DEPENDS);
	assert_rule(fw, &v, "xt match addrtype counter jump DOCKER");
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8082, "eth0"));
	assert_int_equal(v.outcome, BS_FW_ACCEPT);
	bs_fw_free(fw);
}

static void test_bad_json_is_an_error(void **state)
{
	struct bs_error err;

	(void)state;
	assert_null(bs_fw_parse("{\"nftables\": 3}", 15, &err));
	assert_non_null(strstr(err.msg, "nftables"));
	assert_null(bs_fw_parse("not json", 8, &err));
	assert_non_null(strstr(err.msg, "not JSON"));
}

/* An input chain with policy drop and no rule filters everything: the summary must not say
 * "nothing is filtered" because no rule was counted. */
static void test_summary_counts_policy_chains(void **state)
{
	static const char json[] =
	    "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"f\"}},"
	    " {\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"input\","
	    " \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"drop\"}}]}";
	struct bs_error err;
	struct bs_fw_ruleset *fw = bs_fw_parse(json, sizeof(json) - 1, &err);
	struct bs_fw_verdict v;
	char line[256];

	(void)state;
	assert_non_null(fw);
	bs_fw_summary(fw, "", line, sizeof(line));
	assert_string_equal(line, "Firewall: 0 nftables rules read, in 1 chain on the way in");
	v = eval(fw, arriving(BS_PROTO_TCP, "192.168.0.20", "192.168.0.110", 8082, "eth0"));
	assert_int_equal(v.outcome, BS_FW_DROP);
	assert_true(v.by_policy);
	bs_fw_summary(NULL, "", line, sizeof(line));
	assert_string_equal(line, "Firewall: no nftables rules here, so nothing is filtered");
	bs_fw_summary(NULL, "firewall not read (needs root)", line, sizeof(line));
	assert_string_equal(line, "Firewall not read (needs root)");
	bs_fw_free(fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_ruleset_accepts),
	    cmocka_unit_test(test_drop_per_interface),
	    cmocka_unit_test(test_reject_kinds),
	    cmocka_unit_test(test_sources_sets_and_jumps),
	    cmocka_unit_test(test_unknowable_match_depends),
	    cmocka_unit_test(test_ufw_default),
	    cmocka_unit_test(test_docker_chains),
	    cmocka_unit_test(test_bad_json_is_an_error),
	    cmocka_unit_test(test_summary_counts_policy_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
