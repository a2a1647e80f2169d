// Connection tracking: a first packet opens an unconfirmed entry, the reply
// finds it in the other direction, states follow, ICMP errors are RELATED,
// and entries expire on the virtual clock.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../../src/model/address.js";
import type { NetworkNamespace } from "../../../src/model/netns.js";
import type { Ipv4Packet, TcpFlags } from "../../../src/model/packet.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";
import type { ConntrackEntry, ConntrackTable, ConntrackTuple } from "../../../src/model/conntrack.js";
import { hasConntrackStatus, setConntrackStatus } from "../../../src/model/conntrack.js";
import { CONNTRACK_TIMEOUTS, conntrackConfirm, conntrackIn, conntrackReplyChanged, expireEntries, findEntry, invertTuple, liveEntries, packetTuple, tuplesEqual, tupleTaken } from "../../../src/net/netfilter/nf-conntrack.js";
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

/** The lookup by definition: the oldest live confirmed entry holding the tuple, its original direction first. */
function scanFind(table: ConntrackTable, tuple: ConntrackTuple, now: number) {
  for (const entry of [...table.entries.values()].sort((a, b) => a.id - b.id)) {
    if (!hasConntrackStatus(entry, "confirmed") || entry.expires < now) continue;
    if (tuplesEqual(entry.original, tuple)) return { entry, direction: "original" as const };
    if (tuplesEqual(entry.reply, tuple)) return { entry, direction: "reply" as const };
  }
  return undefined;
}

function scanTaken(table: ConntrackTable, tuple: ConntrackTuple, except: ConntrackEntry, now: number): boolean {
  return [...table.entries.values()].some((entry) => entry !== except && hasConntrackStatus(entry, "confirmed") && entry.expires >= now && (tuplesEqual(entry.original, tuple) || tuplesEqual(entry.reply, tuple)));
}

