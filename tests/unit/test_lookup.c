/*
 * Unit tests of the kernel's socket lookup model (lookup.h): hand-built socket tables and
 * hand-built interfaces, no sockets. One test per rule in lookup.h; each says what it guards.
 * tests/unit/test_lookup_kernel.c checks the same rules against the real kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "bindscope/lookup.h"
#include "fake_ifaces.h"

#define LO    1u /* the fake chain's indexes (fake_ifaces.h) */
#define ETH0  2u
#define WLAN0 3u

static struct bs_iface_list ifaces;

/* The seed's machine (fake_ifaces.h) plus an address on an interface that is down. */
static int setup(void **state)
{
	struct bs_error err;

	(void)state;
	fake_chain();
	fake_v4("down0", IFF_BROADCAST, "10.77.0.1", "255.255.255.0", NULL);
	return bs_iface_list_from_ifaddrs(&ifaces, &fake_entries[0].ifa, NULL, &err);
}

static int teardown(void **state)
{
	(void)state;
	bs_iface_list_free(&ifaces);
	return 0;
}

static struct bs_endpoint ep(const char *text)
{
	struct bs_endpoint e;
	struct bs_error err;

	if (bs_endpoint_parse(text, &ifaces, &e, &err) < 0)
		fail_msg("cannot parse %s: %s", text, err.msg);
	return e;
}

/* A socket as sock_diag reports it; v6only is forced to -1 for IPv4. */
static struct bs_socket sock(enum bs_proto proto, const char *local, int v6only, unsigned ifindex,
                             int reuseport)
{
	struct bs_socket s;

	memset(&s, 0, sizeof(s));
	s.proto = proto;
	s.local = ep(local);
	s.v6only = s.local.family == AF_INET6 ? v6only : -1;
	s.bound_ifindex = ifindex;
	s.reuseport = reuseport;
	s.uid = 1000;
	return s;
}

#define TCP(local)        sock(BS_PROTO_TCP, local, 0, 0, -1)
#define TCP_V6ONLY(local) sock(BS_PROTO_TCP, local, 1, 0, -1)
#define UDP(local)        sock(BS_PROTO_UDP, local, 0, 0, -1)
#define N(a)              (sizeof(a) / sizeof((a)[0]))

/* A query built by hand, so each test states its arrival device itself. */
static struct bs_lookup_query query(enum bs_proto proto, const char *dst, unsigned arrival)
{
	struct bs_lookup_query q = {.proto = proto, .dst = ep(dst), .arrival_ifindex = arrival};

	q.dst_local = bs_lookup_is_local(&ifaces, &q.dst);
	return q;
}

static struct bs_lookup_answer look(const struct bs_socket *socks, size_t n,
                                    const struct bs_lookup_query *q)
{
	struct bs_lookup_answer a;

	bs_lookup(socks, n, q, &a);
	return a;
}

