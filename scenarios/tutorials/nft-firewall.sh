# A small host firewall written with nft, as nftables tutorials write one:
# an inet table whose input chain drops by policy and accepts loopback,
# replies (ct state), ping and two services; a set of blocked addresses
# filled and emptied at run time; a reject rule added by hand. The server
# is reached over a veth pair from a client namespace.
ip netns add client
ip netns add server
ip link add veth-c address 02:00:00:00:0d:01 netns client type veth peer name veth-s address 02:00:00:00:0d:02 netns server
ip -n client addr add 192.168.60.1/24 dev veth-c
ip -n client link set veth-c up
ip -n client link set lo up
ip -n server addr add 192.168.60.2/24 dev veth-s
ip -n server link set veth-s up
ip -n server link set lo up

ip netns exec server nc -lk 22 &
ip netns exec server nc -lk 80 &
ip netns exec server nc -lk 8080 &
ip netns exec server nc -lk 9090 &
sleep 1

# Nothing filtered yet.
ip netns exec client nc -z -w 1 192.168.60.2 8080     # expect: connected

cat > fw.nft <<'RULES'
define services = { 22, 80 }

table inet fw {
	set blocked {
		type ipv4_addr
	}

	chain input {
		type filter hook input priority filter; policy drop;
		iifname "lo" accept
		ct state established,related accept
		ct state invalid drop
		ip saddr @blocked drop
		meta l4proto icmp accept
		tcp dport $services counter accept
	}
}
RULES
ip netns exec server nft -f fw.nft
ip netns exec server nft list ruleset

ip netns exec client nc -z -w 1 192.168.60.2 22       # expect: connected
ip netns exec client nc -z -w 1 192.168.60.2 80       # expect: connected
ip netns exec client nc -z -w 1 192.168.60.2 8080     # expect: timeout   (the input chain's policy drops the SYN)
ip netns exec client ping -c 1 -W 1 192.168.60.2      # expect: reply
ip netns exec server ping -c 1 -W 1 127.0.0.1         # expect: reply

# A blocked address: dropped before ping is accepted.
ip netns exec server nft add element inet fw blocked '{ 192.168.60.1 }'
ip netns exec client ping -c 1 -W 1 192.168.60.2      # expect: no-reply
ip netns exec server nft list set inet fw blocked
ip netns exec server nft delete element inet fw blocked '{ 192.168.60.1 }'
ip netns exec client ping -c 1 -W 1 192.168.60.2      # expect: reply

# 9090 answered with a reset instead of silence.
ip netns exec server nft add rule inet fw input tcp dport 9090 reject with tcp reset
ip netns exec client nc -z -w 1 192.168.60.2 9090     # expect: refused
ip netns exec server nft -a list chain inet fw input

# Mistakes nft refuses: a chain that does not exist, and a word where a port goes.
ip netns exec server nft add rule inet fw nosuch accept            # expect: error
ip netns exec server nft add rule inet fw input tcp dport fwd accept   # expect: error
