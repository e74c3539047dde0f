#!/bin/bash
# Issue 15, item 5: `bindscope lab -- CMD` outlived the lab. After SIGTERM, SIGHUP or kill -9 of
# the lab, CMD (and a grandchild that forked away) went on running in the lab's namespace,
# reparented to init. This checks that within 5 s nothing of CMD's tree is left (found by a
# unique marker in /proc/*/cmdline: each process runs a copy of sleep named after it), that no
# process is left in the lab's network namespace, and that the exit status says the signal.
# Item 8: `lab -- /tmp` exited 127; like a shell, a directory is 126 and "not found" 127.
set -uo pipefail
: "${BINDSCOPE:?}" "${TESTS_DIR:?}"
source "$TESTS_DIR/lib/common.sh"

require_lab

tmp=$(mktemp -d)
lab_pid=""
cleanup() {
	local f line pid
	[ -n "$lab_pid" ] && kill -KILL "$lab_pid" 2>/dev/null
	# Whatever a broken lab left behind: this run's marked processes.
	for f in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		pid=${f#/proc/} && pid=${pid%/cmdline}
		[[ $line == *"bslifetime$$x"* ]] && [ "$pid" != $$ ] && kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# count_marked MARKER: how many processes have MARKER in their command line (read with bash
# builtins, so no process of this script carries it).
count_marked() {
	local n=0 f line
	for f in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		[[ $line == *"$1"* ]] && n=$((n + 1))
	done
	echo "$n"
}

# marked_pid MARKER: the pid of one process with MARKER in its command line.
marked_pid() {
	local f line
	for f in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
		if [[ $line == *"$1"* ]]; then
			f=${f#/proc/}
			echo "${f%/cmdline}"
			return
		fi
	done
}

# in_netns NS: the host pids of processes in network namespace NS ("net:[...]").
in_netns() {
	local f out=""
	for f in /proc/[0-9]*/ns/net; do
		[ "$(readlink "$f" 2>/dev/null)" = "$1" ] && out+="${f%/ns/net} "
	done
	echo "$out"
}

for sig in TERM HUP KILL; do
	marker="bslifetime$$x$sig$RANDOM"
	sleeper="$tmp/sleep-$marker"
	ln -s "$(command -v sleep)" "$sleeper"
	# A background child, a grandchild that forks away from its own shell, and a foreground
	# one; the lab's network namespace is written down from inside.
	"$BINDSCOPE" lab -- sh -c 'readlink /proc/self/ns/net >"$2"; "$1" 300 &
		sh -c "\"$1\" 301 & exit 0"; "$1" 302' lab "$sleeper" "$tmp/net-$sig" &
	lab_pid=$!
	# Up to 5 s for the three sleepers to start.
	for _ in $(seq 50); do
		[ "$(count_marked "sleep-$marker 30")" -ge 3 ] && [ -s "$tmp/net-$sig" ] && break
		sleep 0.1
	done
	check "SIG$sig: CMD's three sleepers run in the lab" 3 "$(count_marked "sleep-$marker 30")"
	net=$(cat "$tmp/net-$sig" 2>/dev/null)
	# Hold the lab's network namespace open, so that once the lab is gone its inode number is
	# not given to another namespace (another test's lab) and mistaken for it.
	netfd=""
	holder=$(marked_pid "sleep-$marker 30")
	[ -n "$holder" ] && exec {netfd}<"/proc/$holder/ns/net"
	kill -"$sig" "$lab_pid"
	start=$SECONDS
	wait "$lab_pid"
	rc=$?
	lab_pid=""
	# Bounded: 5 s for everything to go.
	for _ in $(seq 50); do
		[ "$(count_marked "$marker")" -eq 0 ] && [ -z "$(in_netns "$net")" ] && break
		sleep 0.1
	done
	check "SIG$sig: within 5 s, no process of CMD's tree is left" 0 "$(count_marked "$marker")"
	check "SIG$sig: no process is left in the lab's network namespace" "" "$(in_netns "$net")"
	check "SIG$sig: the lab ended within 5 s" 1 "$((SECONDS - start <= 5))"
	[ -n "$netfd" ] && exec {netfd}<&-
	case $sig in
	TERM) want=143 ;; HUP) want=129 ;; KILL) want=137 ;;
	esac
	check "SIG$sig: exit status $want (128 + the signal)" "$want" "$rc"
done

# The lab's own exit statuses stay the command's.
"$BINDSCOPE" lab -- sh -c 'exit 5'
check "CMD's exit status comes back" 5 $?
"$BINDSCOPE" lab -- sh -c 'kill -TERM $$'
check "CMD killed by SIGTERM: 143, as a shell says" 143 $?

# Not runnable is 126, not found 127, each with a sentence.
msg=$("$BINDSCOPE" lab -- /tmp 2>&1)
check "lab -- /tmp exits 126" 126 $?
check "... and says it is a directory" "bindscope lab: cannot run /tmp: it is a directory" "$msg"
msg=$("$BINDSCOPE" lab -- /nonexistent 2>&1)
check "lab -- /nonexistent exits 127" 127 $?
check "... and says it is not found" \
	"bindscope lab: cannot run /nonexistent: not found (no such file)" "$msg"
finish