/* dst (arriving on lo) is taken by exactly socks[winner], found in the given pass. */
static void expect_socket(const struct bs_socket *socks, size_t n, enum bs_proto proto,
                          const char *dst, size_t winner, enum bs_lookup_pass pass)
{
	struct bs_lookup_query q = query(proto, dst, LO);
	struct bs_lookup_answer a = look(socks, n, &q);

	if (a.outcome != BS_LOOKUP_SOCKET || a.winner != winner || a.pass != pass)
		fail_msg("%s: outcome %d winner %zu pass %d, expected SOCKET winner %zu pass %d",
		         dst, (int)a.outcome, a.winner, (int)a.pass, winner, (int)pass);
	assert_int_equal(a.count, 1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(bs_lookup_takes(socks, n, &q, &a, i), i == winner);
}

/* Nothing takes dst (arriving on lo), and every socket says so. */
static void expect_none(const struct bs_socket *socks, size_t n, enum bs_proto proto,
                        const char *dst)
{
	struct bs_lookup_query q = query(proto, dst, LO);
	struct bs_lookup_answer a = look(socks, n, &q);

	if (a.outcome != BS_LOOKUP_NONE)
		fail_msg("%s: outcome %d (winner %zu), expected NONE", dst, (int)a.outcome,
		         a.winner);
	for (size_t i = 0; i < n; i++)
		assert_false(bs_lookup_takes(socks, n, &q, &a, i));
}

/* Guards the two passes: the exact address first, the wildcard only when that finds nothing,
 * whatever order the table lists them in. */
static void test_most_specific_wins_over_wildcard(void **state)
{
	struct bs_socket socks[] = {TCP("127.0.0.1:8082"), TCP("0.0.0.0:8082")};
	struct bs_socket reversed[] = {TCP("0.0.0.0:8082"), TCP("127.0.0.1:8082")};

	(void)state;
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.1:8082", 0, BS_PASS_EXACT);
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.2:8082", 1, BS_PASS_WILDCARD);
	expect_socket(socks, N(socks), BS_PROTO_TCP, "192.168.0.110:8082", 1, BS_PASS_WILDCARD);
	expect_socket(reversed, N(reversed), BS_PROTO_TCP, "127.0.0.1:8082", 1, BS_PASS_EXACT);
	expect_socket(reversed, N(reversed), BS_PROTO_TCP, "127.0.0.2:8082", 0, BS_PASS_WILDCARD);
}

/* Guards that a specific socket takes its own address and nothing else: no wildcard here. */
static void test_two_specific_sockets_each_take_their_own(void **state)
{
	struct bs_socket socks[] = {TCP("127.0.0.1:8082"), TCP("192.168.0.110:8082")};

	(void)state;
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.1:8082", 0, BS_PASS_EXACT);
	expect_socket(socks, N(socks), BS_PROTO_TCP, "192.168.0.110:8082", 1, BS_PASS_EXACT);
	expect_none(socks, N(socks), BS_PROTO_TCP, "127.0.0.2:8082");
	expect_none(socks, N(socks), BS_PROTO_TCP, "192.168.0.111:8082");
	expect_none(socks, N(socks), BS_PROTO_TCP, "192.168.1.10:8082");
	expect_none(socks, N(socks), BS_PROTO_TCP, "[::1]:8082");
}

/* Guards IPV6_V6ONLY: IPv4 reaches [::] only when it is off; IPv6 reaches it either way. */
static void test_ipv4_reaches_dual_stack_only_without_v6only(void **state)
{
	struct bs_socket dual[] = {TCP("[::]:8082")};
	struct bs_socket v6only[] = {TCP_V6ONLY("[::]:8082")};

	(void)state;
	expect_socket(dual, 1, BS_PROTO_TCP, "127.0.0.1:8082", 0, BS_PASS_WILDCARD);
	expect_socket(dual, 1, BS_PROTO_TCP, "192.168.0.110:8082", 0, BS_PASS_WILDCARD);
	expect_socket(dual, 1, BS_PROTO_TCP, "[::1]:8082", 0, BS_PASS_WILDCARD);
	expect_none(v6only, 1, BS_PROTO_TCP, "127.0.0.1:8082");
	expect_none(v6only, 1, BS_PROTO_TCP, "192.168.0.110:8082");
	expect_socket(v6only, 1, BS_PROTO_TCP, "[::1]:8082", 0, BS_PASS_WILDCARD);
}

/* Guards ::ffff:a.b.c.d: bound to the IPv4 address a.b.c.d exactly, in the exact pass, and
 * to no IPv6 address and no other IPv4 address. */
static void test_v4_mapped_socket_takes_its_ipv4_exactly(void **state)
{
	struct bs_socket socks[] = {TCP("[::ffff:127.0.0.1]:8082"), TCP("0.0.0.0:8082")};
	struct bs_socket alone[] = {TCP("[::ffff:192.168.0.110]:8082")};

	(void)state;
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.1:8082", 0, BS_PASS_EXACT);
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.2:8082", 1, BS_PASS_WILDCARD);
	expect_none(socks, N(socks), BS_PROTO_TCP, "[::1]:8082");
	expect_socket(alone, 1, BS_PROTO_TCP, "192.168.0.110:8082", 0, BS_PASS_EXACT);
	expect_none(alone, 1, BS_PROTO_TCP, "192.168.0.111:8082");
	expect_none(alone, 1, BS_PROTO_TCP, "127.0.0.1:8082");
}

/* Guards that IPv6 never reaches an IPv4 socket, wildcard or not. */
static void test_ipv6_never_reaches_an_ipv4_socket(void **state)
{
	struct bs_socket socks[] = {TCP("0.0.0.0:8082"), TCP("127.0.0.1:8082"),
	                            UDP("0.0.0.0:8082")};
	struct bs_socket with_v6[] = {TCP("0.0.0.0:8082"), TCP_V6ONLY("[::]:8082")};

	(void)state;
	expect_none(socks, N(socks), BS_PROTO_TCP, "[::1]:8082");
	expect_none(socks, N(socks), BS_PROTO_TCP, "[fe80::1%eth0]:8082");
	expect_none(socks, N(socks), BS_PROTO_UDP, "[::1]:8082");
	expect_socket(with_v6, N(with_v6), BS_PROTO_TCP, "[::1]:8082", 1, BS_PASS_WILDCARD);
	expect_socket(with_v6, N(with_v6), BS_PROTO_TCP, "127.0.0.1:8082", 0, BS_PASS_WILDCARD);
}

/* Guards SO_BINDTODEVICE: a device-bound socket takes only what arrives on its device, is
 * scores -1 (kept out) otherwise, and outscores an unbound socket where it does take part. */
static void test_bindtodevice_restricts_arrival(void **state)
{
	struct bs_socket eth0[] = {sock(BS_PROTO_TCP, "0.0.0.0:8082", -1, ETH0, -1)};
	struct bs_socket both[] = {TCP("0.0.0.0:8082"),
	                           sock(BS_PROTO_TCP, "0.0.0.0:8082", -1, ETH0, -1)};
	struct bs_lookup_query on_lo = query(BS_PROTO_TCP, "192.168.0.110:8082", LO);
	struct bs_lookup_query on_eth0 = query(BS_PROTO_TCP, "192.168.0.110:8082", ETH0);
	struct bs_lookup_answer a;

	(void)state;
	a = look(eth0, 1, &on_lo);
	assert_int_equal(a.outcome, BS_LOOKUP_NONE);
	assert_int_equal(bs_lookup_score(&eth0[0], &on_lo, BS_PASS_WILDCARD), -1);
	a = look(eth0, 1, &on_eth0);
	assert_int_equal(a.outcome, BS_LOOKUP_SOCKET);
	assert_int_equal(a.winner, 0);
	/* Beside an unbound socket: the device wins on its device, the unbound one elsewhere. */
	assert_int_equal(bs_lookup_score(&both[0], &on_eth0, BS_PASS_WILDCARD), 2);
	assert_int_equal(bs_lookup_score(&both[1], &on_eth0, BS_PASS_WILDCARD), 3);
	a = look(both, 2, &on_eth0);
	assert_int_equal(a.outcome, BS_LOOKUP_SOCKET);
	assert_int_equal(a.winner, 1);
	assert_int_equal(a.score, 3);
	a = look(both, 2, &on_lo);
	assert_int_equal(a.outcome, BS_LOOKUP_SOCKET);
	assert_int_equal(a.winner, 0);
	assert_int_equal(bs_lookup_score(&both[1], &on_lo, BS_PASS_WILDCARD), -1);
	/* Loopback traffic, and eth0's address reached through wlan0, are not eth0's. */
	on_lo = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);
	assert_int_equal(look(eth0, 1, &on_lo).outcome, BS_LOOKUP_NONE);
	on_lo = query(BS_PROTO_TCP, "192.168.0.110:8082", WLAN0);
	assert_int_equal(look(eth0, 1, &on_lo).outcome, BS_LOOKUP_NONE);
	assert_int_equal(look(both, 2, &on_lo).winner, 0);
}

