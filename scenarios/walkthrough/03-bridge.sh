# Stage 3: a bridge joins the host ends of both veths, and the containers
# reach each other through it.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh

ip link add br0 type bridge
ip link set br0 up
ip addr del 172.18.0.11/16 dev veth0
ip addr del 172.18.0.21/16 dev veth1
ip link set veth0 master br0
ip link set veth1 master br0

ip netns exec netns0 ping -c 1 172.18.0.20         # expect: reply
ip netns exec netns1 ping -c 1 172.18.0.10         # expect: reply
ip link show master br0
# The host itself has no address in 172.18.0.0/16 any more.
ping -c 1 172.18.0.10                              # expect: no-reply   (the default route sends it to the uplink)
