// Neighbour resolution (net/core/neighbour.c: __neigh_event_send,
// neigh_timer_handler, neigh_update; net/ipv4/arp.c: arp_solicit).
import { LIMITED_BROADCAST, type Ipv4Address } from "../../model/address.js";
import { BROADCAST_MAC, ZERO_MAC, type MacAddress } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import { neighbourKey, type NeighbourEntry } from "../../model/neighbour.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame, Ipv4Packet } from "../../model/packet.js";
import { RT_TABLE_LOCAL } from "../../model/route.js";
import { inetSelectAddress, RT_SCOPE_LINK } from "../ipv4/devinet.js";
import { recordStep, traceTime, schedule, type Simulation } from "../simulation.js";
import { devQueueXmit } from "./dev.js";
import { namespaceById } from "./net-namespace.js";

/** neigh_ops.error_report (arp_error_report(): an ICMP host unreachable for each queued packet), registered at boot (net/init.ts). */
type ErrorReport = (simulation: Simulation, namespace: NetworkNamespace, packet: Ipv4Packet) => void;
let errorReport: ErrorReport | undefined;

export function neighRegisterErrorReport(report: ErrorReport): void {
  errorReport = report;
}

function registered(report: ErrorReport | undefined): ErrorReport {
  if (report === undefined) throw new Error("the neighbour layer has no error_report: import the net layer through src/net/index.ts");
  return report;
}

const UNRESOLVED_QUEUE_LENGTH = 101;

/**
 * How long a confirmed entry stays REACHABLE: base_reachable_time (30 s).
 * The kernel draws reachable_time at random from 0.5–1.5× that (15–45 s);
 * the model takes the middle, 30 s, so runs repeat exactly.
 */
export const REACHABLE_TIME_US = 30_000_000;

/** delay_first_probe_time (5 s): how long a used STALE entry waits in DELAY for a confirmation before probing. */
export const DELAY_PROBE_TIME_US = 5_000_000;

/** ucast_solicit (3): unicast probes sent in PROBE before the entry fails. */
const UNICAST_SOLICIT = 3;

/** Arms the entry's one timer (mod_timer): an earlier pending timer event is ignored when it fires. */
function armTimer(simulation: Simulation, namespace: NetworkNamespace, entry: NeighbourEntry, delay: number): void {
  entry.timerAt = simulation.world.clock + delay;
  schedule(simulation.world, delay, { kind: "neigh-timer", namespaceId: namespace.id, deviceIndex: entry.deviceIndex, address: entry.address });
}

export function sendIpv4Frame(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, destination: MacAddress, packet: Ipv4Packet): void {
  const frame: EthernetFrame = { id: simulation.world.nextFrameId++, source: device.mac, destination, payload: { kind: "ipv4", packet } };
  devQueueXmit(simulation, namespace, device, frame);
}

/** The state `ip neigh` shows: REACHABLE ages into STALE without traffic. */
export function neighbourState(entry: NeighbourEntry, now: number): NeighbourEntry["state"] {
  if (entry.state === "REACHABLE" && now - entry.confirmedAt > REACHABLE_TIME_US) return "STALE";
  return entry.state;
}

/**
 * arp_constructor() types the next hop with inet_addr_type_dev_table(), and
 * __inet_dev_addr_type() answers RTN_BROADCAST while the namespace has no
 * local table (no IPv4 address was ever added: lo still down). The neighbour
 * is then NOARP with the broadcast address (hidden from `ip neigh`), and the
 * frame goes to ff:ff:ff:ff:ff:ff without ARP, also after an address makes
 * the table (the entry keeps its type). Measured: a namespace with no address
 * and `default dev va0` leaves no entry in `ip neigh`, one `10.0.0.1 dev va0
 * lladdr ff:ff:ff:ff:ff:ff NOARP` in `ip neigh show nud all`. Modelled as
 * `ip route show table local` does: an empty local table counts as none.
 */
