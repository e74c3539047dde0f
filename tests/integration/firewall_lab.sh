#!/bin/bash
# The firewall's predictions against the kernel: each ruleset below is loaded in the lab's
# workstation (through a topology's firewall lines), bindscope listens on every port the rules
# name, and for every socket x vantage the reason bindscope predicts (syn-ack, reset,
# no-response, icmp-admin-prohibited, ...) must be the reason the probe observed. The peers are
# the oracle; nc run from a peer checks a few cells again with a tool that is not bindscope.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- inside one lab: $1 names the ruleset, $2 the file that collects "checked N" lines ---
if [ "${1:-}" = inner ]; then
	name=$2 tally=$3
	mapfile -t SOCKETS_SAYS <<<"$SOCKETS_SAYS_TEXT"
	peer_pid() { tr ' ' '\n' <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^$1=//p"; }
	opens=()
	for p in $TCP_PORTS; do opens+=(--open "0.0.0.0:$p"); done
	tcp=$("$BINDSCOPE" probe "${opens[@]}" --timeout 700 --json)
	check "$name: probe exits 0" 0 $?
	uopens=()
	for p in $UDP_PORTS; do uopens+=(--open "0.0.0.0:$p"); done
	udp='{"probes":[]}'
	[ -n "$UDP_PORTS" ] && udp=$("$BINDSCOPE" probe --udp "${uopens[@]}" --timeout 700 --json)
	all=$(jq -s '{firewall: .[0].firewall, probes: (.[0].probes + .[1].probes)}' <<<"$tcp $udp")
	check "$name: the ruleset was read" true "$(jq '.firewall.read' <<<"$all")"
	# Every probe from a peer that reaches this machine, with a prediction: the reason.
	cells=$(jq -c '[.probes[] | select(.vantage > 0 and .probed and .same_as == null
	                 and .predicted_reason != null and .predicted_reason != "no-route")]' <<<"$all")
	n=$(jq length <<<"$cells")
	wrong=$(jq -r '.[] | select(.reason != .predicted_reason)
	          | "\(.proto) \(.port) \(.address) from vantage \(.vantage): predicted \(.predicted_reason) (\(.firewall.where // "no rule")), observed \(.reason)"' <<<"$cells")
	check "$name: each of $n peer cells observed the reason predicted" "" "$wrong"
	check "$name: no cell contradicts its prediction" "" \
		"$(jq -r '.probes[] | select(.disagree) | "\(.port) \(.address) v\(.vantage) \(.observed)"' <<<"$all")"
	unpredicted=$(jq -r '[.probes[] | select(.vantage > 0 and .probed and .predicted_reason == null) | .port] | unique | join(" ")' <<<"$all")
	check "$name: only the rules bindscope cannot evaluate go unpredicted" "$UNPREDICTED" "$unpredicted"
	echo "$name $n" >>"$tally"
	# Named cells: "PORT PROTO VANTAGE ADDRESS REASON WHERE" (WHERE: the deciding rule's place).
	while read -r port proto v addr reason where; do
		[ -z "$port" ] && continue
		got=$(jq -r --argjson p "$port" --arg pr "$proto" --argjson v "$v" --arg a "$addr" '
		  .probes[] | select(.port == $p and .proto == $pr and .vantage == $v and .address == $a)
		  | "\(.reason) \(.firewall.where // "-")"' <<<"$all" | head -1)
		check "$name: $proto $port to $addr from vantage $v" "$reason ${where//_/ }" "$got"
	done <<<"$NAMED"
	# The same ports held by socat for what follows: a tool that is not bindscope agrees
	# (nc from the peer's own namespace), and the sockets listing names the rules.
	listeners=()
	for p in $TCP_PORTS; do
		socat "TCP4-LISTEN:$p,fork,reuseaddr" /dev/null &
		listeners+=($!)
	done
	for _ in $(seq 50); do
		[ "$(ss -Hltn | wc -l)" -ge "$(wc -w <<<"$TCP_PORTS")" ] && break
		sleep 0.1
	done
	while read -r peer addr port says; do
		[ -z "$peer" ] && continue
		out=$(timeout 5 nsenter -t "$(peer_pid "$peer")" -n nc -4 -vz -w 1 "$addr" "$port" 2>&1)
		check_contains "$name: nc from $peer to $addr:$port says ${says//_/ }" "${says//_/ }" "$out"
	done <<<"$NC"
	sockets=$("$BINDSCOPE" sockets -t)
	for line in "${SOCKETS_SAYS[@]}"; do
		check_contains "$name: sockets says $line" "$line" "$sockets"
	done
	kill "${listeners[@]}" 2>/dev/null
	finish
	exit $?
fi

# --- outside: one lab per ruleset ---
why=$("$BINDSCOPE" lab -- true 2>&1) || { echo "SKIP: the lab cannot be built here: $why" >&2; exit 77; }
tally=$tmp/tally
: >"$tally"
run_lab() { # NAME TOPOLOGY
	local out
	SOCKETS_SAYS_TEXT=$(printf '%s\n' "${SOCKETS_SAYS[@]}")
	export TCP_PORTS UDP_PORTS NAMED NC UNPREDICTED SOCKETS_SAYS_TEXT
	out=$("$BINDSCOPE" lab --topology "$2" -- bash "$0" inner "$1" "$tally" 2>&1)
	echo "$out"
	local passed failed
	passed=$(grep -c '^ok - ' <<<"$out")
	failed=$(grep -c '^FAIL - ' <<<"$out")
	checks=$((checks + passed + failed))
	failures=$((failures + failed))
	[ "$passed" -gt 0 ] || { failures=$((failures + 1)); echo "FAIL - $1: the lab ran no check"; }
}

# 1. tests/data/firewall/hostfw.nft as a file: drop, reset, icmp admin-prohibited, per
#    interface, sets, a range into a jump chain with a set of trusted sources, a per-source
#    prefix, ct state established (the probes' SYNs are new), UDP drop and ICMP reject, a rule
#    on the source port (cannot be evaluated) and a dnat (sent elsewhere). eth0-peer sits at
#    192.168.0.5, inside the trusted 192.168.0.0/28; wlan0-peer at 192.168.1.20 is not.
cat >"$tmp/hostfw.lab" <<EOF
iface eth0 192.168.0.110/24
iface wlan0 192.168.1.10/24
peer eth0-peer on eth0 192.168.0.5/24
peer wlan0-peer on wlan0 192.168.1.20/24
firewall file $TESTS_DIR/data/firewall/hostfw.nft
EOF
TCP_PORTS="8082 8083 8084 8085 8086 8087 8088 8090 8091 8094 8095"
UDP_PORTS="8092 8093"
UNPREDICTED="8094 8095"
NAMED="8082 tcp 2 192.168.1.10 no-response inet_hostfw_input,_handle_6
8082 tcp 1 192.168.0.110 syn-ack the_policy_of_inet_hostfw_input
8083 tcp 2 192.168.1.10 reset inet_hostfw_input,_handle_7
8084 tcp 2 192.168.1.10 icmp-admin-prohibited inet_hostfw_input,_handle_8
8085 tcp 1 192.168.0.110 icmp-port-unreachable inet_hostfw_input,_handle_10
8086 tcp 2 192.168.1.10 icmp-port-unreachable inet_hostfw_input,_handle_10
8087 tcp 1 192.168.0.110 no-response inet_hostfw_input,_handle_11
8087 tcp 2 192.168.1.10 syn-ack the_policy_of_inet_hostfw_input
8091 tcp 1 192.168.0.110 syn-ack inet_hostfw_services,_handle_16
8091 tcp 2 192.168.1.10 reset inet_hostfw_services,_handle_17
8088 tcp 0 192.168.1.10 syn-ack inet_hostfw_input,_handle_5
8092 udp 2 192.168.1.10 no-response inet_hostfw_input,_handle_13
8093 udp 1 192.168.0.110 icmp-host-unreachable inet_hostfw_input,_handle_14
8093 udp 2 192.168.1.10 received the_policy_of_inet_hostfw_input"
NC="wlan0-peer 192.168.1.10 8083 Connection_refused
wlan0-peer 192.168.1.10 8084 No_route_to_host
wlan0-peer 192.168.1.10 8087 succeeded
eth0-peer 192.168.0.110 8087 timed_out"
SOCKETS_SAYS=("8082: accepted on eth0 by the policy of inet hostfw input; dropped on wlan0 by inet hostfw input, handle 6")
run_lab hostfw "$tmp/hostfw.lab"

# 2. A default-drop workstation: only ssh on eth0 and 8082 from the wlan0 prefix get in; the
#    rest meets the policy (a drop nobody wrote as a rule).
cat >"$tmp/policy-drop.lab" <<'EOF'
iface eth0 192.168.0.110/24
iface wlan0 192.168.1.10/24
peer eth0-peer on eth0 192.168.0.20/24
peer wlan0-peer on wlan0 192.168.1.20/24
firewall 'add table ip strict'
firewall 'add chain ip strict input { type filter hook input priority 0; policy drop; }'
firewall 'add rule ip strict input ct state established,related accept'
firewall 'add rule ip strict input iif "lo" accept'
firewall 'add rule ip strict input iifname "eth0" tcp dport 2222 accept'
firewall 'add rule ip strict input ip saddr 192.168.1.0/24 tcp dport 8082 accept'
EOF
TCP_PORTS="2222 8082 8083"
UDP_PORTS=""
UNPREDICTED=""
NAMED="2222 tcp 1 192.168.0.110 syn-ack ip_strict_input,_handle_4
2222 tcp 2 192.168.1.10 no-response the_policy_of_ip_strict_input
8082 tcp 2 192.168.1.10 syn-ack ip_strict_input,_handle_5
8082 tcp 1 192.168.0.110 no-response the_policy_of_ip_strict_input
8083 tcp 0 127.0.0.1 syn-ack ip_strict_input,_handle_3"
NC="wlan0-peer 192.168.1.10 8082 succeeded
eth0-peer 192.168.0.110 8082 timed_out"
SOCKETS_SAYS=("2222: accepted on eth0 by ip strict input, handle 4; dropped on wlan0 by the policy of ip strict input")
run_lab policy-drop "$tmp/policy-drop.lab"

# 3. A rule nft refuses, and a ruleset file that is not there: the lab is not built, and the
#    message names the topology line and what nft said.
printf '%s\n' "iface eth0 192.168.0.110/24" "firewall 'add table inet t'" \
	"firewall 'add rule inet t input tcp dport 22 drop'" >"$tmp/bad-rule.lab"
err=$("$BINDSCOPE" lab --topology "$tmp/bad-rule.lab" -- true 2>&1)
check "a rule nft refuses: the lab exits 1" 1 $?
check_contains "... named with its line and nft's words" \
	"topology line 3: nft refused the rule: Error: Could not process rule: No such file or directory" "$err"
printf '%s\n' "iface eth0 192.168.0.110/24" "firewall file missing.nft" >"$tmp/bad-file.lab"
err=$("$BINDSCOPE" lab --topology "$tmp/bad-file.lab" -- true 2>&1)
check "a missing ruleset file: the lab exits 1" 1 $?
check "... named with its line, beside the topology" \
	"bindscope: topology line 2: cannot read the ruleset file $tmp/missing.nft: No such file or directory" "$err"

echo "# rulesets x peer cells checked against the kernel:"
sed 's/^/#   /' "$tally"
finish
