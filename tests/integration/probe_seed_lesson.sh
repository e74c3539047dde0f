#!/bin/bash
# The seed's lesson, measured by `bindscope probe --open`: 0.0.0.0 is open on every address,
# 192.168.1.10 only on wlan0, 127.0.0.1 only on lo (and on "localhost" and 0.0.0.0, which
# reaches loopback); the same for UDP; [::] takes IPv4 unless v6only. Every cell's prediction
# must agree with what the probe observed.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

# Every bindscope run is bounded: a hang is a failure of that check, not a CTest timeout.
bs() { timeout 30 "$BINDSCOPE" "$@"; }

# cells JSON LOCAL: "label:address=observed" for every cell of the row of the socket whose
# local address reads LOCAL (in target order), link-local addresses shortened to
# fe80::%IFNAME (their interface IDs are random).
cells() {
	jq -r --arg l "$2" '. as $d | ($d.sockets[] | select(.local == $l) | .id) as $s |
		$d.rows[] | select(.socket == $s) | [.cells[] | $d.targets[.target] as $t |
		"\($t.label):\($t.address | sub("^fe80::[0-9a-f:]+"; "fe80::"))=\($d.probes[.probe].observed)"]
		| join(" ")' <<<"$1"
}
# predictions_agree JSON: true when every probed probe has disagree false, predicted open
# exactly where observed open (refused where refused), each cell's state says the same, and
# every open probe was answered by (accepted or received by) the one socket on its port.
predictions_agree() {
	jq -c '. as $d | [.probes[] | select(.probed) |
		.disagree == false and ((.observed == "open") == (.predicted == "open"))
		and (.predicted == "open" or .predicted == "refused")
		and (if .observed == "open" then (.answered_by | length) == 1 and
			.answered_by == .predicted_sockets else .answered_by == [] end)]
		+ [.rows[].cells[] | . as $c | $d.probes[$c.probe] as $p | $c.disagree == false and
			(if $p.observed == "open" then $c.state == "this" and $c.predicted_this
			 else $c.state == "nobody" and ($c.predicted_this | not) end)]
		| (length > 0 and all)' <<<"$1"
}
# verdicts TEXT ROWSTART: the words open/refused on the text matrix row that starts so.
verdicts() {
	awk -v p="$2 " 'index($0, p) == 1' <<<"$1" | head -n 1 | grep -oE '\b(open|refused)\b' | paste -sd' '
}

V4_OPEN_ALL='lo:127.0.0.1=open eth0:192.168.0.110=open wlan0:192.168.1.10=open localhost:127.0.0.1=open 0.0.0.0:0.0.0.0=open'
V4_WLAN_ONLY='lo:127.0.0.1=refused eth0:192.168.0.110=refused wlan0:192.168.1.10=open localhost:127.0.0.1=refused 0.0.0.0:0.0.0.0=refused'
V4_LO_ONLY='lo:127.0.0.1=open eth0:192.168.0.110=refused wlan0:192.168.1.10=refused localhost:127.0.0.1=open 0.0.0.0:0.0.0.0=open'

for proto in tcp udp; do
	flag=()
	[ "$proto" = udp ] && flag=(--udp)
	json=$(bs probe "${flag[@]}" --json --open 0.0.0.0:8081 --open 192.168.1.10:8082 \
		--open 127.0.0.1:8083)
	check "$proto: probe --open --json exits 0" 0 $?

	check "$proto: targets are the seed's addresses, then localhost and 0.0.0.0" \
		'["lo 127.0.0.1 address","eth0 192.168.0.110 address","wlan0 192.168.1.10 address","localhost 127.0.0.1 localhost","0.0.0.0 0.0.0.0 any"]' \
		"$(jq -c '[.targets[] | "\(.label) \(.address) \(.kind)"]' <<<"$json")"
	check "$proto: three sockets, all opened by bindscope, all $proto, one row each" \
		"[\"1 0.0.0.0:8081 $proto true\",\"2 192.168.1.10:8082 $proto true\",\"3 127.0.0.1:8083 $proto true\"] [1,2,3]" \
		"$(jq -c '[.sockets[] | "\(.id) \(.local) \(.proto) \(.opened_by_bindscope)"]' <<<"$json") $(jq -c '[.rows[].socket]' <<<"$json")"

	# The text matrix says the same.
	text=$(bs probe "${flag[@]}" --open 0.0.0.0:8081 --open 192.168.1.10:8082 \
		--open 127.0.0.1:8083)
	check "$proto: text probe exits 0" 0 $?
	check "$proto: text row 0.0.0.0:8081" "open open open open open" \
		"$(verdicts "$text" "#1 $proto 0.0.0.0:8081")"
	check "$proto: text row 192.168.1.10:8082" "refused refused open refused refused" \
		"$(verdicts "$text" "#2 $proto 192.168.1.10:8082")"
	check "$proto: text row 127.0.0.1:8083" "open refused refused open open" \
		"$(verdicts "$text" "#3 $proto 127.0.0.1:8083")"
