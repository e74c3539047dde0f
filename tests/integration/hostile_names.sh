#!/bin/bash
# A process named to attack the terminal (issue 15, item 3): comm `py\033]0;PWNED\007x` (an
# OSC sequence that retitles the terminal) and a command line with bytes that are not UTF-8,
# holding a listener. `bindscope sockets`, `probe` and the "already in use by" error of
# `listen` show its name escaped (\033, \007) and never send a raw ESC or BEL byte;
# `sockets --json` is valid JSON that still has the owner key (jansson drops a string that
# is not UTF-8). And "in use by bindscope (pid N)" with N this very bindscope says instead
# that this bindscope already listens there (item 8).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # cleanup, wait_listening
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

name=$'py\033]0;PWNED\007x'
# argv[0]: the name again, then a stray continuation byte and a UTF-8 lead byte cut short.
argv0=$'py\033]0;PWNED\007x\x80\xc3'
cp "$(command -v socat)" "$tmp/$name"
(exec -a "$argv0" "$tmp/$name" TCP4-LISTEN:8800,bind=0.0.0.0,fork,reuseaddr /dev/null) &
pids+=($!)
wait_listening 8800 "${pids[0]}"
check "the hostile socat listens on 0.0.0.0:8800" 0 $?
check "its comm is the hostile name" "$name" "$(cat "/proc/${pids[0]}/comm")"

# raw_controls FILE: the ESC, BEL and other C0 bytes in FILE (newlines and tabs aside), in od.
raw_controls() {
	tr -d '\n\t' <"$1" | tr -dc '\000-\037\177' | od -An -c | tr -s ' '
}

timeout 10 "$BINDSCOPE" sockets >"$tmp/out" 2>"$tmp/err"
check "sockets exits 0" 0 $?
check "sockets prints no raw control byte" "" "$(raw_controls "$tmp/out")"
check_contains "sockets shows the name escaped, as ps does" \
	'py\033]0;PWNED\007x (pid '"${pids[0]}"')' "$(cat "$tmp/out")"

timeout 10 "$BINDSCOPE" sockets --json >"$tmp/json" 2>"$tmp/err"
check "sockets --json exits 0" 0 $?
check "sockets --json prints no raw control byte" "" "$(raw_controls "$tmp/json")"
if command -v python3 >/dev/null; then
	owner=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for s in doc["sockets"]:
    if s["port"] == 8800:
        o = s.get("owner", "missing")
        print("missing" if o == "missing" else "null" if o is None else
              "%s|%s|%d" % (o["program"], o["cmdline"].split(" ")[0], o["pid"]))
' "$tmp/json" 2>&1)
	check "sockets --json is valid JSON with the owner key, program and cmdline (bad bytes as U+FFFD)" \
		"$name|$name"$'\uFFFD\uFFFD'"|${pids[0]}" "$owner"
else
	echo "SKIP - python3 missing: the JSON document is not parsed"
fi

timeout 10 "$BINDSCOPE" listen 127.0.0.1:8800 >"$tmp/out" 2>"$tmp/err"
check "listen on the hostile process's port exits 1" 1 $?
check "the in-use error prints no raw control byte" "" "$(raw_controls "$tmp/err")"
check_contains "the in-use error names the holder, escaped" \
	'already in use by py\033]0;PWNED\007x (pid '"${pids[0]}"') on 0.0.0.0:8800' "$(cat "$tmp/err")"

timeout 10 "$BINDSCOPE" probe 8800 >"$tmp/out" 2>"$tmp/err"
check "probe 8800 exits 0" 0 $?
check "probe prints no raw control byte" "" "$(raw_controls "$tmp/out")"
check_contains "probe names the holder, escaped" 'py\033]0;PWNED\007x (pid ' "$(cat "$tmp/out")"
timeout 10 "$BINDSCOPE" probe --json 8800 >"$tmp/json" 2>"$tmp/err"
if command -v python3 >/dev/null; then
	check "probe --json keeps the owner's program" "$name" "$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
print(next(s["owner"]["program"] for s in doc["sockets"] if s["port"] == 8800))
' "$tmp/json" 2>&1)"
fi

# --- This very bindscope holds the port: it says so, not "in use by bindscope (pid N)".
timeout 10 "$BINDSCOPE" listen 0.0.0.0:8801 127.0.0.1:8801 >"$tmp/out" 2>"$tmp/err"
check "listen 0.0.0.0:8801 127.0.0.1:8801 exits 1" 1 $?
check_contains "... says this bindscope itself already listens there" \
	"cannot listen on tcp 127.0.0.1:8801: this bindscope itself already listens on 0.0.0.0:8801" \
	"$(cat "$tmp/err")"
check "... and does not send the learner after its own pid" "" \
	"$(grep -o 'in use by bindscope' "$tmp/err")"

finish
