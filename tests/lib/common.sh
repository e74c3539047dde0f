# Helpers for the integration tests (sourced). BINDSCOPE and TESTS_DIR come from CTest.
: "${BINDSCOPE:?BINDSCOPE must name the bindscope binary}"
: "${TESTS_DIR:?TESTS_DIR must name the tests directory}"
NETNS="$TESTS_DIR/lib/private-netns.sh"

failures=0
checks=0

# check NAME EXPECTED ACTUAL
check() {
	checks=$((checks + 1))
	if [ "$2" == "$3" ]; then
		echo "ok - $1"
	else
		failures=$((failures + 1))
		echo "FAIL - $1"
		echo "  expected: $2"
		echo "  actual:   $3"
	fi
}

# check_contains NAME NEEDLE HAYSTACK
check_contains() {
	checks=$((checks + 1))
	if [[ "$3" == *"$2"* ]]; then
		echo "ok - $1"
	else
		failures=$((failures + 1))
		echo "FAIL - $1"
		echo "  expected to contain: $2"
		echo "  actual: $3"
	fi
}

finish() {
	echo "$((checks - failures)) passed, $failures failed"
	[ "$failures" -eq 0 ]
}

# require_lab: skip (77) with the reason where the lab cannot be built (user namespaces off).
require_lab() {
	local why
	if ! why=$("$BINDSCOPE" lab -- true 2>&1); then
		echo "SKIP: the lab cannot be built here: $why" >&2
		exit 77
	fi
}

# Re-run this script inside the seed's network unless already there.
# The seed's network is `bindscope lab`: lo, eth0 192.168.0.110/24, wlan0 192.168.1.10/24 (with
# a peer host on each segment). Where the lab cannot be built (user namespaces off), skip (77)
# with its reason. tests/lib/private-netns.sh (a bare veth pair) remains for the benchmarks.
enter_seed_netns() {
	local why
	if [ -z "${IN_SEED_NETNS:-}" ]; then
		if ! why=$("$BINDSCOPE" lab -- true 2>&1); then
			echo "SKIP: the lab cannot be built here: $why" >&2
			exit 77
		fi
		IN_SEED_NETNS=1 exec "$BINDSCOPE" lab -- bash "$0" "$@"
	fi
	# These tests are about this host's view: the peers are there, but not as matrix columns
	# (tests/integration/lab.sh and tests/tui/lab_*.sh cover those), unless the test sets
	# LAB_KEEP_PEERS=1 before.
	[ "${LAB_KEEP_PEERS:-}" = 1 ] || unset BINDSCOPE_LAB_VANTAGES
}
