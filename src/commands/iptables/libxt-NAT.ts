// iptables' NAT targets, which iptables 1.8.9 builds as one file
// (extensions/libxt_NAT.c: SNAT_opts, DNAT_opts, MASQUERADE_opts,
// REDIRECT_opts, parse_ports, parse_to, NAT_parse, DNAT_fcheck,
// __NAT_print; libxt_SNAT.so, libxt_DNAT.so, libxt_MASQUERADE.so and
// libxt_REDIRECT.so are links to libxt_NAT.so).
import { formatIpv4Address, parseIpv4Address } from "../../model/address.js";
import { formatIpv6Address, parseIpv6Address } from "../../model/ipv6-address.js";
import type { NatRange, PortRange, Target } from "../../model/netfilter.js";
import { xtablesStrtouiPrefix } from "./protocols.js";
import { servicePort } from "./services.js";
import { mustBeSpecified, option, portRangeText, type XtablesOptionReader, type XtablesParseContext, type XtablesTarget } from "./xtables.js";

type SnatTarget = Extract<Target, { kind: "SNAT" }>;
type DnatTarget = Extract<Target, { kind: "DNAT" }>;
type MasqueradeTarget = Extract<Target, { kind: "MASQUERADE" }>;
type RedirectTarget = Extract<Target, { kind: "REDIRECT" }>;

/** __NAT_parse()'s portok: the rule's -p (ipt_entry's proto, whatever its `!`) is tcp, udp, sctp, dccp or icmp. */
function portsAllowed(context: XtablesParseContext): boolean {
  const protocol = context.protocol?.number;
  return protocol === 6 || protocol === 17 || protocol === 132 || protocol === 33 || protocol === 1;
}

/**
 * parse_ports(): PORT[-PORT[/BASE]]. The first port and the base may be a
 * service name (the whole text), the second only a number; a base sets
 * NF_NAT_RANGE_PROTO_OFFSET, and what follows its number is ignored.
 */
function parseNatPorts(context: XtablesParseContext, text: string): { ports: PortRange; offset?: number } {
  if (!portsAllowed(context)) throw context.problem("Need TCP, UDP, SCTP or DCCP with port specification");
  const service = (name: string) => servicePort(name, "tcp") ?? servicePort(name, "udp");
  const numeric = xtablesStrtouiPrefix(text, 0, 65535);
  const first = numeric ?? { value: service(text), rest: "" };
  if (first.value === undefined) throw context.problem(`Port \`${text}' not valid`);
  if (first.rest === "") return { ports: { first: first.value, last: first.value } };
  if (first.rest.startsWith(":")) throw context.problem("Invalid port:port syntax - use dash");
  if (!first.rest.startsWith("-")) throw context.problem(`Garbage after port value: \`${first.rest}'`);
  const arg = first.rest.slice(1);
  const second = xtablesStrtouiPrefix(arg, 0, 65535);
  if (second === undefined) throw context.problem(`Port \`${arg}' not valid`);
  if (second.value < first.value) throw context.problem(`Port range \`${arg}' funky`);
  const ports = { first: first.value, last: second.value };
  if (second.rest === "") return { ports };
  if (!second.rest.startsWith("/")) throw context.problem(`Garbage after port range: \`${second.rest}'`);
  const baseText = second.rest.slice(1);
  const base = xtablesStrtouiPrefix(baseText, 1, 65535)?.value ?? service(baseText);
  if (base === undefined) throw context.problem(`Port \`${baseText}' not valid`);
  return { ports, offset: base };
}

/** inet_pton(AF_INET): four decimal parts. */
function ptonAddress(context: XtablesParseContext, text: string): number {
  const address = parseIpv4Address(text);
  if (address === undefined) throw context.problem(`Bad IP address "${text}"`);
  return address;
}

/**
 * parse_to(): [ADDR[-ADDR]][:PORTS]. Ports are parsed first; a second
 * colon makes the text an (IPv6) address; `[...]` is refused for IPv4.
 */
