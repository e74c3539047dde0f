#!/bin/bash
# Output that cannot be written is never lost silently (issue 15, items 2 and 4):
# - `listen --json | head -1` ends at once (the reader went away, even with no connection
#   coming) and its listener is closed; exit 141, nothing said;
# - >/dev/full: list, sockets, probe (matrix, --json, --ports sweep) and listen exit 1 with
#   "bindscope: cannot write the output: No space left on device" (listen closes its listener);
# - a closed pipe (EPIPE): exit 141 and no message;
# - a sweep of 1,000 open ports on 127.0.0.1 prints every one of them (no 4 KiB cut).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # cleanup, wait_listening, wait_until
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

FULL_MSG='bindscope: cannot write the output: No space left on device'

listening() {
	ss -Hltn "sport = :$1"
}
nothing_on() {
	[ -z "$(listening "$1")" ]
}

# --- listen | head -1: the reader takes one line and goes; bindscope must follow it.
start=$(date +%s%N)
timeout 10 "$BINDSCOPE" listen --json 127.0.0.1:8600 2>"$tmp/err" | head -1 >"$tmp/out"
statuses="${PIPESTATUS[*]}"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "listen --json | head -1 ends by itself, quietly with 141 (not killed by timeout's 124)" \
	"141 0" "$statuses"
check "... within 3 s (took ${elapsed_ms} ms)" yes "$([ "$elapsed_ms" -lt 3000 ] && echo yes || echo no)"
check_contains "... head got the listening event" '"event":"listening"' "$(cat "$tmp/out")"
check "... and nothing about the output on stderr" "" "$(grep -v '^listening on' "$tmp/err")"
check "... and its listener is closed" "" "$(listening 8600)"

# The same in text mode, with a reader that leaves before anything is written.
(
	sleep 0.3
	exec timeout 10 "$BINDSCOPE" listen 127.0.0.1:8601 2>"$tmp/err"
) | true
check "listen into a closed pipe exits 141" "141 0" "${PIPESTATUS[*]}"
check "... and says nothing" "" "$(cat "$tmp/err")"
check "... and leaves nothing listening" "" "$(listening 8601)"

# --- A full disk: one sentence and exit 1, for every face.
# full NAME ARGS...: run bindscope ARGS >/dev/full (bounded) and check its exit and message.
full() {
	local name=$1 rc err
	shift
	timeout 10 "$BINDSCOPE" "$@" >/dev/full 2>"$tmp/err"
	rc=$?
	err=$(grep -v '^listening on' "$tmp/err")
	check "$name >/dev/full exits 1" 1 "$rc"
	check "$name >/dev/full says why, once" "$FULL_MSG" "$err"
}
full list list
full "list --json" list --json
full sockets sockets
full "sockets --json" sockets --json
full "probe 22" probe 22
full "probe --json 22" probe --json 22
full "probe --open" probe --open 127.0.0.1:8602
full "probe --ports sweep" probe --ports 8600-8700 --on 127.0.0.1
full "probe --ports --json sweep" probe --ports 8600-8700 --on 127.0.0.1 --json
full "listen" listen 127.0.0.1:8603
full "listen --json" listen --json 127.0.0.1:8604
check "listen >/dev/full closed its listener" "" "$(listening 8603)$(listening 8604)"

# listen >/dev/full with connections coming after the announcement would fail the same way;
# here the announcement itself cannot be written, so no event is ever lost unseen.

# --- EPIPE: 141 and not a word, for each face (the reader is gone before the first write).
# closed NAME ARGS...
closed() {
	local name=$1 st
	shift
	(
		sleep 0.3
		exec timeout 10 "$BINDSCOPE" "$@" 2>"$tmp/err"
	) | true
	st="${PIPESTATUS[*]}"
	check "$name into a closed pipe exits 141" "141 0" "$st"
	check "$name into a closed pipe says nothing" "" "$(grep -v '^listening on' "$tmp/err")"
}
closed list list
closed "list --json" list --json
closed sockets sockets
closed "sockets --json" sockets --json
closed "probe 22" probe 22
closed "probe --json 22" probe --json 22
closed "probe --ports sweep" probe --ports 8600-8700 --on 127.0.0.1
closed "listen --json" listen --json 127.0.0.1:8605

# --- A sweep of 1,000 open ports prints all of them. 20 listeners of 50 ports each.
for ((g = 0; g < 20; g++)); do
	ports=()
	for ((p = 20000 + g * 50; p < 20050 + g * 50; p++)); do
		ports+=("127.0.0.1:$p")
	done
	"$BINDSCOPE" listen "${ports[@]}" >/dev/null 2>&1 &
	pids+=($!)
done
count_open() {
	[ "$(ss -Hltn 'sport >= :20000 and sport <= :20999' | wc -l)" -eq 1000 ]
}
wait_until 150 count_open
check "1,000 ports listen on 127.0.0.1" 0 $?
timeout 20 "$BINDSCOPE" probe --ports 20000-20999 --on 127.0.0.1 >"$tmp/sweep" 2>"$tmp/err"
check "the sweep exits 0" 0 $?
want=$(seq -s ', ' 20000 20999)
got=$(sed -n 's/^  127\.0\.0\.1 *lo *open: //p' "$tmp/sweep")
check "the sweep lists all 1,000 open ports, 20000 to 20999, none cut" "$want" "$got"
check "the sweep names the socket of the last port" 1 \
	"$(grep -c '127\.0\.0\.1:20999, bindscope' "$tmp/sweep")"

# --- 300 more addresses (on lo): lists of them are whole, or abbreviated with a count.
for ((i = 1; i <= 300; i++)); do
	echo "addr add 10.77.$((i / 250)).$((i % 250 + 1))/32 dev lo"
done >"$tmp/batch"
ip -batch "$tmp/batch"
check "300 addresses added" 303 "$(ip -4 -o addr show | wc -l)"
timeout 10 "$BINDSCOPE" probe --from 192.168.2.20 22 >"$tmp/out" 2>"$tmp/err"
check "probe --from an address not here is a usage error (2)" 2 $?
listed=$(sed -n 's/.*its IPv4 addresses: \(.*\))$/\1/p' "$tmp/err" | tr ',' '\n' | grep -c '[0-9]')
check "... and lists all 303 of this machine's addresses, none cut" 303 "$listed"
check_contains "... the last added one included" "10.77.1.51, " "$(cat "$tmp/err")"
timeout 10 "$BINDSCOPE" listen 192.168.2.20:8082 >"$tmp/out" 2>"$tmp/err"
check "listen on an address not here exits 1" 1 $?
err=$(cat "$tmp/err")
more=$(sed -n 's/.*, and \([0-9]*\) more (bindscope list shows them))$/\1/p' <<<"$err")
shown=$(sed -n 's/.*its IPv4 addresses: \(.*\), and [0-9]* more.*/\1/p' <<<"$err" | tr ',' '\n' |
	grep -c '^ *[0-9.]*[0-9]$')
check "... abbreviates the 303 addresses and says how many it left out (shown + left out)" \
	303 "$((shown + ${more:-0}))"

finish
