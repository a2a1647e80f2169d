// Sending a frame out of bridge ports (net/bridge/br_forward.c: br_forward,
// br_flood, should_deliver).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import { devQueueXmit } from "../core/dev.js";
import { bridgePorts, isPortForwarding } from "../core/link-state.js";
import { frameStep, recordStep, type Simulation } from "../simulation.js";
import { brNfForward } from "./br-netfilter.js";

/** br_forward(): to one port, if it forwards and is not where the frame came from. */
export function brForward(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, ingress: NetDevice | undefined): void {
  if (ingress && port.index === ingress.index) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_forward", frame.id, frame, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "drop", dropReason: "BRIDGE_NO_PORT", why: `${frame.destination} was learned on ${port.name}, the port the frame came in on: nothing to forward` }));
    return;
  }
  if (!isPortForwarding(simulation.world, namespace, port)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_forward", frame.id, frame, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "drop", dropReason: "DEV_READY", why: `port ${port.name} is not forwarding (it or its peer is down)` }));
    return;
  }
  const filtered = brNfForward(simulation, namespace, bridge, ingress, port, frame);
  if (!filtered) return;
  if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_forward", frame.id, filtered, { decision: { kind: "fdb", mac: frame.destination, port: port.name, how: "known" }, verdict: "continue", why: `${bridge.name} forwards the frame for ${frame.destination} out of ${port.name}` }));
  devQueueXmit(simulation, namespace, port, filtered);
}

/** br_flood(): to every forwarding port but the ingress one. */
export function brFlood(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, frame: EthernetFrame, ingress: NetDevice | undefined, why: string): void {
  const ports = bridgePorts(namespace, bridge).filter((port) => port.index !== ingress?.index && isPortForwarding(simulation.world, namespace, port));
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_flood", frame.id, frame, {
      decision: { kind: "fdb", mac: frame.destination, how: "flood" },
      verdict: ports.length > 0 ? "continue" : "drop",
      ...(ports.length > 0 ? {} : { dropReason: "BRIDGE_NO_PORT" as const }),
      why: `${why}: ${bridge.name} floods it to ${ports.length > 0 ? ports.map((port) => port.name).join(", ") : "no other forwarding port"}`,
    }));
  }
  for (const port of ports) {
    const filtered = brNfForward(simulation, namespace, bridge, ingress, port, frame);
    if (filtered) devQueueXmit(simulation, namespace, port, filtered);
  }
}
