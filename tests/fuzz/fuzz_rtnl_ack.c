/* Fuzz target: the reader of rtnetlink answers (the lab's acknowledgements), fed raw bytes. */
#include <stdint.h>
#include <string.h>

#include "bindscope/rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t aligned[(1 << 16) / 4]; /* netlink buffers are 4-byte aligned */
	struct bs_error err;

	if (size > sizeof(aligned))
		return 0;
	memcpy(aligned, data, size);
	/* Sequence 0 and port 0 accept any: the parse is what is under test. */
	bs_rtnl_parse_ack(aligned, size, 0, 0, "fuzz", &err);
	return 0;
}
