# Regression (found by the differential fuzzer): OpenBSD nc sets SO_REUSEPORT
# on its listening sockets, so a second `nc -l` on a port another nc already
# listens on binds too, and both keep listening. The simulator refused the
# second with "nc: Address already in use".
ip netns add n0
ip -n n0 link set lo up
ip netns exec n0 nc -lk 8080 &
ip netns exec n0 nc -lk 8080 &
ip netns exec n0 nc -u -l 9000 &
ip netns exec n0 nc -u -l 9000 &
# Give the listeners time to bind on the kernel.
sleep 1
ip netns exec n0 nc -z -w 1 127.0.0.1 8080        # expect: connected
ip netns exec n0 nc -z -w 1 127.0.0.1 8081        # expect: refused
