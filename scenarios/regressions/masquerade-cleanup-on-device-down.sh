# Regression (issue 15, item 6): MASQUERADE's conntrack cleanup
# (net/netfilter/nf_nat_masquerade.c). When the device a connection was
# masqueraded through goes down, masq_device_event() deletes the conntrack
# entries masqueraded through it; when that device loses the address they
# were masqueraded to (another address stays), masq_inet_event() deletes
# those. Entries not masqueraded (here the host's own ping) stay. The
# simulator kept them all.
. ../walkthrough/lib/uplink.sh
. ../walkthrough/lib/netns0.sh
ip link add br0 type bridge
ip link set br0 up
ip addr del 172.18.0.11/16 dev veth0
ip link set veth0 master br0
ip addr add 172.18.0.1/16 dev br0
ip netns exec netns0 ip route add default via 172.18.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
ip netns exec netns0 ping -c 1 -W 1 8.8.8.8    # expect: reply
ping -c 1 -W 1 172.18.0.10                     # expect: reply
conntrack -L -p icmp
ip link set eth0 down
# The kernel deletes them from a work queue: give it a moment.
sleep 1
conntrack -L -p icmp
ip link set eth0 up
ip route add default via 192.168.0.1
ip netns exec netns0 ping -c 1 -W 1 8.8.8.8    # expect: reply
conntrack -L -p icmp
ip addr add 10.99.0.1/24 dev eth0
ip addr del 192.168.0.100/16 dev eth0
sleep 1
conntrack -L -p icmp
ip neigh
ip addr del 10.99.0.1/24 dev eth0
# The last address gone: fib_disable_ip() flushes eth0's neighbours too.
ip neigh
