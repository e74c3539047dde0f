#!/bin/bash
# File descriptors exhausted: `bindscope listen` under `ulimit -n 64` while a client holds
# 100 connections open. bindscope accepts what fits, sheds the rest (accepts each on its spare
# descriptor and closes it) with a clear message on stderr, counts them, and does not spin: it
# uses next to no CPU while the clients hold on and more connections arrive. Once the clients
# let go, a new connection is accepted and counted again. Every connection is accounted for:
# accepted + shed = connections made. Then the same with --json: shed events and the stopped
# event's count agree. Last, a limit that leaves no room for the spare descriptor itself:
# still no spin, and a message.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

count() {
	grep -c -F -- "$2" "$1" 2>/dev/null
}
# limited_listen ARG...: bindscope listen ARG... with `ulimit -n $LIMIT`, and none of the
# descriptors this shell may have inherited (above 2), so bindscope's count is its own. (No
# redirection on the loop: bash would park stderr on a high descriptor the loop then closes.)
limited_listen() {
	local fd
	for fd in "/proc/$BASHPID/fd"/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && [ -e "/proc/$BASHPID/fd/$fd" ] && eval "exec $fd>&-"
	done
	ulimit -n "$LIMIT" && exec "$BINDSCOPE" listen "$@"
}
fds_of() {
	find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l
}
sockets_of() {
	find "/proc/$1/fd" -mindepth 1 -lname 'socket:*' 2>/dev/null | wc -l
}

CLIENTS=100
EXTRA=10
LIMIT=64

# The client: opens N connections and holds them until the release file appears (at most
# 50 s), writing "connected closed_by_server" to the status file as the server closes some.
cat >"$tmp/hold.py" <<'EOF'
import os, select, socket, sys, time
n, port, status, release = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
end = time.monotonic() + 50
socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
closed = set()
def report():
    with open(status + ".tmp", "w") as f:
        f.write("%d %d\n" % (len(socks), len(closed)))
    os.rename(status + ".tmp", status)
report()
while not os.path.exists(release) and time.monotonic() < end:
    ready, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.05)
    for s in ready:
        try:
            data = s.recv(4096)
        except ConnectionResetError:
            data = b""
        if not data:
            closed.add(s)
    report()
for s in socks:
    s.close()
EOF

# --- Text mode: the message on stderr, the totals at the end.
PORT=9400
(limited_listen "127.0.0.1:$PORT") >"$tmp/out" 2>"$tmp/err" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "bindscope listens on 127.0.0.1:$PORT" 0 $?
check "its open-files limit is $LIMIT" "$LIMIT" \
	"$(awk '/^Max open files/ {print $4}' "/proc/$lpid/limits")"
fds_at_start=$(fds_of "$lpid")

timeout 60 python3 "$tmp/hold.py" "$CLIENTS" "$PORT" "$tmp/status" "$tmp/release" 2>"$tmp/hold.err" &
hpid=$!
pids+=("$hpid")
wait_until 100 test -s "$tmp/status"
check "the client connects $CLIENTS times (the kernel completes the handshakes)" "$CLIENTS" \
	"$(cut -d' ' -f1 "$tmp/status" 2>/dev/null || cat "$tmp/hold.err")"
wait_until 100 lines_ge "$tmp/err" "out of file descriptors" 1
msg=$(grep -m1 "out of file descriptors" "$tmp/err")
check_contains "stderr says it is out of file descriptors, and what to do" \
	"tcp 127.0.0.1:$PORT  out of file descriptors (this process's limit): closed a new connection to 127.0.0.1:$PORT unread; raise ulimit -n or close connections" \
	"$msg"

