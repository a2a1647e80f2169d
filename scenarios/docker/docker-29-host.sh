# A Docker 29 host (moby docker-v29.7.2, iptables backend): the default
# bridge docker0 with containers c1 and c1b, a network bridge1
# (192.0.2.0/24) with c2 publishing 8080 -> 80, and an --internal network
# bridge2 (198.51.100.0/24) with c3 and c4. The rules are what
# daemon/libnetwork/drivers/bridge/internal/iptabler writes for that setup,
# in the order it writes them (moby's iptablesdoc "usernet-portmap" and
# "usernet-internal" merged): FORWARD only jumps to DOCKER-USER (now empty,
# no RETURN) and DOCKER-FORWARD; DOCKER-CT accepts replies per bridge,
# DOCKER-INTERNAL confines internal networks, DOCKER-BRIDGE sends packets
# for a bridge to DOCKER, which accepts published ports and drops the rest
# (setDefaultForwardRule) - the isolation chains are gone. filterDirectAccess
# drops in raw PREROUTING any packet for a container's address that does not
# come from the container's own bridge, for every endpoint of a non-internal
# network. docker-proxy is not part of the ruleset and not modelled.
. ../walkthrough/lib/uplink.sh

# Docker turns forwarding on, and so sets the FORWARD policy to DROP (FilterForwardDrop).
sysctl -q -w net.ipv4.ip_forward=1

. lib/container.sh

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add bridge1 type bridge
ip addr add 192.0.2.1/24 dev bridge1
ip link set bridge1 up
ip link add bridge2 type bridge
ip addr add 198.51.100.1/24 dev bridge2
ip link set bridge2 up

container c1 docker0 veth1a2b3c4 172.17.0.2/16 172.17.0.1
container c1b docker0 veth2b3c4d5 172.17.0.3/16 172.17.0.1
container c2 bridge1 veth5d6e7f8 192.0.2.2/24 192.0.2.1
container c3 bridge2 veth9a8b7c6 198.51.100.2/24 198.51.100.1
container c4 bridge2 veth6c7b8a9 198.51.100.3/24 198.51.100.1
ip netns exec c2 nc -lk 80 &
ip netns exec c3 nc -lk 80 &
sleep 1

# The IPv4 rules iptabler writes for this layout; docker-29-host.sh and docker-29-ipv6-rules.sh load the same file.
iptables-restore < lib/docker-29-usernet.rules
iptables-save

# ICMP first, so that the kernel check compares the rule counters below (nc's
# segments are not yet sent byte for byte, so counters after an nc probe are not).
# Containers reach the internet (DOCKER-FORWARD -i BRIDGE ACCEPT, MASQUERADE), replies through DOCKER-CT.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec c2 ping -c 1 -W 1 8.8.8.8            # expect: reply
# Two containers on docker0: bridged, and br_netfilter's raw PREROUTING sees -i docker0, so no drop.
ip netns exec c1 ping -c 1 -W 1 172.17.0.3         # expect: reply
# Another network's container address is dropped in raw PREROUTING (it came in on docker0, not bridge1).
ip netns exec c1 ping -c 1 -W 1 192.0.2.2          # expect: no-reply
ip netns exec c2 ping -c 1 -W 1 172.17.0.2         # expect: no-reply
# Direct access from outside to a container's address: dropped in raw too.
ip -n wan route add 172.17.0.0/16 via 192.168.0.100
ip -n wan route add 192.0.2.0/24 via 192.168.0.100
ip -n wan route add 198.51.100.0/24 via 192.168.0.100
ip netns exec wan ping -c 1 -W 1 172.17.0.2        # expect: no-reply
# The host reaches a container's address directly: its packets pass raw OUTPUT, not PREROUTING.
ping -c 1 -W 1 192.0.2.2                           # expect: reply
# The internal network: its containers reach each other (-i bridge2 -o bridge2 ACCEPT)...
ip netns exec c4 ping -c 1 -W 1 198.51.100.2       # expect: reply
# ...but nothing beyond it (DOCKER-INTERNAL ! -d 198.51.100.0/24 -i bridge2), nor anything into it from outside it.
ip netns exec c3 ping -c 1 -W 1 8.8.8.8            # expect: no-reply
ip netns exec c3 ping -c 1 -W 1 172.17.0.2         # expect: no-reply
ip netns exec c1 ping -c 1 -W 1 198.51.100.2       # expect: no-reply
ip netns exec wan ping -c 1 -W 1 198.51.100.2      # expect: no-reply
iptables -t raw -L PREROUTING -n -v -x
iptables -L DOCKER-INTERNAL -n -v -x
iptables -L DOCKER-FORWARD -n -v -x --line-numbers
iptables -L DOCKER-CT -n -v -x
iptables -t nat -L POSTROUTING -n -v -x

# The published port from outside (DNAT, then DOCKER-BRIDGE -> DOCKER accepts port 80)
# and from the host itself (nat OUTPUT -> DOCKER; no FORWARD).
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
nc -z -w 1 192.0.2.2 80                            # expect: connected
# From another network: the container's address is dropped in raw, but the
# published port through the host's address is open to it (DNAT comes after raw).
ip netns exec c1 nc -z -w 1 192.0.2.2 80           # expect: timeout
ip netns exec c1 nc -z -w 1 192.168.0.100 8080     # expect: connected
# From outside, straight to the published container port: raw drops it all the same.
ip netns exec wan nc -z -w 1 192.0.2.2 80          # expect: timeout
# The internal network's own port: open inside it, closed from outside.
ip netns exec c4 nc -z -w 1 198.51.100.2 80        # expect: connected
ip netns exec wan nc -z -w 1 198.51.100.2 80       # expect: timeout
iptables -L DOCKER -n -v
iptables -t nat -L DOCKER -n -v
