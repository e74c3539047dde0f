#!/bin/bash
# bindscope lab: the seed's network on any machine, with peer hosts as vantage points.
# The lab makes its own namespaces; this test checks it leaves the host's network exactly as
# it was and leaves no process behind, that inside it the interfaces are exactly the seed's,
# that the peers see what the lesson says (192.168.1.10:8082 from the Wi-Fi peer but not the
# Ethernet one; 0.0.0.0:8081 from both; the weak host model once the Ethernet peer has a
# route), and that a malformed topology is reported with its line number.
set -uo pipefail
: "${BINDSCOPE:?}" "${TESTS_DIR:?}"
source "$TESTS_DIR/lib/common.sh"
LABS="$TESTS_DIR/../assets/labs"

require_lab

host_state() {
	ip -j addr show 2>/dev/null | jq -c '[.[] | {ifname, addr_info: [.addr_info[] | .local]}]'
	ip -j route show 2>/dev/null
	ip netns list 2>/dev/null
}
before=$(host_state)

# Inside: exactly the seed's interfaces (list --json), as the README promises.
inside=$("$BINDSCOPE" lab -- "$BINDSCOPE" list -4 --json)
check "the lab's interfaces are exactly the seed's" \
	'["lo 127.0.0.1/8","eth0 192.168.0.110/24","wlan0 192.168.1.10/24"]' \
	"$(jq -c '[.interfaces[] | "\(.name) \(.ipv4[0].address)/\(.ipv4[0].prefix)"]' <<<"$inside")"
check "all up and running" '[true,true,true]' "$(jq -c '[.interfaces[] | .up and .running]' <<<"$inside")"

