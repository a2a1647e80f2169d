// What net-tools' lib/inet.c (INET_resolve, INET_getnetmask, INET_sprint) and
// glibc's inet_aton() make of an IPv4 address text, and how they print one.
import { inetAton, type Ipv4Address } from "../../model/address.js";

export { inetAton };

/** A name net-tools could not resolve (no resolver is modelled): herror()'s text, by whether it looks like an address. */
export function lookupFailure(text: string): string {
  return /^[0-9./x]+$/i.test(text) ? `${text}: Unknown host` : `${text}: Host name lookup failure`;
}

/** The netmask of a prefix length, as an unsigned number. */
export function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** inet_mask_len() for a contiguous mask, or undefined for a bogus one. */
export function maskLength(mask: number): number | undefined {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return undefined;
  let length = 0;
  for (let bit = 31; bit >= 0 && ((mask >>> bit) & 1) === 1; bit--) length++;
  return length;
}

/** inet_abc_len(): the classful prefix SIOCSIFADDR gives an address. */
export function classfulLength(address: Ipv4Address): number | undefined {
  if (address === 0) return 0;
  const top = address >>> 24;
  if (top < 128) return 8;
  if (top < 192) return 16;
  if (top < 224) return 24;
  return undefined;
}

/** net-tools' natural order of interface names (lib/nstrcmp.c): digit runs compare as numbers. */
export function nstrcmp(a: string, b: string): number {
  const pattern = /(\d+)|(\D+)/g;
  const left = a.match(pattern) ?? [];
  const right = b.match(pattern) ?? [];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
