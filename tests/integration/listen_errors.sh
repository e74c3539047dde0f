#!/bin/bash
# Every way `bindscope listen` (and `probe --open`) can fail, provoked for real: an address
# that is not here, a port in use (the wildcard/specific rule), a privileged port without
# CAP_NET_BIND_SERVICE, bad ports and addresses. Each gives its exit code and its sentence,
# and leaves nothing listening behind.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # cleanup, and helpers this script may redefine
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# run CMD...: run it bounded (5 s; a hang shows as 124); sets rc, out and err.
run() {
	timeout 5 "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
# listening PORT: what listens on PORT (TCP or UDP), one line per socket.
listening() {
	ss -Htuln "sport = :$1"
}
# wait_listening PORT: bounded wait (5 s) until something listens on PORT.
wait_listening() {
	for _ in $(seq 50); do
		[ -n "$(listening "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}

NOT_HERE_TAIL='that address is not on this machine (its IPv4 addresses: 127.0.0.1, 192.168.0.110, 192.168.1.10)'

# --- An address that is not on this machine (EADDRNOTAVAIL), not "in use".
run "$BINDSCOPE" listen 192.168.2.20:8082
check "listen 192.168.2.20:8082 exits 1" 1 "$rc"
check "listen 192.168.2.20:8082 says the address is not here and lists this machine's" \
	"bindscope: cannot listen on tcp 192.168.2.20:8082: $NOT_HERE_TAIL" "$err"
check "listen 192.168.2.20:8082 prints nothing on stdout" "" "$out"
run "$BINDSCOPE" listen --udp 192.168.2.20:8082
check "listen --udp 192.168.2.20:8082 exits 1" 1 "$rc"
check "listen --udp 192.168.2.20:8082 names udp" \
	"bindscope: cannot listen on udp 192.168.2.20:8082: $NOT_HERE_TAIL" "$err"
run "$BINDSCOPE" probe --open 192.168.2.20:8082
check "probe --open 192.168.2.20:8082 exits 1" 1 "$rc"
check "probe --open 192.168.2.20:8082 gives the same sentence" \
	"bindscope: cannot listen on tcp 192.168.2.20:8082: $NOT_HERE_TAIL" "$err"
check "nothing listens on 8082 afterwards" "" "$(listening 8082)"

# One good address before a bad one: bindscope exits (does not keep the first listener) and
# nothing is left listening.
run "$BINDSCOPE" listen 127.0.0.1:8095 192.168.2.20:8095
check "listen 127.0.0.1:8095 192.168.2.20:8095 exits 1 (and does not hang)" 1 "$rc"
check_contains "... and says why" "cannot listen on tcp 192.168.2.20:8095: $NOT_HERE_TAIL" "$err"
check "... and announces no listener it then closes" "" "$out"
run "$BINDSCOPE" listen --json 127.0.0.1:8095 192.168.2.20:8095
check "with --json, no 'listening' event for a listener that never served" "" "$out"
check "nothing listens on 8095 afterwards" "" "$(listening 8095)"
run "$BINDSCOPE" probe --open 127.0.0.1:8096 --open 192.168.2.20:8096
check "probe --open good --open bad exits 1" 1 "$rc"
check_contains "... and says why" "cannot listen on tcp 192.168.2.20:8096: $NOT_HERE_TAIL" "$err"
check "probe prints no matrix when a listener failed" "" "$out"
check "nothing listens on 8096 afterwards" "" "$(listening 8096)"

# The same address twice: the second bind fails against the first; both are closed.
run "$BINDSCOPE" listen 127.0.0.1:8097 127.0.0.1:8097
check "listen 127.0.0.1:8097 127.0.0.1:8097 is a usage error" 2 "$rc"
check_contains "... says the address is given twice" "127.0.0.1:8097 is given twice" "$err"
check "nothing listens on 8097 afterwards" "" "$(listening 8097)"

# --- Port in use. A wildcard and a specific address cannot share a TCP port on Linux.
socat TCP4-LISTEN:8090,bind=0.0.0.0,fork,reuseaddr /dev/null &
pids+=($!)
socat TCP4-LISTEN:8091,bind=192.168.1.10,fork,reuseaddr /dev/null &
pids+=($!)
wait_listening 8090
check "socat listens on 0.0.0.0:8090" 0 $?
wait_listening 8091
check "socat listens on 192.168.1.10:8091" 0 $?
socat_8090=$(listening 8090)

RULE='On Linux a wildcard (0.0.0.0 or [::]) and a specific address cannot share a port, even with SO_REUSEADDR'
run "$BINDSCOPE" listen 192.168.1.10:8090
check "listen 192.168.1.10:8090 beside socat's 0.0.0.0:8090 exits 1" 1 "$rc"
check_contains "... says port 8090 is in use, by whom and on which address" \
	"bindscope: cannot listen on tcp 192.168.1.10:8090: port 8090 is already in use by socat (pid ${pids[0]}) on 0.0.0.0:8090." \
	"$err"
check_contains "... explains the wildcard/specific rule" "$RULE" "$err"
check_contains "... says how to check" "ss -ltnp 'sport = :8090'" "$err"
run "$BINDSCOPE" listen 127.0.0.1:8090
check "listen 127.0.0.1:8090 beside 0.0.0.0:8090 exits 1" 1 "$rc"
check_contains "... already in use by socat" "port 8090 is already in use by socat (pid ${pids[0]}) on 0.0.0.0:8090" "$err"
check_contains "... explains the wildcard/specific rule" "$RULE" "$err"
run "$BINDSCOPE" listen 0.0.0.0:8091
check "listen 0.0.0.0:8091 beside socat's 192.168.1.10:8091 exits 1" 1 "$rc"
check_contains "... already in use, by socat on the specific address" \
	"bindscope: cannot listen on tcp 0.0.0.0:8091: port 8091 is already in use by socat (pid ${pids[1]}) on 192.168.1.10:8091." \
	"$err"
check_contains "... explains the wildcard/specific rule" "$RULE" "$err"
run "$BINDSCOPE" listen 0.0.0.0:8090
check "listen 0.0.0.0:8090 beside socat's 0.0.0.0:8090 exits 1" 1 "$rc"
check_contains "... already in use by socat on the same address" \
	"port 8090 is already in use by socat (pid ${pids[0]}) on 0.0.0.0:8090" "$err"
check "... does not blame the wildcard/specific rule for the same address" "" \
	"$(grep -o 'specific address cannot share' <<<"$err")"
# 0.0.0.0 beside a dual-stack [::]: the dual-stack rule, and its fix (--v6only), not the
# wildcard/specific one.
run "$BINDSCOPE" listen '[::]:8090'
check "listen [::]:8090 beside socat's 0.0.0.0:8090 exits 1" 1 "$rc"
check_contains "... names the dual-stack rule" \
	"On Linux 0.0.0.0 and a [::] socket without IPV6_V6ONLY cannot share a port" "$err"
check_contains "... and what fixes it" "(bindscope: --v6only) both fit" "$err"
check "... does not blame the wildcard/specific rule" "" \
	"$(grep -o 'specific address cannot share' <<<"$err")"
run "$BINDSCOPE" probe --open 192.168.1.10:8090
check "probe --open 192.168.1.10:8090 beside 0.0.0.0:8090 exits 1" 1 "$rc"
check_contains "... already in use" "port 8090 is already in use" "$err"
check "only socat's listener remains on 8090" "$socat_8090" "$(listening 8090)"
check "socat's listener is 0.0.0.0:8090" "0.0.0.0:8090" "$(awk '{print $5}' <<<"$socat_8090")"
# A different address on a port only a specific address holds is fine (lesson 2's converse).
run "$BINDSCOPE" probe --json --open 127.0.0.1:8091
check "probe --open 127.0.0.1:8091 beside 192.168.1.10:8091 exits 0" 0 "$rc"
check "... and its own listener takes lo, accepted by it" '["open",true,"this"]' \
	"$(jq -c '. as $d | (.sockets[] | select(.local == "127.0.0.1:8091" and .opened_by_bindscope)
		| .id) as $s | .rows[] | select(.socket == $s) | .cells[] |
		select($d.targets[.target].label == "lo") | $d.probes[.probe] as $p |
		[$p.observed, $p.answered_by == [$s], .state]' <<<"$out" 2>/dev/null)"
check "... and socat's 192.168.1.10:8091 is a row too, owned by socat, taking wlan0" \
	'[false,"socat","this"]' \
	"$(jq -c '. as $d | (.sockets[] | select(.local == "192.168.1.10:8091")) as $k |
		.rows[] | select(.socket == $k.id) | .cells[] |
		select($d.targets[.target].label == "wlan0") |
		[$k.opened_by_bindscope, ($k.owner_text | capture("(?<c>socat)").c), .state]' \
		<<<"$out" 2>/dev/null)"

# --- Privileged ports, as a process without CAP_NET_BIND_SERVICE.
unpriv=(setpriv --bounding-set -net_bind_service --inh-caps -net_bind_service)
start=$(sysctl -n net.ipv4.ip_unprivileged_port_start 2>/dev/null)
# shellcheck disable=SC2016 # awk's own $2
capeff=$("${unpriv[@]}" awk '/^CapEff/ {print $2}' /proc/self/status 2>/dev/null)
if ! command -v setpriv >/dev/null; then
	echo "SKIP privileged-port checks: setpriv (util-linux) is not installed"
elif [ -z "$capeff" ] || (((16#$capeff >> 10) & 1)); then
	echo "SKIP privileged-port checks: setpriv could not drop CAP_NET_BIND_SERVICE (CapEff=$capeff)"
elif [ -z "$start" ] || [ "$start" -le 80 ]; then
	echo "SKIP privileged-port checks: net.ipv4.ip_unprivileged_port_start is '$start', so port 80 is not privileged"
else
	run "${unpriv[@]}" "$BINDSCOPE" listen 127.0.0.1:80
	check "listen 127.0.0.1:80 without CAP_NET_BIND_SERVICE exits 1" 1 "$rc"
	check "... says privileged, the sysctl and its number" \
		"bindscope: cannot listen on tcp 127.0.0.1:80: ports below $start are privileged here (net.ipv4.ip_unprivileged_port_start = $start) and need root or CAP_NET_BIND_SERVICE; pick a port from $start up" \
		"$err"
	run "${unpriv[@]}" "$BINDSCOPE" listen --udp 127.0.0.1:80
	check "listen --udp 127.0.0.1:80 without the capability exits 1" 1 "$rc"
	check_contains "... says privileged" "cannot listen on udp 127.0.0.1:80: ports below $start are privileged" "$err"
	run "${unpriv[@]}" "$BINDSCOPE" probe --open 127.0.0.1:80
	check "probe --open 127.0.0.1:80 without the capability exits 1" 1 "$rc"
	check_contains "... says privileged" "ports below $start are privileged" "$err"
	check "nothing listens on 80 afterwards" "" "$(listening 80)"
	# With the capability (root in the namespace) the same port opens.
	run "$BINDSCOPE" probe --json --open 127.0.0.1:80
	check "probe --open 127.0.0.1:80 with the capability exits 0" 0 "$rc"
	# The number is read, not assumed: move the threshold (per namespace) and ask again.
	if sysctl -qw net.ipv4.ip_unprivileged_port_start=2000 2>/dev/null; then
		run "${unpriv[@]}" "$BINDSCOPE" listen 127.0.0.1:1500
		check "with the threshold at 2000, port 1500 exits 1" 1 "$rc"
		check_contains "... and the sentence says 2000" \
			"ports below 2000 are privileged here (net.ipv4.ip_unprivileged_port_start = 2000)" "$err"
		sysctl -qw "net.ipv4.ip_unprivileged_port_start=$start"
	else
		echo "SKIP threshold-change check: cannot write net.ipv4.ip_unprivileged_port_start here"
	fi
fi

# --- Bad ports and addresses: exit 2, the parser's sentence, no socket opened.
declare -A usage=(
	["0"]='bindscope: "0": port 0 is not a port you can choose (the kernel reads it as '"'any free port'"'): ports are whole numbers from 1 to 65535'
	["65536"]='bindscope: "65536": port 65536 is too large: the largest port is 65535'
	["abc"]='bindscope: "abc": port '"'abc'"' is not a number: ports are whole numbers from 1 to 65535'
	["127.0.0.1:0"]='bindscope: "127.0.0.1:0": port 0 is not a port you can choose (the kernel reads it as '"'any free port'"'): ports are whole numbers from 1 to 65535'
	["127.0.0.1:65536"]='bindscope: "127.0.0.1:65536": port 65536 is too large: the largest port is 65535'
	["[::1"]='bindscope: "[::1" is missing the closing '"']'"' of the IPv6 address: write e.g. [::1]:8082'
	["[::1]"]='bindscope: "[::1]" has no port: add one after the '"']'"', e.g. [::1]:8082'
	["wlan9:80"]='bindscope: "wlan9:80": '"'wlan9'"' is neither an IPv4 address nor an interface on this machine (interfaces: lo, eth0, wlan0)'
	["1.2.3:80"]='bindscope: "1.2.3:80": '"'1.2.3'"' is not a valid IPv4 address (four numbers 0-255 separated by dots, e.g. 192.168.1.10)'
	[":80"]='bindscope: ":80" has no address before the '"':'"': write 0.0.0.0:80 for all interfaces or an address such as 127.0.0.1:80'
)
for arg in 0 65536 abc 127.0.0.1:0 127.0.0.1:65536 '[::1' '[::1]' wlan9:80 1.2.3:80 :80; do
	run "$BINDSCOPE" listen "$arg"
	check "listen '$arg' exits 2" 2 "$rc"
	check "listen '$arg' says what is wrong" "${usage[$arg]}" "$err"
done
run "$BINDSCOPE" probe --open wlan9:80
check "probe --open wlan9:80 exits 2" 2 "$rc"
check "probe --open wlan9:80 gives the parser's sentence" "${usage[wlan9:80]}" "$err"
run "$BINDSCOPE" probe 65536
check "probe 65536 exits 2" 2 "$rc"
check "probe 65536 gives the parser's sentence" "${usage[65536]}" "$err"
run "$BINDSCOPE" listen
check "listen with no address exits 2" 2 "$rc"
check_contains "... and says to give one" "give at least one ADDR:PORT" "$err"
check "no bad address left a socket behind" "" "$(ss -Htuln | grep -v -e ':8090 ' -e ':8091 ')"
# --from must be an address of this machine.
run "$BINDSCOPE" probe 8081 --from 192.168.2.20
check "probe --from an address not here is a usage error" 2 "$rc"
check_contains "... and says which addresses are here" "cannot probe from 192.168.2.20: $NOT_HERE_TAIL" "$err"

finish
