#include "bindscope/sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
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
