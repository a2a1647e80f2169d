# A host running pods through CNI's reference plugins (containernetworking/
# plugins), chained as a runtime calls them for every pod: bridge, portmap,
# firewall. Two networks, each a conflist of that chain:
#   "demo"  bridge cni0, 10.88.0.0/16, isGateway, ipMasq, hairpinMode
#   "other" bridge cni1, 10.89.0.0/16, isGateway, ipMasq
#   portmap (snat defaults on, markMasqBit 13), firewall (backend iptables,
#   ingressPolicy "same-bridge", the policy nerdctl uses).
# pod-a (demo, 10.88.0.2) publishes hostPort 8080 -> 80/tcp; pod-b (demo,
# 10.88.0.3) and pod-c (other, 10.89.0.2) publish nothing. Container IDs are
# sha256 of the pod name; chain names are as the plugins derive them.
# The iptables commands are the ones the plugins issue through go-iptables,
# in order, for ADD of pod-a, pod-b, pod-c (go-iptables adds --wait; a rule
# already there, which the plugins check with -C first, is not added again):
#   pkg/ip/ipmasq_iptables_linux.go SetupIPMasq (bridge, ipMasq):
#     nat CNI-<sha512(network+id)>: -d <pod ip/len> ACCEPT, ! -d 224.0.0.0/4
#     MASQUERADE, both with -m comment; POSTROUTING -s <pod ip> -j that chain.
#   plugins/meta/portmap/portmap_iptables.go forwardPorts (portmap):
#     genSetMarkChain  CNI-HOSTPORT-SETMARK  MARK --set-xmark 0x2000/0x2000
#     genMarkMasqChain CNI-HOSTPORT-MASQ     -m mark --mark 0x2000/0x2000
#                      MASQUERADE, its jump inserted first in POSTROUTING
#     genToplevelDnatChain CNI-HOSTPORT-DNAT  from PREROUTING and OUTPUT
#                      (-m addrtype --dst-type LOCAL)
#     genDnatChain/fillDnatRules CNI-DN-<sha512>: per port the hairpin mark
#                      (-s <pod ip/len>), the localhost mark (-s 127.0.0.1),
#                      DNAT; its entry rule -m multiport --destination-ports.
#     main.go cmdAdd: route_localnet=1 on the device toward the pod (cni0).
#   plugins/meta/firewall/iptables.go setupChains/addRules (firewall):
#     filter CNI-FORWARD (inserted first in FORWARD), CNI-ADMIN (first in
#     CNI-FORWARD), per pod -d <ip>/32 RELATED,ESTABLISHED ACCEPT, -s <ip>/32 ACCEPT.
#   plugins/meta/firewall/ingresspolicy.go setupIsolationChains:
#     CNI-ISOLATION-STAGE-1/2, the bridge-to-other-bridge DROP.
. ../walkthrough/lib/uplink.sh

# pod NAME BRIDGE HOST-VETH ADDRESS/LEN GATEWAY: what the bridge plugin wires
# (a veth into the pod's netns, the host side enslaved to the bridge).
pod() {
  ip netns add "$1"
  ip link add "$3" type veth peer name eth0 netns "$1"
  ip link set "$3" master "$2"
  ip link set "$3" up
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$4" dev eth0
  ip netns exec "$1" ip link set eth0 up
  ip netns exec "$1" ip route add default via "$5"
}

