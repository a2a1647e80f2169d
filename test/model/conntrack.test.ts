// The conntrack entry's status bits and the packet's conntrack attachment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConntrackStatus, conntrackStatusFlags, hasConntrackStatus, setConntrackStatus, withConntrack, type ConntrackStatusBit, type PacketConntrack } from "../../src/model/conntrack.js";
import type { Ipv4Packet } from "../../src/model/packet.js";

describe("conntrack status bits", () => {
  it("uses the kernel's IPS_*_BIT numbers (nf_conntrack_common.h)", () => {
    // IPS_SEEN_REPLY_BIT 1, IPS_ASSURED_BIT 2, IPS_CONFIRMED_BIT 3, IPS_SRC_NAT_BIT 4, IPS_DST_NAT_BIT 5,
    // IPS_SRC_NAT_DONE_BIT 7, IPS_DST_NAT_DONE_BIT 8.
    expect(ConntrackStatus).toEqual({ seenReply: 2, assured: 4, confirmed: 8, sourceNat: 16, destinationNat: 32, sourceNatDone: 128, destinationNatDone: 256 });
  });

  it("sets bits independently, and spells them out", () => {
    const bits = Object.keys(ConntrackStatus) as ConntrackStatusBit[];
    fc.assert(
      fc.property(fc.subarray(bits), (chosen) => {
        const entry = { status: 0 };
        for (const bit of chosen) setConntrackStatus(entry, bit);
        for (const bit of bits) expect(hasConntrackStatus(entry, bit)).toBe(chosen.includes(bit));
        expect(conntrackStatusFlags(entry.status)).toEqual(Object.fromEntries(bits.map((bit) => [bit, chosen.includes(bit)])));
      }),
    );
  });
});

describe("withConntrack", () => {
  const packet: Ipv4Packet = { source: 0x0a000001, destination: 0x0a000002, ttl: 64, transport: { protocol: "udp", sourcePort: 1000, destinationPort: 53 }, payloadLength: 8 } as Ipv4Packet;
  const attached: PacketConntrack = { namespaceId: 1, state: "NEW", mark: 0 };

  it("attaches without touching the original, keys in the same order as a spread", () => {
    const result = withConntrack(packet, attached);
    expect(result).not.toBe(packet);
    expect(packet.conntrack).toBeUndefined();
    expect(result).toStrictEqual({ ...packet, conntrack: attached });
    expect(Object.keys(result)).toEqual(Object.keys({ ...packet, conntrack: attached }));
  });

  it("replaces an attachment already there", () => {
    const again: PacketConntrack = { ...attached, state: "ESTABLISHED", mark: 7 };
    const result = withConntrack(withConntrack(packet, attached), again);
    expect(result.conntrack).toBe(again);
    expect(Object.keys(result)).toEqual([...Object.keys(packet), "conntrack"]);
  });
});
