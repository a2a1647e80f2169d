// Runs a scenario text in the simulator, for tests.
import { ScenarioSimulator, type SimulatedRun, type SimulatorOptions } from "../../src/scenario/runner.js";
import type { CommandRecord } from "../../src/scenario/result.js";

export async function simulate(script: string, options: Omit<SimulatorOptions, "files"> & { files?: Record<string, string> } = {}): Promise<SimulatedRun> {
  const path = "/virtual/scenario.sh";
  return new ScenarioSimulator({ ...options, files: { [path]: script, ...(options.files ?? {}) } }).run(path);
}

/** The records of the commands written on a line of the main script. */
export function onLine(run: SimulatedRun, line: number): CommandRecord[] {
  return run.commands.filter((record) => [record.location, ...record.callers].some((location) => location.line === line && location.file.endsWith("scenario.sh")));
}

/** The record of the command with exactly this text (the last one, when a scenario repeats it). */
export function recordOf(run: SimulatedRun, command: string): CommandRecord {
  const found = run.commands.filter((record) => record.argv.join(" ") === command);
  const record = found[found.length - 1];
  if (!record) throw new Error(`no command "${command}" ran; ran: ${run.commands.map((r) => r.argv.join(" ")).join(" | ")}`);
  return record;
}

/** Two namespaces joined by a veth pair with one /24 between them. */
export const TWO_HOSTS = `
ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a addr add 10.0.0.1/24 dev va
ip -n b addr add 10.0.0.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
ip -n a link set lo up
ip -n b link set lo up
`;
