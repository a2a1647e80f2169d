# The first "container": namespace netns0, joined to the host by veth0/ceth0.
ip netns add netns0
ip link add veth0 type veth peer name ceth0
ip link set ceth0 netns netns0
ip link set veth0 up
ip addr add 172.18.0.11/16 dev veth0
ip netns exec netns0 ip link set lo up
ip netns exec netns0 ip link set ceth0 up
ip netns exec netns0 ip addr add 172.18.0.10/16 dev ceth0
