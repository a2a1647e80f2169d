# Regression: br_netfilter runs PREROUTING once per frame, in
# br_handle_frame()'s NF_BR_PRE_ROUTING hook before the FDB lookup; FORWARD
# and POSTROUTING run per egress port (br_forward() for each port of a
# flood). The simulator ran PREROUTING per egress port, so a flooded IPv4
# frame walked raw/mangle PREROUTING once per port.
# n0 sends to a MAC nobody has (a static neighbour), so br0 floods the
# frame to the ports of n1 and n2.
ip link add br0 type bridge
ip link set br0 up
for i in 0 1 2; do
  ip netns add n$i
  ip link add v$i type veth peer name c$i
  ip link set c$i netns n$i
  ip link set v$i master br0
  ip link set v$i up
  ip -n n$i link set c$i up
  ip -n n$i addr add 10.0.0.1$i/24 dev c$i
done
ip -n n0 neigh add 10.0.0.99 lladdr 02:00:00:00:00:99 dev c0
iptables -t raw -A PREROUTING -i br0 -p icmp
iptables -t mangle -A PREROUTING -i br0 -p icmp
iptables -A FORWARD -i br0 -o br0 -p icmp
iptables -t mangle -A POSTROUTING -o br0 -p icmp
ip netns exec n0 ping -c 1 -W 1 10.0.0.99    # expect: no-reply
iptables-save -c -t raw
iptables-save -c -t mangle
iptables-save -c -t filter