function hasLocalTable(namespace: NetworkNamespace): boolean {
  return (namespace.tables.get(RT_TABLE_LOCAL)?.byLength.size ?? 0) > 0;
}

/** neigh_output(): send to `nexthop` on `device`, resolving its MAC first if needed. */
export function neighOutput(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, nexthop: Ipv4Address, packet: Ipv4Packet, broadcast: boolean): void {
  if (device.kind === "loopback" || device.kind === "dummy") {
    // IFF_NOARP devices: no resolution, the frame goes straight to the driver.
    sendIpv4Frame(simulation, namespace, device, ZERO_MAC, packet);
    return;
  }
  if (broadcast || nexthop === LIMITED_BROADCAST) {
    sendIpv4Frame(simulation, namespace, device, BROADCAST_MAC, packet);
    return;
  }
  const key = neighbourKey(device.index, nexthop);
  let entry = namespace.neighbours.get(key);
  if (!entry && !hasLocalTable(namespace)) {
    // The entry keeps its type: it stays NOARP after an address arrives, until the device goes down.
    entry = { deviceIndex: device.index, address: nexthop, state: "NOARP", mac: BROADCAST_MAC, probes: 0, confirmedAt: 0, queue: [] };
    namespace.neighbours.set(key, entry);
  }
  if (entry && entry.mac !== undefined && entry.state !== "INCOMPLETE" && entry.state !== "FAILED") {
    let state = neighbourState(entry, simulation.world.clock);
    if (state === "STALE") {
      // neigh_event_send(): using a STALE entry starts DELAY; a confirmation within delay_first_probe_time makes it REACHABLE again.
      entry.state = "DELAY";
      state = "DELAY";
      armTimer(simulation, namespace, entry, DELAY_PROBE_TIME_US);
    }
    const mac = entry.mac;
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state, mac }, verdict: "continue", reason: { code: "neigh-known", address: nexthop, mac, state }, namespace: namespace.name, time: traceTime(simulation) });
    sendIpv4Frame(simulation, namespace, device, mac, packet);
    return;
  }
  if (!entry || entry.state === "FAILED") {
    // A new resolution; a FAILED entry starts over for a new packet.
    entry = { deviceIndex: device.index, address: nexthop, state: "INCOMPLETE", probes: 0, confirmedAt: 0, queue: [] };
    namespace.neighbours.set(key, entry);
    entry.queue.push(packet);
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state: "INCOMPLETE" }, verdict: "queue", reason: { code: "neigh-resolve", address: nexthop, device: device.name }, namespace: namespace.name, time: traceTime(simulation) });
    arpSolicit(simulation, namespace, device, entry);
    armTimer(simulation, namespace, entry, namespace.sysctl.neighRetransTimeMs * 1000);
    return;
  }
  if (entry.queue.length < UNRESOLVED_QUEUE_LENGTH) entry.queue.push(packet);
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state: "INCOMPLETE" }, verdict: "queue", reason: { code: "neigh-queued", address: nexthop }, namespace: namespace.name, time: traceTime(simulation) });
}

/** arp_solicit(): broadcast "who-has" (unicast to the known address in PROBE), from the queued packet's source when it is ours (arp_announce=0). */
function arpSolicit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, entry: NeighbourEntry): void {
  entry.probes++;
  const queued = entry.queue[entry.queue.length - 1];
  const ownSource = queued && [...namespace.devices.values()].some((candidate) => candidate.addresses.some((address) => address.address === queued.source));
  const senderAddress = ownSource ? queued!.source : inetSelectAddress(namespace, device, entry.address, RT_SCOPE_LINK) ?? 0;
  const arp = { operation: "request" as const, senderMac: device.mac, senderAddress, targetMac: ZERO_MAC, targetAddress: entry.address };
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "arp_send", arp, decision: { kind: "neighbour", address: entry.address, state: "INCOMPLETE" }, verdict: "continue", reason: { code: "arp-request", target: entry.address, sender: senderAddress, probe: entry.probes, probes: namespace.sysctl.neighMcastSolicit }, namespace: namespace.name, time: traceTime(simulation) });
  const unicast = entry.state === "PROBE" && entry.mac !== undefined ? entry.mac : undefined;
  devQueueXmit(simulation, namespace, device, { id: simulation.world.nextFrameId++, source: device.mac, destination: unicast ?? BROADCAST_MAC, payload: { kind: "arp", arp } });
}

