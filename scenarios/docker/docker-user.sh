# DOCKER-USER: the chain Docker leaves to the administrator, consulted first
# in FORWARD. A rule there blocks the published port from outside, while the
# host (whose packets never pass FORWARD) still reaches it. The rule sees the
# packet after DNAT, so it names the container's port, 80.
. ./docker-host.sh

iptables -I DOCKER-USER -i eth0 -p tcp --dport 80 -j DROP
iptables -S DOCKER-USER
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: timeout   (dropped in DOCKER-USER)
nc -z -w 1 192.168.0.100 8080                      # expect: connected (locally generated: no FORWARD)
iptables -L DOCKER-USER -n -v
iptables -D DOCKER-USER 1
ip netns exec wan nc -z -w 1 192.168.0.100 8080    # expect: connected
