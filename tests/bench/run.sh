#!/bin/bash
# bindscope benchmarks: bindscope side by side with the peers it stands in for
# (socat, ncat, nc, nmap) and with a bare C loop as the practical limit, in one run.
#
# Usage: tests/bench/run.sh [N]
#   N            connections per tool in the accept benchmark (default 20000)
# Environment:
#   BINDSCOPE    the binary to measure (default: build-bench/bindscope, built with
#                CMake in Release mode if it does not exist yet)
#   BENCH_N_SOCAT connections for socat, which forks per connection (default N;
#                a small N measures mostly one 1 s SYN retransmission, see README)
#   BENCH_K      connections in flight in the accept benchmark (default 8)
#   BENCH_ROUNDS rounds of the accept and sweep benchmarks, median reported (default 3)
#   BENCH_REPEAT repetitions of the probe-matrix benchmark, median reported (default 5)
#   CC           C compiler for the helpers (default cc)
#
# Prints one table per benchmark: tool, figure, ratio, and peak RSS, with a check
# column saying whether the tool's result was right. Exit status 0 when every
# benchmark ran (whatever the figures), 1 when one could not run, 77 when no
# private network namespace can be made here.
#
# Safety: every socket is opened inside a private network namespace made by
# tests/lib/private-netns.sh (unshare -rn: lo 127.0.0.1, eth0 192.168.0.110/24,
# wlan0 192.168.1.10/24), a fresh one for each measurement; traffic goes only to
# those addresses. Every loop is bounded in count, every command in time (timeout),
# and every background process is killed by a trap. Not part of CTest on purpose:
# timings vary from machine to machine and are never asserted.
set -euo pipefail
export LC_ALL=C # byte-order sort, '.' as the decimal point

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/bench/lib.sh
source "$HERE/lib.sh"
SELF="$HERE/run.sh"
REPO=$(cd "$HERE/../.." && pwd)
NETNS="$REPO/tests/lib/private-netns.sh"

# ---------------------------------------------------------------------------
# Helpers shared by both halves
# ---------------------------------------------------------------------------



# kv KEY LINE: the value of KEY=VALUE in a line of space-separated pairs
kv() {
	local pair
	for pair in $2; do
		if [ "${pair%%=*}" == "$1" ]; then
			echo "${pair#*=}"
			return 0
		fi
	done
	echo ""
}

# ---------------------------------------------------------------------------
# Inner half: runs inside the private namespace, one measurement per call,
# prints KEY=VALUE pairs on stdout.
# ---------------------------------------------------------------------------

