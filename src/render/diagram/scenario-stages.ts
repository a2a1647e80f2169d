// The states a diagram draws, taken during one run of a scenario: the world
// is copied (cloneWorld) at the moment execution first reaches a line of the
// main file beyond the wanted line, i.e. after every command that line ran.
// Stages are the walkthrough's steps: one after each probe command, one at
// each `# stage: TITLE` comment, and one at the end when commands ran after
// the last of those.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cloneWorld, type World } from "../../model/world.js";
import type { Trace } from "../../model/trace.js";
import type { CommandRecord } from "../../scenario/result.js";
import { ScenarioSimulator, type CommandBoundary, type SimulatedRun } from "../../scenario/runner.js";

export interface DiagramStage {
  /** 1-based, in the order the run reached them. */
  readonly number: number;
  readonly kind: "probe" | "comment" | "end";
  /** The main-file line the state stands after (for a comment: the comment's own line). */
  readonly line: number;
  readonly title: string;
  readonly world: World;
  /** The probe command (kind "probe"), with its trace. */
  readonly probe?: { readonly record: CommandRecord; readonly trace?: Trace };
  /** The commands that ran since the previous stage. */
  readonly commands: readonly CommandRecord[];
}

export interface SnapshotRequest {
  /** Take the state after this main-file line (the end when beyond the last command). */
  readonly atLine?: number;
  /** Take every stage. */
  readonly stages?: boolean;
  /** Files to use instead of the disk (tests). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface SnapshotRun {
  readonly run: SimulatedRun;
  /** The main file's text. */
  readonly text: string;
  readonly at?: World;
  readonly stages: readonly DiagramStage[];
}

/** `# stage: TITLE` comments of a file, by line. */
export function stageComments(text: string): Map<number, string> {
  const comments = new Map<number, string>();
  text.split("\n").forEach((line, index) => {
    const match = /^\s*#\s*stage:\s*(.*?)\s*$/.exec(line);
    if (match) comments.set(index + 1, match[1] ?? "");
  });
  return comments;
}

/** The command's line in the main file: the outermost call site. */
export function mainLine(record: Pick<CommandRecord, "location" | "callers">): number {
  return (record.callers[record.callers.length - 1] ?? record.location).line;
}

function probeTitle(record: CommandRecord): string {
  const where = record.namespace === "" ? "" : ` (in ${record.namespace})`;
  return `${record.argv.join(" ")}${where}`;
}

export async function takeSnapshots(file: string, request: SnapshotRequest): Promise<SnapshotRun> {
  const text = request.files?.[resolve(file)] ?? request.files?.[file] ?? readFileSync(file, "utf8");
  const pendingComments = request.stages ? [...stageComments(text)].sort((a, b) => a[0] - b[0]) : [];
  const stages: Omit<DiagramStage, "number">[] = [];
  let seenCommands = 0;
  let stageStart = 0;
  let at: World | undefined;

  const commandsSince = (commands: readonly CommandRecord[]) => commands.slice(stageStart);
  // Probes that ran since the last look become stages, in the state they left.
  const takeProbes = (commands: readonly CommandRecord[], world: World, final: boolean) => {
    for (let index = seenCommands; index < commands.length; index++) {
      const record = commands[index]!;
      if (!request.stages || !record.probe) continue;
      stages.push({ kind: "probe", line: mainLine(record), title: probeTitle(record), world: final ? world : cloneWorld(world), probe: { record }, commands: commands.slice(stageStart, index + 1) });
      stageStart = index + 1;
    }
    seenCommands = commands.length;
  };
  const beforeCommand = (boundary: CommandBoundary) => {
    const line = boundary.stack[boundary.stack.length - 1]?.line;
    if (line === undefined) return;
    if (boundary.commands.length > seenCommands) takeProbes(boundary.commands, boundary.world, false);
    while (pendingComments.length > 0 && pendingComments[0]![0] < line) {
      const [commentLine, title] = pendingComments.shift()!;
      stages.push({ kind: "comment", line: commentLine, title, world: cloneWorld(boundary.world), commands: commandsSince(boundary.commands) });
      stageStart = boundary.commands.length;
    }
    if (request.atLine !== undefined && at === undefined && line > request.atLine) at = cloneWorld(boundary.world);
  };
  const simulator = new ScenarioSimulator({ tracing: true, beforeCommand, ...(request.files ? { files: request.files } : {}) });
  const run = await simulator.run(file);
  takeProbes(run.commands, run.world, true);
  for (const [commentLine, title] of pendingComments) {
    stages.push({ kind: "comment", line: commentLine, title, world: run.world, commands: commandsSince(run.commands) });
    stageStart = run.commands.length;
  }
  if (request.stages && (stages.length === 0 || stageStart < run.commands.length)) {
    const last = run.commands[run.commands.length - 1];
    stages.push({ kind: "end", line: last ? mainLine(last) : 0, title: "the end of the scenario", world: run.world, commands: commandsSince(run.commands) });
  }
  return { run, text, ...(request.atLine !== undefined ? { at: at ?? run.world } : {}), stages: stages.map((stage, index) => {
      const traceIndex = stage.probe?.record.probe?.traceIndex;
      const trace = traceIndex === undefined ? undefined : run.traces[traceIndex];
      return { ...stage, number: index + 1, ...(stage.probe && trace ? { probe: { ...stage.probe, trace } } : {}) };
    }),
  };
}
