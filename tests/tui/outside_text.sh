#!/bin/bash
# Text from outside reaches the screen escaped, and long log sentences wrap instead of being
# cut: an interface whose name holds ESC [ 3 1 m (Linux allows it) is shown as \033[31m in the
# interfaces panel and in the log line that says it appeared (raw, the terminal would have
# swallowed it and turned the rest red), and a process named with ESC ... BEL is shown escaped
# on the sockets screen.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
TUI_COLS=100 TUI_LINES=40
source "$TESTS_DIR/tui/helpers/tmux.bash"

evil=$'ev\033[31m'
tui_start || exit 1
ip link add "$evil" type veth peer name evpeer || { echo "cannot make the veth pair" >&2; exit 1; }
ip addr add 10.66.0.1/24 dev "$evil"
ip link set "$evil" up
wait_for "the log says the interface appeared, escaped" 'interface ev\\033\[31m appeared$' 10
wait_for "the interfaces panel shows the name escaped" '^ ev\\033\[31m +10\.66\.0\.1/24'

# A long sentence in the log wraps: a listener on a port that is taken says who holds it and
# what to do, well past 100 columns.
socat TCP4-LISTEN:8081,bind=127.0.0.1,reuseaddr,fork /dev/null &
sp=$!
on_exit "kill $sp 2>/dev/null"
for _ in $(seq 50); do [ -n "$(ss -Hltn 'sport = :8081')" ] && break; sleep 0.1; done
tui_keys Enter Enter # lo, port 8081: in use by socat
wait_for "the in-use sentence starts in the log" 'cannot listen on tcp 127\.0\.0\.1:8081' 10
wait_for "and its end is on screen too, on a wrapped row" '^   .*ss -ltnp .sport = :8081.\)?\.?$' 5
# A process that names itself with an escape sequence holds a socket: the sockets screen
# shows the name escaped (the kernel keeps 15 bytes of it: "x\033]0;PWNED\007").
evilname=$(printf 'x\033]0;PWNED\007y')
cp "$(command -v socat)" "$TUI_TMP/$evilname" || exit 1
"$TUI_TMP/$evilname" TCP4-LISTEN:8099,bind=127.0.0.1,fork /dev/null &
ep=$!
on_exit "kill $ep 2>/dev/null"
for _ in $(seq 50); do [ -n "$(ss -Hltn 'sport = :8099')" ] && break; sleep 0.1; done
tui_keys Escape s
wait_for "the sockets screen shows the process name escaped" 'x\\033\]0;PWNED\\007y? \(pid [0-9]+\)' 10
tui_stop
finish
