// A failing property should hand back something a person can run: the shrunk
// counterexample printed as a scenario (the commands that build the world,
// then the probes), with the seed and path that replay it.
import fc from "fast-check";
import type { World } from "../model/world.js";
import { flowCommand, formatFlowTuple, type Flow } from "./flow.js";
import { buildWorld, type Scenario } from "./scenario.js";

/** A world and the flows to send through it, one after another; printed, the bash that does both. */
export interface FlowScenario<W extends Scenario = Scenario> extends Scenario {
  readonly host: W;
  readonly flows: readonly Flow[];
  /** A fresh copy of the host's world. */
  world(): World;
}

export function flowScenario<W extends Scenario>(host: W, flows: readonly Flow[]): FlowScenario<W> {
  const probeLines = flows.flatMap((flow, index) => {
    const from = flow.from === "" ? "the host" : flow.from;
    const port = flow.protocol === "icmp" ? "" : `:${flow.port ?? 0}`;
    return [`# flow ${index + 1}: ${flow.protocol} from ${from}${flow.sourcePort !== undefined ? ` (${flow.protocol === "icmp" ? "id" : "port"} ${flow.sourcePort})` : ""} to ${flow.to}${port}`, flowCommand(flow)];
  });
  const lines = [...host.lines, ...probeLines];
  const text = `${lines.join("\n")}\n`;
  return { host, flows, lines, toString: () => text, [fc.toStringMethod]: () => `\n${text}`, world: () => ("world" in host && typeof host.world === "function" ? (host.world as () => World)() : buildWorld(host)) };
}

function describe(value: unknown): string {
  if (fc.hasToStringMethod(value)) return String(value).replace(/\n$/, "");
  return fc.stringify(value);
}

/**
 * A fast-check reporter (`fc.assert(property, { reporter: reportAsScenario })`):
 * on failure it throws an error whose message is the shrunk counterexample,
 * each value printed as a scenario where it is one, then the seed and path
 * that replay it and the property's own error.
 */
export function reportAsScenario<Ts>(details: fc.RunDetails<Ts>): void {
  if (!details.failed) return;
  if (details.counterexample === null) throw new Error(fc.defaultReportMessage(details) ?? "property failed");
  const values = Array.isArray(details.counterexample) ? (details.counterexample as unknown[]) : [details.counterexample];
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const message = [
    `Property failed after ${details.numRuns} run(s), shrunk ${details.numShrinks} time(s). Replay with { seed: ${details.seed}, path: "${details.counterexamplePath}" }.`,
    "Shrunk counterexample, as a scenario:",
    "",
    ...values.map(describe),
    "",
    `Failure: ${cause}`,
  ].join("\n");
  const error = new Error(message);
  if (details.errorInstance instanceof Error) error.cause = details.errorInstance;
  throw error;
}

export { formatFlowTuple };
