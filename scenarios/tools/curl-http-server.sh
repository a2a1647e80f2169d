# A web server in a container, published on the host's port 8080: the way
# Docker tutorials show it, with a bridge, a veth per container, MASQUERADE
# for the way out and a DNAT rule for the way in, then curl from outside.
# python3 -m http.server answers every request with a status line; curl's
# exit status says what the connection did.

# The host's uplink and a "client" on the far side of it.
ip netns add client
ip link add eth0 type veth peer name client0 netns client
ip addr add 192.168.0.100/24 dev eth0
ip link set eth0 up
ip -n client addr add 192.168.0.1/24 dev client0
ip -n client link set client0 up
ip -n client link set lo up

# The container network: br0 with the gateway address, one container "web".
ip link add br0 type bridge
ip addr add 172.18.0.1/16 dev br0
ip link set br0 up
ip netns add web
ip link add veth0 type veth peer name ceth0 netns web
ip link set veth0 master br0
ip link set veth0 up
ip -n web addr add 172.18.0.10/16 dev ceth0
ip -n web link set ceth0 up
ip -n web link set lo up
ip -n web route add default via 172.18.0.1

sysctl -w net.ipv4.ip_forward=1
iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE

# The server, in the background as you would start it.
ip netns exec web python3 -m http.server 8000 &
sleep 2

# From the host, straight to the container: 200.
curl -s -o /dev/null -w '%{http_code}\n' http://172.18.0.10:8000/   # expect: connected
curl -sI http://172.18.0.10:8000/                                     # expect: connected
# A path the server has no file for: still a connection; -f turns the 404 into exit 22.
curl -s -o /dev/null -w '%{http_code}\n' http://172.18.0.10:8000/missing.txt   # expect: connected
curl -sf http://172.18.0.10:8000/missing.txt                          # expect: connected
# Nothing listens on 9000 in the container: a reset, curl exits 7.
curl -sS http://172.18.0.10:9000/                                     # expect: refused

# From outside, the host's 8080 is not published yet: refused by the host itself.
ip netns exec client curl -sS -m 2 http://192.168.0.100:8080/         # expect: refused
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 172.18.0.10:8000
ip netns exec client curl -s -o /dev/null -w '%{http_code}\n' http://192.168.0.100:8080/   # expect: connected
ip netns exec client wget -q -O- -T 2 http://192.168.0.100:8080/ > /dev/null                # expect: connected

# A firewall that drops the forwarded SYN: curl gives up after -m (exit 28).
iptables -I FORWARD -p tcp --dport 8000 -j DROP
ip netns exec client curl -sS -m 2 http://192.168.0.100:8080/         # expect: timeout
ip netns exec client curl -sS --connect-timeout 1 http://192.168.0.100:8080/   # expect: timeout
iptables -D FORWARD -p tcp --dport 8000 -j DROP

conntrack -L -p tcp
