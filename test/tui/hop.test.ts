import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../src/model/address.js";
import type { Ipv4Packet } from "../../src/model/packet.js";
import { hopDetail, hopSummary, packetChanges, packetSegments } from "../../src/tui/hop.js";
import { lineText } from "../../src/tui/line.js";
import { masqueradeWalk, RULE } from "./masquerade.js";
import { commandIndex, walkOf } from "./support.js";

const packet: Ipv4Packet = {
  source: parseIpv4Address("172.18.0.10")!,
  destination: parseIpv4Address("8.8.8.8")!,
  ttl: 63,
  transport: { protocol: "tcp", sourcePort: 40000, destinationPort: 1234, flags: { syn: true } },
  payloadLength: 20,
};

describe("a hop's detail", () => {
  it("marks exactly the fields a NAT changed", () => {
    const after: Ipv4Packet = { ...packet, source: parseIpv4Address("192.168.0.100")!, transport: { ...packet.transport, sourcePort: 40001 } as Ipv4Packet["transport"] };
    const segments = packetSegments(after, packet);
    expect(segments.map((segment) => segment.text).join("")).toBe("192.168.0.100:40001 > 8.8.8.8:1234 tcp [SYN] ttl 63");
    expect(segments.filter((segment) => segment.style === "changed").map((segment) => segment.text)).toEqual(["192.168.0.100:40001"]);
    expect(packetChanges(packet, after)).toEqual(["source 172.18.0.10:40000 → 192.168.0.100:40001"]);
    const dnat: Ipv4Packet = { ...packet, destination: parseIpv4Address("172.18.0.10")!, ttl: 62 };
    expect(packetChanges(packet, dnat)).toEqual(["destination 8.8.8.8:1234 → 172.18.0.10:1234", "ttl 63 → 62"]);
    expect(packetSegments(packet).some((segment) => segment.style === "changed")).toBe(false);
  });

  it("shows the MASQUERADE rule, the packet before and after with the rewrite, and the conntrack entry", async () => {
    const { walk, command, natHop, conntrackHop } = await masqueradeWalk();
    const step = walk.steps[command]!;
    const hops = step.trace!.steps;
    const nat = hopDetail(hops[natHop]!, natHop + 1, hops.length, step.world, 80);
    const text = nat.map(lineText);
    expect(text[0]).toBe(`hop ${natHop + 1}/${hops.length} · (root)/eth0 · nf_hook · ${text[0]!.split(" · ").at(-1)}`);
    expect(text).toContain(`  iptables -t nat POSTROUTING: rule 1: ${RULE} → MASQUERADE`);
    expect(text.find((line) => line.startsWith("  packet"))).toMatch(/^ {2}packet {2}172\.18\.0\.10 > 8\.8\.8\.8 echo request id \d+ seq 1 ttl 63$/);
    expect(text.find((line) => line.startsWith("  after"))).toMatch(/^ {2}after {3}192\.168\.0\.100 > 8\.8\.8\.8 echo request id \d+ seq 1 ttl 63$/);
    expect(text).toContain("  NAT     source 172.18.0.10 → 192.168.0.100");
    const afterLine = nat.find((line) => lineText(line).startsWith("  after"))!;
    expect(afterLine.filter((segment) => segment.style === "changed").map((segment) => segment.text)).toEqual(["192.168.0.100"]);
    expect(lineText(hopSummary(hops[natHop]!, natHop + 1, true))).toMatch(/^▶ +\d+ \(root\)\/eth0 +nf_hook +rewritten nat POSTROUTING rule 1/);
    const conntrack = hopDetail(hops[conntrackHop]!, conntrackHop + 1, hops.length, step.world, 200).map(lineText);
    expect(conntrack).toContain("  conntrack NEW: icmp src=172.18.0.10 dst=8.8.8.8 type=8 code=0 id=20052 src=8.8.8.8 dst=192.168.0.100 type=0 code=0 id=20052");
  });

  it("says when forwarding is off, and names the sysctl", async () => {
    const walk = await walkOf("06-default-route.sh");
    const step = walk.steps[commandIndex(walk, "ip netns exec netns0 ping -c 1 -W 1 8.8.8.8")]!;
    const hops = step.trace!.steps;
    const index = hops.findIndex((hop) => hop.decision?.kind === "sysctl");
    expect(index).toBeGreaterThanOrEqual(0);
    const text = hopDetail(hops[index]!, index + 1, hops.length, step.world, 80).map(lineText);
    expect(text).toContain("  sysctl net.ipv4.conf.br0.forwarding = 0");
    expect(text.at(-1)).toBe("  verdict DROP IP_INADDRERRORS");
  });
});

describe("netfilter hops", () => {
  it("stage 9: every rule evaluated shows, a rule that did not match marked so and not as if its target ran", async () => {
    const walk = await walkOf("09-port-forward.sh");
    const lines: string[] = [];
    const summaries: string[] = [];
    for (const step of walk.steps) {
      const hops = step.trace?.steps ?? [];
      hops.forEach((hop, index) => {
        if (hop.decision?.kind !== "netfilter") return;
        lines.push(...hopDetail(hop, index + 1, hops.length, step.world, 200).map(lineText));
        summaries.push(lineText(hopSummary(hop, index + 1, false)));
      });
    }
    expect(lines).toContain("  iptables -t nat PREROUTING: rule 1: -A PREROUTING -i eth0 -p tcp -m tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211 → DNAT");
    expect(lines).toContain("  iptables -t nat PREROUTING: rule 1: -A PREROUTING -i eth0 -p tcp -m tcp --dport 1234 -j DNAT --to-destination 172.18.0.10:11211  ✗ no match");
    expect(lines).toContain("  iptables -t nat POSTROUTING: policy ACCEPT");
    expect(lines.some((line) => /POSTROUTING: rule 1 does not match/.test(line))).toBe(true);
    expect(summaries.some((line) => / nf_hook +no match /.test(line))).toBe(true);
  });
});
