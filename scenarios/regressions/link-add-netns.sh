# Regression (found by the differential fuzzer): `ip link add NAME netns NS
# type veth peer name PEER [netns NS2]` creates NAME in NS (rtnl_newlink()'s
# dest_net), and the peer in NS2 or, without one, in the caller's namespace.
# The simulator created NAME in the caller's namespace, so `ip -n NS link
# set NAME up` failed with `Cannot find device`.
ip netns add n0
ip netns add n1
ip -n n0 link set lo up
ip link add va0 netns n0 type veth peer name vb0 netns n0
ip -n n0 link set va0 up                         # expect: ok
ip -n n0 link set vb0 up                         # expect: ok
ip -n n0 addr add 10.0.0.1/24 dev va0
ip -n n0 addr add 10.0.0.2/24 dev vb0
ip netns exec n0 ping -c 1 -W 1 10.0.0.2         # expect: reply

# Without a peer netns, the peer stays with the caller (the root namespace).
ip link add va1 netns n1 type veth peer name vb1
ip link set vb1 up                               # expect: ok
ip -n n1 link set va1 up                         # expect: ok
ip addr add 10.1.0.1/24 dev vb1
ip -n n1 addr add 10.1.0.2/24 dev va1
ping -c 1 -W 1 10.1.0.2                          # expect: reply
