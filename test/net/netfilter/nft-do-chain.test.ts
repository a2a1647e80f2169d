// nft's base chains on the packet path: registered at their hook by
// priority beside iptables-nft's tables (nf_hook_slow), an accept ending only
// its own base chain and a drop ending the packet, nat chains asked in
// priority order for a connection's first packet only (nf_nat_inet_fn), and
// the expressions (sets, verdict maps, wildcards, jumps) deciding as
// nft_do_chain does. Each case runs a scenario through the simulator.
import { describe, expect, it } from "vitest";
import { simulate } from "../../support/simulate.js";

/** a (10.0.1.2) - r - b (10.0.2.2): r forwards. */
const ROUTER = `
ip netns add a
ip netns add r
ip netns add b
ip link add ra netns r type veth peer name eth0 netns a
ip link add rb netns r type veth peer name eth0 netns b
ip -n a addr add 10.0.1.2/24 dev eth0
ip -n b addr add 10.0.2.2/24 dev eth0
ip -n r addr add 10.0.1.1/24 dev ra
ip -n r addr add 10.0.2.1/24 dev rb
ip -n a link set eth0 up
ip -n b link set eth0 up
ip -n r link set ra up
ip -n r link set rb up
ip -n a route add default via 10.0.1.1
ip -n b route add default via 10.0.2.1
ip netns exec r sysctl -q -w net.ipv4.ip_forward=1
`;

async function run(lines: string, tracing = false) {
  const result = await simulate(`${ROUTER}${lines}`, { tracing });
  expect(result.problems).toEqual([]);
  return result;
}

function outcomes(result: Awaited<ReturnType<typeof run>>): string[] {
  return result.expectations.map((expectation) => `${expectation.expected}:${expectation.actual}`);
}

