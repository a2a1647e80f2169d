// Ethernet (link-layer) addresses, kept as lower-case colon-separated text.

export type MacAddress = string;

export const BROADCAST_MAC: MacAddress = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC: MacAddress = "00:00:00:00:00:00";

const MAC_PATTERN = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

export function parseMacAddress(text: string): MacAddress | undefined {
  if (!MAC_PATTERN.test(text)) return undefined;
  return text.split(":").map((octet) => octet.padStart(2, "0").toLowerCase()).join(":");
}

/** The I/G bit (the lowest bit of the first octet): read from the octet's last hex digit, without parsing. */
export function isMulticastMac(mac: MacAddress): boolean {
  // "1:..." (one digit) or "01:..." (two): the digit before the first colon.
  const digit = mac.charCodeAt(mac.charCodeAt(1) === 58 ? 0 : 1);
  // '0'-'9' are 48-57 (even digits even), 'a'-'f' 97-102 and 'A'-'F' 65-70 (10, 12, 14 odd codes).
  return digit <= 57 ? (digit & 1) === 1 : (digit & 1) === 0;
}

/**
 * A locally administered unicast address made from a counter: the kernel's
 * eth_random_addr() is random, the simulator must replay byte for byte.
 */
export function generatedMac(serial: number): MacAddress {
  const octets = [0x02, 0x4e, 0x53, (serial >>> 16) & 255, (serial >>> 8) & 255, serial & 255];
  return octets.map((octet) => octet.toString(16).padStart(2, "0")).join(":");
}