# Every connection is either accepted (and held) or shed (accepted on the spare and closed).
settled() {
	local a s
	a=$(count "$tmp/out" " accepted ")
	s=$(count "$tmp/err" "out of file descriptors")
	[ $((a + s)) -ge "$CLIENTS" ] && [ "$(cut -d' ' -f2 "$tmp/status")" -ge "$s" ]
}
wait_until 100 settled
accepted=$(count "$tmp/out" " accepted ")
shed=$(count "$tmp/err" "out of file descriptors")
check "accepted + shed = the $CLIENTS connections" "$CLIENTS" "$((accepted + shed))"
check "the client sees exactly the shed connections closed by the server" "$shed" \
	"$(cut -d' ' -f2 "$tmp/status")"
fds_full=$(fds_of "$lpid")
echo "# ulimit -n $LIMIT: bindscope started with $fds_at_start descriptors, accepted $accepted, shed $shed, now holds $fds_full"
check "bindscope is at its descriptor limit" "$LIMIT" "$fds_full"

# No spin: CPU over 2 s while the clients hold on and $EXTRA more connections arrive.
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks "$lpid")
for _ in $(seq "$EXTRA"); do
	timeout 2 nc -z 127.0.0.1 "$PORT" 2>/dev/null
	sleep 0.2
done
c1=$(cpu_ticks "$lpid")
cpu_ms=$(((c1 - c0) * 1000 / hz))
wait_until 50 lines_ge "$tmp/err" "out of file descriptors" $((shed + EXTRA))
echo "# bindscope CPU time over ~2 s at the limit, with $EXTRA more connections shed: ${cpu_ms} ms"
checks=$((checks + 1))
if [ "$cpu_ms" -lt 500 ]; then
	echo "ok - no CPU spin at the limit: ${cpu_ms} ms of CPU in ~2 s"
else
	failures=$((failures + 1))
	echo "FAIL - no CPU spin at the limit: ${cpu_ms} ms of CPU in ~2 s (expected < 500)"
fi
check "the $EXTRA later connections are shed too" "$((shed + EXTRA))" \
	"$(count "$tmp/err" "out of file descriptors")"
check "bindscope is still running" running \
	"$([ -d "/proc/$lpid" ] && [ "$(awk '{print $3}' "/proc/$lpid/stat")" != Z ] && echo running)"

# Recovery: the client lets go, descriptors free up, a new connection is accepted and read.
touch "$tmp/release"
wait "$hpid"
check "the holding client ran to the end" 0 $?
wait_until 100 lines_ge "$tmp/out" " closed " "$accepted"
check "the held connections are reported closed" "$accepted" "$(count "$tmp/out" " closed ")"
printf 'hello\n' | timeout 5 nc -N 127.0.0.1 "$PORT"
check "a new connection succeeds once descriptors are free" 0 $?
wait_until 50 lines_ge "$tmp/out" " closed " $((accepted + 1))
check "it is accepted, not shed" $((accepted + 1)) "$(count "$tmp/out" " accepted ")"
check "its 6 bytes are read" "after 6 bytes" "$(grep ' closed ' "$tmp/out" | tail -n 1 | grep -o 'after 6 bytes')"
check "no more shedding" "$((shed + EXTRA))" "$(count "$tmp/err" "out of file descriptors")"
check "no connection's socket is left: only the listener's" 1 "$(sockets_of "$lpid")"
echo "# after recovery bindscope holds $(fds_of "$lpid") descriptors (started with $fds_at_start; +1 is the output flush timer, made at the first event)"

kill -INT "$lpid"
proc_gone "$lpid"
check "SIGINT stops the listener" 0 $?
wait "$lpid"
check "listen exits 0 after SIGINT" 0 $?
check "the totals count every connection and every shed one" \
	"closed tcp 127.0.0.1:$PORT: $((accepted + 1)) connections, 0 datagrams, 6 bytes, $((shed + EXTRA)) shed" \
	"$(tail -n 1 "$tmp/out")"
check "nothing listens on $PORT after the stop" "" "$(ss -Hltn "sport = :$PORT")"

