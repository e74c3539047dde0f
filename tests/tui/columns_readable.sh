#!/bin/bash
# At 100x30 (a projector with a large font) every column of the matrix can be read whole: in
# the dual-stack lab a [::] listener has 19 columns (IPv6 and link-local ones included), more
# than fit, so the rest wait behind a visible "more >" and come in as the selection moves
# right. Each column's name and address, as `bindscope probe --json` lists them from the same
# lab (joined with `bindscope lab exec`), must be seen whole under its header.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
require_lab
source "$TESTS_DIR/tui/helpers/tmux.bash"
XDG_RUNTIME_DIR="$TUI_TMP/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR # the TUI's lab writes itself down here, for lab exec below

real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-dual-stack"
printf '#!/bin/sh\nexec %q lab --topology dual-stack\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
TUI_COLS=100
TUI_LINES=30

tui_start XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" || exit 1
tui_keys Down Down Down Down
wait_for "Down x4 chooses ::" '^>:: +all IPv6 interfaces'
tui_keys Enter Enter
wait_for "[::]:8081 is probed" '^ #1 tcp \*:8081 +✓'
wait_gone "probing is over" 'probing'
wait_for "columns that do not fit say so" '^ more > '

# The columns as the engine lists them, from inside the TUI's own lab.
json=$("$real" lab exec -- "$real" probe 8081 --json 2>&1)
mapfile -t want < <(jq -r '.vantages as $v | .targets[] |
	(if .vantage == 0 then .label else $v[.vantage].name end) + "@" + .address' <<<"$json")
check "the engine lists 19 columns" 19 "${#want[@]}"

declare -A seen=()
tui_keys Tab Tab
wait_for "the matrix is chosen" '─ Probe matrix'
for ((k = 0; k < 25; k++)); do
	SCREEN=$(tui_screen)
	for col in "${want[@]}"; do
		[ -n "${seen[$col]:-}" ] && continue
		cell=$(matrix_cell "$col" "tcp *:8081")
		[ "$cell" != "(no column)" ] && seen[$col]="$cell"
	done
	tui_keys Right
	sleep 0.05
done
missing=""
for col in "${want[@]}"; do
	[ -n "${seen[$col]:-}" ] || missing+=" $col"
done
check "every column was on screen whole, name and address, at some point" "" "$missing"
check "... and read a verdict there" "" \
	"$(for col in "${want[@]}"; do [[ "${seen[$col]:-}" =~ ^(✓|✗|⊘|…|\?) ]] || echo -n " $col=${seen[$col]:-}"; done)"
wait_for "scrolled right, the hidden columns on the left say so" '^ < more'
tui_stop
finish
