# Regression (found by the differential fuzzer): in a namespace that never had
# an IPv4 address (lo still down), there is no local routing table, and
# __inet_dev_addr_type() calls every address RTN_BROADCAST. arp_constructor()
# then makes the next hop a NOARP neighbour with the broadcast address: no
# ARP is sent, and `ip neigh` (which hides NOARP entries) shows nothing. The
# simulator started an ARP resolution and showed an INCOMPLETE entry.
ip netns add n0
ip netns add n1
ip link add va0 netns n0 type veth peer name vb0 netns n1
ip -n n0 link set va0 up
ip -n n1 link set vb0 up
ip -n n1 link set lo up
ip -n n1 addr add 10.0.0.1/24 dev vb0
ip -n n0 route add default dev va0
# Sent from 0.0.0.0 to the link-layer broadcast; n1 drops a zero source.
ip netns exec n0 ping -c 1 -W 0.3 10.0.0.1       # expect: no-reply
ip -n n0 neigh
ip netns exec n0 nc -z -w 1 10.0.0.1 80          # expect: timeout
# Once lo is up, the local table exists, and ARP resolves as usual.
ip -n n0 link set lo up
ip -n n0 addr add 10.0.0.2/24 dev va0
ip netns exec n0 ping -c 1 -W 1 10.0.0.1         # expect: reply
ip -n n0 neigh
