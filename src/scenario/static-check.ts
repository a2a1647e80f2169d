// What a scenario's parsed text calls, found before it runs, so that every
// command netsim cannot run is listed in one run (the run itself still stops
// at the first): literal command names, with `ip netns exec NS CMD` looked
// through, and the functions the text defines.

/** A command named by literal text where it stands. */
export interface NamedCommand {
  readonly name: string;
  readonly line: number;
}

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

/** The literal command names a parsed script calls, and the functions it defines. */
export function scanScript(ast: object): { readonly commands: readonly NamedCommand[]; readonly functions: ReadonlySet<string> } {
  const commands: NamedCommand[] = [];
  const functions = new Set<string>();
  visit(ast, (node) => {
    if (node.type === "FunctionDef" && typeof node.name === "string") functions.add(node.name);
    if (node.type !== "SimpleCommand" || typeof node.line !== "number") return;
    const name = literal(node.name);
    if (name === undefined) return;
    commands.push({ name, line: node.line });
    const args = ((node.args as unknown[] | undefined) ?? []).map(literal);
    // ip netns exec NS CMD ...: CMD runs too.
    if (name === "ip" && args[0] === "netns" && args[1] === "exec" && args[3] !== undefined) commands.push({ name: args[3], line: node.line });
  });
  return { commands, functions };
}

/** Bash 5.2 builtins the embedded shell (just-bash 3.4.2) lacks: refused by name, as an unmodelled tool is. */
export const MISSING_BUILTINS: readonly string[] = ["bg", "bind", "caller", "disown", "enable", "fc", "fg", "times", "ulimit", "umask"];

/** Bash 5.2 builtins (compgen -b), which the embedded shell runs itself or refuses. */
export const BASH_BUILTINS: ReadonlySet<string> = new Set(
  ". : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait [[".split(" "),
);
