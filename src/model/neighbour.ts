// Neighbour (ARP) cache entries (include/net/neighbour.h, NUD_* states).
import type { Ipv4Address } from "./address.js";
import type { MacAddress } from "./mac.js";
import type { Ipv4Packet } from "./packet.js";

export type NeighbourState = "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED" | "PERMANENT" | "NOARP";

export interface NeighbourEntry {
  readonly deviceIndex: number;
  readonly address: Ipv4Address;
  state: NeighbourState;
  mac?: MacAddress;
  /** Solicitations sent for the current resolution. */
  probes: number;
  /** Virtual time (µs) of the last confirmation, for REACHABLE → STALE. */
  confirmedAt: number;
  /** When the entry's timer (neigh->timer) is due, µs; a "neigh-timer" event at any other time is stale. */
  timerAt?: number;
  /** Packets waiting for resolution (arp_queue, at most unres_qlen). */
  queue: Ipv4Packet[];
}

/**
 * The neighbour table's key for (device, address): one number, ifindex in
 * the bits above the 32-bit address (exact below 2^53), so a lookup builds
 * no string.
 */
export function neighbourKey(deviceIndex: number, address: Ipv4Address): number {
  return deviceIndex * 0x1_0000_0000 + address;
}
