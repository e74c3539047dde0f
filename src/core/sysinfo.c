#include "bindscope/sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int bs_sysinfo_read_int(const char *path, int fallback)
{
	FILE *f = fopen(path, "re");
	char line[32], *end;
	long value;

	if (f == NULL)
		return fallback;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	value = strtol(line, &end, 10);
	if (end == line || value < -2147483647L || value > 2147483647L)
		return fallback;
	return (int)value;
}

int bs_sysinfo_unprivileged_port_start(void)
{
	return bs_sysinfo_read_int("/proc/sys/net/ipv4/ip_unprivileged_port_start", 1024);
}

int bs_sysinfo_bindv6only(void)
{
	return bs_sysinfo_read_int("/proc/sys/net/ipv6/bindv6only", 0);
}

long bs_sysinfo_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return -1;
	return (long)rl.rlim_cur;
}

/* /proc/net/netstat is pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...". */
long long bs_sysinfo_tcpext(const char *path, const char *name)
{
	FILE *f = fopen(path != NULL ? path : "/proc/net/netstat", "re");
	char names[8192], values[8192];
	long long found = -1;

	if (f == NULL)
		return -1;
	while (found < 0 && fgets(names, sizeof(names), f) != NULL &&
	       fgets(values, sizeof(values), f) != NULL) {
		char *ns, *vs, *n, *v;
		if (strncmp(names, "TcpExt:", 7) != 0 || strncmp(values, "TcpExt:", 7) != 0)
			continue;
		n = strtok_r(names + 7, " \n", &ns);
		v = strtok_r(values + 7, " \n", &vs);
		for (; n != NULL && v != NULL;
		     n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs))
			if (strcmp(n, name) == 0) {
				found = strtoll(v, NULL, 10);
				break;
			}
	}
	fclose(f);
	return found;
}
