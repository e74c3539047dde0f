/* The host state the matrix build reads: localhost as the resolver returns it, routes as
 * each namespace's kernel answers, and the sysctls that change delivery. */
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/sysinfo.h"
#include "matrix_internal.h"

static int route_in_namespace(void *arg, const struct bs_vantage *v, const struct bs_endpoint *dst,
                              struct bs_route *out)
{
	(void)arg;
	if (v->remote != NULL) /* asked when it connected: the agent's kernel answered */
		return bs_remote_route(v->remote, dst, out);
	return bs_route_get(v->netns_fd, dst, out, NULL);
}

/* getaddrinfo("localhost"), in the resolver's order (::1 first where /etc/hosts says so). */
static void resolve_localhost(struct bs_matrix_env *env)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	const size_t max = sizeof(env->localhost) / sizeof(env->localhost[0]);

	env->nlocalhost = 0;
	if (getaddrinfo("localhost", NULL, &hints, &res) != 0)
		return;
	for (const struct addrinfo *a = res; a != NULL && env->nlocalhost < max; a = a->ai_next) {
		struct bs_endpoint ep;
		bool seen = false;
		if (bs_endpoint_from_sockaddr(&ep, a->ai_addr, a->ai_addrlen) < 0)
			continue;
		for (size_t i = 0; i < env->nlocalhost; i++)
			seen = seen || bs_endpoint_same_addr(&env->localhost[i], &ep);
		if (!seen)
			env->localhost[env->nlocalhost++] = bs_endpoint_without_port(&ep);
	}
	freeaddrinfo(res);
}

static long long listen_drops_here(void)
{
	return bs_sysinfo_tcpext(NULL, "ListenDrops");
}

void bs_matrix_env_system(struct bs_matrix_env *env)
{
	memset(env, 0, sizeof(*env));
	resolve_localhost(env);
	env->route = route_in_namespace;
	env->arp_ignore = bs_sysinfo_read_int("/proc/sys/net/ipv4/conf/all/arp_ignore", 0);
	env->icmp_burst = (unsigned)bs_sysinfo_read_int("/proc/sys/net/ipv4/icmp_msgs_burst", 50);
	/* Destination unreachable to one host: a burst of 6 (XRLIM_BURST_FACTOR), then one per
	 * ratelimit ms; loopback is exempt. */
	env->icmp_peer_burst =
	    bs_sysinfo_read_int("/proc/sys/net/ipv4/icmp_ratelimit", 1000) > 0 ? 6 : 0;
	env->lo_index = if_nametoindex("lo");
	env->listen_drops = listen_drops_here;
	env->firewall = bs_fw_read_or_why(env->firewall_why, sizeof(env->firewall_why));
}

static bool on_a_port(const struct bs_socket *s, void *arg)
{
	const struct bs_matrix *m = arg;

	for (size_t p = 0; p < m->nports; p++)
		if (m->ports[p].proto == s->proto && m->ports[p].port == s->local.port)
			return true;
	return false;
}

int bs_matrix_read_sockets(const struct bs_matrix *m, const struct bs_iface_list *ifaces,
                           struct bs_socket_list *out, struct bs_error *err)
{
	return bs_sockets_read_filtered(out, BS_SOCKETS_ALL, ifaces, on_a_port, (void *)m, err);
}
