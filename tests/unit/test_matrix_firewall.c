/*
 * Unit tests of the matrix with a firewall (matrix_firewall.c): a hand-made machine (the
 * default lab's interfaces), one wildcard socket, the recorded hostfw ruleset and a peer on
 * wlan0. The prediction, its reason, the words and the contradiction test all read the rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/matrix.h"
#include "fake_ifaces.h"

static struct bs_fw_ruleset *load_hostfw(void)
{
	static char text[64 * 1024];
	struct bs_error err;
	struct bs_fw_ruleset *fw;
	FILE *f = fopen(FIREWALL_DATA "/hostfw.json", "rb");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	fw = bs_fw_parse(text, n, &err);
	if (fw == NULL)
		fail_msg("%s", err.msg);
	return fw;
}

/* The peer's packets arrive on-link: every address here answers on its segment. */
static int on_link(void *arg, const struct bs_vantage *v, const struct bs_endpoint *dst,
                   struct bs_route *out)
{
	(void)arg, (void)v, (void)dst;
	memset(out, 0, sizeof(*out));
	out->found = true;
	return 0;
}

struct fixture {
	struct bs_iface_list ifaces;
	struct bs_socket_list table;
	struct bs_matrix *m;
};

static struct fixture *build(struct bs_fw_ruleset *fw, enum bs_fw_status status, uint16_t port)
{
	static struct fixture fx;
	static struct bs_socket sock;
	struct bs_lab_vantage peer = {
	    .name = "wlan0-peer", .iface = "wlan0", .addr = "192.168.1.20", .netns_fd = -1};
	struct bs_matrix_env env;
	struct bs_error err;
	struct in_addr any = {0};

	memset(&fx, 0, sizeof(fx));
	assert_int_equal(bs_iface_list_from_ifaddrs(&fx.ifaces, fake_chain(), NULL, &err), 0);
	memset(&sock, 0, sizeof(sock));
	sock.proto = BS_PROTO_TCP;
	bs_endpoint_from_v4(&sock.local, any, port);
	sock.v6only = -1;
	sock.reuseport = 0;
	sock.exposure = BS_EXPOSED_ALL_IPV4;
	sock.pid = 42;
	snprintf(sock.program, sizeof(sock.program), "socat");
	fx.table.count = 1;
	fx.table.items = &sock;
	memset(&env, 0, sizeof(env));
	env.route = on_link;
	env.lo_index = 1;
	env.icmp_burst = 50;
	env.firewall = fw;
	if (status != BS_FW_READ)
		snprintf(env.firewall_why, sizeof(env.firewall_why), "%s",
		         bs_fw_status_text(status));
	fx.m = bs_matrix_new();
	assert_non_null(fx.m);
	assert_int_equal(bs_matrix_add_port(fx.m, BS_PROTO_TCP, port, NULL, &err), 0);
	assert_int_equal(bs_matrix_set_peers(fx.m, &peer, 1, &err), 0);
	assert_int_equal(bs_matrix_build(fx.m, &fx.table, &fx.ifaces, &env, &err), 0);
	return &fx;
}

static void done(struct fixture *fx)
{
	bs_matrix_free(fx->m);
	bs_iface_list_free(&fx->ifaces);
}

/* The column of addr from vantage v. */
static size_t col_of(const struct bs_matrix *m, size_t v, const char *addr)
{
	for (size_t c = 0; c < bs_matrix_ncols(m); c++)
		if (bs_matrix_col(m, c)->vantage == v &&
		    strcmp(bs_matrix_col(m, c)->text, addr) == 0 &&
		    bs_matrix_col(m, c)->kind != BS_COL_LOCALHOST)
			return c;
	fail_msg("no column %s from vantage %zu", addr, v);
	return 0;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("'%s' is not in: %s", needle, haystack);
}

/* Observe a verdict by hand, as a probe round would. */
static void observe(struct bs_matrix *m, size_t c, enum bs_verdict v)
{
	struct bs_matrix_probe *p = (struct bs_matrix_probe *)bs_matrix_probe_at(m, 0, c);

	memset(&p->observed, 0, sizeof(p->observed));
	p->observed.verdict = v;
	p->observed.error = v == BS_VERDICT_TIMEOUT ? 110 : 0;
}

