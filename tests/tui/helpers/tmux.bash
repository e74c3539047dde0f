# Helpers for the TUI tests (sourced after tests/lib/common.sh, inside the seed namespace).
# Each test drives bindscope through its own private tmux server (a socket in a temporary
# directory), reads the screen with capture-pane and asserts what a person would read.
# Everything started here is killed by the EXIT trap; every wait is bounded.
#
#   tui_start [ENV=VALUE...]   start bindscope in a 100x30 pane (set TUI_COLS/TUI_LINES before
#                              sourcing this file for another size)
#   tui_keys KEY...            tmux send-keys (key names: Down, Enter, Escape, BSpace, ...)
#   tui_type TEXT              send TEXT literally
#   tui_screen                 print the pane as text
#   tui_wait REGEX [TRIES]     poll (TRIES x 0.1 s, default 50) until REGEX (grep -E) is on
#                              the screen; quiet; leaves the last capture in $SCREEN
#   wait_for NAME REGEX [TRIES]        the same as a check: ok, or FAIL with the screen
#   wait_gone NAME REGEX [TRIES]       a check that REGEX leaves the screen
#   wait_count NAME REGEX N            a check that N lines of the screen match REGEX
#   check_screen_lacks NAME REGEX      a check that the last capture does not match REGEX
#   matrix_cell COLUMN ROWLABEL [SCREEN]   the text of one cell of the probe matrix
#   check_cells ROWLABEL COLUMN=TEXT...    one check per cell of a matrix row
#   tui_pid                    bindscope's pid;  tui_stop  ends the tmux server (a new
#                              tui_start may follow)
#   listening PORT             ss's line for a TCP listener on PORT (empty: none)
#   on_exit CMD                run CMD from the EXIT trap (after killing the tmux server)

command -v tmux >/dev/null || {
	echo "SKIP: tmux is needed for the TUI tests" >&2
	exit 77
}

TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bindscope-tui.XXXXXX")
TUI_SOCK="$TUI_TMP/sock"
TUI_PIDFILE="$TUI_TMP/bindscope.pid"
TUI_COLS=${TUI_COLS:-100}
TUI_LINES=${TUI_LINES:-30}
SCREEN=""
_tui_watchdog=""
_tui_exit_cmds=()

# No user configuration (-f /dev/null), and not nested in the tmux the tests may run from.
unset TMUX
tmux_() {
	tmux -f /dev/null -S "$TUI_SOCK" "$@"
}

on_exit() {
	_tui_exit_cmds+=("$1")
}

# tui_stop: end the tmux server (and with it bindscope, if it still runs) and its watchdog.
tui_stop() {
	[ -n "$_tui_watchdog" ] && kill "$_tui_watchdog" 2>/dev/null && wait "$_tui_watchdog" 2>/dev/null
	_tui_watchdog=""
	local pid="" i
	[ -s "$TUI_PIDFILE" ] && pid=$(cat "$TUI_PIDFILE")
	# Quit the way a person does (Escape closes a prompt, q quits), while the terminal is
	# still there. tests/tui/hangup.sh covers a terminal that goes away under bindscope.
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		tmux_ send-keys Escape q 2>/dev/null
		for i in $(seq 50); do
			[ -d "/proc/$pid" ] || break
			sleep 0.1
		done
	fi
	tmux_ kill-server 2>/dev/null
	rm -f "$TUI_PIDFILE"
	# bindscope must be gone within 5 s of quitting (and of its terminal hanging up).
	if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
		for i in $(seq 50); do
			[ -d "/proc/$pid" ] || break
			[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = "Z" ] && break
			sleep 0.1
		done
		checks=$((checks + 1))
		if [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]; then
			failures=$((failures + 1))
			echo "FAIL - bindscope (pid $pid) exits when asked to (q, or its terminal hung up)"
			grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn|TracerPid)' "/proc/$pid/status" | sed 's/^/  /'
			echo "  threads: $(cat /proc/"$pid"/task/*/stat 2>/dev/null | awk '{printf "%s:%s ", $1, $3}')"
			echo "  fds: $(ls -l /proc/"$pid"/fd 2>/dev/null | awk 'NR>1 {printf "%s ", $NF}')"
			tracer=$(awk '/^TracerPid/ {print $2}' "/proc/$pid/status" 2>/dev/null)
			[ -n "$tracer" ] && [ "$tracer" != 0 ] &&
				echo "  tracer $tracer: $(grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn)' /proc/"$tracer"/status 2>/dev/null | tr '\n\t' '  ')"
			kill -9 "$pid" 2>/dev/null
		else
			echo "ok - bindscope exits when asked to (q, or its terminal hung up)"
		fi
	fi
}

