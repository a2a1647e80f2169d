// tcpdump's line format against tcpdump 4.99.3's own lines, recorded in the
// kernel sandbox (test/fixtures/tcpdump/router-capture.sh): the frames the
// kernel sent there, rebuilt with the kernel's own field values (MACs, ids,
// ports, ISNs, TS values), must print exactly as tcpdump printed them, with
// -n, without it, and with -q -e.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseIpv4Address } from "../../../src/model/address.js";
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHO_REPLY, ICMP_TIME_EXCEEDED, type EthernetFrame, type Ipv4Packet, type TcpSegment } from "../../../src/model/packet.js";
import { formatTimestamp, printFrame, TcpSequenceTable, type PrintOptions } from "../../../src/commands/tcpdump/print.js";

const fixture = readFileSync(new URL("../../fixtures/tcpdump/router-capture.txt", import.meta.url), "utf8");

function section(name: string): string[] {
  const start = fixture.indexOf(`== ${name}\n`);
  return fixture.slice(start).split("\n").slice(1).filter((line, index, all) => all.slice(0, index + 1).every((earlier) => earlier !== ""));
}

const A = "b2:bd:ed:be:e4:30"; // 10.1.0.1's
const R = "92:3b:30:b4:81:28"; // the router's 10.1.0.254
const BROADCAST = "ff:ff:ff:ff:ff:ff";
const ip = (text: string) => parseIpv4Address(text)!;

let frameId = 0;
function ipv4(source: string, destination: string, packet: Omit<Ipv4Packet, "source" | "destination" | "ttl">, from = A, to = R): EthernetFrame {
  return { id: ++frameId, source: from, destination: to, payload: { kind: "ipv4", packet: { source: ip(source), destination: ip(destination), ttl: 64, ...packet } } };
}
function arpRequest(target: string, sender: string): EthernetFrame {
  return { id: ++frameId, source: A, destination: BROADCAST, payload: { kind: "arp", arp: { operation: "request", senderMac: A, senderAddress: ip(sender), targetMac: "00:00:00:00:00:00", targetAddress: ip(target) } } };
}
function tcp(source: string, sport: number, destination: string, dport: number, segment: Omit<TcpSegment, "protocol" | "sourcePort" | "destinationPort">, payloadLength: number, toClient = false): EthernetFrame {
  return ipv4(source, destination, { transport: { protocol: "tcp", sourcePort: sport, destinationPort: dport, ...segment }, payloadLength }, toClient ? R : A, toClient ? A : R);
}

const echo = (source: string, destination: string, type: number, id: number, fromRouter = false) =>
  ipv4(source, destination, { transport: { protocol: "icmp", type, code: 0, id, sequence: 1 }, payloadLength: 64 }, fromRouter ? R : A, fromRouter ? A : R);
const request = (destination: string, id: number) => ipv4("10.1.0.1", destination, { transport: { protocol: "icmp", type: ICMP_ECHO, code: 0, id, sequence: 1 }, payloadLength: 64 });
const error = (source: string, type: number, code: number, original: Ipv4Packet, length: number) =>
  ipv4(source, "10.1.0.1", { transport: { protocol: "icmp", type, code, original }, payloadLength: length }, R, A);
const inner = (destination: string, transport: Ipv4Packet["transport"], payloadLength: number): Ipv4Packet => ({ source: ip("10.1.0.1"), destination: ip(destination), ttl: 1, transport, payloadLength });

