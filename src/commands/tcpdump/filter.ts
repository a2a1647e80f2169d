// tcpdump's filter expression (libpcap's grammar.y and gencode.c), a small
// honest subset: the protocols ip, arp, tcp, udp, icmp; [src|dst] host A;
// [src|dst] net N[/len]; [tcp|udp] [src|dst] port N; and, or (one
// precedence, left to right, as pcap's grammar has it), not, !, &&, ||,
// parentheses; a bare address or number after a primitive takes its
// qualifiers ("host 10.0.0.1 or 10.0.0.2"). Any other word of pcap's
// language is refused by name; errors are libpcap's own texts.
import { formatIpv4Address } from "../../model/address.js";
import type { EthernetFrame } from "../../model/packet.js";
import { CommandError, UnsupportedError } from "../command.js";
import { TCP_SERVICES, UDP_SERVICES } from "./services.js";

type Protocol = "ip" | "arp" | "tcp" | "udp" | "icmp";
type Direction = "src" | "dst" | "src or dst";
type AddressType = "host" | "net" | "port";

export type FilterNode =
  | { readonly kind: "and" | "or"; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: "not"; readonly operand: FilterNode }
  | { readonly kind: "protocol"; readonly protocol: Protocol }
  | { readonly kind: "host"; readonly protocol?: "ip" | "arp"; readonly direction: Direction; readonly address: number; readonly mask: number }
  | { readonly kind: "port"; readonly protocol?: "tcp" | "udp"; readonly direction: Direction; readonly port: number };

const PROTOCOLS = new Set<string>(["ip", "arp", "tcp", "udp", "icmp"]);
/** Words of pcap's language this subset does not take: refused by name. */
const UNMODELLED = new Set<string>([
  "ether", "fddi", "tr", "wlan", "ip6", "rarp", "atalk", "aarp", "decnet", "sca", "lat", "mopdl", "moprc", "iso", "stp", "ipx", "netbeui",
  "icmp6", "igmp", "igrp", "pim", "vrrp", "carp", "sctp", "ah", "esp", "proto", "protochain", "portrange", "gateway", "broadcast",
  "multicast", "less", "greater", "len", "vlan", "mpls", "pppoed", "pppoes", "geneve", "inbound", "outbound", "ifname", "on", "rnr",
  "rulenum", "reason", "rset", "srnr", "subrule", "action", "type", "subtype", "dir", "addr1", "addr2", "addr3", "addr4", "ra", "ta",
  "llc", "mask", "tcpflags", "icmptype", "icmpcode",
]);

const SYNTAX = "tcpdump: can't parse filter expression: syntax error";

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(&&|\|\||[()!]|[^\s()!&|]+|&|\|)/y;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = pattern.exec(text)) !== null) {
    tokens.push(match[1]!);
    end = pattern.lastIndex;
  }
  if (text.slice(end).trim() !== "") throw new CommandError(SYNTAX, 1);
  return tokens;
}

/** __pcap_atoin(): a dotted address of 1 to 4 parts, and how many bits it gave. */
function atoin(text: string): { value: number; bits: number } | undefined {
  if (!/^\d+(\.\d+){0,3}$/.test(text)) return undefined;
  const parts = text.split(".").map(Number);
  let value = 0;
  for (const part of parts) {
    if (part > 255) return undefined;
    value = value * 256 + part;
  }
  return { value: value >>> 0, bits: parts.length * 8 };
}

interface Qualifiers {
  protocol?: Protocol;
  direction?: Direction;
  type?: AddressType;
}

class Parser {
  private position = 0;
  /** The last primitive's qualifiers, for a bare id that follows ("port 80 or 443"). */
  private last: Qualifiers | undefined;

  constructor(private readonly tokens: readonly string[]) {}

  parse(): FilterNode {
    const node = this.expression();
    if (this.position < this.tokens.length) throw new CommandError(SYNTAX, 1);
    return node;
  }

  private peek(): string | undefined {
    return this.tokens[this.position];
  }

  private next(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new CommandError(SYNTAX, 1);
    return token;
  }

  private expression(): FilterNode {
    let node = this.term();
    for (;;) {
      const word = this.peek();
      if (word === "and" || word === "&&") {
        this.position++;
        node = { kind: "and", left: node, right: this.term() };
      } else if (word === "or" || word === "||") {
        this.position++;
        node = { kind: "or", left: node, right: this.term() };
      } else return node;
    }
  }

  private term(): FilterNode {
    const word = this.peek();
    if (word === "not" || word === "!") {
      this.position++;
      return { kind: "not", operand: this.term() };
    }
    if (word === "(") {
      this.position++;
      const inner = this.expression();
      if (this.next() !== ")") throw new CommandError(SYNTAX, 1);
      return inner;
    }
    return this.primitive();
  }

