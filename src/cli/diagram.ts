// `netsim diagram FILE`: the topology a scenario builds, drawn from the
// simulated state after a line (or at the end), optionally with a probe's
// path over it; or, with --stages, one picture per stage and an index.html.
import { unknownOption, wantsHelp } from "./usage.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diagramDot, type DiagramInput } from "../render/diagram/dot.js";
import { diagramMermaid } from "../render/diagram/mermaid.js";
import { diagramInput, expectationText, pictureBookHtml, stageFileName, stageInput } from "../render/diagram/picture-book.js";
import { mainLine, takeSnapshots } from "../render/diagram/scenario-stages.js";
import { renderSvg } from "../render/diagram/svg.js";

export const DIAGRAM_USAGE = `usage: netsim diagram FILE [--at LINE] [--probe LINE] [--format svg|dot|mermaid] [-o OUT]
       netsim diagram FILE --stages DIR

  draw the topology as it stands after line LINE of FILE (default: the end):
  namespaces, their devices with addresses and link state, veth pairs,
  bridges with their ports, the uplink
    --at LINE       the state after this line of FILE
    --probe LINE    draw the path of the probe (ping) on this line: hops
                    numbered, the drop point marked, NAT rewrites noted;
                    the state is then taken after that line unless --at says
    --format F      svg (default), dot or mermaid
    -o OUT          write to OUT instead of standard output
    --stages DIR    one SVG per stage (after each probe, at each
                    "# stage: TITLE" comment) and DIR/index.html showing them
                    in order with the scenario's lines between them
`;

type Format = "svg" | "dot" | "mermaid";

interface DiagramArguments {
  readonly file: string;
  readonly at?: number;
  readonly probe?: number;
  readonly format: Format;
  readonly output?: string;
  readonly stages?: string;
}

function parseLine(option: string, value: string | undefined): number | string {
  if (value === undefined) return `netsim diagram: ${option} needs a line number`;
  if (!/^[1-9]\d*$/.test(value)) return `netsim diagram: ${option}: "${value}" is not a line number`;
  return Number(value);
}

function parseArguments(argv: readonly string[]): DiagramArguments | string {
  const files: string[] = [];
  let at: number | undefined;
  let probe: number | undefined;
  let format: Format | undefined;
  let output: string | undefined;
  let stages: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--at" || word === "--probe") {
      const line = parseLine(word, argv[++index]);
      if (typeof line === "string") return line;
      if (word === "--at") at = line;
      else probe = line;
    } else if (word === "--format" || word === "-f") {
      const value = argv[++index];
      if (value !== "svg" && value !== "dot" && value !== "mermaid") return value === undefined ? `netsim diagram: ${word} needs svg, dot or mermaid` : `netsim diagram: unknown format "${value}" (svg, dot or mermaid)`;
      format = value;
    } else if (word === "-o" || word === "--output") {
      output = argv[++index];
      if (output === undefined) return `netsim diagram: ${word} needs a file name`;
    } else if (word === "--stages") {
      stages = argv[++index];
      if (stages === undefined) return "netsim diagram: --stages needs a directory";
    } else if (word.startsWith("-") && word !== "-") return unknownOption("netsim diagram", word, ["--at", "--probe", "--format", "--output", "--stages", "--help"]);
    else files.push(word);
  }
  if (files.length === 0) return "netsim diagram: no scenario given";
  if (files.length > 1) return `netsim diagram: one scenario at a time (got ${files.length})`;
  if (stages !== undefined) {
    if (at !== undefined || probe !== undefined || output !== undefined) return "netsim diagram: --stages draws every stage; it takes no --at, --probe or -o";
    if (format !== undefined && format !== "svg") return "netsim diagram: --stages writes SVG";
  }
  return { file: files[0]!, ...(at !== undefined ? { at } : {}), ...(probe !== undefined ? { probe } : {}), format: format ?? "svg", ...(output !== undefined ? { output } : {}), ...(stages !== undefined ? { stages } : {}) };
}

export async function renderDiagram(input: DiagramInput, format: Format): Promise<string> {
  if (format === "mermaid") return diagramMermaid(input);
  const dot = diagramDot(input);
  return format === "dot" ? dot : renderSvg(dot);
}

function fail(message: string, usage = false): number {
  process.stderr.write(`${message}\n${usage ? DIAGRAM_USAGE : ""}`);
  return 2;
}

export async function diagramCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(DIAGRAM_USAGE);
    return 0;
  }
  const parsed = parseArguments(argv);
  if (typeof parsed === "string") return fail(parsed, true);
  let snapshots: Awaited<ReturnType<typeof takeSnapshots>>;
  try {
    const atLine = parsed.at ?? parsed.probe;
    snapshots = await takeSnapshots(parsed.file, { ...(atLine !== undefined ? { atLine } : {}), stages: parsed.stages !== undefined });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") return fail(`netsim diagram: ${parsed.file}: ${code === "ENOENT" ? "No such file or directory" : code === "EISDIR" ? "Is a directory" : "Permission denied"}`);
    throw error;
  }
  const { run, text } = snapshots;
  if (run.problems.length > 0) return fail(run.problems.map((problem) => problem.message).join("\n"));
  const lineCount = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
  for (const [option, line] of [["--at", parsed.at], ["--probe", parsed.probe]] as const) {
    if (line !== undefined && line > lineCount) return fail(`netsim diagram: ${option} ${line}: ${run.file} has ${lineCount} lines`);
  }

  if (parsed.stages !== undefined) {
    mkdirSync(parsed.stages, { recursive: true });
    for (const stage of snapshots.stages) writeFileSync(join(parsed.stages, stageFileName(stage)), await renderDiagram(stageInput(stage, text, run.file), "svg"));
    writeFileSync(join(parsed.stages, "index.html"), pictureBookHtml(run.file, text, snapshots.stages));
    process.stdout.write(`${snapshots.stages.length} stages written to ${join(parsed.stages, "index.html")}\n`);
    return 0;
  }

  let trace;
  let probeCommand;
  if (parsed.probe !== undefined) {
    probeCommand = run.commands.find((record) => record.probe && mainLine(record) === parsed.probe);
    if (!probeCommand) return fail(`netsim diagram: --probe ${parsed.probe}: line ${parsed.probe} of ${run.file} ran no probe`);
    const traceIndex = probeCommand.probe?.traceIndex;
    trace = traceIndex === undefined ? undefined : run.traces[traceIndex];
    if (!trace) return fail(`netsim diagram: --probe ${parsed.probe}: the probe on line ${parsed.probe} left no trace`);
  }
  const line = parsed.at ?? parsed.probe;
  const title = `${run.file} — ${line === undefined ? "at the end" : `after line ${line}`}`;
  const subtitle = probeCommand?.probe ? [`${probeCommand.argv.join(" ")} → ${probeCommand.probe.outcome}`, expectationText(text, parsed.probe!)].filter(Boolean).join("; ") : undefined;
  const input = diagramInput(snapshots.at ?? run.world, { ...(trace ? { trace } : {}), title, ...(subtitle ? { subtitle } : {}) });
  const rendered = await renderDiagram(input, parsed.format);
  if (parsed.output !== undefined && parsed.output !== "-") writeFileSync(parsed.output, rendered);
  else process.stdout.write(rendered);
  return 0;
}
