// Connection tracking: a first packet opens an unconfirmed entry, the reply
// finds it in the other direction, states follow, ICMP errors are RELATED,
// and entries expire on the virtual clock.
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../../src/model/address.js";
import type { NetworkNamespace } from "../../../src/model/netns.js";
import type { Ipv4Packet, TcpFlags } from "../../../src/model/packet.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";
import { CONNTRACK_TIMEOUTS, conntrackConfirm, conntrackIn, liveEntries } from "../../../src/net/netfilter/nf-conntrack.js";
import { ensureNetfilter } from "../../../src/net/netfilter/nf-tables-api.js";
import { formatConntrackEntry } from "../../../src/commands/conntrack.js";
import { simulate, recordOf } from "../../support/simulate.js";

const ip = (text: string) => parseIpv4Address(text)!;

function setup() {
  const world = createWorld();
  const namespace = world.namespaces.get(0) as NetworkNamespace;
  const state = ensureNetfilter(namespace);
  state.conntrackEnabled = true;
  return { namespace, state };
}

function tcp(source: string, sourcePort: number, destination: string, destinationPort: number, flags: TcpFlags): Ipv4Packet {
  return { source: ip(source), destination: ip(destination), ttl: 64, transport: { protocol: "tcp", sourcePort, destinationPort, flags }, payloadLength: 40 };
}

describe("nf_conntrack", () => {
  it("tracks a TCP handshake and close in both directions, ending in TIME_WAIT [ASSURED]", () => {
    const { namespace, state } = setup();
    const steps: [Ipv4Packet, string][] = [
      [tcp("10.0.0.1", 40000, "10.0.0.2", 80, { syn: true }), "NEW"],
      [tcp("10.0.0.2", 80, "10.0.0.1", 40000, { syn: true, ack: true }), "ESTABLISHED"],
      [tcp("10.0.0.1", 40000, "10.0.0.2", 80, { ack: true }), "ESTABLISHED"],
      [tcp("10.0.0.1", 40000, "10.0.0.2", 80, { fin: true, ack: true }), "ESTABLISHED"],
      [tcp("10.0.0.2", 80, "10.0.0.1", 40000, { fin: true, ack: true }), "ESTABLISHED"],
      [tcp("10.0.0.1", 40000, "10.0.0.2", 80, { ack: true }), "ESTABLISHED"],
    ];
    let now = 0;
    for (const [packet, expected] of steps) {
      const result = conntrackIn(state, namespace, packet, now, false);
      expect(result.packet.conntrack?.state).toBe(expected);
      conntrackConfirm(state, namespace, result.packet);
      now += 10;
    }
    const [entry] = liveEntries(state.conntrack, now);
    expect(entry?.tcpState).toBe("TIME_WAIT");
    expect(formatConntrackEntry(entry!, now)).toBe("tcp      6 119 TIME_WAIT src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED] mark=0 use=1");
  });

  it("drops the entry at once when the only answer is a reset (a refused connection leaves nothing)", () => {
    const { namespace, state } = setup();
    const syn = conntrackIn(state, namespace, tcp("10.0.0.1", 40000, "10.0.0.2", 81, { syn: true }), 0, false);
    conntrackConfirm(state, namespace, syn.packet);
    conntrackIn(state, namespace, tcp("10.0.0.2", 81, "10.0.0.1", 40000, { rst: true, ack: true }), 5, false);
    expect(liveEntries(state.conntrack, 6)).toEqual([]);
  });

  it("marks replies to ICMP echo, keeps the id as the port, and calls ICMP errors RELATED", () => {
    const { namespace, state } = setup();
    const request: Ipv4Packet = { source: ip("10.0.0.1"), destination: ip("10.0.0.2"), ttl: 64, transport: { protocol: "icmp", type: 8, code: 0, id: 42, sequence: 1 }, payloadLength: 64 };
    const first = conntrackIn(state, namespace, request, 0, false);
    conntrackConfirm(state, namespace, first.packet);
    const reply: Ipv4Packet = { ...request, source: request.destination, destination: request.source, transport: { protocol: "icmp", type: 0, code: 0, id: 42, sequence: 1 } };
    expect(conntrackIn(state, namespace, reply, 1, false).packet.conntrack).toMatchObject({ state: "ESTABLISHED", direction: "reply" });
    const error: Ipv4Packet = { source: ip("10.0.0.9"), destination: ip("10.0.0.1"), ttl: 64, transport: { protocol: "icmp", type: 11, code: 0, original: request }, payloadLength: 36 };
    expect(conntrackIn(state, namespace, error, 2, false).packet.conntrack?.state).toBe("RELATED");
    const stray: Ipv4Packet = { ...reply, transport: { protocol: "icmp", type: 0, code: 0, id: 7, sequence: 1 } };
    expect(conntrackIn(state, namespace, stray, 3, false).packet.conntrack?.state).toBe("INVALID");
    const [entry] = liveEntries(state.conntrack, 3);
    expect(formatConntrackEntry(entry!, 3)).toBe("icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=42 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=42 mark=0 use=1");
  });

  it("expires entries on the virtual clock", () => {
    const { namespace, state } = setup();
    const request: Ipv4Packet = { source: ip("10.0.0.1"), destination: ip("10.0.0.2"), ttl: 64, transport: { protocol: "udp", sourcePort: 5000, destinationPort: 53 }, payloadLength: 9 };
    conntrackConfirm(state, namespace, conntrackIn(state, namespace, request, 0, false).packet);
    expect(liveEntries(state.conntrack, CONNTRACK_TIMEOUTS.udp)).toHaveLength(1);
    expect(liveEntries(state.conntrack, CONNTRACK_TIMEOUTS.udp + 1)).toHaveLength(0);
    expect(formatConntrackEntry(liveEntries(state.conntrack, 0)[0]!, 0)).toBe("udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=5000 dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 dport=5000 mark=0 use=1");
  });

  it("stays off until a rule needs it (nf_tables: no conntrack for a nat table of ACCEPTs)", async () => {
    const run = await simulate("iptables -t nat -A OUTPUT -j ACCEPT\nping -c 1 127.0.0.1\nconntrack -L\niptables -A OUTPUT -m conntrack --ctstate NEW -j ACCEPT\nping -c 1 127.0.0.1\nconntrack -C\nconntrack -F\nconntrack -C\n");
    expect(run.problems).toEqual([]);
    expect(recordOf(run, "conntrack -L")).toMatchObject({ stdout: "", stderr: "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n" });
    const counts = run.commands.filter((record) => record.argv.join(" ") === "conntrack -C").map((record) => record.stdout);
    expect(counts).toEqual(["1\n", "0\n"]);
    expect(recordOf(run, "conntrack -F").stderr).toBe("conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n");
  });
});
