// libxtables' extension contract (include/xtables.h: struct xtables_match,
// struct xtables_target with x6_options, x6_parse, x6_fcheck, save, print):
// each extension module below owns its options, their parsing and checks,
// and its iptables-save and `iptables -L` text. The guided option parser's
// own checks (xtables_option_parse, xtables_options_fcheck) are here, as
// libxtables words them.
import type { Match, PortRange, Target } from "../../model/netfilter.js";
import type { CommandError } from "../command.js";
import { xtablesStrtoui, xtablesStrtouiPrefix } from "./protocols.js";
import { serviceName, servicePort } from "./services.js";

export interface XtablesOption {
  readonly name: string;
  readonly takesValue: boolean;
  /** XTOPT_INVERT: a `!` before it is allowed. */
  readonly invert?: boolean;
}

export interface OptionValue {
  readonly value?: string;
  readonly invert: boolean;
}

/** What an extension's parse may ask of the command line's parser. */
export interface XtablesParseContext {
  /** xtables_error(PARAMETER_PROBLEM, message): the message as given (a guided check ends it in ".\n"). */
  problem(message: string): CommandError;
  /** The rule's -p, as far as it was read. */
  readonly protocol: { readonly number: number; readonly invert: boolean } | undefined;
  /** XTTYPE_PORTRC. */
  portRange(text: string): PortRange;
  /** ip6tables (the extension's NFPROTO_IPV6 side); absent: iptables. */
  readonly family?: "ipv6";
}

/** What an extension's readOption may ask of getopt's loop. */
export interface XtablesOptionReader {
  /** The values read so far. */
  readonly values: Map<string, OptionValue>;
  /** The rule's -p, as far as it was read. */
  readonly protocol: { readonly number: number; readonly invert: boolean } | undefined;
  /** ip6tables; absent: iptables. */
  readonly family?: "ipv6";
  /** The next word as the option's further argument (undefined, and not taken, when it is missing or an option). */
  nextArgument(): string | undefined;
  problem(message: string): CommandError;
}

interface XtablesExtension<T> {
  readonly name: string;
  /** What netsim models of it, for the README's netfilter row (markdown, short). */
  readonly description: string;
  readonly options: readonly XtablesOption[];
  /**
   * Read by libxtables' guided parser (x6_options: each option once, `!`
   * only where XTOPT_INVERT allows it, its texts); false for the extensions
   * whose .parse reads the options itself. Default true.
   */
  readonly guided?: boolean;
  /** Option names stored under another (x6_options' entries of one id: libxt_udp's --sport is --source-port). */
  readonly aliases?: Readonly<Record<string, string>>;
  /**
   * The extension's parse of one option when the command line reaches it
   * (after the guided parser's own checks): for what it checks there, in
   * the order it checks it, and for an option of more than one word. It
   * stores the value itself (true), or leaves that to the common path (false).
   */
  readOption?(name: string, value: string | undefined, invert: boolean, reader: XtablesOptionReader): boolean;
  /** .save: the text after `-m NAME` / `-j NAME`. */
  save(item: T): string;
  /** .print: the text `iptables -L` shows (numeric or not); `protocol` is the rule's -p. */
  print(item: T, numeric: boolean, protocol?: number): string;
}

export interface XtablesMatch<M extends Match = Match> extends XtablesExtension<M> {
  /** The -p protocol number that loads this match implicitly (command_default()) and that reuses it for a later -m of it. */
  readonly protocolMatch?: number;
  /** x6_parse for every option given (in the order given), then x6_fcheck; undefined when iptables-nft keeps nothing of the match. */
  parse(values: ReadonlyMap<string, OptionValue>, context: XtablesParseContext): M | undefined;
}

export interface XtablesTarget<T extends Target = Target> extends XtablesExtension<T> {
  /** x6_parse for every option given (in the order given), then x6_fcheck. */
  parse(values: ReadonlyMap<string, OptionValue>, context: XtablesParseContext): T;
}

export const option = (name: string, takesValue = true, invert = false): XtablesOption => ({ name, takesValue, invert });

/** xtables_option_parse(): an option given twice. */
export function onlyOnce(context: XtablesParseContext, extension: string, name: string): CommandError {
  return context.problem(`${extension}: option "--${name}" can only be used once.\n`);
}

/** xtables_options_fcheck(): XTOPT_MAND. */
export function mustBeSpecified(context: XtablesParseContext, extension: string, name: string): CommandError {
  return context.problem(`${extension}: option "--${name}" must be specified\n`);
}

/** xtables_options_fcheck(): .excl. */
export function notTogether(context: XtablesParseContext, extension: string, first: string, second: string): CommandError {
  return context.problem(`${extension}: option "--${first}" cannot be used together with "--${second}".\n`);
}

/** xtables_options_fcheck(): .also. */
export function alsoRequires(context: XtablesParseContext, extension: string, first: string, second: string): CommandError {
  return context.problem(`${extension}: option "--${first}" also requires "--${second}".\n`);
}

/** xtopt_parse_int() and friends: XTTYPE_UINT* out of range. */
export function badValue(context: XtablesParseContext, extension: string, name: string, max: number, min = 0): CommandError {
  return context.problem(`${extension}: bad value for option "--${name}", or out of range (${min}-${max}).\n`);
}

