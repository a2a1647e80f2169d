# Regression (issue 16, CNI portmap's localhost port): a packet from
# 127.0.0.1 may leave by a device other than lo only with route_localnet on
# that device (or all). __mkroute_output() refuses the route with EINVAL, so
# a nat OUTPUT DNAT of 127.0.0.1:8080 to a pod drops the SYN in
# ip_route_me_harder() (nc times out, and no conntrack entry is left, the
# connection never confirmed), and `ip route get ... from 127.0.0.1` fails.
ip link add br0 type bridge
ip link set br0 up
ip addr add 10.88.0.1/16 dev br0
ip netns add pod
ip link add veth0 type veth peer name eth0 netns pod
ip link set veth0 master br0
ip link set veth0 up
ip -n pod link set lo up
ip -n pod addr add 10.88.0.2/16 dev eth0
ip -n pod link set eth0 up
ip -n pod route add default via 10.88.0.1
iptables -t nat -A OUTPUT -d 127.0.0.1 -p tcp --dport 8080 -j DNAT --to-destination 10.88.0.2:80
iptables -t nat -A POSTROUTING -s 127.0.0.1 -o br0 -j MASQUERADE
ip netns exec pod nc -lk 80 &
sleep 1
ip route get 10.88.0.2 from 127.0.0.1
nc -z -w 1 127.0.0.1 8080                     # expect: timeout
conntrack -L
sysctl -w net.ipv4.conf.br0.route_localnet=1
ip route get 10.88.0.2 from 127.0.0.1
nc -z -w 1 127.0.0.1 8080                     # expect: connected
sysctl -w net.ipv4.conf.br0.route_localnet=0
sysctl -w net.ipv4.conf.all.route_localnet=1
ip route get 10.88.0.2 from 127.0.0.1
sysctl -w net.ipv4.conf.all.route_localnet=0
ip route get 10.88.0.2 from 127.0.0.1
iptables -t nat -L OUTPUT -n -v
