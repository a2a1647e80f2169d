# Stage 8: MASQUERADE. Packets from the containers leave with the host's
# uplink address (192.168.0.100), so the far side can answer; conntrack
# remembers the translation and undoes it on the reply.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh
. ./lib/bridge-address.sh
. ./lib/default-route.sh
. ./lib/ip-forward.sh

iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
iptables -t nat -S
ip netns exec netns0 ping -c 1 -W 1 8.8.8.8        # expect: reply   (ttl=63: one forwarding hop)
# The reply was addressed to 192.168.0.100; conntrack sent it on to 172.18.0.10.
# The ICMP id is the "port", and it is kept.
conntrack -L -p icmp
# The nat table saw the connection's first packet only.
iptables -t nat -L POSTROUTING -n -v
# netns1 too, on a connection of its own.
ip netns exec netns1 ping -c 1 -W 1 8.8.8.8        # expect: reply
# Traffic between the containers stays on br0 and keeps its addresses.
ip netns exec netns0 ping -c 1 172.18.0.20         # expect: reply
