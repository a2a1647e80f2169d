# Stage 2: a second namespace on its own veth, in the same /16. The host now
# has two routes for 172.18.0.0/16; the kernel uses the first (via veth0),
# so traffic for netns1 leaves on the wrong cable and ARP goes unanswered.
. ./lib/uplink.sh
. ./lib/netns0.sh

ip netns add netns1
ip link add veth1 type veth peer name ceth1
ip link set ceth1 netns netns1
ip link set veth1 up
ip addr add 172.18.0.21/16 dev veth1
ip netns exec netns1 ip link set lo up
ip netns exec netns1 ip link set ceth1 up
ip netns exec netns1 ip addr add 172.18.0.20/16 dev ceth1

ip route
ip route get 172.18.0.20
ping -c 1 172.18.0.20                              # expect: no-reply   (asked on veth0, where nobody owns .20)
# The reply to netns1 would leave by veth0 too.
ip netns exec netns1 ping -c 1 -W 1 172.18.0.21    # expect: no-reply
# netns0 still works: its veth is the first route.
ip netns exec netns0 ping -c 1 172.18.0.11         # expect: reply
