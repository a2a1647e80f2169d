// A frame arriving on a bridge port (net/bridge/br_input.c: br_handle_frame,
// br_handle_frame_finish, br_pass_frame_up). br_handle_frame() runs the
// NF_BR_PRE_ROUTING hook (br_netfilter's PREROUTING, once per frame) before
// br_handle_frame_finish() learns the source and looks the destination up.
import { UnsupportedError } from "../../commands/command.js";
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

/**
 * A frame flooded this often is going round a loop (two ports of one bridge
 * joined by a veth pair, or two bridges joined twice): the kernel has no STP
 * on by default and floods it round for ever, a broadcast storm that only
 * ends when the loop is cut. No topology without a loop floods one frame this
 * many times. Only floods are counted (every storm starts with one, and a
 * unicast frame can only be sent into a loop after its destination was
 * learned there from a flood going round it), so the forwarding fast path
 * keeps no count.
 */
const BRIDGE_LOOP_PASSES = 256;

function countFlood(simulation: Simulation, bridge: NetDevice, port: NetDevice, frame: EthernetFrame): void {
  const passes = (simulation.bridgePasses ??= new Map()).get(frame.id) ?? 0;
  if (passes >= BRIDGE_LOOP_PASSES) {
    throw new UnsupportedError(
      bridge.name,
      `a bridging loop: one frame was flooded ${BRIDGE_LOOP_PASSES} times, the last time by ${bridge.name} from ${port.name}; without STP the kernel floods it round the loop for ever (a broadcast storm), which is not modelled`,
    );
  }
  simulation.bridgePasses.set(frame.id, passes + 1);
}

export function brHandleFrame(simulation: Simulation, namespace: NetworkNamespace, port: NetDevice, frame: EthernetFrame): void {
  const bridge = namespace.devices.get(port.masterIndex!)!;
  if (!isPortForwarding(simulation.world, namespace, port)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, { verdict: "drop", dropReason: "DEV_READY", reason: { code: "br-port-down", port: port.name, bridge: bridge.name, bridgeUp: bridge.adminUp } }));
    return;
  }
  if (brNfCallIptables(namespace, frame)) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, port.name, "br_handle_frame", frame.id, frame, { verdict: "continue", reason: { code: "br-nf-call-iptables", bridge: bridge.name, port: port.name } }));
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
    const reason = { code: "br-frame-enters", bridge: bridge.name, port: port.name, nfBridge, learned, mac: frame.source } as const;
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
        learned === "off" ? { verdict: "continue", reason } : { decision: { kind: "fdb", mac: frame.source, port: port.name, how: "learned" }, verdict: "continue", reason },
      ),
    );
  }

  if (isMulticastMac(frame.destination)) {
    countFlood(simulation, bridge, port, frame);
    brFlood(simulation, namespace, bridge, frame, port, "broadcast", nfBridge);
    brPassFrameUp(simulation, namespace, bridge, frame, nfBridge);
    return;
  }
  const entry = brFdbFind(bridge, frame.destination, now);
  if (entry?.local) {
    brPassFrameUp(simulation, namespace, bridge, frame, nfBridge);
    return;
  }
  if (!entry) {
    countFlood(simulation, bridge, port, frame);
    brFlood(simulation, namespace, bridge, frame, port, "unknown", nfBridge);
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
  if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_pass_frame_up", frame.id, frame, { verdict: "continue", reason: { code: "br-pass-up", bridge: bridge.name, promisc } }));
  // netif_receive_skb() on the bridge's own device: its taps see the frame.
  devTapFrame(simulation.world, namespace, bridge, frame, "in");
  netifReceiveHost(simulation, namespace, bridge, frame, nfBridge);
}
