# Both host ends become ports of a bridge; the host ends lose their
# addresses, so 172.18.0.0/16 is reached through the bridge alone.
ip link add br0 type bridge
ip link set br0 up
ip addr del 172.18.0.11/16 dev veth0
ip addr del 172.18.0.21/16 dev veth1
ip link set veth0 master br0
ip link set veth1 master br0
