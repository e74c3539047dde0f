# Helpers for the integration tests (sourced). BINDSCOPE and TESTS_DIR come from CTest.
: "${BINDSCOPE:?BINDSCOPE must name the bindscope binary}"
: "${TESTS_DIR:?TESTS_DIR must name the tests directory}"
NETNS="$TESTS_DIR/lib/seed-netns.sh"

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

# Re-run this script inside the seed namespace unless already there.
enter_seed_netns() {
	if [ -z "${IN_SEED_NETNS:-}" ]; then
		IN_SEED_NETNS=1 exec "$NETNS" bash "$0" "$@"
	fi
}
