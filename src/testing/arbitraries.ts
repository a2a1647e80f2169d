// fast-check arbitraries for networking properties: addresses inside and
// outside a prefix, ports, flows between namespaces, packets. Addresses are
// dotted strings, as a person writes them in a scenario.
import fc from "fast-check";
import { formatIpv4Address, parseIpv4Address, prefixMask, type Ipv4Prefix } from "../model/address.js";
import type { Ipv4Packet, TcpFlags } from "../model/packet.js";
import type { Flow, FlowProtocol } from "./flow.js";

/** `10.0.0.0/8` (host bits are cleared) or a plain address (a /32). */
export function parsePrefix(text: string): Ipv4Prefix {
  const [addressText = "", lengthText] = text.split("/");
  const address = parseIpv4Address(addressText);
  const length = lengthText === undefined ? 32 : Number(lengthText);
  if (address === undefined || !Number.isInteger(length) || length < 0 || length > 32) throw new Error(`netsim/testing: "${text}" is not an IPv4 prefix`);
  return { address: (address & prefixMask(length)) >>> 0, length };
}

function contains(prefix: Ipv4Prefix, address: number): boolean {
  return ((address & prefixMask(prefix.length)) >>> 0) === prefix.address;
}

/** Whether a dotted address lies in a prefix. */
export function prefixHolds(prefix: string, address: string): boolean {
  const parsed = parseIpv4Address(address);
  return parsed !== undefined && contains(parsePrefix(prefix), parsed);
}

export interface InsideConstraints {
  /** Leave out the network and broadcast addresses (default true for prefixes up to /30). */
  readonly hostsOnly?: boolean;
  /** Addresses never to return (a gateway, addresses already in use). */
  readonly exclude?: readonly string[];
}

/** An address inside `prefix`. */
export function ipv4Inside(prefix: string, constraints: InsideConstraints = {}): fc.Arbitrary<string> {
  const parsed = parsePrefix(prefix);
  const size = 2 ** (32 - parsed.length);
  const hostsOnly = constraints.hostsOnly ?? parsed.length <= 30;
  const first = hostsOnly ? 1 : 0;
  const last = hostsOnly ? size - 2 : size - 1;
  const excluded = new Set((constraints.exclude ?? []).map((text) => parseIpv4Address(text)));
  return fc
    .integer({ min: first, max: last })
    .map((offset) => (parsed.address + offset) >>> 0)
    .filter((address) => !excluded.has(address))
    .map(formatIpv4Address);
}

/** Unicast addresses a host can send to: not 0/8, loopback, link-local, multicast or class E. */
function isOrdinaryUnicast(address: number): boolean {
  const first = address >>> 24;
  return first !== 0 && first !== 127 && first < 224 && !(first === 169 && ((address >>> 16) & 0xff) === 254);
}

/** An ordinary unicast address outside every prefix given (an "internet" address, for a container host). */
export function ipv4Outside(prefixes: string | readonly string[]): fc.Arbitrary<string> {
  const parsed = (typeof prefixes === "string" ? [prefixes] : prefixes).map(parsePrefix);
  return fc
    .integer({ min: 0x01000000, max: 0xdfffffff })
    .map((address) => address >>> 0)
    .filter((address) => isOrdinaryUnicast(address) && !parsed.some((prefix) => contains(prefix, address)))
    .map(formatIpv4Address);
}

/** A private prefix (RFC 1918) of the given lengths, network address only. */
export function privatePrefix(constraints: { readonly minLength?: number; readonly maxLength?: number } = {}): fc.Arbitrary<string> {
  const minLength = Math.max(constraints.minLength ?? 16, 16);
  const maxLength = Math.min(constraints.maxLength ?? 28, 30);
  return fc
    .tuple(fc.constantFrom("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), fc.integer({ min: minLength, max: maxLength }), fc.nat())
    .map(([block, length, pick]) => {
      const outer = parsePrefix(block);
      const room = 2 ** (length - outer.length);
      const index = pick % room;
      return `${formatIpv4Address((outer.address + index * 2 ** (32 - length)) >>> 0)}/${length}`;
    });
}

/** Any port, 1-65535. */
export function port(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 65535 });
}

