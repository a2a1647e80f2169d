# Regression (issue 15, item 3): a namespace on a bridge whose gateway is a
# veth end (veth0) whose peer bp0 is a port of that same bridge. br0 answers
# the namespace's ARP for 10.1.0.1 (weak host, arp_ignore=0) before veth0
# does, so the echo request goes to br0 itself: PREROUTING once with -i br0,
# routed out of eth0 where MASQUERADE applies; nat POSTROUTING -o br0 sees
# nothing. The reply, de-masqueraded, is routed out of veth0 and bridged from
# bp0 to c1: filter FORWARD -i br0 -o br0 and mangle POSTROUTING -o br0 count
# it. Counters measured on the kernel.
ip netns add c1
ip netns add wan
ip link add br0 type bridge
ip link set br0 up
ip link add bp0 type veth peer name veth0
ip link set bp0 master br0
ip link set bp0 up
ip link set veth0 up
ip addr add 10.1.0.1/24 dev veth0
ip link add cp0 type veth peer name ceth0
ip link set ceth0 netns c1
ip link set cp0 master br0
ip link set cp0 up
ip -n c1 link set lo up
ip -n c1 link set ceth0 up
ip -n c1 addr add 10.1.0.2/24 dev ceth0
ip -n c1 route add default via 10.1.0.1
ip link add eth0 type veth peer name weth0
ip link set weth0 netns wan
ip link set eth0 up
ip addr add 192.168.0.100/24 dev eth0
ip -n wan link set weth0 up
ip -n wan addr add 192.168.0.1/24 dev weth0
ip -n wan addr add 8.8.8.8/32 dev lo
ip -n wan link set lo up; ip route add default via 192.168.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t raw -A PREROUTING -i br0 -p icmp
iptables -t raw -A PREROUTING -i veth0 -p icmp
iptables -t mangle -A PREROUTING -i br0 -p icmp
iptables -t nat -A PREROUTING -i br0 -p icmp
iptables -t nat -A PREROUTING -i veth0 -p icmp
iptables -A FORWARD -i br0 -o br0 -p icmp -j ACCEPT
iptables -t mangle -A POSTROUTING -o br0 -p icmp
iptables -t nat -A POSTROUTING -o br0 -p icmp
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -P FORWARD DROP
iptables -A FORWARD -o eth0 -j ACCEPT
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
ip netns exec c1 ping -c 1 -W 1 8.8.8.8  # expect: reply
conntrack -L -p icmp
iptables-save -c
