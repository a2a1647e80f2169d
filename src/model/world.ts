// Everything the simulator knows at one moment: the namespaces and the
// virtual clock. Plain data, so structuredClone() snapshots it for stepping
// back and for checking a fix on a copy.
import type { ScheduledEvent } from "./event.js";
import type { NetworkNamespace } from "./netns.js";

export const ROOT_NAMESPACE_ID = 0;

export interface World {
  namespaces: Map<number, NetworkNamespace>;
  nextNamespaceId: number;
  /** Virtual time in microseconds; only the engine advances it. */
  clock: number;
  /** Pending events as a binary heap ordered by (time, order). */
  pending: ScheduledEvent[];
  nextEventOrder: number;
  /** Counters that stand in for the kernel's random choices, so a run replays byte for byte. */
  nextMacSerial: number;
  nextFrameId: number;
  nextEchoId: number;
  nextEphemeralPort: number;
  /** The next socket id (src/net/core/sock.ts); absent: 1. */
  nextSocketId?: number;
  /** The next timer id (sk_reset_timer and the probes' own timers); absent: 1. */
  nextTimerId?: number;
  /** __inet_hash_connect's table_perturb (one table for every namespace, as in the kernel), by slot; absent slots are 0. */
  portPerturb?: Map<number, number>;
  /** The engine's state that is no part of the world's value (model/derived.ts): the programs' callbacks. */
  derived?: WorldDerived;
}

/** Filled in by the engine (net/core/sock.ts, net/core/dev.ts declare their fields). */
export interface WorldDerived {}

/** A copy of the world's state; the engine's derived state (model/derived.ts) is not part of it: the copy derives its own. */
export function cloneWorld(world: World): World {
  return structuredClone(world);
}
