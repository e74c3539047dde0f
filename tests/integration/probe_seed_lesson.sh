#!/bin/bash
# The seed's lesson, measured by `bindscope probe --open`: 0.0.0.0 is open on every address,
# 192.168.1.10 only on wlan0, 127.0.0.1 only on lo (and on "localhost" and 0.0.0.0, which
# reaches loopback); the same for UDP; [::] takes IPv4 unless v6only. Every cell's prediction
# must agree with what the probe observed.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

# cells JSON LISTENER: "label:target=observed" for every cell of that row, link-local
# addresses shortened to fe80::%IFNAME (their interface IDs are random).
cells() {
	jq -r --arg l "$2" '.rows[] | select(.listener == $l) | [.cells[] |
		"\(.label):\(.target | sub("^fe80::[0-9a-f:]+"; "fe80::"))=\(.observed)"] | join(" ")' <<<"$1"
}
# predictions_agree JSON: true when every probed cell has disagree false and predicted
# open exactly where observed open (closed where refused).
predictions_agree() {
	jq -c '[.rows[].cells[] | select(.observed != null) |
		.disagree == false and ((.observed == "open") == (.predicted == "open"))
		and (.predicted == "open" or .predicted == "closed")] | (length > 0 and all)' <<<"$1"
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
	json=$("$BINDSCOPE" probe "${flag[@]}" --json --open 0.0.0.0:8081 --open 192.168.1.10:8082 \
		--open 127.0.0.1:8083)
	check "$proto: probe --open --json exits 0" 0 $?

	check "$proto: targets are the seed's addresses, then localhost and 0.0.0.0" \
		'["lo 127.0.0.1 address","eth0 192.168.0.110 address","wlan0 192.168.1.10 address","localhost 127.0.0.1 localhost","0.0.0.0 0.0.0.0 any"]' \
		"$(jq -c '[.targets[] | "\(.label) \(.address) \(.kind)"]' <<<"$json")"
	check "$proto: three rows, all opened by bindscope, all $proto" \
		"[\"0.0.0.0:8081 $proto true\",\"192.168.1.10:8082 $proto true\",\"127.0.0.1:8083 $proto true\"]" \
		"$(jq -c '[.rows[] | "\(.listener) \(.proto) \(.opened_by_bindscope)"]' <<<"$json")"

	check "$proto: 0.0.0.0:8081 is open on every address, localhost and 0.0.0.0" \
		"$V4_OPEN_ALL" "$(cells "$json" 0.0.0.0:8081)"
	check "$proto: 192.168.1.10:8082 is open on wlan0 only" \
		"$V4_WLAN_ONLY" "$(cells "$json" 192.168.1.10:8082)"
	check "$proto: 127.0.0.1:8083 is open on lo, localhost and 0.0.0.0 only" \
		"$V4_LO_ONLY" "$(cells "$json" 127.0.0.1:8083)"
	check "$proto: every prediction agrees with the observation" true "$(predictions_agree "$json")"
	check "$proto: connecting to 0.0.0.0 is explained as reaching 127.0.0.1" true \
		"$(jq -c '[.rows[].cells[] | select(.label == "0.0.0.0") | .why |
			contains("0.0.0.0 goes to 127.0.0.1")] | all' <<<"$json")"

	# The text matrix says the same.
	text=$("$BINDSCOPE" probe "${flag[@]}" --open 0.0.0.0:8081 --open 192.168.1.10:8082 \
		--open 127.0.0.1:8083)
	check "$proto: text probe exits 0" 0 $?
	check "$proto: text row 0.0.0.0:8081" "open open open open open" \
		"$(verdicts "$text" "$proto 0.0.0.0:8081")"
	check "$proto: text row 192.168.1.10:8082" "refused refused open refused refused" \
		"$(verdicts "$text" "$proto 192.168.1.10:8082")"
	check "$proto: text row 127.0.0.1:8083" "open refused refused open open" \
		"$(verdicts "$text" "$proto 127.0.0.1:8083")"
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

V6_CELLS='lo:::1=open eth0:fe80::%eth0=open wlan0:fe80::%wlan0=open localhost:::1=open :::::=open'
for proto in tcp udp; do
	flag=()
	[ "$proto" = udp ] && flag=(--udp)

	json=$("$BINDSCOPE" probe "${flag[@]}" --json --no-v6only --open '[::]:8084')
	check "$proto [::] --no-v6only: exits 0" 0 $?
	check "$proto [::] --no-v6only: targets add ::1, the link-locals, localhost ::1 and ::" \
		'["lo ::1 address","eth0 fe80::%eth0 address","wlan0 fe80::%wlan0 address","localhost ::1 localhost",":: :: any"]' \
		"$(jq -c '[.targets[5:][] | "\(.label) \(.address | sub("^fe80::[0-9a-f:]+"; "fe80::")) \(.kind)"]' <<<"$json")"
	check "$proto [::] --no-v6only: open on every IPv4 and IPv6 address" \
		"$V4_OPEN_ALL $V6_CELLS" "$(cells "$json" '[::]:8084')"
	check "$proto [::] --no-v6only: every prediction agrees" true "$(predictions_agree "$json")"

	json=$("$BINDSCOPE" probe "${flag[@]}" --json --v6only --open '[::]:8084')
	check "$proto [::] --v6only: exits 0" 0 $?
	check "$proto [::] --v6only: refused on every IPv4 address, open on ::1 and the IPv6 ones" \
		"${V4_OPEN_ALL//=open/=refused} $V6_CELLS" "$(cells "$json" '[::]:8084')"
	check "$proto [::] --v6only: every prediction agrees" true "$(predictions_agree "$json")"
done
finish
