# Regression (issue 17): a connection's mark (ct mark, nf_conn->mark) and a
# packet's mark (meta mark, skb->mark) are two fields. `ct mark set` writes
# the connection's, which every later packet of it reads back (the way
# firewalld and kube-proxy's nftables mode remember a decision), and which
# conntrack -L shows; `meta mark set` lasts one packet in one namespace.
# `meta mark set ct mark | V` reads the connection's mark into the packet's.
ip netns add peer
ip link add veth0 type veth peer name eth0 netns peer
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n peer addr add 10.0.0.2/24 dev eth0
ip -n peer link set eth0 up
ip -n peer link set lo up
nft add table inet marks
nft add chain inet marks out '{ type filter hook output priority 0; policy accept; }'
nft add rule inet marks out ct state new meta mark set 0x1
nft add rule inet marks out ct state new ct mark set 0x2
nft add rule inet marks out meta mark 0x1 counter
nft add rule inet marks out ct mark 0x2 counter
nft add rule inet marks out ct state established meta mark set ct mark or 0x4
nft add rule inet marks out meta mark 0x6 counter
ping -c 3 -i 0.2 -W 1 10.0.0.2            # expect: reply
nft list ruleset
conntrack -L -p icmp
