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
}

export function cloneWorld(world: World): World {
  return structuredClone(world);
}
