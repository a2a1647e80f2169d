// The discrete-event engine: a virtual clock and a queue of things that
// happen later (a frame arriving at the other end of a veth, an ARP
// retransmit timer). Time is passed around, never read from the machine.
import type { PendingEvent, ScheduledEvent } from "../model/event.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { EthernetFrame, Ipv4Packet } from "../model/packet.js";
import type { DropReason } from "../model/drop-reason.js";
import type { RecordDecision, TraceRecord, TraceStage, Verdict } from "../model/trace.js";
import type { TraceReason } from "../model/trace-reason.js";
import type { World } from "../model/world.js";
import type { PingSocketEvent } from "../model/socket.js";

/** Virtual time a frame takes to cross a link, in µs: gives plausible, reproducible round-trip times. */
export const LINK_DELAY_US = 10;

export type { PingSocketEvent };

/** A raw ICMP socket opened for one simulation only (the packet-path bench, tests); ping itself uses the namespace's socket table. */
export interface PingSocket {
  readonly namespaceId: number;
  readonly echoId: number;
  readonly events: PingSocketEvent[];
}

export interface Simulation {
  readonly world: World;
  /**
   * The trace observer's records: what the engine reports of each step, as
   * typed data (src/render/trace-why.ts writes the sentences). null when
   * tracing is off: the fast path records nothing.
   */
  readonly steps: TraceRecord[] | null;
  /** Clock value the trace counts from. */
  readonly start: number;
  readonly pingSockets: PingSocket[];
  /** A log of the TCP/UDP segments and ICMP errors about them that reached a namespace's sockets during this simulation (what the testing toolkit reads). */
  readonly deliveries: { readonly namespaceId: number; readonly packet: Ipv4Packet }[];
}

export function createSimulation(world: World, tracing: boolean): Simulation {
  return { world, steps: tracing ? [] : null, start: world.clock, pingSockets: [], deliveries: [] };
}

function siftUp(heap: ScheduledEvent[], index: number): void {
  const item = heap[index]!;
  while (index > 0) {
    const parentIndex = (index - 1) >> 1;
    const parent = heap[parentIndex]!;
    if (parent.time < item.time || (parent.time === item.time && parent.order < item.order)) break;
    heap[index] = parent;
    index = parentIndex;
  }
  heap[index] = item;
}

function siftDown(heap: ScheduledEvent[], index: number): void {
  const item = heap[index]!;
  const length = heap.length;
  for (;;) {
    let child = 2 * index + 1;
    if (child >= length) break;
    const right = child + 1;
    if (right < length && (heap[right]!.time < heap[child]!.time || (heap[right]!.time === heap[child]!.time && heap[right]!.order < heap[child]!.order))) child = right;
    const candidate = heap[child]!;
    if (item.time < candidate.time || (item.time === candidate.time && item.order < candidate.order)) break;
    heap[index] = candidate;
    index = child;
  }
  heap[index] = item;
}

/** Queues `event` to happen after `delay` µs of virtual time. */
export function schedule(world: World, delay: number, event: PendingEvent): void {
  world.pending.push({ time: world.clock + delay, order: world.nextEventOrder++, event });
  siftUp(world.pending, world.pending.length - 1);
}

/** Removes the pending events `matches` picks (a cancelled timer), keeping the heap's order. */
export function cancelEvents(world: World, matches: (event: PendingEvent) => boolean): void {
  const kept = world.pending.filter((item) => !matches(item.event));
  if (kept.length === world.pending.length) return;
  // A sorted array is a valid heap.
  kept.sort((a, b) => a.time - b.time || a.order - b.order);
  world.pending = kept;
}

/** Takes the earliest event due at or before `until`, advancing the clock to it. */
export function takeNextEvent(world: World, until: number): PendingEvent | undefined {
  const heap = world.pending;
  if (heap.length === 0 || heap[0]!.time > until) return undefined;
  const next = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
  world.clock = next.time;
  return next.event;
}

/** What a frame step says besides where and which frame. */
export interface FrameStepRest {
  readonly decision?: RecordDecision;
  readonly verdict: Verdict;
  readonly dropReason?: DropReason;
  readonly reason: TraceReason;
}

/** A step's time: virtual µs since the probe started. */
export function traceTime(simulation: Simulation): number {
  return simulation.world.clock - simulation.start;
}

/**
 * A step about a frame, its fields in the order a trace shows them: device,
 * stage, frame id, the frame's IPv4 packet or ARP message (from `contents`),
 * then `rest`, then where and when. One literal per shape: a spread into a
 * literal, or keys added one by one, is V8's slow copy, on every frame of a
 * trace.
 */
export function frameStep(simulation: Simulation, namespace: NetworkNamespace, device: string, stage: TraceStage, frameId: number, contents: EthernetFrame, rest: FrameStepRest): TraceRecord {
  const { decision, verdict, dropReason, reason } = rest;
  const name = namespace.name;
  const time = traceTime(simulation);
  if (contents.payload.kind === "ipv4") {
    const packet = contents.payload.packet;
    if (decision === undefined) {
      return dropReason === undefined
        ? { device, stage, frameId, packet, verdict, reason, namespace: name, time }
        : { device, stage, frameId, packet, verdict, dropReason, reason, namespace: name, time };
    }
    return dropReason === undefined
      ? { device, stage, frameId, packet, decision, verdict, reason, namespace: name, time }
      : { device, stage, frameId, packet, decision, verdict, dropReason, reason, namespace: name, time };
  }
  const arp = contents.payload.arp;
  if (decision === undefined) {
    return dropReason === undefined
      ? { device, stage, frameId, arp, verdict, reason, namespace: name, time }
      : { device, stage, frameId, arp, verdict, dropReason, reason, namespace: name, time };
  }
  return dropReason === undefined
    ? { device, stage, frameId, arp, decision, verdict, reason, namespace: name, time }
    : { device, stage, frameId, arp, decision, verdict, dropReason, reason, namespace: name, time };
}

export type StepFields = Omit<TraceRecord, "time" | "namespace"> & { readonly namespace: NetworkNamespace };

/**
 * Appends a trace step. Call it only when tracing is on (`simulation.steps
 * !== null`), with the step built inline, its own fields first, then
 * `namespace: namespace.name, time: traceTime(simulation)` (the order a
 * trace's JSON shows). Inline and whole because each alternative costs on
 * every step: a closure over a function's variables makes V8 allocate a
 * context on every call, traced or not, and keys added to an object after
 * its literal go to a separately allocated store.
 */
export function recordStep(simulation: Simulation, step: TraceRecord): void {
  simulation.steps!.push(step);
}

/** Appends a trace step when tracing is on, built by `build` only then (for callers outside the packet path). */
export function record(simulation: Simulation, build: () => StepFields): void {
  if (simulation.steps === null) return;
  const { namespace, ...fields } = build();
  simulation.steps.push({ ...fields, namespace: namespace.name, time: traceTime(simulation) });
}