# ---- ADD pod-a (network demo, id 9bb860b4...) ----
# bridge: the bridge, its gateway address, the pod's veth (hairpinMode), forwarding.
ip link add cni0 type bridge
ip link set cni0 up
ip addr add 10.88.0.1/16 dev cni0
pod pod-a cni0 vethd81f03a2 10.88.0.2/16 10.88.0.1
bridge link set dev vethd81f03a2 hairpin on
sysctl -q -w net.ipv4.ip_forward=1
# bridge: ipMasq.
iptables -t nat -N CNI-5e153d82739114c68246f71d
iptables -t nat -A CNI-5e153d82739114c68246f71d -d 10.88.0.2/16 -j ACCEPT -m comment --comment 'name: "demo" id: "9bb860b4a6e4acf959daf85d815086f49d8cfdfacce4f29f84f04e480fa3d7da"'
iptables -t nat -A CNI-5e153d82739114c68246f71d ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment 'name: "demo" id: "9bb860b4a6e4acf959daf85d815086f49d8cfdfacce4f29f84f04e480fa3d7da"'
iptables -t nat -A POSTROUTING -s 10.88.0.2 -j CNI-5e153d82739114c68246f71d -m comment --comment 'name: "demo" id: "9bb860b4a6e4acf959daf85d815086f49d8cfdfacce4f29f84f04e480fa3d7da"'
# portmap: the mark and masquerade chains first, the DNAT chains reference them.
iptables -t nat -N CNI-HOSTPORT-SETMARK
iptables -t nat -A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
iptables -t nat -N CNI-HOSTPORT-MASQ
iptables -t nat -A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
iptables -t nat -I POSTROUTING 1 -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
iptables -t nat -N CNI-HOSTPORT-DNAT
iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
iptables -t nat -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
iptables -t nat -N CNI-DN-5e153d82739114c68246f
iptables -t nat -A CNI-DN-5e153d82739114c68246f -p tcp --dport 8080 -s 10.88.0.2/16 -j CNI-HOSTPORT-SETMARK
iptables -t nat -A CNI-DN-5e153d82739114c68246f -p tcp --dport 8080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK
iptables -t nat -A CNI-DN-5e153d82739114c68246f -p tcp --dport 8080 -j DNAT --to-destination 10.88.0.2:80
iptables -t nat -A CNI-HOSTPORT-DNAT -m comment --comment 'dnat name: "demo" id: "9bb860b4a6e4acf959daf85d815086f49d8cfdfacce4f29f84f04e480fa3d7da"' -m multiport -p tcp --destination-ports 8080 -j CNI-DN-5e153d82739114c68246f
# firewall: its chains, first in FORWARD, then this pod's two rules.
iptables -t filter -N CNI-FORWARD
iptables -t filter -N CNI-ADMIN
iptables -t filter -I FORWARD 1 -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
iptables -t filter -I CNI-FORWARD 1 -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
iptables -t filter -A CNI-FORWARD -d 10.88.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -t filter -A CNI-FORWARD -s 10.88.0.2/32 -j ACCEPT
# firewall: ingressPolicy same-bridge, its jump ahead of CNI-FORWARD.
iptables -t filter -N CNI-ISOLATION-STAGE-1
iptables -t filter -N CNI-ISOLATION-STAGE-2
iptables -t filter -I FORWARD 1 -j CNI-ISOLATION-STAGE-1 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"
iptables -t filter -I CNI-ISOLATION-STAGE-1 1 -i cni0 ! -o cni0 -j CNI-ISOLATION-STAGE-2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)"
iptables -t filter -A CNI-ISOLATION-STAGE-1 -j RETURN -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"
iptables -t filter -I CNI-ISOLATION-STAGE-2 1 -o cni0 -j DROP -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"
iptables -t filter -A CNI-ISOLATION-STAGE-2 -j RETURN -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"

# ---- ADD pod-b (network demo, id 274a81a3..., no port mappings: portmap does nothing) ----
pod pod-b cni0 veth6c0e9b17 10.88.0.3/16 10.88.0.1
bridge link set dev veth6c0e9b17 hairpin on
iptables -t nat -N CNI-d711bc68341d996915cc311d
iptables -t nat -A CNI-d711bc68341d996915cc311d -d 10.88.0.3/16 -j ACCEPT -m comment --comment 'name: "demo" id: "274a81a3a76ae1289a4a97cfa266d1b25cbd3c8b7108070a314078898900671c"'
iptables -t nat -A CNI-d711bc68341d996915cc311d ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment 'name: "demo" id: "274a81a3a76ae1289a4a97cfa266d1b25cbd3c8b7108070a314078898900671c"'
iptables -t nat -A POSTROUTING -s 10.88.0.3 -j CNI-d711bc68341d996915cc311d -m comment --comment 'name: "demo" id: "274a81a3a76ae1289a4a97cfa266d1b25cbd3c8b7108070a314078898900671c"'
iptables -t filter -A CNI-FORWARD -d 10.88.0.3/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -t filter -A CNI-FORWARD -s 10.88.0.3/32 -j ACCEPT

