// A frame nobody takes (dev.c: a frame for another host's MAC is dropped as
// PACKET_OTHERHOST): the sender addressed it by a neighbour entry whose
// link-layer address no device on the way owns. The cause names that entry.
import { formatIpv4Address } from "../model/address.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import { namespacePhrase } from "../render/trace.js";
import type { Cause } from "./types.js";

/** The neighbour entry that gave the dropped frame its destination MAC, as a cause; undefined when the trace shows none. */
export function diagnoseOtherhost(trace: Trace, index: number, world: World): Cause | undefined {
  const owned = new Set<string>();
  for (const namespace of world.namespaces.values()) for (const device of namespace.devices.values()) owned.add(device.mac);
  for (let position = index - 1; position >= 0; position--) {
    const step = trace.steps[position]!;
    const decision = step.decision;
    if (step.stage !== "neigh_resolve_output" || decision?.kind !== "neighbour" || decision.mac === undefined || owned.has(decision.mac)) continue;
    const frame = { destination: decision.mac };
    const address = formatIpv4Address(decision.address);
    return {
      kind: "no-answer",
      summary: `${namespacePhrase(step.namespace)} sends to ${address} at ${frame.destination} (its neighbour entry on ${step.device ?? "?"}), and no device that receives the frame has that address: every receiver drops it`,
      steps: [position, index],
      objects: [`neighbour ${address} lladdr ${frame.destination} on ${step.device ?? "?"}${step.namespace === "" ? "" : ` in ${step.namespace}`}`],
    };
  }
  return undefined;
}
