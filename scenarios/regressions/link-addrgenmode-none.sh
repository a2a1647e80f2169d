# Regression (found on published scripts: larsch/veth-examples sets
# `ip -n NS link set DEV addrgenmode none` before bringing a veth up, and
# abreuferr/devops deletes its bridge with `ip link del name BR type bridge`).
# The simulator refused `addrgenmode` ("either "dev" is duplicate, or
# "addrgenmode" is a garbage") and took `name` in `ip link del` for the
# device's name. The kernel: the mode is read when IPv6 configures the link
# (no link-local address, no fe80::/64), and `name BR` names the device.
ip netns add ns1
ip netns add ns2
ip link add dev1 address 02:00:00:00:00:01 type veth peer name dev2 address 02:00:00:00:00:02
ip link set dev1 netns ns1
ip -n ns1 link set dev1 addrgenmode none                  # expect: ok
ip -n ns1 link set dev1 up
ip -n ns1 addr add 10.0.0.1/24 dev dev1
ip link set dev2 netns ns2
ip -n ns2 link set dev2 up
ip -n ns2 addr add 10.0.0.2/24 dev dev2
sleep 3
ip -n ns1 addr show dev1
ip -n ns2 addr show dev2
ip -n ns1 route show table all
ip -n ns1 -d link show dev1
ip netns exec ns1 ping -c 1 -W 1 10.0.0.2                 # expect: reply

# The mode of a configured link changes nothing until it is configured again.
ip -n ns2 link set dev2 addrgenmode none
ip -n ns2 addr show dev2
ip -n ns2 link set dev2 down
ip -n ns2 link set dev2 up
sleep 3
ip -n ns2 addr show dev2

# A new link has no IPv6 state yet: the kernel refuses the mode and creates nothing.
ip link add br1 addrgenmode none type bridge              # expect: error
ip link add br1 type bridge
ip link set br1 addrgenmode none up                       # expect: ok
ip link del name br1 type bridge                          # expect: ok
ip link del name br1 type bridge                          # expect: error
ip link show br1                                          # expect: error
