/* Fuzz target: the lab topology parser, fed any text a user might give --topology. */
#include <stdint.h>
#include <string.h>

#include "bindscope/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[8192];
	struct bs_topology t;
	struct bs_error err;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	bs_topology_parse(text, &t, &err);
	return 0;
}
