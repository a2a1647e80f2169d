// Things due to happen later in virtual time. Plain data kept in the World,
// so a snapshot of the world carries its pending timers and frames in flight.
import type { EthernetFrame } from "./packet.js";

export type PendingEvent =
  /** A frame reaches a device (the far end of a veth, or lo). */
  | { readonly kind: "netif-receive"; readonly namespaceId: number; readonly deviceIndex: number; readonly frame: EthernetFrame }
  /** The neighbour timer: retransmit a solicitation or give up (neigh_timer_handler). */
  | { readonly kind: "neigh-timer"; readonly namespaceId: number; readonly deviceIndex: number; readonly address: number }
  /** A timer fires (a socket's retransmit timer, a program's wait): its callback lives in src/net/core/sock.ts's table. */
  | { readonly kind: "timer"; readonly timerId: number };

export interface ScheduledEvent {
  readonly time: number;
  /** Tie-break: events due at the same time happen in the order they were scheduled. */
  readonly order: number;
  readonly event: PendingEvent;
}
