#!/bin/bash
# Every owner of a socket: a listener held by a root master and two workers of user nobody
# (tests/helpers/shared_listener.c, as nginx holds its port) lists all three processes with
# their users, the same pids `ss -ltnp` names; the socket's user is named for anyone (a reader
# without root sees "user nobody" where it cannot see the process); the text table has the
# USER column; and `probe` names the same owner.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
enter_seed_netns "$@"

pids=()
trap cleanup EXIT
if ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	echo "SKIP: no second uid can run here (setpriv to 65534 fails), so no worker of another user" >&2
	exit 77
fi
nobody=$(getent passwd 65534 | cut -d: -f1)
nobody=${nobody:-65534}

# A root master on 0.0.0.0:9301 with two workers that switched to uid 65534.
exec 3< <("$SHARED_LISTENER" 0.0.0.0 9301 30 65534 65534)
read -r word master w1 w2 <&3
pids+=("$master" "$w1" "$w2")
check "the shared listener started" "listening" "$word"
# A socket of user nobody, alone.
setpriv --reuid=65534 --regid=65534 --clear-groups "$SHARED_LISTENER" 127.0.0.1 9302 30 >/dev/null &
pids+=($!)
wait_listening 9301 "$master"
wait_listening 9302 "${pids[-1]}"

json=$("$BINDSCOPE" sockets --json)
check "sockets --json exits 0" 0 $?
sock() { jq -c --argjson p "$1" '.sockets[] | select(.port == $p)' <<<"$json"; }
check "9301: the socket's user is root" "0 root" "$(sock 9301 | jq -r '"\(.uid) \(.user)"')"
check "9301: three processes hold it" 3 "$(sock 9301 | jq '.owner.processes')"
check "9301: the holders are the master and both workers, each with its user" \
	"$(printf '%s root\n%s %s\n%s %s\n' "$master" "$w1" "$nobody" "$w2" "$nobody" | sort)" \
	"$(sock 9301 | jq -r '.owner.holders[] | "\(.pid) \(.user)"' | sort)"
ss_pids=$(ss -Hltnp 'sport = :9301' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort | tr '\n' ' ')
check "9301: the same pids ss -ltnp names" "$ss_pids" \
	"$(sock 9301 | jq -r '.owner.holders[].pid' | sort | tr '\n' ' ')"
text=$(sock 9301 | jq -r .owner_text)
check_contains "9301: the sentence names the first holder" "shared_listener (pid " "$text"
check_contains "9301: and the workers, as user $nobody" "), also shared_listener (pid " "$text"
check_contains "9301: ... of the other user" ", as user $nobody)" "$text"
check "9302: a socket of user $nobody" "65534 $nobody" "$(sock 9302 | jq -r '"\(.uid) \(.user)"')"

table=$("$BINDSCOPE" sockets)
check "the text table has a USER column" "PROTO LOCAL EXPOSURE USER OWNER" "$(head -n1 <<<"$table" | tr -s ' ')"
check_contains "9302's row names its user" "$nobody" "$(grep -F 127.0.0.1:9302 <<<"$table")"

# Without root: the process is hidden, the user is not.
json=$(setpriv --reuid=1000 --regid=1000 --clear-groups "$BINDSCOPE" sockets --json)
check "as uid 1000: 9302's process is hidden, its user named" \
	"null owner unknown (needs root): user $nobody" \
	"$(jq -r '.sockets[] | select(.port == 9302) | "\(.owner) \(.owner_text)"' <<<"$json")"

# probe names the same owner for the row.
out=$("$BINDSCOPE" probe 9301 --json)
check "probe 9301: the row's owner is the master" "$master" \
	"$(jq -r '.sockets[] | select(.port == 9301) | .owner.pid' <<<"$out")"
finish
