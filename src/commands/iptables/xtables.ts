// libxtables' extension contract (include/xtables.h: struct xtables_match,
// struct xtables_target with x6_options, x6_parse, x6_fcheck, save, print):
// each extension module below owns its options, their parsing and checks,
// and its iptables-save and `iptables -L` text. The guided option parser's
// own checks (xtables_option_parse, xtables_options_fcheck) are here, as
// libxtables words them.
import type { Match, PortRange, Target } from "../../model/netfilter.js";
import type { CommandError } from "../command.js";

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
}

export interface XtablesExtension<T> {
  readonly name: string;
  readonly options: readonly XtablesOption[];
  /** x6_parse for every option given (in the order given), then x6_fcheck. */
  parse(values: ReadonlyMap<string, OptionValue>, context: XtablesParseContext): T;
  /** .save: the text after `-m NAME` / `-j NAME`. */
  save(item: T): string;
  /** .print: the text `iptables -L` shows (numeric or not). */
  print(item: T, numeric: boolean): string;
}

export type XtablesMatch<M extends Match = Match> = XtablesExtension<M>;
export type XtablesTarget<T extends Target = Target> = XtablesExtension<T>;

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
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/(["\\'])/g, "\\$1")}"`;
}

/** strtoul(text, &end, 0) over the whole text, within [0, max] (xtables_strtoui with a check for the rest). */
export function unsignedValue(text: string, max: number): number | undefined {
  const match = /^\s*\+?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!match) return undefined;
  const digits = match[1]!;
  const value = /^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith("0") ? parseInt(digits, 8) || 0 : Number(digits);
  return value <= max ? value : undefined;
}
