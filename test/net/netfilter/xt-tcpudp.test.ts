// tcp_mt()'s flag test (--syn, --tcp-flags MASK COMP, with !) on the segment's flags.
import { describe, expect, it } from "vitest";
import type { Match } from "../../../src/model/netfilter.js";
import type { TcpFlags } from "../../../src/model/packet.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { xtTcpUdp } from "../../../src/net/netfilter/xt-tcpudp.js";

const world = createWorld();

function holds(match: Extract<Match, { kind: "tcp" | "udp" }>, flags: TcpFlags): boolean {
  const packet = { source: 1, destination: 2, ttl: 64, transport: { protocol: "tcp" as const, sourcePort: 40000, destinationPort: 80, flags }, length: 40 };
  return xtTcpUdp.match(match, { namespace: rootNamespace(world), hook: "INPUT", packet: packet as never, bridged: false, now: 0 }, 1);
}

const syn = { kind: "tcp" as const, tcpFlags: { mask: 0x17, compare: 0x02, invert: false } };
const notSyn = { kind: "tcp" as const, tcpFlags: { mask: 0x17, compare: 0x02, invert: true } };
const synNoAck = { kind: "tcp" as const, tcpFlags: { mask: 0x12, compare: 0x02, invert: false } };

describe("tcp --tcp-flags", () => {
  it("--syn takes a first SYN only", () => {
    expect(holds(syn, { syn: true })).toBe(true);
    expect(holds(syn, { syn: true, ack: true })).toBe(false);
    expect(holds(syn, { ack: true })).toBe(false);
    expect(holds(syn, { syn: true, rst: true })).toBe(false);
    expect(holds(syn, { syn: true, fin: true })).toBe(false);
  });
  it("! --syn takes everything else", () => {
    expect(holds(notSyn, { syn: true })).toBe(false);
    expect(holds(notSyn, { syn: true, ack: true })).toBe(true);
    expect(holds(notSyn, { ack: true })).toBe(true);
  });
  it("MASK COMP compares only the masked bits", () => {
    expect(holds(synNoAck, { syn: true, fin: true })).toBe(true);
    expect(holds(synNoAck, { syn: true, ack: true })).toBe(false);
  });
  it("a port test and a flag test must both hold", () => {
    const both = { ...syn, destinationPorts: { first: 81, last: 81 } };
    expect(holds(both, { syn: true })).toBe(false);
  });
});
