/*
 * Unit tests of socket owners, read from a hand-made /proc tree (the seam
 * bs_sockets_find_owners takes): one process holding two sockets, one ownerless socket, a
 * socket held by a master and its workers, systemd units from cgroup files (unified and
 * hybrid hierarchies), and the sentences for owners that cannot be seen.
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
	snprintf(path, sizeof(path), "%s/4242/cgroup", root);
	write_file(path, "0::/system.slice/socat-lab.service\n", 35);
	/* nginx: a master (4300) and two workers (4301, 4302) hold socket 600. */
	for (int pid = 4300; pid <= 4302; pid++) {
		snprintf(path, sizeof(path), "%s/%d", root, pid);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%d/fd/6", root, pid);
		symlink("socket:[600]", path);
		snprintf(path, sizeof(path), "%s/%d/comm", root, pid);
		write_file(path, "nginx\n", 6);
		snprintf(path, sizeof(path), "%s/%d/cgroup", root, pid);
		/* cgroup v1 beside v2: the units are in name=systemd's hierarchy */
		write_file(path, "1:name=systemd:/system.slice/nginx.service\n0::/\n", 48);
	}
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
	assert_string_equal(text, "socat (pid 4242, socat-lab.service)");
	assert_string_equal(items[0].unit, "socat-lab.service");
	assert_int_equal(items[0].nholders, 1);
	assert_int_equal(items[1].pid, 0);
	/* Every process was readable: an unowned socket is nobody's, not a secret. */
	assert_false(items[1].owner_hidden);
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(text, "no process holds it");
	items[1].owner_hidden = true;
	items[1].uid = 0;
	snprintf(items[1].user, sizeof(items[1].user), "redis");
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(text, "owner unknown (needs root): user redis");
	/* As root, hidden fds are not a matter of rights: it says so, not "needs root". */
	items[1].hidden_as_root = true;
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(
	    text, "owner unknown: some processes' fds are not readable here, not even as root "
	          "(user redis)");
	items[1].user[0] = '\0';
	items[1].uid = 4321;
	items[1].hidden_as_root = false;
	bs_socket_owner_text(&items[1], text, sizeof(text));
	assert_string_equal(text, "owner unknown (needs root): uid 4321");
}

static void test_every_holder(void **state)
{
	struct bs_socket item;
	struct bs_socket_list list = {.count = 1, .items = &item};
	char text[512];
	long pids[3];

	(void)state;
	memset(&item, 0, sizeof(item));
	item.inode = 600;
	bs_sockets_find_owners(&list, root);
	assert_int_equal(item.nholders, 3);
	for (int i = 0; i < 3; i++)
		pids[i] = item.holders[i].pid; /* in /proc's order, which readdir decides */
	assert_true(pids[0] != pids[1] && pids[1] != pids[2] && pids[0] != pids[2]);
	for (int i = 0; i < 3; i++) {
		assert_true(pids[i] >= 4300 && pids[i] <= 4302);
		assert_string_equal(item.holders[i].program, "nginx");
	}
	assert_int_equal(item.pid, pids[0]);
	assert_string_equal(item.unit, "nginx.service");
	bs_socket_owner_text(&item, text, sizeof(text));
	char want[256];
	snprintf(want, sizeof(want),
	         "nginx (pid %ld, nginx.service), also nginx (pid %ld), nginx (pid %ld)", pids[0],
	         pids[1], pids[2]);
	assert_string_equal(text, want);
	/* A worker of another user says whose it is. */
	item.holders[2].uid = item.uid + 1;
	bs_socket_owner_text(&item, text, sizeof(text));
	assert_non_null(strstr(text, ", as "));
	/* More holders than are named: counted, never dropped silently. */
	item.holders[2].uid = item.uid;
	item.nholders = BS_SOCKET_HOLDERS_MAX + 5;
	for (size_t i = 3; i < BS_SOCKET_HOLDERS_MAX; i++) {
		item.holders[i].pid = (pid_t)(5000 + i);
		snprintf(item.holders[i].program, sizeof(item.holders[i].program), "nginx");
	}
	bs_socket_owner_text(&item, text, sizeof(text));
	assert_non_null(strstr(text, ", and 5 more processes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_owners_from_proc),
	    cmocka_unit_test(test_every_holder),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
