#include "bindscope/sockets.h"

#include <dirent.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bindscope/textbuf.h"

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's tcp_states.h */
#define UDP_STATE_CLOSE  7  /* an unconnected, bound UDP socket: TCP_CLOSE */

struct collect {
	enum bs_proto proto;
	uint16_t port;
	struct bs_socket *out;
	size_t max, count;
};

static void take_socket(struct collect *c, const struct inet_diag_msg *m)
{
	struct bs_socket *s;

	if (ntohs(m->id.idiag_sport) != c->port || c->count >= c->max)
		return;
	s = &c->out[c->count++];
	memset(s, 0, sizeof(*s));
	s->proto = c->proto;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	if (m->idiag_family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = m->id.idiag_sport};
		memcpy(&sin.sin_addr, m->id.idiag_src, 4);
		bs_endpoint_from_sockaddr(&s->local, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = m->id.idiag_sport};
		memcpy(&sin6.sin6_addr, m->id.idiag_src, 16);
		bs_endpoint_from_sockaddr(&s->local, (struct sockaddr *)&sin6, sizeof(sin6));
	}
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	take_socket(data, mnl_nlmsg_get_payload(nlh));
	return MNL_CB_OK;
}

static int dump_family(struct mnl_socket *nl, int family, struct collect *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	unsigned seq = (unsigned)time(NULL), portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc = MNL_CB_OK;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = c->proto == BS_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	req->idiag_states = c->proto == BS_PROTO_UDP ? (1u << UDP_STATE_CLOSE)
						     : (1u << TCP_LISTEN_STATE);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while (rc > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, on_message, c);
	return rc < 0 ? -1 : 0;
}

/* The process whose descriptors include socket inode, by a walk over /proc. */
static void find_owner(struct bs_socket *s)
{
	char path[600], link[64], want[48];
	DIR *proc = opendir("/proc");
	struct dirent *p;

	if (proc == NULL)
		return;
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)s->inode);
	while (s->pid == 0 && (p = readdir(proc)) != NULL) {
		DIR *fds;
		struct dirent *f;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue; /* another user's process without root: owner unknown */
		while ((f = readdir(fds)) != NULL) {
			ssize_t n;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				s->pid = (pid_t)atoi(p->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	if (s->pid != 0) {
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)s->pid);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(s->program, sizeof(s->program), f) != NULL)
				s->program[strcspn(s->program, "\n")] = '\0';
			fclose(f);
		}
	}
}

int bs_sockets_on_port(enum bs_proto proto, uint16_t port, struct bs_socket *out, size_t max,
		       struct bs_error *err)
{
	struct collect c = {.proto = proto, .port = port, .out = out, .max = max};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		if (nl != NULL)
			mnl_socket_close(nl);
		return bs_error_set(err, saved, "cannot read the socket list (sock_diag): %s",
				    strerror(saved));
	}
	if (dump_family(nl, AF_INET, &c) < 0 || dump_family(nl, AF_INET6, &c) < 0) {
		int saved = errno;
		mnl_socket_close(nl);
		return bs_error_set(err, saved, "cannot read the socket list (sock_diag): %s",
				    strerror(saved));
	}
	mnl_socket_close(nl);
	for (size_t i = 0; i < c.count; i++)
		find_owner(&out[i]);
	return (int)c.count;
}

void bs_sockets_holder_text(enum bs_proto proto, const struct bs_endpoint *want, char *buf,
			    size_t len, bool *clash)
{
	struct bs_socket found[8];
	char ep[BS_ENDPOINT_TEXT_MAX];
	int n = bs_sockets_on_port(proto, want->port, found, 8, NULL);
	bool want_wild = bs_endpoint_is_wildcard(want);

	buf[0] = '\0';
	*clash = false;
	for (int i = 0; i < n; i++) {
		bool wild = bs_endpoint_is_wildcard(&found[i].local);
		if (wild != want_wild || (wild && found[i].local.family != want->family))
			*clash = true;
		bs_endpoint_text(&found[i].local, ep, sizeof(ep));
		if (found[i].pid != 0)
			bs_textbuf_appendf(buf, len, "%s%s (pid %d) on %s", i ? ", " : "",
					   found[i].program, (int)found[i].pid, ep);
		else
			bs_textbuf_appendf(buf, len, "%sa process of uid %u (owner unknown: needs "
					   "root) on %s", i ? ", " : "", found[i].uid, ep);
	}
}
