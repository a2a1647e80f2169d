# Regression (issue 15, item 1): a pod reaching itself through its Service's
# ClusterIP, with kube-proxy's iptables rules (KUBE-SERVICES, KUBE-SVC-*,
# KUBE-SEP-* marking hairpin traffic for KUBE-POSTROUTING's MASQUERADE).
# The SYN enters cni0 on the pod's port; PREROUTING DNATs it back to the pod,
# which cni0 itself reaches: br_netfilter bridges it again from that port, and
# should_deliver() refuses to send it back out while hairpin mode is off.
# kubelet's --hairpin-mode=hairpin-veth turns it on for every pod's port.
. ../walkthrough/lib/uplink.sh
ip link add cni0 type bridge
ip link set cni0 up
ip addr add 10.244.0.1/24 dev cni0
ip netns add pod1
ip link add veth1 type veth peer name eth0 netns pod1
ip link set veth1 master cni0
ip link set veth1 up
ip -n pod1 link set lo up
ip -n pod1 link set eth0 up
ip -n pod1 addr add 10.244.0.5/24 dev eth0
ip -n pod1 route add default via 10.244.0.1
echo 1 > /proc/sys/net/ipv4/ip_forward
iptables -t nat -N KUBE-SERVICES
iptables -t nat -N KUBE-SVC-WEB
iptables -t nat -N KUBE-SEP-WEB1
iptables -t nat -N KUBE-MARK-MASQ
iptables -t nat -N KUBE-POSTROUTING
iptables -t nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -t nat -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -t nat -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
iptables -t nat -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
iptables -t nat -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
iptables -t nat -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
iptables -t nat -A KUBE-POSTROUTING -j MASQUERADE
iptables -t nat -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-WEB
iptables -t nat -A KUBE-SVC-WEB -j KUBE-SEP-WEB1
iptables -t nat -A KUBE-SEP-WEB1 -s 10.244.0.5/32 -j KUBE-MARK-MASQ
iptables -t nat -A KUBE-SEP-WEB1 -p tcp -m tcp -j DNAT --to-destination 10.244.0.5:8080
ip netns exec pod1 nc -lk 8080 &
# Give the listener time to bind on the kernel.
sleep 1
ip netns exec pod1 nc -z -w 1 10.96.0.10 80     # expect: timeout     (hairpin off on veth1)
nc -z -w 1 10.96.0.10 80                        # expect: connected   (the node itself: OUTPUT DNAT, routed)
bridge link set dev veth1 hairpin on
ip netns exec pod1 nc -z -w 1 10.96.0.10 80     # expect: connected   (hairpin on: back out of veth1, from 10.244.0.1)
