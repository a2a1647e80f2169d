#!/bin/bash
# Commands called by the paths Debian 12 installs them at (merged-/usr:
# /bin -> usr/bin, /sbin -> usr/sbin), directly and through a variable, and a
# path where Debian has no such file (procps puts sysctl in /usr/sbin only).
IP=/usr/sbin/ip
$IP netns add a   # expect: ok
/sbin/ip netns add b   # expect: ok
/bin/ip link add veth-a type veth peer name veth-b
/usr/bin/ip link set veth-a netns a
/usr/sbin/ip link set veth-b netns b
$IP -n a addr add 10.0.0.1/24 dev veth-a
$IP -n b addr add 10.0.0.2/24 dev veth-b
$IP -n a link set veth-a up
$IP -n b link set veth-b up
/usr/sbin/sysctl -w net.ipv4.ip_forward=1   # expect: ok
/sbin/sysctl net.ipv4.ip_forward
/usr/bin/sysctl net.ipv4.ip_forward
echo "status $?"
/bin/sysctl net.ipv4.ip_forward
echo "status $?"
/usr/sbin/iptables -A FORWARD -j ACCEPT   # expect: ok
/sbin/iptables -S FORWARD
/usr/bin/iptables -S FORWARD
echo "status $?"
/usr/sbin/nft list tables
IPTABLES=/sbin/iptables
$IPTABLES -t nat -A POSTROUTING -o veth-a -j MASQUERADE   # expect: ok
$IPTABLES -t nat -S POSTROUTING
/usr/sbin/ping -c 1 10.0.0.2
echo "status $?"
ip netns exec a ping -c 1 -W 1 10.0.0.2 > /dev/null   # expect: reply
