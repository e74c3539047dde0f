#!/bin/bash
# Regression tests for the false sentences of the bind-address model (issue "Exposure from the
# real socket table"): each example there, run in the lab and checked against the kernel's
# answer. Rows are sockets, every cell names the socket that took it, nothing is inferred.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
if [ -z "${IN_SEED_NETNS:-}" ]; then
	why=$("$BINDSCOPE" lab -- true 2>&1) || { echo "SKIP: the lab cannot be built here: $why" >&2; exit 77; }
	IN_SEED_NETNS=1 exec "$BINDSCOPE" lab -- bash "$0" "$@"
fi
pids=()
trap cleanup EXIT
# wait_bound PROTO PORT: bounded wait (5 s) until a socket is bound there.
wait_bound() {
	local flag=-Hltn
	[ "$1" = udp ] && flag=-Hlun
	for _ in $(seq 50); do
		[ -n "$(ss "$flag" "sport = :$2")" ] && return 0
		sleep 0.1
	done
	return 1
}

# answered PORT ADDR VANTAGE JSON: the local address of the socket that took the probe.
answered() {
	jq -r --argjson p "$1" --arg a "$2" --argjson v "$3" '
	  . as $d | .probes[] | select(.port == $p and .address == $a and .vantage == $v)
	  | .answered_by[0] as $id | ($d.sockets[] | select(.id == $id) | .local) // "none"' <<<"$4" | head -1
}
disagreements() { jq '[.probes[] | select(.disagree)] | length' <<<"$1"; }

# 1. Two specific sockets on one port: each address goes to its own socket, no `!`.
out=$("$BINDSCOPE" probe --open 127.0.0.1:8082 --open 192.168.0.110:8082 --explain --json)
check "two sockets on 8082: no contradiction" 0 "$(disagreements "$out")"
check "127.0.0.1:8082 is taken by the 127.0.0.1 socket" "127.0.0.1:8082" "$(answered 8082 127.0.0.1 0 "$out")"
check "192.168.0.110:8082 is taken by the 192.168.0.110 socket" "192.168.0.110:8082" \
	"$(answered 8082 192.168.0.110 0 "$out")"
check "eth0-peer's probe of 192.168.0.110 is attributed too" "192.168.0.110:8082" \
	"$(answered 8082 192.168.0.110 1 "$out")"
check "attribution comes from the accept" "accept" \
	"$(jq -r '.probes[] | select(.address=="127.0.0.1" and .vantage==0) | .attributed_by' <<<"$out" | head -1)"
check "no list of maybes" "" "$(grep -o 'a firewall rule, a route, or the address changed' <<<"$out")"
text=$("$BINDSCOPE" probe --open 127.0.0.1:8082 --open 192.168.0.110:8082)
check_contains "the text names the other socket" "→ #" "$text"

# 2. nginx's and sshd's everyday pair: 0.0.0.0 and [::] with v6only.
out=$("$BINDSCOPE" probe --open 0.0.0.0:8083 --open '[::]:8083' --v6only --json)
check "0.0.0.0 + [::] v6only: no contradiction" 0 "$(disagreements "$out")"
check "IPv4 goes to 0.0.0.0" "0.0.0.0:8083" "$(answered 8083 127.0.0.1 0 "$out")"
check "IPv6 goes to [::]" "[::]:8083" "$(answered 8083 ::1 0 "$out")"

# 3. Three sockets on three specific addresses are not a wildcard.
for a in 127.0.0.1 192.168.0.110 192.168.1.10; do
	socat "TCP4-LISTEN:8084,bind=$a,fork" /dev/null &
	pids+=($!)
done
wait_bound tcp 8084
sleep 0.3
out=$("$BINDSCOPE" probe 8084 --json)
check "three sockets, three rows" 3 "$(jq '.sockets | length' <<<"$out")"
check "no row is called a wildcard" 0 "$(jq '[.sockets[] | select(.summary | test("wildcard"))] | length' <<<"$out")"
check "wlan0's address goes to wlan0's socket (socat's, by the table)" "192.168.1.10:8084" \
	"$(answered 8084 192.168.1.10 0 "$out")"
check "owners are named" "socat" "$(jq -r '.sockets[0].owner.program' <<<"$out")"
check "the kernel agrees: nc to 192.168.1.10:8084 connects" 0 \
	"$(timeout 5 nc -4 -z -w 2 192.168.1.10 8084 2>/dev/null; echo $?)"

# 4. SO_BINDTODEVICE is read, not guessed as an address.
socat TCP4-LISTEN:8085,bind=0.0.0.0,so-bindtodevice=eth0,fork /dev/null &
pids+=($!)
wait_bound tcp 8085
out=$("$BINDSCOPE" probe 8085 --json)
check "the device is read" "eth0" "$(jq -r '.sockets[0].device' <<<"$out")"
check_contains "and said" "SO_BINDTODEVICE" "$(jq -r '.sockets[0].summary' <<<"$out")"
check "eth0-peer reaches it" "0.0.0.0%eth0:8085" "$(answered 8085 192.168.0.110 1 "$out")"
check "wlan0-peer does not (it arrives on wlan0)" "refused" \
	"$(jq -r '.probes[] | select(.port==8085 and .address=="192.168.1.10" and .vantage==2) | .observed' <<<"$out")"
