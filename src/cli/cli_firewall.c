/* The firewall in the CLI's JSON (cli_firewall.h). */
#include "cli_firewall.h"

#include "cli_util.h"

json_t *cli_fw_status_json(const struct bs_fw_ruleset *fw, const char *why)
{
	return json_pack("{s:b,s:I,s:o}", "read", fw != NULL || why[0] == '\0', "rules",
	                 (json_int_t)(fw != NULL ? bs_fw_rule_count(fw) : 0), "text",
	                 why[0] != '\0' ? cli_json_text(why) : json_null());
}

json_t *cli_fw_verdict_json(const struct bs_fw_ruleset *fw, const struct bs_fw_verdict *v,
                            int family)
{
	const char *reject = bs_fw_reject_id(v, family);
	char where[256], rule[512];
	json_t *j = json_object();

	bs_fw_where(fw, v, where, sizeof(where));
	bs_fw_rule_text(fw, v, rule, sizeof(rule));
	json_object_set_new(j, "verdict", json_string(bs_fw_outcome_id(v->outcome)));
	json_object_set_new(j, "reject", reject[0] ? json_string(reject) : json_null());
	json_object_set_new(j, "by_policy", json_boolean(v->by_policy));
	json_object_set_new(j, "where", where[0] ? cli_json_text(where) : json_null());
	json_object_set_new(j, "rule", rule[0] ? cli_json_text(rule) : json_null());
	return j;
}