/** An option's "Bad value" (xtables_param_act(XTF_BAD_VALUE)). */
export function badOptionValue(context: XtablesParseContext, extension: string, name: string, value: string): CommandError {
  return context.problem(`${extension}: Bad value for "--${name}" option: "${value}"`);
}

/**
 * xtables_options_fcheck()'s exclusions: the option entries in table order,
 * each given one checked against the options its .excl names (in table
 * order); the first clash is the error.
 */
export function checkExclusive(context: XtablesParseContext, extension: string, values: ReadonlyMap<string, OptionValue>, order: readonly string[], excludes: Readonly<Record<string, readonly string[]>>): void {
  for (const name of order) {
    if (!values.has(name)) continue;
    const other = order.find((candidate) => candidate !== name && (excludes[name] ?? []).includes(candidate) && values.has(candidate));
    if (other !== undefined) throw notTogether(context, extension, name, other);
  }
}

/** xtables_save_string(): quoted unless it is all letters, digits, `_` and `-`. */
export function saveString(value: string): string {
  // One pass over the text (every comment of a ruleset goes through here): whether it is all safe characters, and whether it holds one to escape.
  let plain = value.length > 0;
  let escapes = false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 45) continue;
    plain = false;
    if (code === 34 || code === 92 || code === 39) {
      escapes = true;
      break;
    }
  }
  if (plain) return value;
  return escapes ? `"${value.replace(/(["\\'])/g, "\\$1")}"` : `"${value}"`;
}

/** strtoul(text, &end, 0) over the whole text, within [0, max] (xtables_strtoui with a check for the rest). */
export function unsignedValue(text: string, max: number): number | undefined {
  const match = /^\s*\+?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!match) return undefined;
  const digits = match[1]!;
  const value = /^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith("0") ? parseInt(digits, 8) || 0 : Number(digits);
  return value <= max ? value : undefined;
}

/** xtables_parse_port(): a service name for the protocol, else a number 0-65535 (strtoul base 0). */
export function parsePort(context: Pick<XtablesParseContext, "problem">, text: string, protocol: "tcp" | "udp"): number {
  const named = servicePort(text, protocol);
  if (named !== undefined) return named;
  const value = xtablesStrtoui(text, 0, 65535);
  if (value !== undefined) return value;
  throw context.problem(`invalid port/service \`${text}' specified`);
}

/**
 * xtopt_parse_mport() (XTTYPE_PORTRC, the guided parser of udp and
 * conntrack): up to two ports split at `:`, each through
 * xtables_getportbyname() (getaddrinfo's service lookup: a number is taken
 * modulo 2^16, a name from /etc/services); an empty side is 0 or 65535.
 * The range is kept as written, min above max included.
 */
export function guidedPortRange(context: Pick<XtablesParseContext, "problem">, text: string): PortRange {
  const parts = text.split(":").slice(0, 2);
  const values = parts.map((part, index) => {
    if (part === "") return index === 0 ? 0 : 65535;
    const value = /^\d+$/.test(part) ? Number(BigInt(part) % 65536n) : servicePort(part, "tcp") ?? servicePort(part, "udp");
    if (value === undefined) throw context.problem(`Port "${part}" does not resolve to anything.\n`);
    return value;
  });
  return { first: values[0]!, last: values[1] ?? values[0]! };
}

/** XTTYPE_MARKMASK32 (xtopt_parse_markmask): VALUE[/MASK], each strtoul base 0 within 32 bits. */
export function markMask(context: XtablesParseContext, text: string, extension: string, name: string): [number, number] {
  const bad = () => context.problem(`${extension}: bad integer value for option "--${name}", or out of range.\n`);
  const value = xtablesStrtouiPrefix(text, 0, 0xffffffff);
  if (value === undefined) throw bad();
  let mask = 0xffffffff;
  let rest = value.rest;
  if (rest.startsWith("/")) {
    const parsed = xtablesStrtouiPrefix(rest.slice(1), 0, 0xffffffff);
    if (parsed === undefined) throw bad();
    mask = parsed.value;
    rest = parsed.rest;
  }
  if (rest !== "") throw context.problem(`${extension}: trailing garbage after value for option "--${name}".\n`);
  return [value.value >>> 0, mask >>> 0];
}

/** A 32-bit value as the extensions print it ("0x%x"). */
export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** A port range: one port alone, else FIRST, the separator, LAST. */
export function portRangeText(range: PortRange, separator: string): string {
  return range.first === range.last ? String(range.first) : `${range.first}${separator}${range.last}`;
}

function listPort(port: number, protocol: "tcp" | "udp", numeric: boolean): string {
  return numeric ? String(port) : serviceName(port, protocol) ?? String(port);
}

/** A port range as -L prints it: service names (getservbyport) unless -n. */
export function listPorts(range: PortRange, protocol: "tcp" | "udp", numeric: boolean): string {
  return range.first === range.last ? listPort(range.first, protocol, numeric) : `${listPort(range.first, protocol, numeric)}:${listPort(range.last, protocol, numeric)}`;
}
