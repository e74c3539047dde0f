#!/bin/bash
# The port prompt refuses what is not a port, in place, with the engine's sentence, and opens
# nothing; a port held by another program (a socat started here) is refused with its owner's
# name; Esc cancels; after an error a good port still opens.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

# nothing_opened NAME: the listeners panel and the kernel agree that nothing is listening.
nothing_opened() {
	wait_for "$1: the listeners panel still says none" 'none: Enter on an interface opens one'
	check "$1: nothing listens (ss -ltn)" "" "$(ss -Hltn)"
}

tui_start || exit 1
tui_keys Down Down
wait_for "Down x2 chooses wlan0" '^>wlan0 +192\.168\.1\.10/24'
tui_keys Enter
wait_for "Enter asks the port" 'Listen \(tcp\) on wlan0, port: 8081_'
wait_for "the status line says what the prompt's keys do" \
	'^ type a port +Enter open +Backspace erase +Esc cancel'

# Port 0: the sentence appears as it is typed, and Enter leaves the prompt open.
tui_type 0
wait_for "0 replaces the default" 'Listen \(tcp\) on wlan0, port: 0_'
wait_for "port 0 is explained in place" \
	"^ port 0 is not a port you can choose \(the kernel reads it as 'any free port'\)"
tui_keys Enter
wait_for "Enter on 0 keeps the prompt and the sentence" \
	"port: 0_\$"
wait_for "Enter on 0 keeps the sentence" "^ port 0 is not a port you can choose"
nothing_opened "port 0"

# 70000: too large.
tui_keys BSpace
wait_for "Backspace erases the 0" 'Listen \(tcp\) on wlan0, port: _$'
wait_for "an empty port is explained" '^ no port given: ports are whole numbers from 1 to 65535'
tui_type 70000
wait_for "70000 is typed" 'port: 70000_$'
wait_for "70000 is explained" '^ port 70000 is too large: the largest port is 65535'
tui_keys Enter
wait_for "Enter on 70000 keeps the sentence" '^ port 70000 is too large'
nothing_opened "port 70000"

# abc: not a number.
tui_keys BSpace BSpace BSpace BSpace BSpace
wait_for "Backspace x5 empties the prompt" 'port: _$'
tui_type abc
wait_for "abc is typed" 'port: abc_$'
wait_for "abc is explained" "^ port 'abc' is not a number: ports are whole numbers from 1 to 65535"
tui_keys Enter
wait_for "Enter on abc keeps the sentence" "^ port 'abc' is not a number"
nothing_opened "port abc"

# Esc cancels: the prompt and its sentence go, the status line shows the panel's keys again.
tui_keys Escape
wait_gone "Esc closes the prompt" 'Listen \(tcp\) on'
check_screen_lacks "Esc clears the sentence" "is not a number"
wait_for "the status line is back" ' Enter listen  u tcp/udp '
nothing_opened "after Esc"

# A port another program holds: socat on 0.0.0.0:8090, then wlan0:8090 in the TUI.
socat TCP4-LISTEN:8090,bind=0.0.0.0,fork,reuseaddr /dev/null &
socat_pid=$!
on_exit "kill $socat_pid 2>/dev/null"
for _ in $(seq 50); do
	[ -n "$(listening 8090)" ] && break
	sleep 0.1
done
check_contains "socat holds 0.0.0.0:8090" "0.0.0.0:8090" "$(listening 8090)"

tui_keys Enter
wait_for "Enter asks the port again, with the default" 'Listen \(tcp\) on wlan0, port: 8081_'
tui_type 8090
tui_keys Enter
wait_for "the clash is explained in place, naming socat" \
	"^ cannot listen on tcp 192\.168\.1\.10:8090: port 8090 is already in use by socat \(pid $socat_pid\)"
wait_for "the prompt stays open on the clash" 'Listen \(tcp\) on wlan0, port: 8090_'
wait_for "the listeners panel still says none" 'none: Enter on an interface opens one'
check "only socat listens" "0.0.0.0:8090" "$(ss -Hltn | awk '{print $4}' | paste -sd' ')"
# The sentence ends with what to do; a person must be able to read that part too.
# The advice may wrap between "pick" and "another": look for both halves.
wait_for "the clash's advice (stop it or pick another port) is readable" 'Stop it or pick' 10
wait_for "... up to the ss command to check with" "another port \\(check with: ss -ltnp 'sport = :8090'\\)" 10

# A good port after the error opens (Backspace x4 erases 8090).
tui_keys BSpace BSpace BSpace BSpace
wait_for "Backspace x4 empties the prompt" 'port: _$'
tui_type 8091
tui_keys Enter
wait_gone "a good port closes the prompt" 'Listen \(tcp\) on'
wait_for "the listener is in the panel" '>tcp 192\.168\.1\.10:8091 +conn '
check_contains "and in the kernel" "192.168.1.10:8091" "$(listening 8091)"

tui_stop # checks that bindscope exits when asked to
finish