function parseNatRange(context: XtablesParseContext, text: string, target: "SNAT" | "DNAT"): NatRange {
  if (context.family === "ipv6") return parseNatRange6(context, text, target);
  if (text.includes("[")) throw context.problem("Invalid address format");
  let colon = text.indexOf(":");
  if (colon >= 0 && text.indexOf(":", colon + 1) >= 0) colon = -1;
  let portRange: { ports: PortRange; offset?: number } | undefined;
  if (colon >= 0) {
    portRange = parseNatPorts(context, text.slice(colon + 1));
  }
  // SNAT's range (struct nf_nat_ipv4_multi_range_compat) has no base port: the flag stays, the base is 0.
  const ports = portRange ? { ports: portRange.ports, ...(portRange.offset !== undefined ? { offset: target === "SNAT" ? 0 : portRange.offset } : {}) } : {};
  if (colon === 0) return ports;
  const addressText = colon < 0 ? text : text.slice(0, colon);
  const dash = addressText.indexOf("-");
  const first = ptonAddress(context, dash < 0 ? addressText : addressText.slice(0, dash));
  const last = dash < 0 ? first : ptonAddress(context, addressText.slice(dash + 1));
  return { addresses: { first, last }, ...ports };
}

/** parse_to() for AF_INET6: [ADDR[-ADDR]]:PORTS, or ADDR[-ADDR] (one colon or none is a port, more an address), [ADDR] alone too. */
function parseNatRange6(context: XtablesParseContext, text: string, target: "SNAT" | "DNAT"): NatRange {
  const open = text.indexOf("[");
  let start: string;
  let colon: number;
  let rest: string;
  if (open < 0) {
    start = text;
    colon = text.indexOf(":");
    if (colon >= 0 && text.indexOf(":", colon + 1) >= 0) colon = -1;
    rest = colon >= 0 ? text.slice(colon + 1) : "";
    if (colon >= 0) start = text.slice(0, colon);
  } else {
    const close = text.indexOf("]", open + 1);
    if (close < 0) throw context.problem("Invalid address format");
    start = text.slice(open + 1, close);
    const after = text.slice(close + 1);
    colon = after.indexOf(":");
    rest = colon >= 0 ? after.slice(colon + 1) : "";
  }
  let portRange: { ports: PortRange; offset?: number } | undefined;
  if (colon >= 0) portRange = parseNatPorts(context, rest);
  const ports = portRange ? { ports: portRange.ports, ...(portRange.offset !== undefined ? { offset: target === "SNAT" ? 0 : portRange.offset } : {}) } : {};
  if (colon >= 0 && start === "") return ports;
  const dash = start.indexOf("-");
  const pton = (address: string) => {
    const value = parseIpv6Address(address);
    if (value === undefined) throw context.problem(`Bad IP address "${address}"`);
    return formatIpv6Address(value);
  };
  const first = pton(dash < 0 ? start : start.slice(0, dash));
  const last = dash < 0 ? first : pton(start.slice(dash + 1));
  return { addresses6: { first, last }, ...ports };
}

/** MASQUERADE's and REDIRECT's --to-ports. */
function toPorts(context: XtablesParseContext, text: string | undefined): { ports: PortRange; offset?: number } | undefined {
  return text === undefined ? undefined : parseNatPorts(context, text);
}

/** sprint_range(): ADDR[-ADDR][:PORT[-PORT][/BASE]]. */
function natRangeText(range: NatRange): string {
  let text = "";
  if (range.addresses) text += range.addresses.first === range.addresses.last ? formatIpv4Address(range.addresses.first) : `${formatIpv4Address(range.addresses.first)}-${formatIpv4Address(range.addresses.last)}`;
  // An IPv6 range is bracketed when ports follow it.
  if (range.addresses6) {
    const addresses = range.addresses6.first === range.addresses6.last ? range.addresses6.first : `${range.addresses6.first}-${range.addresses6.last}`;
    text += range.ports ? `[${addresses}]` : addresses;
  }
  if (range.ports) text += `:${portRangeText(range.ports, "-")}${range.offset !== undefined ? `/${range.offset}` : ""}`;
  return text;
}

/** __NAT_print()'s flags, in its order (`--` before each in the save form). */
function natFlags(flags: { random?: boolean; randomFully?: boolean; persistent?: boolean }, before: string): string {
  return `${flags.random ? ` ${before}random` : ""}${flags.randomFully ? ` ${before}random-fully` : ""}${flags.persistent ? ` ${before}persistent` : ""}`;
}

