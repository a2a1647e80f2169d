# Each container sends what is not on its subnet to the bridge's address.
ip netns exec netns0 ip route add default via 172.18.0.1
ip netns exec netns1 ip route add default via 172.18.0.1