BG_PIDS=()
kill_bg() {
	local pid alive _
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for _ in $(seq 30); do # up to 3 s for them to go, then SIGKILL
		alive=0
		for pid in "${BG_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	for pid in "${BG_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
}

# wait_listen PORT: until something listens on TCP PORT (at most 5 s)
wait_listen() {
	local _
	for _ in $(seq 100); do
		if [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "nothing listens on port $1 after 5 s" >&2
	return 1
}

# cpu_ticks PID: CPU time of PID and its reaped children, in clock ticks
cpu_ticks() {
	# fields after the ')' of comm: utime stime cutime cstime are 12..15
	local stat
	stat=$(cat "/proc/$1/stat")
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $stat
	echo "$((${12} + ${13} + ${14} + ${15}))"
}

# listen_drops: SYNs dropped because a listen queue was full, in this namespace
listen_drops() {
	awk '/^TcpExt:/ { if (!h) { for (i = 2; i <= NF; i++) col[$i] = i; h = 1 } else print $col["ListenDrops"] }' \
		/proc/net/netstat
}

# vmhwm PID: peak resident set size of PID in kB
vmhwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# rss_of FILE: the maximum resident set size /usr/bin/time wrote to FILE, in kB
rss_of() {
	awk '/Maximum resident set size/ { print $NF }' "$1" 2>/dev/null | tail -1
}

# inner_accept TOOL PORT N K: start TOOL's listener on 127.0.0.1:PORT, warm up,
# then N connections K at a time; report client figures, server CPU and peak RSS.
inner_accept() {
	local tool=$1 port=$2 n=$3 k=$4 pid
	trap kill_bg EXIT
	trap 'exit 143' TERM INT
	# The client closes first, so each connection leaves a TIME_WAIT socket on an
	# ephemeral port. Linux tries even ports first for connect(); once most of them
	# are taken, the search for a free one costs the client (and the kernel) far more
	# than the server's work. A wide range in this namespace keeps N connections
	# below half of it, so the figure is the listener's, not the port search's.
	echo "1024 65535" >/proc/sys/net/ipv4/ip_local_port_range
	case $tool in
	bindscope) "$BINDSCOPE" listen "127.0.0.1:$port" >/dev/null & ;;
	socat) socat "TCP4-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" /dev/null & ;;
	ncat) ncat -lk 127.0.0.1 "$port" >/dev/null & ;;
	bare) "$WORK/bare_accept" 127.0.0.1 "$port" >/dev/null & ;;
	*) echo "unknown tool $tool" >&2; return 2 ;;
	esac
	pid=$!
	BG_PIDS+=("$pid")
	wait_listen "$port"
	"$WORK/connect_client" 127.0.0.1 "$port" 200 "$k" 20 >/dev/null || true # warm-up
	sleep 0.2
	local tck c0 c1 d0 line client_cpu
	tck=$(getconf CLK_TCK)
	d0=$(listen_drops)
	c0=$(cpu_ticks "$pid")
	line=$(/usr/bin/time -f "client_cpu_s=%U+%S" -o "$WORK/client.$$" \
		"$WORK/connect_client" 127.0.0.1 "$port" "$n" "$k" 60 || true)
	sleep 0.3 # let the server finish its last closes (and socat reap its children)
	c1=$(cpu_ticks "$pid")
	client_cpu=$(sed -n 's/^client_cpu_s=//p' "$WORK/client.$$")
	echo "$line server_cpu_s=$(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN { printf "%.2f", (b - a) / t }')" \
		"client_cpu_s=$(awk "BEGIN { printf \"%.2f\", $client_cpu }")" \
		"rss_kb=$(vmhwm "$pid") listen_drops=$(($(listen_drops) - d0))"
	kill -0 "$pid" 2>/dev/null || echo "alive=no"
}

# run_timed OUTVAR CMD...: run CMD, store its wall time in microseconds in OUTVAR
run_timed() {
	local -n _out=$1
	shift
	local t0 t1
	t0=$(now_us)
	"$@" || true
	t1=$(now_us)
	_out=$((t1 - t0))
}

MATRIX_ADDRS=(127.0.0.1 192.168.0.110 192.168.1.10)
MATRIX_PORTS=(8081 8082 8083 8084)

nc_loop() {
	local a p
	for p in "${MATRIX_PORTS[@]}"; do
		for a in "${MATRIX_ADDRS[@]}"; do
			if nc -4 -vz -w 1 "$a" "$p" 2>/dev/null; then
				echo "$a:$p open"
			else
				echo "$a:$p refused"
			fi
		done
	done
}

# verdicts_of_json: "ADDR:PORT verdict" for the probes from this host to the three
# interface addresses, from bindscope probe --json on stdin (its probes[] list)
verdicts_of_json() {
	jq -r '.targets as $t | .probes[] | select(.vantage == 0 and .probed)
		| select($t[.target].label == "lo" or $t[.target].label == "eth0" or $t[.target].label == "wlan0")
		| "\(.address):\(.port) \(.observed)"'
}