  private primitive(): FilterNode {
    const qualifiers: Qualifiers = {};
    let word = this.next();
    if (word.includes("[")) throw new UnsupportedError(word, `tcpdump filter ${word}: byte offsets (proto[expr]) are not modelled`);
    if (UNMODELLED.has(word)) throw new UnsupportedError(word, `tcpdump filter "${word}" is not modelled (only ip, arp, tcp, udp, icmp, host, net, port, src, dst, and, or, not)`);
    if (PROTOCOLS.has(word)) {
      qualifiers.protocol = word as Protocol;
      const following = this.peek();
      if (following === undefined || !(following === "src" || following === "dst" || following === "host" || following === "net" || following === "port" || UNMODELLED.has(following))) {
        this.last = { protocol: qualifiers.protocol };
        return { kind: "protocol", protocol: qualifiers.protocol };
      }
      word = this.next();
    }
    if (UNMODELLED.has(word)) throw new UnsupportedError(word, `tcpdump filter "${word}" is not modelled (only ip, arp, tcp, udp, icmp, host, net, port, src, dst, and, or, not)`);
    if (word === "src" || word === "dst") {
      qualifiers.direction = word;
      if (this.peek() === "or" || this.peek() === "and") {
        const joined = `${word} ${this.peek()} ${this.tokens[this.position + 1] ?? ""}`;
        throw new UnsupportedError(joined, `tcpdump filter "${joined}" is not modelled (write the two primitives)`);
      }
      word = this.next();
    }
    if (UNMODELLED.has(word)) throw new UnsupportedError(word, `tcpdump filter "${word}" is not modelled (only ip, arp, tcp, udp, icmp, host, net, port, src, dst, and, or, not)`);
    if (word === "host" || word === "net" || word === "port") {
      qualifiers.type = word;
      word = this.next();
    } else if (qualifiers.protocol === undefined && qualifiers.direction === undefined && this.last !== undefined && this.last.type !== undefined) {
      // A bare id: pcap's qualifiers carry over from the primitive before.
      Object.assign(qualifiers, this.last);
    }
    if (word === "and" || word === "or" || word === "not" || word === "(" || word === ")" || word === "!" || word === "&&" || word === "||") throw new CommandError(SYNTAX, 1);
    this.last = { ...qualifiers };
    return this.build(qualifiers, word);
  }

  private build(qualifiers: Qualifiers, id: string): FilterNode {
    const direction = qualifiers.direction ?? "src or dst";
    const type = qualifiers.type ?? "host";
    if (type === "port") {
      if (qualifiers.protocol !== undefined && qualifiers.protocol !== "tcp" && qualifiers.protocol !== "udp") {
        throw new CommandError("tcpdump: illegal qualifier of 'port'", 1);
      }
      let port: number;
      if (/^\d+$/.test(id)) {
        port = Number(id);
        if (port > 65535) throw new CommandError(`tcpdump: illegal port number ${port} > 65535`, 1);
      } else {
        const named = [...(qualifiers.protocol !== "udp" ? TCP_SERVICES : []), ...(qualifiers.protocol !== "tcp" ? UDP_SERVICES : [])].find(([, name]) => name === id);
        if (!named) throw new CommandError(`tcpdump: unknown port '${id}'`, 1);
        port = named[0];
      }
      return { kind: "port", ...(qualifiers.protocol === "tcp" || qualifiers.protocol === "udp" ? { protocol: qualifiers.protocol } : {}), direction, port };
    }
    if (qualifiers.protocol === "tcp" || qualifiers.protocol === "udp" || qualifiers.protocol === "icmp") {
      throw new CommandError(`tcpdump: '${qualifiers.protocol}' modifier applied to ${type}`, 1);
    }
    const protocol = qualifiers.protocol === "ip" || qualifiers.protocol === "arp" ? qualifiers.protocol : undefined;
    const [addressText, lengthText] = id.split("/", 2) as [string, string | undefined];
    const parsed = atoin(addressText);
    if (parsed === undefined) {
      if (/^[\d.]+$/.test(addressText)) throw new CommandError(`tcpdump: invalid IPv4 address '${addressText}'`, 1);
      // A bare name with no qualifier at all is not an id pcap's grammar takes there (measured: "foo" alone).
      if (qualifiers.type === undefined && qualifiers.protocol === undefined && qualifiers.direction === undefined) throw new CommandError(SYNTAX, 1);
      throw new CommandError(`tcpdump: unknown host '${id}'`, 1);
    }
    if (lengthText !== undefined) {
      if (!/^\d+$/.test(lengthText)) throw new CommandError(SYNTAX, 1);
      const length = Number(lengthText);
      if (length > 32) throw new CommandError("tcpdump: mask length must be <= 32", 1);
      // The net is read as an address of all four octets, its short forms promoted.
      const address = (parsed.value << (32 - parsed.bits)) >>> 0;
      const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
      if ((address & ~mask) >>> 0 !== 0) throw new CommandError(`tcpdump: non-network bits set in "${id}"`, 1);
      return { kind: "host", ...(protocol ? { protocol } : {}), direction, address, mask };
    }
    // gen_ncode(): a short address is a network of the bits it gave, for host and net alike.
    const mask = parsed.bits === 32 ? 0xffffffff : (0xffffffff << (32 - parsed.bits)) >>> 0;
    const address = parsed.bits === 32 ? parsed.value : (parsed.value << (32 - parsed.bits)) >>> 0;
    if (type === "net" && (address & ~mask) >>> 0 !== 0) throw new CommandError(`tcpdump: non-network bits set in "${id}"`, 1);
    return { kind: "host", ...(protocol ? { protocol } : {}), direction, address, mask };
  }
}