/** neigh_timer_handler(): ask again, give up after the solicitations run out, or settle a DELAY. */
export function neighTimer(simulation: Simulation, namespaceId: number, deviceIndex: number, address: Ipv4Address): void {
  const namespace = namespaceById(simulation.world, namespaceId);
  const entry = namespace.neighbours.get(neighbourKey(deviceIndex, address));
  const device = namespace.devices.get(deviceIndex);
  if (!entry || !device || entry.timerAt !== simulation.world.clock) return;
  delete entry.timerAt;
  const now = simulation.world.clock;
  if (entry.state === "DELAY") {
    if (now <= entry.confirmedAt + DELAY_PROBE_TIME_US) {
      entry.state = "REACHABLE";
      return;
    }
    // Not confirmed in time: ask the known address directly (PROBE).
    entry.state = "PROBE";
    entry.probes = 0;
    arpSolicit(simulation, namespace, device, entry);
    armTimer(simulation, namespace, entry, namespace.sysctl.neighRetransTimeMs * 1000);
    return;
  }
  if (entry.state !== "INCOMPLETE" && entry.state !== "PROBE") return;
  const limit = entry.state === "PROBE" ? UNICAST_SOLICIT : namespace.sysctl.neighMcastSolicit;
  if (entry.probes < limit) {
    arpSolicit(simulation, namespace, device, entry);
    armTimer(simulation, namespace, entry, namespace.sysctl.neighRetransTimeMs * 1000);
    return;
  }
  entry.state = "FAILED";
  const queued = entry.queue.splice(0);
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "neigh_timer", decision: { kind: "neighbour", address, state: "FAILED" }, verdict: "drop", dropReason: "NEIGH_FAILED", reason: { code: "neigh-failed", probes: entry.probes, address, device: device.name, queued: queued.length }, namespace: namespace.name, time: traceTime(simulation) });
  // arp_error_report() -> ipv4_link_failure(): host unreachable to each sender.
  for (const packet of queued) registered(errorReport)(simulation, namespace, packet);
}

/**
 * neigh_update(): REACHABLE is a confirmation (an ARP reply); STALE is what
 * an ARP request from the address says, which never downgrades an entry
 * whose link-layer address it repeats. Queued packets go out now.
 */
export function neighUpdate(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, address: Ipv4Address, mac: MacAddress, state: "REACHABLE" | "STALE"): void {
  const key = neighbourKey(device.index, address);
  const entry = namespace.neighbours.get(key);
  const now = simulation.world.clock;
  if (!entry) {
    // neigh_alloc() dates `confirmed` well in the past: a new STALE entry is unconfirmed.
    namespace.neighbours.set(key, { deviceIndex: device.index, address, state, mac, probes: 0, confirmedAt: state === "REACHABLE" ? now : now - 2 * REACHABLE_TIME_US, queue: [] });
    return;
  }
  if (entry.state === "PERMANENT" || entry.state === "NOARP") return;
  const resolved = entry.state !== "INCOMPLETE" && entry.state !== "FAILED" && entry.mac !== undefined;
  if (state === "STALE" && resolved && entry.mac === mac) return;
  entry.mac = mac;
  entry.state = state;
  if (state === "REACHABLE") entry.confirmedAt = now;
  entry.probes = 0;
  delete entry.timerAt;
  const queued = entry.queue.splice(0);
  for (const packet of queued) sendIpv4Frame(simulation, namespace, device, mac, packet);
}
