# The host's uplink, as the walkthrough's machine has it: eth0 with
# 192.168.0.100/16 and a default route to 192.168.0.1. The far side is a
# namespace "wan" that plays the gateway and owns 8.8.8.8, so that no packet
# ever leaves the machine. It has no route to the containers' 172.18.0.0/16,
# as the real internet has none.
ip netns add wan
ip link add eth0 type veth peer name wan0 netns wan
ip addr add 192.168.0.100/16 dev eth0
ip link set eth0 up
ip -n wan addr add 192.168.0.1/16 dev wan0
ip -n wan addr add 8.8.8.8/32 dev lo
ip -n wan link set lo up
ip -n wan link set wan0 up
ip route add default via 192.168.0.1
# The gateway forwards, as routers do (it answers "net unreachable" for
# networks it has no route to).
ip netns exec wan sysctl -q -w net.ipv4.ip_forward=1

# A stock host starts with forwarding off (a Docker host has it on): say so,
# so the scenario means the same on every machine.
sysctl -q -w net.ipv4.ip_forward=0
