# A container reaches its own published port (Docker's "hairpin" puzzle).
# The host DNATs 192.168.0.100:8080 to the container at 172.17.0.2:80 and
# masquerades the container talking to itself, as Docker does without the
# userland proxy. The SYN from 172.17.0.2 arrives on br0 through port veth0;
# br_netfilter's PREROUTING DNATs it back to 172.17.0.2, which br0 itself
# reaches, so br_nf_pre_routing_finish() bridges it again ("bridged DNAT")
# from veth0, and should_deliver() does not send a frame back out of the
# port it came in on while that port's hairpin mode is off.
. ../walkthrough/lib/uplink.sh
ip netns add c1
ip link add docker0 type bridge
ip link set docker0 up
ip addr add 172.17.0.1/16 dev docker0
ip link add veth0 type veth peer name ceth0
ip link set ceth0 netns c1
ip link set veth0 master docker0
ip link set veth0 up
ip -n c1 link set lo up
ip -n c1 link set ceth0 up
ip -n c1 addr add 172.17.0.2/16 dev ceth0
ip -n c1 route add default via 172.17.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t nat -A PREROUTING -d 192.168.0.100 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
iptables -t nat -A POSTROUTING -s 172.17.0.2 -d 172.17.0.2 -p tcp --dport 80 -j MASQUERADE
ip netns exec c1 nc -lk 80 &
# Give the listener time to bind on the kernel.
sleep 1
ip netns exec c1 nc -z -w 1 192.168.0.100 8080     # expect: timeout   (hairpin off: the SYN is not sent back out of veth0)
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected (from outside the DNAT is routed, not bridged)
bridge -d link show dev veth0
bridge link set dev veth0 hairpin on
bridge -d link show dev veth0
ip netns exec c1 nc -z -w 1 192.168.0.100 8080     # expect: connected (hairpin on: back out of veth0, from 172.17.0.1)
bridge link set dev veth0 hairpin off
ip netns exec c1 nc -z -w 1 192.168.0.100 8080     # expect: timeout
