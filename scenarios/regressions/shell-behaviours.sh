#!/bin/bash
# The bash behaviours of issue 14 together, in one scenario: trap EXIT and
# ERR under set -e, root as $EUID, id -u and whoami, jobs on the virtual
# clock (ping &, nc -lk &, $!, jobs, kill, wait, sleep), $(...) that
# captures stdout only, /proc/sys written every way (echo >, tee, printf >,
# bash -c, sysctl -w), backslash-continued commands, jobs that are shells of
# their own (bash -c '...' &, sh -c, ( ... ) &, { ...; } &), eval with
# redirections, and nc -l printing what it receives. It passes in the
# simulator and `netsim verify` finds no divergence on the kernel.
set -e
trap 'echo "ERR trap: status $?"' ERR
trap 'echo "EXIT trap"; ip netns del web 2> /dev/null || true; ip netns del client 2> /dev/null || true' EXIT

[ "$EUID" -eq 0 ] && [ "$(id -u)" = 0 ] && [ "$(whoami)" = root ] && echo "root"

ip netns add web
ip netns add client
ip link add v-web type veth peer name eth0 netns web
ip link add v-client type veth peer name eth0 netns client
ip -n web addr add 10.0.1.2/24 dev eth0
ip -n client addr add 10.0.2.2/24 dev eth0
for ns in web client; do
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
ip addr add 10.0.1.1/24 dev v-web
ip addr add 10.0.2.1/24 dev v-client
ip link set v-web up
ip link set v-client up
ip -n web route add default \
  via 10.0.1.1
ip -n client route add default \
  via 10.0.2.1

# /proc/sys by every spelling: the router forwards only while it is 1.
P=/proc/sys/net/ipv4/ip_forward
echo 0 > $P
ip netns exec client ping -c 1 -W 1 10.0.1.2 || true       # expect: no-reply
echo 1 | tee $P > /dev/null
ip netns exec client ping -c 1 -W 1 10.0.1.2               # expect: reply
printf 0 > "$P"
bash -c "echo 1 > $P"
sysctl -w net.ipv4.ip_forward=0 > /dev/null
ip netns exec client ping -c 1 -W 1 10.0.1.2 || true       # expect: no-reply
sysctl -w net.ipv4.ip_forward=1

# $(...) takes stdout only; the error is the terminal's.
missing=$(ip link show nosuch0 2> /dev/null || true)
echo "captured [${missing}]"

# eval: its commands write in the order written, through its redirections.
eval 'echo "eval out"; echo "eval err" >&2' > eval.log 2>&1
cat eval.log
eval "ip link show nosuch1" 2> /dev/null || echo "eval status $?"
eval 'ip -n web -br addr show dev eth0 | awk "{print \$3}"; echo "to stderr" >&2' 2>&1

# nc -l prints what it receives: a listener job writing to a file.
ip netns exec web nc -l 8080 > got.txt &
listener=$!
sleep 0.5
echo hello | ip netns exec client nc -q1 10.0.1.2 8080     # expect: connected
wait $listener
echo "listener ended with $?"
cat got.txt

# nc -lk keeps listening: two clients, each one's data in turn.
ip netns exec web nc -lk 8081 > both.txt &
keeper=$!
sleep 0.5
echo first | ip netns exec client nc -N 10.0.1.2 8081      # expect: connected
echo second | ip netns exec client nc -N 10.0.1.2 8081     # expect: connected
sleep 0.2
cat both.txt

# A background ping sends while the shell sleeps; the listener runs until killed.
ip netns exec client ping -c 3 10.0.1.2 > /dev/null &
pinger=$!
sleep 0.5
jobs
kill $keeper
wait $keeper || echo "keeper ended with $?"
ip netns exec client nc -z -w 1 10.0.1.2 8081 || true      # expect: refused
wait $pinger && echo "ping job: all replies"

# Jobs that are shells of their own, alongside the shell on the clock.
bash -c 'sleep 0.4; echo "bash -c job at 0.4"' &
sh -c 'sleep 0.8; echo "sh -c job at 0.8"' &
( sleep 0.2; echo "subshell job at 0.2"; exit 3 ) &
sub=$!
{ sleep 0.6; ip link set v-web down; echo "group job took v-web down"; } &
sleep 0.1
jobs
wait $sub || echo "subshell job ended with $?"
sleep 0.7
ip netns exec client ping -c 1 -W 1 10.0.1.2 || true       # expect: no-reply
wait
ip link set v-web up
bash -c 'sleep 5; echo never' &
kill $!
wait $! || echo "killed job ended with $?"

# A listener in a job's foreground: the job waits for it, the shell goes on.
ip netns exec web bash -c 'nc -l 8082 > job.txt; echo "inner listener done"' &
sleep 0.5
echo via-job | ip netns exec client nc -N 10.0.1.2 8082    # expect: connected
wait
cat job.txt

# set -e ends the script here: the ERR trap runs, then the EXIT trap.
ip netns exec client nc -z -w 1 10.0.1.2 9                 # expect: refused
echo "not reached"
