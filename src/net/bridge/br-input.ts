// A frame arriving on a bridge port (net/bridge/br_input.c: br_handle_frame,
// br_handle_frame_finish, br_pass_frame_up). br_handle_frame() runs the
// NF_BR_PRE_ROUTING hook (br_netfilter's PREROUTING, once per frame) before
// br_handle_frame_finish() learns the source and looks the destination up.
import { isMulticastMac } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import { isPortForwarding } from "../core/link-state.js";
import { devTapFrame, netifReceiveHost } from "../core/dev.js";
import { frameStep, recordStep, type Simulation } from "../simulation.js";
import { brFdbFind, brFdbUpdate } from "./br-fdb.js";
import { brFlood, brForward, portFlags } from "./br-forward.js";
import { brNfCallIptables, brNfPreRouting } from "./br-netfilter.js";

export function brHandleFrame(simulation: Simulation, namespace: NetworkNamespace, port: NetDevice, frame: EthernetFrame): void {
  const bridge = namespace.devices.get(port.masterIndex!)!;
  if (!isPortForwarding(simulation.world, namespace, port)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, { verdict: "drop", dropReason: "DEV_READY", why: `port ${port.name} of ${bridge.name} is not forwarding (${bridge.adminUp ? "the port is down" : `${bridge.name} is down`})` }));
    return;
  }
  if (brNfCallIptables(namespace, frame)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, { verdict: "continue", why: `frame enters ${bridge.name} on port ${port.name}; br_netfilter runs PREROUTING first (bridge-nf-call-iptables=1)` }));
    brNfPreRouting(simulation, namespace, bridge, port, frame, brHandleFrameFinish);
    return;
  }
  brHandleFrameFinish(simulation, namespace, bridge, port, frame, false);
}

/** br_handle_frame_finish(): learn the source, then deliver up, flood or forward. `nfBridge`: PREROUTING already ran. */
export function brHandleFrameFinish(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, nfBridge: boolean): void {
  const now = simulation.world.clock;
  const learned = portFlags(port).learning ? brFdbUpdate(bridge, frame.source, port, now) : "off";
  if (simulation.steps !== null) {
    const learning = learned === "off" ? `; learning is off on ${port.name}` : learned === "local" ? "" : `; ${bridge.name} ${learned === "learned" ? "learns" : "refreshes"} ${frame.source} on ${port.name}`;
    const why = `frame ${nfBridge ? "is bridged by" : "enters"} ${bridge.name} on port ${port.name}${learning}`;
    // One literal per shape (a spread into the literal is V8's slow copy, on every traced frame).
    recordStep(
      simulation,
      frameStep(
        simulation,
        namespace,
        port.name,
        nfBridge ? "br_handle_frame_finish" : "br_handle_frame",
        frame.id,
        frame,
        learned === "off" ? { verdict: "continue", why } : { decision: { kind: "fdb", mac: frame.source, port: port.name, how: "learned" }, verdict: "continue", why },
      ),
    );
  }

  if (isMulticastMac(frame.destination)) {
    brFlood(simulation, namespace, bridge, frame, port, `${frame.destination} is broadcast`, nfBridge);
    brPassFrameUp(simulation, namespace, bridge, frame, nfBridge);
    return;
  }
  const entry = brFdbFind(bridge, frame.destination, now);
  if (entry?.local) {
    brPassFrameUp(simulation, namespace, bridge, frame, nfBridge);
    return;
  }
  if (!entry) {
    brFlood(simulation, namespace, bridge, frame, port, `${frame.destination} is not in ${bridge.name}'s forwarding database`, nfBridge);
  } else {
    const egress = namespace.devices.get(entry.portIndex);
    if (egress) brForward(simulation, namespace, bridge, egress, frame, port, nfBridge);
  }
  // local_rcv: a promiscuous bridge (ip link set promisc on, or a packet socket such as tcpdump's) passes every frame up too; its stack drops what is not for it.
  if (bridge.promisc === true || (bridge.promiscuity ?? 0) > 0) brPassFrameUp(simulation, namespace, bridge, frame, nfBridge, true);
}

/** br_pass_frame_up(): the bridge's own interface receives the frame, as the host's. */
function brPassFrameUp(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, frame: EthernetFrame, nfBridge: boolean, promisc = false): void {
  if (!bridge.adminUp) return;
  if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_pass_frame_up", frame.id, frame, { verdict: "continue", why: promisc ? `${bridge.name} is promiscuous: a copy goes up to the host's stack` : `the frame is for ${bridge.name} itself: up to the host's stack` }));
  // netif_receive_skb() on the bridge's own device: its taps see the frame.
  devTapFrame(simulation.world, namespace, bridge, frame, "in");
  netifReceiveHost(simulation, namespace, bridge, frame, nfBridge);
}