/**
 * The context of an option's parse while the line is read (NAT_parse runs
 * as getopt reaches the option): the -p given before it, not one after
 * (recorded: `-j MASQUERADE --to-ports 1000-2000 -p tcp` needs TCP).
 */
function readingContext(reader: XtablesOptionReader): XtablesParseContext {
  return {
    problem: (message) => reader.problem(message),
    protocol: reader.protocol,
    portRange: () => {
      throw new Error("no port range option in the NAT targets");
    },
    ...(reader.family ? { family: reader.family } : {}),
  };
}

function addressTarget(kind: "SNAT" | "DNAT", optionName: string, description: string, flagOptions: readonly string[]): XtablesTarget<SnatTarget | DnatTarget> {
  return {
    name: kind,
    description,
    options: [option(optionName), ...flagOptions.map((name) => option(name, false))],
    readOption(name, value, _invert, reader) {
      if (name === optionName) parseNatRange(readingContext(reader), value!, kind);
      return false;
    },
    parse(values, context) {
      const value = values.get(optionName);
      if (!value) throw mustBeSpecified(context, kind, optionName);
      const range = parseNatRange(context, value.value!, kind);
      return {
        kind,
        range: { ...range, ...(values.has("random") ? { random: true } : {}), ...(values.has("random-fully") ? { randomFully: true } : {}), ...(values.has("persistent") ? { persistent: true } : {}) },
      };
    },
    save: (target) => ` --${optionName} ${natRangeText(target.range)}${natFlags(target.range, "--")}`,
    print: (target) => ` to:${natRangeText(target.range)}${natFlags(target.range, "")}`,
  };
}

export const libxtSNAT: XtablesTarget<SnatTarget> = addressTarget("SNAT", "to-source", "SNAT (`--random`, `--random-fully`, `--persistent`)", ["random", "random-fully", "persistent"]) as XtablesTarget<SnatTarget>;

export const libxtDNAT: XtablesTarget<DnatTarget> = addressTarget("DNAT", "to-destination", "DNAT (`--random`, `--persistent`, shifted port maps)", ["random", "persistent"]) as XtablesTarget<DnatTarget>;

export const libxtMASQUERADE: XtablesTarget<MasqueradeTarget> = {
  name: "MASQUERADE",
  description: "MASQUERADE (`--to-ports`, `--random`, `--random-fully`)",
  options: [option("to-ports"), option("random", false), option("random-fully", false)],
  readOption(name, value, _invert, reader) {
    if (name === "to-ports") toPorts(readingContext(reader), value);
    return false;
  },
  parse(values, context) {
    const range = toPorts(context, values.get("to-ports")?.value);
    // SNAT_fcheck(): a base is kept as a flag (the compat range has no base port: 0).
    return { kind: "MASQUERADE", ...(range ? { ports: range.ports, ...(range.offset !== undefined ? { offset: 0 } : {}) } : {}), ...(values.has("random") ? { random: true } : {}), ...(values.has("random-fully") ? { randomFully: true } : {}) };
  },
  save: (target) => `${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}${target.offset !== undefined ? `/${target.offset}` : ""}` : ""}${natFlags(target, "--")}`,
  print: (target) => `${target.ports ? ` masq ports: ${portRangeText(target.ports, "-")}${target.offset !== undefined ? `/${target.offset}` : ""}` : ""}${natFlags(target, "")}`,
};

export const libxtREDIRECT: XtablesTarget<RedirectTarget> = {
  name: "REDIRECT",
  description: "REDIRECT (`--to-ports`, `--random`)",
  options: [option("to-ports"), option("random", false)],
  readOption(name, value, _invert, reader) {
    if (name === "to-ports") toPorts(readingContext(reader), value);
    return false;
  },
  parse(values, context) {
    const range = toPorts(context, values.get("to-ports")?.value);
    // DNAT_fcheck() (REDIRECT's x6_fcheck): revision 0 has no base port.
    if (range?.offset !== undefined) throw context.problem("Shifted portmap ranges not supported with this kernel");
    return { kind: "REDIRECT", ...(range ? { ports: range.ports } : {}), ...(values.has("random") ? { random: true } : {}) };
  },
  save: (target) => `${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "--")}`,
  print: (target) => `${target.ports ? ` redir ports ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "")}`,
};