/* Guards TCP scoring: device-bound 2 else 1, plus 1 for an IPv4 socket, so [::]%dev ties an
 * unbound 0.0.0.0 for IPv4 and the answer is "one of them". */
static void test_tcp_scoring(void **state)
{
	struct bs_socket socks[] = {TCP("0.0.0.0:8082"),
	                            sock(BS_PROTO_TCP, "[::]:8082", 0, LO, -1)};
	struct bs_socket dual = TCP("[::]:8082"),
	                 dev4 = sock(BS_PROTO_TCP, "0.0.0.0:8082", -1, LO, -1);
	struct bs_lookup_query v4 = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);
	struct bs_lookup_query v6 = query(BS_PROTO_TCP, "[::1]:8082", LO);
	struct bs_lookup_answer a;

	(void)state;
	assert_int_equal(bs_lookup_score(&socks[0], &v4, BS_PASS_WILDCARD), 2);
	assert_int_equal(bs_lookup_score(&dual, &v4, BS_PASS_WILDCARD), 1);
	assert_int_equal(bs_lookup_score(&dev4, &v4, BS_PASS_WILDCARD), 3);
	assert_int_equal(bs_lookup_score(&socks[1], &v4, BS_PASS_WILDCARD), 2);
	assert_int_equal(bs_lookup_score(&socks[1], &v6, BS_PASS_WILDCARD), 2);
	assert_int_equal(bs_lookup_score(&dual, &v6, BS_PASS_WILDCARD), 1);
	/* A wildcard scores nothing in the exact pass. */
	assert_int_equal(bs_lookup_score(&socks[0], &v4, BS_PASS_EXACT), -1);
	a = look(socks, 2, &v4);
	assert_int_equal(a.outcome, BS_LOOKUP_TIE);
	assert_int_equal(a.count, 2);
	assert_true(bs_lookup_takes(socks, 2, &v4, &a, 0));
	assert_true(bs_lookup_takes(socks, 2, &v4, &a, 1));
}

