#!/bin/bash
# Each shipped tour read on a projector: at 80x24, 100x30 and 120x36 (160x48 is
# tests/tui/lab_tour.sh) every step's text is shown whole in the Explain panel, with its
# expectations' verdict and the keys to go on, and every expectation holds. The tours' own
# files say how many expectations each step has.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
require_lab
source "$TESTS_DIR/tui/helpers/tmux.bash"
TOURS="$TESTS_DIR/../assets/tours"
real=$BINDSCOPE

# The number of expect lines of each step of a tour file, one per line.
step_expects() {
	awk '/^step /{if (n++) print e; e=0} /^expect /{e++} END{print e}' "$1"
}

# walk TOUR COLSxLINES [LAB]: every step, Space after Space (on the tour's own lab, or LAB).
walk() {
	local tour=$1 size=$2 lab=${3:-} i=0 e steps title
	TUI_COLS=${size%x*}
	TUI_LINES=${size#*x}
	BINDSCOPE="$TUI_TMP/bindscope-$tour"
	if [ -n "$lab" ]; then
		printf '#!/bin/sh\nexec %q lab --topology %q --tour %q\n' "$real" "$lab" "$tour" >"$BINDSCOPE"
	else
		printf '#!/bin/sh\nexec %q lab --tour %q\n' "$real" "$tour" >"$BINDSCOPE"
	fi
	chmod +x "$BINDSCOPE"
	mapfile -t expects < <(step_expects "$TOURS/$tour.tour")
	steps=${#expects[@]}
	tui_start || return 1
	for e in "${expects[@]}"; do
		i=$((i + 1))
		title=$(awk -v n="$i" '/^step /{if (++k == n) {sub(/^step /, ""); print; exit}}' "$TOURS/$tour.tour")
		wait_for "$tour $size: step $i/$steps is shown" "Tour $i/$steps: "
		if [ -n "$lab" ] && [ "$i" = 1 ]; then
			wlan=$(sed -n 's|^iface wlan0 \([^/]*\)/.*|\1|p' "$TESTS_DIR/../assets/labs/$lab.lab")
			wait_for "$tour on $lab: the words name the lab's own wlan0 address ($wlan)" \
				"${wlan//./\\.}, with a host on each"
		fi
		if [ "$i" -lt "$steps" ]; then
			wait_for "$tour $size: step $i's text is whole (the keys line follows it)" \
				'^ Space: next step +Backspace: back'
		else
			wait_for "$tour $size: the last step says so" '^ The end\. +Backspace: back'
		fi
		if [ "$e" -gt 1 ]; then
			wait_for "$tour $size: step $i ($title): its $e expectations hold" "✓ $e of $e expectations hold"
		elif [ "$e" -eq 1 ]; then
			wait_for "$tour $size: step $i ($title): its expectation holds" '✓ its expectation holds'
		fi
		check_screen_lacks "$tour $size: step $i: the kernel agrees" 'the kernel disagrees'
		# The cell a step is about is chosen, so its column is on screen however narrow: at
		# 80 columns the weak host step's eth0-peer column for wlan0's address is shown.
		if [ "$tour" = walkthrough ] && [ -z "$lab" ] && [ "$i" = 8 ]; then
			check_cells "tcp 192.168.1.10:8085" "eth0-peer@192.168.1.10=✓ open"
		fi
		tui_keys Space
	done
	tui_stop
}

for size in 80x24 100x30 120x36; do
	for tour in walkthrough dual-stack udp firewall; do
		walk "$tour" "$size"
	done
done
# The issue's own example: the walkthrough on a lab whose wlan0 is 192.168.2.20 says that
# address, and its expectations hold there (every tour on every lab: tours_check.sh).
walk walkthrough 100x30 wlan-192.168.2.20

# z, the zoom for a small screen: IPv4 columns only, every socket still a row.
TUI_COLS=100
TUI_LINES=30
BINDSCOPE="$TUI_TMP/bindscope-dual-stack"
printf '#!/bin/sh\nexec %q lab --topology dual-stack\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
tui_start || exit 1
tui_keys Down Down Down Down
wait_for "Down x4 chooses ::" '^>:: +all IPv6 interfaces'
tui_keys Enter Enter
wait_for "[::]:8081 is probed, IPv6 columns first" '::1 +fd00::110'
tui_keys z
wait_for "z: the title says the zoom" 'IPv4 only \(z: all\)'
wait_gone "... and the IPv6 columns are gone" '::1 +fd00::110'
wait_for "... the [::] socket still a row, probed over IPv4" '^ #1 tcp \*:8081 +✓ open'
tui_keys z
wait_for "z again: the IPv6 columns are back" '::1 +fd00::110'
tui_stop
finish