# inner_matrix REPEAT: time the 3 x 4 probe matrix with bindscope and with nc
inner_matrix() {
	local repeat=$1 i us
	trap kill_bg EXIT
	trap 'exit 143' TERM INT
	local open_args=(--open 0.0.0.0:8081 --open 192.168.1.10:8082 --open 127.0.0.1:8083
		--open 192.168.0.110:8084)
	local -a t_open=() t_nc=() t_existing=()

	# bindscope opening its own listeners
	"$BINDSCOPE" probe "${open_args[@]}" >/dev/null # warm-up
	for i in $(seq "$repeat"); do
		run_timed us timeout --foreground 30 "$BINDSCOPE" probe "${open_args[@]}" >/dev/null
		t_open+=("$us")
	done
	/usr/bin/time -v -o "$WORK/rss.open" timeout --foreground 30 "$BINDSCOPE" probe "${open_args[@]}" --json \
		>"$WORK/matrix.open.json" || true
	echo "open_us=$(printf '%s\n' "${t_open[@]}" | median) open_rss_kb=$(rss_of "$WORK/rss.open")" \
		"open_runs=$(IFS=,; echo "${t_open[*]}")"
	echo "open_verdicts=$(verdicts_of_json <"$WORK/matrix.open.json" | sort | tr ' \n' '=,')"

	# socat listeners bound the same way, probed by nc and by bindscope
	socat TCP4-LISTEN:8081,bind=0.0.0.0,fork,reuseaddr /dev/null &
	BG_PIDS+=($!)
	socat TCP4-LISTEN:8082,bind=192.168.1.10,fork,reuseaddr /dev/null &
	BG_PIDS+=($!)
	socat TCP4-LISTEN:8083,bind=127.0.0.1,fork,reuseaddr /dev/null &
	BG_PIDS+=($!)
	socat TCP4-LISTEN:8084,bind=192.168.0.110,fork,reuseaddr /dev/null &
	BG_PIDS+=($!)
	for i in "${MATRIX_PORTS[@]}"; do
		wait_listen "$i"
	done

	nc_loop >/dev/null # warm-up
	for i in $(seq "$repeat"); do
		run_timed us nc_loop >/dev/null
		t_nc+=("$us")
	done
	# RSS of the loop: the largest of the shell and the nc processes it runs
	/usr/bin/time -v -o "$WORK/rss.nc" bash -c "$(declare -p MATRIX_ADDRS MATRIX_PORTS)
		$(declare -f nc_loop); nc_loop" >"$WORK/matrix.nc.txt" || true
	echo "nc_us=$(printf '%s\n' "${t_nc[@]}" | median) nc_rss_kb=$(rss_of "$WORK/rss.nc")" \
		"nc_runs=$(IFS=,; echo "${t_nc[*]}")"
	echo "nc_verdicts=$(sort "$WORK/matrix.nc.txt" | tr ' \n' '=,')"

	"$BINDSCOPE" probe "${MATRIX_PORTS[@]}" >/dev/null # warm-up
	for i in $(seq "$repeat"); do
		run_timed us timeout --foreground 30 "$BINDSCOPE" probe "${MATRIX_PORTS[@]}" >/dev/null
		t_existing+=("$us")
	done
	# --json before the ports: options after an operand are not recognised (see README)
	/usr/bin/time -v -o "$WORK/rss.existing" timeout --foreground 30 "$BINDSCOPE" probe --json \
		"${MATRIX_PORTS[@]}" >"$WORK/matrix.existing.json" || true
	echo "existing_us=$(printf '%s\n' "${t_existing[@]}" | median)" \
		"existing_rss_kb=$(rss_of "$WORK/rss.existing")" \
		"existing_runs=$(IFS=,; echo "${t_existing[*]}")"
	echo "existing_verdicts=$(verdicts_of_json <"$WORK/matrix.existing.json" | sort | tr ' \n' '=,')"

	# The floor any one-shot tool pays here: starting a process, and ss reading the same
	# socket table with its owners (the part of bindscope's work that is not probing).
	local -a t_start=() t_ss=()
	for i in $(seq "$repeat"); do
		run_timed us "$BINDSCOPE" --version >/dev/null
		t_start+=("$us")
		run_timed us ss -Hltnp >/dev/null
		t_ss+=("$us")
	done
	echo "start_us=$(printf '%s\n' "${t_start[@]}" | median) ss_us=$(printf '%s\n' "${t_ss[@]}" | median)"
}

SWEEP_KNOWN="1,8081,45000,65535"