/* Guards the dual-stack pair 0.0.0.0 + [::] that both set SO_REUSEPORT (how Linux lets them
 * share a port): two groups, not one, so IPv4 is a TIE that includes the IPv4 socket, which
 * also has the top score; IPv6 goes to [::] alone. */
static void test_dual_stack_pair_with_reuseport(void **state)
{
	struct bs_socket socks[] = {sock(BS_PROTO_TCP, "0.0.0.0:8082", -1, 0, 1),
	                            sock(BS_PROTO_TCP, "[::]:8082", 0, 0, 1)};
	struct bs_lookup_query q = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);
	struct bs_lookup_answer a = look(socks, 2, &q);

	(void)state;
	assert_false(bs_lookup_same_group(&socks[0], &socks[1]));
	assert_int_equal(a.outcome, BS_LOOKUP_TIE);
	assert_int_equal(a.pass, BS_PASS_WILDCARD);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.score, 2); /* the IPv4 socket's */
	assert_true(bs_lookup_takes(socks, 2, &q, &a, 0));
	assert_true(bs_lookup_takes(socks, 2, &q, &a, 1));
	expect_socket(socks, 2, BS_PROTO_TCP, "[::1]:8082", 1, BS_PASS_WILDCARD);
}

/* Guards SO_REUSEPORT groups: three sockets of one address, port, uid are one GROUP and each
 * takes part; a wildcard beside them does not; another uid is another group. */
