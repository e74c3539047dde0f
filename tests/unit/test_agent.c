/*
 * Unit tests of the agent protocol (agent.h) and the ssh command's words (remote.h): every
 * refusal of a request, with its sentence; requests written and read back; answers checked
 * for count and shape; hosts ssh would misread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bindscope/agent.h"
#include "bindscope/remote.h"

static void refused(const char *line, long long id, const char *sentence)
{
	struct bs_agent_request r;
	struct bs_error err;

	if (bs_agent_request_parse(line, strlen(line), &r, &err) == 0)
		fail_msg("accepted: %s", line);
	assert_int_equal(r.id, id);
	if (strstr(err.msg, sentence) == NULL)
		fail_msg("for %s: '%s' is not in '%s'", line, sentence, err.msg);
	assert_null(r.targets);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("garbage", -1, "the request is not JSON");
	refused("[1,2]", -1, "the request is not a JSON object");
	refused("{\"agent\":1,\"op\":\"hello\"}", -1, "the request has no \"id\"");
	refused("{\"id\":4,\"op\":\"hello\"}", 4, "names no protocol version");
	refused("{\"agent\":2,\"id\":4,\"op\":\"hello\"}", 4,
	        "this agent speaks protocol 1, the request protocol 2: install the same");
	refused("{\"agent\":1,\"id\":5,\"op\":\"listen\"}", 5, "unknown \"op\"");
	refused("{\"agent\":1,\"id\":6,\"op\":\"route\"}", 6, "no \"targets\" list");
	refused("{\"agent\":1,\"id\":6,\"op\":\"route\",\"targets\":[\"192.168.0.110:80\"]}", 6,
	        "target 1 is not an address");
	refused("{\"agent\":1,\"id\":7,\"op\":\"probe\",\"proto\":\"sctp\",\"targets\":[]}", 7,
	        "\"proto\" must be \"tcp\" or \"udp\"");
	refused("{\"agent\":1,\"id\":7,\"op\":\"probe\",\"proto\":\"tcp\",\"timeout_ms\":0,"
	        "\"targets\":[]}",
	        7, "\"timeout_ms\" must be 1 to 30000");
	refused("{\"agent\":1,\"id\":8,\"op\":\"probe\",\"proto\":\"tcp\","
	        "\"targets\":[\"1.2.3.4:80\",7]}",
	        8, "target 2 is not a string");
	refused(
	    "{\"agent\":1,\"id\":8,\"op\":\"probe\",\"proto\":\"tcp\",\"targets\":[\"eth0:80\"]}",
	    8, "target 1 is not an ADDR:PORT");
	refused("{\"agent\":1,\"id\":9,\"id\":10,\"op\":\"hello\"}", -1, "not JSON");
}

/* What the client writes, the agent reads: op, id, protocol and every target. */
static void test_requests_read_back(void **state)
{
	struct bs_endpoint t[2];
	struct bs_agent_request r;
	struct bs_error err;
	json_t *j;
	char *text;

	(void)state;
	assert_int_equal(bs_endpoint_parse("192.168.0.110:8082", NULL, &t[0], &err), 0);
	assert_int_equal(bs_endpoint_parse("[fd00::110]:53", NULL, &t[1], &err), 0);
	j = bs_agent_probe_request(3, BS_PROTO_UDP, 700, t, 2);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_int_equal(bs_agent_request_parse(text, strlen(text), &r, &err), 0);
	free(text);
	assert_int_equal(r.op, BS_AGENT_PROBE);
	assert_int_equal(r.id, 3);
	assert_int_equal(r.proto, BS_PROTO_UDP);
	assert_int_equal(r.timeout_ms, 700);
	assert_int_equal(r.ntargets, 2);
	assert_true(bs_endpoint_equal(&r.targets[0], &t[0]));
	assert_true(bs_endpoint_equal(&r.targets[1], &t[1]));
	bs_agent_request_free(&r);

	j = bs_agent_route_request(4, t, 2);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_non_null(strstr(text, "\"targets\":[\"192.168.0.110\",\"fd00::110\"]"));
	assert_int_equal(bs_agent_request_parse(text, strlen(text), &r, &err), 0);
	free(text);
	assert_int_equal(r.op, BS_AGENT_ROUTE);
	assert_int_equal(r.ntargets, 2);
	assert_true(bs_endpoint_same_addr(&r.targets[1], &t[1]));
	assert_int_equal(r.targets[1].port, 0);
	bs_agent_request_free(&r);
}