describe("nft base chains in nf_hook_slow", () => {
  it("an accept ends only its own base chain: a later base chain at the hook still drops", async () => {
    const result = await run(`
ip netns exec r nft add table ip first
ip netns exec r nft add chain ip first forward '{ type filter hook forward priority -10; policy accept; }'
ip netns exec r nft add rule ip first forward counter accept
ip netns exec r nft add table ip second
ip netns exec r nft add chain ip second forward '{ type filter hook forward priority 10; policy drop; }'
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: no-reply
ip netns exec r nft add rule ip second forward accept
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: reply
ip netns exec r nft list chain ip first forward
`);
    expect(outcomes(result)).toEqual(["no-reply:no-reply", "reply:reply"]);
    // first's accept counted the dropped request, then the second round's request and reply.
    expect(result.output).toContain("counter packets 3 bytes 252 accept");
  });

  it("a drop is final: a later base chain never sees the packet, whatever its priority order", async () => {
    const result = await run(`
ip netns exec r nft add table ip t
ip netns exec r nft add chain ip t late '{ type filter hook forward priority 10; }'
ip netns exec r nft add rule ip t late counter
ip netns exec r nft add chain ip t early '{ type filter hook forward priority -10; }'
ip netns exec r nft add rule ip t early ip daddr 10.0.2.2 drop
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: no-reply
ip netns exec r nft list chain ip t late
`);
    expect(outcomes(result)).toEqual(["no-reply:no-reply"]);
    expect(result.output).toContain("\t\tcounter packets 0 bytes 0\n");
  });

  it("nat chains are asked in priority order, only until one binds, and only for a connection's first packet", async () => {
    const result = await run(`
ip -n b addr add 10.0.2.3/24 dev eth0
ip netns exec b nc -lk 80 &
sleep 1
ip netns exec r nft add table ip n
ip netns exec r nft add chain ip n later '{ type nat hook prerouting priority -90; }'
ip netns exec r nft add rule ip n later tcp dport 8080 counter dnat to 10.0.2.3:80
ip netns exec r nft add chain ip n earlier '{ type nat hook prerouting priority -100; }'
ip netns exec r nft add rule ip n earlier tcp dport 8080 counter dnat to 10.0.2.2:80
ip netns exec a nc -z -w 1 10.0.1.1 8080   # expect: connected
ip netns exec r nft list table ip n
ip netns exec r conntrack -L -p tcp
`);
    expect(outcomes(result)).toEqual(["connected:connected"]);
    expect(result.output).toContain("tcp dport 8080 counter packets 1 bytes 60 dnat to 10.0.2.2:80");
    expect(result.output).toContain("tcp dport 8080 counter packets 0 bytes 0 dnat to 10.0.2.3:80");
    expect(result.output).toMatch(/dst=10\.0\.1\.1 sport=\d+ dport=8080 src=10\.0\.2\.2 dst=10\.0\.1\.2 sport=80/);
  });

  it("sets, verdict maps, interface wildcards, jump and return decide as nft_do_chain does", async () => {
    const result = await run(`
ip netns exec r nft -f - <<'RULES'
table inet f {
	set allowed {
		type ipv4_addr
		elements = { 10.0.2.2 }
	}

	map by-in {
		type ifname : verdict
		elements = { "ra" : jump from-a }
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname vmap @by-in
		iifname "r*" counter
	}

	chain from-a {
		icmp type echo-request ip daddr != @allowed return
		meta l4proto icmp accept
	}
}
RULES
ip -n b addr add 10.0.2.9/24 dev eth0
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: reply
ip netns exec a ping -c 1 -W 1 10.0.2.9   # expect: no-reply
ip netns exec r nft list chain inet f forward
`, true);
    expect(outcomes(result)).toEqual(["reply:reply", "no-reply:no-reply"]);
    // The second request returned from from-a, was counted by the wildcard rule, and dropped by the policy.
    expect(result.output).toContain('iifname "r*" counter packets 1 bytes 84');
    const steps = result.traces[1]!.steps.map((step) => step.why);
    // Handles as nft -f gives them: chains (1, 2), then sets (3, 4), then rules (5-7 in forward, 8-9 in from-a).
    expect(steps).toContain("FORWARD inet f from-a handle 8: rule matches: return to forward");
    expect(steps).toContain("FORWARD inet f forward: no rule decided: the chain's policy drop applies");
  });

  // Verified on the kernel (netsim verify): 3 probes, 4 state checks, 0 divergences.
  it("reject with tcp reset and no protocol match rejects tcp only: nft put meta l4proto tcp in front of it", async () => {
    const result = await run(`
ip netns exec b nc -lk 80 &
sleep 1
ip netns exec r nft add table inet f
ip netns exec r nft add chain inet f forward '{ type filter hook forward priority 0; }'
ip netns exec r nft add rule inet f forward counter reject with tcp reset
ip netns exec r nft add table ip g
ip netns exec r nft add chain ip g forward '{ type filter hook forward priority 10; }'
ip netns exec r nft add rule ip g forward reject with tcp reset
ip netns exec a ping -c 1 -W 1 10.0.2.2              # expect: reply
ip netns exec a nc -u -v -z -w 1 10.0.2.2 54         # expect: refused
ip netns exec a nc -z -w 1 10.0.2.2 80               # expect: refused
ip netns exec r nft list ruleset
`);
    // The echo request and the UDP probe went past both rules (b's own port unreachable refused the probe); the SYN was reset.
    expect(outcomes(result)).toEqual(["reply:reply", "refused:refused", "refused:refused"]);
    expect(result.output).toContain("\t\tmeta l4proto tcp counter packets 1 bytes 60 reject with tcp reset\n");
    expect(result.output).toContain("\t\ttype filter hook forward priority filter + 10; policy accept;\n\t\treject with tcp reset\n");
  });

  it("update @set puts the source in a dynamic set with the set's timeout; a lookup misses it once the timeout ran out", async () => {
    // A one-shot pass: the first packet of a source goes through and marks it, later ones are dropped while it is in the set
    // (the kernel answered the three probes so: netsim verify of these lines; the chain is not called fwd, an nft keyword).
    const result = await run(`
ip netns exec r nft add table ip t
ip netns exec r nft add set ip t seen '{ type ipv4_addr; flags dynamic,timeout; timeout 5s; }'
ip netns exec r nft add chain ip t pass '{ type filter hook forward priority 0; }'
ip netns exec r nft add rule ip t pass ip saddr 10.0.1.2 ip saddr @seen drop
ip netns exec r nft add rule ip t pass ip saddr 10.0.1.2 update @seen { ip saddr }
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: reply
ip netns exec r nft list set ip t seen
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: no-reply
sleep 5
ip netns exec r nft list set ip t seen
ip netns exec a ping -c 1 -W 1 10.0.2.2   # expect: reply
`);
    expect(outcomes(result)).toEqual(["reply:reply", "no-reply:no-reply", "reply:reply"]);
    // nft_dynset_init gave the set its default size; the element's time left is listed in milliseconds (the kernel: 4s384ms after its ping).
    expect(result.output).toMatch(/\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout 5s\n\t\telements = \{ 10\.0\.1\.2 expires 4s\d+ms \}\n/);
    // After the timeout the element is gone from the listing too.
    expect(result.output).toContain("\t\ttimeout 5s\n\t}\n");
  });

  it("meta pkttype is the frame's: a broadcast ping is broadcast at prerouting and input, a unicast one and the reply host (counters as the kernel counted them)", async () => {
    const chains = ["pre", "in", "out"].flatMap((chain) => ["host", "broadcast", "multicast", "other"].map((type) => `ip netns exec r nft add rule ip t ${chain} meta pkttype ${type} counter`));
    const result = await run(`
ip netns exec r nft add table ip t
ip netns exec r nft add chain ip t in '{ type filter hook input priority 0; }'
ip netns exec r nft add chain ip t pre '{ type filter hook prerouting priority 0; }'
ip netns exec r nft add chain ip t out '{ type filter hook output priority 0; }'
${chains.join("\n")}
ip netns exec a ping -c 1 -W 1 10.0.1.1   # expect: reply
ip netns exec a ping -b -c 1 -W 1 10.0.1.255
ip netns exec r nft list ruleset
`);
    // Measured in the sandbox (two namespaces on a veth, the same pings): nft list ruleset's counters.
    const counted = (chain: string) => result.output.slice(result.output.indexOf(`chain ${chain} {`)).split("}")[0]!;
    for (const chain of ["pre", "in"]) {
      expect(counted(chain)).toContain("meta pkttype host counter packets 1 bytes 84\n");
      expect(counted(chain)).toContain("meta pkttype broadcast counter packets 1 bytes 84\n");
      expect(counted(chain)).toContain("meta pkttype multicast counter packets 0 bytes 0\n");
      expect(counted(chain)).toContain("meta pkttype other counter packets 0 bytes 0\n");
    }
    expect(counted("out")).toContain("meta pkttype host counter packets 1 bytes 84\n");
    expect(counted("out")).toContain("meta pkttype broadcast counter packets 0 bytes 0\n");
  });
  it("meta mark set ct mark and ct mark set meta mark copy one mark to the other (counters as the kernel counted them)", async () => {
    const result = await run(`
ip netns exec r nft add table ip t
ip netns exec r nft add chain ip t in '{ type filter hook input priority 0; }'
ip netns exec r nft add rule ip t in ct mark set 0x7
ip netns exec r nft add rule ip t in meta mark set ct mark
ip netns exec r nft add rule ip t in meta mark 0x7 counter
ip netns exec r nft add rule ip t in meta mark set 0x9
ip netns exec r nft add rule ip t in ct mark set meta mark
ip netns exec r nft add rule ip t in ct mark 0x9 counter
ip netns exec r nft add chain ip t out '{ type filter hook output priority 0; }'
ip netns exec r nft add rule ip t out ct mark 0x9 counter
ip netns exec a ping -c 2 -i 0.2 -W 1 10.0.1.1   # expect: reply
ip netns exec r nft list ruleset
`);
    // Measured in the sandbox (two namespaces on a veth, the same ping): the three counters.
    expect(result.output).toContain("\t\tmeta mark 0x00000007 counter packets 2 bytes 168\n");
    expect(result.output).toContain("\t\tct mark 0x00000009 counter packets 2 bytes 168\n\t}\n\n\tchain out");
    expect(result.output).toContain("chain out {\n\t\ttype filter hook output priority filter; policy accept;\n\t\tct mark 0x00000009 counter packets 2 bytes 168\n");
  });

  it("numgen random mod 2 spreads packets over a verdict map's two chains as kube-proxy's service chains do, the same way on every run (the draw is seeded: xt_statistic's)", async () => {
    const lines = `
ip netns exec r nft add table ip t
ip netns exec r nft add chain ip t a
ip netns exec r nft add chain ip t b
ip netns exec r nft add rule ip t a counter
ip netns exec r nft add rule ip t b counter
ip netns exec r nft add chain ip t pick '{ type filter hook forward priority 0; }'
ip netns exec r nft add rule ip t pick icmp type echo-request numgen random mod 2 vmap { 0 : jump a, 1 : jump b }
ip netns exec a ping -c 40 -i 0.01 -W 1 10.0.2.2   # expect: reply
ip netns exec r nft list chain ip t a
ip netns exec r nft list chain ip t b
`;
    const counts = (output: string) => [...output.matchAll(/counter packets (\d+) bytes/g)].map((match) => Number(match[1]));
    const first = counts((await run(lines)).output);
    const second = counts((await run(lines)).output);
    expect(first).toEqual(second);
    expect(first[0]! + first[1]!).toBe(40);
    // Both ways taken, neither by far the most (a binomial 40, 1/2 draw: 10 to 30 holds with p > 0.998).
    expect(Math.min(first[0]!, first[1]!)).toBeGreaterThanOrEqual(10);
  });
});
