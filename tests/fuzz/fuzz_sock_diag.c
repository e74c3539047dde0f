/*
 * Fuzz target: the sock_diag reply parser, fed raw bytes as if the kernel had sent them,
 * then classification and the text of every socket it produced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/sockets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t aligned[(1 << 16) / 4]; /* netlink buffers are 4-byte aligned */
	struct bs_socket_list list = {0};
	struct bs_error err;
	char text[256];

	/* The first byte picks the protocol the reply is read as. */
	if (size < 1 || size - 1 > sizeof(aligned))
		return 0;
	memcpy(aligned, data + 1, size - 1);
	bs_sockets_parse(&list, data[0] & 1 ? BS_PROTO_UDP : BS_PROTO_TCP, aligned, size - 1, &err);
	bs_sockets_classify(&list, NULL);
	for (size_t i = 0; i < list.count; i++) {
		bs_socket_local_text(&list.items[i], text, sizeof(text));
		bs_exposure_class_text(&list.items[i], text, sizeof(text));
	}
	bs_socket_list_free(&list);
	return 0;
}
