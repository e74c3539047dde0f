#!/bin/bash
# The TUI under a flood: a listener on 0.0.0.0:8081 opened through the TUI, a background client
# (tests/bench/connect_client.c, 16 in flight) makes 100,000 connections to it. Meanwhile a key
# press shows on screen within 1 s (`?` opens the help overlay, Escape closes it; measured with
# date +%s%N around send-keys and the poll of the screen), and after the flood the listener's
# counters read exactly the client's connections: conn 0/N, 6 bytes each, none taken for
# bindscope's own probes, and its resident memory is what it was at 10% of the flood. Then Ctrl-C, SIGTERM and SIGHUP, each in the middle of a flood:
# bindscope exits with its status (0, 143, 129), the terminal is restored and nothing listens
# any more. Bounded: each client has a count and a deadline, every wait a limit; the EXIT trap
# kills the clients and the tmux server.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

# is_asan: BINDSCOPE is an AddressSanitizer build (no `nm | grep -q`: SIGPIPE under pipefail).
is_asan() {
	local syms
	syms=$(nm -D "$BINDSCOPE" 2>/dev/null; nm "$BINDSCOPE" 2>/dev/null)
	[[ "$syms" == *__asan_init* ]]
}
# counters: "OPEN ACCEPTED BYTES PROBES" from the listeners panel's row for tcp 0.0.0.0:8081.
counters() {
	sed -nE 's/.*[ >]tcp 0\.0\.0\.0:8081 +conn ([0-9]+)\/([0-9]+) +([0-9]+) B, ([0-9]+) probes.*/\1 \2 \3 \4/p' \
		<<<"$(tui_screen)" | head -n1
}
field() {
	local v
	v=$(grep -oE "(^| )$1=[0-9.]+" <<<"$2" | cut -d= -f2)
	echo "${v:-0}"
}
HELP_RE='keys \(any key closes\)'
# keypress_ms KEY REGEX APPEARS: send KEY, poll the screen every 10 ms (at most 5 s) until
# REGEX is on it (APPEARS=1) or gone (APPEARS=0); prints the milliseconds, or "timeout".
keypress_ms() {
	local t0 t1 i
	t0=$(date +%s%N)
	tui_keys "$1"
	for ((i = 0; i < 500; i++)); do
		SCREEN=$(tui_screen)
		if grep -qE -- "$2" <<<"$SCREEN"; then
			[ "$3" = 1 ] && break
		else
			[ "$3" = 0 ] && break
		fi
		sleep 0.01
	done
	t1=$(date +%s%N)
	if [ "$i" -ge 500 ]; then echo timeout; else echo $(((t1 - t0) / 1000000)); fi
}

# The load client is built by CMake with the tests (a compile error fails the build).
if [ ! -x "${CONNECT_CLIENT:-}" ]; then
	echo "CONNECT_CLIENT does not name the built load client (run the tests through ctest)" >&2
	exit 1
fi
# Ephemeral ports from 10000 (this namespace only): room for the flood's TIME_WAIT sockets.
echo "10000 65535" >/proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	echo "# could not widen ip_local_port_range; relying on tcp_tw_reuse"

N=100000
K=16
if is_asan; then
	# AddressSanitizer makes the TUI's accept path about 3x slower: alone it serves 3,100
	# connections/s here, beside another test (CI runs two at once) 2,200/s, so 100,000 did
	# not fit the client's 40 s. 60,000 keep the same checks within the same bounds.
	N=60000
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
	echo "# AddressSanitizer build: $N connections (ASAN_OPTIONS=$ASAN_OPTIONS)"
fi

# open_8081 NAME: a listener on 0.0.0.0:8081 through the TUI, probed open everywhere.
open_8081() {
	tui_keys Down Down Down Enter
	wait_for "$1: Enter on 0.0.0.0 asks the port" 'Listen \(tcp\) on 0\.0\.0\.0, port: 8081_'
	tui_keys Enter
	wait_for "$1: the 0.0.0.0:8081 row is probed" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
	wait_gone "$1: probing is over" 'probing'
	wait_for "$1: the listener reads open on every address" \
		'^ #[0-9]+ tcp 0\.0\.0\.0:8081 +✓ open +✓ open +✓ open'
}

tui_start || exit 1
open_8081 "flood"
read -r open0 acc0 bytes0 probes0 <<<"$(counters)"
check "no visitor yet: conn 0/0 0 B" "0 0 0" "$open0 $acc0 $bytes0"

# The flood, in the background: N connections, K in flight, 40 s at most.
timeout 50 "$CONNECT_CLIENT" 127.0.0.1 8081 "$N" "$K" 40 >"$TUI_TMP/client.out" &
cpid=$!
on_exit "kill $cpid 2>/dev/null"
t_flood=$(date +%s%N)
for _ in $(seq 100); do # until 10% of the flood is counted (at most 10 s)
	read -r _ acc _ _ <<<"$(counters)"
	[ "${acc:-0}" -ge $((N / 10)) ] && break
	sleep 0.1
done
rss_10=$(awk '/^VmRSS:/ {print $2}' "/proc/$(tui_pid)/status")
acc_10=$acc

