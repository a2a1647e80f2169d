# Stage 7: forwarding on. The request now reaches 8.8.8.8, but the reply is
# addressed to 172.18.0.10, and the far side has no route to that network.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh
. ./lib/bridge-address.sh
. ./lib/default-route.sh

echo 1 > /proc/sys/net/ipv4/ip_forward
cat /proc/sys/net/ipv4/ip_forward
ip netns exec netns0 ping -c 1 -W 1 8.8.8.8        # expect: no-reply
# The host still reaches 8.8.8.8 itself: its source address is its own.
ping -c 1 8.8.8.8                                  # expect: reply