/** A client port from Linux's ip_local_port_range (32768-60999). */
export function ephemeralPort(): fc.Arbitrary<number> {
  return fc.integer({ min: 32768, max: 60999 });
}

/** A port below 1024. */
export function privilegedPort(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 1023 });
}

export function flowProtocol(protocols: readonly FlowProtocol[] = ["tcp", "udp", "icmp"]): fc.Arbitrary<FlowProtocol> {
  return fc.constantFrom(...protocols);
}

/** Each part is a fixed value, a list to pick from, or an arbitrary. */
type Choice<T> = T | readonly T[] | fc.Arbitrary<T>;

function choose<T>(choice: Choice<T>): fc.Arbitrary<T> {
  if (choice instanceof fc.Arbitrary) return choice;
  if (Array.isArray(choice)) return fc.constantFrom(...(choice as readonly T[]));
  return fc.constant(choice as T);
}

export interface FlowConstraints {
  /** Namespaces the client runs in ("" is the host). */
  readonly from: Choice<string>;
  /** Destination addresses. */
  readonly to: Choice<string>;
  readonly protocols?: readonly FlowProtocol[];
  /** Destination ports (TCP, UDP); default any port. */
  readonly ports?: Choice<number>;
  /** Client ports / echo ids; default an ephemeral port. Give a short list to make flows collide. */
  readonly sourcePorts?: Choice<number>;
  readonly waitSeconds?: number;
}

/** A TCP, UDP or ICMP echo flow between the given namespaces and addresses. */
export function flow(constraints: FlowConstraints): fc.Arbitrary<Flow> {
  return fc
    .record({
      protocol: flowProtocol(constraints.protocols),
      from: choose(constraints.from),
      to: choose(constraints.to),
      port: choose(constraints.ports ?? port()),
      sourcePort: choose(constraints.sourcePorts ?? ephemeralPort()),
    })
    .map(({ protocol, from, to, port: destinationPort, sourcePort }): Flow => ({
      protocol,
      from,
      to,
      ...(protocol === "icmp" ? {} : { port: destinationPort }),
      sourcePort,
      ...(constraints.waitSeconds !== undefined ? { waitSeconds: constraints.waitSeconds } : {}),
    }));
}

export interface PacketConstraints {
  readonly source: Choice<string>;
  readonly destination: Choice<string>;
  readonly protocols?: readonly FlowProtocol[];
}

/** An IPv4 packet as the model carries it (src/model/packet.ts): a TCP SYN or other segment, a UDP datagram, or an ICMP echo. */
export function packet(constraints: PacketConstraints): fc.Arbitrary<Ipv4Packet> {
  const flags: fc.Arbitrary<TcpFlags> = fc.constantFrom<TcpFlags>({ syn: true }, { syn: true, ack: true }, { ack: true }, { fin: true, ack: true }, { rst: true });
  return fc
    .record({
      protocol: flowProtocol(constraints.protocols),
      source: choose(constraints.source),
      destination: choose(constraints.destination),
      sourcePort: port(),
      destinationPort: port(),
      flags,
      ttl: fc.integer({ min: 1, max: 64 }),
      echoReply: fc.boolean(),
    })
    .map(({ protocol, source, destination, sourcePort, destinationPort, flags: tcpFlags, ttl, echoReply }): Ipv4Packet => {
      const addresses = { source: parseIpv4Address(source)!, destination: parseIpv4Address(destination)!, ttl };
      if (protocol === "icmp") return { ...addresses, transport: { protocol: "icmp", type: echoReply ? 0 : 8, code: 0, id: sourcePort, sequence: 1 }, payloadLength: 64 };
      if (protocol === "udp") return { ...addresses, transport: { protocol: "udp", sourcePort, destinationPort }, payloadLength: 9 };
      return { ...addresses, transport: { protocol: "tcp", sourcePort, destinationPort, flags: tcpFlags }, payloadLength: 40 };
    });
}
