#!/bin/bash
# Benchmark of `bindscope sockets` against ss on a large socket table: N listening TCP
# sockets (127.0.0.1, ports 20000..20000+N-1, one process), then the median wall time of
# BENCH_REPEAT runs of each command (output to /dev/null), its ratio to `ss -ltnp` (which,
# like bindscope, finds each socket's owner) and its peak RSS. Stated goal: `bindscope
# sockets` no slower than `ss -ltnp`. Also checks that bindscope lists all N sockets, each
# owned by the process that opened them.
#
# Usage: tests/bench/sockets.sh [N]
#   N             listening sockets (default 10000, at most 45000; needs a hard
#                 `ulimit -n` of at least N + 64)
# Environment:
#   BINDSCOPE     the binary to measure (default: build-sockrel/bindscope, built with
#                 CMake in Release mode if it does not exist yet)
#   BENCH_REPEAT  timed runs per command, median reported (default 5)
#   CC            C compiler for the helper (default cc)
#
# Prints one table (tool, median ms, ratio to ss -ltnp, peak RSS) and the check on
# stdout, progress on stderr. Exit status 0 when every measurement ran and bindscope
# listed every socket (whatever the timings), 1 otherwise, 77 when no private network
# namespace can be made here. Not part of CTest: timings are reported, never asserted.
#
# Safety: the sockets are opened inside a private network namespace made by
# tests/lib/private-netns.sh (unshare -rn; lo 127.0.0.1, eth0 192.168.0.110/24, wlan0
# 192.168.1.10/24), on its loopback only, and no traffic is sent. The namespace run is
# bounded by `timeout` (10 minutes), every wait loop is bounded, and a trap kills the
# helper (its sockets and the namespace die with it).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
source "$HERE/lib.sh"
SELF="$HERE/sockets.sh"
REPO=$(cd "$HERE/../.." && pwd)
NETNS="$REPO/tests/lib/private-netns.sh"
LOW=20000



# ---------------------------------------------------------------------------
# Inner half: inside the namespace. --inner WORK N REPEAT
# ---------------------------------------------------------------------------

TOOLS=("bindscope sockets" "bindscope sockets -t" "bindscope sockets --json"
	"ss -ltnp" "ss -ltn" "ss -ltnup")

# tool_cmd I: set CMD to the command line of TOOLS[I]
tool_cmd() {
	case $1 in
	0) CMD=("$BINDSCOPE" sockets) ;;
	1) CMD=("$BINDSCOPE" sockets -t) ;;
	2) CMD=("$BINDSCOPE" sockets --json) ;;
	3) CMD=(ss -ltnp) ;;
	4) CMD=(ss -ltn) ;;
	5) CMD=(ss -ltnup) ;;
	esac
}

HELPER_PID=""
# stop_helper: kill the socket helper (on exit from the inner half)
# shellcheck disable=SC2317 # called by the trap
stop_helper() {
	[ -n "$HELPER_PID" ] || return 0
	kill "$HELPER_PID" 2>/dev/null || true
	wait "$HELPER_PID" 2>/dev/null || true
}