static void test_reuseport_group_of_three(void **state)
{
	struct bs_socket socks[] = {sock(BS_PROTO_TCP, "127.0.0.1:8082", -1, 0, 1),
	                            sock(BS_PROTO_TCP, "127.0.0.1:8082", -1, 0, 1),
	                            sock(BS_PROTO_TCP, "0.0.0.0:8082", -1, 0, -1),
	                            sock(BS_PROTO_TCP, "127.0.0.1:8082", -1, 0, 1)};
	struct bs_lookup_query q = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);
	struct bs_lookup_answer a = look(socks, N(socks), &q);
	struct bs_socket other_uid = socks[0];

	(void)state;
	assert_int_equal(a.outcome, BS_LOOKUP_GROUP);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.winner, 0);
	assert_int_equal(a.pass, BS_PASS_EXACT);
	assert_true(bs_lookup_takes(socks, N(socks), &q, &a, 0));
	assert_true(bs_lookup_takes(socks, N(socks), &q, &a, 1));
	assert_false(bs_lookup_takes(socks, N(socks), &q, &a, 2));
	assert_true(bs_lookup_takes(socks, N(socks), &q, &a, 3));
	assert_false(bs_lookup_takes(socks, N(socks), &q, &a, 4)); /* out of range */
	assert_true(bs_lookup_same_group(&socks[0], &socks[3]));
	other_uid.uid = 0;
	assert_false(bs_lookup_same_group(&socks[0], &other_uid));
	socks[1].uid = 0; /* now two groups of the same score: the kernel may use either */
	a = look(socks, N(socks), &q);
	assert_int_equal(a.outcome, BS_LOOKUP_TIE);
	assert_int_equal(a.count, 3);
}

/* Guards unknown SO_REUSEPORT (-1): two UDP sockets on one address (SO_REUSEADDR, or a
 * reuseport this process cannot see) are a TIE, never a guessed winner or a group. */
static void test_udp_shared_address_is_a_tie(void **state)
{
	struct bs_socket socks[] = {UDP("0.0.0.0:5353"), UDP("0.0.0.0:5353")};
	struct bs_lookup_query q = query(BS_PROTO_UDP, "192.168.0.110:5353", LO);
	struct bs_lookup_answer a = look(socks, 2, &q);

	(void)state;
	assert_false(bs_lookup_same_group(&socks[0], &socks[1]));
	assert_int_equal(a.outcome, BS_LOOKUP_TIE);
	assert_int_equal(a.count, 2);
	assert_true(bs_lookup_takes(socks, 2, &q, &a, 0));
	assert_true(bs_lookup_takes(socks, 2, &q, &a, 1));
}

/* Guards the first rule: an address that is not this machine's is delivered to nothing,
 * even to a socket bound to it (IP_FREEBIND) or a wildcard. */
static void test_not_local_destination(void **state)
{
	struct bs_socket socks[] = {TCP("192.168.5.5:8082"), TCP("0.0.0.0:8082")};
	struct bs_lookup_query q = query(BS_PROTO_TCP, "192.168.5.5:8082", LO);
	struct bs_lookup_answer a;

	(void)state;
	assert_false(q.dst_local);
	a = look(socks, 2, &q);
	assert_int_equal(a.outcome, BS_LOOKUP_NOT_LOCAL);
	assert_false(bs_lookup_takes(socks, 2, &q, &a, 0));
	assert_false(bs_lookup_takes(socks, 2, &q, &a, 1));
	/* The same destination marked local by hand is found: dst_local alone decided. */
	q.dst_local = true;
	a = look(socks, 2, &q);
	assert_int_equal(a.outcome, BS_LOOKUP_SOCKET);
	assert_int_equal(a.winner, 0);
}

/* Guards NONE: no socket at all, or none on this port and protocol. */
static void test_no_socket(void **state)
{
	struct bs_socket socks[] = {TCP("0.0.0.0:8083")};
	struct bs_lookup_query q = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);
	struct bs_lookup_answer a = look(NULL, 0, &q);

	(void)state;
	assert_int_equal(a.outcome, BS_LOOKUP_NONE);
	assert_false(bs_lookup_takes(NULL, 0, &q, &a, 0));
	a = look(socks, 1, &q);
	assert_int_equal(a.outcome, BS_LOOKUP_NONE);
	assert_false(bs_lookup_takes(socks, 1, &q, &a, 0));
}

