// A frame arriving on a bridge port (net/bridge/br_input.c: br_handle_frame,
// br_handle_frame_finish, br_pass_frame_up).
import { isMulticastMac } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import { isPortForwarding } from "../core/link-state.js";
import { netifReceiveHost } from "../core/dev.js";
import { frameStep, recordStep, type Simulation } from "../simulation.js";
import { brFdbFind, brFdbUpdate } from "./br-fdb.js";
import { brFlood, brForward } from "./br-forward.js";

export function brHandleFrame(simulation: Simulation, namespace: NetworkNamespace, port: NetDevice, frame: EthernetFrame): void {
  const bridge = namespace.devices.get(port.masterIndex!)!;
  if (!isPortForwarding(simulation.world, namespace, port)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, { verdict: "drop", dropReason: "DEV_READY", why: `port ${port.name} of ${bridge.name} is not forwarding (${bridge.adminUp ? "the port is down" : `${bridge.name} is down`})` }));
    return;
  }
  const now = simulation.world.clock;
  const learned = brFdbUpdate(bridge, frame.source, port, now);
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, {
      decision: { kind: "fdb", mac: frame.source, port: port.name, how: "learned" },
      verdict: "continue",
      why: learned === "local" ? `frame enters ${bridge.name} on port ${port.name}` : `frame enters ${bridge.name} on port ${port.name}; ${bridge.name} ${learned === "learned" ? "learns" : "refreshes"} ${frame.source} on ${port.name}`,
    }));
  }

  if (isMulticastMac(frame.destination)) {
    brFlood(simulation, namespace, bridge, frame, port, `${frame.destination} is broadcast`);
    brPassFrameUp(simulation, namespace, bridge, frame);
    return;
  }
  const entry = brFdbFind(bridge, frame.destination, now);
  if (entry?.local) {
    brPassFrameUp(simulation, namespace, bridge, frame);
    return;
  }
  if (!entry) {
    brFlood(simulation, namespace, bridge, frame, port, `${frame.destination} is not in ${bridge.name}'s forwarding database`);
    return;
  }
  const egress = namespace.devices.get(entry.portIndex);
  if (egress) brForward(simulation, namespace, bridge, egress, frame, port);
}

/** br_pass_frame_up(): the bridge's own interface receives the frame, as the host's. */
function brPassFrameUp(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, frame: EthernetFrame): void {
  if (!bridge.adminUp) return;
  if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_pass_frame_up", frame.id, frame, { verdict: "continue", why: `the frame is for ${bridge.name} itself: up to the host's stack` }));
  netifReceiveHost(simulation, namespace, bridge, frame);
}
