#!/bin/bash
# valgrind memcheck over the command-line subcommands: no memory errors, no definite leaks
# (--error-exitcode=99, --errors-for-leak-kinds=definite) and no descriptor left open at exit
# beyond stdin, stdout and stderr (--track-fds=yes: "FILE DESCRIPTORS: 3 open (3 std) at
# exit"), on the success paths and on the usage and failure paths, including `listen`
# stopped by SIGINT after serving a connection. Each run gets only descriptors 0-2 from this
# script, so any other descriptor open at exit is bindscope's. Skipped for an
# AddressSanitizer build (the two do not run together).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # cleanup, and helpers this script may redefine

if is_asan; then
	echo "SKIP: $BINDSCOPE is an AddressSanitizer build; valgrind cannot run it (the normal build is checked)" >&2
	exit 77
fi
command -v valgrind >/dev/null || {
	echo "SKIP: valgrind is needed (apt-get install valgrind)" >&2
	exit 77
}
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--track-fds=yes --log-fd=2)

# bare CMD...: exec CMD with only descriptors 0, 1 and 2 open.
bare() {
	local fd
	for fd in "/proc/$BASHPID/fd"/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && [ -e "/proc/$BASHPID/fd/$fd" ] && eval "exec $fd>&-"
	done
	exec "$@"
}
wait_listening() {
	local state
	for _ in $(seq 300); do
		[ -n "$(ss -Hltn "sport = :$1")" ] && return 0
		state=$(awk '{print $3}' "/proc/$2/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 1
		sleep 0.1
	done
	return 1
}
proc_gone() {
	local state
	for _ in $(seq 300); do
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# verdict NAME WANT_RC RC LOG: the checks on one valgrind run. The log holds valgrind's
# lines (==PID== ...) and bindscope's own stderr.
verdict() {
	local name=$1 want=$2 rc=$3 log=$4 fds
	check "$name: exit code $want (99 = valgrind found errors)" "$want" "$rc"
	check "$name: memcheck: no errors" "ERROR SUMMARY: 0 errors" \
		"$(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$log")"
	check "$name: no definite leak" "" "$(grep -E 'definitely lost: [1-9]' "$log" | sed 's/^==[0-9]*== //')"
	fds=$(grep -oE 'FILE DESCRIPTORS: [0-9]+ open \([0-9]+ std\) at exit' "$log")
	check "$name: only stdin, stdout and stderr open at exit" \
		"FILE DESCRIPTORS: 3 open (3 std) at exit" "$fds"
	if [ "$fds" != "FILE DESCRIPTORS: 3 open (3 std) at exit" ] || [ "$rc" != "$want" ]; then
		sed -n '/FILE DESCRIPTORS/,/HEAP SUMMARY/p; /definitely lost in/,/^==[0-9]*== $/p' "$log" |
			head -n 40 | sed 's/^/  | /'
	fi
}
n=0
# vg WANT_RC CMD_ARGS...: run bindscope ARGS under valgrind (60 s at most), check the result.
# Leaves bindscope's stdout in $out and its stderr (valgrind's lines removed) in $err.
vg() {
	local want=$1 rc
	shift
	n=$((n + 1))
	(bare timeout 60 "${VALGRIND[@]}" "$BINDSCOPE" "$@") >"$tmp/out.$n" 2>"$tmp/log.$n" </dev/null
	rc=$?
	out=$(cat "$tmp/out.$n")
	err=$(grep -vE '^==[0-9]+==' "$tmp/log.$n")
	verdict "bindscope $*" "$want" "$rc" "$tmp/log.$n"
}

# A peer for `sockets` to name, and for `probe` to find.
socat TCP4-LISTEN:9701,bind=127.0.0.1,fork,reuseaddr /dev/null &
pids+=($!)
socat UDP4-RECVFROM:9702,bind=0.0.0.0,fork /dev/null &
pids+=($!)
for _ in $(seq 50); do
	[ -n "$(ss -Hltn 'sport = :9701')" ] && [ -n "$(ss -Hlun 'sport = :9702')" ] && break
	sleep 0.1
done

vg 0 --version
vg 0 --help
vg 0 list
check_contains "list names wlan0's address" "inet  192.168.1.10/24" "$out"
vg 0 list --json
check "list --json: the seed's three interfaces" '["lo","eth0","wlan0"]' \
	"$(jq -c '[.interfaces[].name]' <<<"$out" 2>/dev/null)"
vg 0 list -6
vg 0 probe --open 127.0.0.1:9710
check_contains "probe --open prints the matrix" "tcp 127.0.0.1:9710" "$out"
vg 0 probe --open 0.0.0.0:9711 --open 127.0.0.1:9712 --udp --json --explain
check "probe --open --udp --json: two rows" 2 "$(jq '.rows | length' <<<"$out" 2>/dev/null)"
vg 0 probe 9701 --json
check "probe 9701 finds socat's socket open on lo" '"socat open this"' \
	"$(jq -c '. as $d | .rows[0].cells[] | select($d.targets[.target].label == "lo") |
		"\($d.sockets[0].owner.program) \($d.probes[.probe].observed) \(.state)"' <<<"$out" 2>/dev/null)"
vg 0 probe --ports 1-200 --on 127.0.0.1
vg 0 probe --ports 9690-9720 --json
check "the sweep finds socat's 9701 on 127.0.0.1" '[9701]' \
	"$(jq -c '.addresses[] | select(.address == "127.0.0.1") | .open' <<<"$out" 2>/dev/null)"
vg 0 sockets
check_contains "sockets names socat" "socat (pid" "$out"
vg 0 sockets --json
check "sockets --json: socat's TCP and UDP sockets" '["tcp 127.0.0.1:9701","udp 0.0.0.0:9702"]' \
	"$(jq -c '[.sockets[] | select(.port == 9701 or .port == 9702) | "\(.proto) \(.local)"] | sort' <<<"$out" 2>/dev/null)"
vg 0 sockets -t --exposed

# Usage errors (2) and failures (1) leak nothing either.
vg 2 listen 127.0.0.1:99999
check_contains "a bad port is a usage error, said on stderr" "bindscope" "$err"
vg 2 probe --open not-an-address:80
vg 2 frobnicate
vg 1 listen 192.168.2.20:8082
check_contains "an address that is not here fails with the reason" "that address is not on this machine" "$err"
vg 1 listen 127.0.0.1:9701
check_contains "a port in use fails and names its holder" "socat" "$err"

# listen: one nc connection, then SIGINT.
n=$((n + 1))
(bare "${VALGRIND[@]}" "$BINDSCOPE" listen 127.0.0.1:9720 --json) >"$tmp/out.$n" 2>"$tmp/log.$n" </dev/null &
lpid=$!
pids+=("$lpid")
wait_listening 9720 "$lpid"
check "listen under valgrind listens on 127.0.0.1:9720" 0 $?
printf 'hello\n' | timeout 10 nc -N 127.0.0.1 9720
check "nc sends 6 bytes" 0 $?
for _ in $(seq 100); do
	grep -q '"event":"closed"' "$tmp/out.$n" && break
	sleep 0.1
done
kill -INT "$lpid"
proc_gone "$lpid"
check "SIGINT stops listen under valgrind" 0 $?
wait "$lpid"
verdict "bindscope listen 127.0.0.1:9720 --json, SIGINT" 0 $? "$tmp/log.$n"
check "listen counted the connection and its bytes" '{"accepted":1,"bytes":6}' \
	"$(grep '"event":"stopped"' "$tmp/out.$n" | jq -c '{accepted, bytes}' 2>/dev/null)"
finish
