# Regression (found by the netsim/testing flow runner): an ICMP error about
# a packet that was for this host goes out from the address the packet was
# sent to (net/ipv4/icmp.c, __icmp_send: saddr = iph->daddr when the route
# is local), not from the address the route back would pick. Here wan owns
# 8.8.8.8 on lo and answers a UDP probe to a closed port from 8.8.8.8, not
# from 192.168.0.1 (its address towards the host). The firewall rules make
# the source visible as a probe outcome: nc -u -v counts a port unreachable
# as a refusal, and sees success when it was dropped.
. ../walkthrough/lib/uplink.sh

iptables -A INPUT -p icmp -s 192.168.0.1 --icmp-type port-unreachable -j DROP
nc -u -v -z -w 1 8.8.8.8 54                       # expect: refused     (the error comes from 8.8.8.8)
iptables -F INPUT
iptables -A INPUT -p icmp -s 8.8.8.8 --icmp-type port-unreachable -j DROP
nc -u -v -z -w 1 8.8.8.8 54                       # expect: connected   (the error from 8.8.8.8 is dropped)
# A port unreachable for the gateway's own address comes from that address.
nc -u -v -z -w 1 192.168.0.1 54                   # expect: refused
iptables -L INPUT -n -v
