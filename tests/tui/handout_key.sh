#!/bin/bash
# `e` in the explorer: the lesson as an HTML handout, written to a new file the log names (in
# the current directory), with the matrix as the screen shows it and the log. Without a
# listener there is nothing to hand out, and it says so.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
require_lab
source "$TESTS_DIR/tui/helpers/tmux.bash"

real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-lab-tour"
printf '#!/bin/sh\nexec %q lab --tour\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
TUI_COLS=120
TUI_LINES=36
cd "$TUI_TMP" || exit 1

tui_start || exit 1
wait_for "the tour starts" 'Tour 1/9: Welcome'
tui_keys e
wait_for "e without a listener: nothing to hand out" 'nothing to hand out yet: open a listener'
tui_keys Space
wait_for "step 2 opens 0.0.0.0:8081" '✓ 3 of 3 expectations hold'
tui_keys e
wait_for "e writes the handout and names it" "handout written: $TUI_TMP/bindscope-handout-[0-9-]+\\.html"
file=$(ls "$TUI_TMP"/bindscope-handout-*.html 2>/dev/null | head -1)
check "the file is there" yes "$([ -s "$file" ] && echo yes || echo no)"
row=$(grep -oE '<tr><th>#1 tcp 0\.0\.0\.0:8081</th>.*</tr>' "$file")
check "its matrix row reads as the screen's: open everywhere this host probed, and from the peers where routed" \
	"✓ open ✓ open ✓ open ✓ open ✓ open ✓ open ⊘ unreach ⊘ unreach ✓ open" \
	"$(grep -oE '<td[^>]*>[^<]*</td>' <<<"$row" | sed -E 's/<[^>]*>//g' | tr '\n' ' ' | sed 's/ $//')"
check_contains "it has the log" "tour step 2 of 9: 0.0.0.0 is socat&#39;s default" "$(cat "$file")"
tui_keys e
wait_count "a second e writes a second file, never over the first" 'handout written: ' 2
check "two files now" 2 "$(ls "$TUI_TMP"/bindscope-handout-*.html | wc -l)"
tui_stop
finish
