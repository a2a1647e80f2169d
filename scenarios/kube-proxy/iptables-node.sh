# A Kubernetes node with kube-proxy in iptables mode (its default), holding
# the ruleset of kubernetes' own test TestOverallIPTablesRules
# (pkg/proxy/iptables/proxier_test.go): six services over five endpoints.
#   ns1/svc1  ClusterIP 172.30.0.41:80                -> 10.180.0.1
#   ns2/svc2  LoadBalancer 1.2.3.4, externalIP 192.168.99.22, NodePort 3001,
#             externalTrafficPolicy Local, health check 30000
#                                                     -> 10.180.0.2 (not on this node)
#   ns3/svc3  NodePort 3003, ClusterIP 172.30.0.43    -> 10.180.0.3
#   ns4/svc4  externalIP 192.168.99.33, ClusterIP 172.30.0.44
#                                                     -> 10.180.0.4, 10.180.0.5 (statistic 0.5)
#   ns5/svc5  LoadBalancer 5.6.7.8 (source range 203.0.113.0/25), NodePort 3002,
#             ClientIP session affinity (recent)      -> 10.180.0.3
#   ns6/svc6  ClusterIP 172.30.0.46, no endpoints     -> REJECT
# The addresses are the test's own: node 192.168.0.2, pod CIDR 10.0.0.0/8,
# an external client 203.0.113.2 inside the load balancer's source range and
# a blocked one, 203.0.113.130, outside it. The probes are the packet flows
# of its TestTracePacket, run for real: a pod (10.0.0.2) to a ClusterIP with
# one endpoint, the node to an external IP (masqueraded), an
# outside client to that external IP (dropped: no local endpoint), the health
# check port, the service without endpoints (rejected); then the NodePort,
# the load balancer's source range and the localhost NodePort.
#
# kube-proxy's start-up (pkg/proxy/iptables/proxier.go syncProxyRules): the
# jump chains (iptablesJumpChains, iptablesKubeletJumpChains) made with -N and
# their jump rules inserted first in the built-in chains (EnsureRule Prepend,
# after an -C), the nfacct counters it creates over netlink (here with
# nfacct), route_localnet for localhost NodePorts; then every sync is one
# `iptables-restore -w 5 -W 100000 --noflush --counters` of the whole ruleset,
# its chains declared (and so flushed) first.

# The node, its router, the outside clients, the CNI bridge and pod() (lib/node.sh).
. lib/node.sh

pod pod-a veth-a 10.0.0.2
pod ep1 veth-ep1 10.180.0.1
pod ep2 veth-ep2 10.180.0.2
pod ep3 veth-ep3 10.180.0.3
pod ep4 veth-ep4 10.180.0.4
pod ep5 veth-ep5 10.180.0.5

# ---- kube-proxy starts ----
# Localhost NodePorts (--nodeport-addresses unset) need 127/8 sources routed off lo.
sysctl -q -w net.ipv4.conf.all.route_localnet=1
# Its metrics' counters (metrics.IPTablesCTStateInvalidDroppedNFAcctCounter, LocalhostNodePortAcceptedNFAcctCounter).
nfacct add ct_state_invalid_dropped_pkts
nfacct add localhost_nps_accepted_pkts
# iptablesJumpChains and iptablesKubeletJumpChains, in their order; each jump goes first in its chain.
iptables -w 5 -W 100000 -N KUBE-EXTERNAL-SERVICES -t filter
iptables -w 5 -W 100000 -C INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES 2>/dev/null ||
  iptables -w 5 -W 100000 -I INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
