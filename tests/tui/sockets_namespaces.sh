#!/bin/bash
# The sockets screen's n: every network namespace, each read from inside it. In the lab a
# listener in eth0-peer's namespace shows under NAMESPACE eth0-peer, the title counts the
# namespaces, the search finds by namespace, p says the socket is probed from elsewhere, the
# firewall line says whose firewall is not read; n again is this namespace only.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

peer=$(tr ' ' '\n' <<<"$BINDSCOPE_LAB_PEERS" | sed -n 's/^eth0-peer=//p')
nsenter -t "$peer" -n socat TCP4-LISTEN:9402,fork /dev/null &
on_exit "kill $! 2>/dev/null"
socat TCP4-LISTEN:9401,bind=127.0.0.1,fork /dev/null &
on_exit "kill $! 2>/dev/null"
for i in $(seq 50); do nsenter -t "$peer" -n ss -Hltn | grep -q 9402 && break; sleep 0.1; done

tui_start || exit 1
tui_keys s
wait_for "the sockets screen" 'Listening sockets'
wait_for "this namespace's socket" 'tcp +127\.0\.0\.1:9401'
check_screen_lacks "the peer's socket is not in this namespace's list" '0\.0\.0\.0:9402'
tui_keys n
wait_for "n: every namespace, counted in the title" 'all 3 namespaces'
wait_for "... the peer's socket under its namespace" '^ *eth0-peer +tcp +0\.0\.0\.0:9402 +all IPv4 interfaces +root +socat'
wait_for "... this namespace's as 'this one'" '^ *this one +tcp +127\.0\.0\.1:9401'
tui_keys /
tui_type eth0-peer
tui_keys Enter
wait_for "the search finds by namespace" '1 shown'
tui_keys p
wait_for "p on another namespace's socket says where to probe it" 'p probes from this namespace, and this socket is in eth0-peer'
wait_for "the firewall line says whose firewall is not read" 'this socket is in namespace eth0-peer, whose own firewall is not read'
tui_keys /
tui_keys Escape
tui_keys n
wait_gone "n again: this namespace only" 'eth0-peer +tcp'
tui_stop
finish
