# Process helpers for the load and fault tests (sourced after common.sh). The sourcing script
# defines tmp (a temporary directory) and pids (background processes), and traps cleanup.

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	[ -z "${tmp:-}" ] || rm -rf "$tmp"
}

# is_asan: BINDSCOPE is an AddressSanitizer build. (Not `nm | grep -q`: under pipefail, grep -q
# quitting early can kill nm with SIGPIPE and make the pipeline fail at random.)
is_asan() {
	local syms
	syms=$(nm -D "$BINDSCOPE" 2>/dev/null; nm "$BINDSCOPE" 2>/dev/null)
	[[ "$syms" == *__asan_init* ]]
}

# wait_listening PORT PID: bounded wait (10 s) until something listens on PORT; gives up at
# once if PID has exited.
wait_listening() {
	local state
	for _ in $(seq 100); do
		[ -n "$(ss -Hltn "sport = :$1")" ] && return 0
		state=$(awk '{print $3}' "/proc/$2/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 1
		sleep 0.1
	done
	return 1
}

# proc_gone PID: bounded wait (10 s) until the process has exited (gone or a zombie).
proc_gone() {
	local state
	for _ in $(seq 100); do
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_until TRIES CMD...: bounded poll (TRIES x 0.1 s) until CMD succeeds.
wait_until() {
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# lines_ge FILE PATTERN N: FILE has at least N lines containing PATTERN.
lines_ge() {
	[ "$(grep -c -F -- "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

# cpu_ticks PID: user + system time in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null
}

# rss_kb PID: resident memory in kB (VmRSS).
rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null
}
