import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Ipv4Packet } from "../../../src/model/packet.js";
import type { TraceStep } from "../../../src/model/trace.js";
import { natRewrites, probePath } from "../../../src/render/diagram/probe-path.js";
import { simulate, TWO_HOSTS } from "../../support/simulate.js";

const request: Ipv4Packet = { source: 0xac12000a, destination: 0x08080808, ttl: 64, transport: { protocol: "icmp", type: 8, code: 0, id: 7, sequence: 1 }, payloadLength: 64 };
const syn: Ipv4Packet = { source: 0x0a000001, destination: 0xc0a80064, ttl: 64, transport: { protocol: "tcp", sourcePort: 40000, destinationPort: 1234, flags: { syn: true } }, payloadLength: 20 };

describe("natRewrites", () => {
  it("names the end a NAT changed", () => {
    expect(natRewrites(request, { ...request, source: 0xc0a80064 })).toEqual(["src 172.18.0.10 id 7 → 192.168.0.100 id 7"]);
    expect(natRewrites(syn, { ...syn, destination: 0xac12000a, transport: { protocol: "tcp", sourcePort: 40000, destinationPort: 11211, flags: { syn: true } } })).toEqual(["dst 192.168.0.100:1234 → 172.18.0.10:11211"]);
    expect(natRewrites(request, { ...request, ttl: 63 })).toEqual([]);
  });

  it("does not take a reply made from a request for a rewrite", () => {
    const reply: Ipv4Packet = { ...request, source: request.destination, destination: request.source, transport: { protocol: "icmp", type: 0, code: 0, id: 7, sequence: 1 } };
    expect(natRewrites(request, reply)).toEqual([]);
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (source, destination, sourcePort, destinationPort) => {
        const packet: Ipv4Packet = { source, destination, ttl: 64, transport: { protocol: "udp", sourcePort, destinationPort }, payloadLength: 8 };
        const swapped: Ipv4Packet = { ...packet, source: destination, destination: source, transport: { protocol: "udp", sourcePort: destinationPort, destinationPort: sourcePort } };
        expect(natRewrites(packet, swapped)).toEqual([]);
        expect(natRewrites(packet, packet)).toEqual([]);
      }),
    );
  });
});

describe("probePath", () => {
  const step = (partial: Partial<TraceStep> & Pick<TraceStep, "namespace" | "stage">): TraceStep => ({ time: 0, verdict: "continue", why: "", ...partial });

  it("merges a device's steps into one hop, leaves ARP out, and stops where the packet dies", () => {
    const path = probePath({
      probe: "ping -c 1 8.8.8.8",
      namespace: "a",
      steps: [
        step({ namespace: "a", device: "va", stage: "ip_route_output" }),
        step({ namespace: "a", device: "va", stage: "ip_output", packet: request }),
        step({ namespace: "a", device: "va", stage: "arp_send", arp: { operation: "request", senderMac: "02:00:00:00:00:01", senderAddress: 1, targetMac: "00:00:00:00:00:00", targetAddress: 2 } }),
        step({ namespace: "b", device: "vb", stage: "arp_rcv", verdict: "drop", arp: { operation: "request", senderMac: "02:00:00:00:00:01", senderAddress: 1, targetMac: "00:00:00:00:00:00", targetAddress: 2 } }),
        step({ namespace: "a", device: "va", stage: "veth_xmit", packet: request }),
        step({ namespace: "b", device: "vb", stage: "ip_rcv", packet: request }),
        step({ namespace: "b", device: "vb", stage: "nf_hook", packet: request, packetAfter: { ...request, destination: 0x0a000002 }, decision: { kind: "netfilter", table: "nat", chain: "PREROUTING", target: "DNAT" } }),
        step({ namespace: "b", device: "eth1", stage: "ip_forward", packet: { ...request, destination: 0x0a000002 }, verdict: "drop", dropReason: "IP_INADDRERRORS", why: "forwarding is off" }),
        step({ namespace: "b", device: "eth1", stage: "icmp_send" }),
      ],
    });
    expect(path.hops.map((hop) => `${hop.number} ${hop.namespace}/${hop.device}`)).toEqual(["1 a/va", "2 b/vb", "3 b/eth1"]);
    expect(path.hops[0]!.stages).toEqual(["ip_route_output", "ip_output", "veth_xmit"]);
    expect(path.hops[1]!.rewrites).toEqual(["DNAT: dst 8.8.8.8 → 10.0.0.2"]);
    expect(path.hops[2]!.drop).toEqual({ reason: "IP_INADDRERRORS", why: "forwarding is off" });
    expect(path.hops[2]!.packet).toBe("172.18.0.10 > 10.0.0.2 echo request id 7 seq 1 ttl 64");
  });

  it("follows a real ping there and back, ending at the probe", async () => {
    const run = await simulate(`${TWO_HOSTS}ip netns exec a ping -c 3 10.0.0.2\n`, { tracing: true });
    const path = probePath(run.traces[0]!);
    expect(path.hops.map((hop) => `${hop.namespace}/${hop.device}`)).toEqual(["a/va", "b/vb", "a/va"]);
    expect(path.hops[2]!.delivered).toBe(true);
    expect(path.hops[1]!.packet).toMatch(/^10\.0\.0\.1 > 10\.0\.0\.2 echo request/);
    expect(path.hops[2]!.packet).toMatch(/^10\.0\.0\.2 > 10\.0\.0\.1 echo reply/);
    expect(path.hops.every((hop) => hop.rewrites.length === 0)).toBe(true);
  });

  it("puts a probe that had no route in its namespace, with no device", async () => {
    const run = await simulate("ip netns add a\nip netns exec a ping -c 1 8.8.8.8\n", { tracing: true });
    const path = probePath(run.traces[0]!);
    expect(path.hops).toHaveLength(1);
    expect(path.hops[0]!.device).toBeUndefined();
    expect(path.hops[0]!.drop?.reason).toBe("IP_OUTNOROUTES");
  });
});
