/*
 * Fuzz target: hostile process names and command lines, read through the hand-made /proc seam
 * (bs_sockets_find_owners(list, proc_root), as tests/unit/test_owners.c uses it), then the
 * text of the `bindscope sockets` row of the socket they own. No control byte (C0, DEL, C1)
 * may reach the row: a process named "py\033]0;PWNED\007x" must not retitle the terminal.
 *
 * Input: one byte of switches, then the comm file's bytes up to the first NUL, then the
 * cmdline file's bytes (NUL-separated arguments, as the kernel writes them). Switch bit 0
 * also uses the name as the socket's device (SO_BINDTODEVICE), bit 1 as the interface of a
 * one-address socket: interface names come from outside too.
 *
 * The /proc tree (one process, pid 4242, holding socket inode 555 on fd 5) is made once; each
 * input rewrites its comm and cmdline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The row renderer of src/cli/cmd_sockets.c, without the rest of the command (which needs
 * jansson and the CLI helpers). */
#define CMD_SOCKETS_ROW_ONLY
#include "../../src/cli/cmd_sockets.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

static void remove_root(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/4242/fd/5", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/4242/comm", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/4242/cmdline", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/4242/fd", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/4242", root);
	rmdir(path);
	rmdir(root);
}

static int make_root(void)
{
	char path[128];

	snprintf(root, sizeof(root), "/tmp/bindscope-fuzz-proc.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	atexit(remove_root);
	snprintf(path, sizeof(path), "%s/4242", root);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/4242/fd", root);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/4242/fd/5", root);
	return symlink("socket:[555]", path);
}

static void write_file(const char *name, const uint8_t *data, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/4242/%s", root, name);
	f = fopen(path, "wb");
	if (f == NULL)
		abort();
	if (len > 0 && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

/* Abort at the first control byte: C0 (line breaks included: a row is one line), DEL, or a
 * C1 control written in UTF-8 (0xc2 0x80..0x9f), which terminals obey as well. */
static void assert_safe(const char *cell)
{
	for (const unsigned char *p = (const unsigned char *)cell; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			abort();
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct bs_socket s;
	struct bs_socket_list list = {.count = 1, .items = &s};
	struct sockets_row row;
	const uint8_t *comm, *nul;
	size_t ncomm;

	if (ready == 0)
		ready = make_root() == 0 ? 1 : -1;
	if (ready < 0 || size < 1)
		return 0;
	comm = data + 1;
	nul = memchr(comm, '\0', size - 1);
	ncomm = nul != NULL ? (size_t)(nul - comm) : size - 1;
	write_file("comm", comm, ncomm);
	write_file("cmdline", nul != NULL ? nul + 1 : comm, nul != NULL ? size - 2 - ncomm : 0);

	memset(&s, 0, sizeof(s));
	s.proto = BS_PROTO_TCP;
	s.inode = 555;
	s.v6only = -1;
	s.reuseport = -1;
	s.exposure = BS_EXPOSED_ALL_IPV4;
	bs_endpoint_parse("0.0.0.0:9002", NULL, &s.local, NULL);
	if (data[0] & 1) {
		snprintf(s.bound_dev, sizeof(s.bound_dev), "%.*s", (int)ncomm, (const char *)comm);
		s.exposure = BS_EXPOSED_DEVICE;
	}
	if (data[0] & 2) {
		snprintf(s.iface, sizeof(s.iface), "%.*s", (int)ncomm, (const char *)comm);
		s.exposure = BS_EXPOSED_ONE_ADDRESS;
	}
	bs_sockets_find_owners(&list, root);
	if (s.pid != 4242) /* the seam must have found the owner, or nothing was tested */
		abort();
	sockets_row_cells(&s, &row);
	assert_safe(row.local);
	assert_safe(row.exposure);
	assert_safe(row.owner);
	return 0;
}
