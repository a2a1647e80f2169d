# The host forwards between its interfaces (the container's packets to the uplink).
echo 1 > /proc/sys/net/ipv4/ip_forward
