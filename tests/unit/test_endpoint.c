/* Unit tests of the endpoint parser: every accepted form, and a table of rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "bindscope/endpoint.h"
#include "fake_ifaces.h"

static struct bs_iface_list ifaces;

static int setup(void **state)
{
	struct bs_error err;

	(void)state;
	return bs_iface_list_from_ifaddrs(&ifaces, fake_chain(), NULL, &err);
}

static int teardown(void **state)
{
	(void)state;
	bs_iface_list_free(&ifaces);
	return 0;
}

struct good_case {
	const char *input;
	const char *printed; /* bs_endpoint_text of the result */
	int family;
	const char *ifname;
	bool port_only;
};

static void test_accepted_forms(void **state)
{
	static const struct good_case cases[] = {
	    {"8082", "0.0.0.0:8082", AF_INET, "", true},
	    {"1", "0.0.0.0:1", AF_INET, "", true},
	    {"65535", "0.0.0.0:65535", AF_INET, "", true},
	    {"192.168.1.10:8082", "192.168.1.10:8082", AF_INET, "", false},
	    {"0.0.0.0:8081", "0.0.0.0:8081", AF_INET, "", false},
	    {"*:8081", "0.0.0.0:8081", AF_INET, "", false},
	    {"localhost:80", "127.0.0.1:80", AF_INET, "", false},
	    {"wlan0:8082", "192.168.1.10:8082", AF_INET, "wlan0", false},
	    {"eth0:8082", "192.168.0.110:8082", AF_INET, "eth0", false},
	    {"[::1]:8082", "[::1]:8082", AF_INET6, "", false},
	    {"[::]:8082", "[::]:8082", AF_INET6, "", false},
	    {"[fe80::1%eth0]:8082", "[fe80::1%eth0]:8082", AF_INET6, "eth0", false},
	    {"[fe80::1%2]:8082", "[fe80::1%eth0]:8082", AF_INET6, "eth0", false},
	    {"[2001:db8::5]:00443", "[2001:db8::5]:443", AF_INET6, "", false},
	};
	struct bs_endpoint ep;
	struct bs_error err;
	char text[BS_ENDPOINT_TEXT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = '\0';
		if (bs_endpoint_parse(cases[i].input, &ifaces, &ep, &err) != 0)
			fail_msg("'%s' was rejected: %s", cases[i].input, err.msg);
		bs_endpoint_text(&ep, text, sizeof(text));
		assert_string_equal(text, cases[i].printed);
		assert_int_equal(ep.family, cases[i].family);
		assert_string_equal(ep.ifname, cases[i].ifname);
		assert_int_equal(ep.port_only, cases[i].port_only);
	}
}

static void test_scope_resolves_to_index(void **state)
{
	struct bs_endpoint ep;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_endpoint_parse("[fe80::1%eth0]:22", &ifaces, &ep, &err), 0);
	assert_int_equal(((struct sockaddr_in6 *)&ep.addr)->sin6_scope_id, 2);
	assert_int_equal(ep.addrlen, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ep.addr)->sin6_port), 22);
}

static void test_wildcard(void **state)
{
	struct bs_endpoint ep;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_endpoint_parse("0.0.0.0:1", &ifaces, &ep, &err), 0);
	assert_true(bs_endpoint_is_wildcard(&ep));
	assert_int_equal(bs_endpoint_parse("[::]:1", &ifaces, &ep, &err), 0);
	assert_true(bs_endpoint_is_wildcard(&ep));
	assert_int_equal(bs_endpoint_parse("127.0.0.1:1", &ifaces, &ep, &err), 0);
	assert_false(bs_endpoint_is_wildcard(&ep));
}

struct bad_case {
	const char *input;
	const char *message;
};

