# A Kubernetes node with kube-proxy in nftables mode, holding the ruleset
# of kubernetes' own test TestOverallNFTablesRules
# (pkg/proxy/nftables/proxier_test.go: its baseRules and the six services'
# rules), the same services as the iptables scenario beside this one:
#   ns1/svc1  ClusterIP 172.30.0.41:80                -> 10.180.0.1
#   ns2/svc2  LoadBalancer 1.2.3.4, externalIP 192.168.99.22, NodePort 3001,
#             externalTrafficPolicy Local             -> 10.180.0.2 (not on this node)
#   ns3/svc3  NodePort 3003, ClusterIP 172.30.0.43    -> 10.180.0.3
#   ns4/svc4  externalIP 192.168.99.33, ClusterIP 172.30.0.44
#                                                     -> 10.180.0.4 (the test has 10.180.0.5 too)
#   ns5/svc5  LoadBalancer 5.6.7.8 (source range 203.0.113.0/25), NodePort 3002,
#             ClientIP session affinity (a dynamic set) -> 10.180.0.3
#   ns6/svc6  ClusterIP 172.30.0.46, no endpoints     -> reject-chain
# The addresses are the test's own: node 192.168.0.2 (the one address in
# @nodeport-ips), pod CIDR 10.0.0.0/8, service CIDR 172.30.0.0/16, an
# external client 203.0.113.2 inside the load balancer's source range and a
# blocked one, 203.0.113.130, outside it. The probes are the packet flows of
# the nftables tests (TestClusterIPGeneral, TestLoadBalancer,
# TestNoEndpointsReject, and TestTracePacket's of the iptables proxier) run
# for real against this ruleset.
#
# The one change to the test's ruleset: svc4 keeps a single endpoint. With
# two, kube-proxy writes `numgen random mod 2 vmap { 0 : goto ..., 1 : goto
# ... }`; the kernel draws that number with get_random_u32(), so which
# endpoint answers (and the conntrack and neighbour state after it) would
# differ from run to run, and netsim refuses numgen random above mod 1.
#
# kube-proxy (pkg/proxy/nftables/proxier.go, through sigs.k8s.io/knftables)
# loads each sync as one transaction on `nft -f -`: the text below, the
# test's, with each service's `add chain` lines moved to the top of its
# block. The test compares the fake's dump, which lists a service's chains
# beside their rules; nft resolves a goto when it reads the rule and refuses
# one to a chain not added yet ("Could not process rule: No such file or
# directory"), and kube-proxy's own transaction adds every chain of a service
# (ensureChain: endpoints first) before writing a rule. It also flushes each
# chain and map it refills; on a fresh node there is nothing to flush.
# nft 1.0.6 takes the rest as it is: the comments, the concatenated verdict
# maps, the dynamic set with its timeout and `update @set { ip saddr }`.

# The node, its router, the outside clients, the CNI bridge and pod() (lib/node.sh).
. lib/node.sh

# Each pod's veth in hairpin mode, as the CNI bridge plugin's "hairpinMode": true
# sets it: a pod reaches itself through a service (br_netfilter bridges the
# DNATed packet back out of the port it came in on; without it the hairpin
# probe below times out, on the kernel as here).
pod pod-a veth-a 10.0.0.2 hairpin
pod ep1 veth-ep1 10.180.0.1 hairpin
pod ep2 veth-ep2 10.180.0.2 hairpin
pod ep3 veth-ep3 10.180.0.3 hairpin
pod ep4 veth-ep4 10.180.0.4 hairpin

# ---- the sync: TestOverallNFTablesRules's expected ruleset, as kube-proxy loads it ----
nft -f - <<'EOF'
add table ip kube-proxy { comment "rules for kube-proxy" ; }

add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check

add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services

# svc1
add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80

add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }

add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80

add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

# svc2
add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80

add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80

add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }

add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

# svc3
add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80

add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }

# svc4 (one endpoint: see the top)
add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80

add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 }
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80

add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }

# svc5
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80

add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80

add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop

add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

# svc6
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
EOF

# What nft prints of it: the kernel's order and nft's spelling, not the file's.
nft list ruleset

for endpoint in ep1 ep2 ep3 ep4; do
  ip netns exec "$endpoint" nc -lk 80 &
done
# Give the listeners time to bind on the kernel.
sleep 1

# ClusterIPs (TestClusterIPGeneral, TestTracePacket).
ip netns exec pod-a nc -z -w 1 10.180.0.1 80          # expect: connected   (no service: straight to the pod)
ip netns exec pod-a nc -z -w 1 172.30.0.41 80         # expect: connected   (@service-ips, one endpoint: DNAT to 10.180.0.1)
ip netns exec ep1 nc -z -w 1 172.30.0.41 80           # expect: connected   (hairpin: the endpoint chain marks it, masqueraded to 10.0.0.1)
ip netns exec pod-a nc -z -w 1 172.30.0.44 80         # expect: connected   (svc4's ClusterIP)
ip netns exec pod-a nc -z -w 1 172.30.0.41 443        # expect: refused     (a ClusterIP's other port: cluster-ips-check rejects it)
ip netns exec pod-a nc -z -w 1 172.30.0.50 80         # expect: timeout     (an unallocated ClusterIP in 172.30.0.0/16: dropped)
ip netns exec pod-a nc -z -w 1 172.30.0.46 80         # expect: refused     (no endpoints: @no-endpoint-services goes to reject-chain)
nc -z -w 1 172.30.0.45 80                             # expect: connected   (the node to a ClusterIP: nat-output DNAT, masqueraded)
# External IPs and load balancers (TestLoadBalancer, TestTracePacket).
nc -z -w 1 192.168.99.22 80                           # expect: connected   (fib saddr type local: masquerade local traffic, DNAT to 10.180.0.2)
ip netns exec outside nc -z -w 1 192.168.99.22 80     # expect: timeout     (Local policy, no local endpoint: @no-endpoint-services drops it in forward)
ip netns exec outside nc -z -w 1 1.2.3.4 80           # expect: timeout     (svc2's load balancer IP: the same)
ip netns exec outside nc -z -w 1 192.168.99.33 80     # expect: connected   (svc4's external IP, Cluster policy: masqueraded)
ip netns exec outside nc -z -w 1 5.6.7.8 80           # expect: connected   (inside the load balancer's source range)
ip netns exec outside nc -z -w 1 5.6.7.8 80           # expect: connected   (again: the affinity set keeps it on 10.180.0.3)
ip netns exec blocked nc -z -w 1 5.6.7.8 80           # expect: timeout     (outside the range: firewall-check drops it before DNAT)
# NodePorts (TestLoadBalancer, TestNoEndpointsReject).
ip netns exec outside nc -z -w 1 192.168.0.2 3003     # expect: connected   (@service-nodeports, masqueraded to 10.0.0.1)
ip netns exec blocked nc -z -w 1 192.168.0.2 3002     # expect: connected   (a NodePort bypasses LoadBalancerSourceRanges)
ip netns exec pod-a nc -z -w 1 192.168.0.2 3001       # expect: connected   (Local policy: pod traffic short-circuits to the cluster endpoints)
ip netns exec outside nc -z -w 1 192.168.0.2 3001     # expect: timeout     (Local policy, no local endpoint: @no-endpoint-nodeports drops it in input)
nc -z -w 1 192.168.0.2 30000                          # expect: refused     (the health check port: no rule, nothing listens)

# The maps and sets the probes never change.
nft list map ip kube-proxy service-ips
nft list set ip kube-proxy cluster-ips