static json_t *load(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void test_answers_checked(void **state)
{
	struct bs_probe_result res[2];
	struct bs_route routes[2];
	struct bs_error err;
	uint32_t token = 0;
	json_t *a;

	(void)state;
	a = load("{\"agent\":1,\"id\":3,\"ok\":true,\"token\":77,\"results\":["
	         "{\"verdict\":\"open\",\"errno\":0,\"latency_us\":180,\"source_port\":40112},"
	         "{\"verdict\":\"unreachable\",\"errno\":113,\"icmp\":true,\"icmp_type\":3,"
	         "\"icmp_code\":13}]}");
	assert_int_equal(bs_agent_results_parse(a, res, 2, &token, &err), 0);
	assert_int_equal(token, 77);
	assert_int_equal(res[0].verdict, BS_VERDICT_OPEN);
	assert_int_equal(res[0].source_port, 40112);
	assert_int_equal(res[0].latency_us, 180);
	assert_int_equal(res[1].verdict, BS_VERDICT_UNREACHABLE);
	assert_int_equal(res[1].error, 113);
	assert_true(res[1].icmp);
	assert_int_equal(res[1].icmp_code, 13);
	/* One result for two targets is not an answer: nothing is guessed for the other. */
	assert_int_equal(bs_agent_results_parse(a, res, 3, &token, &err), -1);
	assert_non_null(strstr(err.msg, "has 2 results for 3 targets"));
	json_decref(a);
	a = load("{\"results\":[{\"verdict\":\"maybe\"}]}");
	assert_int_equal(bs_agent_results_parse(a, res, 1, &token, &err), -1);
	assert_non_null(strstr(err.msg, "result 1 has no known verdict"));
	json_decref(a);

	a = load("{\"routes\":[{\"found\":true,\"errno\":0,\"gateway\":\"192.168.0.1\"},"
	         "{\"found\":false,\"errno\":101,\"gateway\":null}]}");
	assert_int_equal(bs_agent_routes_parse(a, routes, 2, &err), 0);
	assert_true(routes[0].found && routes[0].has_gateway);
	assert_false(routes[1].found || routes[1].has_gateway);
	assert_int_equal(routes[1].error, 101);
	json_decref(a);
	a = load("{\"routes\":[{\"found\":true,\"gateway\":\"the router\"}]}");
	assert_int_equal(bs_agent_routes_parse(a, routes, 1, &err), -1);
	assert_non_null(strstr(err.msg, "a gateway that is not an address"));
	json_decref(a);
}

static void test_hosts_and_commands(void **state)
{
	struct bs_error err;
	char buf[128], *w[8];

	(void)state;
	assert_int_equal(bs_remote_host_check("student@pc2.lab", &err), 0);
	assert_int_equal(bs_remote_host_check("-oProxyCommand=x", &err), -1);
	assert_non_null(strstr(err.msg, "cannot start with '-'"));
	assert_int_equal(bs_remote_host_check("pc 2", &err), -1);
	assert_int_equal(bs_remote_host_check("pc\n2", &err), -1);
	assert_int_equal(bs_remote_host_check("", &err), -1);

	assert_int_equal(bs_remote_split_command("ssh -F 'my lab.conf'  -o \"User x\"", buf,
	                                         sizeof(buf), w, 8, &err),
	                 5);
	assert_string_equal(w[0], "ssh");
	assert_string_equal(w[2], "my lab.conf");
	assert_string_equal(w[4], "User x");
	assert_int_equal(bs_remote_split_command("ssh -F 'lab.conf", buf, sizeof(buf), w, 8, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "an unclosed '"));
	assert_int_equal(bs_remote_split_command("   ", buf, sizeof(buf), w, 8, &err), -1);
	assert_int_equal(bs_remote_split_command("a b c", buf, sizeof(buf), w, 2, &err), -1);
	assert_non_null(strstr(err.msg, "more than 2 words"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_requests_read_back),
	    cmocka_unit_test(test_answers_checked),
	    cmocka_unit_test(test_hosts_and_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
