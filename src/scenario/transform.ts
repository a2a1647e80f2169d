// Prepares a scenario's bash text for the embedded interpreter, through its
// own parser and printer (never by editing text):
// - every simple command is prefixed with an assignment that records where
//   it stands (`__NETSIM_AT="FILE:LINE ${__NETSIM_AT}"`), so a networking
//   command knows its file, line and call sites, through functions, loops and
//   sourced files alike;
// - redirections into /proc/sys become a netsim command, so a sysctl written
//   the `echo 1 > /proc/sys/...` way reaches the namespace that ran it.
import { parse, serialize } from "just-bash";

/** The variable that carries the location stack into every command. */
export const LOCATION_VARIABLE = "__NETSIM_AT";
export const PROC_SYS_WRITE_COMMAND = "__netsim_proc_sys_write";
export const PROC_SYS_READ_COMMAND = "__netsim_proc_sys_read";

type Node = { type?: string; [key: string]: unknown };

function visit(node: unknown, action: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, action);
    return;
  }
  if (node === null || typeof node !== "object") return;
  action(node as Node);
  for (const value of Object.values(node)) visit(value, action);
}

function literalWord(value: string): Node {
  return { type: "Word", parts: [{ type: "Literal", value }] };
}

/** The text of a word when it is one literal, else undefined. */
function literalText(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type: string; value?: string }> } | null)?.parts;
  if (!parts || parts.length !== 1 || parts[0]!.type !== "Literal") return undefined;
  return parts[0]!.value;
}

const LOCATION_PLACEHOLDER = "__NETSIM_LOCATION__";
let locationTemplate: string | undefined;

/**
 * The assignment node for one location, taken from the parser so its shape
 * is the parser's own. Parsed once with a placeholder and copied per command:
 * parsing it afresh for every command of a scenario took a fifth of
 * `netsim run`'s start-up.
 */
function locationAssignment(fileIndex: number, line: number): Node {
  if (locationTemplate === undefined) {
    const script = parse(`${LOCATION_VARIABLE}="${LOCATION_PLACEHOLDER}\${${LOCATION_VARIABLE}:+ \$${LOCATION_VARIABLE}}" true`) as unknown as Node;
    let assignment: Node | undefined;
    visit(script, (node) => {
      if (node.type === "SimpleCommand" && !assignment) assignment = (node.assignments as Node[])[0];
    });
    locationTemplate = JSON.stringify(assignment!);
  }
  const assignment = JSON.parse(locationTemplate) as Node;
  visit(assignment, (node) => {
    if (node.type === "Literal" && node.value === LOCATION_PLACEHOLDER) node.value = `${fileIndex}:${line}`;
  });
  return assignment;
}

function rewriteProcSys(command: Node): void {
  const redirections = (command.redirections as Node[] | undefined) ?? [];
  const procSysWrite = redirections.find((redirection) => (redirection.operator === ">" || redirection.operator === ">>") && (redirection.fd === null || redirection.fd === 1) && literalText(redirection.target)?.startsWith("/proc/sys/"));
  if (procSysWrite && command.name) {
    command.args = [procSysWrite.target, command.name, ...((command.args as Node[]) ?? [])];
    command.name = literalWord(PROC_SYS_WRITE_COMMAND);
    command.redirections = redirections.filter((redirection) => redirection !== procSysWrite);
    return;
  }
  const args = (command.args as Node[] | undefined) ?? [];
  if (literalText(command.name) === "cat" && args.length > 0 && args.every((arg) => literalText(arg)?.startsWith("/proc/sys/"))) {
    command.name = literalWord(PROC_SYS_READ_COMMAND);
  }
}

export interface TransformOptions {
  /** Index of the file in the run's file table; omit to leave locations alone (inner `bash -c` scripts). */
  readonly fileIndex?: number;
}

export function transformScript(text: string, options: TransformOptions): string {
  const script = parse(text) as unknown as Node;
  visit(script, (node) => {
    if (node.type !== "SimpleCommand") return;
    rewriteProcSys(node);
    if (options.fileIndex !== undefined && node.name && typeof node.line === "number" && node.line > 0) {
      (node.assignments as Node[]).unshift(locationAssignment(options.fileIndex, node.line));
    }
  });
  return serialize(script as never);
}
