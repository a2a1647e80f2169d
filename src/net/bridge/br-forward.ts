// Sending a frame out of bridge ports (net/bridge/br_forward.c: br_forward,
// br_flood, maybe_deliver, should_deliver).
import { BROADCAST_MAC, isMulticastMac } from "../../model/mac.js";
import { DEFAULT_BRIDGE_PORT_FLAGS, type BridgePortFlags } from "../../model/bridge.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import { devQueueXmit } from "../core/dev.js";
import { bridgePorts, isPortForwarding } from "../core/link-state.js";
import { frameStep, recordStep, type Simulation } from "../simulation.js";
import { brNfForward } from "./br-netfilter.js";

export function portFlags(port: NetDevice): Readonly<BridgePortFlags> {
  return port.brport ?? DEFAULT_BRIDGE_PORT_FLAGS;
}

/**
 * should_deliver(): not back out of the port the frame came in on unless that
 * port is in hairpin mode; only to a forwarding port; never between two
 * isolated ports (br_skb_isolated). Locally sent frames have no ingress port.
 */
function shouldDeliver(simulation: Simulation, namespace: NetworkNamespace, port: NetDevice, ingress: NetDevice | undefined): boolean {
  if (ingress !== undefined && port.index === ingress.index && !portFlags(port).hairpin) return false;
  if (ingress !== undefined && portFlags(ingress).isolated && portFlags(port).isolated) return false;
  return isPortForwarding(simulation.world, namespace, port);
}

/** br_forward(): to one port, if should_deliver() lets it; `nfBridge`: br_netfilter took the frame at PREROUTING, so FORWARD and POSTROUTING follow. */
export function brForward(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, ingress: NetDevice | undefined, nfBridge: boolean): void {
  if (ingress && port.index === ingress.index && !portFlags(port).hairpin) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_forward", frame.id, frame, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "drop", dropReason: "BRIDGE_NO_PORT", reason: { code: "br-no-hairpin", bridge: bridge.name, port: port.name, mac: frame.destination } }));
    return;
  }
  if (ingress && portFlags(ingress).isolated && portFlags(port).isolated) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_forward", frame.id, frame, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "drop", dropReason: "BRIDGE_NO_PORT", reason: { code: "br-isolated", bridge: bridge.name, ingress: ingress.name, port: port.name } }));
    return;
  }
  if (!isPortForwarding(simulation.world, namespace, port)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_forward", frame.id, frame, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "drop", dropReason: "DEV_READY", reason: { code: "br-port-not-forwarding", port: port.name } }));
    return;
  }
  const filtered = nfBridge && ingress ? brNfForward(simulation, namespace, bridge, ingress, port, frame) : frame;
  if (!filtered) return;
  if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_forward", frame.id, filtered, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "continue", reason: { code: "br-forward", bridge: bridge.name, port: port.name, mac: frame.destination, hairpin: ingress !== undefined && port.index === ingress.index } }));
  devQueueXmit(simulation, namespace, port, filtered);
}

/** br_flood(): to every port whose flood flag admits the frame and that should_deliver() lets through. */
export function brFlood(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, frame: EthernetFrame, ingress: NetDevice | undefined, cause: "broadcast" | "unknown", nfBridge: boolean): void {
  // Locally sent broadcast and multicast ignore the flood flags (skb->dev == br->dev); unknown unicast never does.
  const kind = frame.destination === BROADCAST_MAC ? "bcastFlood" : isMulticastMac(frame.destination) ? "mcastFlood" : "flood";
  const ports = bridgePorts(namespace, bridge).filter((port) => (portFlags(port)[kind] || (kind !== "flood" && ingress === undefined)) && shouldDeliver(simulation, namespace, port, ingress));
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_flood", frame.id, frame, {
      decision: { kind: "fdb", mac: frame.destination, how: "flood" },
      verdict: ports.length > 0 ? "continue" : "drop",
      ...(ports.length > 0 ? {} : { dropReason: "BRIDGE_NO_PORT" as const }),
      reason: { code: "br-flood", bridge: bridge.name, mac: frame.destination, cause, ports: ports.map((port) => port.name) },
    }));
  }
  for (const port of ports) {
    const filtered = nfBridge && ingress ? brNfForward(simulation, namespace, bridge, ingress, port, frame) : frame;
    if (filtered) devQueueXmit(simulation, namespace, port, filtered);
  }
}
