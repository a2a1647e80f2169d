// Bridge state (net/bridge/br_private.h: net_bridge, net_bridge_fdb_entry).
import type { MacAddress } from "./mac.js";

/** A forwarding database entry: which port a MAC address was last seen on. */
export interface FdbEntry {
  readonly mac: MacAddress;
  /** ifindex of the port. */
  readonly portIndex: number;
  /** Local entries are the ports' own addresses (`permanent`); others are learned. */
  readonly local: boolean;
  /** Virtual time (µs) the entry was last refreshed, for ageing (br_fdb_update() moves it on every frame from that address). */
  updatedAt: number;
}

export interface BridgeState {
  /** Ageing time in centiseconds (bridge default 30000 = 300 s). */
  ageingTime: number;
  /** The MAC was given by the user: the bridge does not take the lowest port MAC. */
  macFixed: boolean;
  /** Set once a port was added: from then on the carrier follows the ports. */
  hadPorts: boolean;
  /** fdb keyed by MAC address. */
  fdb: Map<MacAddress, FdbEntry>;
  /** The engine's derived state (model/derived.ts): the port numbers in use. */
  derived?: BridgeDerived;
}

/** Filled in by the engine (net/core/rtnetlink.ts declares its field). */
export interface BridgeDerived {}

/**
 * A bridge port's flags (net/bridge/br_private.h: net_bridge_port.flags,
 * BR_HAIRPIN_MODE, BR_LEARNING, BR_FLOOD, BR_MCAST_FLOOD, BR_BCAST_FLOOD,
 * BR_ISOLATED). new_nbp() starts a port with learning and the three floods on.
 */
export interface BridgePortFlags {
  hairpin: boolean;
  learning: boolean;
  flood: boolean;
  mcastFlood: boolean;
  bcastFlood: boolean;
  isolated: boolean;
}

export const DEFAULT_BRIDGE_PORT_FLAGS: Readonly<BridgePortFlags> = { hairpin: false, learning: true, flood: true, mcastFlood: true, bcastFlood: true, isolated: false };