# ---- ADD pod-c (network other, id 4bd4e613...) ----
ip link add cni1 type bridge
ip link set cni1 up
ip addr add 10.89.0.1/16 dev cni1
pod pod-c cni1 veth2a7d5e40 10.89.0.2/16 10.89.0.1
iptables -t nat -N CNI-bfcc7940d1f4ca561b06f510
iptables -t nat -A CNI-bfcc7940d1f4ca561b06f510 -d 10.89.0.2/16 -j ACCEPT -m comment --comment 'name: "other" id: "4bd4e6131c7d251239a0bc10825954baf004d0a33f170f290c560f7c55fc737f"'
iptables -t nat -A CNI-bfcc7940d1f4ca561b06f510 ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment 'name: "other" id: "4bd4e6131c7d251239a0bc10825954baf004d0a33f170f290c560f7c55fc737f"'
iptables -t nat -A POSTROUTING -s 10.89.0.2 -j CNI-bfcc7940d1f4ca561b06f510 -m comment --comment 'name: "other" id: "4bd4e6131c7d251239a0bc10825954baf004d0a33f170f290c560f7c55fc737f"'
iptables -t filter -A CNI-FORWARD -d 10.89.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -t filter -A CNI-FORWARD -s 10.89.0.2/32 -j ACCEPT
iptables -t filter -I CNI-ISOLATION-STAGE-1 1 -i cni1 ! -o cni1 -j CNI-ISOLATION-STAGE-2 -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge)"
iptables -t filter -I CNI-ISOLATION-STAGE-2 1 -o cni1 -j DROP -m comment --comment "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)"

iptables-save -t nat
iptables-save -t filter

ip netns exec pod-a nc -lk 80 &
sleep 1

# Pods reach the internet-like uplink: their CNI-<hash> chain masquerades
# anything not for their own subnet (wan has no route back to 10.88/16).
ip netns exec pod-a ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec pod-c ping -c 1 -W 1 8.8.8.8            # expect: reply
conntrack -L -p icmp
# An external client reaches the host port: CNI-HOSTPORT-DNAT -> CNI-DN-* DNATs to pod-a.
ip netns exec wan nc -z -w 1 192.168.0.100 8080       # expect: connected
# pod-a reaches itself through its host port (hairpin): the SYN enters cni0
# on pod-a's port, is DNATed back to pod-a, bridged out of the same port
# (hairpin on), and CNI-HOSTPORT-SETMARK's mark makes CNI-HOSTPORT-MASQ
# masquerade it to 10.88.0.1, so pod-a's reply goes back through the host.
ip netns exec pod-a nc -z -w 1 192.168.0.100 8080     # expect: connected
# pod-b, on the same bridge, too (marked by the same -s 10.88.0.0/16 rule).
ip netns exec pod-b nc -z -w 1 192.168.0.100 8080     # expect: connected
# localhost -> host port: nat OUTPUT DNATs 127.0.0.1:8080 to 10.88.0.2:80;
# leaving by cni0 from 127.0.0.1 needs route_localnet there, and the
# -s 127.0.0.1 mark's masquerade to give pod-a an address to answer.
nc -z -w 1 127.0.0.1 8080                             # expect: timeout
sysctl -w net.ipv4.conf.cni0.route_localnet=1
nc -z -w 1 127.0.0.1 8080                             # expect: connected
# The host's own address works without route_localnet (source 192.168.0.100).
nc -z -w 1 192.168.0.100 8080                         # expect: connected
# Pods on one bridge talk directly (bridged; CNI-FORWARD accepts -s pod).
ip netns exec pod-b ping -c 1 -W 1 10.88.0.2          # expect: reply
# The firewall plugin's ingressPolicy same-bridge: pod-c on cni1 reaches
# neither pod-a's address nor its host port (DNAT to pod-a, then FORWARD
# -i cni1 -o cni0: CNI-ISOLATION-STAGE-2 drops).
ip netns exec pod-c ping -c 1 -W 1 10.88.0.2          # expect: no-reply
ip netns exec pod-c nc -z -w 1 192.168.0.100 8080     # expect: timeout
# CNI-ADMIN is the administrator's: a rule there overrides the plugin's accepts.
iptables -A CNI-ADMIN -s 10.88.0.3/32 -d 8.8.8.8/32 -j DROP
ip netns exec pod-b ping -c 1 -W 1 8.8.8.8            # expect: no-reply
ip netns exec pod-a ping -c 1 -W 1 8.8.8.8            # expect: reply
iptables -t nat -L CNI-HOSTPORT-DNAT -n -v
iptables -t nat -L POSTROUTING -n -v
iptables -L FORWARD -n -v --line-numbers
iptables -L CNI-ISOLATION-STAGE-2 -n -v
conntrack -L -p tcp