# --- The same with --json: shed events on stdout, and the stopped event counts them.
PORT=9401
rm -f "$tmp/status" "$tmp/release"
(limited_listen "127.0.0.1:$PORT" --json) >"$tmp/out.ndjson" 2>"$tmp/err.json" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "--json: bindscope listens on 127.0.0.1:$PORT" 0 $?
timeout 60 python3 "$tmp/hold.py" "$CLIENTS" "$PORT" "$tmp/status" "$tmp/release" 2>"$tmp/hold.err" &
hpid=$!
pids+=("$hpid")
wait_until 100 test -s "$tmp/status"
json_settled() {
	local a s
	a=$(count "$tmp/out.ndjson" '"event":"accepted"')
	s=$(count "$tmp/out.ndjson" '"event":"shed"')
	[ $((a + s)) -ge "$CLIENTS" ] && [ "$(cut -d' ' -f2 "$tmp/status")" -ge "$s" ]
}
wait_until 100 json_settled
jaccepted=$(count "$tmp/out.ndjson" '"event":"accepted"')
jshed=$(count "$tmp/out.ndjson" '"event":"shed"')
check "--json: accepted + shed events = the $CLIENTS connections" "$CLIENTS" "$((jaccepted + jshed))"
check "--json: some were shed" true "$([ "$jshed" -gt 0 ] && echo true || echo "false ($jshed)")"
check_contains "--json: a shed event carries the message" "out of file descriptors" \
	"$(grep -m1 '"event":"shed"' "$tmp/out.ndjson" | jq -r .message 2>/dev/null)"
touch "$tmp/release"
wait "$hpid"
kill -INT "$lpid"
proc_gone "$lpid"
wait "$lpid"
check "--json: listen exits 0 after SIGINT" 0 $?
check "--json: stopped counts the same accepted and shed" \
	"{\"accepted\":$jaccepted,\"shed\":$jshed}" \
	"$(grep '"event":"stopped"' "$tmp/out.ndjson" | jq -c '{accepted, shed}' 2>/dev/null)"

# --- A limit with room for the listener but not for its spare descriptor (one less than it
# started with above): a connection still must not make bindscope spin, and it must say why
# the connection is not served.
PORT=9402
LIMIT=$((fds_at_start - 1))
(limited_listen "127.0.0.1:$PORT") >"$tmp/out.nospare" 2>"$tmp/err.nospare" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "ulimit -n $LIMIT: bindscope still opens its listener" 0 $?
echo "# ulimit -n $LIMIT: bindscope holds $(fds_of "$lpid") descriptors: $(find "/proc/$lpid/fd" -mindepth 1 -printf '%l ' 2>/dev/null)"
timeout 3 nc -z 127.0.0.1 "$PORT"
check "ulimit -n $LIMIT: the kernel completes a connection's handshake" 0 $?
c0=$(cpu_ticks "$lpid")
sleep 2
c1=$(cpu_ticks "$lpid")
cpu_ms=$(((c1 - c0) * 1000 / hz))
echo "# ulimit -n $LIMIT: bindscope CPU time over 2 s with a connection pending: ${cpu_ms} ms"
checks=$((checks + 1))
if [ "$cpu_ms" -lt 500 ]; then
	echo "ok - ulimit -n $LIMIT: no CPU spin with a connection pending: ${cpu_ms} ms of CPU in 2 s"
else
	failures=$((failures + 1))
	echo "FAIL - ulimit -n $LIMIT: no CPU spin with a connection pending: ${cpu_ms} ms of CPU in 2 s (expected < 500)"
fi
check_contains "ulimit -n $LIMIT: stderr says no descriptor is left to take connections" \
	"cannot take new connections to 127.0.0.1:$PORT: no file descriptor is left" \
	"$(cat "$tmp/err.nospare")"
kill -INT "$lpid"
proc_gone "$lpid"
check "ulimit -n $LIMIT: SIGINT stops the listener" 0 $?
wait "$lpid"
check "ulimit -n $LIMIT: listen exits 0 after SIGINT" 0 $?
finish
