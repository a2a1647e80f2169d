# container NAME BRIDGE HOST-VETH ADDRESS/PREFIX GATEWAY: a namespace joined
# to a bridge, as Docker's bridge driver wires an endpoint (a veth whose
# namespace end is eth0, the host end a port of the bridge, the gateway the
# bridge's address).
container() {
  ip netns add "$1"
  ip link add "$3" type veth peer name eth0 netns "$1"
  ip link set "$3" master "$2"
  ip link set "$3" up
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$4" dev eth0
  ip netns exec "$1" ip link set eth0 up
  ip netns exec "$1" ip route add default via "$5"
}
