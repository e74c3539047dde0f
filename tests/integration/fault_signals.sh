#!/bin/bash
# SIGINT, SIGTERM and SIGHUP in the middle of a flood (tests/bench/connect_client.c, 16
# connections in flight, in the background), one run each, and a fourth run with SIGINT and
# SIGTERM back to back (a second signal while stopping), at `bindscope listen --json`:
# bindscope exits promptly with the documented code (`listen --help`: 0 when stopped by
# Ctrl-C or SIGTERM; SIGHUP is not listed there and stops it the same way, so 0 too), prints
# the stopped event last, with exactly as many accepted as it reported one by one, and leaves
# nothing listening on the port. Bounded: the client has a count and a deadline, every wait a
# limit, and the EXIT trap kills whatever is left.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# The load client is built by CMake with the tests (a compile error fails the build).
if [ ! -x "${CONNECT_CLIENT:-}" ]; then
	echo "CONNECT_CLIENT does not name the built load client (run the tests through ctest)" >&2
	exit 1
fi
# Ephemeral ports from 10000 up (this namespace only): plenty for the flood's TIME_WAIT
# sockets, and never the ports the listeners here use (below 10000), which a lingering client
# socket of an earlier run would otherwise hold.
echo "10000 65535" >/proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	echo "# could not widen ip_local_port_range; relying on tcp_tw_reuse"

check_contains "listen --help documents the exit codes" \
	"Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a listener could not be opened or the" \
	"$("$BINDSCOPE" listen --help)"

# Documented: 0 for SIGINT (Ctrl-C) and SIGTERM. SIGHUP: not in --help; bindscope handles it
# like the other two (a clean stop with the totals), which is a success too.
declare -A want_rc=([INT]=0 [TERM]=0 [HUP]=0 [INT+TERM]=0)
K=16
port=9600
for sig in INT TERM HUP INT+TERM; do
	port=$((port + 1))
	out="$tmp/$sig.ndjson"
	"$BINDSCOPE" listen "127.0.0.1:$port" --json >"$out" 2>"$tmp/$sig.err" &
	lpid=$!
	pids+=("$lpid")
	wait_listening "$port" "$lpid"
	check "SIG$sig run: bindscope listens on 127.0.0.1:$port" 0 $?

	# The flood: at most 1,000,000 connections and 30 s; it is stopped well before.
	timeout 40 "$CONNECT_CLIENT" 127.0.0.1 "$port" 1000000 "$K" 30 >"$tmp/$sig.client" &
	cpid=$!
	pids+=("$cpid")
	wait_until 100 lines_ge "$out" '"event":"closed"' 3000
	check "SIG$sig run: the flood is under way (3000 connections served)" 0 $?
	check "SIG$sig run: the client is still flooding" running \
		"$(kill -0 "$cpid" 2>/dev/null && echo running || echo "finished: $(cat "$tmp/$sig.client")")"

	t0=$(date +%s%N)
	for one in ${sig//+/ }; do
		kill "-$one" "$lpid"
	done
	proc_gone "$lpid"
	check "SIG$sig stops bindscope within 10 s" 0 $?
	t1=$(date +%s%N)
	wait "$lpid"
	rc=$?
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	accepted=$(grep -c '"event":"accepted"' "$out")
	closed=$(grep -c '"event":"closed"' "$out")
	echo "# SIG$sig after $accepted accepted connections: exit code $rc, gone in $(((t1 - t0) / 1000000)) ms"
	check "SIG$sig: exit code ${want_rc[$sig]}" "${want_rc[$sig]}" "$rc"
	check "SIG$sig: the stopped event is the last line" stopped \
		"$(tail -n 1 "$out" | jq -r .event 2>/dev/null)"
	check "SIG$sig: one stopped event" 1 "$(grep -c '"event":"stopped"' "$out")"
	check "SIG$sig: stopped.accepted is every connection reported accepted" "$accepted" \
		"$(grep '"event":"stopped"' "$out" | jq -r .accepted 2>/dev/null)"
	# stopped.bytes counts every byte read, also from the connections still open at the stop
	# (0 to 6 bytes each, whatever the client had sent): the closed events' own sum, plus at
	# most 6 per connection left open. (Not closed × 6: that raced with the stop.)
	closed_bytes=$(grep '"event":"closed"' "$out" | jq -s 'map(.bytes) | add // 0' 2>/dev/null)
	stopped_bytes=$(grep '"event":"stopped"' "$out" | jq -r .bytes 2>/dev/null)
	check "SIG$sig: stopped.bytes is the closed events' bytes plus at most 6 per open connection" true \
		"$([ "${stopped_bytes:-x}" -ge "${closed_bytes:-0}" ] 2>/dev/null &&
			[ "$stopped_bytes" -le $((closed_bytes + 6 * (accepted - closed))) ] && echo true ||
			echo "false: stopped $stopped_bytes, closed events $closed_bytes, $((accepted - closed)) open")"
	check "SIG$sig: each closed connection read the client's 6 bytes" "$closed" \
		"$(grep '"event":"closed"' "$out" | grep -c '"bytes":6')"
	check "SIG$sig: at most $K connections were open at the stop" true \
		"$([ $((accepted - closed)) -ge 0 ] && [ $((accepted - closed)) -le "$K" ] && echo true || echo "false: $accepted accepted, $closed closed")"
	check "SIG$sig: every line is JSON" "$(wc -l <"$out")" "$(jq -c .event "$out" 2>/dev/null | wc -l)"
	check "SIG$sig: nothing listens on $port afterwards" "" "$(ss -Hltn "sport = :$port")"
	check "SIG$sig: no socket of bindscope is left established" "" \
		"$(ss -Htn state established "( sport = :$port )")"
	check "SIG$sig: stderr says only where it listened" "listening on tcp 127.0.0.1:$port" \
		"$(cat "$tmp/$sig.err")"
done
finish