# The vantage points, with bindscope's own listeners: 8081 on every address, 8082 on wlan0's.
# The script runs inside the lab; $BINDSCOPE_LAB_PEERS names the peers' pids for nsenter.
lesson=$("$BINDSCOPE" lab -- bash -c '
	set -u
	eth=$(tr " " "\n" <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^eth0-peer=//p")
	wlan=$(tr " " "\n" <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^wlan0-peer=//p")
	"$1" listen 0.0.0.0:8081 192.168.1.10:8082 >/dev/null &
	for _ in $(seq 50); do [ "$(ss -Hltn "sport = :8081 or sport = :8082" | wc -l)" -eq 2 ] && break; sleep 0.1; done
	try() { nsenter -t "$1" -n nc -z -w 2 "$2" "$3" 2>/dev/null && echo open || echo no; }
	echo "eth0-peer 192.168.1.10:8082 $(try "$eth" 192.168.1.10 8082)"
	echo "wlan0-peer 192.168.1.10:8082 $(try "$wlan" 192.168.1.10 8082)"
	echo "eth0-peer 192.168.0.110:8082 $(try "$eth" 192.168.0.110 8082)"
	echo "eth0-peer 192.168.0.110:8081 $(try "$eth" 192.168.0.110 8081)"
	echo "wlan0-peer 192.168.1.10:8081 $(try "$wlan" 192.168.1.10 8081)"
	echo "eth0-peer ping-route $(nsenter -t "$eth" -n ip route get 192.168.1.10 2>&1 | head -1)"
	kill -INT %1; wait
' lab "$BINDSCOPE")
check_contains "192.168.1.10:8082 is not reachable from the Ethernet peer (no route)" \
	"eth0-peer 192.168.1.10:8082 no" "$lesson"
check_contains "192.168.1.10:8082 is reachable from the Wi-Fi peer" \
	"wlan0-peer 192.168.1.10:8082 open" "$lesson"
check_contains "... and refused on eth0's address (bound to one address)" \
	"eth0-peer 192.168.0.110:8082 no" "$lesson"
check_contains "0.0.0.0:8081 is reachable from the Ethernet peer" \
	"eth0-peer 192.168.0.110:8081 open" "$lesson"
check_contains "0.0.0.0:8081 is reachable from the Wi-Fi peer" \
	"wlan0-peer 192.168.1.10:8081 open" "$lesson"
check_contains "the Ethernet peer has no route to the Wi-Fi subnet" \
	"eth0-peer ping-route RTNETLINK answers: Network is unreachable" "$lesson"

# The weak host model: give the Ethernet peer a route through the workstation and it reaches
# wlan0's address, arriving on eth0.
weak=$("$BINDSCOPE" lab --topology "$LABS/weak-host.lab" -- bash -c '
	eth=$(tr " " "\n" <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^eth0-peer=//p")
	"$1" listen --json 192.168.1.10:8082 >"$2" &
	for _ in $(seq 50); do ss -Hltn "sport = :8082" | grep -q . && break; sleep 0.1; done
	nsenter -t "$eth" -n nc -z -w 2 192.168.1.10 8082 && echo open || echo no
	sleep 0.2; kill -INT %1; wait
' lab "$BINDSCOPE" "$(mktemp)")
check "weak host model: with a route via the workstation, the Ethernet peer reaches 192.168.1.10:8082" \
	"open" "$weak"

# The probe matrix inside the lab gains a column per peer: what that host can reach.
matrix=$("$BINDSCOPE" lab -- "$BINDSCOPE" probe --json --open 0.0.0.0:8081 --open 192.168.1.10:8082 \
	--open 127.0.0.1:8083)
# peer_cells LOCAL JSON: "label ADDRESS=observed" for the peer columns of that socket's row.
peer_cells() {
	jq -c --arg l "$1" '. as $d | ($d.sockets[] | select(.local == $l) | .id) as $s |
		[.rows[] | select(.socket == $s) | .cells[] | $d.targets[.target] as $t |
		select($t.kind == "peer") | "\($t.label) \($t.address)=\($d.probes[.probe].observed)"]' <<<"$2"
}
check "matrix: a vantage per peer, with its address and interface" \
	'["0 this-host","1 lab-peer eth0-peer 192.168.0.20 eth0","2 lab-peer wlan0-peer 192.168.1.20 wlan0"]' \
	"$(jq -c '[.vantages[] | if .id == 0 then "0 \(.kind)" else
		"\(.id) \(.kind) \(.name) \(.address) \(.via)" end]' <<<"$matrix")"
check "matrix: each peer has a column per workstation address; only its own segment routes" \
	'["from eth0-peer 192.168.0.110 here","from eth0-peer 192.168.1.10 none","from wlan0-peer 192.168.0.110 none","from wlan0-peer 192.168.1.10 here"]' \
	"$(jq -c '[.targets[] | select(.kind == "peer") | "\(.label) \(.address) \(.route)"]' <<<"$matrix")"
check "matrix: 0.0.0.0:8081 is open from both peers on their own segment's address" \
	'["from eth0-peer 192.168.0.110=open","from eth0-peer 192.168.1.10=unreachable","from wlan0-peer 192.168.0.110=unreachable","from wlan0-peer 192.168.1.10=open"]' \
	"$(peer_cells 0.0.0.0:8081 "$matrix")"
check "matrix: 192.168.1.10:8082 is refused from the Ethernet peer, open from the Wi-Fi peer" \
	'["from eth0-peer 192.168.0.110=refused","from eth0-peer 192.168.1.10=unreachable","from wlan0-peer 192.168.0.110=unreachable","from wlan0-peer 192.168.1.10=open"]' \
	"$(peer_cells 192.168.1.10:8082 "$matrix")"
check "matrix: 127.0.0.1:8083 is refused from both peers (their loopback is their own)" \
	'["from eth0-peer 192.168.0.110=refused","from eth0-peer 192.168.1.10=unreachable","from wlan0-peer 192.168.0.110=unreachable","from wlan0-peer 192.168.1.10=refused"]' \
	"$(peer_cells 127.0.0.1:8083 "$matrix")"
check "matrix: the peers' open probes were accepted by bindscope's own listener" \
	'["8081 192.168.0.110 [1] accept","8081 192.168.1.10 [1] accept","8082 192.168.1.10 [2] accept"]' \
	"$(jq -c '. as $d | [.probes[] | select($d.targets[.target].kind == "peer" and
		.observed == "open") | "\(.port) \(.address) \(.answered_by | tojson) \(.attributed_by)"]' \
		<<<"$matrix")"
check "matrix: every peer probe is as predicted" "[]" \
	"$(jq -c '. as $d | [.probes[] | select($d.targets[.target].kind == "peer") |
		select(.disagree or .observed != .predicted)]' <<<"$matrix")"
weak=$("$BINDSCOPE" lab --topology "$LABS/weak-host.lab" -- "$BINDSCOPE" probe --json \
	--open 192.168.1.10:8082)
weak_cell() { # JQ: over {cell, probe} of the Ethernet peer's column to 192.168.1.10
	jq -c '. as $d | .rows[0].cells[] | $d.targets[.target] as $t |
		select($t.label == "from eth0-peer" and $t.address == "192.168.1.10") |
		{cell: ., probe: $d.probes[.probe]} | '"$1" <<<"$weak"
}
check "matrix, weak host lab: the Ethernet peer reaches 192.168.1.10:8082, as predicted" \
	'{"observed":"open","predicted":"open","disagree":false,"state":"this"}' \
	"$(weak_cell '{observed: .probe.observed, predicted: .probe.predicted,
		disagree: .probe.disagree, state: .cell.state}')"