/* Guards bs_lookup_is_local: all of 127/8 and ::1 are local, an address of an interface is
 * (IPv4 even while the interface is down: the kernel keeps its local route, as
 * test_lookup_kernel shows), an address of nobody is not. */
static void test_is_local(void **state)
{
	static const char *const local[] = {
	    "127.0.0.1:1",      "127.0.0.53:1",         "127.255.255.254:1",
	    "192.168.0.110:1",  "10.9.9.9:1",           "[::1]:1",
	    "[fe80::1%eth0]:1", "[::ffff:127.0.0.1]:1", "10.77.0.1:1"};
	static const char *const not_local[] = {"192.168.0.1:1", "8.8.8.8:1", "[2001:db8::1]:1",
	                                        "0.0.0.0:1", "[::]:1"};

	(void)state;
	for (size_t i = 0; i < N(local); i++) {
		struct bs_endpoint e = ep(local[i]);
		if (!bs_lookup_is_local(&ifaces, &e))
			fail_msg("%s should be local", local[i]);
	}
	for (size_t i = 0; i < N(not_local); i++) {
		struct bs_endpoint e = ep(not_local[i]);
		if (bs_lookup_is_local(&ifaces, &e))
			fail_msg("%s should not be local", not_local[i]);
	}
}

/* Guards bs_lookup_query_make: it keeps the protocol and destination (port included) and
 * decides dst_local with bs_lookup_is_local. */
static void test_query_make(void **state)
{
	struct bs_endpoint mine = ep("192.168.0.110:8082"), other = ep("192.168.5.5:8082");
	struct bs_lookup_query q = bs_lookup_query_make(BS_PROTO_UDP, &mine, ETH0, &ifaces);

	(void)state;
	assert_int_equal(q.proto, BS_PROTO_UDP);
	assert_true(bs_endpoint_equal(&q.dst, &mine));
	assert_int_equal(q.dst.port, 8082);
	assert_true(q.dst_local);
	q = bs_lookup_query_make(BS_PROTO_TCP, &other, LO, &ifaces);
	assert_false(q.dst_local);
}

/* Guards that sockets on other ports and of the other protocol take no part. */
static void test_other_ports_and_protocol_are_ignored(void **state)
{
	struct bs_socket socks[] = {TCP("0.0.0.0:8083"), UDP("127.0.0.1:8082"), TCP("[::]:8081"),
	                            TCP("0.0.0.0:8082")};
	struct bs_lookup_query q = query(BS_PROTO_TCP, "127.0.0.1:8082", LO);

	(void)state;
	expect_socket(socks, N(socks), BS_PROTO_TCP, "127.0.0.1:8082", 3, BS_PASS_WILDCARD);
	expect_socket(socks, N(socks), BS_PROTO_UDP, "127.0.0.1:8082", 1, BS_PASS_EXACT);
	expect_none(socks, N(socks), BS_PROTO_UDP, "127.0.0.1:8083");
	expect_none(socks, N(socks), BS_PROTO_TCP, "127.0.0.1:8084");
	assert_int_equal(bs_lookup_score(&socks[0], &q, BS_PASS_WILDCARD), -1);
	assert_int_equal(bs_lookup_score(&socks[1], &q, BS_PASS_EXACT), -1);
	assert_int_equal(bs_lookup_score(&socks[2], &q, BS_PASS_WILDCARD), -1);
}

/* Guards UDP scoring: IPv4 2, IPv6 1 for IPv4 (so 0.0.0.0 beats a dual-stack [::]), plus 4
 * for a device (so a device-bound [::] beats 0.0.0.0); IPv6 scores only the device. */
