/* Kernel settings that change what binding does, read from /proc/sys. */
#ifndef BINDSCOPE_SYSINFO_H
#define BINDSCOPE_SYSINFO_H

/* net.ipv4.ip_unprivileged_port_start: ports below it need privilege (default 1024). */
int bs_sysinfo_unprivileged_port_start(void);

/* net.ipv6.bindv6only: 1 when [::] sockets take IPv6 only unless told otherwise (default 0). */
int bs_sysinfo_bindv6only(void);

/* The soft limit on open files (ulimit -n). */
long bs_sysinfo_fd_limit(void);

/* Read one integer from a /proc/sys file; returns fallback when it cannot be read. */
int bs_sysinfo_read_int(const char *path, int fallback);

/* A TcpExt counter of this network namespace from /proc/net/netstat (path: NULL for that
 * file), e.g. "ListenDrops": SYNs dropped because a listen queue was full. -1 if unknown. */
long long bs_sysinfo_tcpext(const char *path, const char *name);

#endif
