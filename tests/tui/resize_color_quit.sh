#!/bin/bash
# The screen survives what terminals do to it: resizing (80x24, 200x50, too small and back),
# NO_COLOR, a non-UTF-8 locale; and bindscope leaves cleanly: q exits 0, SIGTERM, Ctrl-C and a crash
# end it too, every listener is closed and the terminal is given back (main screen, cursor
# shown, keypad and mouse modes off, the shell prints again).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

# open_lesson: 0.0.0.0:8081 then wlan0:8082, waiting until both rows are probed.
open_lesson() {
	tui_keys Down Down Down Enter
	tui_wait 'Listen \((tcp|udp)\) on 0\.0\.0\.0, port: 8081_' 30
	tui_keys Enter
	tui_wait '^ #[0-9]+ tcp 0\.0\.0\.0:8081 ' 30
	tui_keys Up Enter
	tui_wait 'Listen \(tcp\) on wlan0, port: 8081_' 30
	tui_type 8082
	tui_keys Enter
	wait_for "$1: both listeners are in the matrix" '^ #[0-9]+ tcp 192\.168\.1\.10:8082 '
	wait_gone "$1: probing is over" 'probing'
}

# lesson_cells PREFIX OPEN REFUSED: the two rows read as the seed's lesson, cell by cell.
lesson_cells() {
	check_cells "tcp 0.0.0.0:8081" "lo=$2 open" "eth0=$2 open" "wlan0=$2 open" \
		"localhost=$2 open" "0.0.0.0=$2 open"
	check_cells "tcp 192.168.1.10:8082" "lo=$3 refused" "eth0=$3 refused" "wlan0=$2 open" \
		"localhost=$3 refused" "0.0.0.0=$3 refused"
}

# resize COLS LINES: resize the window and wait (bounded) until bindscope has redrawn for the
# new size: the too-small message names it, or the matrix's rule spans exactly COLS columns.
resize() {
	local LC_ALL=C.UTF-8 i rule # ${#rule} counts characters: ─ is one column
	tmux_ resize-window -x "$1" -y "$2"
	for ((i = 0; i < 50; i++)); do
		SCREEN=$(tui_screen)
		grep -q "this terminal is $1x$2\\.\$" <<<"$SCREEN" && return
		rule=$(grep -m1 '^─ Probe matrix' <<<"$SCREEN")
		[ "${#rule}" -eq "$1" ] && [ "$(wc -l <<<"$SCREEN")" -eq "$2" ] && return
		sleep 0.1
	done
}

# terminal_restored NAME STATUS: the pane shows the exit marker, and tmux says bindscope
# left the alternate screen, showed the cursor and turned keypad and mouse modes off.
terminal_restored() {
	wait_for "$1: bindscope exits with status $2 and the shell prints again" "^EXITED:$2\$"
	check "$1: back on the main screen, cursor shown, keypad and mouse off" \
		"alternate_on=0 cursor_flag=1 keypad_cursor_flag=0 mouse_any_flag=0" \
		"$(tmux_ display -p 'alternate_on=#{alternate_on} cursor_flag=#{cursor_flag} keypad_cursor_flag=#{keypad_cursor_flag} mouse_any_flag=#{mouse_any_flag}')"
	wait_not_listening "$1: nothing listens on 8081 any more" 8081
	wait_not_listening "$1: nothing listens on 8082 any more" 8082
}

# colour_params: the SGR parameters that set a colour (30-38, 40-48, 90-97, 100-107) in the
# pane's escape-coded capture. 39 and 49 (default colours) are not colours.
colour_params() {
	tmux_ capture-pane -p -e | grep -oE $'\e\\[[0-9;]*m' | tr -d $'\e[m' | tr ';' '\n' |
		grep -xE '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -u | paste -sd' '
}

# --- UTF-8, colour, resizing, the help overlay, q ---
tui_start || exit 1
open_lesson "utf-8"
lesson_cells "100x30" "✓" "✗"
check "colour is on by default (open cells are green: SGR 32)" "yes" \
	"$(colour_params | grep -qw 32 && echo yes || echo "no: $(colour_params)")"