_tui_cleanup() {
	local cmd
	tui_stop
	for cmd in "${_tui_exit_cmds[@]}"; do
		eval "$cmd"
	done
	rm -rf "$TUI_TMP"
}
trap _tui_cleanup EXIT

# tui_start [ENV=VALUE...]: bindscope in a fresh pane with LANG=C.UTF-8 and TERM=tmux-256color
# unless the arguments say otherwise. The pane stays alive 30 s after bindscope exits and
# prints EXITED:<status>, so a test can read the status and see that the shell works again.
tui_start() {
	local envs=(LANG=C.UTF-8 TERM=tmux-256color "$@") q="" e
	for e in "${envs[@]}"; do
		q+=" $(printf '%q' "$e")"
	done
	# sh records its own pid, then execs bindscope: the pid file names bindscope itself.
	# A server that tui_stop killed may still be going away on the same socket ("server
	# exited unexpectedly"): try again, a bounded number of times.
	local try
	for try in 1 2 3 4 5; do
		tmux_ -u new-session -d -x "$TUI_COLS" -y "$TUI_LINES" \
			"sh -c 'echo \$\$ >$(printf '%q' "$TUI_PIDFILE"); exec env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES -u NO_COLOR$q $(printf '%q' "$BINDSCOPE")'; echo EXITED:\$?; sleep 30" &&
			break
		sleep 0.2
	done
	# The pane must not outlive the test even if the test is killed without running its trap.
	(
		trap 'kill $sp 2>/dev/null; wait $sp; exit 0' TERM
		sleep 100 &
		sp=$!
		wait $sp
		tmux_ kill-server 2>/dev/null
	) &
	_tui_watchdog=$!
	tui_wait 'Interfaces|needs at least' 50 || {
		echo "bindscope did not start; the screen:"
		tui_screen
		return 1
	}
}

tui_pid() {
	cat "$TUI_PIDFILE" 2>/dev/null
}

tui_keys() {
	tmux_ send-keys "$@"
}

tui_type() {
	tmux_ send-keys -l -- "$1"
}

tui_screen() {
	tmux_ capture-pane -p
}

tui_wait() {
	local regex=$1 tries=${2:-50} i
	for ((i = 0; i < tries; i++)); do
		SCREEN=$(tui_screen)
		grep -qE -- "$regex" <<<"$SCREEN" && return 0
		sleep 0.1
	done
	return 1
}

_tui_fail() {
	failures=$((failures + 1))
	echo "FAIL - $1"
	echo "  $2"
	echo "  the screen:"
	sed 's/^/  | /' <<<"$SCREEN"
}

# wait_for NAME REGEX [TRIES]
wait_for() {
	checks=$((checks + 1))
	if tui_wait "$2" "${3:-50}"; then
		echo "ok - $1"
		return 0
	fi
	_tui_fail "$1" "waited for: $2"
	return 1
}

# wait_gone NAME REGEX [TRIES]
wait_gone() {
	local i tries=${3:-50}
	checks=$((checks + 1))
	for ((i = 0; i < tries; i++)); do
		SCREEN=$(tui_screen)
		if ! grep -qE -- "$2" <<<"$SCREEN"; then
			echo "ok - $1"
			return 0
		fi
		sleep 0.1
	done
	_tui_fail "$1" "waited for this to go away: $2"
	return 1
}

# check_screen_lacks NAME REGEX: the current $SCREEN does not match REGEX.
check_screen_lacks() {
	checks=$((checks + 1))
	if grep -qE -- "$2" <<<"$SCREEN"; then
		_tui_fail "$1" "the screen should not match: $2"
		return 1
	fi
	echo "ok - $1"
}

