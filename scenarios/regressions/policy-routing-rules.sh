# Regression: policy routing (ip rule; net/core/fib_rules.c, net/ipv4/fib_rules.c).
# A host with two uplinks answers a container by the uplink its rules pick:
# a source rule sends one container address out of the second uplink, a
# fwmark rule (the mark set by mangle PREROUTING for forwarded packets and by
# mangle OUTPUT for the host's own, which ip_route_me_harder() routes again)
# does the same for chosen traffic, suppress_prefixlength 0 keeps main's
# specific routes ahead of the marked table, and rules with their own
# verdict (blackhole, prohibit, unreachable) answer as the kernel does:
# silence, "Packet filtered" and "Net Unreachable" to a forwarded packet
# (ping exits 1), EINVAL, EACCES and ENETUNREACH to the host's own (exit 2).
ip netns add ctr
ip netns add isp1
ip netns add isp2
ip link add vctr type veth peer name eth0 netns ctr
ip link add visp1 type veth peer name eth0 netns isp1
ip link add visp2 type veth peer name eth0 netns isp2
ip link set vctr up
ip link set visp1 up
ip link set visp2 up
ip addr add 10.0.0.1/24 dev vctr
ip addr add 10.1.0.1/24 dev visp1
ip addr add 10.2.0.1/24 dev visp2
ip -n ctr link set lo up
ip -n ctr link set eth0 up
ip -n ctr addr add 10.0.0.2/24 dev eth0
ip -n ctr addr add 10.0.0.3/24 dev eth0
ip -n ctr route add default via 10.0.0.1
for isp in isp1 isp2; do
  ip -n "$isp" link set lo up
  ip -n "$isp" link set eth0 up
done
ip -n isp1 addr add 10.1.0.2/24 dev eth0
ip -n isp2 addr add 10.2.0.2/24 dev eth0
ip -n isp1 route add default via 10.1.0.1
ip -n isp2 route add default via 10.2.0.1
# The same "internet" address behind both uplinks; only isp2 answers pings to it.
ip -n isp1 addr add 8.8.8.8/32 dev lo
ip -n isp2 addr add 8.8.8.8/32 dev lo
ip netns exec isp1 iptables -A INPUT -p icmp --icmp-type echo-request -d 8.8.8.8 -j DROP
sysctl -w net.ipv4.ip_forward=1

ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip route add 10.0.0.0/24 dev vctr table 100

# Main's default goes to isp1, which drops the ping.
ip netns exec ctr ping -c 1 -W 1 8.8.8.8              # expect: no-reply
# From 10.0.0.3, the source rule takes table 100: isp2 answers.
ip rule add from 10.0.0.3 table 100
ip netns exec ctr ping -c 1 -W 1 -I 10.0.0.3 8.8.8.8  # expect: reply
ip netns exec ctr ping -c 1 -W 1 8.8.8.8              # expect: no-reply

# Marked forwarded traffic takes table 100 too; main's own prefixes stay first.
ip rule add lookup main suppress_prefixlength 0 pref 5
ip rule add fwmark 0x7 table 100 pref 10
iptables -t mangle -A PREROUTING -i vctr -p icmp -d 8.8.8.8 -j MARK --set-mark 7
ip netns exec ctr ping -c 1 -W 1 8.8.8.8              # expect: reply
ip route get 8.8.8.8 mark 7
ip route get 8.8.8.8 mark 7 from 10.0.0.2 iif vctr

# The host's own pings, marked in mangle OUTPUT, are routed again by their mark.
ping -c 1 -W 1 8.8.8.8                                # expect: no-reply
iptables -t mangle -A OUTPUT -p icmp -d 8.8.8.8 -j MARK --set-mark 7
ping -c 1 -W 1 8.8.8.8                                # expect: reply
iptables -t mangle -L -v -n -x

# A throw route ends table 100's search (-EAGAIN): the walk goes on, to main and isp1.
ip route add throw 8.8.8.0/24 table 100
ip netns exec ctr ping -c 1 -W 1 -I 10.0.0.3 8.8.8.8  # expect: no-reply
ip route show table 100
ip route del throw 8.8.8.0/24 table 100
ip netns exec ctr ping -c 1 -W 1 -I 10.0.0.3 8.8.8.8  # expect: reply

# Rules with a verdict of their own.
ip rule add to 8.8.4.4 blackhole
ip rule add to 8.8.4.5 prohibit
ip rule add to 8.8.4.6 unreachable
ip netns exec ctr ping -c 1 -W 1 8.8.4.4              # expect: no-reply
ip netns exec ctr ping -c 1 -W 1 8.8.4.5              # expect: no-reply
ip netns exec ctr ping -c 1 -W 1 8.8.4.6              # expect: no-reply
ping -c 1 -W 1 8.8.4.4                                # expect: unreachable
ping -c 1 -W 1 8.8.4.5                                # expect: unreachable
ping -c 1 -W 1 8.8.4.6                                # expect: unreachable
ip rule
ip route show table all
ip rule del to 8.8.4.4
ip rule flush
ip rule
ip netns exec ctr ping -c 1 -W 1 -I 10.0.0.3 8.8.8.8  # expect: no-reply
