# A Docker host (Docker 20.10-26 with the iptables backend): the default
# bridge docker0 with two containers, a user-defined bridge network
# (br-5d3c1a7e9f21) with a container publishing port 8080 -> 80, and the
# ruleset Docker installs for exactly that setup, loaded the way
# `iptables-save` prints it. docker-proxy (the userland proxy for
# 127.0.0.1) is not part of the ruleset and not modelled.
. ../walkthrough/lib/uplink.sh

# Docker turns forwarding on.
sysctl -q -w net.ipv4.ip_forward=1

# container NAME BRIDGE HOST-VETH ADDRESS GATEWAY: a namespace joined to a bridge, as Docker wires one.
container() {
  ip netns add "$1"
  ip link add "$3" type veth peer name eth0 netns "$1"
  ip link set "$3" master "$2"
  ip link set "$3" up
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$4/16" dev eth0
  ip netns exec "$1" ip link set eth0 up
  ip netns exec "$1" ip route add default via "$5"
}

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add br-5d3c1a7e9f21 type bridge
ip addr add 172.19.0.1/16 dev br-5d3c1a7e9f21
ip link set br-5d3c1a7e9f21 up

container c1 docker0 veth1a2b3c4 172.17.0.2 172.17.0.1
container c2 docker0 veth5d6e7f8 172.17.0.3 172.17.0.1
container web br-5d3c1a7e9f21 veth9a8b7c6 172.19.0.2 172.19.0.1
ip netns exec web nc -lk 80 &
sleep 1

iptables-restore <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o br-5d3c1a7e9f21 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o br-5d3c1a7e9f21 -j DOCKER
-A FORWARD -i br-5d3c1a7e9f21 ! -o br-5d3c1a7e9f21 -j ACCEPT
-A FORWARD -i br-5d3c1a7e9f21 -o br-5d3c1a7e9f21 -j ACCEPT
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.19.0.2/32 ! -i br-5d3c1a7e9f21 -o br-5d3c1a7e9f21 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i br-5d3c1a7e9f21 ! -o br-5d3c1a7e9f21 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o br-5d3c1a7e9f21 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.19.0.0/16 ! -o br-5d3c1a7e9f21 -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.19.0.2/32 -d 172.19.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i br-5d3c1a7e9f21 -j RETURN
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i br-5d3c1a7e9f21 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.19.0.2:80
COMMIT
RULES
iptables-save

# The published port, from outside and from the host itself (nat OUTPUT -> DOCKER).
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
nc -z -w 1 172.19.0.1 8080                         # expect: connected   (any local address: addrtype LOCAL)
# Containers on one network reach each other (-i docker0 -o docker0 ACCEPT, bridged through br_netfilter).
ip netns exec c1 ping -c 1 -W 1 172.17.0.3         # expect: reply
# The two networks are isolated from each other (DOCKER-ISOLATION-STAGE-2 drops).
ip netns exec c1 ping -c 1 -W 1 172.19.0.2         # expect: no-reply
ip netns exec web ping -c 1 -W 1 172.17.0.2        # expect: no-reply
# Containers reach the internet through MASQUERADE.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec web ping -c 1 -W 1 8.8.8.8           # expect: reply
# Nothing reaches a container's port that was not published.
ip netns exec wan nc -z -w 1 192.168.0.100 80      # expect: refused   (the host itself has nothing on 80)
iptables -L FORWARD -n -v --line-numbers
iptables -t nat -L DOCKER -n -v
conntrack -L -p tcp
