// `netsim explain`: for each probe, the verdict, the decisive steps of its
// trace, the configuration line behind them, and a fix that was checked by
// running the scenario again with the fix in front of the probe. A fix that
// does not make the probe succeed is not offered; what it changed is told.
import { resolve } from "node:path";
import { formatIpv4Address, networkAddress, prefixContains } from "../model/address.js";
import type { Trace } from "../model/trace.js";
import { cloneWorld, type World } from "../model/world.js";
import { namespacePhrase } from "../render/trace.js";
import type { CommandRecord, ProbeOutcome } from "../scenario/result.js";
import { collectFiles, displayPath, ScenarioSimulator, type SimulatedRun } from "../scenario/runner.js";
import { describeSuccess, diagnoseFailure, namespaceNamed } from "./diagnose.js";
import { bluntPolicyFix, bridgeWithoutAddressTowards, proposeFix } from "./fixes.js";
import { earlierFailures } from "./failed-commands.js";
import { diagnosePortForward } from "./port-forward.js";
import type { Cause, Explanation, Fix } from "./types.js";

export interface ExplainOptions {
  /** Only the probe on this line of the main file. */
  readonly line?: number;
  /** Explain successes too. */
  readonly all?: boolean;
  /** Scenario files instead of the disk (tests). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface ScenarioExplanation {
  readonly run: SimulatedRun;
  readonly explanations: readonly Explanation[];
}

const SUCCESS: readonly ProbeOutcome[] = ["reply", "connected"];
const MAX_FIX_ROUNDS = 3;

interface ProbeRun {
  readonly run: SimulatedRun;
  /** The world right after each probe, by record. */
  readonly worlds: Map<CommandRecord, World>;
}

async function runTraced(mainPath: string, files: Readonly<Record<string, string>>): Promise<ProbeRun> {
  const worlds = new Map<CommandRecord, World>();
  const simulator = new ScenarioSimulator({
    tracing: true,
    files,
    onCommand: (record, world) => {
      if (record.probe) worlds.set(record, cloneWorld(world));
    },
  });
  return { run: await simulator.run(mainPath), worlds };
}

/** The line in the main file a command was run from: its outermost frame there. */
export function mainFileLine(run: SimulatedRun, record: CommandRecord): number | undefined {
  const frames = [record.location, ...record.callers].filter((frame) => frame.file === run.file);
  return frames[frames.length - 1]?.line;
}

function outcomeWords(outcome: ProbeOutcome): string {
  switch (outcome) {
    case "reply":
      return "got a reply";
    case "no-reply":
      return "got no reply";
    case "unreachable":
      return "could not be sent";
    case "connected":
      return "connected";
    case "refused":
      return "was refused";
    case "timeout":
      return "timed out";
  }
}

/**
 * A cause that a finer look at the world refines: a missing route that is
 * missing because the link carrying its subnet is down (the kernel removed
 * it), or a bridge that only lacks an address.
 */