inner() {
	local work=$1 n=$2 repeat=$3 high need pid state i r t0 t1 idx
	high=$((LOW + n - 1))
	trap stop_helper EXIT
	trap 'exit 143' TERM INT

	need=$((n + 64))
	if [ "$(ulimit -Sn)" -lt "$need" ]; then
		ulimit -Sn "$need" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
	fi
	if [ "$(ulimit -Sn)" -lt "$need" ]; then
		echo "sockets.sh: open files limited to $(ulimit -Sn) (hard $(ulimit -Hn)); $need needed" >&2
		return 1
	fi

	echo "opening $n listeners on 127.0.0.1:$LOW-$high ..." >&2
	"$work/many_listeners" 127.0.0.1 "$LOW" "$high" >"$work/ready" 2>"$work/helper.err" &
	pid=$!
	HELPER_PID=$pid
	for _ in $(seq 600); do # at most 60 s
		grep -q '^ready' "$work/ready" 2>/dev/null && break
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
		if [ -z "$state" ] || [ "$state" = Z ]; then
			echo "sockets.sh: the helper failed: $(cat "$work/helper.err")" >&2
			return 1
		fi
		sleep 0.1
	done
	if ! grep -q '^ready' "$work/ready"; then
		echo "sockets.sh: the helper was not ready after 60 s" >&2
		return 1
	fi

	# The table as ss and as bindscope see it.
	local ss_count bs_json bs_count bs_owned bs_t_count
	ss_count=$(ss -Hltn | awk -v lo="$LOW" -v hi="$high" '{ p = $4; sub(/.*:/, "", p) } p >= lo && p <= hi' | wc -l)
	bs_json=$("$BINDSCOPE" sockets --json)
	bs_count=$(jq --argjson lo "$LOW" --argjson hi "$high" \
		'[.sockets[] | select(.proto == "tcp" and .port >= $lo and .port <= $hi)] | length' <<<"$bs_json")
	bs_owned=$(jq --argjson lo "$LOW" --argjson hi "$high" --argjson pid "$pid" \
		'[.sockets[] | select(.proto == "tcp" and .port >= $lo and .port <= $hi and .owner.pid == $pid
			and .owner.program == "many_listeners" and .local == "127.0.0.1:\(.port)"
			and .exposure == "loopback")] | length' <<<"$bs_json")
	bs_t_count=$("$BINDSCOPE" sockets -t | awk -v lo="$LOW" -v hi="$high" \
		'$1 == "tcp" { p = $2; sub(/.*:/, "", p); if (p >= lo && p <= hi) c++ } END { print c + 0 }')

	# Warm-up (page cache, dentries of /proc), then rounds with the order rotated.
	echo "timing ${#TOOLS[@]} commands, $repeat runs each ..." >&2
	local -a runs=()
	local -a CMD=()
	for i in "${!TOOLS[@]}"; do
		tool_cmd "$i"
		"${CMD[@]}" >/dev/null
		runs[i]=""
	done
	for r in $(seq "$repeat"); do
		for i in "${!TOOLS[@]}"; do
			idx=$(((i + r) % ${#TOOLS[@]}))
			tool_cmd "$idx"
			t0=$(now_us)
			"${CMD[@]}" >/dev/null
			t1=$(now_us)
			runs[idx]+="$((t1 - t0)) "
		done
	done

	# Peak RSS: one more run of each under /usr/bin/time.
	local -a rss=()
	for i in "${!TOOLS[@]}"; do
		tool_cmd "$i"
		/usr/bin/time -f %M -o "$work/rss.$i" "${CMD[@]}" >/dev/null
		rss[i]=$(tail -n 1 "$work/rss.$i")
	done

	# The table.
	local base med ratio goal_ratio
	base=$(tr ' ' '\n' <<<"${runs[3]}" | grep . | median)
	printf '\nbindscope sockets with %d listening TCP sockets (median of %d runs, output to /dev/null)\n\n' \
		"$n" "$repeat"
	printf '%-26s %10s %14s %14s   %s\n' tool "median ms" "vs ss -ltnp" "peak RSS KiB" "runs (ms)"
	for i in "${!TOOLS[@]}"; do
		med=$(tr ' ' '\n' <<<"${runs[i]}" | grep . | median)
		ratio=$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
		printf '%-26s %10s %14s %14s   %s\n' "${TOOLS[i]}" \
			"$(awk -v u="$med" 'BEGIN { printf "%.1f", u / 1000 }')" "$ratio" "${rss[i]}" \
			"$(awk '{ for (i = 1; i <= NF; i++) printf "%s%.1f", (i > 1 ? " " : ""), $i / 1000 }' <<<"${runs[i]}")"
		[ "$i" -eq 0 ] && goal_ratio=$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
	done
	echo
	echo "ss -ltn sees $ss_count listeners in $LOW-$high; bindscope sockets --json lists $bs_count," \
		"$bs_owned of them owned by many_listeners (pid $pid) as loopback-only 127.0.0.1:PORT;" \
		"bindscope sockets -t shows $bs_t_count rows"
	if awk -v r="$goal_ratio" 'BEGIN { exit !(r <= 1.0) }'; then
		echo "goal (bindscope sockets no slower than ss -ltnp): met (${goal_ratio}x)"
	else
		echo "goal (bindscope sockets no slower than ss -ltnp): NOT met (${goal_ratio}x)"
	fi
	if [ "$ss_count" -ne "$n" ] || [ "$bs_count" -ne "$n" ] || [ "$bs_owned" -ne "$n" ] ||
		[ "$bs_t_count" -ne "$n" ]; then
		echo "CHECK FAILED: expected $n everywhere"
		return 1
	fi
	echo "check: ok (all $n listed, with their owner)"
}

if [ "${1:-}" == "--inner" ]; then
	shift
	inner "$@"
	exit
fi

# ---------------------------------------------------------------------------
# Outer half: build, compile the helper, run the inner half in a fresh namespace.
# ---------------------------------------------------------------------------

N=${1:-10000}
if ! [[ "$N" =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$N" -gt 45000 ]; then
	echo "usage: $0 [N]   (N listening sockets, 1..45000, default 10000)" >&2
	exit 2
fi
REPEAT=${BENCH_REPEAT:-5}
if ! [[ "$REPEAT" =~ ^[1-9][0-9]*$ ]]; then
	echo "$0: BENCH_REPEAT must be a positive number" >&2
	exit 2
fi
for tool in jq ss /usr/bin/time "${CC:-cc}"; do
	if ! command -v "$tool" >/dev/null; then
		echo "$0: $tool is needed" >&2
		exit 1
	fi
done

bench_bindscope "$REPO" build-sockrel

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"${CC:-cc}" -O2 -Wall -o "$WORK/many_listeners" "$HERE/many_listeners.c"

echo "bindscope: $BINDSCOPE ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" \
	"+ working tree); $(nproc) CPUs; kernel $(uname -r); $(ss -V)"
set +e
timeout --foreground -k 10 600 "$NETNS" bash "$SELF" --inner "$WORK" "$N" "$REPEAT"
rc=$?
set -e
case $rc in
0) exit 0 ;;
77) exit 77 ;;
*) exit 1 ;;
esac
