# Stage 1: a network namespace joined to the host by a veth pair.
. ./lib/uplink.sh

ip netns add netns0
ip netns list
# Inside the new namespace there is only lo, and no route at all.
ip netns exec netns0 ip link
ip netns exec netns0 ping -c 1 8.8.8.8             # expect: unreachable

ip link add veth0 type veth peer name ceth0
ip link set ceth0 netns netns0
ip link set veth0 up
ip addr add 172.18.0.11/16 dev veth0
ip netns exec netns0 ip link set lo up
ip netns exec netns0 ip link set ceth0 up
ip netns exec netns0 ip addr add 172.18.0.10/16 dev ceth0

# Each end reaches the other.
ip netns exec netns0 ping -c 1 172.18.0.11         # expect: reply
ping -c 1 172.18.0.10                              # expect: reply
ip netns exec netns0 ip route