describe("the tuple hash (properties)", () => {
  // Few addresses and ports, so tuples repeat, entries share tuples and slots collide.
  const address = fc.constantFrom(ip("10.0.0.1"), ip("10.0.0.2"), ip("192.168.1.1"), ip("255.255.255.254"));
  const port = fc.constantFrom(53, 80, 5000, 5001);
  const udp = fc.record({ source: address, destination: address, sourcePort: port, destinationPort: port }).map(
    ({ source, destination, sourcePort, destinationPort }): Ipv4Packet => ({ source, destination, ttl: 64, transport: { protocol: "udp", sourcePort, destinationPort }, payloadLength: 8 }),
  );
  const operation = fc.oneof(
    fc.record({ kind: fc.constant("packet" as const), packet: udp, confirm: fc.boolean() }),
    fc.record({ kind: fc.constant("nat" as const), pick: fc.nat(), to: address, port }),
    fc.record({ kind: fc.constant("wait" as const), microseconds: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 40 * 1_000_000 })) }),
    fc.record({ kind: fc.constant("forget" as const), pick: fc.nat() }),
    // Confirms an entry left unconfirmed: twins holding one tuple, where the oldest must win.
    fc.record({ kind: fc.constant("confirm" as const), pick: fc.nat() }),
  );

  it("finds what a scan of the table finds, through inserts, NAT rewrites, expiry and changes behind its back", () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 120, size: "max" }), fc.array(udp, { minLength: 1, maxLength: 8 }), (operations, probes) => {
        const { namespace, state } = setup();
        const table = state.conntrack;
        let now = 0;
        for (const step of operations) {
          const entries = [...table.entries.values()];
          if (step.kind === "packet") {
            const result = conntrackIn(state, namespace, step.packet, now, false);
            if (step.confirm) conntrackConfirm(state, namespace, result.packet);
          } else if (step.kind === "nat" && entries.length > 0) {
            const entry = entries[step.pick % entries.length]!;
            const previousReply = entry.reply;
            entry.reply = { ...previousReply, source: step.to, sourcePort: step.port };
            conntrackReplyChanged(table, entry, previousReply);
          } else if (step.kind === "wait") {
            now += step.microseconds;
            expireEntries(table, now);
          } else if (step.kind === "forget" && entries.length > 0) {
            table.entries.delete(entries[step.pick % entries.length]!.id);
          } else if (step.kind === "confirm") {
            const unconfirmed = entries.filter((entry) => !hasConntrackStatus(entry, "confirmed"));
            if (unconfirmed.length > 0) setConntrackStatus(unconfirmed[step.pick % unconfirmed.length]!, "confirmed");
          }
          for (const probe of step.kind === "packet" ? [step.packet, ...probes] : probes) {
            const tuple = packetTuple(probe);
            for (const asked of [tuple, invertTuple(tuple)]) {
              expect(findEntry(table, asked, now)).toEqual(scanFind(table, asked, now));
              for (const except of entries.slice(0, 2)) expect(tupleTaken(table, asked, except, now)).toBe(scanTaken(table, asked, except, now));
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("holds a large table: every entry is found by both its tuples", () => {
    const { namespace, state } = setup();
    for (let index = 0; index < 5000; index++) {
      const packet: Ipv4Packet = { source: (0xc0a80000 + (index >>> 6)) >>> 0, destination: ip("10.96.0.1"), ttl: 64, transport: { protocol: "udp", sourcePort: 1024 + (index & 63), destinationPort: 53 }, payloadLength: 8 };
      conntrackConfirm(state, namespace, conntrackIn(state, namespace, packet, 0, false).packet);
    }
    expect(state.conntrack.entries.size).toBe(5000);
    for (const entry of state.conntrack.entries.values()) {
      expect(findEntry(state.conntrack, entry.original, 0)).toEqual({ entry, direction: "original" });
      expect(findEntry(state.conntrack, entry.reply, 0)).toEqual({ entry, direction: "reply" });
    }
  });
});

describe("nf_conntrack_in untraced (property)", () => {
  const address = fc.constantFrom(ip("10.0.0.1"), ip("10.0.0.2"), ip("192.168.1.1"));
  const port = fc.constantFrom(80, 5000);
  const flags = fc.record({ syn: fc.boolean(), ack: fc.boolean(), fin: fc.boolean(), rst: fc.boolean() });
  const packet = fc.oneof(
    fc.record({ source: address, destination: address, sourcePort: port, destinationPort: port, flags }).map(
      ({ source, destination, sourcePort, destinationPort, flags }): Ipv4Packet => ({ source, destination, ttl: 64, transport: { protocol: "tcp", sourcePort, destinationPort, flags }, payloadLength: 40 }),
    ),
    fc.record({ source: address, destination: address, sourcePort: port, destinationPort: port }).map(
      ({ source, destination, sourcePort, destinationPort }): Ipv4Packet => ({ source, destination, ttl: 64, transport: { protocol: "udp", sourcePort, destinationPort }, payloadLength: 8 }),
    ),
    fc.record({ source: address, destination: address, type: fc.constantFrom(0, 8, 13), id: fc.constantFrom(1, 2) }).map(
      ({ source, destination, type, id }): Ipv4Packet => ({ source, destination, ttl: 64, transport: { protocol: "icmp", type, code: 0, id, sequence: 1 }, payloadLength: 64 }),
    ),
  );

  it("attaches, creates and refreshes exactly as traced, reporting the same result code", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ packet, confirm: fc.boolean(), wait: fc.integer({ min: 0, max: 20 * 1_000_000 }) }), { maxLength: 30 }), (steps) => {
        const traced = setup();
        const untraced = setup();
        let now = 0;
        for (const step of steps) {
          now += step.wait;
          const withText = conntrackIn(traced.state, traced.namespace, step.packet, now, false);
          const without = conntrackIn(untraced.state, untraced.namespace, step.packet, now, false);
          expect(without.packet).toStrictEqual(withText.packet);
          expect(without.entry).toStrictEqual(withText.entry);
          expect(without.result).toBe(withText.result);
          if (step.confirm) {
            conntrackConfirm(traced.state, traced.namespace, withText.packet);
            conntrackConfirm(untraced.state, untraced.namespace, without.packet);
          }
          expect([...untraced.state.conntrack.entries.values()]).toStrictEqual([...traced.state.conntrack.entries.values()]);
        }
      }),
    );
  });
});
