// iptables' tcp match (extensions/libxt_tcp.c: tcp_opts, tcp_parse with
// parse_tcp_ports and parse_tcp_flags, tcp_save, tcp_print), as iptables-nft
// stores it (nft-ipv4.c / nft-shared.c: the payload tests it becomes). Its
// packet test is the kernel's xt_tcpudp (src/net/netfilter/xt-tcpudp.ts).
import type { Match, PortRange } from "../../model/netfilter.js";
import { UnsupportedError } from "../command.js";
import { listPorts, option, parsePort, portRangeText, type OptionValue, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

export type PortMatch = Extract<Match, { kind: "tcp" | "udp" }>;

const NAME = "tcp";

/** tcp_opts' and udp_opts' long names of --sport and --dport. */
export const PORT_ALIASES: Readonly<Record<string, string>> = { "source-port": "sport", "destination-port": "dport" };

/** tcp_flag_names. */
const TCP_FLAG_BITS: Readonly<Record<string, number>> = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ALL: 0x3f, NONE: 0 };

type Problem = Pick<XtablesParseContext, "problem">;

/** parse_tcp_flag(): names (any case) joined by commas; ALL and NONE. */
function parseTcpFlags(context: Problem, text: string): number {
  let bits = 0;
  for (const name of text.split(",")) {
    const bit = TCP_FLAG_BITS[name.toUpperCase()];
    if (bit === undefined) throw context.problem(`Unknown TCP flag \`${name}'`);
    bits |= bit;
  }
  return bits;
}

/** parse_tcp_flags(): "MASK COMP". */
function parseFlags(context: Problem, text: string): { mask: number; compare: number } {
  const [maskText = "", compareText = ""] = text.split(" ");
  return { mask: parseTcpFlags(context, maskText), compare: parseTcpFlags(context, compareText) };
}

/** parse_tcp_ports(): `P`, `P:Q`, `:Q`, `P:`; min above max refused. */
function parsePortRange(context: Problem, text: string): PortRange {
  const index = text.indexOf(":");
  if (index < 0) {
    const port = parsePort(context, text, "tcp");
    return { first: port, last: port };
  }
  const first = index === 0 ? 0 : parsePort(context, text.slice(0, index), "tcp");
  const last = index === text.length - 1 ? 65535 : parsePort(context, text.slice(index + 1), "tcp");
  if (first > last) throw context.problem("invalid portrange (min > max)");
  return { first, last };
}

/**
 * The match tcp or udp leaves in the rule. nft_ipv4 (iptables-nft) emits no
 * port test for the full range 0:65535, inverted or not: the rule keeps the
 * match only when something else of it is left or nothing of it was inverted.
 */
export function portMatch(
  kind: "tcp" | "udp",
  sport: OptionValue | undefined,
  sourcePorts: PortRange | undefined,
  dport: OptionValue | undefined,
  destinationPorts: PortRange | undefined,
  tcpFlags?: PortMatch["tcpFlags"],
): PortMatch | undefined {
  const full = (ports: PortRange | undefined) => ports !== undefined && ports.first === 0 && ports.last === 65535;
  const keepSource = sourcePorts !== undefined && !full(sourcePorts);
  const keepDestination = destinationPorts !== undefined && !full(destinationPorts);
  if (!keepSource && !keepDestination && !tcpFlags && ((full(sourcePorts) && sport!.invert) || (full(destinationPorts) && dport!.invert))) return undefined;
  return {
    kind,
    ...(keepSource ? { sourcePorts, sourceInvert: sport!.invert } : {}),
    ...(keepDestination ? { destinationPorts, destinationInvert: dport!.invert } : {}),
    ...(tcpFlags ? { tcpFlags } : {}),
  };
}

/** nft_ipv4's translation: the match's protocol must be the rule's (iptables-nft's own words). */
export function requireProtocol(context: XtablesParseContext, kind: "tcp" | "udp"): void {
  const protocol = context.protocol;
  if (protocol === undefined || protocol.invert || protocol.number !== (kind === "tcp" ? 6 : 17)) throw context.problem(kind === "tcp" ? "TCP match requires '-p tcp'" : "UDP match requires '-p udp'");
}

