#!/bin/bash
# Benchmark of `bindscope sockets` with a firewall to read and evaluate: N listening TCP
# sockets on 0.0.0.0 (so each one is judged on eth0 and wlan0) and an nftables ruleset of R
# rules (R/2 drops on wlan0 for ports in the sockets' range, the rest accepts for ports outside
# it, behind a jump, so every socket walks every rule), then the median wall time of
# BENCH_REPEAT runs beside `ss -ltnp` (owners too) and `nft list ruleset` (reading the same
# rules), printed as ratios to ss. Stated goal (issue "The firewall decides too"): `bindscope
# sockets` at most 0.6x `ss -ltnp`'s time with 1,000 rules and 1,000 sockets. Also checks that
# every socket's firewall line names the rule that drops it on wlan0.
#
# Usage: tests/bench/firewall.sh [N [R]]   (defaults 1000 and 1000)
# Environment: BINDSCOPE (default build-sockrel/bindscope, built in Release if missing),
#   BENCH_REPEAT (default 5), CC (for the listener helper).
#
# Safety: everything runs in a private network namespace (tests/lib/private-netns.sh); the
# ruleset is loaded there, never on the host; no traffic is sent. Bounded by `timeout`.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
source "$HERE/lib.sh"
SELF="$HERE/firewall.sh"
REPO=$(cd "$HERE/../.." && pwd)
NETNS="$REPO/tests/lib/private-netns.sh"
LOW=20000


inner() {
	local work=$1 n=$2 rules=$3 repeat=$4 high pid i r t0 t1 idx
	high=$((LOW + n - 1))
	ulimit -Sn "$((n + 64))" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
	# The ruleset: a base chain that jumps to "ports", where the drops and accepts are. Loaded
	# 100 rules per nft transaction (one batch of 1,000 is more than a netlink message holds).
	nft -f - <<-EOF
		table inet bench {
		  chain ports { }
		  chain input { type filter hook input priority 0; policy accept; iifname "lo" accept; jump ports; }
		}
	EOF
	{
		for i in $(seq 0 $((rules / 2 - 1))); do
			echo "add rule inet bench ports iifname \"wlan0\" tcp dport $((LOW + i % n)) drop"
		done
		for i in $(seq 0 $((rules - rules / 2 - 1))); do
			echo "add rule inet bench ports tcp dport $((LOW + n + i)) accept"
		done
	} >"$work/rules.nft"
	split -l 100 "$work/rules.nft" "$work/rules.part."
	for f in "$work"/rules.part.*; do nft -f "$f"; done
	[ "$(nft -a list chain inet bench ports | grep -c 'handle')" -ge "$rules" ] ||
		{ echo "firewall.sh: the ruleset did not load" >&2; return 1; }
	"$work/many_listeners" 0.0.0.0 "$LOW" "$high" >"$work/ready" 2>"$work/helper.err" &
	pid=$!
	HELPER=$pid
	trap 'kill "$HELPER" 2>/dev/null || true' EXIT
	for _ in $(seq 600); do
		grep -q '^ready' "$work/ready" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^ready' "$work/ready" || { echo "firewall.sh: the helper failed: $(cat "$work/helper.err")" >&2; return 1; }

	local -a names=("bindscope sockets" "bindscope sockets --json" "ss -ltnp" "nft list ruleset")
	local -a runs=() rss=()
	run_tool() {
		case $1 in
		0) "$BINDSCOPE" sockets ;;
		1) "$BINDSCOPE" sockets --json ;;
		2) ss -ltnp ;;
		3) nft list ruleset ;;
		esac
	}
	for i in "${!names[@]}"; do
		run_tool "$i" >/dev/null
		runs[i]=""
	done
	for r in $(seq "$repeat"); do
		for i in "${!names[@]}"; do
			idx=$(((i + r) % ${#names[@]}))
			t0=$(now_us)
			run_tool "$idx" >/dev/null
			t1=$(now_us)
			runs[idx]+="$((t1 - t0)) "
		done
	done
	for i in "${!names[@]}"; do
		/usr/bin/time -f %M -o "$work/rss.$i" bash -c "$(declare -f run_tool); BINDSCOPE=$BINDSCOPE run_tool $i" >/dev/null
		rss[i]=$(tail -n 1 "$work/rss.$i")
	done
	local base med goal
	base=$(tr ' ' '\n' <<<"${runs[2]}" | grep . | median)
	printf '\nbindscope sockets, %d sockets on 0.0.0.0, %d nftables rules (median of %d runs)\n\n' "$n" "$rules" "$repeat"
	printf '%-26s %10s %14s %14s\n' tool "median ms" "vs ss -ltnp" "peak RSS KiB"
	for i in "${!names[@]}"; do
		med=$(tr ' ' '\n' <<<"${runs[i]}" | grep . | median)
		printf '%-26s %10s %14s %14s\n' "${names[i]}" "$(awk -v u="$med" 'BEGIN { printf "%.1f", u / 1000 }')" \
			"$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')" "${rss[i]}"
		[ "$i" -eq 0 ] && goal=$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
	done
	echo
	if awk -v r="$goal" 'BEGIN { exit !(r <= 0.6) }'; then
		echo "goal (bindscope sockets <= 0.6x ss -ltnp): met (${goal}x)"
	else
		echo "goal (bindscope sockets <= 0.6x ss -ltnp): NOT met (${goal}x)"
	fi
	# Every socket whose port a drop names says so on its firewall line.
	local want named
	want=$((rules / 2 < n ? rules / 2 : n))
	named=$("$BINDSCOPE" sockets --json | jq --argjson lo "$LOW" --argjson hi "$((LOW + want - 1))" \
		'[.sockets[] | select(.port >= $lo and .port <= $hi)
		  | select(any(.firewall[]; .iface == "wlan0" and .verdict == "drop" and (.where | startswith("inet bench ports, handle"))))
		  | select(any(.firewall[]; .iface == "eth0" and .verdict == "accept"))] | length')
	if [ "$named" -ne "$want" ]; then
		echo "CHECK FAILED: $named of $want sockets name their drop on wlan0"
		return 1
	fi
	echo "check: ok (all $want sockets with a drop name the rule on wlan0, and accept on eth0)"
}

if [ "${1:-}" == "--inner" ]; then
	shift
	inner "$@"
	exit
fi

N=${1:-1000}
R=${2:-1000}
REPEAT=${BENCH_REPEAT:-5}
for tool in jq ss nft /usr/bin/time "${CC:-cc}"; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done
bench_bindscope "$REPO" build-sockrel
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"${CC:-cc}" -O2 -Wall -o "$WORK/many_listeners" "$HERE/many_listeners.c"
echo "bindscope: $BINDSCOPE; $(nproc) CPUs; kernel $(uname -r); $(ss -V); $(nft -v)"
timeout --foreground -k 10 600 "$NETNS" bash "$SELF" --inner "$WORK" "$N" "$R" "$REPEAT"
