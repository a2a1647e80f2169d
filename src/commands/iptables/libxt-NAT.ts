// iptables' NAT targets, which iptables 1.8.9 builds as one file
// (extensions/libxt_NAT.c: SNAT_opts, DNAT_opts, MASQUERADE_opts,
// REDIRECT_opts, parse_ports, parse_to, NAT_parse, DNAT_fcheck,
// __NAT_print; libxt_SNAT.so, libxt_DNAT.so, libxt_MASQUERADE.so and
// libxt_REDIRECT.so are links to libxt_NAT.so).
import { formatIpv4Address, parseIpv4Address } from "../../model/address.js";
import type { NatRange, PortRange, Target } from "../../model/netfilter.js";
import { xtablesStrtouiPrefix } from "./protocols.js";
import { servicePort } from "./services.js";
import { mustBeSpecified, option, portRangeText, type XtablesParseContext, type XtablesTarget } from "./xtables.js";

type SnatTarget = Extract<Target, { kind: "SNAT" }>;
type DnatTarget = Extract<Target, { kind: "DNAT" }>;
type MasqueradeTarget = Extract<Target, { kind: "MASQUERADE" }>;
type RedirectTarget = Extract<Target, { kind: "REDIRECT" }>;

/** __NAT_parse()'s portok: -p tcp, udp, sctp or dccp, not inverted. */
function portsAllowed(context: XtablesParseContext): boolean {
  const protocol = context.protocol;
  return protocol !== undefined && !protocol.invert && (protocol.number === 6 || protocol.number === 17 || protocol.number === 132 || protocol.number === 33);
}

/** A NAT port: xtables_strtoui() with its rest, else a service name (xtables_service_to_port(name, NULL)) taking the whole text. */
function natPort(context: XtablesParseContext, text: string, min: number, services: boolean): { value: number; rest: string } {
  const numeric = xtablesStrtouiPrefix(text, min, 65535);
  if (numeric) return numeric;
  const named = services ? (servicePort(text, "tcp") ?? servicePort(text, "udp")) : undefined;
  if (named === undefined) throw context.problem(`Port \`${text}' not valid`);
  return { value: named, rest: "" };
}

/**
 * parse_ports(): PORT[-PORT][/BASE] for DNAT, PORT[-PORT] for REDIRECT and
 * MASQUERADE, whose second port must be a number and which have no
 * shifted port map.
 */
function parseNatPorts(context: XtablesParseContext, text: string, shifted: boolean): { ports: PortRange; offset?: number } {
  const first = natPort(context, text, 0, true);
  let last = first.value;
  let rest = first.rest;
  if (rest.startsWith("-")) {
    const arg = rest.slice(1);
    const second = natPort(context, arg, 0, shifted);
    if (second.value < first.value) throw context.problem(`Port range \`${arg}' funky`);
    last = second.value;
    rest = second.rest;
  }
  let offset: number | undefined;
  if (rest.startsWith("/")) {
    if (!shifted) throw context.problem("Shifted portmap ranges not supported with this kernel");
    const base = natPort(context, rest.slice(1), 1, true);
    offset = base.value;
    rest = base.rest;
  }
  if (rest !== "") throw context.problem(`Garbage after port value: \`${rest}'`);
  return { ports: { first: first.value, last }, ...(offset !== undefined ? { offset } : {}) };
}

/** parse_to(): ADDR[-ADDR][:PORTS]; ports need -p tcp, udp, sctp or dccp. */
function parseNatRange(context: XtablesParseContext, text: string, target: "SNAT" | "DNAT"): NatRange {
  const colon = text.indexOf(":");
  const addressText = colon < 0 ? text : text.slice(0, colon);
  const portText = colon < 0 ? undefined : text.slice(colon + 1);
  let addresses: NatRange["addresses"];
  if (addressText !== "") {
    const [firstText = "", lastText] = addressText.split("-", 2);
    const first = parseIpv4Address(firstText);
    const last = lastText === undefined ? first : parseIpv4Address(lastText);
    if (first === undefined || last === undefined) throw context.problem(`Bad IP address "${addressText}"`);
    addresses = { first, last };
  }
  if (portText === undefined) return addresses ? { addresses } : {};
  if (!portsAllowed(context)) throw context.problem("Need TCP, UDP, SCTP or DCCP with port specification");
  const { ports, offset } = parseNatPorts(context, portText, true);
  // SNAT's range (struct nf_nat_ipv4_multi_range_compat, revision 1) has no base port: the flag stays, the base is 0.
  return { ...(addresses ? { addresses } : {}), ports, ...(offset !== undefined ? { offset: target === "SNAT" ? 0 : offset } : {}) };
}

/** MASQUERADE's and REDIRECT's --to-ports. */
function toPorts(context: XtablesParseContext, text: string | undefined): PortRange | undefined {
  if (text === undefined) return undefined;
  if (!portsAllowed(context)) throw context.problem("Need TCP, UDP, SCTP or DCCP with port specification");
  return parseNatPorts(context, text, false).ports;
}

/** sprint_range(): ADDR[-ADDR][:PORT[-PORT][/BASE]]. */
function natRangeText(range: NatRange): string {
  let text = "";
  if (range.addresses) text += range.addresses.first === range.addresses.last ? formatIpv4Address(range.addresses.first) : `${formatIpv4Address(range.addresses.first)}-${formatIpv4Address(range.addresses.last)}`;
  if (range.ports) text += `:${portRangeText(range.ports, "-")}${range.offset !== undefined ? `/${range.offset}` : ""}`;
  return text;
}

/** __NAT_print()'s flags, in its order (`--` before each in the save form). */
function natFlags(flags: { random?: boolean; randomFully?: boolean; persistent?: boolean }, before: string): string {
  return `${flags.random ? ` ${before}random` : ""}${flags.randomFully ? ` ${before}random-fully` : ""}${flags.persistent ? ` ${before}persistent` : ""}`;
}

function addressTarget(kind: "SNAT" | "DNAT", optionName: string, description: string, flagOptions: readonly string[]): XtablesTarget<SnatTarget | DnatTarget> {
  return {
    name: kind,
    description,
    options: [option(optionName), ...flagOptions.map((name) => option(name, false))],
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
  parse(values, context) {
    const ports = toPorts(context, values.get("to-ports")?.value);
    return { kind: "MASQUERADE", ...(ports ? { ports } : {}), ...(values.has("random") ? { random: true } : {}), ...(values.has("random-fully") ? { randomFully: true } : {}) };
  },
  save: (target) => `${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "--")}`,
  print: (target) => `${target.ports ? ` masq ports: ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "")}`,
};

export const libxtREDIRECT: XtablesTarget<RedirectTarget> = {
  name: "REDIRECT",
  description: "REDIRECT (`--to-ports`, `--random`)",
  options: [option("to-ports"), option("random", false)],
  parse(values, context) {
    const ports = toPorts(context, values.get("to-ports")?.value);
    return { kind: "REDIRECT", ...(ports ? { ports } : {}), ...(values.has("random") ? { random: true } : {}) };
  },
  save: (target) => `${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "--")}`,
  print: (target) => `${target.ports ? ` redir ports ${portRangeText(target.ports, "-")}` : ""}${natFlags(target, "")}`,
};
