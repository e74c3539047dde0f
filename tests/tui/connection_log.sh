#!/bin/bash
# A connection from outside the TUI (nc, as a person would try it) shows in the log with the
# peer and the local address it arrived on, and moves the listener's counters: open now while
# it is held, accepted and bytes after it closes.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

# counters: "OPEN ACCEPTED BYTES" from the listeners panel's row for tcp 192.168.1.10:8082.
counters() {
	sed -nE 's/.*[ >]tcp 192\.168\.1\.10:8082 +conn ([0-9]+)\/([0-9]+) +([0-9]+) B.*/\1 \2 \3/p' \
		<<<"$(tui_screen)" | head -n1
}
log_re() {
	printf '^ [0-9]{2}:[0-9]{2}:[0-9]{2} %s' "$1"
}

tui_start || exit 1
tui_keys Down Down Enter
wait_for "Enter on wlan0 asks the port" 'Listen \(tcp\) on wlan0, port: 8081_'
tui_type 8082
tui_keys Enter
wait_for "tcp 192.168.1.10:8082 is in the listeners panel" '>tcp 192\.168\.1\.10:8082 +conn '
wait_gone "the first probe round is over" 'probing'
wait_for "wlan0 reads open in the matrix" '^ #[0-9]+ tcp 192\.168\.1\.10:8082 +✗ refused +✗ refused +✓ open'
before=$(counters)
read -r open0 acc0 bytes0 <<<"${before:-x x x}"
check "nothing is connected before nc" "0" "$open0"

# Hold a connection open (nc reads a fifo the test writes), send 6 bytes, then let it go.
mkfifo "$TUI_TMP/nc-in"
nc -N 192.168.1.10 8082 <"$TUI_TMP/nc-in" >/dev/null 2>&1 &
nc_pid=$!
on_exit "kill $nc_pid 2>/dev/null"
exec 3>"$TUI_TMP/nc-in"
printf 'hello\n' >&3

wait_for "the log shows the connection accepted, and where it arrived" \
	"$(log_re 'tcp 192\.168\.1\.10:8082 accepted 192\.168\.1\.10:[0-9]+, arrived on 192\.168\.1\.10:8082$')"
peer_port=$(grep -oE 'accepted 192\.168\.1\.10:[0-9]+' <<<"$SCREEN" | tail -n1 | cut -d: -f2)
check_contains "the logged peer is nc's socket" "192.168.1.10:$peer_port" \
	"$(ss -Htn state established "dport = :8082")"
for _ in $(seq 50); do
	[ "$(counters | cut -d' ' -f1)" == 1 ] && break
	sleep 0.1
done
read -r open1 acc1 _ <<<"$(counters)"
check "while nc is connected the panel counts 1 open connection" "1" "$open1"
check "accepted went up by one" "$((acc0 + 1))" "$acc1"

exec 3>&- # EOF: nc -N shuts its side down and the listener closes the connection
for _ in $(seq 50); do
	kill -0 "$nc_pid" 2>/dev/null || break
	sleep 0.1
done
wait_for "the log shows it closed with the 6 bytes" \
	"$(log_re "tcp 192\.168\.1\.10:8082 closed 192\.168\.1\.10:$peer_port after 6 bytes\$")"
for _ in $(seq 50); do
	[ "$(counters | cut -d' ' -f1)" == 0 ] && break
	sleep 0.1
done
read -r open2 acc2 bytes2 <<<"$(counters)"
check "after nc leaves nothing is open" "0" "$open2"
check "accepted stays one up" "$((acc0 + 1))" "$acc2"
check "the 6 bytes are counted" "$((bytes0 + 6))" "$bytes2"

# From the other interface's address: the peer says so, the arrival is still wlan0's.
nc -N -s 192.168.0.110 192.168.1.10 8082 </dev/null >/dev/null 2>&1 &
nc2_pid=$!
on_exit "kill $nc2_pid 2>/dev/null"
wait_for "a connection from eth0's address is logged with that peer" \
	"$(log_re 'tcp 192\.168\.1\.10:8082 accepted 192\.168\.0\.110:[0-9]+, arrived on 192\.168\.1\.10:8082$')"

# The lesson's own probes are counted but not logged one by one: r probes again, and the
# log gets one summary line, not an "accepted" line per probe.
wait_for "nc from eth0's address is logged closed" \
	"$(log_re 'tcp 192\.168\.1\.10:8082 closed 192\.168\.0\.110:[0-9]+ after 0 bytes$')"
accepted_lines=$(grep -c ' accepted ' <<<"$SCREEN")
summaries=$(grep -cE "$(log_re 'probed [0-9]+ ports? on')" <<<"$SCREEN")
tui_keys r
wait_count "r probes again and sums it up in one more log line" \
	"$(log_re 'probed 1 port on 5 addresses from this host: 1 of 5 probes open$')" $((summaries + 1))
wait_gone "probing is over" 'probing'
check "the probes add no accepted lines to the log" "$accepted_lines" \
	"$(grep -c ' accepted ' <<<"$SCREEN")"

tui_stop # checks that bindscope exits when asked to
finish