done

# The listeners are closed when probe exits.
check "nothing is left listening on 8081-8083" "" \
	"$(ss -Htuln '( sport = :8081 or sport = :8082 or sport = :8083 )')"

# IPv6: [::] takes IPv4 too unless v6only.
if ! ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
	echo "SKIP IPv6 part: lo has no ::1 here (IPv6 disabled in this kernel or namespace)," \
		"so [::] listeners cannot be probed"
	finish
	exit
fi

# Columns: the IPv4 addresses, then the IPv6 ones, then localhost (127.0.0.1 only here, as the
# resolver returns it), 0.0.0.0 and ::.
v6_cells() { # V4 V6: the expected cells, V4 for the IPv4 columns and V6 for the IPv6 ones
	echo "lo:127.0.0.1=$1 eth0:192.168.0.110=$1 wlan0:192.168.1.10=$1 lo:::1=$2" \
		"eth0:fe80::%eth0=$2 wlan0:fe80::%wlan0=$2 localhost:127.0.0.1=$1 0.0.0.0:0.0.0.0=$1 :::::=$2"
}
for proto in tcp udp; do
	flag=()
	[ "$proto" = udp ] && flag=(--udp)

	json=$(bs probe "${flag[@]}" --json --no-v6only --open '[::]:8084')
	check "$proto [::] --no-v6only: exits 0" 0 $?
	check "$proto [::] --no-v6only: targets add ::1, the link-locals and ::" \
		'["lo 127.0.0.1 address","eth0 192.168.0.110 address","wlan0 192.168.1.10 address","lo ::1 address","eth0 fe80::%eth0 address","wlan0 fe80::%wlan0 address","localhost 127.0.0.1 localhost","0.0.0.0 0.0.0.0 any",":: :: any"]' \
		"$(jq -c '[.targets[] | "\(.label) \(.address | sub("^fe80::[0-9a-f:]+"; "fe80::")) \(.kind)"]' <<<"$json")"
	check "$proto [::] --no-v6only: the socket table says [::] with v6only off" \
		'{"local":"*:8084","address":"::","family":"ipv6","v6only":false}' \
		"$(jq -c '.sockets[] | {local, address, family, v6only}' <<<"$json")"
	check "$proto [::] --no-v6only: open on every IPv4 and IPv6 address" \
		"$(v6_cells open open)" "$(cells "$json" '*:8084')"
	check "$proto [::] --no-v6only: every prediction agrees, every open probe answered by #1" \
		true "$(predictions_agree "$json")"

	json=$(bs probe "${flag[@]}" --json --v6only --open '[::]:8084')
	check "$proto [::] --v6only: exits 0" 0 $?
	check "$proto [::] --v6only: the socket table says [::] with v6only on" \
		'{"local":"[::]:8084","address":"::","family":"ipv6","v6only":true}' \
		"$(jq -c '.sockets[] | {local, address, family, v6only}' <<<"$json")"
	check "$proto [::] --v6only: refused on every IPv4 address, open on ::1 and the IPv6 ones" \
		"$(v6_cells refused open)" "$(cells "$json" '[::]:8084')"
	check "$proto [::] --v6only: every prediction agrees" true "$(predictions_agree "$json")"
done
finish
