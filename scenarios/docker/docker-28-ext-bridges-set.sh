# Docker 28.0.0's filter layout (moby's iptablesdoc "usernet-portmap"): the
# FORWARD chain no longer names each bridge in its ESTABLISHED and DOCKER
# jumps but asks one ipset, docker-ext-bridges-v4 (hash:net, a subnet per
# bridge network), whether the packet goes to a Docker network. The default
# bridge docker0 with container c1, a network bridge1 (192.0.2.0/24) with c2
# publishing 8080 -> 80. Docker enabled forwarding, so the FORWARD policy
# is DROP; what the set lets through is what it holds.
. ../walkthrough/lib/uplink.sh
sysctl -q -w net.ipv4.ip_forward=1

. lib/container.sh

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add bridge1 type bridge
ip addr add 192.0.2.1/24 dev bridge1
ip link set bridge1 up
container c1 docker0 veth1a2b3c4 172.17.0.2/16 172.17.0.1
container c2 bridge1 veth5d6e7f8 192.0.2.2/24 192.0.2.1
ip netns exec c2 nc -lk 80 &
sleep 1

# What dockerd creates for its two networks.
ipset create docker-ext-bridges-v4 hash:net family inet
ipset add docker-ext-bridges-v4 172.17.0.0/16
ipset add docker-ext-bridges-v4 192.0.2.0/24

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
-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j DOCKER
-A FORWARD -i bridge1 ! -o bridge1 -j ACCEPT
-A FORWARD -i bridge1 -o bridge1 -j ACCEPT
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 192.0.2.2/32 ! -i bridge1 -o bridge1 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER ! -i bridge1 -o bridge1 -j DROP
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i bridge1 ! -o bridge1 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-2 -o bridge1 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
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
-A POSTROUTING -s 192.0.2.0/24 ! -o bridge1 -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i bridge1 -j RETURN
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i bridge1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80
COMMIT
RULES
iptables -S FORWARD
iptables -L FORWARD -n --line-numbers

# The published port from outside: DNAT to c2, then the set sends it to DOCKER, which accepts port 80.
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
# c1 reaches the internet; the replies come back because their destination is in the set (ESTABLISHED).
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
# The networks stay apart (DOCKER-ISOLATION-STAGE-2).
ip netns exec c1 ping -c 1 -W 1 192.0.2.2          # expect: no-reply
ipset list docker-ext-bridges-v4

# Take docker0's subnet out of the set: its replies no longer match the ESTABLISHED rule and meet the DROP policy.
ipset del docker-ext-bridges-v4 172.17.0.0/16
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: no-reply
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
# And bridge1's: the published port's SYN no longer reaches DOCKER.
ipset del docker-ext-bridges-v4 192.0.2.0/24
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: timeout
ipset add docker-ext-bridges-v4 192.0.2.0/24
ipset add docker-ext-bridges-v4 172.17.0.0/16
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ipset list -t
iptables-save -t filter
