# OpenSSH servers inside the lab's peers, for the tests of probing from another machine
# (sourced, inside `bindscope lab`, as root). Each sshd has its own host key and an authorized
# key made here, listens on a peer's address only, and is killed by lab_sshd_stop (call it from
# the test's EXIT trap). Nothing is started on the host: only in the lab's peer namespaces.
#
#   lab_sshd_start DIR   keys, sshd on 192.168.0.20:2222 (eth0-peer), 192.168.1.20:2222
#                        (wlan0-peer) and 192.168.0.20:2223 (a PATH without bindscope), and
#                        DIR/ssh_config with the hosts pc-eth0, pc-wlan0, pc1..pc6 (eth0-peer),
#                        pc-noagent, pc-wrongkey (a key sshd refuses), pc-nothing (no sshd)
#   lab_sshd_skip_unless_able   exit 77 with the reason when root or OpenSSH is missing
#   lab_sshd_enter SCRIPT SECONDS   re-run SCRIPT inside `bindscope lab` (bounded), unless there

LAB_SSHD=/usr/sbin/sshd
_lab_sshd_pids=()

lab_sshd_skip_unless_able() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: this test starts sshd in a lab peer, which needs root (sshd's privilege" \
			"separation runs as its own user)" >&2
		exit 77
	fi
	if [ ! -x "$LAB_SSHD" ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
		echo "SKIP: openssh-server and openssh-client are needed (.ci/deps.sh installs them)" >&2
		exit 77
	fi
}

lab_sshd_enter() {
	local why
	[ -n "${IN_LAB:-}" ] && return 0
	why=$("$BINDSCOPE" lab -- true 2>&1) || { echo "SKIP: the lab cannot be built: $why" >&2; exit 77; }
	IN_LAB=1 exec timeout "$2" "$BINDSCOPE" lab -- bash "$1"
}

lab_sshd_stop() {
	local p
	for p in "${_lab_sshd_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_lab_sshd_pids[@]}"; do wait "$p" 2>/dev/null; done
	_lab_sshd_pids=()
}

_lab_peer_pid() { tr ' ' '\n' <<<"$BINDSCOPE_LAB_PEERS" | sed -n "s/^$1=//p"; }

# _lab_sshd DIR NAME PEER ADDRESS PORT PATH: an sshd in PEER's namespace on ADDRESS:PORT whose
# sessions get PATH (so `bindscope agent` is this build's, or is missing).
_lab_sshd() {
	local dir=$1
	cat >"$dir/sshd_$2.conf" <<CONF
ListenAddress $4:$5
HostKey $dir/host_key
PidFile none
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
SetEnv PATH=$6
CONF
	nsenter -t "$(_lab_peer_pid "$3")" -n "$LAB_SSHD" -D -e -f "$dir/sshd_$2.conf" 2>>"$dir/sshd_$2.log" &
	_lab_sshd_pids+=($!)
	for _ in $(seq 50); do
		nsenter -t "$(_lab_peer_pid "$3")" -n ss -Hltn "sport = :$5" | grep -q . && return 0
		sleep 0.1
	done
	echo "sshd $2 did not start:"
	cat "$dir/sshd_$2.log"
	return 1
}

# _lab_ssh_host ALIAS ADDRESS PORT KEY DIR: one Host block of the ssh config.
_lab_ssh_host() {
	printf 'Host %s\n  HostName %s\n  Port %s\n  User root\n  IdentityFile %s\n' "$1" "$2" "$3" "$4"
	printf '  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n' \
		"$5/known_hosts"
	printf '  StrictHostKeyChecking yes\n  ConnectTimeout 5\n\n'
}

lab_sshd_start() {
	local dir=$1 bindir key i
	bindir=$(cd "$(dirname "$BINDSCOPE")" && pwd)
	ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$dir/id"
	ssh-keygen -q -t ed25519 -N '' -f "$dir/other_id"
	cp "$dir/id.pub" "$dir/authorized_keys"
	mkdir -p /run/sshd # sshd's privilege separation directory (an empty directory)
	_lab_sshd "$dir" eth0 eth0-peer 192.168.0.20 2222 "$bindir:/usr/bin:/bin" || return 1
	_lab_sshd "$dir" wlan0 wlan0-peer 192.168.1.20 2222 "$bindir:/usr/bin:/bin" || return 1
	_lab_sshd "$dir" noagent eth0-peer 192.168.0.20 2223 "/usr/bin:/bin" || return 1
	key=$(cut -d' ' -f1,2 "$dir/host_key.pub")
	printf '[192.168.0.20]:2222 %s\n[192.168.1.20]:2222 %s\n[192.168.0.20]:2223 %s\n' \
		"$key" "$key" "$key" >"$dir/known_hosts"
	{
		_lab_ssh_host pc-eth0 192.168.0.20 2222 "$dir/id" "$dir"
		_lab_ssh_host pc-wlan0 192.168.1.20 2222 "$dir/id" "$dir"
		for i in 1 2 3 4 5 6; do _lab_ssh_host "pc$i" 192.168.0.20 2222 "$dir/id" "$dir"; done
		_lab_ssh_host pc-noagent 192.168.0.20 2223 "$dir/id" "$dir"
		_lab_ssh_host pc-wrongkey 192.168.0.20 2222 "$dir/other_id" "$dir"
		_lab_ssh_host pc-nothing 192.168.0.20 2299 "$dir/id" "$dir"
	} >"$dir/ssh_config"
}