# inner_sweep TOOL: listeners on the known ports of 127.0.0.1, then one sweep of
# 1-65535 by TOOL; report wall time, peak RSS and the open ports it found.
inner_sweep() {
	local tool=$1 p us found="" extra=""
	trap kill_bg EXIT
	trap 'exit 143' TERM INT
	for p in ${SWEEP_KNOWN//,/ }; do
		"$WORK/bare_accept" 127.0.0.1 "$p" >/dev/null &
		BG_PIDS+=($!)
	done
	for p in ${SWEEP_KNOWN//,/ }; do
		wait_listen "$p"
	done
	local out="$WORK/sweep.$tool.$BASHPID" rss="$WORK/sweep.$tool.$BASHPID.rss"
	case $tool in
	bindscope)
		run_timed us /usr/bin/time -v -o "$rss" timeout --foreground 120 \
			"$BINDSCOPE" probe --ports 1-65535 --on 127.0.0.1 --json >"$out"
		found=$(jq -r '[.addresses[] | select(.address == "127.0.0.1") | .open[]] | join(",")' "$out")
		extra="self_connects_discarded=$(jq -r '.self_connects_discarded' "$out")"
		;;
	nmap)
		run_timed us /usr/bin/time -v -o "$rss" timeout --foreground 120 \
			nmap -sT -p- -T5 -n -oG "$out" 127.0.0.1 >/dev/null
		found=$(grep -o '[0-9]*/open/' "$out" | cut -d/ -f1 | sort -n | paste -sd, -)
		;;
	nc)
		run_timed us /usr/bin/time -v -o "$rss" timeout --foreground 120 \
			nc -vz -w 1 127.0.0.1 1-65535 2>"$out"
		found=$(sed -n 's/^Connection to 127\.0\.0\.1 \([0-9]*\) port.*succeeded!$/\1/p' "$out" |
			sort -n | paste -sd, -)
		extra="probed=$(grep -c -e 'refused$' -e 'succeeded!$' "$out" || true)"
		;;
	bare)
		run_timed us /usr/bin/time -v -o "$rss" timeout --foreground 120 \
			"$WORK/bare_sweep" 127.0.0.1 1 65535 512 1000 110 >"$out"
		found=$(kv open "$(cat "$out")")
		extra="self_connects_discarded=$(kv self_connects "$(cat "$out")")"
		;;
	*) echo "unknown tool $tool" >&2; return 2 ;;
	esac
	echo "us=$us rss_kb=$(rss_of "$rss") found=${found:-none} $extra"
}

inner() {
	local what=$1
	shift
	case $what in
	accept) inner_accept "$@" ;;
	matrix) inner_matrix "$@" ;;
	sweep) inner_sweep "$@" ;;
	*) echo "unknown measurement $what" >&2; return 2 ;;
	esac
}

if [ "${1:-}" == "--inner" ]; then
	shift
	inner "$@"
	exit
fi

# ---------------------------------------------------------------------------
# Outer half: build, run each measurement in a fresh namespace, print tables.
# ---------------------------------------------------------------------------

N=${1:-20000}
if ! [[ "$N" =~ ^[0-9]+$ ]] || [ "$N" -lt 100 ] || [ "$N" -gt 30000 ]; then
	# more would fill the even half of the ephemeral ports with TIME_WAIT sockets
	echo "usage: $0 [N]   (N = connections per tool, 100..30000, default 20000)" >&2
	exit 2
