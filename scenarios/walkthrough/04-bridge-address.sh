# Stage 4: the bridge gets an address; the host reaches both containers
# through br0.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh

ip addr add 172.18.0.1/16 dev br0
ip route
ping -c 1 172.18.0.10                              # expect: reply
ping -c 1 172.18.0.20                              # expect: reply
ip netns exec netns0 ping -c 1 172.18.0.1          # expect: reply
