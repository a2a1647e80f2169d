# A Podman host with netavark's nftables firewall driver: the bridge
# podman1 (10.89.0.0/24, a user network with DNS), two containers, and
# `podman run -p 8080:80` for c1. The `inet netavark` table is the one
# netavark writes for that setup (src/firewall/nft.rs: five base chains,
# the HOSTPORT-DNAT and -SETMARK helpers, the isolation chains and the
# network's own nv_ chains), as `nft list` shows it. Then what it does:
# masquerade for egress, the published port from outside, from the host
# and from the other container (hairpin: marked 0x2000, so POSTROUTING
# masquerades it), and what it does not do: block a neighbour that routes
# to the containers directly.
. ../walkthrough/lib/uplink.sh

sysctl -q -w net.ipv4.ip_forward=1

# container NAME HOST-VETH ADDRESS: a namespace on podman1, as netavark wires one.
container() {
  ip netns add "$1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip link set "$2" master podman1
  ip link set "$2" up
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$3/24" dev eth0
  ip netns exec "$1" ip link set eth0 up
  ip netns exec "$1" ip route add default via 10.89.0.1
}

ip link add podman1 type bridge
ip addr add 10.89.0.1/24 dev podman1
ip link set podman1 up
container c1 veth0 10.89.0.2
container c2 veth1 10.89.0.3
ip netns exec c1 nc -lk 80 &
ip netns exec c1 nc -lk 81 &
sleep 1

cat > netavark.nft <<'RULES'
table inet netavark {
	chain INPUT {
		type filter hook input priority filter; policy accept;
		ip saddr 10.89.0.0/24 meta l4proto { tcp, udp } th dport 53 accept
	}

	chain FORWARD {
		type filter hook forward priority filter; policy accept;
		ct state invalid drop
		jump NETAVARK-ISOLATION-1
		ip daddr 10.89.0.0/24 ct state established,related accept
		ip saddr 10.89.0.0/24 accept
	}

	chain POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x00002000 == 0x00002000 masquerade
		ip saddr 10.89.0.0/24 jump nv_ee33ae73_10_89_0_0_nm24
	}

	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump NETAVARK-HOSTPORT-DNAT
	}

	chain OUTPUT {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump NETAVARK-HOSTPORT-DNAT
	}

	chain NETAVARK-HOSTPORT-DNAT {
		tcp dport 8080 jump nv_ee33ae73_10_89_0_0_nm24_dnat
	}

	chain NETAVARK-HOSTPORT-SETMARK {
		meta mark set meta mark | 0x00002000
	}

	chain NETAVARK-ISOLATION-1 {
	}

	chain NETAVARK-ISOLATION-2 {
	}

	chain NETAVARK-ISOLATION-3 {
		oifname "podman1" drop
		jump NETAVARK-ISOLATION-2
	}

	chain nv_ee33ae73_10_89_0_0_nm24 {
		ip daddr 10.89.0.0/24 accept
		ip daddr != 224.0.0.0/4 masquerade
	}

	chain nv_ee33ae73_10_89_0_0_nm24_dnat {
		ip saddr 10.89.0.0/24 tcp dport 8080 jump NETAVARK-HOSTPORT-SETMARK
		ip saddr 127.0.0.1 tcp dport 8080 jump NETAVARK-HOSTPORT-SETMARK
		tcp dport 8080 dnat ip to 10.89.0.2:80
	}
}
RULES
nft -f netavark.nft
nft list chain inet netavark NETAVARK-HOSTPORT-SETMARK

# Egress: the container's address is masqueraded behind eth0's.
ip netns exec c1 ping -c 1 -W 1 8.8.8.8             # expect: reply
ip netns exec c2 nc -z -w 1 8.8.8.8 53              # expect: refused
# The published port from outside and from the host itself (the OUTPUT chain).
ip netns exec wan nc -z -w 1 192.168.0.100 8080     # expect: connected
nc -z -w 1 192.168.0.100 8080                       # expect: connected
# A port not published: the host answers for itself.
ip netns exec wan nc -z -w 1 192.168.0.100 8081     # expect: refused
# Container to container: straight over the bridge, and through the
# published port on the gateway address (DNAT back into podman1, marked,
# so POSTROUTING masquerades and c1's reply returns through the host).
ip netns exec c2 nc -z -w 1 10.89.0.2 81            # expect: connected
ip netns exec c2 nc -z -w 1 10.89.0.1 8080          # expect: connected
# c1 to its own published port: DNAT turns the frame back to the port it
# came in on, and the bridge does not hairpin (netavark leaves it off).
ip netns exec c1 nc -z -w 1 10.89.0.1 8080          # expect: timeout
# netavark filters nothing inbound: a neighbour routing to the subnet
# reaches any container port (FORWARD's policy accept, no drop rule).
ip -n wan route add 10.89.0.0/24 via 192.168.0.100
ip netns exec wan nc -z -w 1 10.89.0.2 81           # expect: connected
conntrack -L -p tcp
