# Stage 5: the containers know only their own subnet: anything else has no
# route at all, and ping fails before sending.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh
. ./lib/bridge-address.sh

ip netns exec netns0 ip route
ip netns exec netns0 ping -c 1 8.8.8.8             # expect: unreachable
ping -c 1 8.8.8.8                                  # expect: reply   (the host itself has its uplink)
