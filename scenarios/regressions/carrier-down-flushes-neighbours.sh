# Regression (found by the differential fuzzer): when a veth end goes down,
# its peer loses the carrier, and neigh_carrier_down() flushes the peer's
# neighbour entries (all but permanent ones). The simulator kept them.
ip netns add n0
ip -n n0 link set lo up
ip link add va0 netns n0 type veth peer name vb0 netns n0
ip -n n0 link set va0 up
ip -n n0 link set vb0 up
ip -n n0 addr add 10.0.1.1/24 dev vb0
ip -n n0 neigh add 10.0.1.9 lladdr 02:00:00:00:00:09 dev vb0 nud permanent
ip netns exec n0 ping -c 1 -W 0.3 10.0.1.2        # expect: no-reply
ip -n n0 link set va0 down
ip -n n0 neigh                                   # expect: ok
ip netns exec n0 ping -c 1 -W 0.3 10.0.1.2        # expect: no-reply
