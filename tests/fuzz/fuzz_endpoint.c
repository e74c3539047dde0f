/*
 * Fuzz target: the endpoint parser (every ADDR:PORT a user types) and the port range parser.
 * What parses must print back to text that parses to the same socket address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_ifaces.h"
#include "bindscope/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bs_iface_list ifaces;
	static int ready;
	char text[256], printed[BS_ENDPOINT_TEXT_MAX];
	struct bs_endpoint ep, again;
	struct bs_error err;
	uint16_t lo, hi;

	if (!ready) {
		bs_iface_list_from_ifaddrs(&ifaces, fake_chain(), NULL, &err);
		ready = 1;
	}
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bs_port_range_parse(text, &lo, &hi, &err);
	if (bs_endpoint_parse(text, &ifaces, &ep, &err) != 0)
		return 0;
	bs_endpoint_text(&ep, printed, sizeof(printed));
	if (bs_endpoint_parse(printed, &ifaces, &again, &err) != 0 ||
	    memcmp(&ep.addr, &again.addr, ep.addrlen) != 0)
		abort(); /* printing and parsing back must agree */
	return 0;
}