# matrix_cell COLUMN ROWLABEL [SCREEN]: the trimmed text under the matrix column headed
# COLUMN (lo, eth0, wlan0, localhost, 0.0.0.0) on the matrix row whose label is ROWLABEL
# ("tcp 0.0.0.0:8081"). A cell runs from its header's first character to the next header's.
# COLUMN may be NAME@ADDR: the column headed NAME whose second header line (the address)
# reads ADDR — a lab peer has one column per address ("eth0-peer@192.168.1.10").
# Prints "(no row)" or "(no column)" when they are not on the screen.
matrix_cell() {
	local LC_ALL=C.UTF-8 # cut by characters, not bytes: ✓ and ✗ are one column each
	local col=$1 label=$2 screen=${3-$SCREEN}
	local header header2 row rest word pos=0 start=-1 end=-1 cell name addr="" under
	name=$col
	if [[ "$col" == *@* ]]; then
		name=${col%%@*}
		addr=${col#*@}
	fi
	header=$(grep -m1 -E '^ (socket|< more) ' <<<"$screen")
	# the address line under the header
	header2=$(grep -m1 -A1 -E '^ (socket|< more) ' <<<"$screen" | sed -n 2p)
	# the matrix row starts in column 1 with its socket number and label ("#1 tcp ..."; the
	# listeners panel's rows do not)
	row=$(while IFS= read -r l; do [[ "$l" =~ ^\ \#[0-9]+\ (.*)$ && "${BASH_REMATCH[1]}" == "$label "* ]] && echo "$l"; done <<<"$screen" | head -n1)
	if [ -z "$row" ]; then
		echo "(no row)"
		return
	fi
	rest=$header
	while [[ "$rest" =~ ^([[:space:]]*)([^[:space:]]+)(.*)$ ]]; do
		pos=$((pos + ${#BASH_REMATCH[1]}))
		word=${BASH_REMATCH[2]}
		rest=${BASH_REMATCH[3]}
		if [ "$start" -ge 0 ] && [ "$end" -lt 0 ]; then
			end=$pos
		fi
		if [ "$word" == "$name" ] && [ "$start" -lt 0 ] && [ "$pos" -gt 1 ]; then
			under=${header2:pos}
			under=${under%%[[:space:]]*}
			[ -z "$addr" ] || [ "$under" == "$addr" ] && start=$pos
		fi
		pos=$((pos + ${#word}))
	done
	if [ "$start" -lt 0 ]; then
		echo "(no column)"
		return
	fi
	if [ "$end" -lt 0 ]; then
		cell=${row:start}
	else
		cell=${row:start:end-start}
	fi
	cell="${cell#"${cell%%[![:space:]]*}"}"
	cell="${cell%"${cell##*[![:space:]]}"}"
	echo "$cell"
}

# check_cells ROWLABEL "lo=✓ open" "eth0=✗ refused" ...: one check per column. A cell may
# carry a latency after the verdict ("✓ open 0.1ms") on wide screens; only the verdict counts.
check_cells() {
	local label=$1 pair col want got before=$failures
	shift
	for pair in "$@"; do
		col=${pair%%=*}
		want=${pair#*=}
		got=$(matrix_cell "$col" "$label")
		got=$(sed -E 's/ [0-9.]+ms//' <<<"$got")
		check "$label reads '$want' under $col" "$want" "$got"
	done
	if [ "$failures" -gt "$before" ]; then
		echo "  the screen:"
		sed 's/^/  | /' <<<"$SCREEN"
	fi
}

# listening PORT: the TCP listening sockets on PORT, as ss prints them (empty when none).
listening() {
	ss -Hltn "sport = :$1"
}

# wait_not_listening NAME PORT: bounded wait until nothing listens on PORT.
wait_not_listening() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(listening "$2")" ] && break
		sleep 0.1
	done
	check "$1" "" "$(listening "$2")"
}

# wait_count NAME REGEX N: a check that at least N lines of the screen match REGEX (bounded).
wait_count() {
	local i
	checks=$((checks + 1))
	for ((i = 0; i < 50; i++)); do
		SCREEN=$(tui_screen)
		if [ "$(grep -cE -- "$2" <<<"$SCREEN")" -ge "$3" ]; then
			echo "ok - $1"
			return 0
		fi
		sleep 0.1
	done
	_tui_fail "$1" "waited for $3 lines matching: $2"
	return 1
}