# Key presses while the flood runs: ? opens the help overlay, Escape closes it.
lat=()
during=0
for round in 1 2 3 4 5; do
	kill -0 "$cpid" 2>/dev/null || break
	ms=$(keypress_ms '?' "$HELP_RE" 1)
	check "during the flood (press $round): ? opens the help within 1 s" yes \
		"$([ "$ms" != timeout ] && [ "$ms" -lt 1000 ] && echo yes || echo "no: $ms ms")"
	lat+=("$ms")
	ms=$(keypress_ms Escape "$HELP_RE" 0)
	check "during the flood (press $round): Escape closes it within 1 s" yes \
		"$([ "$ms" != timeout ] && [ "$ms" -lt 1000 ] && echo yes || echo "no: $ms ms")"
	lat+=("$ms")
	kill -0 "$cpid" 2>/dev/null && during=$((during + 1))
	sleep 0.2
done
read -r _ acc_mid _ _ <<<"$(counters)"
echo "# key-press latencies during the flood (ms, ? then Escape): ${lat[*]}; counters had reached $acc_mid"
check "the key presses were measured while the client was flooding (rounds)" yes \
	"$([ "$during" -ge 2 ] && echo yes || echo "no: only $during round(s) before the flood ended")"

wait "$cpid"
client=$(cat "$TUI_TMP/client.out")
t_end=$(date +%s%N)
ok=$(field ok "$client")
reset=$(field reset "$client")
echo "# client: $client (flood over after $(((t_end - t_flood) / 1000000)) ms)"
check "the client's $N connections are all served" "$N" "$ok"

want="0 $((acc0 + ok + reset)) $((bytes0 + ok * 6))"
for _ in $(seq 100); do # the TUI catches up (at most 10 s)
	read -r o a b p <<<"$(counters)"
	[ "$o $a $b" == "$want" ] && break
	sleep 0.1
done
read -r o a b p <<<"$(counters)"
echo "# after the flood the listener reads conn $o/$a $b B, $p probes (before: $probes0 probes)"
check "after the flood the listener counts every connection: conn 0/$((ok + reset)), $((ok * 6)) B" \
	"$want" "$o $a $b"
check "the flood is not counted as bindscope's own probes" "$probes0" "$p"
rss_100=$(awk '/^VmRSS:/ {print $2}' "/proc/$(tui_pid)/status")
echo "# bindscope (TUI) VmRSS: ${rss_10} kB at $acc_10 connections, ${rss_100} kB after the flood"
# Within 2x or 4 MB of the figure at 10%, whichever is less; under ASan 8 MB more, for the
# quarantine (4 MB here) and the allocator's per-thread caches filling up.
limit=$((rss_10 * 2 > rss_10 + 4096 ? rss_10 + 4096 : rss_10 * 2))
is_asan && limit=$((rss_10 + 8192))
check "memory flat: VmRSS after the flood is at most $limit kB (at 10%: $rss_10 kB)" yes \
	"$([ -n "$rss_100" ] && [ "$rss_100" -le "$limit" ] && echo yes || echo "no: ${rss_100:-?} kB > $limit kB")"
wait_for "the log's last lines are the client's connections" \
	'^ [0-9]{2}:[0-9]{2}:[0-9]{2} tcp 0\.0\.0\.0:8081 closed 127\.0\.0\.1:[0-9]+ after 6 bytes$'

# Still responsive after the flood.
ms=$(keypress_ms '?' "$HELP_RE" 1)
check "after the flood ? still opens the help within 1 s" yes \
	"$([ "$ms" != timeout ] && [ "$ms" -lt 1000 ] && echo yes || echo "no: $ms ms")"
tui_keys Escape
tui_stop # checks that bindscope exits when asked to

# --- Ctrl-C, SIGTERM, SIGHUP in the middle of a flood.
# terminal_restored NAME STATUS: the pane shows the exit marker, and tmux says bindscope
# left the alternate screen, showed the cursor and turned keypad and mouse modes off.
terminal_restored() {
	wait_for "$1: bindscope exits with status $2 and the shell prints again" "^EXITED:$2\$"
	check "$1: back on the main screen, cursor shown, keypad and mouse off" \
		"alternate_on=0 cursor_flag=1 keypad_cursor_flag=0 mouse_any_flag=0" \
		"$(tmux_ display -p 'alternate_on=#{alternate_on} cursor_flag=#{cursor_flag} keypad_cursor_flag=#{keypad_cursor_flag} mouse_any_flag=#{mouse_any_flag}')"
	wait_not_listening "$1: nothing listens on 8081 any more" 8081
}
declare -A status_of=([Ctrl-C]=0 [SIGTERM]=143 [SIGHUP]=129)
for how in Ctrl-C SIGTERM SIGHUP; do
	tui_start || exit 1
	open_8081 "$how"
	timeout 30 "$CONNECT_CLIENT" 127.0.0.1 8081 1000000 "$K" 20 >/dev/null &
	fpid=$!
	on_exit "kill $fpid 2>/dev/null"
	for _ in $(seq 50); do # until 2,000 connections are counted (at most 5 s)
		read -r _ acc _ _ <<<"$(counters)"
		[ "${acc:-0}" -ge 2000 ] && break
		sleep 0.1
	done
	check "$how: the flood is under way (2000 connections counted)" yes \
		"$([ "${acc:-0}" -ge 2000 ] && kill -0 "$fpid" 2>/dev/null && echo yes || echo "no: ${acc:-0}")"
	case $how in
	Ctrl-C) tui_keys C-c ;;
	*) kill "-${how#SIG}" "$(tui_pid)" ;;
	esac
	terminal_restored "$how during a flood" "${status_of[$how]}"
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	tui_stop
done
finish