/** print_tcpf(): flag names in bit order, NONE for none. */
function tcpFlagNames(bits: number): string {
  const names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG"].filter((_, bit) => (bits & (1 << bit)) !== 0);
  return names.length === 0 ? "NONE" : names.join(",");
}

function hexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** tcp_save() / udp_save(): --sport, --dport (then tcp's --tcp-flags). */
export function savePorts(match: PortMatch): string {
  let text = "";
  if (match.sourcePorts) text += `${match.sourceInvert ? " !" : ""} --sport ${portRangeText(match.sourcePorts, ":")}`;
  if (match.destinationPorts) text += `${match.destinationInvert ? " !" : ""} --dport ${portRangeText(match.destinationPorts, ":")}`;
  return text;
}

/** tcp_print() / udp_print(): the match's name, then spt/spts and dpt/dpts (service names unless -n). */
export function printPorts(match: PortMatch, numeric: boolean): string {
  let text = ` ${match.kind}`;
  if (match.sourcePorts) text += ` ${match.sourcePorts.first === match.sourcePorts.last ? "spt" : "spts"}:${match.sourceInvert ? "!" : ""}${listPorts(match.sourcePorts, match.kind, numeric)}`;
  if (match.destinationPorts) text += ` ${match.destinationPorts.first === match.destinationPorts.last ? "dpt" : "dpts"}:${match.destinationInvert ? "!" : ""}${listPorts(match.destinationPorts, match.kind, numeric)}`;
  return text;
}

export const libxtTcp: XtablesMatch<PortMatch> = {
  name: NAME,
  description: "`tcp` ports, `--syn`, `--tcp-flags MASK COMP`",
  protocolMatch: 6,
  // tcp_parse() reads its options itself (a `!` before any of them).
  guided: false,
  aliases: PORT_ALIASES,
  options: [option("source-port"), option("sport"), option("destination-port"), option("dport"), option("tcp-flags"), option("syn", false), option("tcp-option")],
  readOption(name, value, invert, reader) {
    // tcp_parse(): each option once, then its value read at once (a bad port or flag is the error before anything later on the line).
    const key = PORT_ALIASES[name] ?? name;
    if (key === "sport" || key === "dport") {
      if (reader.values.has(key)) throw reader.problem(`Only one \`--${key === "sport" ? "source-port" : "destination-port"}' allowed`);
      parsePortRange(reader, value!);
      return false;
    }
    if (key === "tcp-option") {
      if (reader.values.has(key)) throw reader.problem("Only one `--tcp-option' allowed");
      return false;
    }
    // --tcp-flags takes MASK and COMP; it and --syn exclude each other.
    if (reader.values.has("tcp-flags")) throw reader.problem("Only one of `--syn' or `--tcp-flags'  allowed");
    let flags = "FIN,SYN,RST,ACK SYN";
    if (name === "tcp-flags") {
      const second = reader.nextArgument();
      if (second === undefined) throw reader.problem("--tcp-flags requires two args.");
      flags = `${value} ${second}`;
      parseFlags(reader, flags);
    }
    reader.values.set("tcp-flags", { value: flags, invert });
    return true;
  },
  parse(values, context) {
    requireProtocol(context, "tcp");
    if (values.has("tcp-option")) throw new UnsupportedError("--tcp-option", "iptables tcp --tcp-option is not modelled");
    const sport = values.get("sport");
    const dport = values.get("dport");
    const flags = values.get("tcp-flags");
    const tcpFlags: PortMatch["tcpFlags"] = flags ? { ...parseFlags(context, flags.value!), invert: flags.invert } : undefined;
    return portMatch("tcp", sport, sport ? parsePortRange(context, sport.value!) : undefined, dport, dport ? parsePortRange(context, dport.value!) : undefined, tcpFlags);
  },
  save(match) {
    const flags = match.tcpFlags ? `${match.tcpFlags.invert ? " !" : ""} --tcp-flags ${tcpFlagNames(match.tcpFlags.mask)} ${tcpFlagNames(match.tcpFlags.compare)}` : "";
    return `${savePorts(match)}${flags}`;
  },
  print(match, numeric) {
    const flags = match.tcpFlags ? ` flags:${match.tcpFlags.invert ? "!" : ""}${hexByte(match.tcpFlags.mask)}/${hexByte(match.tcpFlags.compare)}` : "";
    return `${printPorts(match, numeric)}${flags}`;
  },
};
