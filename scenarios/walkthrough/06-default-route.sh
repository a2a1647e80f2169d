# Stage 6: a default route via the bridge's address. The host receives the
# packets but, with forwarding off, drops them without a word.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh
. ./lib/bridge-address.sh

ip netns exec netns0 ip route add default via 172.18.0.1
ip netns exec netns0 ip route
sysctl net.ipv4.ip_forward
ip netns exec netns0 ping -c 1 -W 1 8.8.8.8        # expect: no-reply
