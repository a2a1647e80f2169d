# Regression (found by the differential fuzzer): br_stp_recalculate_bridge_id()
# starts from br_mac_zero, so a bridge whose last port leaves (moved to another
# bridge, released, or deleted) takes the address 00:00:00:00:00:00; only a MAC
# set by hand is kept. The simulator kept the bridge's earlier address.
ip netns add n0
ip -n n0 link add br0 type bridge
ip -n n0 link add br1 type bridge
ip -n n0 link add br2 type bridge
ip -n n0 link set br2 address 02:00:00:00:00:22
ip -n n0 link add va0 type veth peer name vb0
ip -n n0 link add vc0 type veth peer name vd0
ip -n n0 link set va0 master br0
ip -n n0 link set va0 master br1
ip -n n0 link set vc0 master br2
ip -n n0 link set vc0 nomaster
ip -n n0 link set br0 up
ip -n n0 link show br0                            # expect: ok
ip -n n0 link set va0 nomaster
ip -n n0 link set vc0 master br1
ip -n n0 link del vc0
ip -n n0 link show                                # expect: ok
