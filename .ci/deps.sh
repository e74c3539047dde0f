#!/bin/sh
# Install the Debian packages bindscope needs to build and test, if any are missing.
# As root: apt-get installs them. As anyone else: print the exact command and stop.
# The list lives here and only here (README.md, "Tests and safety", says what each is for).
set -eu

packages="cmake make gcc pkg-config libncurses-dev libmnl-dev libjansson-dev libnftables-dev nftables libcmocka-dev
jq time tmux socat netcat-openbsd ncat nmap iproute2 util-linux procps openssh-client
openssh-server"
# `make test` only (sh .ci/deps.sh test): a real browser renders the HTML handout
# (tests/integration/handout.sh takes a screenshot with headless chromium).
[ "${1:-}" = test ] && packages="$packages chromium"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "bindscope needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
	echo "then run make again." >&2
	exit 1
fi

echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# openssh-server is for tests/integration/remote_ssh.sh, which starts its own sshd inside a
# lab peer's namespace. Its package would start one on this host: policy-rc.d (Debian's way
# to say "start no service") forbids that while installing, unless one is there already.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing
