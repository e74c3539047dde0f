/*
 * Unit tests of the exposure matrix: predictions, disagreements and explanations from
 * hand-built listeners, interfaces and probe results. No sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "bindscope/exposure.h"
#include "fake_ifaces.h"

static struct bs_iface_list ifaces;
static struct bs_exposure_target targets[32];
static size_t ntargets;

static int setup(void **state)
{
	struct bs_error err;

	(void)state;
	if (bs_iface_list_from_ifaddrs(&ifaces, fake_chain(), NULL, &err) < 0)
		return -1;
	ntargets = bs_exposure_targets(&ifaces, true, targets, 32);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bs_iface_list_free(&ifaces);
	return 0;
}

static struct bs_exposure_listener listener(const char *text, bool v6only)
{
	struct bs_exposure_listener l = {.proto = BS_PROTO_TCP, .v6only = v6only};

	assert_int_equal(bs_endpoint_parse(text, &ifaces, &l.bound, NULL), 0);
	return l;
}

static const struct bs_exposure_target *target(const char *text)
{
	for (size_t i = 0; i < ntargets; i++)
		if (strcmp(targets[i].text, text) == 0 && targets[i].kind == BS_TARGET_ADDRESS)
			return &targets[i];
	for (size_t i = 0; i < ntargets; i++)
		if (strcmp(targets[i].label, text) == 0)
			return &targets[i];
	fail_msg("no target %s", text);
	return NULL;
}

static void test_targets_of_up_interfaces_then_aliases(void **state)
{
	static const char *const expected[] = {
	    "lo 127.0.0.1",       "eth0 192.168.0.110",
	    "eth0 192.168.0.111", "wlan0 192.168.1.10",
	    "wlan0 10.9.9.9",     "localhost 127.0.0.1",
	    "0.0.0.0 0.0.0.0",    "lo ::1",
	    "eth0 fe80::1%eth0",  "v6only fe80::2%v6only",
	    "localhost ::1",      ":: ::",
	};
	char text[128];

	(void)state;
	/* down0 is down: no target. */
	assert_int_equal(ntargets, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < ntargets; i++) {
		snprintf(text, sizeof(text), "%s %s", targets[i].label, targets[i].text);
		assert_string_equal(text, expected[i]);
	}
}

/* The seed's lesson: a row of predictions over lo, eth0, wlan0, localhost, 0.0.0.0. */
static void expect_row(const char *bound, bool v6only, const char *pattern)
{
	struct bs_exposure_listener l = listener(bound, v6only);
	static const char *const cols[] = {
	    "127.0.0.1", "192.168.0.110", "192.168.1.10", "localhost", "0.0.0.0", "::1", "::"};
	char got[8] = "";

	for (size_t i = 0; i < 7; i++)
		got[i] = bs_exposure_predict(&l, target(cols[i])) ? 'o' : '.';
	got[7] = '\0';
	if (strcmp(got, pattern) != 0)
		fail_msg("%s (v6only %d): predicted %s, expected %s", bound, v6only, got, pattern);
}

static void test_predictions_follow_linux_rules(void **state)
{
	(void)state;
	expect_row("0.0.0.0:8081", false, "ooooo..");      /* wildcard: every IPv4 address */
	expect_row("192.168.1.10:8082", false, "..o...."); /* one address only */
	expect_row("127.0.0.1:8083", false, "o..oo..");    /* 0.0.0.0 goes to 127.0.0.1 */
	expect_row("[::]:8084", false, "ooooooo");         /* dual-stack takes IPv4 too */
	expect_row("[::]:8084", true, ".....oo");          /* v6only: IPv6 only */
	expect_row("[::1]:8085", false, ".....oo");        /* :: goes to ::1 */
}

static void test_disagreement_is_flagged_and_explained(void **state)
{
	struct bs_exposure_listener l = listener("0.0.0.0:8081", false);
	struct bs_probe_result refused = {.verdict = BS_VERDICT_REFUSED};
	struct bs_probe_result open = {.verdict = BS_VERDICT_OPEN};
	struct bs_exposure_cell cell;

	(void)state;
	bs_exposure_cell_eval(&l, target("192.168.1.10"), &open, &cell);
	assert_true(cell.predicted);
	assert_false(cell.disagree);
	bs_exposure_cell_eval(&l, target("192.168.1.10"), &refused, &cell);
	assert_true(cell.disagree);
	assert_non_null(strstr(cell.why, "But the probe saw refused"));
	/* A UDP silence contradicts nothing. */
	struct bs_probe_result silent = {.verdict = BS_VERDICT_OPEN_FILTERED};
	bs_exposure_cell_eval(&l, target("192.168.1.10"), &silent, &cell);
	assert_false(cell.disagree);
	/* Not probed: no verdict, no flag. */
	bs_exposure_cell_eval(&l, target("192.168.1.10"), NULL, &cell);
	assert_int_equal(cell.observed, BS_VERDICT_PENDING);
	assert_false(cell.disagree);
}

