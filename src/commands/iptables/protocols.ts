// IP protocol names as iptables reads and prints them (libxtables:
// xtables_parse_protocol(), proto_to_name(); xtables_chain_protos first, then
// getprotobyname()/getprotobynumber() on /etc/protocols, etc-protocols.ts).
import { getprotobyname, getprotobynumber } from "../etc-protocols.js";
/** xtables_chain_protos: looked up before /etc/protocols, both ways. */
const CHAIN_PROTOS: readonly (readonly [string, number])[] = [
  ["tcp", 6], ["sctp", 132], ["udp", 17], ["udplite", 136], ["icmp", 1], ["ipv6-icmp", 58], ["icmpv6", 58], ["esp", 50], ["ah", 51], ["ipv6-mh", 135], ["mh", 135], ["all", 0],
];

/** xtables_parse_protocol(): a number 0-255, else a name (already lower-cased by the caller); undefined when unknown. */
export function protocolNumber(text: string): number | undefined {
  const numeric = xtablesStrtoui(text, 0, 255);
  if (numeric !== undefined) return numeric;
  const named = getprotobyname(text);
  if (named !== undefined && named <= 255) return named;
  return CHAIN_PROTOS.find(([name]) => name === text)?.[1];
}

/** proto_to_name(): xtables_chain_protos, then /etc/protocols; the number when neither knows it. */
export function protocolName(number: number): string {
  return CHAIN_PROTOS.find(([, value]) => value === number)?.[0] ?? getprotobynumber(number) ?? String(number);
}

/**
 * xtables_strtoui(s, NULL, &value, min, max): the whole text as strtoul(s, 0)
 * reads it (decimal, 0x hex, leading-0 octal), within [min, max].
 */
export function xtablesStrtoui(text: string, min: number, max: number): number | undefined {
  // The usual text first, without a regular expression: a name (no number starts with a letter), or plain decimal digits.
  const first = text.charCodeAt(0);
  if ((first >= 97 && first <= 122) || (first >= 65 && first <= 90)) return undefined;
  if (first >= 49 && first <= 57 && text.length <= 9) {
    let value = 0;
    let index = 0;
    for (; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
    }
    if (index === text.length) return value >= min && value <= max ? value : undefined;
  }
  const match = /^\s*(\+)?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!match) return undefined;
  const digits = match[2]!;
  const value = /^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith("0") ? parseInt(digits, 8) || 0 : Number(digits);
  return value >= min && value <= max ? value : undefined;
}

/** xtables_strtoui(s, &end, ...): the leading number and the rest (undefined when no digits or out of range). */
export function xtablesStrtouiPrefix(text: string, min: number, max: number): { value: number; rest: string } | undefined {
  // Plain decimal digits alone, the usual text, without a regular expression.
  const first = text.charCodeAt(0);
  if (first >= 49 && first <= 57 && text.length <= 9) {
    let value = 0;
    let index = 0;
    for (; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
    }
    if (index === text.length) return value >= min && value <= max ? { value, rest: "" } : undefined;
  }
  const match = /^\s*(\+)?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)/i.exec(text);
  if (!match) return undefined;
  const value = xtablesStrtoui(match[0], min, max);
  return value === undefined ? undefined : { value, rest: text.slice(match[0].length) };
}
