// Ethernet (link-layer) addresses, kept as lower-case colon-separated text.

export type MacAddress = string;

export const BROADCAST_MAC: MacAddress = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC: MacAddress = "00:00:00:00:00:00";

const MAC_PATTERN = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

export function parseMacAddress(text: string): MacAddress | undefined {
  if (!MAC_PATTERN.test(text)) return undefined;
  return text.split(":").map((octet) => octet.padStart(2, "0").toLowerCase()).join(":");
}

export function isMulticastMac(mac: MacAddress): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/**
 * A locally administered unicast address made from a counter: the kernel's
 * eth_random_addr() is random, the simulator must replay byte for byte.
 */
export function generatedMac(serial: number): MacAddress {
  const octets = [0x02, 0x4e, 0x53, (serial >>> 16) & 255, (serial >>> 8) & 255, serial & 255];
  return octets.map((octet) => octet.toString(16).padStart(2, "0")).join(":");
}
