# Helpers the benchmark scripts share (sourced): timing, medians, and the Release binary.

# now_us: wall clock in microseconds (bash 5's EPOCHREALTIME)
now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "$((10#$t))"
}

# median: the middle value of the numbers on stdin (lower middle for an even count)
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# bench_bindscope REPO BUILD_DIR: set BINDSCOPE (absolute) to $BINDSCOPE, or to BUILD_DIR's
# bindscope, built in Release first when it is missing.
bench_bindscope() {
	BINDSCOPE=${BINDSCOPE:-$1/$2/bindscope}
	if [ ! -x "$BINDSCOPE" ]; then
		echo "building $BINDSCOPE (Release) ..." >&2
		cmake -S "$1" -B "$(dirname "$BINDSCOPE")" -DCMAKE_BUILD_TYPE=Release >/dev/null
		cmake --build "$(dirname "$BINDSCOPE")" -j"$(nproc)" >/dev/null
	fi
	BINDSCOPE=$(cd "$(dirname "$BINDSCOPE")" && pwd)/$(basename "$BINDSCOPE")
	export BINDSCOPE
}