iptables -w 5 -W 100000 -I FORWARD -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
iptables -w 5 -W 100000 -N KUBE-NODEPORTS -t filter
iptables -w 5 -W 100000 -I INPUT -t filter -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
iptables -w 5 -W 100000 -N KUBE-SERVICES -t filter
iptables -w 5 -W 100000 -I FORWARD -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -I OUTPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -N KUBE-FORWARD -t filter
iptables -w 5 -W 100000 -I FORWARD -t filter -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
iptables -w 5 -W 100000 -N KUBE-PROXY-FIREWALL -t filter
iptables -w 5 -W 100000 -I INPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
iptables -w 5 -W 100000 -I OUTPUT -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
iptables -w 5 -W 100000 -I FORWARD -t filter -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
iptables -w 5 -W 100000 -N KUBE-SERVICES -t nat
iptables -w 5 -W 100000 -I OUTPUT -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -I PREROUTING -t nat -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
iptables -w 5 -W 100000 -N KUBE-POSTROUTING -t nat
iptables -w 5 -W 100000 -I POSTROUTING -t nat -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
iptables -w 5 -W 100000 -N KUBE-FIREWALL -t filter
iptables -w 5 -W 100000 -I INPUT -t filter -j KUBE-FIREWALL
iptables -w 5 -W 100000 -I OUTPUT -t filter -j KUBE-FIREWALL

# ---- the sync: TestOverallIPTablesRules's expected ruleset, as kube-proxy restores it ----
iptables-restore -w 5 -W 100000 --noflush --counters <<'EOF'
*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
COMMIT
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
:KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
:KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
:KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
COMMIT
EOF

# What iptables-save prints of it: the kernel's order and spelling, not the file's.
iptables-save -t filter
iptables-save -t nat

for endpoint in ep1 ep2 ep3 ep4 ep5; do
  ip netns exec "$endpoint" nc -lk 80 &
done
# Give the listeners time to bind on the kernel.
sleep 1

# TestTracePacket's flows.
ip netns exec pod-a nc -z -w 1 10.180.0.1 80          # expect: connected   (no service: straight to the pod)
ip netns exec pod-a nc -z -w 1 172.30.0.41 80         # expect: connected   (single endpoint: DNAT to 10.180.0.1, un-DNATed on the bridge by br_netfilter)
# "multiple endpoints" (172.30.0.44, split by -m statistic --mode random) is
# left out: the kernel draws with get_random_u32() and netsim from its seed,
# so which endpoint answers (and the conntrack and neighbour state after it)
# differs from run to run, though the probe connects either way.
nc -z -w 1 192.168.99.22 80                           # expect: connected   (LOCAL source: KUBE-MARK-MASQ, OUTPUT DNAT to 10.180.0.2)
ip netns exec outside nc -z -w 1 192.168.99.22 80     # expect: timeout     (Local policy, no local endpoint: KUBE-EXTERNAL-SERVICES drops in FORWARD)
nc -z -w 1 192.168.0.2 30000                          # expect: refused     (health check port accepted by KUBE-NODEPORTS; nothing listens here)
ip netns exec pod-a nc -z -w 1 172.30.0.46 80         # expect: refused     (no endpoints: KUBE-SERVICES REJECT, port unreachable)
# The rest of the ruleset.
ip netns exec outside nc -z -w 1 192.168.0.2 3003     # expect: connected   (NodePort: KUBE-NODEPORTS, masqueraded to 10.0.0.1)
ip netns exec outside nc -z -w 1 5.6.7.8 80           # expect: connected   (inside the load balancer's source range)
ip netns exec outside nc -z -w 1 5.6.7.8 80           # expect: connected   (again: the recent match keeps it on 10.180.0.3)
ip netns exec blocked nc -z -w 1 5.6.7.8 80           # expect: timeout     (outside the range: not DNATed, KUBE-PROXY-FIREWALL drops it)
ip netns exec outside nc -z -w 1 1.2.3.4 80           # expect: timeout     (svc2's load balancer IP: no local endpoint)
nc -z -w 1 127.0.0.1 3003                             # expect: connected   (localhost NodePort: route_localnet, masqueraded off lo)
nc -z -w 1 172.30.0.45 80                             # expect: connected   (the node to a ClusterIP: OUTPUT DNAT, masqueraded)

# The localhost NodePort counted once (nat sees a connection's first packet); nothing was invalid.
nfacct list
