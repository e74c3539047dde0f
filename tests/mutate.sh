#!/bin/bash
# Mutation check: each line of MUTATIONS below is a one-line change to the code that some test
# must catch. For each, a scratch copy of the tree gets the change, is built, and the tests
# named for it run; a mutation the tests survive is a hole in the suite.
#
# Usage: tests/mutate.sh [NAME...]     (default: every mutation; not part of CI: it builds once
#                                       per mutation)
# Prints one line per mutation: "caught" or "SURVIVED", then a count; exit 1 if any survived or
# could not be applied (its text is not in the file any more: update the list).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bindscope-mutate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# NAME | FILE | TEXT | REPLACEMENT | CTEST -R REGEX   (fields split on " | "; TEXT must occur
# exactly once in FILE)
MUTATIONS=$(
	cat <<'EOF'
wildcard-pass-first | src/core/lookup.c | out->pass = BS_PASS_EXACT;	run_pass(socks, n, q, BS_PASS_EXACT, out); | out->pass = BS_PASS_EXACT;	run_pass(socks, n, q, BS_PASS_WILDCARD, out); | socket_table|differential|unit.lookup
ignore-bindtodevice | src/core/lookup.c | return s->bound_ifindex == 0 || s->bound_ifindex == q->arrival_ifindex; | return s != NULL || q != NULL; | socket_table|unit.lookup
v6only-ignored | src/core/lookup.c | if (s->local.family == AF_INET6 && s->v6only == 1) | if (0) | probe_seed|socket_table|unit.lookup
udp-silence-open | src/core/probe.c | p->opts.proto == BS_PROTO_UDP ? BS_VERDICT_OPEN_FILTERED | p->opts.proto == BS_PROTO_UDP ? BS_VERDICT_OPEN | probe_seed|probe_real
listen-drops-ignored | src/core/matrix_why.c | if (drops > 0 && s != NULL) | if (0 && s != NULL) | listen_queue
bindv6only-ignored | src/tui/tui_main.c | t.sys_bindv6only = bs_sysinfo_bindv6only(); | t.sys_bindv6only = 0; | tui.v6only
rows-capped-64 | src/tui/rows.c | if (t->nrows == t->rows_cap) { | if (t->nrows >= 64) { return; } if (t->nrows == t->rows_cap) { | tui.many
stale-probes-forgotten | src/core/matrix_probe.c | && claim_stale(m, ev)) | && claim_stale(m, ev) && m == NULL) | tui.probes_not
shared-address-by-owner | src/core/lesson.c | const struct bs_iface *same = bs_iface_find(list, in->name); | const struct bs_iface *same = bs_iface_owning(list, a->family, &a->addr); if (same != NULL && strcmp(same->name, in->name) != 0) { same = NULL; } | tui.shared
term-check-skipped | src/tui/tui_main.c | if (term_check(why, sizeof(why)) < 0) { | if (0) { | tui.term_unusable
owner-name-raw | src/core/sockets.c | bs_text_safe(s->program, program, sizeof(program)); | snprintf(program, sizeof(program), "%s", s->program); | hostile|fuzz.owners|tui.outside
dual-stack-rule | src/core/sockets.c | if (wild && want_wild && s->local.family != want->family) | if (0) | listen_errors
no-route-words | src/core/matrix_why.c | if (c->route == BS_ROUTE_NONE) { | if (0) { | socket_table
listen-one-table | src/cli/cmd_listen.c | socks[bs_matrix_row(m, r)->sock].inode == bs_listener_inode(l)) | socks != NULL && l != NULL && bs_matrix_row(m, r)->ours) | socket_table
sweep-ipv4-only | src/cli/cmd_probe.c | if ((o->only_v4 && family != AF_INET) || (o->only_v6 && family != AF_INET6)) | if (family != AF_INET && o != NULL) | socket_table|probe_real
long-arg-echoed | src/core/endpoint.c | if (strlen(text) > BS_ENDPOINT_INPUT_MAX) | if (0) | long_arguments|unit.endpoint
EOF
)

want=" $* "
echo "copying the tree to $WORK/src ..." >&2
mkdir -p "$WORK/src"
(cd "$REPO" && git ls-files -z | xargs -0 cp --parents -t "$WORK/src") || exit 1
cmake -S "$WORK/src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBINDSCOPE_WERROR=ON \
	>/dev/null || exit 1
cmake --build "$WORK/build" -j "$(nproc)" >/dev/null || { echo "the unchanged tree does not build" >&2; exit 1; }

caught=0 survived=0 broken=0
while IFS= read -r line; do
	[ -z "$line" ] && continue
	name=${line%% | *}
	rest=${line#* | }
	file=${rest%% | *}
	rest=${rest#* | }
	text=${rest%% | *}
	rest=${rest#* | }
	repl=${rest%% | *}
	tests=${rest#* | }
	[ "$want" != "  " ] && [[ "$want" != *" $name "* ]] && continue
	cp "$REPO/$file" "$WORK/src/$file"
	# Whitespace in TEXT matches any run of whitespace (lines are joined as written above).
	if ! python3 - "$WORK/src/$file" "$text" "$repl" <<'PY'; then
import re, sys
path, text, repl = sys.argv[1:4]
src = open(path).read()
pattern = r"\s+".join(re.escape(part) for part in text.split())
found = re.findall(pattern, src)
if len(found) != 1:
    sys.exit(1)
open(path, "w").write(re.sub(pattern, lambda m: repl, src, count=1))
PY
		echo "NOT APPLIED  $name: its text is not (exactly once) in $file"
		broken=$((broken + 1))
		continue
	fi
	if ! cmake --build "$WORK/build" -j "$(nproc)" >"$WORK/build.log" 2>&1; then
		# A mutation the compiler refuses tests nothing: fix its REPLACEMENT.
		echo "NOT APPLIED  $name: the mutated tree does not build ($(grep -m1 'error' "$WORK/build.log"))"
		broken=$((broken + 1))
	elif (cd "$WORK/build" && timeout 600 ctest -R "$tests" >"$WORK/test.log" 2>&1); then
		echo "SURVIVED     $name: ctest -R '$tests' passed with it"
		survived=$((survived + 1))
	else
		echo "caught       $name ($(grep -oE '[0-9]+ tests failed' "$WORK/test.log" | head -1))"
		caught=$((caught + 1))
	fi
	cp "$REPO/$file" "$WORK/src/$file" # undo
done <<<"$MUTATIONS"
cmake --build "$WORK/build" -j "$(nproc)" >/dev/null 2>&1
echo "$caught caught, $survived survived, $broken not applied"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
