#!/bin/bash
# `bindscope sockets --all-namespaces`: every network namespace of the machine, each read from
# inside it. In the lab: the workstation, both peers (named as lab peers), and a namespace of
# a process's own (unshare -n, as a container's is: named by its inode and first process),
# each with the listener started in it, owner and all; cross-checked against `ss` run in each
# namespace (nsenter -t PID -n), the kernel's own listing.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

peer_pid() { tr ' ' '\n' <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^$1=//p"; }
eth0_peer=$(peer_pid eth0-peer)

socat TCP4-LISTEN:9301,bind=127.0.0.1,fork /dev/null &
pids+=($!)
nsenter -t "$eth0_peer" -n socat TCP4-LISTEN:9302,fork /dev/null &
pids+=($!)
nsenter -t "$eth0_peer" -n socat UDP4-RECVFROM:9303,fork /dev/null &
pids+=($!)
unshare -n sh -c 'ip link set lo up; exec socat TCP6-LISTEN:9304,bind=[::1],fork /dev/null' &
pids+=($!)
own_ns_pid=$!
for i in $(seq 50); do
	[ "$(nsenter -t "$eth0_peer" -n ss -Hltnu | grep -c ':930[23]')" -ge 2 ] &&
		ss -Hltn | grep -q ':9301' && nsenter -t "$own_ns_pid" -n ss -Hltn 2>/dev/null | grep -q 9304 && break
	sleep 0.1
done

out=$("$BINDSCOPE" sockets --all-namespaces --json)
check "exit 0" 0 $?
check "4 namespaces: this one, both peers, the unshared one" 4 "$(jq '.namespaces | length' <<<"$out")"
check "this namespace comes first" this "$(jq -r '.namespaces[0].namespace.kind' <<<"$out")"
check "the peers are named" "eth0-peer wlan0-peer" \
	"$(jq -r '[.namespaces[] | select(.namespace.kind=="lab-peer") | .namespace.name] | sort | join(" ")' <<<"$out")"
check "the unshared one: its inode and first process" "process socat" \
	"$(jq -r '.namespaces[] | select(.namespace.pid=='"$own_ns_pid"') | "\(.namespace.kind) \(.namespace.program)"' <<<"$out")"
check "every namespace was read (as root)" true "$(jq '[.namespaces[].read] | all' <<<"$out")"
check "eth0-peer's sockets are its own" "tcp 0.0.0.0:9302 udp 0.0.0.0:9303" \
	"$(jq -r '.namespaces[] | select(.namespace.name=="eth0-peer") | [.sockets[] | "\(.proto) \(.local)"] | sort | join(" ")' <<<"$out")"
check "... with their owner found (socat)" "socat socat" \
	"$(jq -r '.namespaces[] | select(.namespace.name=="eth0-peer") | [.sockets[].owner.program] | join(" ")' <<<"$out")"
check "the unshared namespace's [::1] socket, loopback only there" "tcp [::1]:9304 loopback" \
	"$(jq -r '.namespaces[] | select(.namespace.pid=='"$own_ns_pid"') | .sockets[] | "\(.proto) \(.local) \(.exposure)"' <<<"$out")"

# The kernel's own listing of each namespace, through ss in it.
for k in $(seq 0 3); do
	pid=$(jq -r ".namespaces[$k].namespace.pid" <<<"$out")
	name=$(jq -r ".namespaces[$k].namespace | .name // \"net:[\(.inode)]\"" <<<"$out")
	ours=$(jq -r ".namespaces[$k].sockets[] | \"\(.proto) \(.local)\"" <<<"$out" |
		sed 's/^\(tcp\|udp\) \*:/\1 [::]:/' | sort | tr '\n' ' ')
	kernel=$(nsenter -t "$pid" -n ss -Hltnu | awk '{print $1, $5}' | sed 's/^\(tcp\|udp\) \*:/\1 [::]:/' | sort | tr '\n' ' ')
	check "$name: the sockets ss lists there, no more, no fewer" "$kernel" "$ours"
done

text=$("$BINDSCOPE" sockets --all-namespaces)
check_contains "text: a section per namespace, named" "Namespace eth0-peer (a lab peer, net:[" "$text"
check_contains "... the unshared one by its first process" "first process socat (pid $own_ns_pid)" "$text"

# As a user who may not look into others' processes: their namespaces cannot be found, and the
# listing says how many processes it could not look into, never a silently short list.
if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$BINDSCOPE" sockets --all-namespaces --json 2>&1)
	check "as nobody: its own namespace is read" "this true" \
		"$(jq -r '.namespaces[0] | "\(.namespace.kind) \(.read)"' <<<"$out")"
	check "... and the processes it could not look into are counted" yes \
		"$(jq '.processes_not_read' <<<"$out" | awk '{print ($1 > 0) ? "yes" : "no"}')"
	text=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$BINDSCOPE" sockets --all-namespaces 2>&1)
	check_contains "... and said in the text" "processes could not be looked into (other users'; as root they can): their namespaces may be missing above" "$text"
fi
finish
