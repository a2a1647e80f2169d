# A Docker 29 host run with --userland-proxy=false (moby docker-v29.7.2,
# iptablesdoc "usernet-portmap-noproxy"): docker0 with c1, a network bridge1
# (192.0.2.0/24) with c2 publishing 8080 -> 80. Without docker-proxy the
# kernel does all the work: the DNAT rule takes packets from any interface,
# nat OUTPUT jumps to DOCKER for loopback addresses too, MASQUERADE covers
# packets from the host's own addresses (-m addrtype --src-type LOCAL) and a
# container reaching its own published port; the daemon sets route_localnet
# on each bridge (setupLoopbackAddressesRouting) so 127.0.0.1 can be DNATed
# out of it, and hairpin mode on each container's port (CreateEndpoint). The
# filter and raw tables are those of the proxy layout (docker-29-host.sh).
. ../walkthrough/lib/uplink.sh
sysctl -q -w net.ipv4.ip_forward=1

# container NAME BRIDGE HOST-VETH ADDRESS/PREFIX GATEWAY: a namespace joined to a bridge, as Docker wires one, hairpin on.
container() {
  ip netns add "$1"
  ip link add "$3" type veth peer name eth0 netns "$1"
  ip link set "$3" master "$2"
  bridge link set dev "$3" hairpin on
  ip link set "$3" up
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$4" dev eth0
  ip netns exec "$1" ip link set eth0 up
  ip netns exec "$1" ip route add default via "$5"
}

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
sysctl -q -w net.ipv4.conf.docker0.route_localnet=1
ip link add bridge1 type bridge
ip addr add 192.0.2.1/24 dev bridge1
ip link set bridge1 up
sysctl -q -w net.ipv4.conf.bridge1.route_localnet=1

container c1 docker0 veth1a2b3c4 172.17.0.2/16 172.17.0.1
container c2 bridge1 veth5d6e7f8 192.0.2.2/24 192.0.2.1
ip netns exec c2 nc -lk 80 &
sleep 1

iptables-restore <<'RULES'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP
-A PREROUTING -d 192.0.2.2/32 ! -i bridge1 -j DROP
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
-A DOCKER -d 192.0.2.2/32 ! -i bridge1 -o bridge1 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER ! -i bridge1 -o bridge1 -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-BRIDGE -o bridge1 -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-CT -o bridge1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-INTERNAL
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER-FORWARD -i bridge1 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -o bridge1 -m addrtype --src-type LOCAL -j MASQUERADE
-A POSTROUTING -s 192.0.2.0/24 ! -o bridge1 -j MASQUERADE
-A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 192.0.2.2/32 -d 192.0.2.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80
COMMIT
RULES
iptables-save -t nat

# From outside, and from the host on any of its addresses: DNAT in PREROUTING or OUTPUT.
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
# 127.0.0.1 too: DNATed out of bridge1 (route_localnet), then masqueraded to 192.0.2.1 (--src-type LOCAL).
nc -z -w 1 127.0.0.1 8080                          # expect: connected
conntrack -L -p tcp
# The container reaches its own published port: DNAT back to itself, out of its
# own port (hairpin on), masqueraded so that the reply comes back through the host.
ip netns exec c2 nc -z -w 1 192.168.0.100 8080     # expect: connected
# A container of another network reaches it through the host's address too.
ip netns exec c1 nc -z -w 1 192.168.0.100 8080     # expect: connected
ip netns exec c1 nc -z -w 1 192.0.2.2 80           # expect: timeout   (direct: raw PREROUTING drops it)
# Without route_localnet on bridge1 a packet from 127.0.0.1 may not leave through it.
sysctl -q -w net.ipv4.conf.bridge1.route_localnet=0
nc -z -w 1 127.0.0.1 8080                          # expect: timeout
sysctl -q -w net.ipv4.conf.bridge1.route_localnet=1
nc -z -w 1 127.0.0.1 8080                          # expect: connected
# And without hairpin mode on c2's port, the frame DNATed back to c2 may not go out of the port it came in on.
bridge link set dev veth5d6e7f8 hairpin off
ip netns exec c2 nc -z -w 1 192.168.0.100 8080     # expect: timeout
iptables -t nat -L POSTROUTING -n -v
