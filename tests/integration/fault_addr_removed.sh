#!/bin/bash
# The address a listener is bound to is removed while it listens (`ip addr del` in the
# namespace), then added back.
#  - `bindscope listen 192.168.1.10:PORT`: keeps running while the address is gone (a
#    connection held across the removal survives; new ones cannot reach it), and once the
#    address is back a new nc connection is accepted and counted.
#  - The TUI, with a listener on wlan0: the log says the address was removed, the matrix
#    loses the wlan0 column and the interfaces panel shows wlan0 without an address; when
#    it comes back the log says so, and the row reads open under wlan0 again.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash" # sets the EXIT trap; ours runs through on_exit

tmp=$(mktemp -d)
pids=()
on_exit cleanup

running() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	if [ -n "$state" ] && [ "$state" != Z ]; then echo running; else echo "gone"; fi
}
has_wlan0_addr() {
	ip -4 -o addr show dev wlan0 | grep -q '192\.168\.1\.10/24'
}

# --- bindscope listen
PORT=9500
"$BINDSCOPE" listen "192.168.1.10:$PORT" --json >"$tmp/out.ndjson" 2>"$tmp/err" &
lpid=$!
pids+=("$lpid")
wait_listening "$PORT" "$lpid"
check "bindscope listens on 192.168.1.10:$PORT" 0 $?

# One connection held across the removal (nc reads a fifo the test writes), one before it.
printf 'one\n' | timeout 5 nc -N 192.168.1.10 "$PORT"
check "a connection before the removal succeeds" 0 $?
mkfifo "$tmp/held-in"
timeout 30 nc -N 192.168.1.10 "$PORT" <"$tmp/held-in" >/dev/null 2>&1 &
held=$!
pids+=("$held")
exec 3>"$tmp/held-in"
wait_until 50 lines_ge "$tmp/out.ndjson" '"event":"accepted"' 2
check "the held connection is accepted" 0 $?

ip addr del 192.168.1.10/24 dev wlan0
check "ip addr del 192.168.1.10/24 dev wlan0" 0 $?
sleep 1
check "bindscope keeps running without its address" running "$(running "$lpid")"
check "its socket still listens on 192.168.1.10:$PORT" "192.168.1.10:$PORT" \
	"$(ss -Hltn "sport = :$PORT" | awk '{print $4}')"
timeout 5 nc -z -w 2 192.168.1.10 "$PORT" 2>/dev/null
check "meanwhile a new connection cannot reach it (nc fails)" 1 $?
printf 'held\n' >&3 # the held connection still carries data (loopback, no route needed)

ip addr add 192.168.1.10/24 brd + dev wlan0
check "ip addr add 192.168.1.10/24 dev wlan0" 0 $?
wait_until 50 has_wlan0_addr
printf 'three\n' | timeout 5 nc -N 192.168.1.10 "$PORT"
check "once the address is back a new nc connection succeeds" 0 $?
exec 3>&- # the held one ends too
wait "$held"
check "the held connection ends normally" 0 $?
wait_until 50 lines_ge "$tmp/out.ndjson" '"event":"closed"' 3
check "bindscope is still running" running "$(running "$lpid")"
kill -INT "$lpid"
proc_gone "$lpid"
check "SIGINT stops the listener" 0 $?
wait "$lpid"
check "listen exits 0 after SIGINT" 0 $?
check "events: three connections, each accepted and closed" \
	'["listening","accepted","closed","accepted","accepted","closed","closed","stopped"]' \
	"$(jq -s -c '[.[].event]' "$tmp/out.ndjson" 2>/dev/null)"
check "the closed events count 4, 5 (held across the removal) and 6 bytes" '[4,5,6]' \
	"$(jq -s -c '[.[] | select(.event == "closed") | .bytes] | sort' "$tmp/out.ndjson" 2>/dev/null)"
check "stopped: 3 accepted, 15 bytes" '{"accepted":3,"bytes":15,"shed":0}' \
	"$(jq -c 'select(.event == "stopped") | {accepted, bytes, shed}' "$tmp/out.ndjson" 2>/dev/null)"
check "stderr says only where it listens" "listening on tcp 192.168.1.10:$PORT" "$(cat "$tmp/err")"

# --- The TUI: a listener on wlan0 (192.168.1.10:8082).
log_re() {
	printf '^ [0-9]{2}:[0-9]{2}:[0-9]{2} %s' "$1"
}
counters() {
	sed -nE 's/.*[ >]tcp 192\.168\.1\.10:8082 +conn ([0-9]+)\/([0-9]+) +([0-9]+) B.*/\1 \2 \3/p' \
		<<<"$(tui_screen)" | head -n1
}
tui_start || exit 1
tui_keys Down Down Enter
wait_for "Enter on wlan0 asks the port" 'Listen \(tcp\) on wlan0, port: 8081_'
tui_type 8082
tui_keys Enter
wait_for "tcp 192.168.1.10:8082 is in the listeners panel" '>tcp 192\.168\.1\.10:8082 +conn '
wait_for "the first probe round is over" "$(log_re 'probed 1 port on 5 addresses')"
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open"
tpid=$(tui_pid)

ip addr del 192.168.1.10/24 dev wlan0
wait_for "the log says the address was removed" \
	"$(log_re 'address 192\.168\.1\.10/24 removed from wlan0$')"
# The socket's address stays a column, "not here" (this machine lacks it), and is not probed.
wait_for "the listeners are probed again on the 4 addresses left" \
	"$(log_re 'probed 1 port on 5 addresses from this host: 0 of 4 probes open$')"
check "the matrix has no wlan0 column any more" "(no column)" \
	"$(matrix_cell wlan0 "tcp 192.168.1.10:8082")"
check "192.168.1.10's column is headed 'not here' and is not probed" "-" \
	"$(matrix_cell not "tcp 192.168.1.10:8082")"
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "localhost=✗ refused"
wait_for "the interfaces panel shows wlan0 without an address" '^.wlan0 +\(no IPv4 address\) +up'
wait_for "the listener stays in the listeners panel, saying its address is gone" \
	'>tcp 192\.168\.1\.10:8082 +ADDRESS GONE: reachable nowhere'
check "the TUI keeps running" running "$(running "$tpid")"

ip addr add 192.168.1.10/24 brd + dev wlan0
wait_for "the log says the address was added back" \
	"$(log_re 'address 192\.168\.1\.10/24 added on wlan0$')"
wait_for "the listeners are probed again on 5 addresses" \
	"$(log_re 'probed 1 port on 5 addresses from this host: 1 of 5 probes open$')"
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open" \
	"localhost=✗ refused" "0.0.0.0=✗ refused"
wait_for "the interfaces panel shows wlan0's address again" '^.wlan0 +192\.168\.1\.10/24 +up'

# A visitor reaches it again, and is counted.
printf 'hello\n' | timeout 5 nc -N 192.168.1.10 8082
check "nc reaches 192.168.1.10:8082 again" 0 $?
wait_for "the log shows the visitor" \
	"$(log_re 'tcp 192\.168\.1\.10:8082 closed 192\.168\.1\.10:[0-9]+ after 6 bytes$')"
for _ in $(seq 50); do
	[ "$(counters)" == "0 1 6" ] && break
	sleep 0.1
done
check "the listener counts it: conn 0/1, 6 B" "0 1 6" "$(counters)"
tui_stop # checks that bindscope exits when asked to
finish
