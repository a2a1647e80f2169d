// The bridge as a sending device (net/bridge/br_device.c: br_dev_xmit).
import { isMulticastMac } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import { frameLength, netifReceiveHost } from "../core/dev.js";
import type { Simulation } from "../simulation.js";
import { brFdbFind } from "./br-fdb.js";
import { brFlood, brForward } from "./br-forward.js";
import { brHandleFrameFinish } from "./br-input.js";
import { bridgedDnatPhysIn, withoutNfBridge } from "./br-netfilter.js";

export function brDevXmit(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, frame: EthernetFrame): void {
  // br_netfilter's hook takes a bridged-DNAT frame back before the bridge counts it as sent (its nf_bridge state taken once).
  const physIn = bridgedDnatPhysIn(frame);
  if (physIn !== undefined) {
    frame = withoutNfBridge(frame);
    const ingress = namespace.devices.get(physIn);
    if (ingress !== undefined && ingress.masterIndex === bridge.index) {
      brHandleFrameFinish(simulation, namespace, bridge, ingress, frame, true);
      return;
    }
  }
  bridge.statistics.txPackets++;
  bridge.statistics.txBytes += frameLength(frame);
  if (isMulticastMac(frame.destination)) {
    brFlood(simulation, namespace, bridge, frame, undefined, "broadcast", false);
    return;
  }
  const entry = brFdbFind(bridge, frame.destination, simulation.world.clock);
  if (entry?.local) {
    netifReceiveHost(simulation, namespace, bridge, frame);
    return;
  }
  if (!entry) {
    brFlood(simulation, namespace, bridge, frame, undefined, "unknown", false);
    return;
  }
  const port = namespace.devices.get(entry.portIndex);
  if (port) brForward(simulation, namespace, bridge, port, frame, undefined, false);
}
