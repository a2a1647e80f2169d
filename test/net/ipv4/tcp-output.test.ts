// A connection's sequence space (tcp-output.ts): the fields a handshake,
// data, a close and a reset carry, against the shapes tcpdump showed on the
// kernel (test/fixtures/tcpdump/router-capture.txt): SYN win 64240 with
// mss,sackOK,TS,nop,wscale 10; SYN-ACK win 65160 acking ISN+1; then scaled
// windows 63/64 and nop,nop,TS; a reset to a SYN is seq 0, ack ISN+1, win 0.
import { describe, expect, it } from "vitest";
import type { Ipv4Packet, TcpSegment } from "../../../src/model/packet.js";
import type { Socket } from "../../../src/model/socket.js";
import { secureTcpSeq } from "../../../src/net/core/secure-seq.js";
import { tcpDataLength, tcpReceiveSegment, tcpResetFields, tcpSegmentFields } from "../../../src/net/ipv4/tcp-output.js";

function socket(fields: Partial<Socket> = {}): Socket {
  return { protocol: "tcp", port: 40000, address: 0x0a000001, remoteAddress: 0x0a000002, remotePort: 80, keepListening: false, open: false, state: "syn-sent", ...fields };
}

function packet(segment: Omit<TcpSegment, "protocol" | "sourcePort" | "destinationPort">, payloadLength: number): Ipv4Packet {
  return { source: 0x0a000002, destination: 0x0a000001, ttl: 64, transport: { protocol: "tcp", sourcePort: 80, destinationPort: 40000, ...segment }, payloadLength };
}

describe("TCP sequence numbers and header fields", () => {
  it("gives a SYN its ISN, the kernel's window and options, and a retransmitted SYN the same ISN", () => {
    const client = socket();
    const first = tcpSegmentFields(client, { syn: true }, 0, 1_000_000);
    expect(first).toEqual({ seq: secureTcpSeq(0x0a000001, 0x0a000002, 40000, 80, 1_000_000), window: 64240, options: { mss: 1460, sackOk: true, tsVal: expect.any(Number), tsEcr: 0, windowScale: 10 } });
    const again = tcpSegmentFields(client, { syn: true }, 0, 2_000_000);
    expect(again.seq).toBe(first.seq);
    expect(client.sndNxt).toBe((first.seq! + 1) >>> 0);
  });

  it("acknowledges what it received and numbers data and a FIN after it", () => {
    const client = socket();
    const syn = tcpSegmentFields(client, { syn: true }, 0, 0);
    tcpReceiveSegment(client, packet({ flags: { syn: true, ack: true }, seq: 5000, ackSeq: syn.seq! + 1, options: { mss: 1460, tsVal: 77, tsEcr: 1 } }, 40));
    expect(client.rcvNxt).toBe(5001);
    const ack = tcpSegmentFields(client, { ack: true }, 0, 0);
    expect(ack).toMatchObject({ seq: syn.seq! + 1, ackSeq: 5001, window: 63, options: { tsVal: expect.any(Number), tsEcr: 77 } });
    const data = tcpSegmentFields(client, { psh: true, ack: true }, 10, 0);
    expect(data.seq).toBe(syn.seq! + 1);
    const fin = tcpSegmentFields(client, { fin: true, ack: true }, 0, 0);
    expect(fin.seq).toBe(syn.seq! + 11);
    expect(client.sndNxt).toBe(syn.seq! + 12);
  });

  it("scales the server's window from 65160 (64) and answers a SYN-ACK with the client's TS val", () => {
    const server = socket({ acceptedBy: 1, port: 80, remotePort: 40000, state: "established" });
    tcpReceiveSegment(server, packet({ flags: { syn: true }, seq: 100, options: { mss: 1460, tsVal: 9, tsEcr: 0 } }, 40));
    expect(tcpSegmentFields(server, { syn: true, ack: true }, 0, 0)).toMatchObject({ ackSeq: 101, window: 65160, options: { tsEcr: 9 } });
    expect(tcpSegmentFields(server, { ack: true }, 0, 0).window).toBe(64);
  });

  it("numbers a reset as tcp_v4_send_reset: to a SYN seq 0 and ack ISN+1, to an ACK its ack as seq", () => {
    expect(tcpResetFields(packet({ flags: { syn: true }, seq: 1529070842, options: { mss: 1460, tsVal: 1, tsEcr: 0 } }, 40))).toEqual({ flags: { rst: true, ack: true }, seq: 0, ackSeq: 1529070843, window: 0 });
    expect(tcpResetFields(packet({ flags: { ack: true }, seq: 10, ackSeq: 999, options: { tsVal: 1, tsEcr: 1 } }, 32))).toEqual({ flags: { rst: true }, seq: 999, window: 0 });
  });

  it("counts a segment's payload after its header and options", () => {
    expect(tcpDataLength(packet({ flags: { syn: true }, seq: 1, options: { mss: 1460, tsVal: 1, tsEcr: 0 } }, 40))).toBe(0);
    expect(tcpDataLength(packet({ flags: { psh: true, ack: true }, seq: 1, ackSeq: 1, options: { tsVal: 1, tsEcr: 1 } }, 32 + 77))).toBe(77);
    expect(tcpDataLength(packet({ flags: { rst: true, ack: true }, seq: 0, ackSeq: 1 }, 20))).toBe(0);
  });

  it("replays: the same tuple at the same virtual time gives the same ISN, another tuple another", () => {
    expect(secureTcpSeq(1, 2, 3, 4, 5)).toBe(secureTcpSeq(1, 2, 3, 4, 5));
    expect(secureTcpSeq(1, 2, 3, 4, 5)).not.toBe(secureTcpSeq(1, 2, 3, 5, 5));
  });
});
