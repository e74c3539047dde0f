#!/bin/sh
# Run a test program alone in a private network namespace: `unshare -n` as root, else
# `unshare -rn` (a user namespace maps this user to root). Where neither works, exit 77
# (skipped) with the reason. The program sees BINDSCOPE_TEST_NETNS=1 and brings lo up itself.
# Usage: run_in_netns.sh PROGRAM [ARGS...]
[ $# -ge 1 ] || { echo "usage: $0 PROGRAM [ARGS...]" >&2; exit 2; }
if ! command -v unshare >/dev/null 2>&1; then
	echo "SKIP: unshare(1) is missing, so no private network namespace can be made"
	exit 77
fi
if [ "$(id -u)" = 0 ]; then
	tries="-n -rn"
else
	tries="-rn -n"
fi
for flags in $tries; do
	if why=$(unshare "$flags" true 2>&1); then
		export BINDSCOPE_TEST_NETNS=1
		exec unshare "$flags" "$@"
	fi
done
echo "SKIP: cannot make a private network namespace (unshare $tries): $why"
exit 77