function refine(cause: Cause, trace: Trace, world: World): Cause {
  if (cause.kind === "no-listener") return diagnosePortForward(cause, trace, world)?.cause ?? cause;
  if (!["router-no-route", "no-route", "no-answer"].includes(cause.kind)) return cause;
  const decisive = cause.steps.length > 0 ? trace.steps[cause.steps[cause.steps.length - 1]!] : undefined;
  const wanted = decisive?.packet?.destination ?? (decisive?.decision?.kind === "no-route" ? decisive.decision.destination : undefined);
  const routerNamespace = decisive ? namespaceNamed(world, decisive.namespace) : undefined;
  if (routerNamespace && wanted !== undefined) {
    for (const device of routerNamespace.devices.values()) {
      if (device.adminUp) continue;
      const covering = device.addresses.find((address) => prefixContains({ address: networkAddress(address.address, address.prefixLength), length: address.prefixLength }, wanted));
      if (!covering) continue;
      return {
        kind: "link-down",
        summary: `${device.name} in ${namespacePhrase(routerNamespace.name)} is down, and with it went the route to ${formatIpv4Address(networkAddress(covering.address, covering.prefixLength))}/${covering.prefixLength}, so ${namespacePhrase(routerNamespace.name)} has no route to ${formatIpv4Address(wanted)}`,
        steps: cause.steps,
        objects: [`link ${device.name}`],
        device: { namespace: routerNamespace.name, name: device.name },
      };
    }
  }
  const origin = namespaceNamed(world, trace.namespace);
  const destination = trace.steps.find((step) => step.packet)?.packet?.destination ?? (trace.steps[0]?.decision?.kind === "no-route" ? trace.steps[0].decision.destination : undefined);
  if (!origin || destination === undefined) return cause;
  const found = bridgeWithoutAddressTowards(world, origin, destination);
  if (!found) return cause;
  return {
    kind: "missing-bridge-address",
    summary: `${found.bridge.name} in ${namespacePhrase(origin.name)} has a port leading to the owner of the destination, but no address in its subnet, so ${namespacePhrase(origin.name)} has no route there and ${cause.kind === "router-no-route" ? "sends it to its default gateway instead" : "cannot send it"}`,
    steps: cause.steps,
    objects: [`bridge ${found.bridge.name}`, ...cause.objects],
    ...(cause.origin ? { origin: cause.origin } : {}),
  };
}

/** Where a probe stands: its own file and line, and which of the probes run from there it was. */
interface ProbeSite {
  readonly path: string;
  readonly display: string;
  readonly line: number;
  readonly occurrence: number;
}

function probeSite(run: SimulatedRun, record: CommandRecord, files: Readonly<Record<string, string>>): ProbeSite | undefined {
  const { file, line } = record.location;
  const path = Object.keys(files).find((candidate) => displayPath(candidate) === file);
  if (!path) return undefined;
  const before = run.commands.slice(0, run.commands.indexOf(record));
  const occurrence = before.filter((other) => other.probe && other.location.file === file && other.location.line === line).length;
  return { path, display: file, line, occurrence };
}

interface Rerun {
  readonly outcome: ProbeOutcome | "missing";
  readonly problem?: string;
  readonly trace?: Trace;
  readonly world?: World;
}

/** Runs the scenario again with `commands` inserted just before the probe's line, in the probe's own file. */
async function rerunWithFix(mainPath: string, files: Readonly<Record<string, string>>, site: ProbeSite, commands: readonly string[]): Promise<Rerun> {
  const lines = (files[site.path] ?? "").split("\n");
  const edited = [...lines.slice(0, site.line - 1), ...commands, ...lines.slice(site.line - 1)].join("\n");
  const probeRun = await runTraced(mainPath, { ...files, [site.path]: edited });
  if (probeRun.run.problems.length > 0) return { outcome: "missing", problem: probeRun.run.problems[0]!.message };
  const shifted = site.line + commands.length;
  const target = probeRun.run.commands.filter((record) => record.probe && record.location.file === site.display && record.location.line === shifted)[site.occurrence];
  if (!target?.probe) return { outcome: "missing" };
  const trace = target.probe.traceIndex === undefined ? undefined : probeRun.run.traces[target.probe.traceIndex];
  const world = probeRun.worlds.get(target);
  return { outcome: target.probe.outcome, ...(trace ? { trace } : {}), ...(world ? { world } : {}) };
}

export async function explainScenario(file: string, options: ExplainOptions = {}): Promise<ScenarioExplanation> {
  const mainPath = resolve(file);
  const files = options.files ? Object.fromEntries(Object.entries(options.files).map(([path, text]) => [resolve(path), text])) : Object.fromEntries(collectFiles(mainPath));
  const { run, worlds } = await runTraced(mainPath, files);
  const explanations: Explanation[] = [];
  for (const record of run.commands) {
    if (!record.probe) continue;
    const line = mainFileLine(run, record);
    if (options.line !== undefined && line !== options.line) continue;
    const succeeded = SUCCESS.includes(record.probe.outcome);
    if (succeeded && !options.all) continue;
    const trace = record.probe.traceIndex === undefined ? undefined : run.traces[record.probe.traceIndex];
    const world = worlds.get(record);
    if (!trace || !world) continue;
    explanations.push(await explainProbe(run, record, trace, world, line, mainPath, files, succeeded));
  }
  return { run, explanations };
}

