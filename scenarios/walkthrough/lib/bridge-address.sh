# The bridge gets an address in the containers' subnet: the host can reach
# them, and they have a gateway.
ip addr add 172.18.0.1/16 dev br0
