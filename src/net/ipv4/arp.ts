// ARP (net/ipv4/arp.c: arp_rcv, arp_process).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { neighbourKey } from "../../model/neighbour.js";
import type { ArpMessage } from "../../model/packet.js";
import { RT_TABLE_LOCAL } from "../../model/route.js";
import { devQueueXmit } from "../core/dev.js";
import { neighUpdate } from "../core/neighbour.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { fibTableLookup } from "./fib-table.js";
import { ipRouteInput } from "./route.js";

/** inet_addr_type() == RTN_LOCAL: the address is this namespace's, on any device (weak host model). */
export function isLocalAddress(namespace: NetworkNamespace, address: number): boolean {
  const table = namespace.tables.get(RT_TABLE_LOCAL);
  const match = table && fibTableLookup(table, address, () => true);
  return match?.route.type === "local";
}

export function arpRcv(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, arp: ArpMessage): void {
  const arpIgnore = Math.max(device.conf.arpIgnore, namespace.sysctl.confAll.arpIgnore);
  if (arp.operation === "reply") {
    const known = namespace.neighbours.has(neighbourKey(device.index, arp.senderAddress));
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "arp_rcv", arp, decision: { kind: "neighbour", address: arp.senderAddress, state: "REACHABLE", mac: arp.senderMac }, verdict: known ? "deliver" : "drop", reason: { code: "arp-reply" }, namespace: namespace.name, time: traceTime(simulation) });
    if (known) neighUpdate(simulation, namespace, device, arp.senderAddress, arp.senderMac, "REACHABLE");
    return;
  }
  // arp_process() routes the request as an input packet from the asker: the
  // target must be local (any device: weak host), and the asker must pass
  // source validation (not one of our own addresses; rp_filter).
  const routed = ipRouteInput(namespace, device, arp.senderAddress, arp.targetAddress);
  if (routed.kind === "martian") {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "arp_rcv", arp, verdict: "drop", dropReason: routed.reason, reason: { code: "arp-martian", martian: routed.martian }, namespace: namespace.name, time: traceTime(simulation) });
    return;
  }
  const local = routed.kind === "local";
  const ownedHere = device.addresses.some((address) => address.address === arp.targetAddress);
  // arp_ignore=1: answer only for addresses configured on the receiving device.
  const answer = local && (arpIgnore === 0 || (arpIgnore === 1 && ownedHere));
  if (!answer) {
    if (simulation.steps !== null) {
      recordStep(simulation, {
        device: device.name,
        stage: "arp_rcv",
        arp,
        verdict: "drop",
        ...(local ? { dropReason: "ARP_IGNORE" as const } : {}),
        reason: local ? { code: "arp-ignore", device: device.name, arpIgnore } : { code: "arp-not-local" },
          namespace: namespace.name,
          time: traceTime(simulation),
      });
    }
    return;
  }
  // The asker is remembered (STALE) and answered with the receiving device's MAC.
  neighUpdate(simulation, namespace, device, arp.senderAddress, arp.senderMac, "STALE");
  const reply: ArpMessage = { operation: "reply", senderMac: device.mac, senderAddress: arp.targetAddress, targetMac: arp.senderMac, targetAddress: arp.senderAddress };
  if (simulation.steps !== null) {
    recordStep(simulation, {
      device: device.name,
      stage: "arp_rcv",
      arp,
      verdict: "continue",
      reason: { code: "arp-answer", ownedHere, device: device.name, mac: device.mac },
      namespace: namespace.name,
      time: traceTime(simulation),
    });
  }
  devQueueXmit(simulation, namespace, device, { id: simulation.world.nextFrameId++, source: device.mac, destination: arp.senderMac, payload: { kind: "arp", arp: reply } });
}
