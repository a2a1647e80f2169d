# nft's IPv6 matches in an inet table (firewalld's ruleset has them in every
# base chain): read and listed as nft 1.0.6 lists them (inet_ntop's
# compressed forms, prefixes masked, a set's elements ascending, a set of one
# without braces, ICMPv6 type names), and never matched by an IPv4 packet:
# the drop rules below stand before the probes' accept, and the pings pass.
# The kernel's listing is the expectation (netsim verify compares it).
ip netns add peer
ip link add veth0 type veth peer name eth0 netns peer
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n peer addr add 10.0.0.2/24 dev eth0
ip -n peer link set eth0 up
ip -n peer link set lo up

nft add table inet t
nft add chain inet t input '{ type filter hook input priority 0; policy drop; }'
nft add rule inet t input ip6 saddr 2001:DB8:0:0:0:0:0:1 drop
nft add rule inet t input ip6 daddr != fe80::1/64 drop
nft add rule inet t input ip6 daddr ::ffff:10.0.0.2 drop
nft add rule inet t input ip6 saddr '{ 2002::/16, ::/96, 2001:db8::/32 }' drop
nft add rule inet t input ip6 daddr '{ 1:0:0:2:0:0:0:3 }' drop
nft add rule inet t input ip6 daddr 0:0:0:0:0:0:0:1 drop
nft add rule inet t input ip6 daddr 1:2:3:4:5:6:7:8/128 drop
nft add rule inet t input icmpv6 type '{ nd-neighbor-solicit, echo-request, 1 }' drop
nft add rule inet t input icmpv6 type nd-redirect drop
nft add rule inet t input meta nfproto ipv6 fib saddr . iif oif missing drop
nft add rule inet t input ip6 daddr 2002::/24 reject with icmpv6 addr-unreachable
nft add rule inet t input meta l4proto '{ icmp, ipv6-icmp }' accept
nft list ruleset
ip netns exec peer ping -c 1 -W 1 10.0.0.1      # expect: reply
# In an ip table, ip6 conflicts with the table's own protocol.
nft add table ip t4
nft add chain ip t4 c
nft add rule ip t4 c ip6 daddr ::1 drop      # expect: error
