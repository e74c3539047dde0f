/* Fuzz target: the nftables ruleset reader (JSON as `nft -j list ruleset` prints it) and the
 * evaluator over what it read: every packet shape, every word it prints of the verdict. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bindscope/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void judge(const struct bs_fw_ruleset *fw, const struct bs_fw_query *q)
{
	struct bs_fw_verdict v;
	char buf[512];

	bs_fw_eval(fw, q, &v);
	bs_fw_where(fw, &v, buf, sizeof(buf));
	bs_fw_rule_text(fw, &v, buf, sizeof(buf));
	bs_fw_outcome_text(&v, q->dst.family, buf, sizeof(buf));
	(void)bs_fw_reject_id(&v, q->dst.family);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const iifs[] = {"lo", "eth0", "wlan0"};
	struct bs_fw_ruleset *fw;
	struct bs_error err;
	struct in_addr a4;
	struct in6_addr a6;

	fw = bs_fw_parse((const char *)data, size, &err);
	if (fw == NULL)
		return 0;
	inet_pton(AF_INET, "192.168.1.10", &a4);
	inet_pton(AF_INET6, "fd00::10", &a6);
	for (int k = 0; k < 12; k++) {
		struct bs_fw_query q = {.proto = k & 1 ? BS_PROTO_UDP : BS_PROTO_TCP,
		                        .src_known = k & 2,
		                        .from_host = k >= 9,
		                        .dst_local = true};
		if (k & 4)
			bs_endpoint_from_v6(&q.dst, &a6, 0, (uint16_t)(8080 + k));
		else
			bs_endpoint_from_v4(&q.dst, a4, (uint16_t)(8080 + k));
		q.src = q.dst;
		snprintf(q.iif, sizeof(q.iif), "%s", q.from_host ? "lo" : iifs[k % 3]);
		snprintf(q.oif, sizeof(q.oif), "%s", q.from_host ? "lo" : "");
		judge(fw, &q);
	}
	bs_fw_free(fw);
	return 0;
}
