#!/bin/bash
# `bindscope lab exec [PEER] -- CMD`: a second terminal joins a running lab. The command sees
# the lab's workstation (or the peer's) network, its processes and its peers; a listener
# started through lab exec answers a peer's connection made through lab exec; the command ends
# with the lab; several labs need --lab; a lab killed with -9 leaves a file that is recognised
# as stale. Labs here write themselves down in a private $XDG_RUNTIME_DIR, so the other lab
# tests running beside this one are not seen.
set -uo pipefail
: "${BINDSCOPE:?}" "${TESTS_DIR:?}"
source "$TESTS_DIR/lib/common.sh"

require_lab
XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR
keepers=()
cleanup() {
	for k in "${keepers[@]}"; do kill "$k" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT

# start_lab [ARGS...]: a lab running `sleep 60` in the background; its keeper's pid in $keeper
# and its own pid (as the file names it) in $labpid.
start_lab() {
	local before after i
	before=$(ls "$XDG_RUNTIME_DIR/bindscope" 2>/dev/null)
	"$BINDSCOPE" lab "$@" -- sleep 60 &
	keeper=$!
	keepers+=("$keeper")
	for i in $(seq 100); do
		after=$(ls "$XDG_RUNTIME_DIR/bindscope" 2>/dev/null | grep -v '\.new$')
		labpid=$(comm -13 <(echo "$before") <(echo "$after") | sed -n 's/^lab-//p' | head -1)
		[ -n "$labpid" ] && return 0
		sleep 0.05
	done
	echo "the lab did not write itself down"
	return 1
}

out=$("$BINDSCOPE" lab exec -- true 2>&1)
check "no lab: exit 1" "1" "$?"
check_contains "... where it looked, and what to do" "no running lab is written down in $XDG_RUNTIME_DIR/bindscope: start one with bindscope lab" "$out"

start_lab || exit 1
check "the lab's file is private to the user" "600" "$(stat -c %a "$XDG_RUNTIME_DIR/bindscope/lab-$labpid")"
addrs=$("$BINDSCOPE" lab exec -- ip -j -4 addr | jq -r '[.[].addr_info[].local] | join(" ")')
check "lab exec -- CMD runs in the lab's workstation" "127.0.0.1 192.168.0.110 192.168.1.10" "$addrs"
addrs=$("$BINDSCOPE" lab exec eth0-peer -- ip -j -4 addr | jq -r '[.[].addr_info[].local] | join(" ")')
check "lab exec eth0-peer -- CMD runs in that peer" "127.0.0.1 192.168.0.20" "$addrs"
check "... and sees the lab's processes (the lab is pid 1 there)" "1" \
	"$("$BINDSCOPE" lab exec -- sh -c 'ps -o pid= -p 1 | tr -d " "')"
check "the exit code is the command's" "7" "$("$BINDSCOPE" lab exec -- sh -c 'exit 7'; echo $?)"

# Two terminals, one lab: a listener from one, a peer's connection from the other.
"$BINDSCOPE" lab exec -- "$BINDSCOPE" listen 0.0.0.0:8099 >/dev/null 2>&1 &
listener=$!
for i in $(seq 50); do
	"$BINDSCOPE" lab exec -- ss -Hltn 'sport = :8099' | grep -q 8099 && break
	sleep 0.1
done
out=$("$BINDSCOPE" lab exec eth0-peer -- nc -vz -w 2 192.168.0.110 8099 2>&1)
check "a peer reaches a listener started by another lab exec" "0" "$?"
out=$("$BINDSCOPE" lab exec -- "$BINDSCOPE" probe 8099 2>&1)
check_contains "bindscope probe in lab exec probes from the lab's peers too" "from eth0-peer" "$out"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null

out=$("$BINDSCOPE" lab exec wlan9 -- true 2>&1)
check "an unknown peer: exit 1" "1" "$?"
check_contains "... naming the lab's peers" "has no peer wlan9 (eth0-peer, wlan0-peer)" "$out"
out=$("$BINDSCOPE" lab exec eth0-peer ss 2>&1)
check "a command not after --: usage error" "2" "$?"
out=$("$BINDSCOPE" lab exec -- no-such-program-here 2>&1)
check "a command that is not there: 127" "127" "$?"

# A second lab: lab exec must be told which.
first=$labpid
start_lab --topology dual-stack || exit 1
second=$labpid
out=$("$BINDSCOPE" lab exec -- true 2>&1)
check "two labs: exit 1" "1" "$?"
check_contains "... asking for --lab" "2 labs are running: choose one with --lab PID" "$out"
check_contains "... and listing them" "--lab $second" "$out"
v6=$("$BINDSCOPE" lab exec --lab "$second" -- ip -j -6 addr show dev eth0 scope global | jq -r '.[].addr_info[]?.local // empty')
check "--lab PID joins that lab (the dual-stack one)" "fd00::110" "$v6"

# A command ends with its lab.
"$BINDSCOPE" lab exec --lab "$first" -- sleep 61 &
joined=$!
sleep 0.3
kill "${keepers[0]}"
for i in $(seq 50); do
	[ -d "/proc/$joined" ] && [ "$(awk '{print $3}' "/proc/$joined/stat" 2>/dev/null)" != Z ] || break
	sleep 0.1
done
wait "$joined" 2>/dev/null
check "a command run with lab exec ends when its lab ends" "gone" \
	"$([ -d "/proc/$joined" ] && echo running || echo gone)"
check "... and the lab's file goes with it" "no" \
	"$([ -e "$XDG_RUNTIME_DIR/bindscope/lab-$first" ] && echo yes || echo no)"

# kill -9: the file stays behind; lab exec sees it is stale and removes it.
kill -9 "${keepers[1]}"
wait "${keepers[1]}" 2>/dev/null
for i in $(seq 50); do
	[ -d "/proc/$second" ] || break
	sleep 0.1
done
check "after kill -9 the file is left" "yes" \
	"$([ -e "$XDG_RUNTIME_DIR/bindscope/lab-$second" ] && echo yes || echo no)"
out=$("$BINDSCOPE" lab exec -- true 2>&1)
check "a stale file is no running lab" "1" "$?"
check_contains "... said as such" "no running lab is written down" "$out"
check "... and it is removed" "no" \
	"$([ -e "$XDG_RUNTIME_DIR/bindscope/lab-$second" ] && echo yes || echo no)"

# As a normal user (the lab in a user namespace of its own), where that is allowed.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ] &&
	setpriv --reuid 65534 --regid 65534 --clear-groups "$BINDSCOPE" lab -- true 2>/dev/null; then
	as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR "$@"; }
	as_nobody "$BINDSCOPE" lab -- sleep 30 &
	keepers+=($!)
	for i in $(seq 100); do
		as_nobody "$BINDSCOPE" lab exec -- true 2>/dev/null && break
		sleep 0.05
	done
	addrs=$(as_nobody "$BINDSCOPE" lab exec wlan0-peer -- ip -j -4 addr | jq -r '[.[].addr_info[].local] | join(" ")')
	check "as a normal user, lab exec joins the user's own lab" "127.0.0.1 192.168.1.20" "$addrs"
	kill "${keepers[-1]}" 2>/dev/null
else
	echo "# not run as a normal user here (no setpriv, not root, or no user namespaces)"
fi
finish
