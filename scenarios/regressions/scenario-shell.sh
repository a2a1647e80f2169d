#!/bin/bash
# The scenario shell as published scripts use it (issue 14): a root guard,
# `id`/`whoami`, /proc/sys written through a variable, tee, printf,
# `bash -c` and `sh -c`, $(...) that captures stdout only, functions,
# backslash-continued commands, `sleep` on the clock, and `trap ... EXIT`
# cleaning up at the end (a subshell's exit runs no trap). It passes in the
# simulator and `netsim verify` finds no divergence on the kernel.
set -u
[[ $EUID -ne 0 ]] && { echo "run me as root" >&2; exit 1; }
[ "$(id -u)" = 0 ] && [ "$(whoami)" = root ] && echo "running as $(id -un)"

FORWARD=/proc/sys/net/ipv4/ip_forward

cleanup() {
  echo "cleaning up after status $?"
  ip netns del left
  ip netns del right
  ip netns list | wc -l
}
trap cleanup EXIT
trap -p EXIT

make_host() {
  local name=$1 address=$2
  ip netns add "$name"
  ip link add "v-$name" type veth \
    peer name eth0 \
    netns "$name"
  ip -n "$name" addr add "$address/24" dev eth0
  ip -n "$name" link set eth0 up
  ip -n "$name" link set lo up
}

make_host left 10.1.0.2
make_host right 10.2.0.2
ip addr add 10.1.0.1/24 dev v-left
ip addr add 10.2.0.1/24 dev v-right
ip link set v-left up
ip link set v-right up
ip -n left route add default via 10.1.0.1
ip -n right route add default via 10.2.0.1

# Forwarding off: the router drops what it would forward.
echo 0 > $FORWARD
ip netns exec left ping -c 1 -W 1 10.2.0.2             # expect: no-reply

# On, through tee: the right end answers.
echo 1 | tee $FORWARD > /dev/null
ip netns exec left ping -c 1 -W 1 10.2.0.2             # expect: reply

# Off again with printf, on again from a nested shell.
printf 0 > "$FORWARD"
ip netns exec left ping -c 1 -W 1 10.2.0.2             # expect: no-reply
bash -c "echo 1 > $FORWARD"
ip netns exec left ping -c 1 -W 1 10.2.0.2             # expect: reply

# A namespace's own forwarding, written from inside it by sh -c.
ip netns exec left sh -c "echo 1 > $FORWARD"
[ "$(ip netns exec left cat $FORWARD)" = 1 ] && echo "left forwards"

# $(...) takes stdout only: the error goes to the terminal, nothing is counted.
missing=$(ip link show nosuch0 2>/dev/null || true)
echo "captured [${missing}]"
count=$(ip link show nosuch1 2>/dev/null | wc -l)
echo "lines: $count"

sleep 1.5
ip netns exec right \
  ping -c 1 -W 1 \
  10.1.0.2                                             # expect: reply
( exit 3 ) || echo "subshell exited $?, no trap"

# Jobs on the virtual clock: a listener runs alongside later lines until
# killed (then the next connect is refused); a background ping goes on
# sending while the shell sleeps, and wait collects its status.
ip netns exec right nc -lk 10.2.0.2 8080 &
listener=$!
sleep 0.5
jobs
ip netns exec left nc -z -w 1 10.2.0.2 8080            # expect: connected
ip netns exec left ping -c 3 -W 1 10.2.0.2 > /dev/null &
pinger=$!
sleep 1
jobs | wc -l
kill $listener
wait $listener || echo "listener ended with $?"
ip netns exec left nc -z -w 1 10.2.0.2 8080            # expect: refused
wait $pinger && echo "ping job: all replies"
jobs | wc -l
