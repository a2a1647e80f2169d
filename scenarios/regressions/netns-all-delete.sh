# Regression (found on a published script whose clean() runs
# `ip -all netns del || true` before rebuilding its bridge). The simulator
# answered "No netns name specified"; iproute2 deletes every named namespace
# (and the veth ends in them, with their peers), silently, exit 0.
ip -all netns del                                        # expect: ok
ip netns add net1
ip netns add net2
ip link add veth1a type veth peer name veth1b
ip link set veth1b netns net1
ip link add veth2a type veth peer name veth2b
ip link set veth2b netns net2
ip -all netns del                                        # expect: ok
ip netns
ip link show veth1a                                      # expect: error
ip netns add net1                                        # expect: ok
