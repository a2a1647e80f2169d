// NAT core: bindings rewrite the reply tuple, packets of both directions
// are rewritten from the entry, and a translated tuple already held by
// another connection gets a new port in the same class.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../../src/model/address.js";
import type { ConntrackEntry } from "../../../src/model/conntrack.js";
import { setConntrackStatus } from "../../../src/model/conntrack.js";
import type { Ipv4Packet } from "../../../src/model/packet.js";
import { createConntrackTable, invertTuple, packetTuple } from "../../../src/net/netfilter/nf-conntrack.js";
import { natIcmpReplyTranslation, natPacket, natSetupInfo } from "../../../src/net/netfilter/nf-nat.js";

const ip = (text: string) => parseIpv4Address(text)!;
const MASQ = ip("192.168.0.100");

function udp(source: string, sourcePort: number, destination: string, destinationPort: number): Ipv4Packet {
  return { source: ip(source), destination: ip(destination), ttl: 64, transport: { protocol: "udp", sourcePort, destinationPort }, payloadLength: 9 };
}

function entryFor(packet: Ipv4Packet, id: number): ConntrackEntry {
  const original = packetTuple(packet);
  return {
    id,
    original,
    reply: invertTuple(original),
    status: 0,
    expires: 30_000_000,
    mark: 0,
  };
}

const masquerade = { manip: "source" as const, range: { addresses: { first: MASQ, last: MASQ } } };

describe("nf_nat", () => {
  it("SNAT keeps the port when free; the reply is de-NATed from the entry", () => {
    const table = createConntrackTable();
    const request = udp("172.18.0.10", 5000, "8.8.8.8", 53);
    const entry = entryFor(request, 1);
    table.entries.set(1, entry);
    expect(natSetupInfo(table, entry, masquerade, 0)).toBe(true);
    setConntrackStatus(entry, "confirmed");
    expect(entry.reply).toMatchObject({ source: ip("8.8.8.8"), destination: MASQ, sourcePort: 53, destinationPort: 5000 });
    const out = natPacket(entry, "original", "source", request);
    expect(out).toMatchObject({ source: MASQ, transport: { sourcePort: 5000 } });
    const reply = udp("8.8.8.8", 53, "192.168.0.100", 5000);
    const back = natPacket(entry, "reply", "destination", reply);
    expect(back).toMatchObject({ destination: ip("172.18.0.10"), transport: { destinationPort: 5000 } });
    // The source manip never touches a reply's source.
    expect(natPacket(entry, "reply", "source", reply)).toBe(reply);
  });

  it("remaps the port when another connection holds the translated tuple, within the port's class", () => {
    const table = createConntrackTable();
    const first = entryFor(udp("172.18.0.10", 5000, "8.8.8.8", 53), 1);
    table.entries.set(1, first);
    natSetupInfo(table, first, masquerade, 0);
    setConntrackStatus(first, "confirmed");
    const second = entryFor(udp("172.18.0.20", 5000, "8.8.8.8", 53), 2);
    table.entries.set(2, second);
    natSetupInfo(table, second, masquerade, 0);
    expect(second.reply.destinationPort).not.toBe(5000);
    expect(second.reply.destinationPort).toBeGreaterThanOrEqual(1024);
    const low = entryFor(udp("172.18.0.30", 123, "8.8.8.8", 53), 3);
    const lowTwin = entryFor(udp("172.18.0.40", 123, "8.8.8.8", 53), 4);
    for (const entry of [low, lowTwin]) {
      table.entries.set(entry.id, entry);
      natSetupInfo(table, entry, masquerade, 0);
      setConntrackStatus(entry, "confirmed");
    }
    expect(low.reply.destinationPort).toBe(123);
    expect(lowTwin.reply.destinationPort).toBeGreaterThanOrEqual(1);
    expect(lowTwin.reply.destinationPort).toBeLessThanOrEqual(511);
  });

  it("SNAT --to-source with a port range moves a port outside it into it", () => {
    const table = createConntrackTable();
    const entry = entryFor(udp("10.0.0.2", 5000, "8.8.8.8", 53), 1);
    table.entries.set(1, entry);
    natSetupInfo(table, entry, { manip: "source", range: { addresses: { first: MASQ, last: MASQ }, ports: { first: 1000, last: 2000 } } }, 0);
    expect(entry.reply.destinationPort).toBeGreaterThanOrEqual(1000);
    expect(entry.reply.destinationPort).toBeLessThanOrEqual(2000);
  });

  it("DNAT rewrites the destination and port; replies get their source back", () => {
    const table = createConntrackTable();
    const syn: Ipv4Packet = { source: ip("192.168.0.1"), destination: MASQ, ttl: 64, transport: { protocol: "tcp", sourcePort: 40000, destinationPort: 1234, flags: { syn: true } }, payloadLength: 40 };
    const entry = entryFor(syn, 1);
    natSetupInfo(table, entry, { manip: "destination", range: { addresses: { first: ip("172.18.0.10"), last: ip("172.18.0.10") }, ports: { first: 11211, last: 11211 } } }, 0);
    expect(natPacket(entry, "original", "destination", syn)).toMatchObject({ destination: ip("172.18.0.10"), transport: { destinationPort: 11211 } });
    const synAck: Ipv4Packet = { source: ip("172.18.0.10"), destination: ip("192.168.0.1"), ttl: 64, transport: { protocol: "tcp", sourcePort: 11211, destinationPort: 40000, flags: { syn: true, ack: true } }, payloadLength: 40 };
    expect(natPacket(entry, "reply", "source", synAck)).toMatchObject({ source: MASQ, transport: { sourcePort: 1234 } });
  });

  it("turns an ICMP error round: the outer destination and the quoted source", () => {
    const table = createConntrackTable();
    const request = udp("172.18.0.10", 5000, "8.8.8.8", 53);
    const entry = entryFor(request, 1);
    natSetupInfo(table, entry, masquerade, 0);
    const quoted = natPacket(entry, "original", "source", request);
    const error: Ipv4Packet = { source: ip("8.8.8.8"), destination: MASQ, ttl: 64, transport: { protocol: "icmp", type: 3, code: 3, original: quoted }, payloadLength: 36 };
    const translated = natIcmpReplyTranslation(entry, "reply", "destination", error);
    expect(translated.destination).toBe(ip("172.18.0.10"));
    expect(translated.transport.protocol === "icmp" && translated.transport.original).toMatchObject({ source: ip("172.18.0.10"), transport: { sourcePort: 5000 } });
  });

  it("never hands out a reply tuple another connection holds (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 2, max: 20 }), fc.constantFrom(80, 443, 5000, 40000)), { minLength: 1, maxLength: 40 }), (clients) => {
        const table = createConntrackTable();
        clients.forEach(([host, port], index) => {
          const entry = entryFor(udp(`172.18.0.${host}`, port, "8.8.8.8", 53), index + 1);
          table.entries.set(entry.id, entry);
          if (natSetupInfo(table, entry, masquerade, 0)) setConntrackStatus(entry, "confirmed");
          else table.entries.delete(entry.id);
        });
        const replies = [...table.entries.values()].map((entry) => JSON.stringify(entry.reply));
        expect(new Set(replies).size).toBe(replies.length);
      }),
    );
  });
});
