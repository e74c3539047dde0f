#!/bin/bash
# Each shipped tour read on a projector: at 80x24, 100x30 and 120x36 (160x48 is
# tests/tui/lab_tour.sh) every step's text is shown whole in the Explain panel, with its
# expectations' verdict and the keys to go on, and every expectation holds. The tours' own
# files say how many expectations each step has.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
if ! why=$("$BINDSCOPE" lab -- true 2>&1); then
	echo "SKIP: the lab cannot be built here: $why" >&2
	exit 77
fi
source "$TESTS_DIR/tui/helpers/tmux.bash"
TOURS="$TESTS_DIR/../assets/tours"
real=$BINDSCOPE

# The number of expect lines of each step of a tour file, one per line.
step_expects() {
	awk '/^step /{if (n++) print e; e=0} /^expect /{e++} END{print e}' "$1"
}

# walk TOUR COLSxLINES: every step, Space after Space.
walk() {
	local tour=$1 size=$2 i=0 e steps title
	TUI_COLS=${size%x*}
	TUI_LINES=${size#*x}
	BINDSCOPE="$TUI_TMP/bindscope-$tour"
	printf '#!/bin/sh\nexec %q lab --tour %q\n' "$real" "$tour" >"$BINDSCOPE"
	chmod +x "$BINDSCOPE"
	mapfile -t expects < <(step_expects "$TOURS/$tour.tour")
	steps=${#expects[@]}
	tui_start || return 1
	for e in "${expects[@]}"; do
		i=$((i + 1))
		title=$(awk -v n="$i" '/^step /{if (++k == n) {sub(/^step /, ""); print; exit}}' "$TOURS/$tour.tour")
		wait_for "$tour $size: step $i/$steps is shown" "Tour $i/$steps: "
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
		tui_keys Space
	done
	tui_stop
}

for size in 80x24 100x30 120x36; do
	walk walkthrough "$size"
done
walk dual-stack 100x30
walk udp 80x24
finish
