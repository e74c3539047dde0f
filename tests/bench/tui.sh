#!/bin/bash
# The TUI's start-up, memory and idle cost, next to htop's as a reference.
# Usage: tests/bench/tui.sh        (inside a fresh private namespace; about 30 s)
#
# For each program, in a private tmux server of 100x30: the time from launch to the first
# frame (polling capture-pane every 10 ms for its first screen), the resident memory once
# drawn (VmRSS), and over 10 s of idleness the CPU time used and the wake-ups (voluntary +
# involuntary context switches). bindscope idles with one listener open on 0.0.0.0:8081.
# Not a test: figures are printed, never asserted.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BINDSCOPE=${BINDSCOPE:-$REPO/build/bindscope}

if [ -z "${IN_SEED_NETNS:-}" ]; then
	[ -x "$BINDSCOPE" ] || { echo "build bindscope first (make test)" >&2; exit 1; }
	if ! command -v htop >/dev/null; then
		if [ "$(id -u)" -eq 0 ]; then
			apt-get install -y -qq htop >/dev/null 2>&1
		fi
	fi
	IN_SEED_NETNS=1 BINDSCOPE=$BINDSCOPE exec timeout 120 "$REPO/tests/lib/private-netns.sh" bash "$0"
fi

tmp=$(mktemp -d)
trap 'tmux -f /dev/null -S "$tmp/sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
tm() { tmux -f /dev/null -S "$tmp/sock" "$@"; }

# measure NAME FIRST_SCREEN_REGEX SETUP_KEYS CMD...
measure() {
	local name=$1 regex=$2 keys=$3 pid t0 t1 i ticks0 ticks1 cs0 cs1 rss
	shift 3
	t0=$(date +%s%N)
	tm -u new-session -d -x 100 -y 30 "sh -c 'echo \$\$ >$tmp/pid; exec env LANG=C.UTF-8 $*'"
	for i in $(seq 500); do
		tm capture-pane -p 2>/dev/null | grep -qE "$regex" && break
		sleep 0.01
	done
	t1=$(date +%s%N)
	pid=$(cat "$tmp/pid")
	[ -n "$keys" ] && tm send-keys $keys && sleep 1
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	cs0=$(awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$pid/status")
	sleep 10
	ticks1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	cs1=$(awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$pid/status")
	awk -v n="$name" -v ns=$((t1 - t0)) -v kb="$rss" \
		-v ms=$(( (ticks1 - ticks0) * 1000 / $(getconf CLK_TCK) )) -v cs=$((cs1 - cs0)) \
		'BEGIN { printf "%-34s %10.1f ms %8.1f MB %10d ms %10d\n", n, ns / 1e6, kb / 1024, ms, cs }'
	tm kill-server 2>/dev/null
	sleep 0.3
}

echo "TUI cost: first frame, memory, and 10 s idle (2 CPUs; $(uname -r))"
printf '%-34s %13s %11s %13s %10s\n' "program" "first frame" "RSS" "idle CPU" "wake-ups"
measure "bindscope (1 listener on 0.0.0.0)" 'Interfaces' "Down Down Down Enter Enter" "$BINDSCOPE"
measure "bindscope (no listener)" 'Interfaces' "" "$BINDSCOPE"
if command -v htop >/dev/null; then
	measure "htop (reference)" 'Load average|Tasks' "" htop
else
	echo "htop is not installed: no reference row"
fi
echo "first frame: launch until the first screen is readable via tmux (includes tmux's own start);"
echo "idle CPU and wake-ups: utime+stime and context switches over 10 s with no input"
