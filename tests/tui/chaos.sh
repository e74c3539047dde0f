#!/bin/bash
# Chaos, bounded: the TUI in tmux for CHAOS_SECONDS (default 20; 60 for a long run) under
# random keys, random resizes, address and MTU churn on eth0 and a connection flood to a
# 0.0.0.0:8081 listener opened through the TUI. Afterwards the listener's counters must equal
# the client's own count (none lost, none of bindscope's probes counted as visitors), and q
# must restore the terminal. CHAOS_SEED replays a run; the seed used is printed first.
# Everything inside the lab's namespace; the client has a count and a deadline.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
TUI_COLS=120 TUI_LINES=40
source "$TESTS_DIR/tui/helpers/tmux.bash"

SEED=${CHAOS_SEED:-$(date +%s)}
SECONDS_TO_RUN=${CHAOS_SECONDS:-20}
if ! [[ "$SEED" =~ ^[0-9]+$ && "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]] || [ "$SECONDS_TO_RUN" -gt 600 ]; then
	echo "CHAOS_SEED must be a number and CHAOS_SECONDS a number of seconds up to 600" >&2
	exit 2
fi
echo "# chaos seed $SEED, $SECONDS_TO_RUN s (replay: CHAOS_SEED=$SEED CHAOS_SECONDS=$SECONDS_TO_RUN)"
RANDOM=$SEED
if [ ! -x "${CONNECT_CLIENT:-}" ]; then
	echo "CONNECT_CLIENT does not name the built load client (run the tests through ctest)" >&2
	exit 1
fi
echo "10000 65535" >/proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true

counters() { # "OPEN ACCEPTED" of the tcp 0.0.0.0:8081 listener, from the listeners panel
	sed -nE 's/.*[ >]tcp 0\.0\.0\.0:8081 +conn ([0-9]+)\/([0-9]+) .*/\1 \2/p' <<<"$(tui_screen)" | head -n1
}

tui_start || exit 1
tui_keys Down Down Down Enter
wait_for "Enter on 0.0.0.0 asks the port" 'Listen \(tcp\) on 0\.0\.0\.0, port: 8081_'
tui_keys Enter
wait_for "the 0.0.0.0:8081 listener is open" '[ >]tcp 0\.0\.0\.0:8081 +conn 0/0 '

# The flood: a bounded count (3,000 per second of the run), 8 in flight, with a deadline.
N=$((SECONDS_TO_RUN * 3000))
# Under AddressSanitizer the accept path is about 3x slower (and CI runs two tests at once):
# a third of the connections, so the client's deadline measures bindscope, not ASan.
syms=$(nm -D "$BINDSCOPE" 2>/dev/null; nm "$BINDSCOPE" 2>/dev/null) # no grep -q: see process.sh
if [[ "$syms" == *__asan_init* ]]; then
	N=$((SECONDS_TO_RUN * 1000))
fi
timeout $((SECONDS_TO_RUN + 60)) "$CONNECT_CLIENT" 127.0.0.1 8081 "$N" 8 $((SECONDS_TO_RUN + 30)) \
	>"$TUI_TMP/client.out" &
client=$!
on_exit "kill $client 2>/dev/null"

# Keys that neither quit nor close the listener nor open another: moving, panels, probing,
# IPv6 rows, UDP/v6only choice for the next listener, help, the sockets screen and its keys.
keys=(Up Down Left Right Tab r i u 6 '?' Escape s t x p m PageUp PageDown Home End)
deadline=$((SECONDS + SECONDS_TO_RUN))
actions=0 resizes=0 churn=0
while [ "$SECONDS" -lt "$deadline" ]; do
	case $((RANDOM % 10)) in
	0)
		tmux_ resize-window -x $((80 + RANDOM % 81)) -y $((24 + RANDOM % 27)) 2>/dev/null
		resizes=$((resizes + 1))
		;;
	1)
		a="10.30.$((RANDOM % 4)).$((1 + RANDOM % 20))/24"
		ip addr add "$a" dev eth0 2>/dev/null || ip addr del "$a" dev eth0 2>/dev/null
		churn=$((churn + 1))
		;;
	2)
		ip link set wlan0 mtu $((1280 + RANDOM % 221)) 2>/dev/null
		churn=$((churn + 1))
		;;
	*)
		tui_keys "${keys[$((RANDOM % ${#keys[@]}))]}"
		;;
	esac
	actions=$((actions + 1))
	sleep 0.0$((RANDOM % 5))
done
echo "# $actions actions: $resizes resizes, $churn address/MTU changes, the rest keys"

wait "$client"
client_out=$(cat "$TUI_TMP/client.out")
echo "# client: $client_out"
ok=$(grep -oE '(^| )ok=[0-9]+' <<<"$client_out" | cut -d= -f2)
check "the client finished its connections" "$N" "${ok:-none}"

# Back to the lesson screen at a known size, help closed, and the counters read exactly.
tmux_ resize-window -x 120 -y 40
tui_keys Escape
sleep 0.3
if ! grep -q '─ Interfaces' <<<"$(tui_screen)"; then
	tui_keys s # the sockets screen toggles back with s
fi
wait_for "the lesson screen is back" '─ Interfaces'
for _ in $(seq 50); do # the last closes may still be draining (at most 5 s)
	[ "$(counters)" == "0 $N" ] && break
	sleep 0.1
done
check "counters equal the client's count: conn 0/$N" "0 $N" "$(counters)"

tui_keys Escape q
wait_for "q: bindscope exits with status 0" '^EXITED:0$' 10
check "q: back on the main screen, cursor shown, keypad and mouse off" \
	"alternate_on=0 cursor_flag=1 keypad_cursor_flag=0 mouse_any_flag=0" \
	"$(tmux_ display -p 'alternate_on=#{alternate_on} cursor_flag=#{cursor_flag} keypad_cursor_flag=#{keypad_cursor_flag} mouse_any_flag=#{mouse_any_flag}')"
tui_stop
finish
