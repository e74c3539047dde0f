#!/bin/bash
# Run a command inside a private network namespace that looks like the default lab's workstation:
#   lo     127.0.0.1/8 (up)
#   eth0   192.168.0.110/24   } the two ends of one veth pair, both up
#   wlan0  192.168.1.10/24    }
# Usage: tests/lib/private-netns.sh CMD [ARG...]
#
# Works as root and as a normal user where user namespaces are allowed (unshare -rn).
# Where they are not, exits 77 (CTest's "skipped") and says why. Nothing on the host's
# network is touched: the namespace, its links and addresses die with the command.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

if ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	echo "SKIP: unshare (util-linux) and ip (iproute2) are needed for the namespace" >&2
	exit 77
fi
if ! why=$(unshare -rn true 2>&1); then
	echo "SKIP: cannot create a private network namespace here: $why" >&2
	echo "      (user namespaces may be disabled: see user.max_user_namespaces," >&2
	echo "       kernel.unprivileged_userns_clone, or AppArmor's restriction on Ubuntu)" >&2
	exit 77
fi

# shellcheck disable=SC2016 # the inner script expands its own variables
exec unshare -rn bash -c '
set -e
ip link set lo up
# The peer end is created first, so this gives eth0 the lower index, as in the default lab.
ip link add wlan0 type veth peer name eth0
ip addr add 192.168.0.110/24 brd + dev eth0
ip addr add 192.168.1.10/24 brd + dev wlan0
ip link set eth0 up
ip link set wlan0 up
# Wait (bounded) until IPv6 duplicate address detection is over, so the link-local
# addresses are usable and stable when the command starts.
for _ in $(seq 50); do
	ip -6 addr show tentative | grep -q inet6 || break
	sleep 0.1
done
exec "$@"
' private-netns "$@"