fi
N_SOCAT=${BENCH_N_SOCAT:-$N}
K=${BENCH_K:-8}
ROUNDS=${BENCH_ROUNDS:-3}
REPEAT=${BENCH_REPEAT:-5}
for v in N_SOCAT K ROUNDS REPEAT; do
	max=1000
	[ "$v" == N_SOCAT ] && max=30000
	if ! [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || [ "${!v}" -gt "$max" ]; then
		echo "$0: $v must be a number from 1 to $max" >&2
		exit 2
	fi
done

missing=()
for tool in "${CC:-cc}" socat ncat nc nmap jq ss unshare timeout; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (Debian package: time)")
if [ ${#missing[@]} -gt 0 ]; then
	echo "$0: missing: ${missing[*]}" >&2
	echo "  Debian: sudo apt-get install gcc socat ncat netcat-openbsd nmap jq iproute2 util-linux time" >&2
	exit 1
fi
if ! nc -h 2>&1 | grep -q OpenBSD; then
	echo "$0: nc is not OpenBSD netcat (Debian package netcat-openbsd); the nc rows assume it" >&2
	exit 1
fi

bench_bindscope "$REPO" build-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bindscope-bench.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export WORK BINDSCOPE

for helper in connect_client bare_accept bare_sweep; do
	"${CC:-cc}" -O2 -Wall -Wextra -o "$WORK/$helper" "$HERE/$helper.c"
done

# Probe once whether a namespace can be made (private-netns.sh exits 77 if not).
rc=0
"$NETNS" true || rc=$?
if [ "$rc" -ne 0 ]; then
	[ "$rc" -eq 77 ] && echo "SKIP: no private network namespace here; nothing was measured" >&2
	exit "$rc"
fi

# measure ARGS...: one measurement in a fresh namespace; its KEY=VALUE output
measure() {
	timeout --foreground -k 10 300 "$NETNS" bash "$SELF" --inner "$@"
}

failed_runs=0
run_or_note() {
	local out
	if out=$(measure "$@"); then
		echo "$out"
	else
		failed_runs=$((failed_runs + 1))
		echo "measurement '$*' failed" >&2
		echo "$out"
	fi
}

fmt_mb() { # kB -> "x.y MB"
	if [ -z "$1" ]; then echo "?"; else awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; fi
}
fmt_ms() { # us -> "x.y ms"
	if [ -z "$1" ]; then echo "?"; else awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; fi
}
ratio() { # a / b -> "x.xxx"
	if [ -z "$1" ] || [ -z "$2" ] || [ "$2" == 0 ]; then echo "?"; else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
	fi
}
row() { printf '%-34s %-16s %-8s %-14s %-9s %s\n' "$@"; }

echo "bindscope benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, Linux $(uname -r)"
echo "bindscope: $BINDSCOPE ($("$BINDSCOPE" --version 2>/dev/null | head -1))"
echo "peers: $(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/socat \1/p'), $(ncat --version 2>&1 | sed -n 's/^Ncat: Version \([^ ]*\).*/ncat \1/p'), $(nmap --version | sed -n 's/^Nmap version \([^ ]*\).*/nmap \1/p'), $(nc -h 2>&1 | head -1 | sed 's/ (Debian.*//')"
echo "every measurement runs in a fresh private network namespace (tests/lib/private-netns.sh)"
echo

# --- 1. accept throughput -----------------------------------------------------
declare -A acc_cps acc_cpu acc_rss acc_ok acc_n acc_ccpu acc_runs acc_drops
tools=(bare bindscope ncat socat)
for t in "${tools[@]}"; do acc_runs[$t]=""; done
for round in $(seq "$ROUNDS"); do
	# rotate the order so no tool always goes first
	for i in "${!tools[@]}"; do
		t=${tools[$(((i + round - 1) % ${#tools[@]}))]}
		n=$N
		[ "$t" == socat ] && n=$N_SOCAT
		echo "accept: round $round/$ROUNDS, $t, $n connections ..." >&2
		line=$(run_or_note accept "$t" 9000 "$n" "$K")
		cps=$(kv conn_per_s "$line")
		served=$(kv ok "$line")
		served=${served:-0}
		cpu=$(kv server_cpu_s "$line")
		acc_runs[$t]+="$cps "
		acc_cpu[$t]+="$(awk -v c="${cpu:-0}" -v n="$served" 'BEGIN { if (n) printf "%.1f", c * 1e6 / n; else print "" }') "
		acc_ccpu[$t]+="$(awk -v c="$(kv client_cpu_s "$line")" -v e="$(kv elapsed_s "$line")" \
			'BEGIN { if (e > 0) printf "%.0f", 100 * c / e }') "
		acc_rss[$t]=$(printf '%s\n' "${acc_rss[$t]:-0}" "$(kv rss_kb "$line")" | sort -g | tail -1)
		acc_ok[$t]=$((${acc_ok[$t]:-0} + served))
		drops=$(kv listen_drops "$line")
		acc_drops[$t]=$((${acc_drops[$t]:-0} + ${drops:-0}))
		acc_n[$t]=$((${acc_n[$t]:-0} + n))
	done
done
# shellcheck disable=SC2086 # the run lists are split on purpose
for t in "${tools[@]}"; do
	acc_cps[$t]=$(printf '%s\n' ${acc_runs[$t]} | median)
	acc_cpu[$t]=$(printf '%s\n' ${acc_cpu[$t]} | median)
	acc_ccpu[$t]=$(printf '%s\n' ${acc_ccpu[$t]} | median)
done

echo "1. Accept throughput — $N connections to 127.0.0.1$([ "$N_SOCAT" != "$N" ] && echo " (socat: $N_SOCAT)"), $K in flight, median of $ROUNDS rounds"
echo "   figure = connections/s (each: connect, send 6 bytes, FIN, server drains and closes);"
echo "   ratio = conn/s ÷ bare loop's (higher is better; bindscope's goal ≥ 0.80x);"
echo "   server CPU = CPU time of the listener (user+sys, with reaped children) per connection"
row "tool" "figure" "ratio" "server CPU" "peak RSS" "check"
declare -A acc_label=(
	[bare]="bare epoll loop (bare_accept.c)"
	[bindscope]="bindscope listen >/dev/null"
	[ncat]="ncat -lk >/dev/null"
	[socat]="socat TCP4-LISTEN,fork /dev/null"
)
for t in "${tools[@]}"; do
	row "${acc_label[$t]}" "$(printf '%.0f conn/s' "${acc_cps[$t]:-0}")" \
		"$(ratio "${acc_cps[$t]}" "${acc_cps[bare]}")" \
		"${acc_cpu[$t]:-?} us/conn" "$(fmt_mb "${acc_rss[$t]}")" \
		"${acc_ok[$t]}/${acc_n[$t]} served, ${acc_drops[$t]} SYNs dropped"
done
echo "   runs (conn/s): $(for t in "${tools[@]}"; do printf '%s: %s; ' "$t" "${acc_runs[$t]% }"; done)"
goal=$(awk -v a="${acc_cps[bindscope]:-0}" -v b="${acc_cps[bare]:-0}" 'BEGIN { print (b > 0 && a / b >= 0.8) ? "met" : "NOT met" }')
echo "   goal bindscope ≥ 0.80x bare: $goal"
echo "   the client used a median ${acc_ccpu[bare]:-?}% of one CPU against the bare loop$(
	[ "${acc_ccpu[bare]:-0}" -ge 85 ] 2>/dev/null &&
		echo ": the client and the kernel's loopback path are the bottleneck here, so conn/s ratios near 1.00x say only that the listener keeps up; server CPU per connection separates the listeners")"
echo "   peak RSS: VmHWM of the listener process (socat and ncat: the parent; socat forks a child per connection)"
echo "   SYNs dropped: listen queue overflows (each costs that client a 1 s SYN retransmission; socat's backlog is 5)"
echo

# --- 2. probe matrix ------------------------------------------------------------
echo "probe matrix: $REPEAT repetitions ..." >&2
mline=$(run_or_note matrix "$REPEAT")
expected="127.0.0.1:8081=open,127.0.0.1:8082=refused,127.0.0.1:8083=open,127.0.0.1:8084=refused,192.168.0.110:8081=open,192.168.0.110:8082=refused,192.168.0.110:8083=refused,192.168.0.110:8084=open,192.168.1.10:8081=open,192.168.1.10:8082=open,192.168.1.10:8083=refused,192.168.1.10:8084=refused,"
verdict_check() {
	local got
	got=$(kv "$1" "$mline")
	if [ "$got" == "$expected" ]; then echo "12/12 as expected"; else echo "DIFFERS: $got"; fi
}
m_open=$(kv open_us "$mline")
m_nc=$(kv nc_us "$mline")
m_existing=$(kv existing_us "$mline")
echo "2. Probe matrix — 4 listeners (0.0.0.0:8081 192.168.1.10:8082 127.0.0.1:8083 192.168.0.110:8084)"
echo "   x 3 addresses (127.0.0.1 192.168.0.110 192.168.1.10); median wall time of $REPEAT runs;"
echo "   ratio = time ÷ the nc loop's (lower is better). bindscope also probes 0.0.0.0 (16"
echo "   connections, not 12: 'localhost' is 127.0.0.1 here, probed once); the --open row includes"
echo "   opening and closing its 4 listeners"
row "tool" "figure" "ratio" "" "peak RSS" "check"
row "bindscope probe --open x4" "$(fmt_ms "$m_open")" "$(ratio "$m_open" "$m_nc")" "" \
	"$(fmt_mb "$(kv open_rss_kb "$mline")")" "$(verdict_check open_verdicts)"
row "bindscope probe 8081..8084 (socat)" "$(fmt_ms "$m_existing")" "$(ratio "$m_existing" "$m_nc")" "" \
	"$(fmt_mb "$(kv existing_rss_kb "$mline")")" "$(verdict_check existing_verdicts)"
row "12x nc -4 -vz -w 1 (socat)" "$(fmt_ms "$m_nc")" "1.00x" "" \
	"$(fmt_mb "$(kv nc_rss_kb "$mline")")" "$(verdict_check nc_verdicts)"
row "floor: bindscope --version" "$(fmt_ms "$(kv start_us "$mline")")" \
	"$(ratio "$(kv start_us "$mline")" "$m_nc")" "" "" "starting one process, nothing else"
row "floor: ss -Hltnp" "$(fmt_ms "$(kv ss_us "$mline")")" "$(ratio "$(kv ss_us "$mline")" "$m_nc")" \
	"" "" "the socket table with owners, no probes"
echo "   runs (us): --open $(kv open_runs "$mline"); existing $(kv existing_runs "$mline"); nc $(kv nc_runs "$mline")"
echo "   peak RSS of the nc loop: the largest of its shell and the nc processes"
echo

# --- 3. port sweep ---------------------------------------------------------------
declare -A sw_us sw_rss sw_found sw_extra sw_runs
stools=(bare bindscope nmap nc)
for round in $(seq "$ROUNDS"); do
	for i in "${!stools[@]}"; do
		t=${stools[$(((i + round - 1) % ${#stools[@]}))]}
		echo "sweep: round $round/$ROUNDS, $t ..." >&2
		line=$(run_or_note sweep "$t")
		sw_runs[$t]+="$(kv us "$line") "
		sw_rss[$t]=$(printf '%s\n' "${sw_rss[$t]:-0}" "$(kv rss_kb "$line")" | sort -g | tail -1)
		sw_found[$t]+="$(kv found "$line") "
		ex=$(kv self_connects_discarded "$line")
		[ -n "$ex" ] && sw_extra[$t]+="$ex "
		ex=$(kv probed "$line")
		[ -n "$ex" ] && [ "$ex" != 65535 ] && sw_extra[$t]+="probed-only-$ex "
	done
done
# shellcheck disable=SC2086 # the run lists are split on purpose
for t in "${stools[@]}"; do
	sw_us[$t]=$(printf '%s\n' ${sw_runs[$t]} | median)
done
# sweep_check TOOL: exact runs, phantom and missing ports over all rounds
sweep_check() {
	local found exact=0 phantom=0 missed=0 p set
	local -A known=() seen=()
	for p in ${SWEEP_KNOWN//,/ }; do known[$p]=1; done
	for found in ${sw_found[$1]}; do
		[ "$found" == "$SWEEP_KNOWN" ] && exact=$((exact + 1))
		seen=()
		for p in ${found//,/ }; do
			[ "$p" == none ] && continue
			seen[$p]=1
			[ -z "${known[$p]:-}" ] && phantom=$((phantom + 1))
		done
		for p in "${!known[@]}"; do
			[ -z "${seen[$p]:-}" ] && missed=$((missed + 1))
		done
	done
	set=""
	for found in ${sw_found[$1]}; do
		[ "$found" != "$SWEEP_KNOWN" ] && set+=" [$found]"
	done
	echo "$exact/$ROUNDS exact, $phantom phantom, $missed missed${set}"
}
echo "3. Port sweep — TCP 1-65535 on 127.0.0.1, listeners on $SWEEP_KNOWN; median wall time of $ROUNDS rounds;"
echo "   ratio = time ÷ the bare connect loop's (lower is better); check = runs that found exactly"
echo "   the listeners, ports reported open that are not listeners (self-connects), listeners missed"
row "tool" "figure" "ratio" "" "peak RSS" "check"
declare -A sw_label=(
	[bare]="bare connect loop (bare_sweep.c)"
	[bindscope]="bindscope probe --ports 1-65535"
	[nmap]="nmap -sT -p- -T5 -n"
	[nc]="nc -vz -w 1 127.0.0.1 1-65535"
)
for t in "${stools[@]}"; do
	row "${sw_label[$t]}" "$(fmt_ms "${sw_us[$t]}")" "$(ratio "${sw_us[$t]}" "${sw_us[bare]}")" "" \
		"$(fmt_mb "${sw_rss[$t]}")" "$(sweep_check "$t")"
done
echo "   runs (us): $(for t in "${stools[@]}"; do printf '%s: %s; ' "$t" "${sw_runs[$t]% }"; done)"
echo "   self-connects discarded by the tool itself: bindscope ${sw_extra[bindscope]:-?}; bare ${sw_extra[bare]:-?}${sw_extra[nc]:+; nc did not finish: ${sw_extra[nc]}}"
echo "   bare and bindscope: 512 connects in flight, 1 s deadline each; nc: one blocking connect at a time"

if [ "$failed_runs" -gt 0 ]; then
	echo
	echo "$failed_runs measurement(s) failed; see the messages above" >&2
	exit 1
fi
