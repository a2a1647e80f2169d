# Regression: the built-in chains' policy counters. iptables-nft gives a
# built-in chain counters once its policy is set (`iptables -P`); from then
# on every packet the policy decides is counted, and `iptables -L -v`,
# `iptables -S -v` and `iptables-save` (with or without -c) show them:
# "Chain FORWARD (policy DROP 2 packets, 212 bytes)", ":FORWARD DROP [2:212]".
# The simulator printed 0 for every policy. INPUT, whose policy was never
# set, keeps showing 0 although the echo reply passes it.
ip netns add c1
ip link add veth0 type veth peer name ceth0
ip link set ceth0 netns c1
ip link set veth0 up
ip addr add 10.1.0.1/24 dev veth0
ip -n c1 link set lo up
ip -n c1 link set ceth0 up
ip -n c1 addr add 10.1.0.2/24 dev ceth0
ip -n c1 route add default via 10.1.0.1
ip netns add c2
ip link add veth1 type veth peer name ceth1
ip link set ceth1 netns c2
ip link set veth1 up
ip addr add 10.9.0.1/24 dev veth1
ip -n c2 link set ceth1 up
ip -n c2 addr add 10.9.0.2/24 dev ceth1
ip -n c2 route add default via 10.9.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -P FORWARD DROP
iptables -A INPUT -p tcp
ping -c 1 -W 1 10.1.0.2                               # expect: reply
ip netns exec c1 ping -c 1 -W 1 10.9.0.2              # expect: no-reply
ip netns exec c1 ping -c 1 -W 1 -s 100 10.9.0.2       # expect: no-reply
iptables-save
iptables-save -c
iptables -L -v
iptables -L FORWARD -v -x -n
iptables -S -v
iptables -Z FORWARD
iptables -S FORWARD -v
