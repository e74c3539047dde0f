#!/bin/bash
# Differential test, with the kernel as the oracle: bindscope's socket lookup model against what
# the kernel really does, on many random socket configurations inside `bindscope lab`.
#
# For each configuration (seeded, reproducible): a port and 1-4 sockets drawn at random among the
# addresses 127.0.0.1, 127.0.0.2, 192.168.0.110, 192.168.1.10, 0.0.0.0, [::], [::1] and eth0's
# IPv6 link-local (%eth0), with IPV6_V6ONLY on/off/default for [::], sometimes SO_BINDTODEVICE
# (eth0, wlan0, lo), sometimes SO_REUSEPORT (then sometimes a second identical socket), TCP
# mostly, UDP sometimes. Each socket is its own process, socat and `bindscope listen` in turn;
# a socket that fails to bind (EADDRINUSE, EINVAL, ...) is simply not part of the configuration
# (ss says which started). Then `bindscope probe PORT --json` (--udp), and for every probe with
# an observation and a prediction of open, refused or unreachable:
#   - bindscope's own observation equals its prediction and `disagree` is false (no firewall,
#     no NAT here; for UDP, `open|filtered` counts as agreeing with `open`);
#   - the kernel, from the same vantage, does what was predicted:
#     TCP: the probe's `check` command (`nc -vz ADDR PORT`, `bindscope lab exec PEER -- nc ...` for a
#       peer) run with `-w 2` and a unique source port (`-p`): open <=> nc connected, refused
#       <=> "Connection refused", unreachable <=> "Network is unreachable" / "No route to host";
#       for an open cell, the one listener process whose log shows that source port (socat -d -d
#       "accepting connection from ...:SPORT", bindscope listen's "accepted" event) owns a socket
#       (matched by inode, from ss) that is among `predicted_sockets`.
#     UDP: nc cannot tell refused from silence reliably, so one datagram is sent with
#       `socat - UDPn:ADDR:PORT,sourceport=SPORT` (same vantage, same address and family) on a
#       connected socket: open <=> a listener process logged a datagram from SPORT and it owns
#       one of `predicted_sockets`, and no ICMP error came back; refused <=> no listener got it
#       AND the ICMP port unreachable came back (socat: "Connection refused"); unreachable <=>
#       the send failed with no route. No arrival and no ICMP is "silent", which agrees with
#       nothing predicted here.
#   - the socket table: bindscope lists exactly the sockets that started (by inode) and names
#     the process that was started as each one's owner.
# It prints "N configurations, M cells checked, K mismatches", and each mismatch with the seed,
# the configuration (every socket's command line), the probe and what the kernel did.
#
# Environment: DIFF_SEED (default 1), DIFF_CONFIGS (default 30), DIFF_BUDGET (wall-time budget
# in seconds, default 45: no configuration starts after it; the count says how many ran).
# DIFF_SELFTEST=1 flips the expected verdict of the first cell compared with the kernel, and
# the test must then fail: that shows the comparison is not vacuous.
# Sysctls: none changed. Traffic: loopback and the lab's own addresses only.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh" # is_asan; cleanup is redefined below
lab_vantages=${BINDSCOPE_LAB_VANTAGES:-}
enter_seed_netns "$@"
# enter_seed_netns hides the peers (most tests are about this host's view); this one needs them.
[ -n "$lab_vantages" ] && export BINDSCOPE_LAB_VANTAGES=$lab_vantages

seed=${DIFF_SEED:-1}
nconfigs=${DIFF_CONFIGS:-30}
budget=${DIFF_BUDGET:-45}
selftest=${DIFF_SELFTEST:-0}
for v in "$seed" "$nconfigs" "$budget"; do
	[[ "$v" =~ ^[0-9]+$ ]] || { echo "DIFF_SEED, DIFF_CONFIGS and DIFF_BUDGET are integers" >&2; exit 2; }
