#!/bin/bash
# bindscope against real peers: socat listeners are seen by `bindscope probe PORT` exactly as
# `nc -vz` sees them, a full-range sweep finds exactly the open ports, and a bindscope
# listener accepts nc and socat clients and counts their connections and bytes.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # cleanup, and helpers this script may redefine
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
trap cleanup EXIT

# wait_listening PROTO PORT [PID]: bounded wait (5 s) until something listens on PORT;
# gives up at once if process PID has exited.
wait_listening() {
	local flag=-Hltn state
	[ "$1" = udp ] && flag=-Hlun
	for _ in $(seq 50); do
		[ -n "$(ss "$flag" "sport = :$2")" ] && return 0
		if [ -n "${3:-}" ]; then
			state=$(awk '{print $3}' "/proc/$3/stat" 2>/dev/null)
			[ -z "$state" ] || [ "$state" = Z ] && return 1
		fi
		sleep 0.1
	done
	return 1
}
# wait_gone PID: bounded wait (5 s) until the process has exited (gone or a zombie).
wait_gone() {
	local state
	for _ in $(seq 50); do
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_lines FILE PATTERN N: bounded wait (5 s) until FILE has N lines containing PATTERN.
wait_lines() {
	for _ in $(seq 50); do
		[ "$(grep -c -F -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
# nc_verdict ADDR PORT: what `nc -vz` sees, in bindscope's words.
nc_verdict() {
	if timeout 5 nc -4 -vz -w 2 "$1" "$2" >/dev/null 2>&1; then echo open; else echo refused; fi
}

# Three socat peers, one per kind of bind address.
declare -A bind_of=([9001]=0.0.0.0 [9002]=192.168.1.10 [9003]=127.0.0.1)
declare -A pid_of=()
for port in 9001 9002 9003; do
	socat "TCP4-LISTEN:$port,bind=${bind_of[$port]},fork,reuseaddr" /dev/null &
	pids+=($!)
	pid_of[$port]=$!
done
for port in 9001 9002 9003; do
	wait_listening tcp "$port"
	check "socat listens on ${bind_of[$port]}:$port" 0 $?
done

# Each cell of `bindscope probe PORT` against nc, and against the lesson.
declare -A expected=(
	[9001]="open open open open open"
	[9002]="refused refused open refused refused"
	[9003]="open refused refused open open"
)
# A socat child that has just forked for an earlier probe may still hold the listening socket
# for a moment (until it closes its copy): bindscope then names it too ("also socat (pid N)"),
# which is true and not what these checks are about, so the owner texts drop such children.
for port in 9001 9002 9003; do
	json=$("$BINDSCOPE" probe --json "$port")
	check "probe $port exits 0" 0 $?
	check "probe $port: one row, socat's socket, not opened by bindscope" \
		"[\"1 tcp $port ${bind_of[$port]}:$port false socat ${pid_of[$port]}\"] [1]" \
		"$(jq -c '[.sockets[] | "\(.id) \(.proto) \(.port) \(.local) \(.opened_by_bindscope) \(.owner.program) \(.owner.pid)"]' <<<"$json") $(jq -c '[.rows[].socket]' <<<"$json")"
	check "probe $port: the row says who owns it" "#1 ${bind_of[$port]}:$port, socat (pid ${pid_of[$port]})" \
		"$(jq -r '.sockets[0].owner_text | gsub(", also socat \\(pid [0-9]+\\)(, socat \\(pid [0-9]+\\))*"; "")' <<<"$json")"
	check "probe $port: the kernel's inode for it is ss's" \
		"$(ss -Hltne "sport = :$port" | grep -oE 'ino:[0-9]+' | head -n 1)" \
		"ino:$(jq -r '.sockets[0].inode' <<<"$json")"
	seen_nc=()
	seen_bs=()
	for label in lo eth0 wlan0 localhost 0.0.0.0; do
		addr=$(jq -r --arg l "$label" '.targets[] | select(.label == $l) | .address' <<<"$json")
		verdict=$(nc_verdict "$addr" "$port")
		observed=$(jq -r --arg l "$label" '. as $d | .rows[0].cells[] |
			select($d.targets[.target].label == $l) | $d.probes[.probe] |
			.observed + (if .observed == "open" and .answered_by != [1] then " (not by #1)"
			else "" end)' <<<"$json")
		check "probe $port on $label ($addr) matches nc -vz" "$verdict" "$observed"
		seen_nc+=("$verdict")
		seen_bs+=("$observed")
	done
	check "nc sees ${bind_of[$port]}:$port as the lesson says" "${expected[$port]}" "${seen_nc[*]}"
	check "bindscope sees ${bind_of[$port]}:$port as the lesson says" "${expected[$port]}" "${seen_bs[*]}"
done

# ADDR:PORT probes only that address; the other cells are not probed (observed null).
json=$("$BINDSCOPE" probe --json 192.168.1.10:9002)
check "probe 192.168.1.10:9002 exits 0" 0 $?
check "probe 192.168.1.10:9002 probes only wlan0's address" \
	'["lo:not-probed:null","eth0:not-probed:null","wlan0:this:open","localhost:not-probed:null","0.0.0.0:not-probed:null"]' \
	"$(jq -c '. as $d | [.rows[0].cells[] | "\($d.targets[.target].label):\(.state):\($d.probes[.probe].observed)"]' <<<"$json")"
json=$("$BINDSCOPE" probe --json 127.0.0.1:9002)
check "probe 127.0.0.1:9002 is refused there" "refused" \
	"$(jq -r '[.probes[] | select(.probed) | .observed] | unique | join(",")' <<<"$json")"

# A sweep of every port on loopback finds exactly the two socat ports open there, with no
# phantom open ports from connections that met themselves.
json=$("$BINDSCOPE" probe --json --ports 1-65535 --on 127.0.0.1)
check "sweep --on 127.0.0.1 exits 0" 0 $?
check "sweep --on 127.0.0.1 finds exactly 9001 and 9003" \
	'[{"address":"127.0.0.1","open":[9001,9003]}]' \
	"$(jq -c '[.addresses[] | {address, open}]' <<<"$json")"
check "sweep --on 127.0.0.1: socat's sockets take them, read from the socket table" \
	"[\"9001 #1 0.0.0.0:9001, socat (pid ${pid_of[9001]}) 127.0.0.1 []\",\"9003 #2 127.0.0.1:9003, socat (pid ${pid_of[9003]}) 127.0.0.1 []\"]" \
	"$(jq -c '[.open_ports[] | "\(.port) \(.sockets | map("\(.socket | gsub(", also socat \\(pid [0-9]+\\)(, socat \\(pid [0-9]+\\))*"; "")) \(.takes | join(","))") | join("; ")) \(.open_with_no_socket | tojson)"]' <<<"$json")"
check "sweep reports how many self-connects it discarded" number \
	"$(jq -r '.self_connects_discarded | type' <<<"$json")"
check "sweep --on 127.0.0.1 labels the address with its interface" '"lo"' \
	"$(jq -c '.addresses[0].label' <<<"$json")"

json=$("$BINDSCOPE" probe --json --ports 8990-9010)
check "sweep of every address exits 0" 0 $?
check "sweep of every address: each IPv4 address's open ports" \
	'[{"address":"127.0.0.1","label":"lo","open":[9001,9003]},{"address":"192.168.0.110","label":"eth0","open":[9001]},{"address":"192.168.1.10","label":"wlan0","open":[9001,9002]}]' \
	"$(jq -c '[.addresses[] | select(.address | contains(":") | not) | {address, "label": .label, open}]' <<<"$json")"
check "sweep of every address: the IPv6 ones too (::1 and the link-locals), none open (IPv4 sockets)" \
	'3 0' "$(jq -r '[.addresses[] | select(.address | contains(":"))] | "\(length) \([.[].open[]] | length)"' <<<"$json")"
check "sweep of every address: which socket takes each open port" \
	"[\"9001 #1 0.0.0.0:9001, socat (pid ${pid_of[9001]}) 127.0.0.1,192.168.0.110,192.168.1.10 []\",\"9002 #2 192.168.1.10:9002, socat (pid ${pid_of[9002]}) 192.168.1.10 []\",\"9003 #3 127.0.0.1:9003, socat (pid ${pid_of[9003]}) 127.0.0.1 []\"]" \
	"$(jq -c '[.open_ports[] | "\(.port) \(.sockets | map("\(.socket | gsub(", also socat \\(pid [0-9]+\\)(, socat \\(pid [0-9]+\\))*"; "")) \(.takes | join(","))") | join("; ")) \(.open_with_no_socket | tojson)"]' <<<"$json")"
text=$("$BINDSCOPE" probe --ports 8990-9010)
check "sweep text: says which socket takes 9002" \
	"#2 192.168.1.10:9002, socat (pid ${pid_of[9002]}) takes 192.168.1.10" \
	"$(grep -A1 -x '  9002' <<<"$text" | tail -n 1 | sed -E 's/^ *//; s/, also socat \(pid [0-9]+\)(, socat \(pid [0-9]+\))*//')"
check_contains "sweep text: reads the owners from the socket table" \
	"Which socket takes each open port (read from the socket table):" "$text"

# A bindscope listener accepts an nc and a socat client and counts every byte.
"$BINDSCOPE" listen --json 192.168.1.10:9100 >"$tmp/listen.ndjson" 2>"$tmp/listen.err" &
lpid=$!
pids+=("$lpid")
wait_listening tcp 9100 "$lpid"
check "bindscope listens on 192.168.1.10:9100" 0 $?
head -c 12345 /dev/zero | timeout 5 nc -N -s 127.0.0.1 192.168.1.10 9100
check "nc sends 12345 bytes from 127.0.0.1" 0 $?
head -c 54321 /dev/zero | timeout 5 socat -u - TCP4:192.168.1.10:9100
check "socat sends 54321 bytes" 0 $?
wait_lines "$tmp/listen.ndjson" '"event":"closed"' 2
check "both connections are reported closed" 0 $?
kill -INT "$lpid"
wait_gone "$lpid"
check "SIGINT stops the listener" 0 $?
wait "$lpid"
check "listen exits 0 after SIGINT" 0 $?
events=$(cat "$tmp/listen.ndjson")
check "every line is a JSON object" true "$(jq -s -c 'all(type == "object")' <<<"$events")"
check "event sequence" '["listening","accepted","closed","accepted","closed","stopped"]' \
	"$(jq -s -c '[.[].event]' <<<"$events")"
check "listening event names the listener" '"192.168.1.10:9100"' \
	"$(jq -c 'select(.event == "listening") | .listener' <<<"$events")"
check "accepted connections arrived on 192.168.1.10:9100" '["192.168.1.10:9100","192.168.1.10:9100"]' \
	"$(jq -s -c '[.[] | select(.event == "accepted") | .local]' <<<"$events")"
check "the nc client's peer is 127.0.0.1" '"127.0.0.1"' \
	"$(jq -s -c '[.[] | select(.event == "accepted")][0].peer | sub(":[0-9]+$"; "")' <<<"$events")"
check "closed events count each client's bytes" '[12345,54321]' \
	"$(jq -s -c '[.[] | select(.event == "closed") | .bytes]' <<<"$events")"
check "stopped: 2 accepted, 66666 bytes" '{"accepted":2,"bytes":66666}' \
	"$(jq -c 'select(.event == "stopped") | {accepted, bytes}' <<<"$events")"
check "nothing listens on 9100 after the stop" "" "$(ss -Hltn 'sport = :9100')"

# The same for UDP: datagrams from socat and nc are counted, never answered.
"$BINDSCOPE" listen --udp --json 192.168.1.10:9101 >"$tmp/udp.ndjson" 2>"$tmp/udp.err" &
lpid=$!
pids+=("$lpid")
wait_listening udp 9101 "$lpid"
check "bindscope listens on udp 192.168.1.10:9101" 0 $?
head -c 100 /dev/zero | timeout 5 socat -u - UDP4-SENDTO:192.168.1.10:9101
check "socat sends a 100-byte datagram" 0 $?
printf hello | timeout 5 nc -u -w 1 -s 127.0.0.1 192.168.1.10 9101
check "nc sends a 5-byte datagram" 0 $?
wait_lines "$tmp/udp.ndjson" '"event":"datagram"' 2
check "both datagrams are reported" 0 $?
kill -INT "$lpid"
wait_gone "$lpid"
check "SIGINT stops the UDP listener" 0 $?
wait "$lpid"
check "UDP listen exits 0 after SIGINT" 0 $?
events=$(cat "$tmp/udp.ndjson")
check "datagram events: sizes and local address" '["100 192.168.1.10:9101","5 192.168.1.10:9101"]' \
	"$(jq -s -c '[.[] | select(.event == "datagram") | "\(.bytes) \(.local)"]' <<<"$events")"
check "stopped: 2 datagrams, 105 bytes, no connections" '{"accepted":0,"datagrams":2,"bytes":105}' \
	"$(jq -c 'select(.event == "stopped") | {accepted, datagrams, bytes}' <<<"$events")"

# Options may follow the addresses, as `--help` writes it ("probe [PORT]... [OPTIONS]",
# "listen ADDR:PORT [ADDR:PORT...] [OPTIONS]") and as getopt_long allows.
json=$("$BINDSCOPE" probe 9002 --json 2>"$tmp/order.err")
check "probe PORT --json exits 0" 0 $?
check "probe PORT --json: no error message" "" "$(cat "$tmp/order.err")"
check "probe PORT --json prints the JSON matrix" '"open"' \
	"$(jq -c '. as $d | .rows[0].cells[] | select($d.targets[.target].label == "wlan0") |
		$d.probes[.probe].observed' <<<"$json" 2>/dev/null)"
"$BINDSCOPE" listen 127.0.0.1:9102 --json >"$tmp/order.ndjson" 2>"$tmp/order-listen.err" &
lpid=$!
pids+=("$lpid")
wait_listening tcp 9102 "$lpid"
check "listen ADDR:PORT --json listens" 0 $?
kill -INT "$lpid" 2>/dev/null
wait_gone "$lpid"
check "listen ADDR:PORT --json: no error message" "" "$(grep '^bindscope' "$tmp/order-listen.err")"
check "listen ADDR:PORT --json prints NDJSON" '"listening"' \
	"$(head -n 1 "$tmp/order.ndjson" | jq -c '.event' 2>/dev/null)"
# UDP against someone else's socket: silence is open|filtered, never "open" (only bindscope's
# own listeners can confirm a datagram arrived); a port with no socket answers ICMP: refused.
socat -u UDP4-RECV:9201,bind=127.0.0.1 /dev/null &
pids+=($!)
wait_listening udp 9201 "$!"
json=$("$BINDSCOPE" probe --udp --timeout 300 --json 127.0.0.1:9201 127.0.0.1:9202)
check "UDP to socat's socket: open|filtered (nothing confirms it)" "open|filtered" \
	"$(jq -r '[.probes[] | select(.port == 9201 and .address == "127.0.0.1" and .vantage == 0) | .observed] | unique | join(",")' <<<"$json")"
check "UDP to a port with no socket: refused (ICMP port unreachable)" "refused" \
	"$(jq -r '[.probes[] | select(.port == 9202 and .address == "127.0.0.1" and .vantage == 0) | .observed] | unique | join(",")' <<<"$json")"
finish