check_contains "... and the cell says why: the weak host model" "(the weak host model)" \
	"$(weak_cell '.cell.why' | jq -r .)"

# Malformed topologies are reported with their line number, and nothing is built.
bad=$(mktemp)
printf 'iface eth0 192.168.0.110/24\n\nifac wlan0 192.168.1.10/24\n' >"$bad"
msg=$("$BINDSCOPE" lab --topology "$bad" -- true 2>&1)
check "a malformed topology is a usage error" 2 $?
check "... named with its line" "bindscope: $bad: line 3: 'ifac' is not a statement (use iface, peer or firewall)" "$msg"
printf 'iface eth0 192.168.0.110/24\npeer p on eth9 192.168.0.20/24\n' >"$bad"
msg=$("$BINDSCOPE" lab --topology "$bad" -- true 2>&1)
check_contains "a peer on an undeclared interface" "line 2: peer p is on 'eth9'" "$msg"
rm -f "$bad"

# The command's exit code is the lab's.
"$BINDSCOPE" lab -- sh -c 'exit 7'
check "the command's exit code comes back" 7 $?

# Every shipped lab builds.
for lab in "$LABS"/*.lab; do
	"$BINDSCOPE" lab --topology "$lab" -- true
	check "assets/labs/$(basename "$lab") builds" 0 $?
done

# As a normal user (the user-namespace path), where this build is reachable by one.
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups \
	test -x "$BINDSCOPE" 2>/dev/null; then
	user=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BINDSCOPE" lab -- \
		"$BINDSCOPE" list -4 --json 2>&1)
	check "as nobody: the same seed interfaces" '["lo","eth0","wlan0"]' \
		"$(jq -c '[.interfaces[].name]' <<<"$user" 2>/dev/null || echo "$user")"
else
	echo "skip - lab as a normal user: this build is not reachable by nobody here"
fi

# The peers die with the lab. Their pids are the lab's own (it has a pid namespace), so they
# are found by their network namespaces, read inside; not by a name: other lab tests may run
# meanwhile.
nets=$("$BINDSCOPE" lab -- sh -c 'for p in $BINDSCOPE_LAB_PEERS; do readlink "/proc/${p#*=}/ns/net"; done')
check "the lab names two peers" 2 "$(wc -w <<<"$nets")"
sleep 0.2
alive=""
for f in /proc/[0-9]*/ns/net; do
	ns=$(readlink "$f" 2>/dev/null) || continue
	grep -qxF "$ns" <<<"$nets" && alive+="${f%/ns/net} "
done
check "no lab process is left behind" "" "$alive"
check "the host's addresses, routes and namespaces are exactly as before" "$before" "$(host_state)"
finish
