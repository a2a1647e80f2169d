# A bridge built the way older tutorials build it, with bridge-utils' brctl
# instead of ip link: two network namespaces plugged into br0, STP off,
# then the ports listed and the MACs the bridge learned shown.

sudo brctl addbr br0
sudo brctl stp br0 off
sudo ip link set br0 up
sudo ip addr add 192.168.10.1/24 dev br0
for n in 1 2; do
  sudo ip netns add ns$n
  sudo ip link add veth$n type veth peer name eth0 netns ns$n
  sudo brctl addif br0 veth$n
  sudo ip link set veth$n up
  sudo ip -n ns$n addr add 192.168.10.1$n/24 dev eth0
  sudo ip -n ns$n link set eth0 up
  sudo ip -n ns$n link set lo up
done
sleep 2

sudo ip netns exec ns1 ping -c 2 192.168.10.12    # expect: reply
sudo brctl show br0
sudo brctl showmacs br0

# A port taken out of the bridge: ns2 is cut off.
sudo brctl delif br0 veth2
sudo ip netns exec ns1 ping -c 1 -W 1 192.168.10.12   # expect: no-reply
sudo brctl addif br0 veth2
sudo ip netns exec ns1 ping -c 1 192.168.10.12        # expect: reply

# Mistakes brctl itself refuses.
sudo brctl addbr br0                              # expect: error
sudo brctl addif br0 nosuch                       # expect: error
sudo brctl delbr br0                              # expect: error
