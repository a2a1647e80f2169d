# What leaves the host from the containers' subnet, other than back into
# br0, goes out with the host's own address.
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE
