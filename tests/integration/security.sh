#!/bin/bash
# What bindscope must never do, checked: a UDP listener never answers (no reflection, whatever
# arrives), and no shell command is ever built, from user input or otherwise (src/ calls no
# system(), popen() or /bin/sh; the only execs are `lab -- CMD` and `lab exec -- CMD`, which
# run argv as given (lab exec without CMD: the user's $SHELL), and the only spawn is ssh for
# --from-host).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

source "$TESTS_DIR/lib/process.sh"
tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# A UDP listener on every address receives datagrams of every shape and answers none. (Started
# directly and stopped with SIGINT like a person would, not through timeout(1): an ASan build
# orphaned by timeout's exit hung in LeakSanitizer's exit check.)
"$BINDSCOPE" listen --udp --json 0.0.0.0:9600 >"$tmp/out" 2>/dev/null &
lpid=$!
pids+=("$lpid")
for _ in $(seq 50); do
	ss -Hlun 'sport = :9600' | grep -q . && break
	sleep 0.1
done
replies=""
for payload in "hello" "bindscope-probe:00000000:0" "$(head -c 1200 /dev/zero | tr '\0' 'x')" \
	"GET / HTTP/1.0"; do
	for addr in 127.0.0.1 192.168.0.110 192.168.1.10; do
		reply=$(printf '%s' "$payload" | timeout 3 socat -t 1 - "UDP4:$addr:9600" 2>/dev/null | wc -c)
		replies+="$reply "
	done
done
check "no datagram is ever answered (12 sent, bytes back per datagram)" \
	"0 0 0 0 0 0 0 0 0 0 0 0 " "$replies"
sleep 0.3
kill -INT "$lpid"
proc_gone "$lpid"
check "the listener stops on SIGINT" 0 $?
check "... while all 12 arrived and were counted" 12 "$(grep -c '"event":"datagram"' "$tmp/out")"

# No shell: the sources call no system(), popen() or /bin/sh; they exec only in `lab -- CMD` and
# `lab exec -- CMD` (the user's argv, or the user's own $SHELL) and spawn only ssh for
# --from-host (argv words, the host checked apart).
src="$TESTS_DIR/../src"
check "no system(), popen() or /bin/sh in src/" "" \
	"$(grep -rnE '\b(system|popen)\(|"/bin/sh"' "$src" --include=*.c || true)"
check "the only execs are lab's and lab exec's execvp of the command's own argv" \
	"$src/cli/cmd_lab.c $src/cli/cmd_lab_exec.c" \
	"$(grep -rlE '\bexec(l|lp|le|v|vp|ve|vpe)\(' "$src" --include=*.c | sort | tr '\n' ' ' | sed 's/ $//')"
check "the only spawn is remote.c's posix_spawnp of the ssh command" \
	"$src/core/remote.c" "$(grep -rlE '\bposix_spawnp?\(' "$src" --include=*.c)"
finish