done
echo "# differential test: seed $seed (DIFF_SEED=$seed), up to $nconfigs configurations, budget ${budget}s"
[ "$selftest" = 1 ] && echo "# DIFF_SELFTEST=1: the first cell's expected verdict is flipped; this run must fail"

tmp=$(mktemp -d)
pids=()

# children PID: the direct children of PID (socat forks one per connection).
children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null
}
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}
# stop_procs PID...: SIGTERM each (and its children), bounded wait (2 s), then SIGKILL; reap.
stop_procs() {
	local p all=() i
	for p in "$@"; do
		all+=("$p" $(children "$p"))
	done
	[ ${#all[@]} -eq 0 ] && return 0
	kill -TERM "${all[@]}" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		local left=0
		for p in "${all[@]}"; do alive "$p" && left=1; done
		[ "$left" = 0 ] && break
		sleep 0.05
	done
	for p in "${all[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
	for p in "$@"; do wait "$p" 2>/dev/null; done
	return 0
}
cleanup() {
	stop_procs "${pids[@]}"
	rm -rf "$tmp"
}
trap cleanup EXIT

# The lab: eth0's IPv6 link-local, and the peers' pids (for nsenter).
ll=$(ip -6 -o addr show dev eth0 scope link 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n 1)
check "eth0 has an IPv6 link-local address" 1 "$([ -n "$ll" ] && echo 1 || echo 0)"
declare -A peer_pid=()
for kv in ${BINDSCOPE_LAB_PEERS:-}; do peer_pid[${kv%%=*}]=${kv#*=}; done
check "the lab has its two peers (vantages)" "eth0-peer wlan0-peer" \
	"$(printf '%s\n' "${!peer_pid[@]}" | sort | xargs)"
addrs=(127.0.0.1 127.0.0.2 192.168.0.110 192.168.1.10 0.0.0.0 :: ::1 "$ll%eth0")
devices=(eth0 wlan0 lo)

# A linear congruential generator, so a seed means the same configurations on every bash.
rng=$(((seed * 2654435761 + 1) & 0x7fffffff))
r=0
rand() { # rand N: r = a number in [0, N)
	rng=$(((rng * 1103515245 + 12345) & 0x7fffffff))
	r=$(((rng >> 8) % $1))
}

configs_run=0
cells=0
mismatches=0
skipped=0
declare -A kinds=()    # mismatch kind -> count
declare -A coverage=() # "proto predicted vantage-kind" -> cells checked
declare -A skipped_why=()
serial=0
sport=20000 # unique client source ports, below the ephemeral range (32768-60999)
declare -A used_port=()

# The configuration being tested, for reports.
cfg_text=""
cfg_shown=0
mismatch() { # mismatch KIND DETAIL...
	local kind=$1
	shift
	mismatches=$((mismatches + 1))
	cfg_mismatches=$((cfg_mismatches + 1))
	kinds[$kind]=$((${kinds[$kind]:-0} + 1))
	if [ "$cfg_shown" = 0 ]; then
		printf '%s' "$cfg_text"
		cfg_shown=1
	fi
	echo "  MISMATCH [$kind]"
	local line
	for line in "$@"; do echo "    $line"; done
}

# Per-process state of the current configuration.
p_pid=() p_tool=() p_cmd=() p_log=() p_inode=() p_ok=()

# start_socket PROTO PORT ADDR V6ONLY DEVICE REUSEPORT: start one listener process (socat or
# bindscope listen, in turn) and wait (bounded) until ss shows its socket or it has exited.
start_socket() {
	local proto=$1 port=$2 addr=$3 v6=$4 dev=$5 rp=$6
	local i=${#p_pid[@]} fam=4 base=$3 scope="" cmd=() log="$tmp/p$serial.log" tool
	[[ "$addr" == *:* ]] && fam=6
	if [[ "$addr" == *%* ]]; then base=${addr%%%*} scope=${addr#*%}; fi
	tool=$(((serial + seed) % 2))
	serial=$((serial + 1))
	if [ "$tool" = 0 ]; then
		local bind=$addr spec opts=""
		[ "$fam" = 6 ] && bind="[$addr]"
		# socat's UDP6-RECV does not take a scope in bind=: bind to the device instead.
		if [ "$proto" = udp ] && [ -n "$scope" ]; then
			bind="[$base]"
			[ -z "$dev" ] && opts+=",so-bindtodevice=$scope"
		fi
		if [ "$proto" = tcp ]; then
			spec="TCP$fam-LISTEN:$port,bind=$bind,fork,reuseaddr,backlog=128"
		else
			spec="UDP$fam-RECV:$port,bind=$bind,reuseaddr"
		fi
		[ "$rp" = 1 ] && opts+=",reuseport"
		[ -n "$dev" ] && opts+=",so-bindtodevice=$dev"
		[ "$v6" = on ] && opts+=",ipv6only=1"
		[ "$v6" = off ] && opts+=",ipv6only=0"
		cmd=(socat -d -d)
		[ "$proto" = udp ] && cmd+=(-u)
		cmd+=("$spec$opts" /dev/null)
		"${cmd[@]}" </dev/null >/dev/null 2>"$log" &
		p_tool[i]=socat
	else
		local ep="$addr:$port"
		[ "$fam" = 6 ] && ep="[$addr]:$port"
		cmd=("$BINDSCOPE" listen --json "$ep")
		[ "$proto" = udp ] && cmd+=(--udp)
		[ "$v6" = on ] && cmd+=(--v6only)
		[ "$v6" = off ] && cmd+=(--no-v6only)
		[ "$rp" = 1 ] && cmd+=(--reuseport)
		[ -n "$dev" ] && cmd+=(--device "$dev")
		"${cmd[@]}" </dev/null >"$log" 2>"$log.err" &
		p_tool[i]=bindscope
	fi
	local pid=$! line="" flag=-Hlnpet k
	[ "$proto" = udp ] && flag=-Hlnpeu
	pids+=("$pid")
	p_pid[i]=$pid
	p_log[i]=$log
	p_cmd[i]=$(printf '%q ' "${cmd[@]}")
	p_cmd[i]=${p_cmd[i]% }
	p_cmd[i]=${p_cmd[i]//"$BINDSCOPE"/bindscope}
	p_inode[i]=""
	p_ok[i]=0
	for ((k = 0; k < 100; k++)); do
		line=$(ss "$flag" "sport = :$port" 2>/dev/null | grep -F "pid=$pid,")
		if [ -n "$line" ]; then
			p_inode[i]=$(grep -o 'ino:[0-9]*' <<<"$line" | head -n 1 | cut -d: -f2)
			p_ok[i]=1
			return 0
		fi
		alive "$pid" || break
		sleep 0.05
	done
	# It did not bind (or not within 5 s): not part of the configuration.
	stop_procs "$pid"
	return 0
}

# takers SPORT PROTO: the indices of the processes whose log shows that client source port.
takers() {
	local sp=$1 proto=$2 i found=()
	for i in "${!p_pid[@]}"; do
		[ "${p_ok[i]}" = 1 ] || continue
		if [ "${p_tool[i]}" = socat ]; then
			if [ "$proto" = tcp ]; then
				grep -qE "accepting connection from AF=[0-9]+ .*:$sp on AF" "${p_log[i]}" && found+=("$i")
			else
				grep -qE "received packet with [0-9]+ bytes from AF=[0-9]+ .*:$sp\$" "${p_log[i]}" && found+=("$i")
			fi
		else
			local ev=accepted
			[ "$proto" = udp ] && ev=datagram
			grep -qE "\"event\":\"$ev\".*\"peer\":\"[^\"]*:$sp\"" "${p_log[i]}" && found+=("$i")
		fi
	done
	echo "${found[*]}"
}

# classify OUTPUT RC: nc's or socat's result in bindscope's words.
classify() {
	case "$1" in
	*"Connection refused"*) echo refused ;;
	*"Network is unreachable"* | *"No route to host"*) echo unreachable ;;
	*"timed out"* | *"Operation now in progress"*) echo timeout ;;
	*)
		if [ "$2" = 0 ]; then echo open; elif [ "$2" = 124 ]; then echo timeout; else echo "error"; fi
		;;
	esac
}

# `bindscope lab` is this script's parent; if it is stopped (a CTest timeout), stop too rather
# than run on orphaned.
lab_pid=$PPID
for ((c = 1; c <= nconfigs; c++)); do
	if [ "$(awk '{print $4}' "/proc/$$/stat")" != "$lab_pid" ]; then
		echo "# the lab (pid $lab_pid) has gone: stopping" >&2
		exit 1
	fi
	if [ "$SECONDS" -ge "$budget" ]; then
		echo "# wall-time budget of ${budget}s reached: stopping after $configs_run configurations"
		break
	fi
	# The configuration.
	rand 5
	proto=tcp
	[ "$r" = 0 ] && proto=udp
	while :; do
		rand 9000
		port=$((11000 + r))
		[ -z "${used_port[$port]:-}" ] && break
	done
	used_port[$port]=1
	rand 4
	n=$((r + 1))
	specs=()
	while [ ${#specs[@]} -lt "$n" ]; do
		rand ${#addrs[@]}
		a=${addrs[r]}
		v6=""
		if [ "$a" = :: ]; then
			rand 3
			v6=$(echo "- on off" | cut -d' ' -f$((r + 1)))
			[ "$v6" = - ] && v6=""
		fi
		dev=""
		rand 4
		if [ "$r" = 0 ]; then
			rand 3
			dev=${devices[r]}
		fi
		rand 5
		rp=0
		[ "$r" -lt 2 ] && rp=1
		specs+=("$a|$v6|$dev|$rp")
		if [ "$rp" = 1 ] && [ ${#specs[@]} -lt 4 ]; then
			rand 2
			[ "$r" = 0 ] && specs+=("$a|$v6|$dev|$rp")
		fi
	done

	p_pid=() p_tool=() p_cmd=() p_log=() p_inode=() p_ok=()
	for s in "${specs[@]}"; do
		IFS='|' read -r a v6 dev rp <<<"$s"
		start_socket "$proto" "$port" "$a" "$v6" "$dev" "$rp"
	done
	configs_run=$((configs_run + 1))
	cfg_mismatches=0
	cfg_shown=0
	cfg_text="config $c of seed $seed (DIFF_SEED=$seed DIFF_CONFIGS=$c): $proto port $port"$'\n'
	nstarted=0
	for i in "${!p_pid[@]}"; do
		if [ "${p_ok[i]}" = 1 ]; then
			cfg_text+="  started (pid ${p_pid[i]}, inode ${p_inode[i]}): ${p_cmd[i]}"$'\n'
			nstarted=$((nstarted + 1))
		else
			cfg_text+="  did not bind:  ${p_cmd[i]}: $(grep -hE ' E |^bindscope' "${p_log[i]}" "${p_log[i]}.err" 2>/dev/null | head -n 1 | sed 's/^.* E //')"$'\n'
		fi
	done
	echo "# config $c: $proto port $port, $nstarted of ${#specs[@]} sockets bound"

	# bindscope's view.
	pargs=(probe "$port" --json)
	[ "$proto" = udp ] && pargs+=(--udp)
	json=$("$BINDSCOPE" "${pargs[@]}" 2>"$tmp/probe.err")
	rc=$?
	if [ "$rc" != 0 ] || ! jq -e . >/dev/null 2>&1 <<<"$json"; then
		mismatch probe-failed "bindscope ${pargs[*]} exited $rc: $(head -c 300 "$tmp/probe.err")"
		check "config $c: bindscope agrees with the kernel" 0 "$cfg_mismatches"
		stop_procs "${p_pid[@]}"
		pids=()
		continue
	fi

	# The socket table: exactly the sockets that started, each owned by its process.
	want=$(for i in "${!p_pid[@]}"; do [ "${p_ok[i]}" = 1 ] && echo "${p_inode[i]} ${p_pid[i]}"; done | sort | xargs)
	got=$(jq -r --arg p "$proto" --argjson port "$port" \
		'.sockets[] | select(.proto == $p and .port == $port) | "\(.inode) \(.owner.pid // "none")"' <<<"$json" |
		sort | xargs)
	if [ "$want" != "$got" ]; then
		mismatch socket-table "sockets started (inode pid): ${want:-none}" \
			"bindscope's sockets (inode owner.pid): ${got:-none}"
	fi
	declare -A inode_of_id=()
	while read -r sid sino; do
		[ -n "$sid" ] && inode_of_id[$sid]=$sino
	done < <(jq -r '.sockets[] | "\(.id) \(.inode)"' <<<"$json")
	# Every disagree flag is false (rows and probes).
	ndis=$(jq '[.probes[] | select(.disagree == true)] + [.rows[]?.cells[]? | select(.disagree == true)] | length' <<<"$json")
	if [ "$ndis" != 0 ]; then
		mismatch disagree "$ndis probes or cells have disagree=true:" \
			"$(jq -c '[.probes[] | select(.disagree == true) | {address, vantage, observed, predicted, text}]' <<<"$json")"
	fi

	# The cells to compare with the kernel.
	jq -r '.targets as $t | .vantages as $v | .probes[]
		| .target as $tid | .vantage as $vid
		| [ .target, .vantage, .address, (.observed // "null"), (.predicted // "null"),
		    ((.predicted_sockets // []) | map(tostring) | join(",") | if . == "" then "-" else . end),
		    .disagree, (.check // "-"),
		    ([$t[] | select(.id == $tid) | .label][0] // "?"),
		    ([$v[] | select(.id == $vid) | .name][0] // "?"),
		    ([$v[] | select(.id == $vid) | .kind][0] // "?"),
		    ([$v[] | select(.id == $vid) | .pid][0] // "-") ] | @tsv' <<<"$json" >"$tmp/cells.tsv"

	cell_sp=() cell_line=() cell_kernel=() cell_expect=() cell_psock=() cell_msg=()
	udp_jobs=()
	while IFS=$'\t' read -r -u 3 _tid _vid addr obs pred psock _dis chk tlabel vname vkind vpid; do
		if [ "$obs" = null ]; then
			skipped=$((skipped + 1)); skipped_why["not probed"]=$((${skipped_why["not probed"]:-0} + 1))
			continue
		fi
		case "$pred" in
		open | refused | unreachable) ;;
		*)
			skipped=$((skipped + 1)); skipped_why["predicted $pred"]=$((${skipped_why["predicted $pred"]:-0} + 1))
			continue
			;;
		esac
		cells=$((cells + 1))
		coverage["$proto $pred $vkind"]=$((${coverage["$proto $pred $vkind"]:-0} + 1))
		desc="probe: from $vname, target $tlabel $addr port $port: bindscope predicted $pred (sockets ${psock}), observed $obs; check: $chk"
		# bindscope's own observation agrees with its prediction.
		if [ "$obs" != "$pred" ] && ! { [ "$proto" = udp ] && [ "$pred" = open ] && [ "$obs" = "open|filtered" ]; }; then
			mismatch "bindscope-observed $proto predicted=$pred observed=$obs vantage=$vkind" "$desc"
		fi
		# The check command: [bindscope lab exec PEER --] nc FLAGS ADDR PORT, for this vantage,
		# address, port.
		read -ra words <<<"$chk"
		prefix=()
		if [ "${words[1]:-}" = lab ] && [ "${words[2]:-}" = exec ]; then
			if [ "${words[0]}" != "$BINDSCOPE" ] && [ "${words[0]}" != bindscope ] ||
				[ "${words[3]:-}" != "$vname" ] || [ "${words[4]:-}" != -- ]; then
				mismatch check-command "$desc" "the check does not enter vantage $vname (bindscope lab exec $vname --)"
				continue
			fi
			prefix=("$BINDSCOPE" lab exec "$vname" --)
			words=("${words[@]:5}")
		elif [ "$vkind" != this-host ]; then
			mismatch check-command "$desc" "a check from $vname must enter its namespace"
			continue
		fi
		nw=${#words[@]}
		if [ "${words[0]:-}" != nc ] || [ "$nw" -lt 4 ] || [ "${words[nw - 2]}" != "$addr" ] ||
			[ "${words[nw - 1]}" != "$port" ]; then
			mismatch check-command "$desc" "expected: [bindscope lab exec PEER --] nc FLAGS $addr $port"
			continue
		fi
		ncargs=("${words[@]:1}")
		flags=" ${ncargs[*]:0:nw-3} "
		fam=""
		[[ "$flags" =~ \ -[a-zA-Z]*4 ]] && fam=4
		[[ "$flags" =~ \ -[a-zA-Z]*6 ]] && fam=$fam${fam:+/}6
		want_fam=4
		[[ "$addr" == *:* ]] && want_fam=6
		if [ "$fam" != "$want_fam" ]; then
			mismatch check-command "$desc" "the check's address family (-${fam:-none}) is not $addr's (-$want_fam)"
			fam=$want_fam
		fi
		if [ "$proto" = udp ] && ! [[ "$flags" =~ \ -[a-zA-Z]*u ]]; then
			mismatch check-command "$desc" "a UDP check needs nc -u"
		fi

		expect=$pred
		if [ "$selftest" = 1 ] && [ "$cells" = 1 ]; then
			[ "$pred" = open ] && expect=refused || expect=open
			echo "# DIFF_SELFTEST: expecting $expect instead of $pred for: $desc"
		fi
		sp=$sport
		sport=$((sport + 1))
		k=${#cell_sp[@]}
		cell_sp[k]=$sp
		cell_line[k]=$desc
		cell_expect[k]=$expect
		cell_psock[k]=$psock
		if [ "$proto" = tcp ]; then
			out=$(timeout 5 "${prefix[@]}" nc -w 2 -p "$sp" "${ncargs[@]}" </dev/null 2>&1)
			rc=$?
			cell_kernel[k]=$(classify "$out" "$rc")
			cell_msg[k]="${prefix[*]}${prefix[*]:+ }nc -w 2 -p $sp ${ncargs[*]}: rc $rc: $(tr '\n' ' ' <<<"$out")"
		else
			dst=$addr
			[ "$fam" = 6 ] && dst="[$addr]"
			(
				out=$(printf 'bindscope-differential %s\n' "$sp" |
					timeout 3 "${prefix[@]}" socat -t 0.3 - "UDP$fam:$dst:$port,sourceport=$sp" 2>&1)
				rc=$?
				printf '%s\t%s\n' "$rc" "$(tr '\n' ' ' <<<"$out")" >"$tmp/udp.$sp"
			) &
			udp_jobs+=($!)
			cell_msg[k]="${prefix[*]}${prefix[*]:+ }socat -t 0.3 - UDP$fam:$dst:$port,sourceport=$sp"
		fi
	done 3<"$tmp/cells.tsv"

	# UDP: the sends' results (ICMP errors), each bounded by timeout 3.
	for j in "${udp_jobs[@]}"; do wait "$j"; done
	if [ "$proto" = udp ]; then
		for k in "${!cell_sp[@]}"; do
			IFS=$'\t' read -r rc out <"$tmp/udp.${cell_sp[k]}" || { rc=1; out="no result"; }
			v=$(classify "$out" "$rc")
			[ "$v" = open ] && v=sent
			cell_kernel[k]=$v
			cell_msg[k]+=": rc $rc: $out"
		done
	fi
	# Wait (bounded, 3 s) until every connection nc made / datagram that met no ICMP error
	# shows in some listener's log.
	for ((w = 0; w < 60; w++)); do
		pending=0
		for k in "${!cell_sp[@]}"; do
			case "${cell_kernel[k]}" in
			open | sent) [ -z "$(takers "${cell_sp[k]}" "$proto")" ] && pending=1 ;;
			esac
			[ "$pending" = 1 ] && break
		done
		[ "$pending" = 0 ] && break
		sleep 0.05
	done

	# Compare.
	for k in "${!cell_sp[@]}"; do
		got=${cell_kernel[k]}
		tk=$(takers "${cell_sp[k]}" "$proto")
		if [ "$proto" = udp ]; then
			if [ -n "$tk" ]; then
				got=open
				[ "${cell_kernel[k]}" = sent ] || got="open+icmp-${cell_kernel[k]}"
			elif [ "$got" = sent ]; then
				got=silent
			fi
		fi
		taken=""
		for i in $tk; do taken+="${p_tool[i]} pid ${p_pid[i]} (inode ${p_inode[i]}); "; done
		if [ "$got" != "${cell_expect[k]}" ]; then
			mismatch "kernel $proto predicted=${cell_expect[k]} kernel=$got" "${cell_line[k]}" \
				"kernel: $got (${cell_msg[k]})" "taken by: ${taken:-no listener process}"
			continue
		fi
		[ "$got" = open ] || continue
		# Attribution: exactly one process took it, and its socket is a predicted one.
		set -- $tk
		if [ $# -ne 1 ]; then
			mismatch "attribution $proto: $# takers" "${cell_line[k]}" "taken by: ${taken:-none}"
			continue
		fi
		ok=0
		for sid in ${cell_psock[k]//,/ }; do
			[ "${inode_of_id[$sid]:-x}" = "${p_inode[$1]}" ] && ok=1
		done
		if [ "$ok" = 0 ]; then
			mismatch "attribution $proto: taken by a socket not predicted" "${cell_line[k]}" \
				"taken by: $taken" \
				"bindscope's ids -> inodes: $(for s in "${!inode_of_id[@]}"; do printf '#%s=%s ' "$s" "${inode_of_id[$s]}"; done)"
		fi
	done
	unset inode_of_id
	check "config $c: $proto port $port, $nstarted sockets, ${#cell_sp[@]} cells agree with the kernel" 0 "$cfg_mismatches"

	stop_procs "${p_pid[@]}"
	pids=()
	# No process of this configuration is left.
	left=""
	for p in "${p_pid[@]}"; do alive "$p" && left+=" $p"; done
	check "config $c: every listener process is gone" "" "$left"
done

echo "# coverage (proto predicted vantage: cells):"
for key in "${!coverage[@]}"; do echo "#   $key: ${coverage[$key]}"; done | sort
echo "# not compared with the kernel: $skipped probes"
for key in "${!skipped_why[@]}"; do echo "#   $key: ${skipped_why[$key]}"; done | sort
if [ "$mismatches" -gt 0 ]; then
	echo "# mismatch kinds (seed $seed):"
	for key in "${!kinds[@]}"; do echo "#   ${kinds[$key]} x $key"; done | sort
fi
echo "$configs_run configurations, $cells cells checked, $mismatches mismatches (seed $seed, ${SECONDS}s)"
check "some cells were compared with the kernel" 1 "$([ "$cells" -gt 0 ] && echo 1 || echo 0)"
check "no mismatches between bindscope and the kernel (seed $seed)" 0 "$mismatches"
finish
