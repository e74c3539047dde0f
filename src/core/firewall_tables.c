/*
 * Are there any nftables tables here? One netlink dump of NFT_MSG_GETTABLE (every family),
 * which costs a fraction of loading libnftables and listing the ruleset: where there is no
 * table there is no rule, and bs_fw_read need not start libnftables at all.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bindscope/rtnl.h"
#include "firewall_internal.h"

static int count_table(const struct nlmsghdr *nlh, void *arg)
{
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE)
		(*(long *)arg)++;
	return MNL_CB_OK;
}

long fw_count_tables(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	unsigned seq = (unsigned)time(NULL), portid;
	long tables = 0;
	int rc = MNL_CB_OK;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl != NULL)
			mnl_socket_close(nl);
		return -1;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC; /* NFPROTO_UNSPEC: every family */
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		mnl_socket_close(nl);
		return -1;
	}
	while (rc > MNL_CB_STOP) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0 || !bs_netlink_lengths_sane(buf, (size_t)n)) {
			rc = MNL_CB_ERROR;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, count_table, &tables);
	}
	mnl_socket_close(nl);
	return rc == MNL_CB_ERROR ? -1 : tables; /* an error (EPERM): ask libnftables, it says */
}
