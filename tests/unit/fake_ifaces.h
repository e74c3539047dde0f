/*
 * A hand-built getifaddrs chain for unit tests: the seed's machine plus awkward cases.
 *   lo     127.0.0.1/8, ::1/128                         (index 1)
 *   eth0   192.168.0.110/24 brd 192.168.0.255, 192.168.0.111/24, fe80::1/64, MAC 02:00:00:00:00:01
 *   wlan0  192.168.1.10/24 brd 192.168.1.255, labelled "wlan0:1" for a second address 10.9.9.9/8
 *   v6only an interface with only fe80::2/64
 *   down0  no address at all, down, with a MAC
 * The chain is listed in a scrambled order on purpose, to test the sort.
 */
#ifndef FAKE_IFACES_H
#define FAKE_IFACES_H

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>

struct fake_entry {
	struct ifaddrs ifa;
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
		struct sockaddr_ll ll;
	} addr, mask, brd;
};

#define FAKE_MAX 16
static struct fake_entry fake_entries[FAKE_MAX];
static int fake_count;

static struct fake_entry *fake_add(const char *name, unsigned flags)
{
	struct fake_entry *e = &fake_entries[fake_count];

	memset(e, 0, sizeof(*e));
	e->ifa.ifa_name = (char *)name;
	e->ifa.ifa_flags = flags;
	if (fake_count > 0)
		fake_entries[fake_count - 1].ifa.ifa_next = &e->ifa;
	fake_count++;
	return e;
}

static void fake_v4(const char *name, unsigned flags, const char *addr, const char *mask,
                    const char *brd)
{
	struct fake_entry *e = fake_add(name, flags);

	e->addr.v4.sin_family = AF_INET;
	inet_pton(AF_INET, addr, &e->addr.v4.sin_addr);
	e->mask.v4.sin_family = AF_INET;
	inet_pton(AF_INET, mask, &e->mask.v4.sin_addr);
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
	e->ifa.ifa_netmask = (struct sockaddr *)&e->mask;
	if (brd != NULL) {
		e->brd.v4.sin_family = AF_INET;
		inet_pton(AF_INET, brd, &e->brd.v4.sin_addr);
		e->ifa.ifa_broadaddr = (struct sockaddr *)&e->brd;
	}
}

static void fake_v6(const char *name, unsigned flags, const char *addr, const char *mask)
{
	struct fake_entry *e = fake_add(name, flags);

	e->addr.v6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, addr, &e->addr.v6.sin6_addr);
	e->mask.v6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, mask, &e->mask.v6.sin6_addr);
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
	e->ifa.ifa_netmask = (struct sockaddr *)&e->mask;
}

static void fake_link(const char *name, unsigned flags, int index, const unsigned char *mac)
{
	struct fake_entry *e = fake_add(name, flags);

	e->addr.ll.sll_family = AF_PACKET;
	e->addr.ll.sll_ifindex = index;
	e->addr.ll.sll_halen = 6;
	if (mac != NULL)
		memcpy(e->addr.ll.sll_addr, mac, 6);
	e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
}

#define UP_BCAST (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST)
#define UP_LO    (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)

/* Build the chain described above and return its head. */
static struct ifaddrs *fake_chain(void)
{
	static const unsigned char eth0_mac[6] = {2, 0, 0, 0, 0, 1};
	static const unsigned char down_mac[6] = {2, 0, 0, 0, 0, 9};

	fake_count = 0;
	fake_link("eth0", UP_BCAST, 2, eth0_mac);
	fake_link("wlan0", UP_BCAST, 3, NULL);
	fake_link("down0", IFF_BROADCAST, 5, down_mac);
	fake_link("lo", UP_LO, 1, NULL);
	fake_link("v6only", UP_BCAST, 4, NULL);
	fake_v4("wlan0", UP_BCAST, "192.168.1.10", "255.255.255.0", "192.168.1.255");
	fake_v6("eth0", UP_BCAST, "fe80::1", "ffff:ffff:ffff:ffff::");
	fake_v4("eth0", UP_BCAST, "192.168.0.110", "255.255.255.0", "192.168.0.255");
	fake_v4("lo", UP_LO, "127.0.0.1", "255.0.0.0", NULL);
	fake_v4("eth0", UP_BCAST, "192.168.0.111", "255.255.255.0", "192.168.0.255");
	fake_v4("wlan0:1", UP_BCAST, "10.9.9.9", "255.0.0.0", "10.255.255.255");
	fake_v6("lo", UP_LO, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	fake_v6("v6only", UP_BCAST, "fe80::2", "ffff:ffff:ffff:ffff::");
	{
		/* An entry with a NULL address, which getifaddrs may return. */
		struct fake_entry *e = fake_add("wlan0", UP_BCAST);
		e->ifa.ifa_addr = NULL;
	}
	return &fake_entries[0].ifa;
}

#endif
