# Sets the ruleset fills itself: a TCP "knock" on port 7000 puts its sender
# into a set (`-j SET --add-set`, with a timeout), and only a sender in
# that set may open the SSH port 2222. Beside it an allowlist of
# address,port pairs (hash:ip,port, matched with `src,dst`) opens 8080 and
# 8443 per client.
ip netns add server
ip netns add alice
ip netns add bob
ip netns add lan
ip netns exec lan ip link add br0 type bridge
ip netns exec lan ip link set br0 up
for host in server alice bob; do
  ip link add "eth-$host" netns "$host" type veth peer name "p-$host" netns lan
  ip netns exec lan ip link set "p-$host" master br0
  ip netns exec lan ip link set "p-$host" up
  ip netns exec "$host" ip link set lo up
  ip netns exec "$host" ip link set "eth-$host" up
done
ip netns exec server ip addr add 192.168.70.1/24 dev eth-server
ip netns exec alice ip addr add 192.168.70.10/24 dev eth-alice
ip netns exec bob ip addr add 192.168.70.20/24 dev eth-bob

ip netns exec server nc -lk 2222 &
ip netns exec server nc -lk 8080 &
ip netns exec server nc -lk 8443 &
sleep 1

ip netns exec server ipset create knocked hash:ip timeout 30
ip netns exec server ipset create allowed hash:ip,port
ip netns exec server iptables-restore <<'RULES'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 7000 -j SET --add-set knocked src --exist
-A INPUT -p tcp -m tcp --dport 2222 -m set --match-set knocked src -j ACCEPT
-A INPUT -p tcp -m tcp --dport 2222 -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m set --match-set allowed src,dst -j ACCEPT
-A INPUT -p tcp -m multiport --dports 8080,8443 -j DROP
COMMIT
RULES
ip netns exec server iptables-save
ip netns exec server iptables -L INPUT -n

# Nobody has knocked yet.
ip netns exec alice nc -z -w 1 192.168.70.1 2222    # expect: refused

# Alice knocks: nothing listens on 7000 (refused), but the rule saw her SYN.
ip netns exec alice nc -z -w 1 192.168.70.1 7000    # expect: refused
ip netns exec server ipset test knocked 192.168.70.10
ip netns exec alice nc -z -w 1 192.168.70.1 2222    # expect: connected
ip netns exec bob nc -z -w 1 192.168.70.1 2222      # expect: refused
ip netns exec server ipset list knocked

# The allowlist: alice may reach 8080, bob 8443; the rest is dropped.
ip netns exec server ipset add allowed 192.168.70.10,tcp:8080
ip netns exec server ipset add allowed 192.168.70.20,8443
ip netns exec server ipset add allowed 192.168.70.20,udp:8443
ip netns exec alice nc -z -w 1 192.168.70.1 8080    # expect: connected
ip netns exec alice nc -z -w 1 192.168.70.1 8443    # expect: timeout
ip netns exec bob nc -z -w 1 192.168.70.1 8443      # expect: connected
ip netns exec bob nc -z -w 1 192.168.70.1 8080      # expect: timeout
ip netns exec server ipset test allowed 192.168.70.20,tcp:8443
ip netns exec server ipset test allowed 192.168.70.10,8443   # expect: error
ip netns exec server ipset save allowed

# Bob's pass is withdrawn; alice's knock is forgotten.
ip netns exec server ipset del allowed 192.168.70.20,8443
ip netns exec bob nc -z -w 1 192.168.70.1 8443      # expect: timeout
ip netns exec server ipset flush knocked
ip netns exec alice nc -z -w 1 192.168.70.1 2222    # expect: refused

# Every rule naming a set holds it: the sets go only after the rules.
ip netns exec server ipset list -t
ip netns exec server ipset destroy                  # expect: error
ip netns exec server iptables -F INPUT
ip netns exec server ipset destroy
ip netns exec server ipset list -n
