# A Docker 29 host with IPv6 enabled (moby docker-v29.7.2, iptables
# backend, daemon.json "ipv6": true): docker0 (172.17.0.0/16 and
# fd00:dead:beef::/64) with c1 and c1b, bridge1 (192.0.2.0/24 and
# 2001:db8:1::/64) with c2 publishing 8080 -> 80, and an --internal network
# bridge2 (198.51.100.0/24 and fd00:3::/64) with c3. Docker writes the same
# chains twice: iptables for IPv4 and ip6tables for IPv6
# (daemon/libnetwork/drivers/bridge/internal/iptabler, its testdata's
# __ip6tables goldens): per-endpoint raw drops of direct access, DOCKER-CT,
# DOCKER-INTERNAL, DOCKER-BRIDGE -> DOCKER, MASQUERADE per network, and the
# port's DNAT, which for IPv6 leaves link-local sources alone
# (! -s fe80::/10) and excludes ::1 rather than 127.0.0.0/8.
#
# netsim carries IPv4 packets only: the ip6tables rules are held in the ip6
# family's tables, listed, saved and shown by nft as on the kernel, and no
# packet ever meets them (a probe to an IPv6 address is refused by name).
# So the containers get no IPv6 addresses here, and every probe is IPv4;
# what the IPv4 rules do is checked as in docker-29-host.sh.
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
container c1b docker0 veth2b3c4d5 172.17.0.3/16 172.17.0.1
container c2 bridge1 veth5d6e7f8 192.0.2.2/24 192.0.2.1
container c3 bridge2 veth9a8b7c6 198.51.100.2/24 198.51.100.1
ip netns exec c2 nc -lk 80 &
sleep 1

# The IPv4 rules iptabler writes for this layout; docker-29-host.sh and docker-29-ipv6-rules.sh load the same file.
iptables-restore < lib/docker-29-usernet.rules

# The same layout for IPv6, as Docker writes it with ip6tables (the
# endpoints' IPv6 addresses are what IPAM would give them: ::2, ::3).
ip6tables-restore <<'RULES'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d fd00:dead:beef::2/128 ! -i docker0 -j DROP
-A PREROUTING -d fd00:dead:beef::3/128 ! -i docker0 -j DROP
-A PREROUTING -d 2001:db8:1::2/128 ! -i bridge1 -j DROP
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
-A DOCKER -d 2001:db8:1::2/128 ! -i bridge1 -o bridge1 -p tcp -m tcp --dport 80 -j ACCEPT
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
-A DOCKER-FORWARD -i bridge2 -o bridge2 -j ACCEPT
-A DOCKER-INTERNAL ! -s fd00:3::/64 -o bridge2 -j DROP
-A DOCKER-INTERNAL ! -d fd00:3::/64 -i bridge2 -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 2001:db8:1::/64 ! -o bridge1 -j MASQUERADE
-A POSTROUTING -s fd00:dead:beef::/64 ! -o docker0 -j MASQUERADE
-A DOCKER ! -s fe80::/10 ! -i bridge1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:1::2]:80
COMMIT
RULES
iptables-save
ip6tables-save
ip6tables -S
ip6tables -t nat -S
ip6tables -L -n
ip6tables -t raw -L -n
# -n: without it ip6tables asks the resolver for each address's name (a DNS packet on the kernel).
ip6tables -t nat -L DOCKER -n --line-numbers
nft list table ip6 nat
nft list chain ip6 filter DOCKER-INTERNAL
# Docker's DOCKER-USER chain takes a user's own IPv6 rules too (its address
# family's: an IPv4 address is a parameter problem for ip6tables).
ip6tables -I DOCKER-USER -s 2001:db8:bad::/48 -j DROP
ip6tables -I DOCKER-USER -s 198.51.100.7 -j DROP   # expect: error
ip6tables -L DOCKER-USER -n --line-numbers

# IPv4 probes: the ip6 tables are not in an IPv4 packet's way.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec c2 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec c1 ping -c 1 -W 1 172.17.0.3         # expect: reply
ip netns exec c1 ping -c 1 -W 1 192.0.2.2          # expect: no-reply
ip netns exec c3 ping -c 1 -W 1 8.8.8.8            # expect: no-reply
ip netns exec c1 ping -c 1 -W 1 198.51.100.2       # expect: no-reply
iptables -t raw -L PREROUTING -n -v -x
iptables -L DOCKER-FORWARD -n -v -x
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
ip netns exec c1 nc -z -w 1 192.0.2.2 80           # expect: timeout
ip6tables-save -t nat
