# Watching a bridge with tcpdump, the way container-networking tutorials do:
# two "containers" on br0, tcpdump on the bridge in the background, then a
# ping and a connection attempt between them. tcpdump puts br0 in
# promiscuous mode, so the bridge passes up to it even the frames it only
# forwards from one port to the other.

sudo ip link add br0 type bridge
sudo ip link set br0 up
sudo ip addr add 10.0.0.254/24 dev br0
for ns in red blue; do
  sudo ip netns add $ns
  sudo ip link add veth-$ns type veth peer name eth0 netns $ns
  sudo ip link set veth-$ns master br0
  sudo ip link set veth-$ns up
  sudo ip -n $ns link set eth0 up
  sudo ip -n $ns link set lo up
done
sudo ip -n red addr add 10.0.0.1/24 dev eth0
sudo ip -n blue addr add 10.0.0.2/24 dev eth0
sleep 2

# Line-buffered (-l), numeric (-n), with a filter: the kernel's own IPv6
# router solicitations would show up otherwise, and so would a neighbour
# probe whose time depends on how long the commands take.
sudo tcpdump -i br0 -n -l icmp &
# The first ARP exchange, with the Ethernet header (-e); -c 2 ends it.
sudo tcpdump -i br0 -n -l -e -c 2 arp &
sudo tcpdump -i veth-blue -n -l 'tcp and port 9999' &
sleep 1

sudo ip netns exec red ping -c 2 10.0.0.2                    # expect: reply
# Nothing listens on 9999 in blue: its reset shows as [R.].
sudo ip netns exec red nc -z -w 1 10.0.0.2 9999              # expect: refused
# A mistake tcpdump itself refuses.
sudo tcpdump -i br0 -n 'icmp and'                            # expect: error
sudo tcpdump -i nosuch -n icmp                               # expect: error
sleep 2
