#!/bin/bash
# 300 addresses on one machine: the interfaces panel keeps every one of them and the two
# wildcard rows after them (no fixed-size table), and a listener on the last address is
# probed on all of them. Everything inside the lab's namespace; every wait bounded.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

ip link add many0 type veth peer name many1 || { echo "cannot make a veth pair here" >&2; exit 1; }
ip link set many0 up
ip link set many1 up
for p in $(seq 1 30); do
	for k in $(seq 1 10); do
		ip addr add "10.20.$p.$k/24" dev many0 || exit 1
	done
done

tui_start || exit 1
wait_for "the first address row is there" '^ many0 +10\.20\.1\.1/24 +up'
# Rows, in interface index order: lo, eth0, wlan0, many1 (the peer end, no address), 300 on
# many0, then 0.0.0.0 and ::.
tmux_ send-keys -N 320 Down
wait_for "Down to the end reaches the :: row, after 300 addresses" '^>:: +all IPv6 interfaces'
tmux_ send-keys Up
wait_for "the 0.0.0.0 row is just above" '^>0\.0\.0\.0 +all IPv4 interfaces'
tmux_ send-keys -N 320 Up
wait_for "Up to the top: lo again" '^>lo +127\.0\.0\.1/8'
tmux_ send-keys -N 303 Down
wait_for "the 300th address row is there" '^>many0 +10\.20\.30\.10/24 +up'
tui_keys Enter
wait_for "Enter asks the port" 'Listen \(tcp\) on many0, port: 8081_'
tui_keys Enter
wait_for "the listener on the last address is probed on every address" \
	'probed 1 port on 305 addresses from this host: 1 of 305 probes open$' 20
tui_stop
finish
