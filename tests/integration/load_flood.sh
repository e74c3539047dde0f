#!/bin/bash
# A flood of 100,000 TCP connections at `bindscope listen
# 127.0.0.1:PORT --json`, from tests/bench/connect_client.c with 16 connections in flight:
# every connection the client completed is reported (one accepted and one closed event each)
# and counted exactly in the stopped event, with its bytes, and bindscope's resident memory at
# the end of the flood is what it was after the first 10% (memory flat, nothing kept per
# connection). Bounded: the client stops at its deadline, every wait has a limit.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# field NAME LINE: the value of NAME=VALUE in connect_client's summary line (0 when absent).
field() {
	local v
	v=$(grep -oE "(^| )$1=[0-9.]+" <<<"$2" | cut -d= -f2)
	echo "${v:-0}"
}

# The load client is built by CMake with the tests (a compile error fails the build).
if [ ! -x "${CONNECT_CLIENT:-}" ]; then
	echo "CONNECT_CLIENT does not name the built load client (run the tests through ctest)" >&2
	exit 1
fi

# The full 100,000 under AddressSanitizer too: it serves about 20,000 connections/s, so the
# flood takes some 5 s there.
N=100000
if is_asan; then
	# ASan's quarantine keeps freed blocks from reuse (256 MB by default), so resident memory
	# would grow with every connection whatever bindscope does (measured: 467 MB after
	# 100,000). A small quarantine still catches use-after-free of recent blocks.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
	echo "# AddressSanitizer build: the same $N connections, with ASAN_OPTIONS=$ASAN_OPTIONS for a meaningful RSS"
fi
K=16
FIRST=$((N / 10))
REST=$((N - FIRST))
PORT=9200

# The client closes first, so each connection leaves a TIME_WAIT socket on one of its
# ephemeral ports: widen the range (this namespace only) so the flood never waits for ports,
# from 10000 up so it never takes the listener's port.
echo "10000 65535" >/proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	echo "# could not widen ip_local_port_range; relying on tcp_tw_reuse"

"$BINDSCOPE" listen "127.0.0.1:$PORT" --json >"$tmp/out.ndjson" 2>"$tmp/err" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "bindscope listens on 127.0.0.1:$PORT" 0 $?
rss_start=$(rss_kb "$lpid")

t0=$(date +%s%N)
r1=$(timeout 50 "$CONNECT_CLIENT" 127.0.0.1 "$PORT" "$FIRST" "$K" 40)
check "the first 10% ($FIRST connections) are all served" "$FIRST" "$(field ok "$r1")"
rss_10=$(rss_kb "$lpid")
r2=$(timeout 50 "$CONNECT_CLIENT" 127.0.0.1 "$PORT" "$REST" "$K" 40)
check "the other 90% ($REST connections) are all served" "$REST" "$(field ok "$r2")"
rss_100=$(rss_kb "$lpid")
t1=$(date +%s%N)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$lpid/status")

ok=$(($(field ok "$r1") + $(field ok "$r2")))
reset=$(($(field reset "$r1") + $(field reset "$r2")))
failed=$(($(field failed "$r1") + $(field failed "$r2")))
completed=$((ok + reset))
ms=$(((t1 - t0) / 1000000))
echo "# flood: $N connections, $K in flight: $ok served, $reset reset, $failed failed in ${ms} ms ($((completed * 1000 / (ms > 0 ? ms : 1))) conn/s)"
echo "# bindscope VmRSS: ${rss_start} kB listening, ${rss_10} kB at 10%, ${rss_100} kB at 100%; VmHWM ${hwm} kB"

# Memory flat: the end of the flood within 2x or 4 MB of the figure at 10%, whichever is
# less; under ASan 8 MB more, for the quarantine (4 MB here) and the allocator's per-thread
# caches filling up.
limit=$((rss_10 * 2 > rss_10 + 4096 ? rss_10 + 4096 : rss_10 * 2))
is_asan && limit=$((rss_10 + 8192))
checks=$((checks + 1))
if [ -n "$rss_10" ] && [ -n "$rss_100" ] && [ "$rss_100" -le "$limit" ]; then
	echo "ok - resident memory stays flat: ${rss_100} kB at 100% <= ${limit} kB (10%: ${rss_10} kB)"
else
	failures=$((failures + 1))
	echo "FAIL - resident memory stays flat: ${rss_100:-?} kB at 100%, limit ${limit} kB (10%: ${rss_10:-?} kB)"
fi

kill -INT "$lpid"
proc_gone "$lpid"
check "SIGINT stops the listener" 0 $?
wait "$lpid"
check "listen exits 0 after SIGINT" 0 $?
check "nothing listens on $PORT after the stop" "" "$(ss -Hltn "sport = :$PORT")"

stopped=$(grep '"event":"stopped"' "$tmp/out.ndjson")
check "the last line is the stopped event" "stopped" "$(tail -n 1 "$tmp/out.ndjson" | jq -r .event 2>/dev/null)"
check "stopped: accepted is exactly the connections the client completed" "$completed" \
	"$(jq -r .accepted <<<"$stopped" 2>/dev/null)"
check "stopped: the bytes are exactly 6 per served connection (\"bench\\n\")" "$((ok * 6))" \
	"$(jq -r .bytes <<<"$stopped" 2>/dev/null)"
check "stopped: nothing was shed" 0 "$(jq -r .shed <<<"$stopped" 2>/dev/null)"
check "one accepted event per connection" "$completed" "$(grep -c '"event":"accepted"' "$tmp/out.ndjson")"
check "one closed event per connection" "$completed" "$(grep -c '"event":"closed"' "$tmp/out.ndjson")"
check "every closed event counts the client's 6 bytes" "" \
	"$(grep '"event":"closed"' "$tmp/out.ndjson" | grep -v '"bytes":6[,}]' | head -n 3)"
check "every line is JSON" "$((2 * completed + 2))" "$(jq -c .event "$tmp/out.ndjson" 2>/dev/null | wc -l)"
check "stderr says only where it listens" "listening on tcp 127.0.0.1:$PORT" "$(cat "$tmp/err")"
finish
