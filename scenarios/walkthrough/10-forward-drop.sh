# Stage 10: what a Docker host does to a plain bridge. Docker sets the
# FORWARD policy to DROP; with br_netfilter loaded and
# net.bridge.bridge-nf-call-iptables=1 (every namespace's default), frames
# bridged between two ports of br0 pass the iptables FORWARD chain too, so
# the containers can no longer reach each other.
. ./lib/uplink.sh
. ./lib/netns0.sh
. ./lib/netns1.sh
. ./lib/bridge.sh

ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: reply
iptables -P FORWARD DROP
ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: no-reply  (FORWARD policy DROP, in=out=br0)
iptables -L FORWARD -v -n
# Mend it by letting the bridge's own traffic through...
iptables -P FORWARD ACCEPT
ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: reply
iptables -P FORWARD DROP
iptables -A FORWARD -i br0 -o br0 -j ACCEPT
ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: reply   (-i br0 -o br0: bridged traffic)
iptables -D FORWARD -i br0 -o br0 -j ACCEPT
ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: no-reply
# ...or by keeping bridged frames out of iptables altogether.
sysctl -w net.bridge.bridge-nf-call-iptables=0
ip netns exec netns0 ping -c 1 -W 1 172.18.0.20    # expect: reply
