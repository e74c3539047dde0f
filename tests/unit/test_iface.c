/* Unit tests of the interface list, built from a hand-made getifaddrs chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "bindscope/iface.h"
#include "fake_ifaces.h"

static int fake_mtu(const char *name, void *ctx)
{
	(void)ctx;
	return strcmp(name, "lo") == 0 ? 65536 : 1500;
}

static int setup(void **state)
{
	struct bs_iface_list *list = calloc(1, sizeof(*list));
	struct bs_iface_host host = {.mtu = fake_mtu};
	struct bs_error err;

	assert_int_equal(bs_iface_list_from_ifaddrs(list, fake_chain(), &host, &err), 0);
	*state = list;
	return 0;
}

static int teardown(void **state)
{
	bs_iface_list_free(*state);
	free(*state);
	return 0;
}

static void test_sorted_loopback_first_then_index(void **state)
{
	struct bs_iface_list *list = *state;
	static const char *const order[] = {"lo", "eth0", "wlan0", "v6only", "down0"};

	assert_int_equal(list->count, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(list->items[i].name, order[i]);
}

static void test_several_addresses_ipv4_first(void **state)
{
	const struct bs_iface *eth0 = bs_iface_find(*state, "eth0");

	assert_non_null(eth0);
	assert_int_equal(eth0->naddrs, 3);
	assert_string_equal(eth0->addrs[0].text, "192.168.0.110");
	assert_int_equal(eth0->addrs[0].prefix, 24);
	assert_true(eth0->addrs[0].has_broadcast);
	assert_string_equal(eth0->addrs[0].broadcast_text, "192.168.0.255");
	assert_string_equal(eth0->addrs[1].text, "192.168.0.111");
	assert_string_equal(eth0->addrs[2].text, "fe80::1");
	assert_int_equal(eth0->addrs[2].prefix, 64);
	assert_int_equal(eth0->addrs[2].scope, BS_SCOPE_LINK);
}

static void test_labelled_address_joins_its_interface(void **state)
{
	const struct bs_iface *wlan0 = bs_iface_find(*state, "wlan0");

	assert_null(bs_iface_find(*state, "wlan0:1"));
	assert_non_null(wlan0);
	assert_int_equal(wlan0->naddrs, 2);
	assert_string_equal(wlan0->addrs[1].text, "10.9.9.9");
	assert_int_equal(wlan0->addrs[1].prefix, 8);
}

static void test_loopback_flags_scope_no_mac(void **state)
{
	const struct bs_iface *lo = bs_iface_find(*state, "lo");
	char flags[64];

	assert_int_equal(lo->index, 1);
	assert_int_equal(lo->mtu, 65536);
	assert_false(lo->has_mac);
	assert_false(lo->addrs[0].has_broadcast);
	assert_int_equal(lo->addrs[0].scope, BS_SCOPE_HOST);
	assert_string_equal(lo->addrs[1].text, "::1");
	assert_int_equal(lo->addrs[1].prefix, 128);
	assert_string_equal(bs_scope_name(lo->addrs[1].scope), "host");
	bs_iface_flags_text(lo->flags, flags, sizeof(flags));
	assert_string_equal(flags, "UP,LOOPBACK,RUNNING");
}

static void test_down_interface_without_addresses(void **state)
{
	const struct bs_iface *down = bs_iface_find(*state, "down0");
	char flags[64], mac[18];

	assert_non_null(down);
	assert_int_equal(down->naddrs, 0);
	assert_true(down->has_mac);
	bs_iface_mac_text(down, mac, sizeof(mac));
	assert_string_equal(mac, "02:00:00:00:00:09");
	bs_iface_flags_text(down->flags, flags, sizeof(flags));
	assert_string_equal(flags, "DOWN,BROADCAST");
	assert_null(bs_iface_first_addr(down, AF_INET));
}

static void test_interface_without_ipv4(void **state)
{
	const struct bs_iface *v6 = bs_iface_find(*state, "v6only");

	assert_null(bs_iface_first_addr(v6, AF_INET));
	assert_string_equal(bs_iface_first_addr(v6, AF_INET6)->text, "fe80::2");
}

static void test_owning_and_message_texts(void **state)
{
	struct in_addr a;
	char text[256];

	inet_pton(AF_INET, "192.168.1.10", &a);
	assert_string_equal(bs_iface_owning(*state, AF_INET, &a)->name, "wlan0");
	inet_pton(AF_INET, "192.168.2.20", &a);
	assert_null(bs_iface_owning(*state, AF_INET, &a));
	bs_iface_names_text(*state, text, sizeof(text));
	assert_string_equal(text, "lo, eth0, wlan0, v6only, down0");
	bs_iface_addrs_text(*state, AF_INET, text, sizeof(text));
	assert_string_equal(text,
	                    "127.0.0.1, 192.168.0.110, 192.168.0.111, 192.168.1.10, 10.9.9.9");
}

static void test_real_machine_has_loopback(void **state)
{
	struct bs_iface_list list;
	struct bs_error err;

	(void)state;
	assert_int_equal(bs_iface_list_read(&list, &err), 0);
	assert_true(list.count >= 1);
	/* Every Linux network namespace has lo, and it sorts first. */
	assert_string_equal(list.items[0].name, "lo");
	assert_true(list.items[0].index > 0);
	assert_true(list.items[0].mtu > 0);
	bs_iface_list_free(&list);
	assert_int_equal(list.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sorted_loopback_first_then_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_several_addresses_ipv4_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_labelled_address_joins_its_interface, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_flags_scope_no_mac, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_down_interface_without_addresses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interface_without_ipv4, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_owning_and_message_texts, setup, teardown),
	    cmocka_unit_test(test_real_machine_has_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
