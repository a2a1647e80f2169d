# Regression (found by netsim verify): a device lists its primary addresses
# by scope, host before link before global, because __inet_insert_ifa() puts
# a new primary after the last primary of the same or a narrower scope. So
# 127.0.0.1, which lo gets when it comes up, goes before an 8.8.8.8/32 added
# while lo was down; the simulator used to append it. `netsim verify`
# compares the `ip -j addr` order after every probe and at the end.
ip netns add wan
ip -n wan addr add 8.8.8.8/32 dev lo
ip -n wan link set lo up                         # expect: ok
ip -n wan addr show dev lo
ip netns exec wan ping -c 1 -W 1 8.8.8.8         # expect: reply
ip netns exec wan ping -c 1 -W 1 127.0.0.1       # expect: reply

# The same on a veth: global first, then a host- and a link-scope address
# that go before it, then another global that goes last.
ip link add v0 type veth peer name v1
ip addr add 10.0.0.1/24 dev v0
ip addr add 127.0.0.5/8 dev v0 scope host        # expect: ok
ip addr add 10.1.0.1/24 dev v0 scope link        # expect: ok
ip addr add 10.2.0.1/24 dev v0                   # expect: ok
ip addr show dev v0
ip link set v0 up
ping -c 1 -W 1 10.2.0.1                          # expect: reply
