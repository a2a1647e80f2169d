// What a scenario's parsed text calls, found before it runs, so that every
// command and option netsim cannot run is listed in one run (the run itself
// still stops at the first): literal command names, with `ip netns exec NS
// CMD` looked through, the functions the text defines, and the forms the
// commands' own parsers refuse (COMMAND_CHECKS), run on the commands whose
// every word the text fixes.

/** A command named by literal text where it stands. */
export interface NamedCommand {
  readonly name: string;
  readonly line: number;
}

import { CommandError, UnsupportedError } from "../commands/command.js";
import { COMMAND_CHECKS } from "../commands/registry.js";
import { COMPOUND_JOB_MESSAGE } from "./jobs.js";
import { BACKGROUND_COMPOUND } from "./transform.js";
import { signalName, UNSUPPORTED_SIGNALS } from "./trap.js";

type Node = { type?: string; [key: string]: unknown };

function literal(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type: string; value?: string }> } | null)?.parts;
  if (!parts || parts.length !== 1 || parts[0]!.type !== "Literal") return undefined;
  return parts[0]!.value;
}

/**
 * A word's text when the script fixes it: literal, quoted or escaped text
 * only. A variable, a command substitution, a glob, a brace or tilde
 * expansion is known only when it runs: undefined.
 */
function staticText(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type: string; value?: string; parts?: unknown }> } | null)?.parts;
  if (!parts) return undefined;
  let text = "";
  for (const part of parts) {
    if (part.type === "Literal" || part.type === "SingleQuoted" || part.type === "Escaped") text += part.value ?? "";
    else if (part.type === "DoubleQuoted") {
      const inner = staticText(part);
      if (inner === undefined) return undefined;
      text += inner;
    } else return undefined;
  }
  return text;
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
/** A simple command whose every word the text fixes: its argv, as it will run. */
export interface FixedCommand {
  readonly argv: readonly string[];
  readonly line: number;
}

export function scanScript(ast: object): { readonly commands: readonly NamedCommand[]; readonly functions: ReadonlySet<string>; readonly refused: readonly RefusedForm[]; readonly fixed: readonly FixedCommand[] } {
  const commands: NamedCommand[] = [];
  const fixed: FixedCommand[] = [];
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
    const words = [node.name, ...((node.args as unknown[] | undefined) ?? [])].map(staticText);
    if (words.every((word) => word !== undefined)) fixed.push({ argv: words as string[], line: node.line });
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
  return { commands, functions, refused: refused.sort((a, b) => a.line - b.line), fixed };
}

/** How deep `sudo ip netns exec NS nsenter ... CMD` is looked through. */
const NESTING_LIMIT = 8;

/**
 * The forms the commands' own parsers refuse, on the commands whose words the
 * text fixes (a command with a word known only when it runs is not checked
 * here: its parse depends on every word). Each parser runs without a world;
 * `sudo CMD`, `nsenter ... CMD` and `ip netns exec NS CMD` check CMD in turn.
 * The tool's own error (CommandError) ends a line's check, as it ends the command.
 */
export function refusedOptions(fixed: readonly FixedCommand[]): RefusedForm[] {
  const refused: RefusedForm[] = [];
  for (const { argv: written, line } of fixed) {
    let argv: readonly string[] | undefined = written;
    for (let depth = 0; argv !== undefined && depth < NESTING_LIMIT; depth++) {
      const check = COMMAND_CHECKS.get(argv[0] ?? "");
      if (check === undefined) break;
      try {
        argv = check(argv.slice(1));
      } catch (error) {
        if (error instanceof UnsupportedError) {
          const detail = error.message.replace(/^netsim: /, "");
          if (!refused.some((form) => form.word === error.word && form.line === line)) refused.push({ word: error.word, line, detail });
        } else if (!(error instanceof CommandError)) throw error;
        break;
      }
    }
  }
  return refused;
}

/** Bash 5.2 builtins the embedded shell (just-bash 3.4.2) lacks: refused by name, as an unmodelled tool is. */
export const MISSING_BUILTINS: readonly string[] = ["bg", "bind", "caller", "disown", "enable", "fc", "fg", "times", "ulimit", "umask"];

/** Bash 5.2 builtins (compgen -b), which the embedded shell runs itself or refuses. */
export const BASH_BUILTINS: ReadonlySet<string> = new Set(
  ". : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait [[".split(" "),
);
