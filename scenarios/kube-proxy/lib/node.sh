# The node of the kube-proxy scenarios, with kubernetes' test addresses
# (pkg/proxy/{iptables,nftables}/proxier_test.go): its uplink to the router
# "wan", two outside clients behind it, the CNI bridge cni0, and pod(), which
# joins a pod to it.
# ---- the network around the node ----
# The upstream router "wan" (192.168.0.1), the node's uplink eth0 and two
# outside clients behind the router. The router sends the load balancer and
# external IPs to the node, as a cloud load balancer or BGP speaker would.
ip netns add wan
ip link add eth0 type veth peer name wan0 netns wan
ip addr add 192.168.0.2/24 dev eth0
ip link set eth0 up
ip -n wan addr add 192.168.0.1/24 dev wan0
ip -n wan link set lo up
ip -n wan link set wan0 up
ip route add default via 192.168.0.1
ip netns exec wan sysctl -q -w net.ipv4.ip_forward=1
for route in 172.30.0.0/16 192.168.99.0/24 1.2.3.4/32 5.6.7.8/32; do
  ip -n wan route add "$route" via 192.168.0.2
done

# client NAME ADDRESS/25 GATEWAY: an outside host on a /25 of its own behind wan.
client() {
  ip netns add "$1"
  ip link add "wan-$1" netns wan type veth peer name eth0 netns "$1"
  ip -n wan addr add "$3/25" dev "wan-$1"
  ip -n wan link set "wan-$1" up
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$2" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" route add default via "$3"
}
client outside 203.0.113.2/25 203.0.113.1
client blocked 203.0.113.130/25 203.0.113.129

# ---- the pods, on the CNI bridge ----
ip link add cni0 type bridge
ip link set cni0 up
ip addr add 10.0.0.1/8 dev cni0
sysctl -q -w net.ipv4.ip_forward=1

# pod NAME HOST-VETH ADDRESS [hairpin]: a pod on cni0, as the bridge plugin
# wires it (with "hairpinMode": true, the host veth in hairpin mode).
pod() {
  ip netns add "$1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip link set "$2" master cni0
  if [[ ${4-} == hairpin ]]; then bridge link set dev "$2" hairpin on; fi
  ip link set "$2" up
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$3/8" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" route add default via 10.0.0.1
}