static void test_peer_drop_is_predicted(void **state)
{
	struct fixture *fx = build(load_hostfw(), BS_FW_READ, 8082);
	size_t c = col_of(fx->m, 1, "192.168.1.10");
	const struct bs_matrix_probe *p = bs_matrix_probe_at(fx->m, 0, c);
	char why[4096];

	(void)state;
	assert_int_equal(p->firewall.outcome, BS_FW_DROP);
	assert_string_equal(bs_matrix_prediction_id(fx->m, p), "dropped");
	assert_string_equal(bs_matrix_predicted_reason(fx->m, p), "no-response");
	assert_false(bs_matrix_probe_predicts_row(fx->m, p, 0));
	observe(fx->m, c, BS_VERDICT_TIMEOUT);
	assert_false(bs_matrix_probe_disagrees(fx->m, p));
	bs_matrix_cell_why(fx->m, 0, c, why, sizeof(why));
	assert_contains(why, "The firewall stops it before any socket is asked: dropped by inet "
	                     "hostfw input, handle 6 (iifname \"wlan0\" tcp dport 8082 drop).");
	assert_contains(why, "Past the firewall, the kernel gives it to #1");
	/* An answer where the rule drops is a real contradiction, and says so. */
	observe(fx->m, c, BS_VERDICT_OPEN);
	assert_true(bs_matrix_probe_disagrees(fx->m, p));
	bs_matrix_cell_why(fx->m, 0, c, why, sizeof(why));
	assert_contains(why, "But the probe saw open (syn-ack), not what that rule sends back");
	done(fx);
}

static void test_host_cell_says_what_outside_meets(void **state)
{
	struct fixture *fx = build(load_hostfw(), BS_FW_READ, 8082);
	size_t c = col_of(fx->m, 0, "192.168.1.10");
	const struct bs_matrix_probe *p = bs_matrix_probe_at(fx->m, 0, c);
	char why[4096];

	(void)state;
	assert_string_equal(bs_matrix_prediction_id(fx->m, p), "open");
	assert_string_equal(bs_matrix_predicted_reason(fx->m, p), "syn-ack");
	assert_true(p->has_outside);
	assert_string_equal(p->outside_iface, "wlan0");
	observe(fx->m, c, BS_VERDICT_OPEN);
	bs_matrix_cell_why(fx->m, 0, c, why, sizeof(why));
	assert_contains(why, "The firewall lets it in: accepted by inet hostfw input, handle 5 "
	                     "(iifname \"lo\" accept).");
	assert_contains(why, "from another machine, arriving on wlan0, it would be dropped by inet "
	                     "hostfw input, handle 6");
	done(fx);
}

static void test_unknowable_rule_predicts_nothing(void **state)
{
	struct fixture *fx = build(load_hostfw(), BS_FW_READ, 8094);
	size_t c = col_of(fx->m, 1, "192.168.1.10");
	const struct bs_matrix_probe *p = bs_matrix_probe_at(fx->m, 0, c);
	char why[4096];

	(void)state;
	assert_int_equal(p->firewall.outcome, BS_FW_DEPENDS);
	assert_string_equal(bs_matrix_prediction_id(fx->m, p), "unknown");
	assert_null(bs_matrix_predicted_reason(fx->m, p));
	observe(fx->m, c, BS_VERDICT_TIMEOUT);
	assert_false(bs_matrix_probe_disagrees(fx->m, p));
	bs_matrix_cell_why(fx->m, 0, c, why, sizeof(why));
	assert_contains(why,
	                "What the firewall does to it depends on inet hostfw input, handle 15");
	done(fx);
}

static void test_not_read_is_said(void **state)
{
	struct fixture *fx = build(NULL, BS_FW_NEEDS_ROOT, 8082);
	size_t c = col_of(fx->m, 1, "192.168.1.10");
	const struct bs_matrix_probe *p = bs_matrix_probe_at(fx->m, 0, c);
	char why[4096];

	(void)state;
	assert_false(p->firewall_known);
	assert_string_equal(bs_matrix_prediction_id(fx->m, p), "open");
	bs_matrix_cell_why(fx->m, 0, c, why, sizeof(why));
	assert_contains(why, "Firewall not read (needs root");
	assert_string_equal(bs_matrix_firewall_why(fx->m),
	                    "firewall not read (needs root: run as root, or sudo bindscope ...)");
	done(fx);
}

/* A listing has no sender: a rule on the source address leaves the interface undecided, and
 * the words name that rule instead of guessing what it matches. */
static void test_listing_names_undecided_rule(void **state)
{
	struct fixture *fx = build(load_hostfw(), BS_FW_READ, 8087);
	const struct bs_fw_ruleset *fw = bs_matrix_firewall(fx->m);
	struct bs_fw_iface_verdict v[16];
	size_t n = bs_fw_socket_exposure(fw, &fx->table.items[0], &fx->ifaces, v, 16);
	char text[2048];

	(void)state;
	bs_fw_socket_exposure_text(fw, &fx->table.items[0], v, n, text, sizeof(text));
	assert_contains(
	    text,
	    "8087: undecided on eth0, wlan0: bindscope cannot tell whether inet hostfw input, "
	    "handle ");
	assert_contains(text, " (ip saddr 192.168.0.0/24 tcp dport 8087 drop) matches a connection "
	                      "arriving there");
	assert_null(strstr(text, "sender"));
	done(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_drop_is_predicted),
	    cmocka_unit_test(test_host_cell_says_what_outside_meets),
	    cmocka_unit_test(test_unknowable_rule_predicts_nothing),
	    cmocka_unit_test(test_not_read_is_said),
	    cmocka_unit_test(test_listing_names_undecided_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
