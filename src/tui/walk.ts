// A scenario as a list of steps for `netsim step`: one full run in the
// simulator, with the world snapshotted after every networking command, so the
// UI can step forward and back through real earlier states without re-running.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cloneWorld, type World } from "../model/world.js";
import type { Trace } from "../model/trace.js";
import { createWorld } from "../net/index.js";
import { ScenarioSimulator, type ScenarioProblem, type SimulatorOptions } from "../scenario/runner.js";
import type { CommandRecord, ExpectationResult, SourceLocation } from "../scenario/result.js";

export interface WalkStep {
  /** 0-based position in the walk. */
  readonly index: number;
  readonly record: CommandRecord;
  /** The command as the scenario spells it (its source line, without the comment). */
  readonly text: string;
  /** The probe's trace, when the command sent one. */
  readonly trace?: Trace;
  /** The world as this command left it (a private copy). */
  readonly world: World;
  /** The `# expect:` this command answers, if any. */
  readonly expectation?: ExpectationResult;
}

export interface Walk {
  readonly file: string;
  readonly steps: readonly WalkStep[];
  /** The world before the first command. */
  readonly initialWorld: World;
  readonly problems: readonly ScenarioProblem[];
  readonly expectations: readonly ExpectationResult[];
  readonly exitCode: number;
}

/** The source line without its trailing `# ...` comment (a `#` after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quote) {
      if (character === quote) quote = undefined;
    } else if (character === "'" || character === '"') quote = character;
    else if (character === "#" && (index === 0 || /\s/.test(line[index - 1]!))) return line.slice(0, index).trimEnd();
  }
  return line.trimEnd();
}

function commandText(record: CommandRecord, sourceLine: string | undefined): string {
  const fromSource = sourceLine === undefined ? "" : stripComment(sourceLine).trim();
  // A line with variables, or that is not this command (a function call), shows what really ran.
  if (fromSource !== "" && !fromSource.includes("$") && fromSource.includes(record.argv[0] ?? "")) return fromSource;
  const prefix = record.namespace === "" ? "" : `ip netns exec ${record.namespace} `;
  return `${prefix}${record.argv.join(" ")}`;
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line;
}

export interface WalkOptions {
  /** Files to use instead of the disk, by absolute path (tests). */
  readonly files?: Readonly<Record<string, string>>;
}

export async function buildWalk(file: string, options: WalkOptions = {}): Promise<Walk> {
  const captured: Array<{ record: CommandRecord; world: World; trace?: Trace }> = [];
  const world = createWorld();
  const initialWorld = cloneWorld(world);
  const simulatorOptions: SimulatorOptions = {
    tracing: true,
    world,
    ...(options.files ? { files: options.files } : {}),
    onCommand: (record, current, trace) => captured.push({ record, world: cloneWorld(current), ...(trace ? { trace } : {}) }),
  };
  const run = await new ScenarioSimulator(simulatorOptions).run(file);
  const sources = new Map<string, string[] | undefined>();
  const sourceLine = (location: SourceLocation): string | undefined => {
    if (!sources.has(location.file)) {
      const absolute = resolve(location.file);
      const text = options.files ? Object.entries(options.files).find(([path]) => resolve(path) === absolute)?.[1] : readable(absolute);
      sources.set(location.file, text?.split("\n"));
    }
    return sources.get(location.file)?.[location.line - 1];
  };
  const steps = captured.map(({ record, world: snapshot, trace }, index): WalkStep => {
    const expectation = run.expectations.find((result) => [record.location, ...record.callers].some((location) => sameLocation(location, result.location)));
    return {
      index,
      record,
      text: commandText(record, sourceLine(record.location)),
      world: snapshot,
      ...(trace ? { trace } : {}),
      ...(expectation ? { expectation } : {}),
    };
  });
  return { file: run.file, steps, initialWorld, problems: run.problems, expectations: run.expectations, exitCode: run.exitCode };
}

function readable(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
