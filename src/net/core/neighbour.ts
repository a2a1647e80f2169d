// Neighbour resolution (net/core/neighbour.c: __neigh_event_send,
// neigh_timer_handler, neigh_update; net/ipv4/arp.c: arp_solicit).
import { formatIpv4Address, LIMITED_BROADCAST, type Ipv4Address } from "../../model/address.js";
import { BROADCAST_MAC, ZERO_MAC, type MacAddress } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import { neighbourKey, type NeighbourEntry } from "../../model/neighbour.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame, Ipv4Packet } from "../../model/packet.js";
import { inetSelectAddress, RT_SCOPE_LINK } from "../ipv4/devinet.js";
import { icmpSendHostUnreachable } from "../ipv4/icmp.js";
import { record, schedule, type Simulation } from "../simulation.js";
import { devQueueXmit } from "./dev.js";
import { namespaceById } from "./net-namespace.js";

const UNRESOLVED_QUEUE_LENGTH = 101;

/** How long a confirmed entry stays REACHABLE (base_reachable_time; the kernel randomises 0.5–1.5×, the model does not). */
export const REACHABLE_TIME_US = 30_000_000;

export function sendIpv4Frame(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, destination: MacAddress, packet: Ipv4Packet): void {
  const frame: EthernetFrame = { id: simulation.world.nextFrameId++, source: device.mac, destination, payload: { kind: "ipv4", packet } };
  devQueueXmit(simulation, namespace, device, frame);
}

/** The state `ip neigh` shows: REACHABLE ages into STALE without traffic. */
export function neighbourState(entry: NeighbourEntry, now: number): NeighbourEntry["state"] {
  if (entry.state === "REACHABLE" && now - entry.confirmedAt > REACHABLE_TIME_US) return "STALE";
  return entry.state;
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
  if (entry && entry.mac !== undefined && entry.state !== "INCOMPLETE" && entry.state !== "FAILED") {
    const state = neighbourState(entry, simulation.world.clock);
    record(simulation, () => ({ namespace, device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state, mac: entry!.mac! }, verdict: "continue", why: `${formatIpv4Address(nexthop)} is known: ${entry!.mac} (${state})` }));
    sendIpv4Frame(simulation, namespace, device, entry.mac, packet);
    return;
  }
  if (!entry || entry.state === "FAILED") {
    // A new resolution; a FAILED entry starts over for a new packet.
    entry = { deviceIndex: device.index, address: nexthop, state: "INCOMPLETE", probes: 0, confirmedAt: 0, queue: [] };
    namespace.neighbours.set(key, entry);
    entry.queue.push(packet);
    record(simulation, () => ({ namespace, device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state: "INCOMPLETE" }, verdict: "queue", why: `${formatIpv4Address(nexthop)} has no link-layer address yet: the packet waits while ARP asks for it on ${device.name}` }));
    arpSolicit(simulation, namespace, device, entry);
    schedule(simulation.world, namespace.sysctl.neighRetransTimeMs * 1000, { kind: "neigh-timer", namespaceId: namespace.id, deviceIndex: device.index, address: nexthop });
    return;
  }
  if (entry.queue.length < UNRESOLVED_QUEUE_LENGTH) entry.queue.push(packet);
  record(simulation, () => ({ namespace, device: device.name, stage: "neigh_resolve_output", packet, decision: { kind: "neighbour", address: nexthop, state: "INCOMPLETE" }, verdict: "queue", why: `still resolving ${formatIpv4Address(nexthop)}: the packet joins the queue` }));
}

/** arp_solicit(): broadcast "who-has", from the queued packet's source when it is ours (arp_announce=0). */
function arpSolicit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, entry: NeighbourEntry): void {
  entry.probes++;
  const queued = entry.queue[entry.queue.length - 1];
  const ownSource = queued && [...namespace.devices.values()].some((candidate) => candidate.addresses.some((address) => address.address === queued.source));
  const senderAddress = ownSource ? queued!.source : inetSelectAddress(namespace, device, entry.address, RT_SCOPE_LINK) ?? 0;
  const arp = { operation: "request" as const, senderMac: device.mac, senderAddress, targetMac: ZERO_MAC, targetAddress: entry.address };
  record(simulation, () => ({ namespace, device: device.name, stage: "arp_send", arp, decision: { kind: "neighbour", address: entry.address, state: "INCOMPLETE" }, verdict: "continue", why: `who-has ${formatIpv4Address(entry.address)}? tell ${formatIpv4Address(senderAddress)} (request ${entry.probes} of ${namespace.sysctl.neighMcastSolicit})` }));
  devQueueXmit(simulation, namespace, device, { id: simulation.world.nextFrameId++, source: device.mac, destination: BROADCAST_MAC, payload: { kind: "arp", arp } });
}

/** neigh_timer_handler(): ask again, or give up after mcast_solicit requests. */
export function neighTimer(simulation: Simulation, namespaceId: number, deviceIndex: number, address: Ipv4Address): void {
  const namespace = namespaceById(simulation.world, namespaceId);
  const entry = namespace.neighbours.get(neighbourKey(deviceIndex, address));
  const device = namespace.devices.get(deviceIndex);
  if (!entry || !device || entry.state !== "INCOMPLETE") return;
  if (entry.probes < namespace.sysctl.neighMcastSolicit) {
    arpSolicit(simulation, namespace, device, entry);
    schedule(simulation.world, namespace.sysctl.neighRetransTimeMs * 1000, { kind: "neigh-timer", namespaceId, deviceIndex, address });
    return;
  }
  entry.state = "FAILED";
  const queued = entry.queue.splice(0);
  record(simulation, () => ({ namespace, device: device.name, stage: "neigh_timer", decision: { kind: "neighbour", address, state: "FAILED" }, verdict: "drop", dropReason: "NEIGH_FAILED", why: `no answer to ${entry.probes} ARP requests for ${formatIpv4Address(address)} on ${device.name}: the entry fails and ${queued.length === 1 ? "the queued packet is" : `${queued.length} queued packets are`} dropped` }));
  // arp_error_report() -> ipv4_link_failure(): host unreachable to each sender.
  for (const packet of queued) icmpSendHostUnreachable(simulation, namespace, packet);
}

/** neigh_update(): a confirmed address; queued packets go out now. */
export function neighUpdate(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, address: Ipv4Address, mac: MacAddress, state: "REACHABLE" | "STALE"): void {
  const key = neighbourKey(device.index, address);
  const entry = namespace.neighbours.get(key);
  if (!entry) {
    namespace.neighbours.set(key, { deviceIndex: device.index, address, state, mac, probes: 0, confirmedAt: simulation.world.clock, queue: [] });
    return;
  }
  if (entry.state === "PERMANENT") return;
  entry.mac = mac;
  entry.state = state;
  entry.confirmedAt = simulation.world.clock;
  entry.probes = 0;
  const queued = entry.queue.splice(0);
  for (const packet of queued) sendIpv4Frame(simulation, namespace, device, mac, packet);
}
