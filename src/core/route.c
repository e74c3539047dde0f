#include "bindscope/route.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bindscope/netns.h"
#include "bindscope/rtnl.h"

struct route_ctx {
	struct bs_route *out;
	int family;
};

static int on_attr(const struct nlattr *a, void *data)
{
	struct route_ctx *c = data;
	size_t alen = c->family == AF_INET ? 4 : 16;

	switch (mnl_attr_get_type(a)) {
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) < alen)
			break;
		c->out->has_gateway = true;
		if (c->family == AF_INET) {
			struct in_addr v4;
			memcpy(&v4, mnl_attr_get_payload(a), 4);
			bs_endpoint_from_v4(&c->out->gateway, v4, 0);
		} else {
			struct in6_addr v6;
			memcpy(&v6, mnl_attr_get_payload(a), 16);
			bs_endpoint_from_v6(&c->out->gateway, &v6, 0, 0);
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			c->out->oif = mnl_attr_get_u32(a);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct route_ctx *c = data;
	const struct rtmsg *rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	c->family = rtm->rtm_family;
	c->out->found = true;
	c->out->local = rtm->rtm_type == RTN_LOCAL;
	if (rtm->rtm_type == RTN_UNREACHABLE || rtm->rtm_type == RTN_PROHIBIT ||
	    rtm->rtm_type == RTN_BLACKHOLE) {
		c->out->found = false;
		c->out->error = ENETUNREACH;
	}
	mnl_attr_parse(nlh, sizeof(*rtm), on_attr, c);
	return MNL_CB_OK;
}

int bs_route_parse(const void *buf, size_t len, struct bs_route *out)
{
	struct route_ctx c = {.out = out};

	memset(out, 0, sizeof(*out));
	if (!bs_netlink_lengths_sane(buf, len))
		return -1;
	errno = 0;
	if (mnl_cb_run(buf, len, 0, 0, on_message, &c) < 0) {
		out->found = false;
		out->error = errno ? errno : EPROTO;
	}
	return 0;
}

static int ask(struct mnl_socket *nl, const struct bs_endpoint *dst, struct bs_route *out)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct in_addr v4;
	ssize_t n;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	if (dst->family == AF_INET && bs_endpoint_v4(dst, &v4)) {
		rtm->rtm_dst_len = 32;
		mnl_attr_put(nlh, RTA_DST, 4, &v4);
	} else {
		rtm->rtm_dst_len = 128;
		mnl_attr_put(nlh, RTA_DST, 16, bs_endpoint_v6(dst));
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	return bs_route_parse(buf, (size_t)n, out);
}

int bs_route_get(int netns_fd, const struct bs_endpoint *dst, struct bs_route *out,
                 struct bs_error *err)
{
	int fd = bs_netns_socket(netns_fd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct mnl_socket *nl = fd >= 0 ? mnl_socket_fdopen(fd) : NULL;
	int rc, saved;

	memset(out, 0, sizeof(*out));
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		saved = errno;
		if (nl != NULL)
			mnl_socket_close(nl);
		else if (fd >= 0)
			close(fd);
		return bs_error_set(err, saved, "cannot ask the routing table: %s",
		                    strerror(saved));
	}
	rc = ask(nl, dst, out);
	saved = errno;
	mnl_socket_close(nl);
	if (rc < 0)
		return bs_error_set(err, saved, "cannot ask the routing table: %s",
		                    strerror(saved));
	return 0;
}
