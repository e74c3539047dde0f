#!/bin/bash
# 2,000 idle TCP connections held open at once at `bindscope listen 127.0.0.1:PORT --json`:
# all accepted and established (ss), bindscope's resident memory grows by little per
# connection and it spends no CPU on them. Then one client sends 1 GiB through nc (about 1 s,
# under AddressSanitizer too): the closed event counts exactly those bytes, and resident
# memory does not grow with them. Bounded: every client under timeout, every wait limited.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# established DIR: how many established TCP sockets have DIR (sport or dport) = PORT.
established() {
	ss -Htn state established "( $1 = :$PORT )" | wc -l
}
# check_le NAME VALUE LIMIT: a check that VALUE <= LIMIT (integers).
check_le() {
	checks=$((checks + 1))
	if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -le "$3" ]; then
		echo "ok - $1 ($2 <= $3)"
	else
		failures=$((failures + 1))
		echo "FAIL - $1"
		echo "  expected at most: ${3:-?}"
		echo "  actual:           ${2:-?}"
	fi
}

IDLE=2000
PORT=9300
BULK=1073741824
if is_asan; then
	# ASan's quarantine would keep every freed block from reuse (256 MB by default).
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
	echo "# AddressSanitizer build: the same counts, with ASAN_OPTIONS=$ASAN_OPTIONS for a meaningful RSS"
fi

# Both ends hold 2,000 descriptors: raise the soft limit (this shell and its children only).
need=$((IDLE + 256))
if ! ulimit -n "$need" 2>/dev/null; then
	echo "SKIP: cannot raise the open-files limit to $need (hard limit $(ulimit -Hn))" >&2
	exit 77
fi

"$BINDSCOPE" listen "127.0.0.1:$PORT" --json >"$tmp/out.ndjson" 2>"$tmp/err" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "bindscope listens on 127.0.0.1:$PORT" 0 $?
rss_start=$(rss_kb "$lpid")

# --- 2,000 idle connections, held by one client until the release file appears (or 50 s).
cat >"$tmp/hold.py" <<'EOF'
import os, socket, sys, time
n, port, status, release = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
end = time.monotonic() + 50
socks = []
for _ in range(n):
    socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
with open(status + ".tmp", "w") as f:
    f.write("%d\n" % len(socks))
os.rename(status + ".tmp", status)
while not os.path.exists(release) and time.monotonic() < end:
    time.sleep(0.05)
for s in socks:
    s.close()
EOF
timeout 60 python3 "$tmp/hold.py" "$IDLE" "$PORT" "$tmp/held" "$tmp/release" 2>"$tmp/hold.err" &
hpid=$!
pids+=("$hpid")
t0=$(date +%s%N)
wait_until 300 test -s "$tmp/held"
check "the client opens $IDLE connections" "$IDLE" "$(cat "$tmp/held" 2>/dev/null || cat "$tmp/hold.err")"
t1=$(date +%s%N)
accepted_all() {
	[ "$(grep -c '"event":"accepted"' "$tmp/out.ndjson")" -ge "$IDLE" ]
}
wait_until 100 accepted_all
check "bindscope reports $IDLE accepted connections" "$IDLE" \
	"$(grep -c '"event":"accepted"' "$tmp/out.ndjson")"
check "ss: $IDLE established on bindscope's side" "$IDLE" "$(established sport)"
check "ss: $IDLE established on the client's side" "$IDLE" "$(established dport)"
check "bindscope holds a socket per connection, and its listener's" "$((IDLE + 1))" \
	"$(find "/proc/$lpid/fd" -lname 'socket:*' | wc -l)"
