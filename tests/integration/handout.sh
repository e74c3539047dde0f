#!/bin/bash
# Handouts (`probe --format markdown|html`): the same matrix as the text output, cell by cell
# (which the other tests hold against the kernel), with each socket's commands and each cell's
# check; a program name from outside ("<i>x&y" and an escape byte) is text in both formats,
# never markup; and a real browser (headless chromium, where installed) renders the page: its
# DOM has the table and no element the name smuggled in, and the screenshot is not blank.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
LAB_KEEP_PEERS=1 # the peers' columns are part of the handout
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

opens=(--open 0.0.0.0:8081 --open 192.168.1.10:8082 --open 127.0.0.1:8083)
"$BINDSCOPE" probe "${opens[@]}" >"$tmp/text"
"$BINDSCOPE" probe "${opens[@]}" --format markdown >"$tmp/md"
check "--format markdown: exit 0" 0 $?
"$BINDSCOPE" probe "${opens[@]}" --format html >"$tmp/html"
check "--format html: exit 0" 0 $?

# The text table's cells of one row, as words ("✓ open" "✗ refused" ...): split at 2+ spaces.
text_row() {
	grep -E "^#[0-9]+ tcp $1 " "$tmp/text" | sed -E "s/^#[0-9]+ tcp $1 +//; s/ {2,}/\n/g" | sed '/^$/d'
}
md_row() {
	grep -E "^\| #[0-9]+ tcp $1 \|" "$tmp/md" | tr '|' '\n' | sed 's/^ *//; s/ *$//' | sed '/^$/d' | tail -n +2
}
html_row() {
	grep -oE "<tr><th>#[0-9]+ tcp $1</th>.*</tr>" "$tmp/html" | grep -oE '<td[^>]*>[^<]*</td>' |
		sed -E 's/<td[^>]*>//; s/<\/td>//'
}
for sock in 0.0.0.0:8081 192.168.1.10:8082 127.0.0.1:8083; do
	want=$(text_row "$sock")
	check "markdown row $sock reads as the text table" "$want" "$(md_row "$sock")"
	check "html row $sock reads as the text table" "$want" "$(html_row "$sock")"
done
check "9 columns (5 from this host, 4 from the peers) in the html" 9 \
	"$(grep -oE '<tr><th>socket</th>.*</tr>' "$tmp/html" | grep -oE '<th>' | tail -n +2 | wc -l)"
check "the html colours an open cell" 1 \
	"$(grep -oE '<tr><th>#[0-9]+ tcp 192\.168\.1\.10:8082</th>.*</tr>' "$tmp/html" | grep -c '<td class="open">✓ open</td>')"
check_contains "each socket's commands: socat" "socat TCP4-LISTEN:8082,bind=192.168.1.10,fork" "$(cat "$tmp/html")"
check_contains "... and ss" "ss -ltnpe &#39;sport = :8082&#39;" "$(cat "$tmp/html")"
check_contains "a peer's cell has its check command (lab exec)" \
	"lab exec wlan0-peer -- nc -4 -vz 192.168.1.10 8082" "$(cat "$tmp/md")"
check_contains "the firewall seen is said" "Firewall:" "$(cat "$tmp/md")"
check "a self-contained page: no script, no link, no remote source" 0 \
	"$(grep -ciE '<script|<link|src=|https?://' "$tmp/html")"

# A name from outside: a listener whose program is called "<i>x&y" plus an escape byte.
evil="$tmp/<i>x&y"$'\e'
cp "$(command -v socat)" "$evil"
"$evil" TCP4-LISTEN:8090,bind=127.0.0.1,fork /dev/null &
pids+=($!)
for i in $(seq 50); do ss -Hltn 'sport = :8090' | grep -q 8090 && break; sleep 0.1; done
"$BINDSCOPE" probe 8090 --format html >"$tmp/evil.html"
"$BINDSCOPE" probe 8090 --format markdown >"$tmp/evil.md"
check_contains "html: the program's name is text" '&lt;i&gt;x&amp;y\033' "$(cat "$tmp/evil.html")"
check "html: ... never markup" 0 "$(grep -c '<i>' "$tmp/evil.html")"
check "html: ... and no raw escape byte" 0 "$(grep -c $'\e' "$tmp/evil.html")"
check_contains "markdown: the name is quoted (its escape's backslash too)" '\<i\>x&y\\033' "$(cat "$tmp/evil.md")"
check "markdown: no raw escape byte" 0 "$(grep -c $'\e' "$tmp/evil.md")"

out=$("$BINDSCOPE" probe 8090 --format pdf 2>&1)
check "an unknown format is a usage error" 2 $?
check_contains "... naming the formats" "--format takes text, json, markdown or html" "$out"
out=$("$BINDSCOPE" probe 8090 --json --format html 2>&1)
check "--json with --format html is a usage error" 2 $?

# A real browser.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "# no chromium here: the page is not rendered (make test installs it)"
else
	cp "$tmp/html" "$tmp/page.html"
	home="$tmp/chromium-home"
	mkdir -p "$home"
	flags=(--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$home"
		--window-size=1400,1000)
	dom=$(HOME=$home timeout 60 "$browser" "${flags[@]}" --dump-dom "file://$tmp/evil.html" 2>/dev/null)
	check_contains "chromium parses the page: the table is there" "<table>" "$dom"
	check "... and the outside name made no element" 0 "$(grep -c '<i>' <<<"$dom")"
	HOME=$home timeout 60 "$browser" "${flags[@]}" --screenshot="$tmp/shot.png" \
		"file://$tmp/page.html" >/dev/null 2>&1
	check "chromium takes a screenshot of the handout" "PNG" \
		"$(head -c 4 "$tmp/shot.png" 2>/dev/null | tail -c 3)"
	size=$(stat -c %s "$tmp/shot.png" 2>/dev/null || echo 0)
	check "... that is not blank (over 30 KB of image)" yes "$([ "$size" -gt 30000 ] && echo yes || echo "no: $size bytes")"
	if [ -n "${HANDOUT_SHOT:-}" ]; then cp "$tmp/shot.png" "$HANDOUT_SHOT"; fi
fi
finish