resize 80 24
wait_for "80x24: the full layout, not the too-small message" '^─ Probe matrix'
check_screen_lacks "80x24 is big enough" 'needs at least'
# Addresses are never cut to fit: the columns that do not fit wait behind "more >".
wait_for "80x24: every address shown whole, the other columns behind 'more >'" \
	'^ more > +127\.0\.0\.1 +192\.168\.0\.110 +192\.168\.1\.10( |$)'
check_cells "tcp 0.0.0.0:8081" "lo=✓ open" "eth0=✓ open" "wlan0=✓ open"
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open"
tui_keys Tab Tab Right Right Right Right # the matrix, then its last column
wait_for "80x24: Right scrolls the columns, and '< more' says so" '^ < more +.*0\.0\.0\.0'
check_cells "tcp 0.0.0.0:8081" "localhost=✓ open" "0.0.0.0=✓ open"
check_cells "tcp 192.168.1.10:8082" "localhost=✗ refused" "0.0.0.0=✗ refused"
tui_keys Left Left Left Left Tab # back to the first column and the interfaces panel
wait_for "80x24: Tab is back in the interfaces panel" '^ ↑↓ move  Enter listen'

check_contains "80x24: the status line is the last row" " ↑↓ move  Enter listen" "$(tail -n1 <<<"$SCREEN")"

resize 200 50
wait_for "200x50: the full layout" '^─ Probe matrix'
lesson_cells "200x50" "✓" "✗"
wait_for "200x50: wide cells show latency" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +✓ open [0-9.]+ms'

resize 60 20
wait_for "60x20: says it needs at least 80x24 and what this terminal is" \
	'^bindscope needs at least 80x24; this terminal is 60x20\.$'
wait_for "60x20: says what to do" '^Enlarge the window, or press q to quit\.$'
check_screen_lacks "60x20: no half-drawn panels" 'Probe matrix|tcp 0\.0\.0\.0:8081'
check_contains "60x20: the listeners stay open meanwhile" "0.0.0.0:8081" "$(listening 8081)"

resize 100 30
wait_gone "100x30 again: the message goes" 'needs at least'
wait_for "100x30 again: the matrix is back" '^─ Probe matrix'
lesson_cells "back at 100x30" "✓" "✗"

tui_keys '?'
wait_for "? opens the help overlay" 'keys \(any key closes\)'
wait_for "the help names q" 'q +quit \(closes every listener\)'
wait_for "the help names v and V (other machines over ssh)" \
	'v +probe from another machine too, over ssh \(asks HOST\)'
wait_for "the longest help line is whole, inside the box" "V +stop probing from the chosen column's machine +│"
check_screen_lacks "no key is left out" 'more keys:'
tui_keys Down
wait_gone "any key closes it" 'any key closes'
wait_for "and the key does nothing else: wlan0 is still chosen" '^>wlan0 '

tui_keys q
terminal_restored "q" 0
tui_stop

# --- NO_COLOR: the same words, no colour; SIGTERM ---
tui_start NO_COLOR=1 || exit 1
open_lesson "NO_COLOR"
lesson_cells "NO_COLOR" "✓" "✗"
wait_for "NO_COLOR: panel titles are still there" '^─ Interfaces ─+ Listeners ─'
check "NO_COLOR: no colour in the escape-coded screen" "" "$(colour_params)"
pid=$(tui_pid)
check_contains "bindscope's pid is known" "bindscope" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
kill -TERM "$pid"
terminal_restored "SIGTERM" 143
tui_stop

# --- LANG=C: ASCII symbols; Ctrl-C ---
tui_start LANG=C || exit 1
open_lesson "LANG=C"
lesson_cells "LANG=C" "+" "-"
check_screen_lacks "LANG=C: no UTF-8 symbols anywhere" '✓|✗|↑|↓|…'
wait_for "LANG=C: the status line names the move keys in ASCII" '^ [A-Za-z/]+ move +Enter listen'
tui_keys C-c
terminal_restored "Ctrl-C" 0
tui_stop

# --- A crash (SIGSEGV): the crash handler ends curses, then the process dies of the signal ---
tui_start || exit 1
open_lesson "crash"
pid=$(tui_pid)
kill -SEGV "$pid"
terminal_restored "SIGSEGV" 139

tui_stop # checks that bindscope exits when asked to
finish
