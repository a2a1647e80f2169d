# Filtering new TCP connections by their flags, as firewall tutorials do:
# `--syn` (SYN set, ACK, RST and FIN clear) and `--tcp-flags MASK COMP`,
# on a server reached over a veth pair configured with ifconfig.
sudo ip netns add client
sudo ip netns add server
sudo ip link add veth-c address 02:00:00:00:0c:01 netns client type veth peer name veth-s address 02:00:00:00:0c:02 netns server
sudo ip netns exec client ifconfig veth-c 192.168.50.1/24 up
sudo ip netns exec server ifconfig veth-s 192.168.50.2 netmask 255.255.255.0 up
sudo ip netns exec server ifconfig lo up

# Four listeners; nothing filtered yet.
sudo ip netns exec server nc -lk 8080 &
sudo ip netns exec server nc -lk 8081 &
sudo ip netns exec server nc -lk 8082 &
sudo ip netns exec server nc -lk 8083 &
sleep 1
sudo ip netns exec client nc -z -w 1 192.168.50.2 8080     # expect: connected

# A first SYN to 8080 is dropped: the connect times out.
sudo ip netns exec server iptables -A INPUT -p tcp --dport 8080 --syn -j DROP
# SYN without ACK to 8081 gets a reset: refused.
sudo ip netns exec server iptables -A INPUT -p tcp --dport 8081 --tcp-flags SYN,ACK SYN -j REJECT --reject-with tcp-reset
# Everything but a first SYN to 8083 is dropped: the handshake's SYN gets its
# SYN-ACK, so the client's connect() still succeeds.
sudo ip netns exec server iptables -A INPUT -p tcp --dport 8083 ! --syn -j DROP
sudo ip netns exec server iptables -S INPUT
sudo ip netns exec server iptables -L INPUT -n

sudo ip netns exec client nc -z -w 1 192.168.50.2 8080     # expect: timeout
sudo ip netns exec client nc -z -w 1 192.168.50.2 8081     # expect: refused
sudo ip netns exec client nc -z -w 1 192.168.50.2 8082     # expect: connected
sudo ip netns exec client nc -z -w 1 192.168.50.2 8083     # expect: connected
sudo ip netns exec client nc -z -w 1 192.168.50.2 9999     # expect: refused

# A mistake iptables itself refuses: --tcp-flags needs both lists.
sudo ip netns exec server iptables -A INPUT -p tcp --tcp-flags SYN -j DROP   # expect: error
sudo ip netns exec client arp -a