const CLIENT = 2104603188;
const SERVER = 34932267;
/** The frames router-capture.sh's capture on ra saw, in order (its section o1 lines 1-23). */
function frames(): EthernetFrame[] {
  return [
    arpRequest("10.1.0.254", "10.1.0.1"),
    { id: ++frameId, source: R, destination: A, payload: { kind: "arp", arp: { operation: "reply", senderMac: R, senderAddress: ip("10.1.0.254"), targetMac: A, targetAddress: ip("10.1.0.1") } } },
    request("10.2.0.1", 34),
    error("10.1.0.254", ICMP_TIME_EXCEEDED, 0, inner("10.2.0.1", { protocol: "icmp", type: ICMP_ECHO, code: 0, id: 34, sequence: 1 }, 64), 92),
    arpRequest("10.1.0.77", "10.1.0.1"),
    request("10.2.0.1", 36),
    echo("10.2.0.1", "10.1.0.1", ICMP_ECHO_REPLY, 36, true),
    arpRequest("10.1.0.77", "10.1.0.1"),
    request("10.2.0.99", 37),
    arpRequest("10.1.0.77", "10.1.0.1"),
    error("10.1.0.254", ICMP_DEST_UNREACH, 1, inner("10.2.0.99", { protocol: "icmp", type: ICMP_ECHO, code: 0, id: 37, sequence: 1 }, 64), 92),
    ipv4("10.1.0.1", "10.2.0.1", { transport: { protocol: "udp", sourcePort: 42217, destinationPort: 4444 }, payloadLength: 11 }),
    error("10.2.0.1", ICMP_DEST_UNREACH, 3, inner("10.2.0.1", { protocol: "udp", sourcePort: 42217, destinationPort: 4444 }, 11), 39),
    tcp("10.1.0.1", 54082, "10.2.0.1", 8080, { flags: { syn: true }, seq: CLIENT, window: 64240, options: { mss: 1460, sackOk: true, tsVal: 1541232113, tsEcr: 0, windowScale: 10 } }, 40),
    tcp("10.2.0.1", 8080, "10.1.0.1", 54082, { flags: { syn: true, ack: true }, seq: SERVER, ackSeq: CLIENT + 1, window: 65160, options: { mss: 1460, sackOk: true, tsVal: 3032895285, tsEcr: 1541232113, windowScale: 10 } }, 40, true),
    tcp("10.1.0.1", 54082, "10.2.0.1", 8080, { flags: { ack: true }, seq: CLIENT + 1, ackSeq: SERVER + 1, window: 63, options: { tsVal: 1541232113, tsEcr: 3032895285 } }, 32),
    tcp("10.1.0.1", 54082, "10.2.0.1", 8080, { flags: { fin: true, ack: true }, seq: CLIENT + 1, ackSeq: SERVER + 1, window: 63, options: { tsVal: 1541232129, tsEcr: 3032895285 } }, 32),
    tcp("10.2.0.1", 8080, "10.1.0.1", 54082, { flags: { fin: true, ack: true }, seq: SERVER + 1, ackSeq: CLIENT + 2, window: 64, options: { tsVal: 3032895301, tsEcr: 1541232129 } }, 32, true),
    tcp("10.1.0.1", 54082, "10.2.0.1", 8080, { flags: { ack: true }, seq: CLIENT + 2, ackSeq: SERVER + 2, window: 63, options: { tsVal: 1541232129, tsEcr: 3032895301 } }, 32),
    tcp("10.1.0.1", 40340, "10.2.0.1", 22, { flags: { syn: true }, seq: 1529070842, window: 64240, options: { mss: 1460, sackOk: true, tsVal: 4137298784, tsEcr: 0, windowScale: 10 } }, 40),
    tcp("10.2.0.1", 22, "10.1.0.1", 40340, { flags: { rst: true, ack: true }, seq: 0, ackSeq: 1529070843, window: 0 }, 20, true),
    tcp("10.1.0.1", 42164, "10.2.0.1", 80, { flags: { syn: true }, seq: 2313513768, window: 64240, options: { mss: 1460, sackOk: true, tsVal: 472678006, tsEcr: 0, windowScale: 10 } }, 40),
    tcp("10.2.0.1", 80, "10.1.0.1", 42164, { flags: { rst: true, ack: true }, seq: 0, ackSeq: 2313513769, window: 0 }, 20, true),
  ];
}

/** The µs of the day a golden line's timestamp says. */
function clockOf(line: string): number {
  const [, hours, minutes, seconds, micro] = /^(\d\d):(\d\d):(\d\d)\.(\d{6}) /.exec(line)!;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1_000_000 + Number(micro);
}

function printAll(options: PrintOptions, golden: readonly string[]): string[] {
  const table = new TcpSequenceTable();
  return frames().map((frame, index) => printFrame(frame, clockOf(golden[index]!), options, table));
}

describe("tcpdump's line format", () => {
  it("prints ARP, ICMP (echo, time exceeded, host and port unreachable), UDP and a TCP handshake, close and resets as tcpdump -n does", () => {
    const golden = section("o1");
    expect(printAll({ numeric: true, link: false, quick: false }, golden)).toEqual(golden);
  });

  it("names ports and says the OUI is unknown without -n", () => {
    const golden = section("o2");
    expect(printAll({ numeric: false, link: false, quick: false }, golden)).toEqual(golden);
  });

  it("prints the Ethernet header with -e and shortens with -q", () => {
    const golden = section("o3");
    expect(printAll({ numeric: true, link: true, quick: true }, golden)).toEqual(golden);
  });

  it("numbers a conversation relative to its ISNs after the first segment with ACK, as print-tcp.c's tcp_seq_hash", () => {
    const table = new TcpSequenceTable();
    const syn: TcpSegment = { protocol: "tcp", sourcePort: 1000, destinationPort: 80, flags: { syn: true }, seq: 4294967290 };
    const synAck: TcpSegment = { protocol: "tcp", sourcePort: 80, destinationPort: 1000, flags: { syn: true, ack: true }, seq: 7, ackSeq: 4294967291 };
    const ack: TcpSegment = { protocol: "tcp", sourcePort: 1000, destinationPort: 80, flags: { ack: true }, seq: 4294967291 + 10, ackSeq: 8 };
    expect(table.relative(1, 2, syn)).toEqual({ seq: 4294967290, ack: 0 });
    expect(table.relative(2, 1, synAck)).toEqual({ seq: 7, ack: 4294967291 });
    // Across the 32-bit wrap.
    expect(table.relative(1, 2, ack)).toEqual({ seq: 11, ack: 1 });
  });

  it("formats the virtual clock as a time of day", () => {
    expect(formatTimestamp(0)).toBe("00:00:00.000000");
    expect(formatTimestamp(3_723_000_045)).toBe("01:02:03.000045");
    expect(formatTimestamp(86_400_000_001)).toBe("00:00:00.000001");
  });
});