/** pcap_compile(): the expression, or libpcap's error (exit 1) / a refusal by name. */
export function compileFilter(words: readonly string[]): FilterNode | undefined {
  const text = words.join(" ");
  if (text.trim() === "") return undefined;
  const node = new Parser(tokenize(text)).parse();
  if (mayMatch(node).size === 0) throw new CommandError("tcpdump: expression rejects all packets", 1);
  return node;
}

// What kinds of frame a filter can pass, as the BPF optimiser finds a
// program that always rejects: protocols exactly, host and port as "some of".
type FrameKind = "arp" | "icmp" | "tcp" | "udp" | "sctp" | "ip-other" | "other";
const ALL_KINDS: readonly FrameKind[] = ["arp", "icmp", "tcp", "udp", "sctp", "ip-other", "other"];
const IP_KINDS: readonly FrameKind[] = ["icmp", "tcp", "udp", "sctp", "ip-other"];

function kinds(node: FilterNode): { may: Set<FrameKind>; exact: boolean } {
  switch (node.kind) {
    case "protocol":
      return { may: new Set(node.protocol === "ip" ? IP_KINDS : [node.protocol]), exact: true };
    case "host":
      // host matches IPv4 and ARP (and RARP: "other").
      return { may: new Set(node.protocol === "ip" ? IP_KINDS : node.protocol === "arp" ? ["arp"] : [...IP_KINDS, "arp", "other"]), exact: false };
    case "port":
      return { may: new Set(node.protocol ? [node.protocol] : ["tcp", "udp", "sctp"]), exact: false };
    case "not": {
      const inner = kinds(node.operand);
      return inner.exact ? { may: new Set(ALL_KINDS.filter((kind) => !inner.may.has(kind))), exact: true } : { may: new Set(ALL_KINDS), exact: false };
    }
    case "and": {
      const left = kinds(node.left);
      const right = kinds(node.right);
      return { may: new Set([...left.may].filter((kind) => right.may.has(kind))), exact: left.exact && right.exact };
    }
    case "or": {
      const left = kinds(node.left);
      const right = kinds(node.right);
      return { may: new Set([...left.may, ...right.may]), exact: left.exact && right.exact };
    }
  }
}

function mayMatch(node: FilterNode): Set<FrameKind> {
  return kinds(node).may;
}

function directionMatches(direction: Direction, source: boolean, destination: boolean): boolean {
  return direction === "src" ? source : direction === "dst" ? destination : source || destination;
}

/** The BPF program run on a frame: does it pass? */
export function filterMatches(node: FilterNode | undefined, frame: EthernetFrame): boolean {
  if (node === undefined) return true;
  switch (node.kind) {
    case "and":
      return filterMatches(node.left, frame) && filterMatches(node.right, frame);
    case "or":
      return filterMatches(node.left, frame) || filterMatches(node.right, frame);
    case "not":
      return !filterMatches(node.operand, frame);
    case "protocol":
      if (node.protocol === "arp") return frame.payload.kind === "arp";
      if (frame.payload.kind !== "ipv4") return false;
      return node.protocol === "ip" || frame.payload.packet.transport.protocol === node.protocol;
    case "host": {
      const within = (address: number) => ((address & node.mask) >>> 0) === node.address;
      if (frame.payload.kind === "arp") {
        if (node.protocol === "ip") return false;
        return directionMatches(node.direction, within(frame.payload.arp.senderAddress), within(frame.payload.arp.targetAddress));
      }
      if (node.protocol === "arp") return false;
      return directionMatches(node.direction, within(frame.payload.packet.source), within(frame.payload.packet.destination));
    }
    case "port": {
      if (frame.payload.kind !== "ipv4") return false;
      const transport = frame.payload.packet.transport;
      if (transport.protocol === "icmp") return false;
      if (node.protocol !== undefined && transport.protocol !== node.protocol) return false;
      return directionMatches(node.direction, transport.sourcePort === node.port, transport.destinationPort === node.port);
    }
  }
}

/** The expression as text, for tests and messages. */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case "and":
    case "or":
      return `(${formatFilter(node.left)} ${node.kind} ${formatFilter(node.right)})`;
    case "not":
      return `not ${formatFilter(node.operand)}`;
    case "protocol":
      return node.protocol;
    case "host":
      return `${node.protocol ? `${node.protocol} ` : ""}${node.direction} ${node.mask === 0xffffffff ? "host" : "net"} ${formatIpv4Address(node.address)}${node.mask === 0xffffffff ? "" : `/${countBits(node.mask)}`}`;
    case "port":
      return `${node.protocol ? `${node.protocol} ` : ""}${node.direction} port ${node.port}`;
  }
}

function countBits(mask: number): number {
  let count = 0;
  for (let value = mask >>> 0; value !== 0; value = (value << 1) >>> 0) count++;
  return count;
}
