// An earlier command that failed, as the cause of a later probe's failure:
// `ip link set veth1 master bro0` fails (no such device), so veth1 never
// becomes a port of br0 and the ping behind it goes unanswered. The link is
// made by name: the failed command names (or misspells) a device or
// namespace the probe's trace or cause names.
import { nearest } from "../model/nearest.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import type { CommandRecord } from "../scenario/result.js";
import type { SimulatedRun } from "../scenario/runner.js";
import type { Cause, EarlierFailure } from "./types.js";

/** Every device and namespace name in the world. */
function names(world: World): string[] {
  const all = new Set<string>();
  for (const namespace of world.namespaces.values()) {
    if (namespace.name !== "") all.add(namespace.name);
    for (const device of namespace.devices.values()) all.add(device.name);
  }
  return [...all];
}

/** The quoted word of an error (`Cannot find device "bro0"`, `argument "bro0" is wrong`), the name the tool could not find. */
function missingName(error: string): string | undefined {
  return /"([^"]+)"/.exec(error)?.[1];
}

/** What the command would have done, in words, with `fixed` standing for the name it misspelled. */
function consequence(argv: readonly string[], wrong: string | undefined, right: string | undefined): string {
  const words = argv.map((word) => (word === wrong && right !== undefined ? right : word));
  const [tool, object, verb] = words;
  const after = (keyword: string) => {
    const index = words.indexOf(keyword);
    return index === -1 ? undefined : words[index + 1];
  };
  if (tool === "ip" && (object === "link" || object === "l") && (verb === "set" || verb === "s")) {
    const device = after("dev") ?? words[3];
    if (after("master")) return `${device} was never made a port of ${after("master")}`;
    if (words.includes("up")) return `${device} was never brought up`;
    if (after("netns")) return `${device} never moved to ${after("netns")}`;
  }
  if (tool === "ip" && (object === "addr" || object === "address" || object === "a") && verb === "add") return `${after("dev") ?? "the device"} never got ${words[3]}`;
  if (tool === "ip" && (object === "route" || object === "r") && verb === "add") return `the route ${words.slice(3).join(" ")} was never added`;
  return "it changed nothing";
}

/**
 * The failed commands before `probe` that its failure traces back to: the
 * command names a device or namespace the trace or cause names, or misspells
 * one (its missing name's nearest existing name is one of them).
 */
export function earlierFailures(run: SimulatedRun, probe: CommandRecord, trace: Trace, cause: Cause, world: World): EarlierFailure[] {
  const seen = new Set<string>();
  for (const step of trace.steps) {
    if (step.device) seen.add(step.device);
    if (step.namespace) seen.add(step.namespace);
  }
  const causeText = `${cause.summary} ${cause.objects.join(" ")}`;
  const relevant = (name: string) => seen.has(name) || new RegExp(`(^|[^\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`).test(causeText);
  const existing = names(world);
  const found: EarlierFailure[] = [];
  for (const record of run.commands.slice(0, run.commands.indexOf(probe))) {
    if (record.exitCode === 0 || record.probe || record.stderr === "") continue;
    const expected = run.expectations.some((expectation) => expectation.expected === "error" && [record.location, ...record.callers].some((frame) => frame.file === expectation.location.file && frame.line === expectation.location.line));
    if (expected) continue;
    const error = record.stderr.trimEnd().split("\n")[0]!;
    const wrong = missingName(error);
    const right = wrong !== undefined && !existing.includes(wrong) ? nearest(wrong, existing) : undefined;
    const words = record.argv.map((word) => (word === wrong && right !== undefined ? right : word));
    if (!words.some(relevant)) continue;
    const corrected = right !== undefined ? words.join(" ") : undefined;
    found.push({
      location: record.location,
      callers: record.callers,
      command: record.argv.join(" "),
      error,
      sentence: `${record.location.file === run.file ? "line " : `${record.location.file}:`}${record.location.line} failed${right !== undefined ? `: ${wrong} does not exist (did you mean ${right}?)` : ` (${error})`}, so ${consequence(record.argv, wrong, right)}`,
      ...(corrected !== undefined ? { corrected: record.namespace === "" ? corrected : `ip netns exec ${record.namespace} ${corrected}` } : {}),
    });
  }
  return found;
}
