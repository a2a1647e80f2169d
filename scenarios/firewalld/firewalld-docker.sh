# firewalld (nftables backend) and Docker on one host: two firewalls on the
# same netfilter hooks, where an accept in one base chain is not final.
#
# firewalld 2.1.1 (the Ubuntu 24.04 package; tag v2.1.1 of
# github.com/firewalld/firewalld): firewalld-public.nft is the `table inet
# firewalld` it writes with its stock firewalld.conf (DefaultZone=public,
# IPv6_rpfilter=yes, RFC3964_IPv4=yes, LogDenied=off, no flowtable, no
# counters), the stock public zone (ssh, dhcpv6-client, <forward/>) and the
# allow-host-ipv6 policy, and no interface bound to a zone (no
# NetworkManager to bind eth0): build_default_rules(), build_rpfilter_rules(),
# build_rfc3964_ipv4_rules(), build_policy_chain_rules() and
# build_policy_ingress_egress_pair_rules() of src/firewall/core/nftables.py,
# in the rule text and dispatch order of src/tests/features/policy.at and
# src/tests/cli/firewall-cmd.at of that tag. firewalld-docker-zone.nft is
# what it adds once Docker puts its bridges into the `docker` zone (target
# ACCEPT) that dockerd creates, which also activates dockerd's
# docker-forwarding policy (ANY -> docker, ACCEPT; moby
# libnetwork/iptables/firewalld.go setupDockerZone,
# setupDockerForwardingPolicy, AddInterfaceFirewalld). The dispatch rows
# (which zone-derived policy pairs fw_zone.py makes) are derived by hand;
# their text and order were checked by running that tag's own
# build_policy_ingress_egress_pair_rules() and _policy_dispatch_sort_key()
# on these zones and policies. The docker-forwarding policy's empty nat and
# mangle chains are left out (it has no nat or mangle settings).
#
# Docker 29 (iptables-nft, the layout of ../docker/docker-29-host.sh): the
# default bridge docker0 with c1, a user network br-5f3a2e1c9d7b
# (172.18.0.0/16) with c2 publishing 8080 -> 80, and an external client in
# the `wan` namespace.
#
# The hooks: Docker's ip filter FORWARD runs at priority 0, firewalld's
# filter_FORWARD at filter + 10 on the same forward hook. Docker's ACCEPT
# ends only its own base chain; firewalld's chain still sees the packet, and
# with docker0 in no zone the default zone's dispatch rejects it
# (filter_FORWARD_POLICIES: `jump filter_FWD_public`, then `reject with
# icmpx admin-prohibited`). The inverse holds too: once firewalld accepts
# everything into the docker zone, Docker's own raw PREROUTING drop of direct
# access to a container's address still drops it.
. ../walkthrough/lib/uplink.sh
. ../docker/lib/container.sh

sysctl -q -w net.ipv4.ip_forward=1

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add br-5f3a2e1c9d7b type bridge
ip addr add 172.18.0.1/16 dev br-5f3a2e1c9d7b
ip link set br-5f3a2e1c9d7b up
container c1 docker0 veth1a2b3c4 172.17.0.2/16 172.17.0.1
container c2 br-5f3a2e1c9d7b veth5d6e7f8 172.18.0.2/16 172.18.0.1
ip netns exec c2 nc -lk 80 &
# A service of the host's own, for the containers (a DNS proxy, say).
nc -lk 5353 &
sleep 1

nft -f firewalld-public.nft

iptables-restore <<'RULES'
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP
-A PREROUTING -d 172.18.0.2/32 ! -i br-5f3a2e1c9d7b -j DROP
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
-A DOCKER -d 172.18.0.2/32 ! -i br-5f3a2e1c9d7b -o br-5f3a2e1c9d7b -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER ! -i br-5f3a2e1c9d7b -o br-5f3a2e1c9d7b -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-BRIDGE -o br-5f3a2e1c9d7b -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-CT -o br-5f3a2e1c9d7b -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-INTERNAL
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
-A DOCKER-FORWARD -i br-5f3a2e1c9d7b -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.18.0.0/16 ! -o br-5f3a2e1c9d7b -j MASQUERADE
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER ! -i br-5f3a2e1c9d7b -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80
COMMIT
RULES
ip -n wan route add 172.17.0.0/16 via 192.168.0.100
ip -n wan route add 172.18.0.0/16 via 192.168.0.100

# stage: docker0 and the user bridge in no firewalld zone
# (a) Containers to the internet: Docker's DOCKER-FORWARD accepts (-i docker0
# ACCEPT), then firewalld's filter_FORWARD (priority filter + 10) dispatches
# docker0, in no zone, to the default zone public, whose FWD chain accepts
# nothing: the final reject of filter_FORWARD_POLICIES answers admin-prohibited.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8                  # expect: no-reply
ip netns exec c2 ping -c 1 -W 1 8.8.8.8                  # expect: no-reply
iptables -L DOCKER-FORWARD -n -v -x
# (b) The published port from outside: Docker's DNAT, then DOCKER accepts
# port 80, and firewalld's filter_FORWARD lets it pass by `ct status dnat accept`.
ip netns exec wan nc -z -w 1 192.168.0.100 8080          # expect: connected
# (c) The host to a container: OUTPUT has no zone dispatch that drops, and the
# replies are `ct state { established, related }`.
ping -c 1 -W 1 172.17.0.2                                # expect: reply
nc -z -w 1 172.18.0.2 80                                 # expect: connected
# (d) A container to the host: filter_INPUT dispatches docker0 to the public
# zone: ICMP passes (meta l4proto { icmp, ipv6-icmp } accept), port 5353 does
# not (only ssh and dhcpv6-client are open): admin-prohibited, which nc
# reads as "No route to host".
ip netns exec c1 ping -c 1 -W 1 172.17.0.1               # expect: reply
ip netns exec c1 nc -z -w 1 172.17.0.1 5353              # expect: unreachable
# (e) Direct access from outside to a container's address: Docker drops it in
# raw PREROUTING, before either filter chain.
ip netns exec wan ping -c 1 -W 1 172.17.0.2              # expect: no-reply

# stage: the fix, docker0 and br-5f3a2e1c9d7b in the docker zone
# What `firewall-cmd --zone=docker --add-interface=docker0` (and the same for
# br-5f3a2e1c9d7b) does to the table; dockerd makes these calls at start when
# firewalld runs, and again when firewalld reloads.
nft -f firewalld-docker-zone.nft
nft list chain inet firewalld filter_FORWARD_POLICIES
ip netns exec c1 ping -c 1 -W 1 8.8.8.8                  # expect: reply
ip netns exec c2 ping -c 1 -W 1 8.8.8.8                  # expect: reply
ip netns exec wan nc -z -w 1 192.168.0.100 8080          # expect: connected
ping -c 1 -W 1 172.17.0.2                                # expect: reply
nc -z -w 1 172.18.0.2 80                                 # expect: connected
ip netns exec c1 nc -z -w 1 172.17.0.1 5353              # expect: connected
# The inverse: firewalld now accepts everything forwarded into the docker zone
# (docker-forwarding, then the zone's own ACCEPT), yet Docker's raw PREROUTING
# drop still ends the packet: a drop in any base chain is final.
ip netns exec wan ping -c 1 -W 1 172.17.0.2              # expect: no-reply
ip netns exec wan nc -z -w 1 172.18.0.2 80               # expect: timeout
iptables -t raw -L PREROUTING -n -v -x
