# Regression (issue 17): one `nft -f` batch that adds rules to the filter
# table iptables-nft made, makes its own table beside it, spreads packets
# with numgen inc over a verdict map (a counter per expression, first packet
# to 0) and records sources with a dynset statement whose own timeout is not
# the set's; then flushes iptables-nft's nat table. iptables and nft must see
# one ruleset, and the packets must take the rules of both.
ip netns add peer
ip link add veth0 type veth peer name eth0 netns peer
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n peer addr add 10.0.0.2/24 dev eth0
ip -n peer link set eth0 up
iptables -A OUTPUT -o veth0 -p icmp -j ACCEPT
iptables -t nat -A POSTROUTING -o veth0 -j MASQUERADE
nft -f - <<'EOF'
add rule ip filter OUTPUT ip daddr 10.0.0.3 drop
insert rule ip filter OUTPUT udp dport 9 counter drop
add table ip spread
add chain ip spread even
add chain ip spread odd
add rule ip spread even counter
add rule ip spread odd counter
add set ip spread seen { type ipv4_addr ; flags dynamic,timeout ; timeout 1h ; }
add chain ip spread in { type filter hook input priority 0 ; }
add rule ip spread in icmp type echo-reply numgen inc mod 2 vmap { 0 : jump even, 1 : jump odd }
add rule ip spread in update @seen { ip saddr timeout 10m }
flush table ip nat
EOF
ping -c 5 -i 0.2 -W 1 10.0.0.2            # expect: reply
ping -c 1 -W 1 10.0.0.3                   # expect: no-reply
iptables -S OUTPUT
iptables -t nat -S
nft list chain ip spread even
nft list chain ip spread odd
nft list chain ip filter OUTPUT
nft -j list chain ip filter OUTPUT
nft delete table ip nat
nft list tables
