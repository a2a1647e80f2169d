// What a scenario's parsed text calls, found before it runs, so that every
// command netsim cannot run is listed in one run (the run itself still stops
// at the first): literal command names, with `ip netns exec NS CMD` looked
// through, and the functions the text defines.

/** A command named by literal text where it stands. */
export interface NamedCommand {
  readonly name: string;
  readonly line: number;
}

import { COMPOUND_JOB_MESSAGE } from "./jobs.js";
import { BACKGROUND_COMPOUND } from "./transform.js";
import { signalName, UNSUPPORTED_SIGNALS } from "./trap.js";

type Node = { type?: string; [key: string]: unknown };

function literal(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type: string; value?: string }> } | null)?.parts;
  if (!parts || parts.length !== 1 || parts[0]!.type !== "Literal") return undefined;
  return parts[0]!.value;
}

function visit(node: unknown, action: (node: Node) => void): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const child of node) visit(child, action);
    return;
  }
  action(node as Node);
  for (const key in node as Record<string, unknown>) visit((node as Record<string, unknown>)[key], action);
}

/** A form netsim refuses where it runs, found where it stands in the text. */
export interface RefusedForm {
  readonly word: string;
  readonly line: number;
  readonly detail: string;
}

/** The literal command names a parsed (and transformed) script calls, the functions it defines, and the trap and & forms netsim refuses. */
export function scanScript(ast: object): { readonly commands: readonly NamedCommand[]; readonly functions: ReadonlySet<string>; readonly refused: readonly RefusedForm[] } {
  const commands: NamedCommand[] = [];
  const functions = new Set<string>();
  const refused: RefusedForm[] = [];
  visit(ast, (node) => {
    if (node.type === "FunctionDef" && typeof node.name === "string") functions.add(node.name);
    if (node.type !== "SimpleCommand" || typeof node.line !== "number") return;
    const assignments = (node.assignments as Array<{ name?: string }> | undefined) ?? [];
    if (assignments.some((assignment) => assignment.name === BACKGROUND_COMPOUND) && !refused.some((form) => form.word === "&" && form.line === node.line)) refused.push({ word: "&", line: node.line, detail: COMPOUND_JOB_MESSAGE });
    const name = literal(node.name);
    if (name === undefined) return;
    commands.push({ name, line: node.line });
    const args = ((node.args as unknown[] | undefined) ?? []).map(literal);
    // trap ACTION SIG...: a RETURN or DEBUG trap is refused when it is set.
    if (name === "trap" && args.length >= 2 && !(args[0] ?? "").startsWith("-")) {
      for (const operand of args.slice(1)) {
        const signal = operand === undefined ? undefined : signalName(operand);
        const detail = signal === undefined ? undefined : UNSUPPORTED_SIGNALS[signal];
        if (detail !== undefined) refused.push({ word: operand!, line: node.line, detail });
      }
    }
    // exec >FILE: every command after it sends its output to the run's own streams (transform.ts), so a redirection of the whole shell would not hold.
    if (name === "exec" && args.length === 0) {
      const redirection = ((node.redirections as Array<{ operator?: string; fd?: number | null; fdVariable?: unknown }> | undefined) ?? []).find((each) => each.operator === "&>" || each.operator === "&>>" || (!["<", "<<", "<<-", "<<<", "<&"].includes(each.operator ?? "") && !each.fdVariable && [1, 2].includes(each.fd ?? 1)));
      if (redirection) refused.push({ word: `${redirection.fd ?? ""}${redirection.operator ?? ""}`, line: node.line, detail: "exec with a redirection of stdout or stderr (the whole shell's) is not modelled" });
    }
    // ip netns exec NS CMD ...: CMD runs too.
    if (name === "ip" && args[0] === "netns" && args[1] === "exec" && args[3] !== undefined) commands.push({ name: args[3], line: node.line });
  });
  return { commands, functions, refused: refused.sort((a, b) => a.line - b.line) };
}

/** Bash 5.2 builtins the embedded shell (just-bash 3.4.2) lacks: refused by name, as an unmodelled tool is. */
export const MISSING_BUILTINS: readonly string[] = ["bg", "bind", "caller", "disown", "enable", "fc", "fg", "times", "ulimit", "umask"];

/** Bash 5.2 builtins (compgen -b), which the embedded shell runs itself or refuses. */
export const BASH_BUILTINS: ReadonlySet<string> = new Set(
  ". : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait [[".split(" "),
);