static void test_rejections_each_have_their_sentence(void **state)
{
	static const struct bad_case cases[] = {
	    {"", "no address given: write PORT, ADDR:PORT, [IPV6]:PORT or IFNAME:PORT, "
	         "e.g. 192.168.1.10:8082"},
	    {"0", "\"0\": port 0 is not a port you can choose (the kernel reads it as 'any free "
	          "port'): ports are whole numbers from 1 to 65535"},
	    {"65536", "\"65536\": port 65536 is too large: the largest port is 65535"},
	    {"99999999999999999999", "\"99999999999999999999\": port 99999999999999999999 is "
	                             "too large: the largest port is 65535"},
	    {"-1", "\"-1\": port -1 is negative: ports are whole numbers from 1 to 65535"},
	    {"1111111111222222222233333333334444444444555555555566666666667777777777888888888899"
	     "999999999900000000001111111111222222222233333333334444444444:80",
	     "the address given is 145 characters long (it begins "
	     "\"111111111122222222223333...\"); "
	     "an address and port is at most 128, e.g. 192.168.1.10:8082 or [fe80::1%eth0]:8082"},
	    {"abc", "\"abc\": port 'abc' is not a number: ports are whole numbers from 1 to "
	            "65535"},
	    {"127.0.0.1:", "\"127.0.0.1:\": no port given: ports are whole numbers from 1 to "
	                   "65535"},
	    {"127.0.0.1:80x", "\"127.0.0.1:80x\": port '80x' has 'x' after the number: ports "
	                      "are whole numbers from 1 to 65535"},
	    {"127.0.0.1:8082 ", "\"127.0.0.1:8082 \": port '8082 ' has ' ' after the number: "
	                        "ports are whole numbers from 1 to 65535"},
	    {"wlan9:8082", "\"wlan9:8082\": 'wlan9' is neither an IPv4 address nor an interface "
	                   "on this machine (interfaces: lo, eth0, wlan0, v6only, down0)"},
	    {"v6only:8082", "\"v6only:8082\": interface v6only has no IPv4 address (it has IPv6 "
	                    "fe80::2: write it in brackets, e.g. [fe80::2%v6only]:PORT)"},
	    {"down0:8082", "\"down0:8082\": interface down0 has no IPv4 address (it has no "
	                   "address at all; it is down)"},
	    {"192.168.1.300:8082", "\"192.168.1.300:8082\": '192.168.1.300' is not a valid IPv4 "
	                           "address (four numbers 0-255 separated by dots, e.g. "
	                           "192.168.1.10)"},
	    {"192.168.1:8082", "\"192.168.1:8082\": '192.168.1' is not a valid IPv4 address "
	                       "(four numbers 0-255 separated by dots, e.g. 192.168.1.10)"},
	    {"[::1:8082", "\"[::1:8082\" is missing the closing ']' of the IPv6 address: write "
	                  "e.g. [::1]:8082"},
	    {"[::1]", "\"[::1]\" has no port: add one after the ']', e.g. [::1]:8082"},
	    {"[::1]8082", "\"[::1]8082\" has '8082' after the ']' where ':PORT' should be: "
	                  "write e.g. [::1]:8082"},
	    {"[::g]:80", "\"[::g]:80\": '::g' is not a valid IPv6 address"},
	    {"[fe80::1]:80", "\"[fe80::1]:80\": fe80::1 is a link-local address and needs its "
	                     "interface, e.g. [fe80::1%eth0]:PORT"},
	    {"[fe80::1%nope]:80", "\"[fe80::1%nope]:80\": no interface named or numbered 'nope' "
	                          "for the scope (interfaces: lo, eth0, wlan0, v6only, down0)"},
	    /* Found by fuzzing: index 0 is no interface, and printing it lost the scope. */
	    {"[fe80::1%000]:8", "\"[fe80::1%000]:8\": no interface named or numbered '000' "
	                        "for the scope (interfaces: lo, eth0, wlan0, v6only, down0)"},
	    {"[fe80::1%99]:8", "\"[fe80::1%99]:8\": no interface named or numbered '99' "
	                       "for the scope (interfaces: lo, eth0, wlan0, v6only, down0)"},
	    {"::1:8082", "\"::1:8082\": an IPv6 address needs brackets around it, e.g. "
	                 "[::1]:8082"},
	    {"a:b:c", "\"a:b:c\" has too many ':' to be ADDR:PORT (IPv6 addresses go in "
	              "brackets: [::1]:8082)"},
	    {":8082", "\":8082\" has no address before the ':': write 0.0.0.0:8082 for all "
	              "interfaces or an address such as 127.0.0.1:8082"},
	    {"wlan0", "\"wlan0\" has no port: write wlan0:PORT, e.g. wlan0:8082"},
	    {"192.168.1.10", "\"192.168.1.10\" has no port: write 192.168.1.10:PORT, e.g. "
	                     "192.168.1.10:8082"},
	};
	struct bs_endpoint ep;
	struct bs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (bs_endpoint_parse(cases[i].input, &ifaces, &ep, &err) == 0)
			fail_msg("'%s' was accepted", cases[i].input);
		assert_string_equal(err.msg, cases[i].message);
		assert_int_equal(err.code, 0);
	}
}

static void test_port_ranges(void **state)
{
	uint16_t lo, hi;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_port_range_parse("1-65535", &lo, &hi, &err), 0);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 65535);
	assert_int_equal(bs_port_range_parse("8080", &lo, &hi, &err), 0);
	assert_int_equal(lo, 8080);
	assert_int_equal(hi, 8080);
	assert_int_equal(bs_port_range_parse("90-80", &lo, &hi, &err), -1);
	assert_string_equal(err.msg, "port range '90-80' runs backwards: write the lower port "
	                             "first, e.g. 80-90");
	assert_int_equal(bs_port_range_parse("1-70000", &lo, &hi, &err), -1);
	assert_string_equal(err.msg, "port 70000 is too large: the largest port is 65535");
}

static void test_sockaddr_text(void **state)
{
	struct sockaddr_in6 mapped = {.sin6_family = AF_INET6, .sin6_port = htons(5000)};
	char text[BS_ENDPOINT_TEXT_MAX];

	(void)state;
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
	bs_sockaddr_text((struct sockaddr *)&mapped, sizeof(mapped), text, sizeof(text));
	assert_string_equal(text, "[::ffff:127.0.0.1]:5000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted_forms),
	    cmocka_unit_test(test_scope_resolves_to_index),
	    cmocka_unit_test(test_wildcard),
	    cmocka_unit_test(test_rejections_each_have_their_sentence),
	    cmocka_unit_test(test_port_ranges),
	    cmocka_unit_test(test_sockaddr_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
