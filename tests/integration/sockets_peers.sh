#!/bin/bash
# `bindscope sockets` against real peers: socat listeners bound to loopback, 0.0.0.0, one
# address, [::] with and without IPV6_V6ONLY, a device (SO_BINDTODEVICE) and a UDP socket are
# each listed once with the right exposure class, protocol, family, interface, device, v6only
# and owner (socat, with the pid it was started as), most exposed first; -t -u -4 -6 --exposed
# filter as documented; the listing matches `ss -ltnup` (sockets and pids); the text table's
# columns line up; `bindscope listen` names the socat that holds a port; and a reader without
# privileges over the peers sees "owner unknown (needs root)".
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

# The peers: one socat per kind of bind, each remembered with its pid and command line.
declare -A pid_of cmdline_of proto_of
# start_peer PORT PROTO SOCAT-ARG...
start_peer() {
	local port=$1 proto=$2
	shift 2
	socat "$@" &
	pids+=($!)
	pid_of[$port]=$!
	cmdline_of[$port]="socat $*"
	proto_of[$port]=$proto
}
start_peer 9001 tcp "TCP4-LISTEN:9001,bind=127.0.0.1,fork,reuseaddr" /dev/null
start_peer 9002 tcp "TCP4-LISTEN:9002,bind=0.0.0.0,fork,reuseaddr" /dev/null
start_peer 9003 tcp "TCP4-LISTEN:9003,bind=192.168.1.10,fork,reuseaddr" /dev/null
start_peer 9004 tcp "TCP6-LISTEN:9004,bind=[::],ipv6only=0,fork,reuseaddr" /dev/null
start_peer 9005 udp -u UDP4-RECV:9005 /dev/null
start_peer 9006 tcp "TCP6-LISTEN:9006,bind=[::],ipv6only=1,fork,reuseaddr" /dev/null
start_peer 9007 tcp "TCP4-LISTEN:9007,so-bindtodevice=eth0,fork,reuseaddr" /dev/null
# A device name one letter longer than eth0, for the text table's columns.
start_peer 9008 tcp "TCP4-LISTEN:9008,so-bindtodevice=wlan0,fork,reuseaddr" /dev/null
ports=(9001 9002 9003 9004 9005 9006 9007 9008)
for port in "${ports[@]}"; do
	wait_listening "${proto_of[$port]}" "$port" "${pid_of[$port]}"
	check "socat listens on ${proto_of[$port]} port $port" 0 $?
done

# Each socket: listed once, with the right class, address, family, v6only, device, interface.
declare -A expected=(
	[9001]='{"proto":"tcp","local":"127.0.0.1:9001","address":"127.0.0.1","family":"ipv4","v6only":null,"device":null,"exposure":"loopback","exposure_text":"loopback only","interface":null}'
	[9002]='{"proto":"tcp","local":"0.0.0.0:9002","address":"0.0.0.0","family":"ipv4","v6only":null,"device":null,"exposure":"all-ipv4","exposure_text":"all IPv4 interfaces","interface":null}'
	[9003]='{"proto":"tcp","local":"192.168.1.10:9003","address":"192.168.1.10","family":"ipv4","v6only":null,"device":null,"exposure":"one-address","exposure_text":"one interface: wlan0","interface":"wlan0"}'
	[9004]='{"proto":"tcp","local":"*:9004","address":"::","family":"ipv6","v6only":false,"device":null,"exposure":"dual-stack","exposure_text":"IPv4 and IPv6, every interface","interface":null}'
	[9005]='{"proto":"udp","local":"0.0.0.0:9005","address":"0.0.0.0","family":"ipv4","v6only":null,"device":null,"exposure":"all-ipv4","exposure_text":"all IPv4 interfaces","interface":null}'
	[9006]='{"proto":"tcp","local":"[::]:9006","address":"::","family":"ipv6","v6only":true,"device":null,"exposure":"all-ipv6","exposure_text":"all IPv6 interfaces","interface":null}'
	[9007]='{"proto":"tcp","local":"0.0.0.0%eth0:9007","address":"0.0.0.0","family":"ipv4","v6only":null,"device":"eth0","exposure":"device","exposure_text":"one device: eth0 (SO_BINDTODEVICE)","interface":null}'
	[9008]='{"proto":"tcp","local":"0.0.0.0%wlan0:9008","address":"0.0.0.0","family":"ipv4","v6only":null,"device":"wlan0","exposure":"device","exposure_text":"one device: wlan0 (SO_BINDTODEVICE)","interface":null}'
)
json=$("$BINDSCOPE" sockets --json)
check "sockets --json exits 0" 0 $?
for port in "${ports[@]}"; do
	check "port $port is listed once" 1 \
		"$(jq --argjson p "$port" '[.sockets[] | select(.port == $p)] | length' <<<"$json")"
	check "port $port: class, address, family, v6only, device, interface" "${expected[$port]}" \
		"$(jq -c --argjson p "$port" '.sockets[] | select(.port == $p) |
			{proto, local, address, family, v6only, device, exposure, exposure_text, interface}' <<<"$json")"
	# Its systemd unit depends on where the tests run (a container's cgroup): whatever it
	# is, the text names the one the JSON names.
	check "port $port: owned by socat with pid ${pid_of[$port]} (uid 0, user root), its only holder" \
		"$(jq -c -n --argjson pid "${pid_of[$port]}" --arg cmd "${cmdline_of[$port]}" \
			'{uid: 0, user: "root", owner: {pid: $pid, program: "socat", cmdline: $cmd,
			  holders: [{pid: $pid, program: "socat", uid: 0, user: "root"}], processes: 1},
			  owner_text: true}')" \
		"$(jq -c --argjson p "$port" '.sockets[] | select(.port == $p) | {uid, user,
			owner: (.owner | del(.unit)), owner_text: (.owner_text == "socat (pid \(.owner.pid)"
			+ (if .owner.unit then ", \(.owner.unit)" else "" end) + ")")}' <<<"$json")"
