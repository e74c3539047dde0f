#!/bin/bash
# A machine with many of everything, as a router or a Kubernetes node has: 64 more interfaces
# (32 veth pairs), 300 more addresses on them, 200 TCP listeners. Every face must be complete
# and consistent: no table cut at a fixed size, no column or row lost without a word.
# Bounded: a fixed count of each, every wait limited; everything inside the lab's namespace.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"
tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# 32 veth pairs (64 interfaces), up, with 300 addresses on the A sides: 10.20.P.K/24.
for p in $(seq 1 32); do
	ip link add "va$p" type veth peer name "vb$p" || { echo "cannot make veth pairs here" >&2; exit 1; }
	ip link set "va$p" up
	ip link set "vb$p" up
done
n=0
for p in $(seq 1 32); do
	for k in $(seq 1 10); do
		[ "$n" -ge 300 ] && break 2
		ip addr add "10.20.$p.$k/24" dev "va$p" || exit 1
		n=$((n + 1))
	done
done
check "300 addresses added" 300 "$n"
last=10.20.30.10 # the 300th address

# 200 listeners on 0.0.0.0:9001..9200, from four bindscope listen processes (50 each).
for g in 0 1 2 3; do
	args=()
	for i in $(seq 1 50); do
		args+=("0.0.0.0:$((9000 + g * 50 + i))")
	done
	"$BINDSCOPE" listen "${args[@]}" >"$tmp/listen.$g" 2>&1 &
	pids+=($!)
done
for _ in $(seq 100); do
	[ "$(ss -Hltn 'sport >= :9001 and sport <= :9200' | wc -l)" -eq 200 ] && break
	sleep 0.1
done
check "the kernel has the 200 listeners" 200 "$(ss -Hltn 'sport >= :9001 and sport <= :9200' | wc -l)"

# list: every interface and every address.
list=$("$BINDSCOPE" list --json)
check "list: 67 interfaces (lo, eth0, wlan0 and 64 veths)" 67 "$(jq '.interfaces | length' <<<"$list")"
check "list: every one of the 300 addresses" 300 \
	"$(jq '[.interfaces[].ipv4[]? | select(.address | startswith("10.20."))] | length' <<<"$list")"

# sockets: all 200, each with its owner.
socks=$("$BINDSCOPE" sockets -t --json)
check "sockets: the 200 listeners" 200 \
	"$(jq '[.sockets[] | select(.port >= 9001 and .port <= 9200)] | length' <<<"$socks")"
check "sockets: each owned by bindscope" 200 \
	"$(jq '[.sockets[] | select(.port >= 9001 and .port <= 9200 and .owner.program == "bindscope")] | length' <<<"$socks")"
check "sockets (text): 200 rows" 200 "$("$BINDSCOPE" sockets -t | grep -c ':9[0-9]\{3\} ')"

# probe one port: a column per address (the 300, lo, eth0, wlan0, localhost, 0.0.0.0).
probe=$("$BINDSCOPE" probe --json 9001)
check "probe: exits 0" 0 $?
targets=$(jq '.targets | length' <<<"$probe")
check "probe: 305 columns (300 + lo + eth0 + wlan0 + localhost + 0.0.0.0)" 305 "$targets"
check "probe: the last address is a column" "$last" \
	"$(jq -r --arg a "$last" '.targets[] | select(.address == $a) | .address' <<<"$probe")"
check "probe: localhost and 0.0.0.0 are there" "localhost 0.0.0.0" \
	"$(jq -r '[.targets[] | select(.kind != "address") | .label] | join(" ")' <<<"$probe")"
check "probe: every probe answered open (the listener is a wildcard)" 305 \
	"$(jq '[.probes[] | select(.observed == "open")] | length' <<<"$probe")"
check "probe: no contradiction" 0 "$(jq '[.probes[] | select(.disagree)] | length' <<<"$probe")"
text=$("$BINDSCOPE" probe 9001)
check_contains "probe (text): the last address is a column" "$last" "$(head -2 <<<"$text")"
check "probe (text): one socket row" 1 "$(grep -c '^#1 tcp 0.0.0.0:9001 ' <<<"$text")"
check_contains "probe (text): the summary names 8 addresses and counts the other 295" \
	"From this host it takes every address probed (127.0.0.1, 192.168.0.110, " "$text"
check_contains "... and says how many it left out" ", and 295 more)." "$text"
check "probe (text): 305 open cells in the row" 305 \
	"$(grep '^#1 tcp 0.0.0.0:9001 ' <<<"$text" | grep -o '✓ open' | wc -l)"

# probe many ports at once: 20 ports × 305 columns.
ports=$(seq 9001 9020)
# shellcheck disable=SC2086 # one argument per port
probe=$("$BINDSCOPE" probe --json $ports)
check "probe of 20 ports: 20 socket rows" 20 "$(jq '.sockets | length' <<<"$probe")"
check "probe of 20 ports: 6100 probes, all open" 6100 \
	"$(jq '[.probes[] | select(.observed == "open")] | length' <<<"$probe")"

# the sweep: exactly the 200 ports, on the last address.
sweep=$("$BINDSCOPE" probe --ports 9000-9300 --on "$last" --json)
check "sweep: exactly the 200 listeners on $last" "200 9001 9200" \
	"$(jq -r --arg a "$last" '.addresses[] | select(.address == $a) | "\(.open | length) \(.open | min) \(.open | max)"' <<<"$sweep")"

finish
