# Regression (issue 15, item 8): two containers behind MASQUERADE connect
# from the same source port (nc -p 5000) to the same server. The kernel
# keeps the port for the first connection and remaps the second (its tuple
# would clash on the uplink address); both connect. A third nc -p 5000 from
# the first container fails to bind: its earlier connection holds the port
# in TIME_WAIT ("nc: bind failed: Address already in use", exit 1).
ip netns add wan
ip link add eth0 type veth peer name wan0 netns wan
ip addr add 192.168.0.100/24 dev eth0
ip link set eth0 up
ip -n wan addr add 192.168.0.1/24 dev wan0
ip -n wan link set wan0 up
ip -n wan link set lo up

ip link add br0 type bridge
ip addr add 172.18.0.1/16 dev br0
ip link set br0 up
for n in 1 2; do
  ip netns add c$n
  ip link add veth$n type veth peer name ceth$n netns c$n
  ip link set veth$n master br0
  ip link set veth$n up
  ip -n c$n addr add 172.18.0.1$n/16 dev ceth$n
  ip -n c$n link set ceth$n up
  ip -n c$n link set lo up
  ip -n c$n route add default via 172.18.0.1
done
sysctl -w net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE

ip netns exec wan nc -lk 80 &
sleep 1
ip netns exec c1 nc -z -w 1 -p 5000 192.168.0.1 80   # expect: connected
ip netns exec c2 nc -z -w 1 -p 5000 192.168.0.1 80   # expect: connected
conntrack -L -p tcp
ip netns exec c1 nc -z -w 1 -p 5000 192.168.0.1 80   # expect: error