done
check "every socket has a number inode" true "$(jq '[.sockets[].inode | type == "number"] | all' <<<"$json")"

# Most exposed first: dual-stack, all-ipv4, all-ipv6, device, one-address, loopback.
rank='{"dual-stack":0,"all-ipv4":1,"all-ipv6":2,"device":3,"one-address":4,"loopback":5}'
check "the peers in order of exposure" \
	'["dual-stack","all-ipv4","all-ipv4","all-ipv6","device","device","one-address","loopback"]' \
	"$(jq -c '[.sockets[] | select(.port >= 9001 and .port <= 9010) | .exposure]' <<<"$json")"
check "the whole list is sorted most exposed first" true \
	"$(jq --argjson r "$rank" '[.sockets[].exposure | $r[.]] | . == sort' <<<"$json")"

# Filters. Each prints "PROTO PORT" in list order.
listed() {
	"$BINDSCOPE" sockets --json "$@" |
		jq -c '[.sockets[] | select(.port >= 9001 and .port <= 9010) | "\(.proto) \(.port)"] | sort'
}
check "--exposed drops only the loopback listener 9001" \
	'["tcp 9002","tcp 9003","tcp 9004","tcp 9006","tcp 9007","tcp 9008","udp 9005"]' "$(listed --exposed)"
check "-x -j is --exposed --json" "$("$BINDSCOPE" sockets --exposed --json | jq -c .)" \
	"$("$BINDSCOPE" sockets -x -j | jq -c .)"
check "-u lists only the UDP socket 9005" '["udp 9005"]' "$(listed -u)"
check "-6 lists only the IPv6 sockets" '["tcp 9004","tcp 9006"]' "$(listed -6)"
check "-6: every socket listed is ipv6" '["ipv6"]' \
	"$("$BINDSCOPE" sockets -6 --json | jq -c '[.sockets[].family] | unique')"
check "-t -4 lists the IPv4 TCP listeners" \
	'["tcp 9001","tcp 9002","tcp 9003","tcp 9007","tcp 9008"]' "$(listed -t -4)"
check "-t lists no UDP socket" '["tcp"]' \
	"$("$BINDSCOPE" sockets -t --json | jq -c '[.sockets[].proto] | unique')"