async function explainProbe(
  run: SimulatedRun,
  record: CommandRecord,
  trace: Trace,
  world: World,
  line: number | undefined,
  mainPath: string,
  files: Readonly<Record<string, string>>,
  succeeded: boolean,
): Promise<Explanation> {
  const outcome = record.probe!.outcome;
  const command = record.argv.join(" ");
  const cause = succeeded ? describeSuccess(trace, world) : refine(diagnoseFailure(trace, world), trace, world);
  const subject = `${command} (in ${namespacePhrase(record.namespace)})`;
  const failures = succeeded ? [] : earlierFailures(run, record, trace, cause, world);
  const triedFixes: Fix[] = [];
  let fix: Fix | undefined;
  let alternative: Fix | undefined;
  const site = probeSite(run, record, files);
  // The failed command, spelt right, is the first fix to try.
  const corrected = failures.flatMap((failure) => (failure.corrected !== undefined ? [failure.corrected] : []));
  if (!succeeded && site && corrected.length > 0) {
    const rerun = await rerunWithFix(mainPath, files, site, corrected);
    const check = { outcome: rerun.outcome, succeeded: rerun.outcome !== "missing" && SUCCESS.includes(rerun.outcome), ...(rerun.problem ? { problem: rerun.problem } : {}) };
    if (check.succeeded) fix = { commands: corrected, check };
  }
  if (!succeeded && site && !fix) {
    let commands: string[] = [];
    let currentCause = cause;
    let currentTrace = trace;
    let currentWorld = world;
    let bluntCommands: string[] | undefined;
    for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
      const blunt = bluntPolicyFix(currentCause, currentTrace);
      if (blunt !== undefined && bluntCommands === undefined) bluntCommands = [...commands, blunt];
      const proposal = proposeFix(currentCause, currentTrace, currentWorld);
      if (!proposal || proposal.every((candidate) => commands.includes(candidate))) break;
      commands = [...commands, ...proposal.filter((candidate) => !commands.includes(candidate))];
      const rerun = await rerunWithFix(mainPath, files, site, commands);
      const check = { outcome: rerun.outcome, succeeded: rerun.outcome !== "missing" && SUCCESS.includes(rerun.outcome), ...(rerun.problem ? { problem: rerun.problem } : {}) };
      if (check.succeeded) {
        fix = { commands, check };
        break;
      }
      triedFixes.push({ commands, check });
      if (!rerun.trace || !rerun.world) break;
      currentTrace = rerun.trace;
      currentWorld = rerun.world;
      currentCause = refine(diagnoseFailure(currentTrace, currentWorld), currentTrace, currentWorld);
    }
    if (bluntCommands !== undefined && fix !== undefined) {
      const rerun = await rerunWithFix(mainPath, files, site, bluntCommands);
      if (rerun.outcome !== "missing" && SUCCESS.includes(rerun.outcome)) {
        const chain = /-P (\S+) ACCEPT$/.exec(bluntCommands.at(-1)!)?.[1] ?? "the chain";
        alternative = { commands: bluntCommands, check: { outcome: rerun.outcome, succeeded: true }, caveat: `blunt: it accepts everything the ${chain} chain's rules do not drop, not just this traffic` };
      }
    }
  }
  return {
    probe: { location: record.location, callers: record.callers, command, namespace: record.namespace, outcome, ...(record.probe!.traceIndex !== undefined ? { traceIndex: record.probe!.traceIndex } : {}) },
    verdict: `${subject} ${outcomeWords(outcome)}: ${failures.map((failure) => `${failure.sentence}; `).join("")}${cause.summary}.`,
    causes: [cause],
    earlierFailures: failures,
    ...(fix ? { fix } : {}),
    ...(alternative ? { alternative } : {}),
    triedFixes: fix ? [] : triedFixes,
  };
}
