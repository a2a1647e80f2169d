# A router between two networks, set up the way older tutorials do it: sudo
# on every line, addresses with ifconfig, routes with `route add`, the ARP
# cache read with `arp -n`, forwarding switched on with `sudo bash -c`.
sudo ip netns add red
sudo ip netns add router
sudo ip netns add blue

sudo ip link add veth-red address 02:00:00:00:01:01 type veth peer name eth0 netns red address 02:00:00:00:01:10
sudo ip link add veth-blue address 02:00:00:00:02:01 type veth peer name eth0 netns blue address 02:00:00:00:02:10
sudo ip link set veth-red netns router
sudo ip link set veth-blue netns router

sudo ip netns exec router ifconfig veth-red 10.0.1.1 netmask 255.255.255.0 up
sudo ip netns exec router ifconfig veth-blue 10.0.2.1/24 up
sudo ip netns exec red ifconfig eth0 10.0.1.10 netmask 255.255.255.0 up
sudo ip netns exec blue ifconfig eth0 10.0.2.10 netmask 255.255.255.0 up
sudo ip netns exec red ifconfig lo up
sudo ip netns exec blue ifconfig lo up

# No route to the other network yet: red cannot even send.
sudo ip netns exec red ping -c 1 -W 1 10.0.2.10        # expect: unreachable
sudo ip netns exec red route add default gw 10.0.1.1   # expect: ok
sudo ip netns exec blue route add default gw 10.0.2.1  # expect: ok
sudo ip netns exec red route -n

# The router has the routes but does not forward yet.
sudo ip netns exec red ping -c 1 -W 1 10.0.2.10        # expect: no-reply
# Writing the host's own switch does not help: forwarding is per namespace.
echo 1 | sudo tee /proc/sys/net/ipv4/ip_forward
sudo ip netns exec red ping -c 1 -W 1 10.0.2.10        # expect: no-reply
sudo ip netns exec router bash -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
sudo ip netns exec router sysctl net.ipv4.ip_forward
sudo ip netns exec red ping -c 1 -W 1 10.0.2.10        # expect: reply
sudo ip netns exec router arp -n -i veth-red

# A gateway that is not on the link is refused by the kernel.
sudo ip netns exec red route add -net 192.168.7.0 netmask 255.255.255.0 gw 10.9.9.9   # expect: error
# A static ARP entry, then gone again; the second delete finds nothing.
sudo ip netns exec red arp -s 10.0.1.99 02:00:00:00:00:99   # expect: ok
sudo ip netns exec red arp -n 10.0.1.99
sudo ip netns exec red arp -d 10.0.1.99                # expect: ok
sudo ip netns exec red arp -d 10.0.1.99                # expect: error

# Taking the router's interface down with ifconfig cuts red off again.
sudo ip netns exec router ifconfig veth-blue down
sudo ip netns exec red ping -c 1 -W 1 10.0.2.10        # expect: no-reply
sudo ip netns exec router route -n
