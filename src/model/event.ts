// Things due to happen later in virtual time. Plain data kept in the World,
// so a snapshot of the world carries its pending timers and frames in flight.
import type { EthernetFrame } from "./packet.js";

export type PendingEvent =
  /** A frame reaches a device (the far end of a veth, or lo). */
  | { readonly kind: "netif-receive"; readonly namespaceId: number; readonly deviceIndex: number; readonly frame: EthernetFrame }
  /** The neighbour timer: retransmit a solicitation or give up (neigh_timer_handler). */
  | { readonly kind: "neigh-timer"; readonly namespaceId: number; readonly deviceIndex: number; readonly address: number }
  /** A probe program sends its next packet. */
  | { readonly kind: "probe-send"; readonly probeId: number; readonly sequence: number };

export interface ScheduledEvent {
  readonly time: number;
  /** Tie-break: events due at the same time happen in the order they were scheduled. */
  readonly order: number;
  readonly event: PendingEvent;
}
