/*
 * Fuzz target: the TUI's port prompt, as keys. Each input byte is a key the person types:
 * DEL/BS erase, the rest are typed; the prompt keeps at most 7 characters, as prompt.c does,
 * and every state is validated with the port parser the prompt uses. A valid port must be
 * 1-65535 and print back to the same digits.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bindscope/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[8] = "8081", again[8];
	size_t len = 4;
	struct bs_error err;
	uint16_t port;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == 127 || data[i] == 8) {
			if (len > 0)
				text[--len] = '\0';
		} else if (len + 1 < sizeof(text)) {
			text[len++] = (char)data[i];
			text[len] = '\0';
		}
		if (bs_port_parse(text, &port, &err) == 0) {
			snprintf(again, sizeof(again), "%u", port);
			if (port == 0 || strtoul(text, NULL, 10) != port)
				abort();
		} else if (err.msg[0] == '\0') {
			abort(); /* every rejection has its sentence */
		}
	}
	return 0;
}
