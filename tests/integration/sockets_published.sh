#!/bin/bash
# Ports published by the firewall (dnat) in `bindscope sockets`: in the weak-host lab (whose
# eth0-peer routes back through the workstation), a dnat rule on wlan0 publishes 8888 to
# eth0-peer's 192.168.0.20:80. bindscope names the namespace and the process that holds the
# socket there, and says the traffic is forwarded (the input chain never sees it); the
# kernel agrees: wlan0-peer connects to 192.168.1.10:8888 and eth0-peer's listener takes it.
# A Docker-like rule in a jumped-to chain (iifname != "docker0"), a redirect (delivered here)
# and a rule with more than bindscope reads (its text shown) are read too.
set -uo pipefail
: "${BINDSCOPE:?}" "${TESTS_DIR:?}"
source "$TESTS_DIR/lib/common.sh"
if [ -z "${IN_PUBLISHED_LAB:-}" ]; then
	if ! why=$("$BINDSCOPE" lab -- true 2>&1); then
		echo "SKIP: the lab cannot be built here: $why" >&2
		exit 77
	fi
	IN_PUBLISHED_LAB=1 exec "$BINDSCOPE" lab --topology weak-host -- bash "$0" "$@"
fi
if ! nft list tables >/dev/null 2>&1; then
	echo "SKIP: nft cannot be used here (needs CAP_NET_ADMIN in the lab)" >&2
	exit 77
fi

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT
peer_pid() { tr ' ' '\n' <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^$1=//p"; }
eth0_peer=$(peer_pid eth0-peer)
wlan0_peer=$(peer_pid wlan0-peer)

sysctl -qw net.ipv4.ip_forward=1 # the lab's workstation only: its own namespace
nft -f - <<'EOF'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wlan0" tcp dport 8888 dnat to 192.168.0.20:80
		tcp dport 9999 redirect to :9000
		jump docker
	}
	chain docker {
		iifname != "docker0" tcp dport 7777 dnat to 10.99.0.2:80
		tcp dport { 6001, 6002 } dnat to 192.168.0.20:80
	}
}
EOF
nsenter -t "$eth0_peer" -n socat TCP4-LISTEN:80,fork,reuseaddr \
	SYSTEM:'echo taken' 2>/dev/null &
pids+=($!)
for i in $(seq 50); do nsenter -t "$eth0_peer" -n ss -Hltn | grep -q ':80 ' && break; sleep 0.1; done

out=$("$BINDSCOPE" sockets --json)
check "exit 0" 0 $?
pub=$(jq -c '.published' <<<"$out")
check "four published ports read" 4 "$(jq 'length' <<<"$pub")"
check "8888 on wlan0 to 192.168.0.20:80" "tcp 8888 wlan0 false 192.168.0.20 80" \
	"$(jq -r '.[] | select(.port==8888) | "\(.proto) \(.port) \(.iif) \(.iif_not) \(.to_addr) \(.to_port)"' <<<"$pub")"
check "... goes to eth0-peer's namespace, to the socket socat holds there" \
	"namespace in namespace eth0-peer, held by socat" \
	"$(jq -r '.[] | select(.port==8888) | "\(.delivered) \(.where)"' <<<"$pub" | sed 's/ (pid [0-9]*)//')"
check "the redirect is delivered here" "here true 9000" \
	"$(jq -r '.[] | select(.port==9999) | "\(.delivered) \(.redirect) \(.to_port)"' <<<"$pub")"
check "Docker's form, in a chain jumped to: anything but docker0" "true docker0 elsewhere" \
	"$(jq -r '.[] | select(.port==7777) | "\(.iif_not) \(.iif) \(.delivered)"' <<<"$pub")"
check "a rule with a set is not claimed to be read whole" "false" \
	"$(jq -r '.[] | select(.port==null) | .exact' <<<"$pub")"

text=$("$BINDSCOPE" sockets)
check_contains "text: what the rule publishes" \
	"tcp 8888 arriving on wlan0 -> 192.168.0.20:80 (ip nat prerouting, handle" "$text"
check_contains "... that it bypasses the input chain" \
	"from another machine it is forwarded, not delivered here: it goes through the forward chain, so input rules (ufw's among them) never see it" "$text"
check_contains "... Docker's form" "tcp 7777 arriving anywhere but docker0 -> 10.99.0.2:80" "$text"
check_contains "... elsewhere when no namespace here has the address" \
	"on another machine (no namespace here has that address)" "$text"
check_contains "... and the set rule as written, claiming no port of its own" \
	"what the rule below matches -> 192.168.0.20:80 (ip nat docker, handle" "$text"
check_contains "... its text" "the rule: tcp dport { 6001, 6002 } dnat" "$text"

# The kernel: wlan0-peer's connection to the published port reaches eth0-peer's listener.
got=$(nsenter -t "$wlan0_peer" -n socat -T 3 - TCP4:192.168.1.10:8888 </dev/null 2>&1)
check "wlan0-peer reaches 192.168.1.10:8888, and eth0-peer's listener answers" "taken" "$got"
finish
