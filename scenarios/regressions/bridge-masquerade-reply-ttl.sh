# Regression: two namespaces on one bridge, and a MASQUERADE rule without
# `! -o br0`: the bridged echo request is masqueraded to br0's address on its
# bridged pass (nat POSTROUTING with -o br0). The reply is addressed to br0;
# br_netfilter's PREROUTING undoes the SNAT, the destination changes, and
# br_nf_pre_routing_finish() finds that br0 itself reaches it: bridged DNAT,
# no routing, so the reply keeps ttl=64. The simulator routed it (ttl=63).
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/16 dev br0
for i in 0 1; do
  ip netns add netns$i
  ip link add veth$i type veth peer name ceth$i
  ip link set ceth$i netns netns$i
  ip link set veth$i master br0
  ip link set veth$i up
  ip -n netns$i link set ceth$i up
  ip -n netns$i addr add 172.18.0.1$i/16 dev ceth$i
done
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 -j MASQUERADE
ip netns exec netns0 ping -c 1 172.18.0.11    # expect: reply   (64 bytes from 172.18.0.11: ... ttl=64)
conntrack -L -p icmp
iptables-save -c -t nat
