# Regression (found by the differential fuzzer): a veth that is up without
# carrier shows DOWN or LOWERLAYERDOWN as default_operstate() decided when
# linkwatch handled the carrier event, and keeps it until the next event. It
# looks up its iflink (the peer's ifindex) in its OWN namespace: DOWN if that
# names itself, nothing, or a device that is operationally up; else
# LOWERLAYERDOWN. Here va2's peer vb2 (n1) has ifindex 2, and ifindex 2 in n0
# is vb0, up when vb2 goes down: va2 shows DOWN, still after vb0 goes down.
# The simulator decided at display time (LOWERLAYERDOWN).
ip netns add n0
ip netns add n1
ip link add va0 netns n0 type veth peer name vb0 netns n0
ip link add va1 netns n0 type veth peer name vb1 netns n0
ip link add va2 netns n0 type veth peer name vb2 netns n1
ip -n n0 link set va0 up
ip -n n0 link set vb0 up
ip -n n0 link set va1 up
ip -n n0 link set vb1 up
ip -n n0 link set va2 up
ip -n n1 link set vb2 up
ip -n n1 link set vb2 down
ip -n n0 link set vb0 down
ip -n n0 -br link show va2
ip netns exec n0 ping -c 1 -W 0.3 10.0.0.1       # expect: unreachable
# A veth set up while its peer (same namespace) is down: LOWERLAYERDOWN.
ip link add vc0 type veth peer name vd0
ip link set vc0 up
ip -br link show vc0
ping -c 1 -W 0.3 10.0.0.1                        # expect: unreachable