static void test_udp_scoring(void **state)
{
	/* SO_REUSEPORT known off (as on bindscope's own sockets): the score decides. */
	struct bs_socket socks[] = {sock(BS_PROTO_UDP, "[::]:5353", 0, 0, 0),
	                            sock(BS_PROTO_UDP, "0.0.0.0:5353", -1, 0, 0)};
	struct bs_socket dev[] = {sock(BS_PROTO_UDP, "0.0.0.0:5353", -1, 0, 0),
	                          sock(BS_PROTO_UDP, "[::]:5353", 0, LO, 0)};
	struct bs_socket unknown[] = {UDP("[::]:5353"), UDP("0.0.0.0:5353")};
	struct bs_lookup_answer a;
	struct bs_socket dev4 = sock(BS_PROTO_UDP, "0.0.0.0:5353", -1, LO, -1);
	struct bs_lookup_query v4 = query(BS_PROTO_UDP, "127.0.0.1:5353", LO);
	struct bs_lookup_query v6 = query(BS_PROTO_UDP, "[::1]:5353", LO);

	(void)state;
	assert_int_equal(bs_lookup_score(&socks[0], &v4, BS_PASS_WILDCARD), 1);
	assert_int_equal(bs_lookup_score(&socks[1], &v4, BS_PASS_WILDCARD), 2);
	assert_int_equal(bs_lookup_score(&dev4, &v4, BS_PASS_WILDCARD), 6);
	assert_int_equal(bs_lookup_score(&dev[1], &v4, BS_PASS_WILDCARD), 5);
	assert_int_equal(bs_lookup_score(&socks[0], &v6, BS_PASS_WILDCARD), 0);
	assert_int_equal(bs_lookup_score(&dev[1], &v6, BS_PASS_WILDCARD), 1);
	expect_socket(socks, 2, BS_PROTO_UDP, "127.0.0.1:5353", 1, BS_PASS_WILDCARD);
	expect_socket(socks, 2, BS_PROTO_UDP, "[::1]:5353", 0, BS_PASS_WILDCARD);
	expect_socket(dev, 2, BS_PROTO_UDP, "127.0.0.1:5353", 1, BS_PASS_WILDCARD);
	expect_socket(dev, 2, BS_PROTO_UDP, "[::1]:5353", 1, BS_PASS_WILDCARD);
	/* Unknown SO_REUSEPORT on UDP (the table cannot tell it from SO_REUSEADDR): the first
	 * one the kernel finds may answer, so the lower score is in the answer too. */
	bs_lookup(unknown, 2, &v4, &a);
	assert_int_equal(a.outcome, BS_LOOKUP_TIE);
	assert_true(bs_lookup_takes(unknown, 2, &v4, &a, 0));
	assert_true(bs_lookup_takes(unknown, 2, &v4, &a, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_most_specific_wins_over_wildcard),
	    cmocka_unit_test(test_two_specific_sockets_each_take_their_own),
	    cmocka_unit_test(test_ipv4_reaches_dual_stack_only_without_v6only),
	    cmocka_unit_test(test_v4_mapped_socket_takes_its_ipv4_exactly),
	    cmocka_unit_test(test_ipv6_never_reaches_an_ipv4_socket),
	    cmocka_unit_test(test_bindtodevice_restricts_arrival),
	    cmocka_unit_test(test_tcp_scoring),
	    cmocka_unit_test(test_dual_stack_pair_with_reuseport),
	    cmocka_unit_test(test_reuseport_group_of_three),
	    cmocka_unit_test(test_udp_shared_address_is_a_tie),
	    cmocka_unit_test(test_not_local_destination),
	    cmocka_unit_test(test_no_socket),
	    cmocka_unit_test(test_is_local),
	    cmocka_unit_test(test_query_make),
	    cmocka_unit_test(test_other_ports_and_protocol_are_ignored),
	    cmocka_unit_test(test_udp_scoring),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
