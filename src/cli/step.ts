// `netsim step FILE`: the scenario in a full-screen terminal UI, one command
// (and one probe hop) at a time; as text when stdout is not a terminal.
// `netsim shell`: the same simulator at an interactive prompt.
import { existsSync, readFileSync } from "node:fs";
import { createElement, type ReactElement } from "react";
import { render } from "ink";
import { App } from "../tui/components/App.js";
import { ShellApp } from "../tui/components/ShellApp.js";
import { ShellSession } from "../tui/shell-session.js";
import { textWalk } from "../tui/text-walk.js";
import { buildWalk, type Walk } from "../tui/walk.js";
import { problemLine } from "../render/report.js";
import { unknownOption, wantsHelp } from "./usage.js";

export const STEP_USAGE = `usage: netsim step [--text] SCENARIO

Walks through a scenario in a terminal UI: one command at a time, with its
file:line and output, the topology as it stands, and each probe hop by hop.

  keys: → / ← step forward and back, ↓ / ↑ move between commands, Enter
        expands a hop, PgDn / PgUp (space / b) page through a long output,
        t toggles the topology, ? shows the keys, q quits
  --text   print the walk as text (also when stdout is not a terminal)

exit status: 0 every expectation held, 1 one failed, 2 bad input
`;

export const SHELL_USAGE = `usage: netsim shell

An interactive prompt whose lines run in the simulator (ip, iptables, ping,
and the rest of the scenario language), the topology shown as it grows.
"nsenter --net=/var/run/netns/NS bash" enters a namespace, "exit" leaves it
(or ends the session at the top). Lines can be pasted; Ctrl-C cancels the
line, Ctrl-D on an empty line ends the session; ←/→, Home/End, Ctrl-A/E/U/K/W
and ↑/↓ history edit as in bash. When stdin is not a terminal, its lines are
run in turn and echoed with their output.
`;

const ENTER_ALTERNATE_SCREEN = "\u001B[?1049h";
const LEAVE_ALTERNATE_SCREEN = "\u001B[?1049l";

/** no-color.org: NO_COLOR set to anything but the empty string turns colour off. */
export function colourWanted(environment: NodeJS.ProcessEnv): boolean {
  return environment.NO_COLOR === undefined || environment.NO_COLOR === "";
}

function exitStatus(walk: Walk): number {
  if (walk.problems.length > 0) return 2;
  return walk.expectations.some((expectation) => !expectation.ok) ? 1 : 0;
}

export async function stepCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(STEP_USAGE);
    return 0;
  }
  const files = argv.filter((word) => !word.startsWith("-"));
  const options = argv.filter((word) => word.startsWith("-"));
  const unknown = options.find((option) => option !== "--text");
  if (unknown !== undefined) {
    process.stderr.write(`${unknownOption("netsim step", unknown, ["--text", "--help"])}\n`);
    return 2;
  }
  if (files.length !== 1) {
    process.stderr.write("netsim step: give one scenario file\n");
    return 2;
  }
  const file = files[0]!;
  if (!existsSync(file)) {
    process.stderr.write(`netsim step: ${file}: No such file or directory\n`);
    return 2;
  }
  const walk = await buildWalk(file);
  if (walk.steps.length === 0) {
    for (const problem of walk.problems) process.stderr.write(`${problemLine(problem)}\n`);
    process.stderr.write(`netsim step: ${file}: no networking command ran\n`);
    return 2;
  }
  const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true && !options.includes("--text");
  if (!interactive) {
    process.stdout.write(textWalk(walk));
    return exitStatus(walk);
  }
  const stdout = process.stdout;
  const size = () => ({ width: Math.max(40, stdout.columns ?? 80), height: Math.max(12, stdout.rows ?? 24) });
  const color = colourWanted(process.env);
  stdout.write(ENTER_ALTERNATE_SCREEN);
  try {
    await renderUntilExit(() => createElement(App, { walk, color, ...size() }));
  } finally {
    stdout.write(LEAVE_ALTERNATE_SCREEN);
  }
  for (const problem of walk.problems) process.stderr.write(`${problemLine(problem)}\n`);
  return exitStatus(walk);
}

/** Draws an Ink element, redrawn at each terminal resize, until it exits. */
async function renderUntilExit(element: () => ReactElement, exitOnCtrlC = true): Promise<void> {
  const instance = render(element(), { exitOnCtrlC, patchConsole: false });
  const onResize = () => instance.rerender(element());
  process.stdout.on("resize", onResize);
  try {
    await instance.waitUntilExit();
  } finally {
    process.stdout.off("resize", onResize);
  }
}

/** `netsim shell`: a prompt whose lines run in the simulator; lines from stdin, echoed with their output, when it is not a terminal. */
export async function shellCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(SHELL_USAGE);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`netsim shell: unexpected argument "${argv[0]}"\n`);
    return 2;
  }
  const session = new ShellSession();
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    let status = 0;
    const text = readFileSync(0, "utf8");
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    for (const line of lines) {
      const { entry, quit } = await session.run(line);
      process.stdout.write(`${entry.prompt}${line}\n${entry.output}`);
      status = entry.exitCode;
      if (quit) break;
    }
    return status;
  }
  const stdout = process.stdout;
  // Ctrl-C cancels the line, as in bash; Ctrl-D or exit ends the session.
  await renderUntilExit(() => createElement(ShellApp, { session, color: colourWanted(process.env), width: Math.max(40, stdout.columns ?? 80) }), false);
  return 0;
}
