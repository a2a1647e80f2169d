# A Docker 27 host (moby v27.5.1, iptables backend): docker0 with c1, and
# two user-defined bridge networks created after it, br-1a2b3c4d5e6f
# (172.18.0.0/16) with web publishing 8080 -> 80 and br-6f5e4d3c2b1a
# (172.19.0.0/16) with db. The rules are what v27.5.1's
# libnetwork/drivers/bridge writes, in its order: setupIPChains creates the
# chains and appends the isolation chains' RETURN; each network then
# inserts (-I) its MASQUERADE and nat DOCKER RETURN, its ICC and outgoing
# ACCEPT, its FORWARD jump to DOCKER and ESTABLISHED ACCEPT
# (iptables.ProgramChain) and its isolation rules (setINC), so the newest
# network's rules come first; EnsureJumpRule moves DOCKER-ISOLATION-STAGE-1
# and then DOCKER-USER (with its RETURN, firewall_linux.go) to the head of
# FORWARD; port_mapping_linux.go appends the published port's DNAT,
# MASQUERADE and filter DOCKER ACCEPT. This is the layout Docker has written
# since 20.10 (docker-host.sh); 27 only moved port publishing from the
# portmapper into the bridge driver, whose "-d 0/0" iptables-save leaves
# out. There is no raw table yet: a container's address is reachable from
# outside wherever FORWARD lets it through (28 closed that).
. ../walkthrough/lib/uplink.sh

# Docker turns forwarding on, and with it the FORWARD policy DROP (setup_ip_forwarding.go).
sysctl -q -w net.ipv4.ip_forward=1

. lib/container.sh

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add br-1a2b3c4d5e6f type bridge
ip addr add 172.18.0.1/16 dev br-1a2b3c4d5e6f
ip link set br-1a2b3c4d5e6f up
ip link add br-6f5e4d3c2b1a type bridge
ip addr add 172.19.0.1/16 dev br-6f5e4d3c2b1a
ip link set br-6f5e4d3c2b1a up

container c1 docker0 veth1a2b3c4 172.17.0.2/16 172.17.0.1
container web br-1a2b3c4d5e6f veth5d6e7f8 172.18.0.2/16 172.18.0.1
container db br-6f5e4d3c2b1a veth9a8b7c6 172.19.0.2/16 172.19.0.1
ip netns exec web nc -lk 80 &
ip netns exec db nc -lk 5432 &
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
-A FORWARD -o br-6f5e4d3c2b1a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o br-6f5e4d3c2b1a -j DOCKER
-A FORWARD -i br-6f5e4d3c2b1a ! -o br-6f5e4d3c2b1a -j ACCEPT
-A FORWARD -i br-6f5e4d3c2b1a -o br-6f5e4d3c2b1a -j ACCEPT
-A FORWARD -o br-1a2b3c4d5e6f -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o br-1a2b3c4d5e6f -j DOCKER
-A FORWARD -i br-1a2b3c4d5e6f ! -o br-1a2b3c4d5e6f -j ACCEPT
-A FORWARD -i br-1a2b3c4d5e6f -o br-1a2b3c4d5e6f -j ACCEPT
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.18.0.2/32 ! -i br-1a2b3c4d5e6f -o br-1a2b3c4d5e6f -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i br-6f5e4d3c2b1a ! -o br-6f5e4d3c2b1a -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i br-1a2b3c4d5e6f ! -o br-1a2b3c4d5e6f -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o br-6f5e4d3c2b1a -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o br-1a2b3c4d5e6f -j DROP
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
-A POSTROUTING -s 172.19.0.0/16 ! -o br-6f5e4d3c2b1a -j MASQUERADE
-A POSTROUTING -s 172.18.0.0/16 ! -o br-1a2b3c4d5e6f -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 172.18.0.2/32 -d 172.18.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i br-6f5e4d3c2b1a -j RETURN
-A DOCKER -i br-1a2b3c4d5e6f -j RETURN
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i br-1a2b3c4d5e6f -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80
COMMIT
RULES
iptables-save

# ICMP first, so that the kernel check compares the rule counters below (nc's
# segments are not yet sent byte for byte, so counters after an nc probe are not).
# Containers of every network reach the internet through MASQUERADE.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec web ping -c 1 -W 1 8.8.8.8           # expect: reply
ip netns exec db ping -c 1 -W 1 8.8.8.8            # expect: reply
# The two user networks are isolated from each other and from docker0 (DOCKER-ISOLATION-STAGE-2 drops).
ip netns exec db ping -c 1 -W 1 172.18.0.2         # expect: no-reply
ip netns exec web ping -c 1 -W 1 172.19.0.2        # expect: no-reply
ip netns exec c1 ping -c 1 -W 1 172.19.0.2         # expect: no-reply
# From outside, straight to a container's address: FORWARD sends it to DOCKER, which only
# accepts the published TCP port; the FORWARD policy drops the rest.
ip -n wan route add 172.18.0.0/16 via 192.168.0.100
ip -n wan route add 172.19.0.0/16 via 192.168.0.100
ip netns exec wan ping -c 1 -W 1 172.18.0.2        # expect: no-reply
iptables -L FORWARD -n -v -x
iptables -L DOCKER-ISOLATION-STAGE-1 -n -v -x
iptables -L DOCKER-ISOLATION-STAGE-2 -n -v -x
iptables -t nat -L POSTROUTING -n -v -x

# The published port, from outside and from the host itself (nat OUTPUT -> DOCKER).
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
# Isolation holds for TCP, even for the published port addressed to the
# container: DOCKER-ISOLATION-STAGE-2 comes before the jump to DOCKER.
ip netns exec web nc -z -w 1 172.19.0.2 5432       # expect: timeout
ip netns exec db nc -z -w 1 172.18.0.2 80          # expect: timeout
# Through the host's address a packet from a bridge is not DNATed (nat DOCKER -i BRIDGE RETURN):
# docker-proxy would answer there; without it, nothing listens on 8080.
ip netns exec db nc -z -w 1 192.168.0.100 8080     # expect: refused
# From outside, straight to the published container port: accepted (no raw-table drop before 28)...
ip netns exec wan nc -z -w 1 172.18.0.2 80         # expect: connected
# ...and nothing else.
ip netns exec wan nc -z -w 1 172.19.0.2 5432       # expect: timeout
iptables -L DOCKER -n -v
iptables -t nat -L DOCKER -n -v
