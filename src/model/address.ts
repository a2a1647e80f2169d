// IPv4 addresses and prefixes. Text is parsed and validated by ip-num; the
// model keeps an address as its 32-bit value (a plain number) so that lookups
// and comparisons stay cheap.
import { IPv4, Validator } from "ip-num";

/** An IPv4 address as an unsigned 32-bit number. */
export type Ipv4Address = number;

export interface Ipv4Prefix {
  readonly address: Ipv4Address;
  readonly length: number;
}

/**
 * The value of text in the one form ip-num accepts (four octets 0-255, each
 * "0" or without a leading zero), read by hand: rule sets hold tens of
 * thousands of addresses. -1 for anything else, which goes on to ip-num.
 */
function canonicalDottedQuad(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let index = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(index) !== 46) return -1;
      index++;
    }
    const start = index;
    let part = 0;
    while (index < length) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      part = part * 10 + digit;
      index++;
    }
    const digits = index - start;
    if (digits === 0 || digits > 3 || part > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
    value = value * 256 + part;
  }
  return index === length ? value : -1;
}

export function parseIpv4Address(text: string): Ipv4Address | undefined {
  const canonical = canonicalDottedQuad(text);
  if (canonical >= 0) return canonical;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const [valid] = Validator.isValidIPv4String(text);
  if (!valid) return undefined;
  return Number(IPv4.fromDecimalDottedString(text).getValue());
}

/**
 * glibc inet_aton(): one to four parts, each decimal, octal (leading 0) or
 * hex (0x); the last part fills the bytes left ("10.8" is 10.0.0.8, "127.1"
 * is 127.0.0.1, "10" is 0.0.0.10).
 */
export function inetAton(text: string): Ipv4Address | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = part.length === 1 ? 0 : parseInt(part.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  for (const value of values) if (value > 255) return undefined;
  const lastBits = 8 * (4 - values.length);
  if (last >= 2 ** lastBits) return undefined;
  let address = 0;
  for (const value of values) address = address * 256 + value;
  return address * 2 ** lastBits + last;
}

/**
 * Dotted text of addresses formatted lately, in a direct-mapped cache: a
 * trace names the same few addresses in step after step, and a hit (one
 * typed-array compare) costs a twentieth of building the text. Pure memo of
 * a pure function, bounded in size.
 */
const FORMATTED_SLOTS = 1024;
const formattedAddresses = new Float64Array(FORMATTED_SLOTS).fill(-1);
const formattedTexts: string[] = new Array<string>(FORMATTED_SLOTS).fill("");

export function formatIpv4Address(address: Ipv4Address): string {
  const slot = (address ^ (address >>> 10) ^ (address >>> 20)) & (FORMATTED_SLOTS - 1);
  if (formattedAddresses[slot] === address) return formattedTexts[slot]!;
  const text = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
  formattedAddresses[slot] = address;
  formattedTexts[slot] = text;
  return text;
}

export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export function networkAddress(address: Ipv4Address, length: number): Ipv4Address {
  return (address & prefixMask(length)) >>> 0;
}

export function broadcastAddress(address: Ipv4Address, length: number): Ipv4Address {
  return (address | ~prefixMask(length)) >>> 0;
}

export function prefixContains(prefix: Ipv4Prefix, address: Ipv4Address): boolean {
  return networkAddress(address, prefix.length) === prefix.address;
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  if (prefix.length === 0 && prefix.address === 0) return "default";
  return prefix.length === 32 ? formatIpv4Address(prefix.address) : `${formatIpv4Address(prefix.address)}/${prefix.length}`;
}

export const LOOPBACK_NETWORK: Ipv4Prefix = { address: 0x7f000000, length: 8 };

export function isLoopbackAddress(address: Ipv4Address): boolean {
  return address >>> 24 === 127;
}

export function isMulticastAddress(address: Ipv4Address): boolean {
  return address >>> 28 === 0xe;
}

export const LIMITED_BROADCAST: Ipv4Address = 0xffffffff;
