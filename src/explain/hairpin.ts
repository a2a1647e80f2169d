// The bridge's hairpin rule as a cause (net/bridge/br_forward.c
// should_deliver()): a frame whose destination lives behind the port it came
// in on is not sent back out of that port while the port's hairpin mode is
// off. The classic case is a container reaching its own published port (or
// a pod its own Service): br_netfilter's bridged DNAT turns the frame around
// towards the sender's own port.
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import { namespacePhrase } from "../render/trace.js";
import { namespaceNamed } from "./diagnose.js";
import type { Cause } from "./types.js";

/** The last frame the bridge refused to send back out of its ingress port, as a cause; undefined when none did. */
export function diagnoseHairpin(trace: Trace, world: World): Cause | undefined {
  const steps = trace.steps;
  for (let index = steps.length - 1; index >= 0; index--) {
    const step = steps[index]!;
    if (step.stage !== "br_forward" || step.verdict !== "drop" || step.dropReason !== "BRIDGE_NO_PORT" || step.decision?.kind !== "fdb" || step.decision.port === undefined) continue;
    const portName = step.decision.port;
    // The port the same frame entered the bridge on: the last br_handle_frame(_finish) step of that frame before the drop.
    let ingress: string | undefined;
    for (let before = index - 1; before >= 0 && ingress === undefined; before--) {
      const earlier = steps[before]!;
      if (earlier.frameId === step.frameId && earlier.namespace === step.namespace && (earlier.stage === "br_handle_frame" || earlier.stage === "br_handle_frame_finish")) ingress = earlier.device;
    }
    if (ingress !== portName) continue;
    const namespace = namespaceNamed(world, step.namespace);
    const port = namespace ? [...namespace.devices.values()].find((device) => device.name === portName) : undefined;
    if (!namespace || !port || port.masterIndex === undefined || port.brport?.hairpin) continue;
    const bridge = namespace.devices.get(port.masterIndex);
    const bridged = steps.slice(0, index).some((earlier) => earlier.stage === "br_nf_pre_routing_finish" && earlier.namespace === step.namespace);
    return {
      kind: "hairpin-off",
      summary: `${bridge?.name ?? "the bridge"} in ${namespacePhrase(step.namespace)} would have to send the frame back out of port ${portName}, the port it came in on${bridged ? " (PREROUTING's DNAT turned it back towards the sender: br_netfilter bridges it again)" : ""}, and ${portName}'s hairpin mode is off`,
      steps: [index],
      objects: [`bridge port ${portName} (hairpin off)`],
      device: { namespace: namespace.name, name: portName },
    };
  }
  return undefined;
}
