#!/bin/bash
# `bindscope list` inside the seed's namespace shows exactly lo, eth0 and wlan0 with the
# seed's addresses and the right flags.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

json=$("$BINDSCOPE" list --json)
check "list --json exits 0" 0 $?

summary=$(jq -c '[.interfaces[] | {name, up, loopback, running,
	v4: [.ipv4[] | "\(.address)/\(.prefix) brd \(.broadcast)"]}]' <<<"$json")
check "interfaces and IPv4 addresses are the seed's" \
	'[{"name":"lo","up":true,"loopback":true,"running":true,"v4":["127.0.0.1/8 brd null"]},{"name":"eth0","up":true,"loopback":false,"running":true,"v4":["192.168.0.110/24 brd 192.168.0.255"]},{"name":"wlan0","up":true,"loopback":false,"running":true,"v4":["192.168.1.10/24 brd 192.168.1.255"]}]' \
	"$summary"

check "lo has ::1/128 scope host" '"::1/128 host"' \
	"$(jq -c '.interfaces[0].ipv6[0] | "\(.address)/\(.prefix) \(.scope)"' <<<"$json")"
check "veths have a MAC, loopback none" '[null,true,true]' \
	"$(jq -c '[.interfaces[] | if .mac then (.mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")) else null end]' <<<"$json")"
check "MTUs are read" '[65536,1500,1500]' "$(jq -c '[.interfaces[].mtu]' <<<"$json")"
check "flags in JSON" '["UP","BROADCAST","RUNNING","MULTICAST"]' \
	"$(jq -c '.interfaces[1].flags' <<<"$json")"

# -4 drops IPv6, -6 drops IPv4.
check "-4 has no ipv6 key" 'null' "$("$BINDSCOPE" list -4 --json | jq -c '.interfaces[1].ipv6')"
check "-6 shows eth0's link-local" '"link"' \
	"$("$BINDSCOPE" list -6 --json | jq -c '.interfaces[1].ipv6[0].scope')"

text=$("$BINDSCOPE" list)
check_contains "text shows wlan0's address with prefix" "inet  192.168.1.10/24" "$text"
check_contains "text shows loopback flags" "lo  <UP,LOOPBACK,RUNNING>" "$text"

# A downed interface with a second address.
ip link set wlan0 down
ip addr add 192.168.1.11/24 dev wlan0
json=$("$BINDSCOPE" list --json)
check "down interface is shown down with both addresses" \
	'{"name":"wlan0","up":false,"v4":["192.168.1.10","192.168.1.11"]}' \
	"$(jq -c '.interfaces[2] | {name, up, v4: [.ipv4[].address]}' <<<"$json")"
# An address without a broadcast (ip addr add without brd) has none, not its own address.
ip addr add 10.1.1.1/8 dev wlan0
check "no broadcast is null" '"10.1.1.1 null"' \
	"$("$BINDSCOPE" list --json | jq -c '.interfaces[2].ipv4[] | select(.address == "10.1.1.1") | "\(.address) \(.broadcast)"')"

"$BINDSCOPE" list -4 -6 >/dev/null 2>&1
check "-4 with -6 is a usage error" 2 $?
"$BINDSCOPE" list --bogus >/dev/null 2>&1
check "unknown option is a usage error" 2 $?
finish
