#!/bin/bash
# The TUI's v: another machine probes this one over ssh, as a column per address, exactly
# like a lab peer. sshd runs inside the lab's peers (tests/lib/lab_sshd.sh), so pc-eth0 is
# eth0-peer reached over ssh: its cells must read what eth0-peer's read. Then what a person
# meets: a host typed wrong (refused as typed), a host that cannot log in (its cells say
# "? ssh failed" and the log says why, and the screen is not disturbed), a host added twice,
# V to stop one (its ssh ends), an agent that dies (cells "? dropped"; v again reconnects),
# and no ssh left after q. Its probes are bindscope's own: never counted as visitors.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/lab_sshd.sh"
lab_sshd_skip_unless_able
lab_sshd_enter "$0" 120
TUI_COLS=200
TUI_LINES=40
source "$TESTS_DIR/tui/helpers/tmux.bash"
ssh_dir="$TUI_TMP/ssh"
mkdir -p "$ssh_dir"
on_exit lab_sshd_stop
lab_sshd_start "$ssh_dir" || exit 1

# agents_of HOST: the ssh sessions bindscope runs to HOST.
agents_of() { pgrep -f -- "-o BatchMode=yes $1 bindscope agent" || true; }
# add_host HOST: v, the host, Enter.
add_host() {
	tui_keys v
	tui_type "$1"
	tui_keys Enter
}
# column_of NAME: the matrix column index (0-based) of NAME's first column.
column_of() {
	grep -m1 -E '^ socket ' <<<"$SCREEN" | awk -v n="$1" '{ for (i = 2; i <= NF; i++) if ($i == n) { print i - 2; exit } }'
}

tui_start "BINDSCOPE_SSH=ssh -F $ssh_dir/ssh_config" || exit 1
tui_keys Down Down Down Enter Enter
wait_for "0.0.0.0:8081 is probed" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
wait_gone "probing is over" 'probing'

# Typed wrong: said as typed, nothing started.
tui_keys v
wait_for "v asks for a host" 'Probe from another machine, over ssh \(\[USER@\]HOST\): _'
wait_for "... and says what bindscope will run" 'bindscope runs `ssh -F .* -T -o BatchMode=yes HOST bindscope agent`'
tui_type "pc eth0"
wait_for "a blank is refused as it is typed" 'the host has a blank or a control character'
tui_keys Enter
check "... and Enter starts nothing" "" "$(pgrep -f 'BatchMode=yes' || true)"
tui_keys Escape

add_host pc-eth0
wait_for "the host answers, and the log says from where" \
	'pc-eth0 answers over ssh: it probes from 192\.168\.0\.20, and reaches this machine at 192\.168\.0\.110'
wait_for "its round is logged" 'probed from pc-eth0: 1 of 2 probes open'
wait_for "the matrix title counts it" 'from each lab peer and 1 machine over ssh'
wait_gone "probing is over" 'probing'
check_cells "tcp 0.0.0.0:8081" "pc-eth0@192.168.0.110=✓ open" "pc-eth0@192.168.1.10=⊘ unreach"
for addr in 192.168.0.110 192.168.1.10; do
	check "pc-eth0 over ssh reads $addr as the lab's eth0-peer does" \
		"$(matrix_cell "eth0-peer@$addr" "tcp 0.0.0.0:8081")" "$(matrix_cell "pc-eth0@$addr" "tcp 0.0.0.0:8081")"
done
wait_for "its probes are bindscope's own, not visitors" '>tcp 0\.0\.0\.0:8081 +conn 0/0 0 B, [0-9]+ probes'

# The explain panel of its cell: what it did, and the command that reproduces it.
tui_keys Tab Tab
col=$(column_of pc-eth0)
for ((i = 0; i < col; i++)); do tui_keys Right; done
wait_for "its cell's explanation: observed from pc-eth0, and the ssh check command" \
	'observed open .* from pc-eth0 +ssh -F .*ssh_config pc-eth0 nc -4 -vz 192\.168\.0\.110 8081'
wait_for "... and why, as a peer's" 'pc-eth0 reaches 192\.168\.0\.110:8081 directly on eth0.s segment'

