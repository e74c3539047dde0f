#include "bindscope/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool bs_netlink_lengths_sane(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len)
			return false;
		step = MNL_ALIGN(h.nlmsg_len);
		if (step >= len)
			return true;
		p += step;
		len -= step;
	}
	return len == 0;
}

int bs_rtnl_parse_ack(const void *buf, size_t len, unsigned seq, unsigned portid, const char *what,
                      struct bs_error *err)
{
	if (!bs_netlink_lengths_sane(buf, len))
		return bs_error_set(err, EPROTO,
		                    "cannot %s: the kernel's answer came back malformed", what);
	errno = 0;
	if (mnl_cb_run(buf, len, seq, portid, NULL, NULL) < 0) {
		int code = errno ? errno : EPROTO;
		return bs_error_set(err, code, "cannot %s: %s", what, strerror(code));
	}
	return 0;
}

/* Send one request and wait for the kernel's acknowledgement. */
static int talk(struct nlmsghdr *nlh, const char *what, struct bs_error *err)
{
	char buf[8192];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned portid, seq = (unsigned)time(NULL);
	ssize_t n;
	int rc;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		if (nl != NULL)
			mnl_socket_close(nl);
		return bs_error_set(err, saved, "cannot %s: rtnetlink is unavailable (%s)", what,
		                    strerror(saved));
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = errno;
		mnl_socket_close(nl);
		return bs_error_set(err, rc, "cannot %s: %s", what, strerror(rc));
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		rc = errno;
		mnl_socket_close(nl);
		return bs_error_set(err, rc, "cannot %s: %s", what, strerror(rc));
	}
	mnl_socket_close(nl);
	return bs_rtnl_parse_ack(buf, (size_t)n, seq, portid, what, err);
}

int bs_rtnl_link_up(const char *name, struct bs_error *err)
{
	char buf[8192], what[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	unsigned index = if_nametoindex(name);

	snprintf(what, sizeof(what), "bring %s up", name);
	if (index == 0)
		return bs_error_set(err, ENODEV, "cannot %s: no such interface", what);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)index;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	return talk(nlh, what, err);
}

int bs_rtnl_veth(const char *name, const char *peer_name, pid_t peer_pid, struct bs_error *err)
{
	char buf[8192], what[96];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm, *peer;
	struct nlattr *linkinfo, *data, *peer_attr;

	snprintf(what, sizeof(what), "create the veth pair %s/%s", name, peer_name);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow its own ifinfomsg inside the nest. */
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	memset(peer, 0, sizeof(*peer));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)peer_pid);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return talk(nlh, what, err);
}

/* "192.168.0.110/24" → family, address bytes, prefix. */
static int parse_prefix(const char *text, int *family, unsigned char addr[16], unsigned *prefix)
{
	char host[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	char *end;

	if (n >= sizeof(host))
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	*family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, host, addr) != 1)
		return -1;
	*prefix = *family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || p > *prefix)
			return -1;
		*prefix = (unsigned)p;
	}
	return 0;
}

int bs_rtnl_addr_add(const char *ifname, const char *text, struct bs_error *err)
{
	char buf[8192], what[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	unsigned char addr[16];
	unsigned prefix, index = if_nametoindex(ifname);
	int family;

	snprintf(what, sizeof(what), "add %s to %s", text, ifname);
	if (parse_prefix(text, &family, addr, &prefix) < 0)
		return bs_error_set(err, EINVAL, "cannot %s: write ADDRESS/PREFIX", what);
	if (index == 0)
		return bs_error_set(err, ENODEV, "cannot %s: no such interface", what);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = index;
	if (family == AF_INET) {
		uint32_t a, mask = prefix ? htonl(~0u << (32 - prefix)) : 0, brd;
		memcpy(&a, addr, 4);
		brd = (a & mask) | ~mask;
		mnl_attr_put(nlh, IFA_LOCAL, 4, addr);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, addr);
		if (prefix < 31)
			mnl_attr_put(nlh, IFA_BROADCAST, 4, &brd);
	} else {
		/* No duplicate address detection: the lab's addresses are usable at once. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put(nlh, IFA_LOCAL, 16, addr);
		mnl_attr_put(nlh, IFA_ADDRESS, 16, addr);
	}
	return talk(nlh, what, err);
}

int bs_rtnl_route_add(const char *net, const char *gateway, struct bs_error *err)
{
	char buf[8192], what[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	unsigned char dst[16], gw[16];
	unsigned prefix, gw_prefix;
	int family, gw_family;

	snprintf(what, sizeof(what), "add a route to %s via %s", net, gateway);
	if (parse_prefix(net, &family, dst, &prefix) < 0 ||
	    parse_prefix(gateway, &gw_family, gw, &gw_prefix) < 0 || family != gw_family)
		return bs_error_set(err, EINVAL, "cannot %s: write NET/PREFIX via ADDRESS", what);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, gw);
	return talk(nlh, what, err);
}

int bs_rtnl_route_del(const char *net, struct bs_error *err)
{
	char buf[8192], what[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	unsigned char dst[16];
	unsigned prefix;
	int family;

	snprintf(what, sizeof(what), "delete the route to %s", net);
	if (parse_prefix(net, &family, dst, &prefix) < 0)
		return bs_error_set(err, EINVAL, "cannot %s: write NET/PREFIX", what);
	nlh->nlmsg_type = RTM_DELROUTE;
	nlh->nlmsg_flags = 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	return talk(nlh, what, err);
}

static int operstate_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFLA_OPERSTATE && mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
		*(int *)data = mnl_attr_get_u8(attr);
	return MNL_CB_OK;
}

static int operstate_msg(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), operstate_attr, data);
	return MNL_CB_OK;
}

#define OPER_UP 6 /* IF_OPER_UP of <linux/if.h>, which clashes with <net/if.h> */

bool bs_rtnl_link_oper_up(const char *name)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned seq = (unsigned)time(NULL), portid;
	int state = -1;
	ssize_t n;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl != NULL)
			mnl_socket_close(nl);
		return false;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0 &&
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0 &&
	    bs_netlink_lengths_sane(buf, (size_t)n))
		mnl_cb_run(buf, (size_t)n, seq, portid, operstate_msg, &state);
	mnl_socket_close(nl);
	return state == OPER_UP;
}
