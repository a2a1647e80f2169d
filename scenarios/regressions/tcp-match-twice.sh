# Regression: a rule with two tcp (or udp) matches, `-p tcp --dport 1 -m tcp
# --dport 2`. iptables-nft stores each as payload tests and the kernel tests
# them all (`tcp dport 1 tcp dport 2`: no packet has both), while iptables
# reads them back as one match and prints only the later port ("tcp dpt:2").
# The simulator kept only that merged match, so it dropped a segment to port
# 2 that the kernel lets through to be refused. Two multiport matches are two
# tests too. -C and -D find the rule by its merged form.
ip netns add peer
ip link add veth0 type veth peer name eth0 netns peer
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n peer addr add 10.0.0.2/24 dev eth0
ip -n peer link set eth0 up
ip -n peer link set lo up
ip netns exec peer iptables -A INPUT -p tcp --dport 1 -m tcp --dport 2 -j DROP
ip netns exec peer iptables -A INPUT -p tcp --sport 1001 -m tcp --sport 1002 -j DROP
ip netns exec peer iptables -A INPUT -p udp --dport 1 -m udp --dport 2 -j DROP
ip netns exec peer iptables -A INPUT -p udp --sport 1001 -m udp --sport 1002 -j DROP
ip netns exec peer iptables -A INPUT -p tcp -m multiport --dports 3 -m multiport --dports 4 -j DROP
ip netns exec peer iptables -A INPUT -p tcp --dport 5 -m tcp ! --dport 5 -j DROP
ip netns exec peer iptables -A INPUT -p tcp --dport 7 -m tcp --sport 1002 -j DROP
nc -z -w 1 -p 1003 10.0.0.2 2          # expect: refused
nc -z -w 1 -p 1002 10.0.0.2 9          # expect: refused
nc -u -v -z -w 1 -p 1003 10.0.0.2 2    # expect: refused
nc -u -v -z -w 1 -p 1002 10.0.0.2 9    # expect: refused
nc -z -w 1 10.0.0.2 4                  # expect: refused
nc -z -w 1 10.0.0.2 6                  # expect: refused
nc -z -w 1 -p 1002 10.0.0.2 7          # expect: timeout   (both tests of that rule hold)
ip netns exec peer iptables -S INPUT
ip netns exec peer iptables -L INPUT -v -n -x
ip netns exec peer nft list chain ip filter INPUT
ip netns exec peer iptables -C INPUT -p tcp -m tcp --dport 2 -j DROP
ip netns exec peer iptables -D INPUT -p tcp -m tcp --dport 2 -j DROP
ip netns exec peer iptables -S INPUT 1
