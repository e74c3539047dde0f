#!/bin/bash
# `probe --from-host` through real OpenSSH: an sshd is started inside each lab peer's network
# namespace (its own host key, an authorized key made here, listening on the peer's address
# only), and the cells probed from it over ssh must be the cells of the lab's built-in peer
# vantage for the same host: the same prediction, observation, reason and socket. The check
# command a cell offers must reproduce it. Then the failures: no bindscope on the other side,
# a key it refuses, nothing listening, a host gone mid-probe, a slow host, another protocol
# version; each must be its own cell word and sentence, and nothing may hang.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"

source "$TESTS_DIR/lib/lab_sshd.sh"
lab_sshd_skip_unless_able
lab_sshd_enter "$0" 110

tmp=$(mktemp -d)
cleanup() {
	lab_sshd_stop
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
lab_sshd_start "$tmp" || exit 1
export BINDSCOPE_SSH="ssh -F $tmp/ssh_config"

# --- the same cells as the lab's peers ---
opens=(--open 0.0.0.0:8081 --open 192.168.1.10:8082 --open 127.0.0.1:8083 --open 192.168.0.110:8084)
out=$(timeout 30 "$BINDSCOPE" probe "${opens[@]}" --from-host pc-eth0 --from-host pc-wlan0 --json)
check "probe --from-host exits 0" 0 $?
check "the vantages: this host, the lab's peers, then the ssh hosts" \
	"this-host:this host lab-peer:eth0-peer lab-peer:wlan0-peer ssh-host:pc-eth0 ssh-host:pc-wlan0" \
	"$(jq -r '[.vantages[] | "\(.kind):\(.name)"] | join(" ")' <<<"$out")"
check "each ssh host's address and arrival interface come from its SSH_CONNECTION" \
	"192.168.0.20 eth0 192.168.1.20 wlan0" \
	"$(jq -r '[.vantages[] | select(.kind == "ssh-host") | .address, .via] | join(" ")' <<<"$out")"
# cells VANTAGE_NAME: "port address predicted observed reason answered_by" per probe.
cells() {
	jq -r --arg v "$1" '(.vantages[] | select(.name == $v) | .id) as $id
	  | .probes[] | select(.vantage == $id)
	  | "\(.port) \(.address) \(.predicted) \(.observed) \(.reason) \(.answered_by)"' <<<"$out" | sort
}
for pair in eth0-peer:pc-eth0 wlan0-peer:pc-wlan0; do
	lab=${pair%%:*} ssh=${pair#*:}
	n=$(cells "$lab" | wc -l)
	check "$ssh over ssh: the $n cells of the lab's $lab" "$(cells "$lab")" "$(cells "$ssh")"
done
check "the Ethernet host reaches 8081 on eth0, but no route to wlan0's 192.168.1.10" \
	"8081 192.168.0.110 open open syn-ack [1]
8081 192.168.1.10 unreachable unreachable no-route []" \
	"$(cells pc-eth0 | grep '^8081 ')"
check "nothing contradicts its prediction" "" \
	"$(jq -r '.probes[] | select(.disagree) | "\(.port) \(.address) v\(.vantage)"' <<<"$out")"

# The check command reproduces the cell (it runs nc on the other host through the same ssh),
# against listeners that stay open after bindscope is gone: socat's, as a user's would be.
socat TCP4-LISTEN:8081,fork,reuseaddr /dev/null &
socat_a=$!
socat TCP4-LISTEN:8084,bind=192.168.0.110,fork,reuseaddr /dev/null &
socat_b=$!
for _ in $(seq 50); do [ "$(ss -Hltn '( sport = :8081 or sport = :8084 )' | wc -l)" -eq 2 ] && break; sleep 0.1; done
# --timeout 3000: a SYN lost on a loaded machine is sent again after 1 s (the kernel's first
# retransmission); this part checks the words and the check commands, not the timing.
out=$(timeout 30 "$BINDSCOPE" probe 8081 8082 8084 --from-host pc-eth0 --timeout 3000 --json)
for want in "8081 192.168.0.110 open succeeded" "8084 192.168.0.110 open succeeded" "8082 192.168.0.110 refused refused"; do
	set -- $want
	cell=$(jq -r --argjson p "$1" --arg a "$2" '(.vantages[] | select(.name == "pc-eth0") | .id) as $id
	  | .probes[] | select(.vantage == $id and .port == $p and .address == $a)' <<<"$out")
	check "socat's $1 at $2 from pc-eth0 reads $3" "$3" "$(jq -r .observed <<<"$cell")"
	cmd=$(jq -r .check <<<"$cell")
	check_contains "its check command is ssh to the host" "-F $tmp/ssh_config pc-eth0 nc -4 -vz $2 $1" "$cmd"
	# shellcheck disable=SC2086 # the command is words, as a user would paste them
	said=$(timeout 10 $cmd -w 2 2>&1)
	check_contains "run, it says $4 on the other host, as the cell does" "$4" "$said"
done
kill "$socat_a" "$socat_b"
wait "$socat_a" "$socat_b" 2>/dev/null

text=$(timeout 30 "$BINDSCOPE" probe --open 0.0.0.0:8081 --from-host pc-eth0 --explain)
check_contains "the text matrix has a column from the ssh host" "from pc-eth0" "$text"
check_contains "its words are a peer's" "pc-eth0 reaches 192.168.0.110:8081 directly on eth0's segment" "$text"

# --- many hosts at once: six sessions, one column each, all answered ---
many=()
for i in 1 2 3 4 5 6; do many+=(--from-host "pc$i"); done
out=$(timeout 30 "$BINDSCOPE" probe --open 0.0.0.0:8081 "${many[@]}" --json)
check "six hosts at once: exit 0" 0 $?
check "six hosts at once: every one probed 8081 at 192.168.0.110 and found it open" \
	"open open open open open open" \
	"$(jq -r '[.vantages[] | select(.kind == "ssh-host") | .id] as $ids
	  | [.probes[] | select((.vantage as $v | $ids | index($v)) and .address == "192.168.0.110") | .observed] | join(" ")' <<<"$out")"

# --- failures: each its own word and sentence, and the exit code says it ---
# fails HOST FAULT WORD SENTENCE [PROBE OPTIONS...]
fails() {
	local host=$1 fault=$2 word=$3 sentence=$4 json text rc
	shift 4
	eval "${BEFORE_RUN:-}"
	json=$(timeout 40 "$BINDSCOPE" probe --open 0.0.0.0:8081 --from-host "$host" "$@" --json)
	rc=$?
	check "$host: exit 1 (a host could not probe)" 1 $rc
	check "$host: fault $fault" "$fault" \
		"$(jq -r --arg h "$host" '.vantages[] | select(.name == $h) | .fault' <<<"$json")"
	check_contains "$host: the sentence" "$sentence" \
		"$(jq -r --arg h "$host" '.vantages[] | select(.name == $h) | .failure' <<<"$json")"
	check "$host: its cells observed nothing, and contradict nothing" "null false" \
		"$(jq -r --arg h "$host" '(.vantages[] | select(.name == $h) | .id) as $id
		  | [.probes[] | select(.vantage == $id) | "\(.observed) \(.disagree)"] | unique | join(",")' <<<"$json")"
	check "$host: this host's own cells are still probed" "open" \
		"$(jq -r '[.probes[] | select(.vantage == 0 and .address == "127.0.0.1") | .observed] | unique | join(",")' <<<"$json")"
	eval "${BEFORE_RUN:-}"
	text=$(timeout 40 "$BINDSCOPE" probe --open 0.0.0.0:8081 --from-host "$host" "$@")
	check_contains "$host: the cell reads '? $word'" "? $word" "$text"
	check_contains "$host: the sentence is printed once" "from $host: not probed: " "$text"
}
fails pc-noagent no-agent "no agent" "pc-noagent has no bindscope to run (its shell said: "
fails pc-wrongkey no-ssh "ssh failed" "ssh could not log in to pc-wrongkey: root@192.168.0.20: Permission denied (publickey)"
text=$(timeout 40 "$BINDSCOPE" probe --open 0.0.0.0:8081 --from-host pc-wrongkey --explain)
check_contains "a host that never answered: nothing is predicted, and the words say why" \
	"pc-wrongkey never answered, so bindscope knows neither its routes nor where its connection to 192.168.0.110:8081 would arrive: nothing is predicted." "$text"
fails pc-nothing no-ssh "ssh failed" "Connection refused"

# Another protocol version, and a slow host: stand-ins for ssh that answer wrongly or never.
cat >"$tmp/ssh-v2" <<'EOF'
#!/bin/sh
read -r line
echo '{"agent":2,"id":1,"ok":false,"error":"this agent speaks protocol 2"}'
EOF
printf '#!/bin/sh\nexec sleep 61\n' >"$tmp/ssh-slow"
chmod +x "$tmp/ssh-v2" "$tmp/ssh-slow"
fails pc-eth0 version version "bindscope on pc-eth0 speaks agent protocol 2 and this one speaks 1" --ssh "$tmp/ssh-v2"
start=$(date +%s)
fails pc-eth0 slow "too slow" "pc-eth0 did not answer within 11 s" --ssh "$tmp/ssh-slow" --timeout 1000
check "the slow host was given up on within its deadline (2 runs of 11 s)" true \
	"$([ $(($(date +%s) - start)) -lt 30 ] && echo true || echo false)"
check "no stand-in is left running" "" "$(pgrep -f '^sleep 61$' || true)"

# Behind a NAT: the host saw this machine at an address none of its interfaces has. A stand-in
# for ssh runs this build's agent here with such an SSH_CONNECTION: its cells are observed, and
# the words say why nothing is predicted (not a route it never gave).
printf '#!/bin/sh\nSSH_CONNECTION="10.99.0.7 5000 10.99.0.1 22" exec %q agent\n' "$BINDSCOPE" >"$tmp/ssh-nat"
chmod +x "$tmp/ssh-nat"
text=$(timeout 30 "$BINDSCOPE" probe --open 0.0.0.0:8081 --from-host pc-nat --ssh "$tmp/ssh-nat" --explain)
check_contains "behind a NAT: the words say where it reached this machine, and that nothing is predicted" \
	"pc-nat reached this machine at 10.99.0.7, which is not an address of any interface here (a NAT or a tunnel between): where its connection to 192.168.0.110:8081 arrives is out of bindscope's sight, so nothing is predicted." "$text"

# A host gone mid-probe: the agent is killed while its UDP probe waits out its 4 s deadline.
# (Killed 1.5 s after the agent is there, not after bindscope starts: ssh's login can take
# longer than that on a loaded machine, and the probe then ran to its end.)
BEFORE_RUN="(for _ in \$(seq 200); do pgrep -f '^bindscope agent\$' >/dev/null && break; sleep 0.05; done; sleep 1.5; pkill -KILL -f '^bindscope agent\$') &" \
	fails pc-eth0 dropped dropped "the connection to pc-eth0 ended mid-probe" --udp --timeout 4000
check "no agent is left running" "" "$(pgrep -f '^bindscope agent$' || true)"

finish