check "the kernel agrees from wlan0-peer" 1 \
	"$(nsenter -t "$(sed -n 's/.*wlan0-peer=\([0-9]*\).*/\1/p' <<<"$BINDSCOPE_LAB_PEERS")" -n \
		timeout 5 nc -4 -z -w 2 192.168.1.10 8085 2>/dev/null; echo $?)"
check "no contradiction" 0 "$(disagreements "$out")"

# 5. Listeners on [::1] and 127.0.0.53 are found, not "nothing accepts connections".
socat 'TCP6-LISTEN:8086,bind=[::1],fork' /dev/null &
pids+=($!)
socat TCP4-LISTEN:8087,bind=127.0.0.53,fork /dev/null &
pids+=($!)
wait_bound tcp 8086
wait_bound tcp 8087
out=$("$BINDSCOPE" probe 8086 8087 --json)
check "[::1]:8086 is a row and takes ::1" "[::1]:8086" "$(answered 8086 ::1 0 "$out")"
check "127.0.0.53 is a column and takes its socket" "127.0.0.53:8087" "$(answered 8087 127.0.0.53 0 "$out")"
check "nothing claims 'nothing accepts'" "" "$(grep -o 'nothing accepts' <<<"$out")"

# 6. A UDP socket is a row, read from the table, whatever its probes hear.
socat UDP4-RECVFROM:8088,bind=127.0.0.1,fork /dev/null &
pids+=($!)
wait_bound udp 8088
out=$("$BINDSCOPE" probe --udp 8088 --json)
check "the UDP socket is a row" "127.0.0.1:8088" "$(jq -r '.sockets[0].local' <<<"$out")"
check "its probe is open|filtered, as predicted (no contradiction)" 0 "$(disagreements "$out")"
check "192.168.0.110:8088 is refused (ICMP port unreachable)" "refused" \
	"$(jq -r '.probes[] | select(.address=="192.168.0.110" and .vantage==0) | .observed' <<<"$out")"

# 7. A peer cell's check command reproduces it: from the peer, to this machine's address.
out=$("$BINDSCOPE" probe --open 0.0.0.0:8089 --json)
cmd=$(jq -r '.probes[] | select(.vantage==1 and .address=="192.168.0.110") | .check' <<<"$out")
check_contains "the check enters the peer" "lab exec eth0-peer -- nc" "$cmd"
check_contains "and connects to this machine's address" "192.168.0.110 8089" "$cmd"
check "vantage and address are separate fields" "eth0-peer" "$(jq -r '.vantages[1].name' <<<"$out")"

# Row order: within a port, bindscope's own listeners in the order opened (192.168.1.10, the more
# exposed one, would come first in the table order).
out=$("$BINDSCOPE" probe --open 127.0.0.1:8089 --open 192.168.1.10:8089 --json)
check "rows follow the order the listeners were opened" "127.0.0.1:8089 192.168.1.10:8089" \
	"$(jq -r '[.sockets[].local] | join(" ")' <<<"$out")"
# A peer with no route to an address: its connect fails at once, nothing here is asked, and
# no sentence says the connection arrives anywhere (eth0-peer has no route to wlan0's address).
why=$(jq -r '.targets as $t | . as $d | .rows[].cells[] | select($t[.target].route == "none") | .why' <<<"$out" | head -1)
check_contains "no route: the cell says the connect fails at the peer" "has no route to" "$why"
check "no route: no word of arriving" "" "$(grep -o 'arrives on\|reaches' <<<"$why")"
check "no route: no socket is predicted to take it" "[]" \
	"$(jq -c '[.targets as $t | .probes[] | select($t[.target].route == "none") | .predicted_sockets[]]' <<<"$out")"
# listen numbers its sockets as one table: 0.0.0.0 is #1 and [::] (v6only) is #2 in both
# announcements, and each names the other by that number.
out=$(timeout 2 "$BINDSCOPE" listen 0.0.0.0:8090 '[::]:8090' --v6only 2>/dev/null)
check "listen: the IPv4 wildcard is #1" 1 "$(grep -c '^  #1 tcp 0.0.0.0:8090 ' <<<"$out")"
check "listen: the IPv6 wildcard is #2" 1 "$(grep -c '^  #2 tcp \[::\]:8090 ' <<<"$out")"
check_contains "listen: #1 sends ::1 to #2" "::1 goes to #2" "$(grep '^  #1 ' <<<"$out")"
check_contains "listen: #2 sends 127.0.0.1 to #1" "127.0.0.1 goes to #1" "$(grep '^  #2 ' <<<"$out")"
# The sweep's default is every address, IPv6 too: a listener on [::1] only is found.
socat TCP6-LISTEN:8061,bind=[::1],fork /dev/null &
pids+=($!)
wait_bound tcp 8061
out=$("$BINDSCOPE" probe --ports 8055-8065 --json)
check "sweep without --on: ::1 is swept and 8061 found there" "[8061]" \
	"$(jq -c '.addresses[] | select(.address == "::1") | .open' <<<"$out")"
check "sweep -4: IPv4 addresses only" 0 \
	"$("$BINDSCOPE" probe --ports 8055-8065 -4 --json | jq '[.addresses[] | select(.address | contains(":"))] | length')"
finish
