/* Fuzz target: the tour parser, fed any text a teacher might write as a tour, and when it
 * parses, the placeholders resolved against a small fixed lab (two interfaces with both
 * families, a link-local address, an interface without any address, two peers). */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/tour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bs_iface_addr fake_addr(const char *text, unsigned prefix)
{
	struct bs_iface_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	inet_pton(a.family, text, &a.addr);
	a.prefix = prefix;
	if (a.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a.addr.v6))
		a.scope = BS_SCOPE_LINK;
	else if (strcmp(text, "127.0.0.1") == 0 || strcmp(text, "::1") == 0)
		a.scope = BS_SCOPE_HOST;
	snprintf(a.text, sizeof(a.text), "%s", text);
	return a;
}

static const struct bs_tour_lab *fake_lab(void)
{
	static struct bs_iface_addr lo[2], eth0[3], wlan0[2];
	static struct bs_iface items[4];
	static struct bs_iface_list ifaces;
	static const struct bs_lab_vantage peers[] = {
	    {"eth0-peer", "eth0", "192.168.0.20", 0, -1},
	    {"wlan0-peer", "wlan0", "192.168.1.20", 0, -1},
	};
	static struct bs_tour_lab lab;

	if (ifaces.count > 0)
		return &lab;
	lo[0] = fake_addr("127.0.0.1", 8);
	lo[1] = fake_addr("::1", 128);
	eth0[0] = fake_addr("192.168.0.110", 24);
	eth0[1] = fake_addr("fe80::1", 64);
	eth0[2] = fake_addr("fd00::110", 64);
	wlan0[0] = fake_addr("192.168.1.10", 24);
	wlan0[1] = fake_addr("fd00:0:0:1::10", 64);
	items[0] = (struct bs_iface){.name = "lo", .index = 1, .mtu = -1, .naddrs = 2, .addrs = lo};
	items[1] =
	    (struct bs_iface){.name = "eth0", .index = 2, .mtu = -1, .naddrs = 3, .addrs = eth0};
	items[2] =
	    (struct bs_iface){.name = "wlan0", .index = 3, .mtu = -1, .naddrs = 2, .addrs = wlan0};
	items[3] = (struct bs_iface){.name = "down0", .index = 4, .mtu = -1};
	ifaces = (struct bs_iface_list){.count = 4, .items = items};
	lab = (struct bs_tour_lab){.ifaces = &ifaces, .peers = peers, .npeers = 2};
	return &lab;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[16384];
	struct bs_tour t;
	struct bs_error err;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (bs_tour_parse(text, &t, &err) == 0)
		bs_tour_resolve(&t, fake_lab(), &err);
	bs_tour_free(&t);
	return 0;
}
