# A Docker 29 host with the nftables firewall backend (dockerd
# --firewall-backend=nftables): the default bridge docker0, a user network
# bridge1 (192.0.2.0/24) whose container c1 publishes port 8080 -> 80
# (docker run --network bridge1 -p 8080:80), and the \`ip docker-bridges\`
# table Docker writes for exactly that setup (moby's nftablesdoc
# usernet-portmap dump, with the numeric priorities Docker sends). Then the
# classic trap of a host with two firewalls: an nft accept ends only its own
# base chain, so iptables' FORWARD policy DROP still drops what
# docker-bridges accepted, until iptables accepts it too.
. ../walkthrough/lib/uplink.sh

sysctl -q -w net.ipv4.ip_forward=1

. lib/container.sh

ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip link add bridge1 type bridge
ip addr add 192.0.2.1/24 dev bridge1
ip link set bridge1 up

container c0 docker0 veth0a1b2c3 172.17.0.2/16 172.17.0.1
container c1 bridge1 veth4d5e6f7 192.0.2.2/24 192.0.2.1
ip netns exec c1 nc -lk 80 &
sleep 1

cat > docker-bridges.nft <<'RULES'
table ip docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-in__docker0,
			     "bridge1" : jump filter-forward-in__bridge1 }
	}

	map filter-forward-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-out__docker0,
			     "bridge1" : jump filter-forward-out__bridge1 }
	}

	map nat-postrouting-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-in__docker0,
			     "bridge1" : jump nat-postrouting-in__bridge1 }
	}

	map nat-postrouting-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-out__docker0,
			     "bridge1" : jump nat-postrouting-out__bridge1 }
	}

	chain filter-FORWARD {
		type filter hook forward priority 0; policy accept;
		oifname vmap @filter-forward-in-jumps
		iifname vmap @filter-forward-out-jumps
	}

	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		ip daddr != 127.0.0.0/8 fib daddr type local counter jump nat-prerouting-and-output
	}

	chain nat-POSTROUTING {
		type nat hook postrouting priority 100; policy accept;
		iifname vmap @nat-postrouting-out-jumps
		oifname vmap @nat-postrouting-in-jumps
	}

	chain nat-PREROUTING {
		type nat hook prerouting priority -100; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}

	chain nat-prerouting-and-output {
		iifname != "bridge1" tcp dport 8080 counter dnat to 192.0.2.2:80 comment "DNAT"
	}

	chain raw-PREROUTING {
		type filter hook prerouting priority -300; policy accept;
		ip daddr 192.0.2.2 iifname != "bridge1" counter drop comment "DROP DIRECT ACCESS"
	}

	chain filter-forward-in__docker0 {
		ct state established,related counter accept
		iifname "docker0" counter accept comment "ICC"
		counter drop comment "UNPUBLISHED PORT DROP"
	}

	chain filter-forward-out__docker0 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}

	chain nat-postrouting-in__docker0 {
	}

	chain nat-postrouting-out__docker0 {
		oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade comment "MASQUERADE"
	}

	chain filter-forward-in__bridge1 {
		ct state established,related counter accept
		iifname "bridge1" counter accept comment "ICC"
		ip daddr 192.0.2.2 tcp dport 80 counter accept
		counter drop comment "UNPUBLISHED PORT DROP"
	}

	chain filter-forward-out__bridge1 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}

	chain nat-postrouting-in__bridge1 {
	}

	chain nat-postrouting-out__bridge1 {
		oifname != "bridge1" ip saddr 192.0.2.0/24 counter masquerade comment "MASQUERADE"
	}
}
RULES
nft -f docker-bridges.nft
nft -a list ruleset

# The published port, from outside and from the host itself (nat-OUTPUT).
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
nc -z -w 1 192.168.0.100 8080                      # expect: connected
# Ports not published: the host answers for itself.
ip netns exec wan nc -z -w 1 192.168.0.100 8081    # expect: refused
# The container reaches the internet through masquerade (nat-postrouting-out__bridge1).
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
ip netns exec c0 ping -c 1 -W 1 8.8.8.8            # expect: reply
# Networks are isolated: docker0 does not reach bridge1's container, not
# even its published port (raw-PREROUTING drops what comes to its address
# from any other device).
ip netns exec c0 ping -c 1 -W 1 192.0.2.2          # expect: no-reply
ip netns exec c0 nc -z -w 1 192.0.2.2 80           # expect: timeout
# A neighbour that routes straight to the container is dropped in raw-PREROUTING (gateway mode nat).
ip -n wan route add 192.0.2.0/24 via 192.168.0.100
ip netns exec wan nc -z -w 1 192.0.2.2 80          # expect: timeout
nft list chain ip docker-bridges raw-PREROUTING

# Another firewall manager on the host sets iptables' FORWARD policy to DROP.
# docker-bridges still accepts the forwarded SYN, but that accept ends only
# its own base chain: ip filter FORWARD runs next at the forward hook and drops.
iptables -P FORWARD DROP
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: timeout
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: no-reply
# Accepting the bridge's traffic in iptables too lets it through both.
iptables -A FORWARD -o bridge1 -j ACCEPT
iptables -A FORWARD -i bridge1 -j ACCEPT
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
ip netns exec c1 ping -c 1 -W 1 8.8.8.8            # expect: reply
iptables -S FORWARD
conntrack -L -p tcp