check "no connection is closed while they idle" 0 "$(grep -c '"event":"closed"' "$tmp/out.ndjson")"
c0=$(cpu_ticks "$lpid")
sleep 2
c1=$(cpu_ticks "$lpid")
rss_idle=$(rss_kb "$lpid")
hz=$(getconf CLK_TCK)
idle_ms=$(((c1 - c0) * 1000 / hz))
echo "# $IDLE idle connections opened in $(((t1 - t0) / 1000000)) ms; bindscope VmRSS ${rss_start} kB listening, ${rss_idle} kB holding them ($(((rss_idle - rss_start) * 1024 / IDLE)) bytes each); CPU over 2 s idle: ${idle_ms} ms"
# Per connection bindscope keeps a small record and an epoll watch: allow 4 KB each (8 KB
# under ASan, whose redzones and allocator metadata are larger).
per=4
is_asan && per=8
check_le "resident memory with $IDLE idle connections grows by at most $per KB each (kB)" \
	"$((rss_idle - rss_start))" "$((IDLE * per))"
check_le "idle connections cost no CPU: ms used over 2 s" "$idle_ms" 200

closed_all() {
	[ "$(grep -c '"event":"closed"' "$tmp/out.ndjson")" -ge "$IDLE" ]
}
none_established() {
	[ "$(established sport)" -eq 0 ]
}
touch "$tmp/release"
wait_until 100 closed_all
check "all $IDLE are reported closed when the client lets go" "$IDLE" \
	"$(grep -c '"event":"closed"' "$tmp/out.ndjson")"
wait "$hpid"
check "the holding client ran to the end" 0 $?
wait_until 50 none_established
check "ss: nothing established any more" 0 "$(established sport)"
check "the idle connections sent nothing" "" \
	"$(grep '"event":"closed"' "$tmp/out.ndjson" | grep -v '"bytes":0[,}]' | head -n 3)"

# --- One client sends BULK bytes; resident memory is sampled every 50 ms meanwhile.
rss_before=$(rss_kb "$lpid")
(
	for _ in $(seq 1200); do # at most 60 s
		rss_kb "$lpid" || break
		sleep 0.05
	done
) >"$tmp/rss.samples" 2>/dev/null &
spid=$!
pids+=("$spid")
t0=$(date +%s%N)
head -c "$BULK" /dev/zero | timeout 50 nc -N 127.0.0.1 "$PORT"
check "nc sends $BULK bytes and finishes" 0 $?
t1=$(date +%s%N)
closed_bulk() {
	grep '"event":"closed"' "$tmp/out.ndjson" | grep -qv '"bytes":0[,}]'
}
wait_until 100 closed_bulk
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
rss_peak=$(sort -n "$tmp/rss.samples" | tail -n 1)
rss_after=$(rss_kb "$lpid")
ms=$(((t1 - t0) / 1000000))
echo "# $BULK bytes in $ms ms ($((BULK * 1000 / 1048576 / (ms > 0 ? ms : 1))) MiB/s); bindscope VmRSS ${rss_before} kB before, peak ${rss_peak} kB during ($(wc -l <"$tmp/rss.samples") samples), ${rss_after} kB after"
check "the bulk connection's closed event counts exactly $BULK bytes" "$BULK" \
	"$(grep '"event":"closed"' "$tmp/out.ndjson" | grep -v '"bytes":0[,}]' | jq -r .bytes 2>/dev/null)"
check_le "resident memory does not grow with the bytes: peak during the transfer (kB)" \
	"$rss_peak" "$((rss_before + 2048))"

kill -INT "$lpid"
proc_gone "$lpid"
check "SIGINT stops the listener" 0 $?
wait "$lpid"
check "listen exits 0 after SIGINT" 0 $?
check "stopped: $((IDLE + 1)) accepted, $BULK bytes, nothing shed" \
	"{\"accepted\":$((IDLE + 1)),\"bytes\":$BULK,\"shed\":0}" \
	"$(grep '"event":"stopped"' "$tmp/out.ndjson" | jq -c '{accepted, bytes, shed}' 2>/dev/null)"
check "nothing listens on $PORT after the stop" "" "$(ss -Hltn "sport = :$PORT")"
check "stderr says only where it listens" "listening on tcp 127.0.0.1:$PORT" "$(cat "$tmp/err")"
finish
