# Two Docker 29 network options (moby docker-v29.7.2, iptablesdoc
# "usernet-portmap-noicc" and "usernet-portmap-routed" on one host):
# docker0 with c1; bridge1 (192.0.2.0/24) created with
# com.docker.network.bridge.enable_icc=false, c2 publishing 8080 -> 80 and
# c3; bridge2 (198.51.100.0/24) with gateway_mode_ipv4=routed and c4
# publishing 80. No ICC: setIcc appends "-i bridge1 -o bridge1 -j DROP" to
# DOCKER-FORWARD ahead of the outgoing ACCEPT, so bridge1's containers do not
# reach each other. Routed: no MASQUERADE, no DNAT (the port is opened on
# the container's own address, host port 0), no raw-table drop
# (filterDirectAccess skips routed networks), and setICMP accepts all ICMP
# into the network. Per-port ACCEPTs are inserted (newest first), a
# network's ICMP and DROP rules appended.
. ../walkthrough/lib/uplink.sh
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
container c2 bridge1 veth5d6e7f8 192.0.2.2/24 192.0.2.1
container c3 bridge1 veth2b3c4d5 192.0.2.3/24 192.0.2.1
container c4 bridge2 veth9a8b7c6 198.51.100.2/24 198.51.100.1
ip netns exec c2 nc -lk 80 &
ip netns exec c4 nc -lk 80 &
sleep 1

iptables-restore <<'RULES'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP
-A PREROUTING -d 192.0.2.2/32 ! -i bridge1 -j DROP
-A PREROUTING -d 192.0.2.3/32 ! -i bridge1 -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-BRIDGE - [0:0]
:DOCKER-CT - [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-INTERNAL - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER -d 198.51.100.2/32 ! -i bridge2 -o bridge2 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER -d 192.0.2.2/32 ! -i bridge1 -o bridge1 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER ! -i bridge1 -o bridge1 -j DROP
-A DOCKER -o bridge2 -p icmp -j ACCEPT
-A DOCKER ! -i bridge2 -o bridge2 -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-BRIDGE -o bridge1 -j DOCKER
-A DOCKER-BRIDGE -o bridge2 -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-CT -o bridge1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-CT -o bridge2 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-INTERNAL
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER-FORWARD -i bridge1 -o bridge1 -j DROP
-A DOCKER-FORWARD -i bridge1 ! -o bridge1 -j ACCEPT
-A DOCKER-FORWARD -i bridge2 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 192.0.2.0/24 ! -o bridge1 -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER ! -i bridge1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80
COMMIT
RULES
iptables -S DOCKER
iptables -S DOCKER-FORWARD

# ICMP first, so that the kernel check compares the rule counters below (nc's
# segments are not yet sent byte for byte, so counters after an nc probe are not).
# No ICC on bridge1: c3 does not reach c2 (DOCKER-FORWARD -i bridge1 -o bridge1 DROP), yet reaches out.
ip netns exec c3 ping -c 1 -W 1 192.0.2.2          # expect: no-reply
ip netns exec c3 ping -c 1 -W 1 8.8.8.8            # expect: reply
# The routed network is reached at its own addresses, once the upstream router routes it.
ip netns exec wan ping -c 1 -W 1 198.51.100.2      # expect: unreachable (wan has no route yet)
ip -n wan route add 198.51.100.0/24 via 192.168.0.100
ip -n wan route add 192.0.2.0/24 via 192.168.0.100
ip netns exec wan ping -c 1 -W 1 198.51.100.2      # expect: reply      (-o bridge2 -p icmp ACCEPT)
# Its containers go out with their own address: no MASQUERADE for bridge2.
ip netns exec c4 ping -c 1 -W 1 8.8.8.8            # expect: reply
# From another network ICMP gets in too; not into the NAT network's addresses (raw drop).
ip netns exec c1 ping -c 1 -W 1 198.51.100.2       # expect: reply
ip netns exec c4 ping -c 1 -W 1 192.0.2.3          # expect: no-reply
iptables -L DOCKER -n -v -x
iptables -L DOCKER-FORWARD -n -v -x
iptables -t raw -L PREROUTING -n -v -x
iptables -t nat -L POSTROUTING -n -v -x

# TCP: c3 reaches neither c2's port nor, through the host's address, its
# published port (no DNAT -i bridge1: docker-proxy's job, not modelled).
ip netns exec c3 nc -z -w 1 192.0.2.2 80           # expect: timeout
ip netns exec c3 nc -z -w 1 192.168.0.100 8080     # expect: refused
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
# The routed network's published container port is open from outside and from other networks, no other port.
ip netns exec wan nc -z -w 1 198.51.100.2 80       # expect: connected
ip netns exec wan nc -z -w 1 198.51.100.2 81       # expect: timeout    (! -i bridge2 -o bridge2 DROP)
ip netns exec c1 nc -z -w 1 198.51.100.2 80        # expect: connected
# bridge1 (nat mode) keeps the raw-table drop for direct access.
ip netns exec wan nc -z -w 1 192.0.2.2 80          # expect: timeout
iptables -L DOCKER -n -v