static void test_explanations_name_the_rule(void **state)
{
	struct bs_exposure_listener specific = listener("192.168.1.10:8082", false);
	struct bs_exposure_listener wild = listener("0.0.0.0:8081", false);
	struct bs_exposure_listener dual = listener("[::]:8084", false);
	struct bs_exposure_listener v6 = listener("[::]:8084", true);
	struct bs_exposure_cell cell;

	(void)state;
	bs_exposure_cell_eval(&specific, target("192.168.0.110"), NULL, &cell);
	assert_string_equal(cell.why,
	                    "bound to 192.168.1.10 only: 192.168.0.110 is another address "
	                    "of this machine (eth0), so the kernel refuses the connection "
	                    "(a reset).");
	bs_exposure_cell_eval(&wild, target("0.0.0.0"), NULL, &cell);
	assert_string_equal(cell.why,
	                    "connecting to 0.0.0.0 goes to 127.0.0.1 on Linux; 0.0.0.0 is "
	                    "the wildcard: every address of this machine reaches it, on "
	                    "every network it is on.");
	bs_exposure_cell_eval(&dual, target("192.168.1.10"), NULL, &cell);
	assert_string_equal(cell.why, "[::] with IPV6_V6ONLY off takes IPv4 too: 192.168.1.10 "
	                              "arrives as ::ffff:192.168.1.10.");
	bs_exposure_cell_eval(&v6, target("127.0.0.1"), NULL, &cell);
	assert_non_null(strstr(cell.why, "IPV6_V6ONLY on takes IPv6 only"));
	bs_exposure_cell_eval(&wild, target("::1"), NULL, &cell);
	assert_string_equal(cell.why, "an IPv4 socket never sees IPv6 connections; bind [::] for "
	                              "those.");
}

static void test_summary_and_commands(void **state)
{
	struct bs_exposure_listener wild = listener("0.0.0.0:8081", false);
	struct bs_exposure_listener wlan = listener("wlan0:8082", false);
	char text[512];

	(void)state;
	bs_exposure_summary(&wild, &ifaces, text, sizeof(text));
	assert_non_null(strstr(text, "reachable on every IPv4 address of this machine (lo, eth0, "
	                             "wlan0, v6only)"));
	bs_exposure_summary(&wlan, &ifaces, text, sizeof(text));
	assert_string_equal(text, "tcp 192.168.1.10:8082 is bound to one address of wlan0: only "
	                          "connections to that address reach it; every other address "
	                          "refuses.");
	bs_exposure_socat_command(&wlan, text, sizeof(text));
	assert_string_equal(text,
	                    "socat TCP4-LISTEN:8082,bind=192.168.1.10,fork,reuseaddr /dev/null");
	bs_exposure_nc_command(&wlan, target("127.0.0.1"), text, sizeof(text));
	assert_string_equal(text, "nc -4 -vz 127.0.0.1 8082");
	bs_exposure_ss_command(&wlan, text, sizeof(text));
	assert_string_equal(text, "ss -ltn 'sport = :8082'");
}

static void test_inference_from_observations(void **state)
{
	struct bs_probe_result r[32];
	char text[256];

	(void)state;
	for (size_t i = 0; i < ntargets; i++)
		r[i].verdict =
		    targets[i].addr.family == AF_INET ? BS_VERDICT_OPEN : BS_VERDICT_REFUSED;
	bs_exposure_infer(targets, r, 7, 9002, text, sizeof(text));
	assert_non_null(
	    strstr(text, "port 9002 is open on every address: it is bound to a wildcard"));
	for (size_t i = 0; i < ntargets; i++)
		r[i].verdict = strcmp(targets[i].text, "127.0.0.1") == 0 ? BS_VERDICT_OPEN
		                                                         : BS_VERDICT_REFUSED;
	bs_exposure_infer(targets, r, ntargets, 9001, text, sizeof(text));
	assert_string_equal(text,
	                    "port 9001 is open on loopback only (127.0.0.1): only programs on "
	                    "this machine reach it.");
	for (size_t i = 0; i < ntargets; i++)
		r[i].verdict = strcmp(targets[i].text, "192.168.1.10") == 0 ? BS_VERDICT_OPEN
		                                                            : BS_VERDICT_REFUSED;
	bs_exposure_infer(targets, r, ntargets, 9003, text, sizeof(text));
	assert_string_equal(text, "port 9003 is open only on 192.168.1.10: it is bound to that "
	                          "address.");
	for (size_t i = 0; i < ntargets; i++)
		r[i].verdict = BS_VERDICT_REFUSED;
	bs_exposure_infer(targets, r, ntargets, 9004, text, sizeof(text));
	assert_string_equal(text, "nothing accepts connections on port 9004 from this host.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_targets_of_up_interfaces_then_aliases),
	    cmocka_unit_test(test_predictions_follow_linux_rules),
	    cmocka_unit_test(test_disagreement_is_flagged_and_explained),
	    cmocka_unit_test(test_explanations_name_the_rule),
	    cmocka_unit_test(test_summary_and_commands),
	    cmocka_unit_test(test_inference_from_observations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
