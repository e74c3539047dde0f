/*
 * Unit tests of socket owners, read from a hand-made /proc tree (the seam
 * bs_sockets_find_owners takes): one process holding two sockets, one ownerless socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindscope/sockets.h"

static char root[64];

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fwrite(text, 1, len, f);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/bindscope-proc.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/4242", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4242/fd", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4242/fd/5", root);
	symlink("socket:[555]", path);
	snprintf(path, sizeof(path), "%s/4242/fd/6", root);
	symlink("socket:[556]", path);
	snprintf(path, sizeof(path), "%s/4242/fd/0", root);
	symlink("/dev/null", path);
	snprintf(path, sizeof(path), "%s/4242/comm", root);
	write_file(path, "socat\n", 6);
	snprintf(path, sizeof(path), "%s/4242/cmdline", root);
	write_file(path, "socat\0TCP4-LISTEN:9002\0/dev/null\0", 33);
	/* A process that ended between the listing and the look: no fd directory. */
	snprintf(path, sizeof(path), "%s/999", root);
	mkdir(path, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_owners_from_proc(void **state)
{
	struct bs_socket items[3];
	struct bs_socket_list list = {.count = 3, .items = items};
	char text[128];

	(void)state;
	memset(items, 0, sizeof(items));
	items[0].inode = 556;
	items[1].inode = 777; /* nobody's */
	items[2].inode = 555;
	bs_sockets_find_owners(&list, root);
	assert_int_equal(items[0].pid, 4242);
	assert_int_equal(items[2].pid, 4242);
	assert_string_equal(items[2].program, "socat");
	assert_string_equal(items[2].cmdline, "socat TCP4-LISTEN:9002 /dev/null");
	bs_socket_owner_text(&items[0], text, sizeof(text));
	assert_string_equal(text, "socat (pid 4242)");
	assert_int_equal(items[1].pid, 0);
	/* Every process was readable: an unowned socket is nobody's, not a secret. */
	assert_false(items[1].owner_hidden);
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(text, "no process holds it");
	items[1].owner_hidden = true;
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(text, "owner unknown (needs root)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_owners_from_proc),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
