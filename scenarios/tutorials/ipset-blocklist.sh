# A fail2ban-style blocklist (fail2ban's iptables-ipset action): one rule
# refers to an ipset, and banning or unbanning a client is `ipset add` /
# `ipset del`, never a ruleset change. A ban with a timeout lifts itself.
ip netns add server
ip netns add attacker
ip netns add friend
ip netns add lan
ip netns exec lan ip link add br0 type bridge
ip netns exec lan ip link set br0 up
for host in server attacker friend; do
  ip link add "eth-$host" netns "$host" type veth peer name "p-$host" netns lan
  ip netns exec lan ip link set "p-$host" master br0
  ip netns exec lan ip link set "p-$host" up
  ip netns exec "$host" ip link set lo up
  ip netns exec "$host" ip link set "eth-$host" up
done
ip netns exec server ip addr add 192.168.60.1/24 dev eth-server
ip netns exec attacker ip addr add 192.168.60.10/24 dev eth-attacker
ip netns exec friend ip addr add 192.168.60.20/24 dev eth-friend

ip netns exec server nc -lk 22 &
sleep 1

# The set and the one rule that uses it (actionstart).
ip netns exec server ipset create f2b-sshd hash:ip timeout 600
ip netns exec server iptables -I INPUT -p tcp -m multiport --dports 22 -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable
ip netns exec server iptables -S INPUT

ip netns exec attacker nc -z -w 1 192.168.60.1 22    # expect: connected
ip netns exec friend nc -z -w 1 192.168.60.1 22      # expect: connected

# actionban: the attacker goes into the set; the friend does not.
ip netns exec server ipset add f2b-sshd 192.168.60.10 timeout 600 -exist
ip netns exec server ipset test f2b-sshd 192.168.60.10
ip netns exec server ipset test f2b-sshd 192.168.60.20   # expect: error
ip netns exec attacker nc -z -w 1 192.168.60.1 22    # expect: refused
ip netns exec friend nc -z -w 1 192.168.60.1 22      # expect: connected
ip netns exec server ipset list f2b-sshd

# Banning twice without -exist is the kernel's error; the set refuses to go while the rule uses it.
ip netns exec server ipset add f2b-sshd 192.168.60.10 # expect: error
ip netns exec server ipset destroy f2b-sshd           # expect: error

# actionunban.
ip netns exec server ipset del f2b-sshd 192.168.60.10 -exist
ip netns exec attacker nc -z -w 1 192.168.60.1 22    # expect: connected

# A short ban lifts itself when its timeout runs out.
ip netns exec server ipset add f2b-sshd 192.168.60.10 timeout 2
ip netns exec attacker nc -z -w 1 192.168.60.1 22    # expect: refused
sleep 3
ip netns exec attacker nc -z -w 1 192.168.60.1 22    # expect: connected
ip netns exec server ipset test f2b-sshd 192.168.60.10   # expect: error

# actionstop: the rule goes first, then the set.
ip netns exec server iptables -D INPUT -p tcp -m multiport --dports 22 -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable
ip netns exec server ipset destroy f2b-sshd
ip netns exec server ipset list
