/* The firewall in the CLI's JSON: one shape for `probe --json` and `sockets --json`. */
#ifndef BINDSCOPE_CLI_FIREWALL_H
#define BINDSCOPE_CLI_FIREWALL_H

#include <jansson.h>

#include "bindscope/firewall.h"

/* {"read": bool, "rules": N, "text": why it was not read, or null}. */
json_t *cli_fw_status_json(const struct bs_fw_ruleset *fw, const char *why);

/* {"verdict", "reject", "by_policy", "where", "rule"} of one verdict. */
json_t *cli_fw_verdict_json(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v,
                            int family);

#endif
