#!/bin/bash
# A probe that times out because bindscope's own probes filled someone's listen queue is
# explained from the kernel's counters, not blamed on the network: a listener with backlog 1
# that never accepts (tests/helpers/stalled_listener.c) takes two connections; the kernel
# drops the other SYNs (TcpExt ListenDrops), and the cells say so.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"
pids=()
trap cleanup EXIT

if [ ! -x "${STALLED_LISTENER:-}" ]; then
	echo "STALLED_LISTENER is not set to the built helper (run through ctest)" >&2
	exit 1
fi
"$STALLED_LISTENER" 0.0.0.0 8091 1 20 >/dev/null &
pids+=($!)
wait_listening 8091 "${pids[-1]}" || { echo "the stalled listener did not start" >&2; exit 1; }

out=$("$BINDSCOPE" probe --timeout 400 --json 8091)
check "probe exits 0" 0 $?
check "the socket's backlog is read from the kernel" 1 \
	"$(jq '.sockets[] | select(.port == 8091) | .backlog' <<<"$out")"
drops=$(jq '.listen_drops' <<<"$out")
check "the kernel counted dropped SYNs during the round" yes \
	"$([ "$drops" -ge 1 ] 2>/dev/null && echo yes || echo "no: $drops")"
timeouts=$(jq '[.probes[] | select(.observed == "timeout")] | length' <<<"$out")
check "some probes timed out (the queue holds two)" yes \
	"$([ "$timeouts" -ge 1 ] 2>/dev/null && echo yes || echo "no: $timeouts")"
why=$(jq -r '[.rows[].cells[] | select(.disagree) | .why] | first // ""' <<<"$out")
check_contains "a timed-out cell names the full listen queue" \
	"kernel dropped $drops connection attempt" "$why"
check_contains "... and the socket's backlog" \
	"#1's listen backlog is 1 (the kernel keeps at most 2 connections waiting for accept)" "$why"
check "no cell blames a firewall or the route" "" \
	"$(jq -r '.rows[].cells[].why' <<<"$out" | grep -o 'dropped before it reached')"
# The kernel agrees: the probes that timed out were dropped by the full queue.
check "ss shows the full queue (Recv-Q 2 of Send-Q 1)" "2 1" \
	"$(ss -Hltn 'sport = :8091' | awk '{ print $2, $3 }')"

check "sockets --json: the queue is full (queued 2, backlog 1), as ss says" "2 1" \
	"$("$BINDSCOPE" sockets -t --json | jq -r '.sockets[] | select(.port == 8091) | "\(.queued) \(.backlog)"')"

# A listener that accepts: no drops counted, every cell open, none marked.
socat TCP4-LISTEN:8092,bind=0.0.0.0,fork,backlog=128 /dev/null &
pids+=($!)
wait_listening 8092 "${pids[-1]}" || { echo "socat did not start" >&2; exit 1; }
out=$("$BINDSCOPE" probe --json 8092)
check "an accepting listener: no drops" 0 "$(jq '.listen_drops' <<<"$out")"
check "an accepting listener: no contradiction" 0 "$(jq '[.probes[] | select(.disagree)] | length' <<<"$out")"
finish