# Cross-check against ss -ltnup: the same (proto, port) pairs on 9001-9010, the same owners.
ss_rows=$(ss -ltnupH | awk '{
	port = $5; sub(/.*:/, "", port)
	if (port + 0 < 9001 || port + 0 > 9010) next
	pid = ""
	if (match($0, /pid=[0-9]+/)) pid = substr($0, RSTART + 4, RLENGTH - 4)
	print $1, port, pid
}' | sort)
bs_rows=$(jq -r '.sockets[] | select(.port >= 9001 and .port <= 9010) |
	"\(.proto) \(.port) \(.owner.pid // "")"' <<<"$json" | sort)
check "ss -ltnup lists the 8 peers" 8 "$(grep -c . <<<"$ss_rows")"
check "bindscope and ss -ltnup list the same (proto, port) pairs" \
	"$(cut -d' ' -f1,2 <<<"$ss_rows")" "$(cut -d' ' -f1,2 <<<"$bs_rows")"
check "bindscope's owner pid is ss's for each socket" "$ss_rows" "$bs_rows"

# The text table: a header, then the JSON's rows in the same order, each column under its
# heading (the OWNER column too, whatever the length of the exposure text).
text=$("$BINDSCOPE" sockets)
check "sockets exits 0" 0 $?
header=$(head -n 1 <<<"$text")
check "text header" "PROTO LOCAL EXPOSURE USER OWNER" "$(tr -s ' ' <<<"$header")"
check "text has one row per socket" "$(jq '.sockets | length' <<<"$json")" \
	"$(tail -n +2 <<<"$text" | grep -cE '^(tcp|udp) ')"
check "the lab has no firewall rules, and the text says so" \
	"Firewall: no nftables rules here, so nothing is filtered." "$(tail -n 1 <<<"$text")"
col_local=${header%%LOCAL*}
col_exposure=${header%%EXPOSURE*}
col_owner=${header%%OWNER*}
col_local=${#col_local} col_exposure=${#col_exposure} col_owner=${#col_owner}
misplaced=()
i=0
while IFS= read -r row; do
	want=$(jq -r --argjson i "$i" '.sockets[$i] | [.proto, .local, .exposure_text, .owner_text] | join("\t")' <<<"$json")
	IFS=$'\t' read -r w_proto w_local w_exposure w_owner <<<"$want"
	got_local=${row:col_local:${#w_local}}
	got_exposure=${row:col_exposure:${#w_exposure}}
	got_owner=${row:col_owner}
	if [ "${row:0:${#w_proto}}" != "$w_proto" ] || [ "$got_local" != "$w_local" ] ||
		[ "$got_exposure" != "$w_exposure" ] || [ "$got_owner" != "$w_owner" ]; then
		misplaced+=("row $((i + 1)): '$row'")
	fi
	i=$((i + 1))
done < <(tail -n +2 <<<"$text" | grep -E '^(tcp|udp) ')
check "text rows follow the JSON order, every column under its heading" "" "${misplaced[*]}"
check_contains "text shows the device-bound socket" \
	"0.0.0.0%eth0:9007" "$(grep -F 9007 <<<"$text")"

# bindscope listen names the socat that holds the port.
err=$(timeout 5 "$BINDSCOPE" listen 192.168.1.10:9002 2>&1 >/dev/null)
check "listen 192.168.1.10:9002 exits 1 (port held by socat on 0.0.0.0)" 1 $?
check_contains "listen names socat, its pid and its address" \
	"already in use by socat (pid ${pid_of[9002]}) on 0.0.0.0:9002" "$err"

# A reader with no privileges over the peers cannot see who owns them.
# A real other user needs a second uid in the namespace; private-netns.sh maps only uid 0.
if setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	json=$(timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$BINDSCOPE" sockets --json)
	check "as uid 65534: sockets --json exits 0" 0 $?
	check "as uid 65534: root's sockets are listed, owner unknown (needs root)" \
		'["9001 null owner unknown (needs root): user root","9002 null owner unknown (needs root): user root","9003 null owner unknown (needs root): user root","9004 null owner unknown (needs root): user root","9005 null owner unknown (needs root): user root","9006 null owner unknown (needs root): user root","9007 null owner unknown (needs root): user root","9008 null owner unknown (needs root): user root"]' \
		"$(jq -c '[.sockets[] | select(.port >= 9001 and .port <= 9010) | "\(.port) \(.owner) \(.owner_text)"] | sort' <<<"$json")"
else
	echo "skip - sockets as another (unprivileged) user: the namespace maps only uid 0" \
		"(uid_map: $(tr -s ' ' <<<"$(cat /proc/self/uid_map)")), so no second uid can run here"
fi
# What can run here: bindscope in a nested user namespace as uid 1000, with no capabilities
# over the socat peers, so their /proc/PID/fd cannot be read (as for a normal user and root's
# processes). The kernel still lists every socket.
if unshare --user --map-user=1000 --map-group=1000 true 2>/dev/null; then
	# Inside that namespace root's sockets belong to uid 1000 (the kernel maps them so): the
	# socket's user is whatever this machine calls uid 1000.
	name=$(getent passwd 1000 | cut -d: -f1)
	who=${name:+user $name}
	who=${who:-uid 1000}
	json=$(timeout 10 unshare --user --map-user=1000 --map-group=1000 "$BINDSCOPE" sockets --json)
	check "unprivileged reader: sockets --json exits 0" 0 $?
	check "unprivileged reader: every peer listed, owner unknown (needs root)" \
		"$(printf '["tcp 9001 null owner unknown (needs root): %s","tcp 9002 null owner unknown (needs root): %s","tcp 9003 null owner unknown (needs root): %s","tcp 9004 null owner unknown (needs root): %s","tcp 9006 null owner unknown (needs root): %s","tcp 9007 null owner unknown (needs root): %s","tcp 9008 null owner unknown (needs root): %s","udp 9005 null owner unknown (needs root): %s"]' "$who" "$who" "$who" "$who" "$who" "$who" "$who" "$who")" \
		"$(jq -c '[.sockets[] | select(.port >= 9001 and .port <= 9010) | "\(.proto) \(.port) \(.owner) \(.owner_text)"] | sort' <<<"$json")"
	text=$(timeout 10 unshare --user --map-user=1000 --map-group=1000 "$BINDSCOPE" sockets)
	check_contains "unprivileged reader: the text table says so, with the socket's user" \
		"owner unknown (needs root): $who" "$(grep -F 0.0.0.0:9002 <<<"$text")"
else
	echo "skip - sockets as an unprivileged reader: no nested user namespace here"
fi

# As root, a socket that no process holds (its only descriptor is in flight in an
# SCM_RIGHTS message) has no owner, and root is not what is missing: the text must not say
# "needs root" (the help: "'owner unknown (needs root)' unless run as root").
if command -v python3 >/dev/null && python3 -c 'import socket, array' 2>/dev/null; then
	python3 - >"$tmp/py.out" 2>&1 <<'PY' &
import array, socket, time
a, b = socket.socketpair()
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 9010))
l.listen(5)
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [l.fileno()]))])
l.close()
time.sleep(60)
PY
	pypid=$!
	pids+=("$pypid")
	wait_listening tcp 9010 "$pypid"
	check "an ownerless listener on 127.0.0.1:9010" 0 $?
	check "ss shows no process for it" "" "$(ss -Hltnp 'sport = :9010' | grep -o 'users:.*')"
	json=$("$BINDSCOPE" sockets --json)
	check "as root: the ownerless socket has no owner" null \
		"$(jq -c '.sockets[] | select(.port == 9010) | .owner' <<<"$json")"
	# Root inside this user namespace still cannot read the host's processes: then "needs
	# root" is the honest answer. Where every process is readable, it must not be said.
	hidden=0
	for fd_dir in /proc/[0-9]*/fd; do
		for link in "$fd_dir"/*; do
			[ -e "$link" ] || [ -L "$link" ] || continue
			readlink "$link" >/dev/null 2>&1 || { hidden=1; break 2; }
		done
	done
	if [ "$hidden" -eq 0 ]; then
		check "as root: the ownerless socket is not said to need root" \
			'"no process holds it"' \
			"$(jq '.sockets[] | select(.port == 9010) | .owner_text' <<<"$json")"
	else
		check "some processes are hidden even from this root: the ownerless socket says so" \
			"\"owner unknown: some processes' fds are not readable here, not even as root (user root)\"" \
			"$(jq '.sockets[] | select(.port == 9010) | .owner_text' <<<"$json")"
	fi
	kill "$pypid" 2>/dev/null
else
	echo "skip - ownerless socket: python3 is needed to pass a descriptor over SCM_RIGHTS"
fi
finish
