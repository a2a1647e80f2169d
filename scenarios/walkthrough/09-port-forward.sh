# Stage 9: publishing a container's port. A service listens in netns0 on
# 11211; DNAT in PREROUTING makes it reachable as 192.168.0.100:1234 from
# outside. Locally generated packets skip PREROUTING, so the host itself
# needs a nat OUTPUT rule too; and a rule bound to eth0 does not catch the
# other container, whose packets arrive on br0.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh
. ./lib/bridge-address.sh
. ./lib/default-route.sh
. ./lib/ip-forward.sh
. ./lib/masquerade.sh

ip netns exec netns0 nc -lk 11211 &
sleep 1
ip netns exec wan nc -z -w 1 192.168.0.100 1234    # expect: refused   (nothing listens on the host's 1234)
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 1234 -j DNAT --to 172.18.0.10:11211
iptables -t nat -S PREROUTING
ip netns exec wan nc -z -w 1 192.168.0.100 1234    # expect: connected
nc -z -w 1 192.168.0.100 1234                      # expect: refused   (local traffic skips PREROUTING)
iptables -t nat -A OUTPUT -d 192.168.0.100 -p tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211
nc -z -w 1 192.168.0.100 1234                      # expect: connected (the OUTPUT rule, then a new route via br0)
ip netns exec netns1 nc -z -w 1 192.168.0.100 1234 # expect: refused   (arrives on br0; the rule wants -i eth0)
conntrack -L -p tcp
iptables -t nat -L -n -v
iptables-save