add_host pc-eth0
wait_for "the same host twice is refused in the prompt" 'already probing from pc-eth0'
tui_keys Escape

# A host that cannot log in: cells say so, and the log says why and what to try.
add_host pc-wrongkey
wait_for "a refused key: the log says why" \
	'from pc-wrongkey: not probed: ssh could not log in to pc-wrongkey: root@192\.168\.0\.20: Permission denied \(publickey\)'
wait_for "... its cells read '? ssh failed'" '\? ssh failed +\? ssh failed'
check_screen_lacks "... and no prompt or ssh message reached the screen" 'assword:|Are you sure|Permanently added'

# V on its column stops it.
tui_wait 'pc-wrongkey'
col=$(column_of pc-wrongkey)
tui_keys Home
for ((i = 0; i < 40; i++)); do tui_keys Left; done
for ((i = 0; i < col; i++)); do tui_keys Right; done
tui_keys V
wait_for "V stops the chosen column's host" 'stopped probing from pc-wrongkey'
wait_gone "... and its columns go" 'pc-wrongkey +pc-wrongkey'

# The agent dies: the next round says so; v again reconnects.
pkill -KILL -f '^bindscope agent$'
sleep 0.5
tui_keys r
wait_for "a dropped agent: the log says so" 'from pc-eth0: not probed: the connection to pc-eth0 ended'
wait_for "... its cells read '? dropped'" '\? dropped +\? dropped'
check "... and its ssh is gone" "" "$(agents_of pc-eth0)"
add_host pc-eth0
wait_for "v again reconnects: its cells are measured again" '^ #1 tcp 0\.0\.0\.0:8081 .*✓ open +⊘ unreach *$' 100
check_screen_lacks "... and none reads dropped" '\? dropped'

# V on a live host ends its ssh.
check "pc-eth0's ssh runs" "1" "$(agents_of pc-eth0 | wc -l)"
tui_wait 'pc-eth0'
col=$(column_of pc-eth0)
for ((i = 0; i < 40; i++)); do tui_keys Left; done
for ((i = 0; i < col; i++)); do tui_keys Right; done
tui_keys V
wait_for "V stops pc-eth0" 'stopped probing from pc-eth0'
check "... and its ssh has ended" "" "$(agents_of pc-eth0)"

# Quitting with a host connected leaves no ssh behind.
add_host pc-wlan0
wait_for "pc-wlan0 answers" 'probed from pc-wlan0: 1 of 2 probes open'
check_cells "tcp 0.0.0.0:8081" "pc-wlan0@192.168.0.110=⊘ unreach" "pc-wlan0@192.168.1.10=✓ open"
# r held down: each round abandons the last, and the agent answers one request at a time;
# the requests queue here (the abandoned ones unsent), so the host is never "too slow".
tui_keys $(printf 'r %.0s' $(seq 30)) # one write: the keys arrive together
wait_gone "30 rounds in a row: probing ends" 'probing' 100
# The last round's accepts wait behind the abandoned rounds' in the listen queue: until our
# listener has taken them a cell may read '!' (open, not yet attributed). Bounded.
wait_gone "... and every cell is attributed to the socket that took it" '✓ open !' 100
check_screen_lacks "... and pc-wlan0 still answers (no failure, no refused request)" \
	'\? too slow|requests waiting|probing failed|not probed'
check_cells "tcp 0.0.0.0:8081" "pc-wlan0@192.168.1.10=✓ open"
tui_stop
sleep 0.3
check "no ssh is left after q" "" "$(pgrep -f 'BatchMode=yes' || true)"

# `bindscope tui --from-host HOST --ssh CMD` adds the host at start, as v does.
real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-from-host"
printf '#!/bin/sh\nexec %q tui --from-host pc-wlan0 --ssh %q\n' "$real" "ssh -F $ssh_dir/ssh_config" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
tui_start || exit 1
wait_for "tui --from-host: the host answers at start" 'pc-wlan0 answers over ssh: it probes from 192\.168\.1\.20'
wait_for "... and is a column, before any listener" '^ socket .* pc-wlan0 +pc-wlan0 *$'
tui_stop
finish
