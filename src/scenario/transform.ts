// Prepares a scenario's bash for the embedded interpreter on its parsed form
// (never by editing text). The main file and every nested script (`bash -c`,
// `ip netns exec`) are rewritten as just-bash's parser gives them, through
// its transform-plugin API, so what runs is the parser's own tree; only
// sourced files are printed back (serialize) after the rewrite, as just-bash
// reads a sourced file's text itself:
// - every simple command is prefixed with an assignment that records where
//   it stands (`__NETSIM_AT="FILE:LINE ${__NETSIM_AT}"`), so a networking
//   command knows its file, line and call sites, through functions, loops and
//   sourced files alike;
// - every simple command (and a compound one with redirections of its own)
//   sends its stdout and stderr where $__NETSIM_OUT / $__NETSIM_ERR say:
//   in the main shell the sinks the runner journals, so that the scenario's
//   stdout and stderr come out as two streams in the order written
//   (shell-names.ts: the variables unset there, the sinks their default;
//   where the output is captured they are /dev/stdout and /dev/stderr);
// - redirections into /proc/sys become a netsim command, so a sysctl written
//   the `echo 1 > /proc/sys/...` way reaches the namespace that ran it.
import { defineCommand, parse, serialize, type Command, type TransformPlugin } from "just-bash";
import { BACKGROUND_VARIABLE, END_OPERAND, EXIT_FUNCTION, JOB_PID_COMMAND, LOCATION_VARIABLE, LOOP_MARK_PATH, SAVED_STDERR_VARIABLE, SAVED_STDOUT_VARIABLE, STDERR_DESCRIPTOR, STDERR_SINK, STDERR_VARIABLE, STDOUT_DESCRIPTOR, STDOUT_SINK, STDOUT_VARIABLE, SUBSHELL_VARIABLE, WAIT_COMMAND, XTRACE_OFF } from "./shell-names.js";
import { trapPrelude } from "./trap.js";
import { ASSIGNABLE_VARIABLES, DYNAMIC_VARIABLES, VARIABLE_COMMAND, VARIABLE_REFUSE_COMMAND, VARIABLE_SET_COMMAND, VARIABLE_SET_VARIABLE } from "./variables.js";

export { LOCATION_VARIABLE };
export const PROC_SYS_WRITE_COMMAND = "__netsim_proc_sys_write";
export const PROC_SYS_READ_COMMAND = "__netsim_proc_sys_read";

type Node = { type?: string; [key: string]: unknown };

/** Calls `action` on every node, parents before children (the AST is plain objects and arrays). */
function visit(node: object, action: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) if (child !== null && typeof child === "object") visit(child as object, action);
    return;
  }
  action(node as Node);
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === "object") visit(value, action);
  }
}

/** A deep copy of a parser node, with `replacement` for every literal `placeholder`. */
function cloneWith(node: unknown, placeholder: string, replacement: string): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((child) => cloneWith(child, placeholder, replacement));
  const copy: Node = {};
  const record = node as Record<string, unknown>;
  for (const key in record) copy[key] = cloneWith(record[key], placeholder, replacement);
  if (copy.type === "Literal" && copy.value === placeholder) copy.value = replacement;
  return copy;
}

/**
 * A deep copy of parser nodes (plain objects, arrays and primitives), for the
 * templates copied into every command: several times faster than
 * structuredClone, which serialises; anything else is copied by it.
 */
function copyNode<T>(node: T): T {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    const copy = new Array(node.length);
    for (let index = 0; index < node.length; index++) copy[index] = copyNode(node[index]);
    return copy as T;
  }
  const prototype = Object.getPrototypeOf(node);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(node);
  const copy: Record<string, unknown> = {};
  const record = node as Record<string, unknown>;
  for (const key in record) copy[key] = copyNode(record[key]);
  return copy as T;
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
let locationTemplate: Node | undefined;

/**
 * The assignment node for one location, taken from the parser so its shape
 * is the parser's own: parsed once with a placeholder and copied per command
 * (parsing it afresh for every command took a fifth of `netsim run`'s start-up).
 */
function locationAssignment(fileIndex: number, line: number): Node {
  if (locationTemplate === undefined) {
    const script = parse(`${LOCATION_VARIABLE}="${LOCATION_PLACEHOLDER}\${${LOCATION_VARIABLE}:+ \$${LOCATION_VARIABLE}}" true`) as unknown as Node;
    visit(script, (node) => {
      if (node.type === "SimpleCommand" && !locationTemplate) locationTemplate = (node.assignments as Node[])[0];
    });
  }
  return cloneWith(locationTemplate, LOCATION_PLACEHOLDER, `${fileIndex}:${line}`) as Node;
}

let literalLocationTemplate: Node | undefined;

/** `__NETSIM_AT=FILE:LINE`, where no caller's location can be set (MAIN_SHELL): a literal word. */
function literalLocation(fileIndex: number, line: number): Node {
  if (literalLocationTemplate === undefined) {
    visit(parse(`${LOCATION_VARIABLE}=${LOCATION_PLACEHOLDER} true`) as unknown as Node, (node) => {
      if (node.type === "SimpleCommand" && !literalLocationTemplate) literalLocationTemplate = (node.assignments as Node[])[0];
    });
  }
  return cloneWith(literalLocationTemplate, LOCATION_PLACEHOLDER, `${fileIndex}:${line}`) as Node;
}

/** Files whose writes and reads reach the model: /proc/sys, and the bridge attributes under /sys/class/net (br-sysfs-if.ts). */
function isKernelFile(path: string | undefined): boolean {
  return path !== undefined && (path.startsWith("/proc/sys/") || path.startsWith("/sys/class/net/"));
}

function rewriteProcSys(command: Node): void {
  const redirections = (command.redirections as Node[] | undefined) ?? [];
  const procSysWrite = redirections.find((redirection) => (redirection.operator === ">" || redirection.operator === ">>") && (redirection.fd === null || redirection.fd === 1) && isKernelFile(literalText(redirection.target)));
  if (procSysWrite && command.name) {
    command.args = [procSysWrite.target, command.name, ...((command.args as Node[]) ?? [])];
    command.name = literalWord(PROC_SYS_WRITE_COMMAND);
    command.redirections = redirections.filter((redirection) => redirection !== procSysWrite);
    return;
  }
  const args = (command.args as Node[] | undefined) ?? [];
  if (literalText(command.name) === "cat" && args.length > 0 && args.every((arg) => isKernelFile(literalText(arg)))) {
    command.name = literalWord(PROC_SYS_READ_COMMAND);
  }
}

/** Parsed once, copied per use: `__NETSIM_SUB=1` as a statement, and as the assignment node of `__NETSIM_SUB=1 true`. */
let subshellTemplates: { readonly statement: Node; readonly assignment: Node } | undefined;

function subshellTemplate(): { readonly statement: Node; readonly assignment: Node } {
  if (subshellTemplates === undefined) {
    const statement = (parse(`${SUBSHELL_VARIABLE}=1`) as unknown as { statements: Node[] }).statements[0]!;
    let assignment: Node | undefined;
    visit(parse(`${SUBSHELL_VARIABLE}=1 true`) as unknown as Node, (node) => {
      if (node.type === "SimpleCommand" && !assignment) assignment = (node.assignments as Node[])[0];
    });
    subshellTemplates = { statement, assignment: assignment! };
  }
  return subshellTemplates;
}

function subshellMark(): Node {
  return copyNode(subshellTemplate().statement);
}

/**
 * Builtins that list the shell's variables (`set`, `declare -p`, ...): they call
 * no function and run no netsim command, so they carry no mark, and list none.
 */
const LISTING_BUILTINS = new Set(["set", "declare", "typeset", "export", "readonly", "local"]);

function listsVariables(command: Node): boolean {
  const name = literalText(command.name);
  return name !== undefined && LISTING_BUILTINS.has(name);
}

/** The body of `$(<FILE)`: one statement of one command that is a lone `<` redirection (bash substitutes the file's text). */
function readsFileOnly(body: Node): boolean {
  const statements = body.statements as Node[] | undefined;
  const pipelines = statements?.length === 1 ? (statements[0]!.pipelines as Node[] | undefined) : undefined;
  const commands = pipelines?.length === 1 ? (pipelines[0]!.commands as Node[] | undefined) : undefined;
  const command = commands?.length === 1 ? commands[0]! : undefined;
  const redirections = command?.redirections as Node[] | undefined;
  return command?.type === "SimpleCommand" && !command.name && ((command.assignments as Node[] | undefined)?.length ?? 0) === 0 && redirections?.length === 1 && redirections[0]!.operator === "<";
}

/** Each simple command of a pipeline that runs in a subshell (a part of `a | b`, a job of `&`) carries the mark into the function it calls. */
function markCommands(pipeline: Node): void {
  for (const command of (pipeline.commands as Node[] | undefined) ?? []) {
    if (command.type === "SimpleCommand" && command.name && !listsVariables(command)) (command.assignments as Node[]).push(copyNode(subshellTemplate().assignment));
  }
}

/** Parsed once, copied per use: the job mark `__NETSIM_BG="$__NETSIM_AT"`, the `:` a job's statement ends in, and `$(__netsim_job_pid)`. */
let jobTemplates: { readonly mark: Node; readonly colon: Node; readonly pid: Node } | undefined;

function jobTemplate(): { readonly mark: Node; readonly colon: Node; readonly pid: Node } {
  if (jobTemplates === undefined) {
    let mark: Node | undefined;
    visit(parse(`${BACKGROUND_VARIABLE}="$${LOCATION_VARIABLE}" true`) as unknown as Node, (node) => {
      if (node.type === "SimpleCommand" && !mark) mark = (node.assignments as Node[])[0];
    });
    const colon = ((parse(":") as unknown as { statements: Node[] }).statements[0]!.pipelines as Node[])[0]!;
    // Unlocated: it is netsim's, not a command of the line.
    for (const command of colon.commands as Node[]) command.line = 0;
    let pid: Node | undefined;
    visit(parse(`echo $(${JOB_PID_COMMAND})`) as unknown as Node, (node) => {
      if (node.type === "CommandSubstitution" && !pid) pid = node;
    });
    jobTemplates = { mark: mark!, colon, pid: pid! };
  }
  return jobTemplates;
}

/**
 * `CMD &` (jobs.ts): the embedded shell would run CMD to its end first, so
 * each simple command of the statement runs in the foreground marked as a
 * job, which the runner starts on the virtual clock; the statement's status
 * is 0, as a job's start is. A subshell or group, and a simple command
 * that runs a shell (bash -c), is a job that is a shell of its own
 * (scriptJob, JOB_SCRIPT_COMMAND). A job of anything else (a pipeline, a
 * loop) keeps the mark too: the runner refuses it.
 */
function backgroundJob(statement: Node): void {
  statement.background = false;
  const pipelines = statement.pipelines as Node[];
  const only = pipelines.length === 1 && (pipelines[0]!.commands as Node[]).length === 1 ? (pipelines[0]!.commands as Node[])[0]! : undefined;
  if (only && (only.type === "Subshell" || only.type === "Group")) {
    // `( ... ) &`, `{ ...; } &`: a shell of its own (jobs.ts); its body is transformed first, then handed over (scriptJob).
    statement[SCRIPT_JOB] = jobDisplay(only);
    (statement.operators as string[]).push("||");
    pipelines.push(structuredClone(jobTemplate().colon));
    return;
  }
  if (only?.type === "SimpleCommand" && SHELL_NAMES.has(literalText(only.name) ?? "")) {
    // `bash -c '...' &`, `sh script &`: the shell command run as a job of its own (jobs.ts), the command line as jobs shows it first.
    only.args = [literalWord(encoded(jobDisplay(only))), literalWord("--argv"), only.name as Node, ...((only.args as Node[] | undefined) ?? [])];
    only.name = literalWord(JOB_SCRIPT_COMMAND);
  }
  for (const pipeline of statement.pipelines as Node[]) {
    for (const command of (pipeline.commands as Node[] | undefined) ?? []) {
      if (command.type === "SimpleCommand" && command.name && (pipeline.commands as Node[]).length === 1) {
        (command.assignments as Node[]).push(copyNode(jobTemplate().mark));
        // The command as jobs shows it (bash prints it back as written, redirections and all).
        if (literalText(command.name) !== JOB_SCRIPT_COMMAND) (command.assignments as Node[]).push({ type: "Assignment", name: BACKGROUND_TEXT, value: literalWord(encoded(jobDisplay(command))), append: false, array: null });
        // What the job prints later goes where its streams were sent: `ping ... > /dev/null &` shows nothing when it ends either; `tcpdump ... > FILE &` writes on to FILE.
        const { stdout, stderr } = jobTargets((command.redirections as Node[] | undefined) ?? []);
        if (stdout) (command.assignments as Node[]).push({ type: "Assignment", name: BACKGROUND_QUIET, value: copyNode(stdout), append: false, array: null });
        if (stderr) (command.assignments as Node[]).push({ type: "Assignment", name: BACKGROUND_ERRORS, value: copyNode(stderr), append: false, array: null });
      }
      else visit(command, (inner) => {
        if (inner.type === "SimpleCommand" && inner.name) (inner.assignments as Node[]).push(copyNode(jobTemplate().mark), literalAssignment(BACKGROUND_COMPOUND));
      });
    }
  }
  (statement.operators as string[]).push("||");
  (statement.pipelines as Node[]).push(copyNode(jobTemplate().colon));
}

/** The command that starts a job that is a shell of its own: `__netsim_job_script TEXT --argv bash ARGS...` or `... TEXT --body SCRIPT` (the runner). */
export const JOB_SCRIPT_COMMAND = "__netsim_job_script";
/** The first statement of a script already transformed (a job's body): the plugin takes it as it is. */
export const TRANSFORMED_MARK = "__NETSIM_TRANSFORMED";
/** Where the transform notes, on a statement `( ... ) &`, the job's text for `jobs`. */
const SCRIPT_JOB = "__netsimScriptJob";
const SHELL_NAMES = new Set(["bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/bash", "/usr/bin/sh"]);

/** Text carried in a literal word that a sourced file's printing back (serialize) keeps as it is: base64. */
function encoded(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** The text `encoded` carried. */
export function decoded(word: string): string {
  return Buffer.from(word, "base64").toString("utf8");
}

/** A node printed back as one statement. */
function printed(node: Node): string {
  const statement = node.type === "Statement" ? node : { type: "Statement", pipelines: [{ type: "Pipeline", commands: [node], negated: false, timed: false, timePosix: false }], operators: [], background: false };
  return serialize({ type: "Script", statements: [statement] } as never).replace(/\n+$/, "");
}

/** Redirections and compound bodies as bash prints a command (print_cmd.c): `1>&2`, `2>&1`, one line with `; `. */
function bashPrint(text: string): string {
  return text
    .replace(/(then|do|else|\{)\n/g, "$1 ")
    .replace(/\n/g, "; ")
    .replace(/(\d)>& (\S)/g, "$1>&$2")
    .replace(/(^|\s)>& ?(\S)/g, "$11>&$2");
}

/** A job's command as `jobs` shows it (bash prints its command tree back): `( a; b )`, `{ a; b; }`, a simple command as written. */
function jobDisplay(original: Node): string {
  // Without the marks netsim put on it already (a subshell's).
  const command = structuredClone(original);
  visit(command, (node) => {
    if (node.type === "SimpleCommand") node.assignments = ((node.assignments as Node[] | undefined) ?? []).filter((assignment) => !(assignment.name as string).startsWith("__NETSIM_"));
  });
  if (command.type !== "Subshell" && command.type !== "Group") return bashPrint(printed(command));
  const body = ((command.body as Node[] | undefined) ?? []).map((statement) => bashPrint(printed(structuredClone(statement)))).join("; ");
  const redirections = ((command.redirections as Node[] | undefined) ?? []).length > 0 ? ` ${bashPrint(printed({ type: "SimpleCommand", name: null, args: [], assignments: [], redirections: structuredClone(command.redirections), line: 0 }))}` : "";
  return command.type === "Subshell" ? `( ${body} )${redirections}` : `{ ${body}; }${redirections}`;
}

/**
 * After its body was transformed: the statement `( ... ) &` becomes
 * `__netsim_job_script TEXT --body SCRIPT`, SCRIPT the compound command
 * printed back as transformed (located, routed), which the runner runs as
 * a job of its own; the location and the job mark are the command's.
 */
function scriptJob(statement: Node, fileIndex: number | undefined): void {
  const pipeline = (statement.pipelines as Node[])[0]!;
  const compound = (pipeline.commands as Node[])[0]!;
  const line = loopLine(compound);
  const assignments: Node[] = [];
  if (fileIndex !== undefined && line !== undefined) assignments.push(locationAssignment(fileIndex, line));
  assignments.push(structuredClone(jobTemplate().mark), structuredClone(subshellTemplate().assignment));
  const body = printed(compound);
  pipeline.commands = [{ type: "SimpleCommand", name: literalWord(JOB_SCRIPT_COMMAND), args: [literalWord(encoded(statement[SCRIPT_JOB] as string)), literalWord("--body"), literalWord(encoded(body))], assignments, redirections: [], line: line ?? 0 }];
  delete statement[SCRIPT_JOB];
}

/** The command of a job as `jobs` shows it (encoded). */
export const BACKGROUND_TEXT = "__NETSIM_BG_TEXT";
/** The file a job's stdout was redirected to (its later output goes there, not to the scenario's). */
export const BACKGROUND_QUIET = "__NETSIM_BG_QUIET";
/** The file a job's stderr was redirected to. */
export const BACKGROUND_ERRORS = "__NETSIM_BG_ERRORS";

/** Where a command's redirections, applied left to right, send its stdout and stderr: the target words, for the streams sent to a file. */
function jobTargets(redirections: readonly Node[]): { stdout?: Node; stderr?: Node } {
  let stdout: Node | undefined;
  let stderr: Node | undefined;
  for (const redirection of redirections) {
    const operator = redirection.operator as string;
    const fd = redirection.fd as number | null;
    const target = redirection.target as Node;
    const literal = ((target.parts as Node[] | undefined) ?? []).map((part) => (part.type === "Literal" ? (part.value as string) : "\0")).join("");
    if (operator === "&>" || operator === "&>>") stdout = stderr = target;
    else if ([">", ">>", ">|"].includes(operator) && (fd === null || fd === 1)) stdout = target;
    else if ([">", ">>", ">|"].includes(operator) && fd === 2) stderr = target;
    else if (operator === ">&" && fd === 2 && literal === "1") stderr = stdout;
    else if (operator === ">&" && (fd === null || fd === 1) && literal === "2") stdout = stderr;
  }
  return { ...(stdout ? { stdout } : {}), ...(stderr ? { stderr } : {}) };
}
/** The second mark of a command inside a backgrounded compound command. */
export const BACKGROUND_COMPOUND = "__NETSIM_BG_COMPOUND";

function literalAssignment(name: string): Node {
  return { type: "Assignment", name, value: literalWord("1"), append: false, array: null };
}

const LOOP_NODES = new Set(["While", "Until", "For", "CStyleFor"]);

/** The line a loop stands at: its first simple command (the parser gives loops no line of their own), or undefined. */
function loopLine(loop: Node): number | undefined {
  let line: number | undefined;
  visit(loop, (node) => {
    if (node.type === "SimpleCommand" && typeof node.line === "number" && node.line > 0) line = line === undefined ? node.line : Math.min(line, node.line);
  });
  return line;
}

/** `< /.netsim-loop/FILE:LINE` as a statement: a redirection alone, the loop's mark (shell-names.ts). */
function loopMark(fileIndex: number, line: number): Node {
  const command: Node = { type: "SimpleCommand", name: null, args: [], assignments: [], redirections: [{ type: "Redirection", fd: null, operator: "<", target: literalWord(`${LOOP_MARK_PATH}${fileIndex}:${line}`) }], line: 0 };
  return { type: "Statement", pipelines: [{ type: "Pipeline", commands: [command], negated: false, timed: false, timePosix: false }], operators: [], background: false };
}

/** The call that ends a main script: its status is the last command's, and the EXIT trap runs (trap.ts). */
function finalExit(): Node {
  return (parse(`${EXIT_FUNCTION} ${END_OPERAND}`) as unknown as { statements: Node[] }).statements[0]!;
}

/** `$(COMMAND)` as the parser makes it, for a word part. */
function commandSubstitution(command: string): Node {
  let found: Node | undefined;
  visit(parse(`: $(${command})`) as unknown as Node, (node) => {
    if (node.type === "CommandSubstitution" && !found) found = node;
  });
  return found!;
}

function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function refusal(word: string, detail: string): string {
  return `${VARIABLE_REFUSE_COMMAND} ${quoted(word)} ${quoted(detail)}`;
}

const DYNAMIC_NAME = new RegExp(`(^|[^A-Za-z0-9_])\\$?\\{?(${[...DYNAMIC_VARIABLES].join("|")})(?![A-Za-z0-9_])`);
const DYNAMIC_NAMES = new RegExp(`(^|[^A-Za-z0-9_$])\\$?(${[...DYNAMIC_VARIABLES].join("|")})(?![A-Za-z0-9_])`, "g");

/** Builtins whose operands name variables: on a dynamic one they would act on just-bash's own, so they are refused. */
const NAMING_BUILTINS = new Set(["unset", "declare", "typeset", "local", "export", "readonly", "read", "let", "mapfile", "readarray"]);

/**
 * $RANDOM, $SRANDOM, $SECONDS, $EPOCHSECONDS, $EPOCHREALTIME (variables.ts):
 * a read becomes `$(__netsim_var NAME)`, in words and in arithmetic; an
 * assignment `RANDOM=N` or `SECONDS=N` is followed by the call that reads
 * it. What cannot be rewritten so (an operator on the expansion, a subscript
 * or `let` text naming one, `unset RANDOM`, `((SECONDS=0))`) is refused when it runs.
 * Returns the node to put in the place of `record`, if any.
 */
function rewriteDynamic(record: Node, located: string): Node | undefined {
  if (record.type === "ParameterExpansion" && typeof record.parameter === "string") {
    const parameter = record.parameter;
    if (DYNAMIC_VARIABLES.has(parameter)) {
      if (record.operation === null) return commandSubstitution(`${VARIABLE_COMMAND} ${parameter}`);
      return commandSubstitution(refusal(`\${${parameter}}`, `an operator on \${${parameter}} is not modelled (the value comes from the virtual clock or the seeded generator only as plain $${parameter})`));
    }
    const inSubscript = /^[A-Za-z_][A-Za-z0-9_]*\[(.*)\]$/.exec(parameter);
    if (inSubscript && DYNAMIC_NAME.test(inSubscript[1]!)) {
      const name = DYNAMIC_NAME.exec(inSubscript[1]!)![2]!;
      return commandSubstitution(refusal(`\${${parameter}}`, `${name} in an array subscript of \${...} is not modelled (assign it to a variable first: i=$((${name} % N)))`));
    }
    return undefined;
  }
  if (record.type === "ArithVariable" && typeof record.name === "string" && DYNAMIC_VARIABLES.has(record.name)) {
    return { type: "ArithCommandSubst", command: `${VARIABLE_COMMAND} ${record.name}` };
  }
  if (record.type === "ArithAssignment" && DYNAMIC_VARIABLES.has(record.variable as string)) {
    const name = record.variable as string;
    return { type: "ArithCommandSubst", command: located + refusal(name, `an arithmetic assignment to ${name} is not modelled (write ${name}=N)`) };
  }
  if (record.type === "ArithmeticExpression" && typeof record.originalText === "string") {
    // The text a sourced file is printed back from: its reads rewritten as the tree's are.
    record.originalText = record.originalText.replace(DYNAMIC_NAMES, (_all, before: string, name: string) => `${before}$(${VARIABLE_COMMAND} ${name})`);
    return undefined;
  }
  if (record.type === "SimpleCommand") {
    const assignments = (record.assignments as Node[] | undefined) ?? [];
    for (let index = assignments.length - 1; index >= 0; index--) {
      const name = assignments[index]!.name as string;
      if (!ASSIGNABLE_VARIABLES.has(name)) continue;
      const hook = record.name
        ? refusal(`${name}=`, `${name}=VALUE before a command is not modelled (assign it on its own line)`)
        : `${VARIABLE_SET_COMMAND} ${name}`;
      assignments.splice(index + 1, 0, { type: "Assignment", name: VARIABLE_SET_VARIABLE, value: { type: "Word", parts: [commandSubstitution(hook)] }, append: false, array: null });
    }
    const command = literalText(record.name);
    if (command !== undefined && NAMING_BUILTINS.has(command)) {
      // `declare -i n=RANDOM` evaluates its value as arithmetic, as `let` does.
      const integer = (record.args as Node[] | undefined)?.some((arg) => /^-[a-zA-Z]*i/.test(literalText(arg) ?? "")) ?? false;
      for (const arg of (record.args as Node[] | undefined) ?? []) {
        const text = literalText(arg);
        const match = text === undefined ? null : DYNAMIC_NAME.exec(text);
        if (!match || (command !== "let" && !integer && !new RegExp(`^${match[2]}(=|\\[|$)`).test(text!))) continue;
        record.args = [literalWord(`${command} ${text}`), literalWord(`${command} on ${match[2]} is not modelled (its value comes from the virtual clock or the seeded generator)`)];
        record.name = literalWord(VARIABLE_REFUSE_COMMAND);
        break;
      }
    }
  }
  return undefined;
}

/** A function definition as a statement of its own, printed back (the text finishTraps defines again). */
function functionText(definition: Node): string {
  return serialize({ type: "Script", statements: [{ type: "Statement", pipelines: [{ type: "Pipeline", commands: [definition], negated: false, timed: false, timePosix: false }], operators: [], background: false }] } as never);
}

/** Which of a command's streams go to an enclosing capture (`$( )`, a pipe, a redirection) rather than where $__NETSIM_OUT/ERR say. */
interface Capture {
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** In the body of a compound command with output redirections of its own: the streams not captured go to its descriptors (shell-names.ts), not where the variables say. */
  readonly descriptors?: boolean;
}

const NOT_CAPTURED: Capture = { stdout: false, stderr: false };
/**
 * Not captured, in the main file outside any function body: there the routing
 * and location variables are always unset when a command runs (only a
 * command's own prefix assignments set them, for a function or a sourced file
 * it calls, and those are transformed apart), so the command names the sinks
 * and its location as literals: the embedded shell expands a literal word at
 * a fraction of the cost of a ${VAR:-DEFAULT} (the scale bench's 9,000 commands).
 */
const MAIN_SHELL: Capture = { stdout: false, stderr: false };
const CAPTURED: Capture = { stdout: true, stderr: true };
const DESCRIPTORS: Capture = { stdout: false, stderr: false, descriptors: true };

/** Parsed once, copied per use: the sink redirections (plain and saved), those to the descriptors, and the assignments that mark a capture. */
let routeTemplates: { readonly redirect: Node[]; readonly sinkRedirect: Node[]; readonly savedRedirect: Node[]; readonly descriptorRedirect: Node[]; readonly captured: Node[]; readonly assignments: Readonly<Record<string, Node>> } | undefined;

function routeTemplate(): NonNullable<typeof routeTemplates> {
  if (routeTemplates === undefined) {
    const redirections = (text: string): Node[] => {
      let found: Node[] | undefined;
      visit(parse(text) as unknown as Node, (node) => {
        if (node.type === "SimpleCommand" && !found) found = node.redirections as Node[];
      });
      return found!;
    };
    const assignments: Record<string, Node> = {};
    const names = [STDOUT_VARIABLE, STDERR_VARIABLE, SAVED_STDOUT_VARIABLE, SAVED_STDERR_VARIABLE];
    visit(parse(`${STDOUT_VARIABLE}=/dev/stdout ${STDERR_VARIABLE}=/dev/stderr ${SAVED_STDOUT_VARIABLE}="\${${STDOUT_VARIABLE}:-${STDOUT_SINK}}" ${SAVED_STDERR_VARIABLE}="\${${STDERR_VARIABLE}:-${STDERR_SINK}}" true`) as unknown as Node, (node) => {
      if (node.type === "SimpleCommand" && assignments[STDOUT_VARIABLE] === undefined) (node.assignments as Node[]).forEach((assignment, index) => (assignments[names[index]!] = assignment));
    });
    routeTemplates = {
      captured: redirections("true >>/dev/stdout 2>>/dev/stderr"),
      redirect: redirections(`true >>"\${${STDOUT_VARIABLE}:-${STDOUT_SINK}}" 2>>"\${${STDERR_VARIABLE}:-${STDERR_SINK}}"`),
      sinkRedirect: redirections(`true >>${STDOUT_SINK} 2>>${STDERR_SINK}`),
      savedRedirect: redirections(`true >>"\${${SAVED_STDOUT_VARIABLE}:-${STDOUT_SINK}}" 2>>"\${${SAVED_STDERR_VARIABLE}:-${STDERR_SINK}}"`),
      descriptorRedirect: redirections(`true >&${STDOUT_DESCRIPTOR} 2>&${STDERR_DESCRIPTOR}`),
      assignments,
    };
  }
  return routeTemplates;
}

const INPUT_OPERATORS = new Set(["<", "<<", "<<-", "<<<", "<&"]);

/** True when the redirections send fd 1 or 2 somewhere of their own (a file, the other stream, /dev/null). */
function redirectsOutput(redirections: unknown): boolean {
  return ((redirections as Node[] | undefined) ?? []).some((redirection) => {
    const operator = redirection.operator as string;
    if (operator === "&>" || operator === "&>>") return true;
    if (INPUT_OPERATORS.has(operator) || redirection.fdVariable) return false;
    const fd = (redirection.fd as number | null) ?? 1;
    return fd === 1 || fd === 2;
  });
}

/** The sink redirections for the streams not captured, put before the command's own (which override them, as in bash). */
function sinkRedirections(template: readonly Node[], capture: Capture): Node[] {
  return [...(capture.stdout ? [] : [copyNode(template[0]!)]), ...(capture.stderr ? [] : [copyNode(template[1]!)])];
}

function descriptorFor(fd: number): number {
  return fd === 1 ? STDOUT_DESCRIPTOR : fd === 2 ? STDERR_DESCRIPTOR : fd;
}

function redirection(fd: number, operator: string, target: Node): Node {
  return { type: "Redirection", fd, operator, target };
}

/**
 * A compound command's redirections with its fd 1 and 2 replaced by the
 * descriptors (shell-names.ts), which first take where its stdout and
 * stderr go: `{ ...; } >LOG 2>&1` opens `61>LOG 62>&61` for the body. The
 * compound command's own streams keep their route, for whatever still
 * reaches them. Undefined for a form not replaced so (closing a stream,
 * `>&WORD` not a number): the body is then captured as a whole.
 */
function descriptorRedirections(redirections: readonly Node[], capture: Capture): Node[] | undefined {
  const template = routeTemplate();
  const route = capture.descriptors ? template.descriptorRedirect : template.redirect;
  const replaced: Node[] = [...sinkRedirections(route, capture), redirection(STDOUT_DESCRIPTOR, ">&", literalWord("1")), redirection(STDERR_DESCRIPTOR, ">&", literalWord("2"))];
  for (const original of redirections) {
    const operator = original.operator as string;
    const fd = original.fd as number | null;
    if (original.fdVariable || operator === "<<" || operator === "<<-" || operator === "<<<" || ((operator === "<" || operator === "<>") && (fd ?? 0) !== 1 && (fd ?? 0) !== 2)) {
      replaced.push(original);
      continue;
    }
    if (operator === ">" || operator === ">>" || operator === ">|") {
      replaced.push({ ...original, fd: descriptorFor(fd ?? 1) });
      continue;
    }
    if (operator === "&>" || operator === "&>>") {
      replaced.push({ ...original, fd: STDOUT_DESCRIPTOR, operator: operator === "&>" ? ">" : ">>" }, redirection(STDERR_DESCRIPTOR, ">&", literalWord(String(STDOUT_DESCRIPTOR))));
      continue;
    }
    if (operator === "<&" && (fd ?? 0) !== 1 && (fd ?? 0) !== 2) {
      replaced.push(original);
      continue;
    }
    const target = literalText(original.target);
    if (operator === ">&" && target !== undefined && /^[0-9]+$/.test(target)) {
      replaced.push({ ...original, fd: descriptorFor(fd ?? 1), target: literalWord(String(descriptorFor(Number(target)))) });
      continue;
    }
    return undefined;
  }
  return replaced;
}

function variableWord(name: string): Node {
  return { type: "Word", parts: [{ type: "DoubleQuoted", parts: [{ type: "ParameterExpansion", parameter: name, operation: null }] }] };
}

/** Parts whose expansion has no effect and gives the same text when done twice (no substitution, no operator). */
function plainParts(parts: readonly Node[]): boolean {
  return parts.every((part) => part.type === "Literal" || (part.type === "ParameterExpansion" && part.operation === null && typeof part.parameter === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part.parameter)) || (part.type === "DoubleQuoted" && plainParts(part.parts as Node[])));
}

/** Where a redirection's target word names, as a word for a variable: absolute (a relative literal from $PWD); undefined when that cannot be told from the word. */
function destinationWord(target: Node): Node | undefined {
  const text = literalText(target);
  if (text !== undefined) return text.startsWith("/") ? literalWord(text) : { type: "Word", parts: [{ type: "DoubleQuoted", parts: [{ type: "ParameterExpansion", parameter: "PWD", operation: null }, { type: "Literal", value: `/${text}` }] }] };
  const parts = (target.parts as Node[] | undefined) ?? [];
  const first = parts[0]?.type === "DoubleQuoted" ? (parts[0].parts as Node[])[0] : parts[0];
  if (first?.type !== "Literal" || !(first.value as string).startsWith("/") || !plainParts(parts)) return undefined;
  return copyNode(target);
}

/**
 * A simple command's own redirections of fd 1 and 2 read as where its body
 * (a function's commands, a `bash -c` script, eval, source) is to write:
 * the variables' new values, from the saved ones. Each `>FILE` is followed
 * by `>>FILE`, so what the command itself writes when it ends is added
 * after what its body wrote there, not in its place. Undefined when a
 * target cannot be told so (a substitution, a descriptor of the user's).
 */
function bodyDestinations(redirections: readonly Node[]): { readonly stdout: Node; readonly stderr: Node; readonly redirections: Node[] } | undefined {
  const destination: Record<1 | 2, Node> = { 1: variableWord(SAVED_STDOUT_VARIABLE), 2: variableWord(SAVED_STDERR_VARIABLE) };
  const adjusted: Node[] = [];
  for (const original of redirections) {
    const operator = original.operator as string;
    const fd = (original.fd as number | null) ?? (INPUT_OPERATORS.has(operator) || operator === "<>" ? 0 : 1);
    adjusted.push(original);
    if (original.fdVariable || (fd !== 1 && fd !== 2 && operator !== "&>" && operator !== "&>>")) continue;
    if (INPUT_OPERATORS.has(operator) || operator === "<>") return undefined;
    if (operator === ">&") {
      const target = literalText(original.target);
      if (target !== "1" && target !== "2") return undefined;
      destination[fd as 1 | 2] = destination[Number(target) as 1 | 2];
      continue;
    }
    const word = destinationWord(original.target as Node);
    if (word === undefined) return undefined;
    if (operator === "&>" || operator === "&>>") destination[1] = destination[2] = word;
    else if (operator === ">" || operator === ">>" || operator === ">|") destination[fd as 1 | 2] = word;
    else return undefined;
    if (operator === ">" || operator === ">|") adjusted.push({ ...original, operator: ">>", target: copyNode(original.target) });
    if (operator === "&>") adjusted.push({ ...original, operator: "&>>", target: copyNode(original.target) });
  }
  // A saved value may be /dev/stdout or /dev/stderr, which a body's command opens after the other stream's: one stream sent to the other's old place while that one moves cannot be said so (`2>&1 >FILE`).
  const [savedStdout, savedStderr] = [variableWord(SAVED_STDOUT_VARIABLE), variableWord(SAVED_STDERR_VARIABLE)];
  const same = (word: Node, saved: Node) => JSON.stringify(word) === JSON.stringify(saved);
  if ((same(destination[2], savedStdout) && !same(destination[1], savedStdout)) || (same(destination[1], savedStderr) && !same(destination[2], savedStderr))) return undefined;
  return { stdout: destination[1], stderr: destination[2], redirections: adjusted };
}

/** Builtins whose prefix assignments the embedded shell keeps after them (a `return` or `break` would carry a capture out). */
const KEEPS_ASSIGNMENTS = new Set(["return", "break", "continue", "exit", EXIT_FUNCTION]);

/**
 * A simple command's output route: its captured streams are marked for
 * the functions it calls; the others go to the sinks. A command with
 * redirections of fd 1 or 2 of its own sends its body's output through
 * them (a function's commands then write to the function's stdout), so it
 * saves where its own output goes first: the embedded shell expands a
 * redirection after the command's assignments.
 */
function routeCommand(command: Node, capture: Capture): void {
  const template = routeTemplate();
  const assignments = command.assignments as Node[];
  const name = literalText(command.name);
  if (name !== undefined && KEEPS_ASSIGNMENTS.has(name)) return;
  if (name === "exec") return;
  if (listsVariables(command)) {
    // set, declare -p, ...: no assignment of netsim's, as they would list it; they call no function, so a capture is a redirection of their own.
    const own = (command.redirections as Node[] | undefined) ?? [];
    if (redirectsOutput(own) && !capture.descriptors) return;
    const captured = routeTemplate().captured;
    const route = capture.descriptors ? template.descriptorRedirect : template.redirect;
    command.redirections = [copyNode(capture.stdout ? captured[0]! : route[0]!), copyNode(capture.stderr ? captured[1]! : route[1]!), ...own];
    return;
  }
  // In a body writing to its compound command's descriptors, a function called writes into the call's own output, which goes to them when the call ends.
  if (capture.stdout || capture.descriptors) assignments.push(copyNode(template.assignments[STDOUT_VARIABLE]!));
  if (capture.stderr || capture.descriptors) assignments.push(copyNode(template.assignments[STDERR_VARIABLE]!));
  const redirections = (command.redirections as Node[] | undefined) ?? [];
  if (capture.descriptors) {
    command.redirections = [...sinkRedirections(template.descriptorRedirect, capture), ...redirections];
    return;
  }
  if (redirectsOutput(redirections)) {
    const body = bodyDestinations(redirections);
    if (body !== undefined) {
      // The body writes where the redirections say as each of its commands ends (bash -c '...' >LOG 2>&1: in the order written).
      assignments.push(copyNode(template.assignments[SAVED_STDOUT_VARIABLE]!), copyNode(template.assignments[SAVED_STDERR_VARIABLE]!), { type: "Assignment", name: STDOUT_VARIABLE, value: body.stdout, append: false, array: null }, { type: "Assignment", name: STDERR_VARIABLE, value: body.stderr, append: false, array: null });
      command.redirections = [...sinkRedirections(template.savedRedirect, capture), ...body.redirections];
      return;
    }
    if (capture.stdout && capture.stderr) return;
    assignments.push(...[SAVED_STDOUT_VARIABLE, SAVED_STDERR_VARIABLE, STDOUT_VARIABLE, STDERR_VARIABLE].map((variable) => copyNode(template.assignments[variable]!)));
    command.redirections = [...sinkRedirections(template.savedRedirect, capture), ...redirections];
  } else command.redirections = [...sinkRedirections(capture === MAIN_SHELL ? template.sinkRedirect : template.redirect, capture), ...redirections];
}

/** What the transform puts in the place of eval's operands: the text eval runs, routed (evalCommands). */
export const EVAL_TEXT_COMMAND = "__netsim_eval_text";
let evalTemplate: Node | undefined;

/**
 * `eval WORDS`: the embedded shell parses eval's text with no transform, so
 * its commands would write to eval's own stdout and stderr, which it gives
 * back apart when eval ends (all stdout, then all stderr). The operands are
 * handed instead to EVAL_TEXT_COMMAND, which joins them as eval does and
 * gives the text transformed as a nested script's is (each command routed
 * where the variables say: in the order written, through eval's own
 * redirections): `eval "$(__netsim_eval_text WORDS)"`.
 */
function evalRouted(command: Node): void {
  const args = (command.args as Node[] | undefined) ?? [];
  if (args.length === 0) return;
  if (evalTemplate === undefined) {
    visit(parse(`: "$(${EVAL_TEXT_COMMAND})"`) as unknown as Node, (node) => {
      if (node.type === "SimpleCommand" && literalText(node.name) === ":" && !evalTemplate) evalTemplate = (node.args as Node[])[0];
    });
  }
  const word = structuredClone(evalTemplate!);
  visit(word, (node) => {
    if (node.type === "SimpleCommand" && literalText(node.name) === EVAL_TEXT_COMMAND) node.args = args;
  });
  command.args = [word];
}

/** The text each routed eval text was made from, by the routed text (the eval's set -x line shows the text as given: userOutput). */
const evalOriginals = new Map<string, string>();
const EVAL_ORIGINALS_ENTRIES = 512;

/** EVAL_TEXT_COMMAND: eval's operands joined by spaces, routed; as written when they do not parse (eval reports it). */
export function evalCommands(): Command[] {
  return [
    defineCommand(EVAL_TEXT_COMMAND, async (args) => {
      const text = args.join(" ");
      let routed = text;
      try {
        routed = transformScript(text, {});
      } catch {
        // eval reports the parse error itself
      }
      if (routed !== text) {
        if (evalOriginals.size >= EVAL_ORIGINALS_ENTRIES) evalOriginals.delete(evalOriginals.keys().next().value!);
        evalOriginals.set(routed.replace(/\n+$/, ""), text);
      }
      return { stdout: routed, stderr: "", exitCode: 0 };
    }),
  ];
}

export interface TransformOptions {
  /** Index of the file in the run's file table; omit to leave locations alone (inner `bash -c` scripts). */
  readonly fileIndex?: number;
  /** The main file (prepare): its commands outside function bodies run where netsim's variables are unset (MAIN_SHELL). */
  readonly main?: boolean;
}

/**
 * Rewrites a parsed script in place (see the head of this file). The parser
 * numbers the lines of a `$(...)` or `<(...)` body from 1: they are placed
 * from the line of the command holding it, so an error inside one is
 * reported where it stands.
 */
export function transformAst(script: object, options: TransformOptions): void {
  // The main shell's `exit` (in its own files, outside any subshell) runs the EXIT trap (trap.ts); a subshell is marked so that a function it calls knows.
  const traps = options.fileIndex !== undefined;
  // Every script routes its output, a nested one too (eval, a trap's handler, bash -c): where it goes is the variables' at run time.
  const route = true;
  const walk = (node: unknown, offset: number, enclosingLine: number, subshell: boolean, capture: Capture, nodeLine = enclosingLine): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child, offset, enclosingLine, subshell, capture, nodeLine);
      return;
    }
    let record = node as Node;
    // Where an arithmetic refusal stands: `(( ))` and `for ((` carry no location assignment of their own.
    const here = typeof record.line === "number" && record.line > 0 ? record.line + offset : nodeLine;
    const replacement = rewriteDynamic(record, options.fileIndex !== undefined && here > 0 ? `${LOCATION_VARIABLE}=${options.fileIndex}:${here} ` : "");
    if (replacement !== undefined) {
      for (const key of Object.keys(record)) delete record[key];
      Object.assign(record, replacement);
      record = node as Node;
    }
    if (route && record.type === "ArithCommandSubst" && typeof record.command === "string") {
      // `$(( $(CMD) ))`: CMD is parsed on its own when it runs, out of this capture; its stdout is the text substituted (set in its own subshell), its stderr the shell's.
      record.command = `${STDOUT_VARIABLE}=/dev/stdout; ${record.command}`;
    }
    let childOffset = offset;
    let childLine = enclosingLine;
    let childSubshell = subshell;
    let childCapture = capture;
    if (route && record.type === "FunctionDef") {
      // The body runs where it is called: its output goes where the caller's does, unless the definition redirects it.
      childCapture = redirectsOutput(record.redirections) ? CAPTURED : NOT_CAPTURED;
    } else if (route && record.type !== "SimpleCommand" && Array.isArray(record.redirections) && redirectsOutput(record.redirections)) {
      // A compound command with a redirection of its own: its body writes to its descriptors in their place, each command as it ends (else the body is captured, and the compound command writes to the sinks).
      const replaced = descriptorRedirections(record.redirections as Node[], capture);
      if (replaced !== undefined) {
        record.redirections = replaced;
        childCapture = DESCRIPTORS;
      } else {
        record.redirections = [...sinkRedirections(capture.descriptors ? routeTemplate().descriptorRedirect : routeTemplate().redirect, capture), ...(record.redirections as Node[])];
        childCapture = CAPTURED;
      }
    }
    if (record.type === "SimpleCommand") {
      rewriteProcSys(record);
      if (traps && !subshell && literalText(record.name) === "exit") record.name = literalWord(EXIT_FUNCTION);
      if (traps && literalText(record.name) === "wait") record.name = literalWord(WAIT_COMMAND);
      if (typeof record.line === "number" && record.line > 0) {
        childLine = record.line + offset;
        if (options.fileIndex !== undefined && record.name && !listsVariables(record)) (record.assignments as Node[]).unshift(capture === MAIN_SHELL ? literalLocation(options.fileIndex, childLine) : locationAssignment(options.fileIndex, childLine));
      }
    } else if (options.fileIndex !== undefined && typeof record.type === "string" && LOOP_NODES.has(record.type)) {
      // Before the walk below: the mark's own command has line 0, so it is not located.
      const line = loopLine(record);
      if (line !== undefined) (record.body as Node[]).unshift(loopMark(options.fileIndex, line + offset));
    } else if (record.type === "CommandSubstitution" || record.type === "ProcessSubstitution") {
      if (enclosingLine > 0) childOffset = enclosingLine - 1;
      childSubshell = true;
      // Its stdout is the text substituted; its stderr is the shell's.
      childCapture = { stdout: true, stderr: capture.stderr, descriptors: capture.descriptors };
      // `$(<FILE)` is bash reading the file itself, no command run: a mark before it would make it an empty command.
      if (traps && !readsFileOnly(record.body as Node)) ((record.body as Node).statements as Node[]).unshift(subshellMark());
    } else if (record.type === "Subshell") {
      childSubshell = true;
      if (traps) (record.body as Node[]).unshift(subshellMark());
    } else if (record.type === "Pipeline" && (record.commands as Node[]).length > 1) {
      childSubshell = true;
      if (traps) markCommands(record);
      if (route) {
        // Each part but the last writes its stdout (and with |& its stderr) into the pipe.
        const commands = record.commands as Node[];
        const pipeStderr = (record.pipeStderr as boolean[] | undefined) ?? [];
        commands.forEach((command, index) => walk(command, childOffset, childLine, childSubshell, index === commands.length - 1 ? capture : { stdout: true, stderr: capture.stderr || pipeStderr[index] === true, descriptors: capture.descriptors }, here));
        return;
      }
    } else if (record.type === "Statement" && record.background === true) {
      childSubshell = true;
      if (traps) {
        for (const pipeline of record.pipelines as Node[]) markCommands(pipeline);
        backgroundJob(record);
      }
    } else if (traps && record.type === "ParameterExpansion" && record.parameter === "!" && record.operation === null) {
      // $!: the job table's last pid.
      const pid = copyNode(jobTemplate().pid);
      for (const key of Object.keys(record)) delete record[key];
      Object.assign(record, pid);
      return;
    }
    for (const key in record) {
      const value = record[key];
      if (value !== null && typeof value === "object") walk(value, childOffset, childLine, childSubshell, childCapture, record.type === "SimpleCommand" ? childLine : here);
    }
    if (record.type === "Statement" && typeof record[SCRIPT_JOB] === "string") scriptJob(record, options.fileIndex);
    // After its words are walked: the routing adds words of its own.
    if (route && record.type === "SimpleCommand" && literalText(record.name) === "eval") evalRouted(record);
    if (route && record.type === "SimpleCommand" && record.name) routeCommand(record, capture);
    else if (route && record.type === "SimpleCommand" && !capture.stderr && (record.assignments as Node[]).length > 0 && (record.redirections as Node[]).length === 0) {
      // An assignment alone (X=1): the embedded shell returns its set -x line as its stderr, which no route of its own may take (redirections make it a bare redirection, of status 0); in a group routed so, it comes where bash prints it.
      const assignment = { ...record };
      for (const key of Object.keys(record)) delete record[key];
      Object.assign(record, { type: "Group", body: [{ type: "Statement", pipelines: [{ type: "Pipeline", commands: [assignment], negated: false, timed: false, timePosix: false }], operators: [], background: false }], redirections: [copyNode((capture.descriptors ? routeTemplate().descriptorRedirect : routeTemplate().redirect)[1]!)] });
    }
  };
  walk(script, 0, 0, false, options.main === true ? MAIN_SHELL : NOT_CAPTURED);
}

function transformUncached(text: string, options: TransformOptions): string {
  const script = parse(text) as unknown as Node;
  transformAst(script, options);
  return serialize(script as never);
}

type ScriptNode = Parameters<typeof serialize>[0];

/**
 * The interpreter's plugin: every script it parses (the main file, `bash -c`
 * texts, nested commands) gets the /proc/sys rewrite; the main file's tree,
 * parsed and located beforehand (its parse error is the run's), is put in
 * place of the interpreter's own parse of the same text.
 */
export class ScenarioTransformPlugin implements TransformPlugin {
  readonly name = "netsim-scenario";
  private prepared: { readonly text: string; readonly ast: ScriptNode } | undefined;
  /** The functions the scripts define, by name (the last definition parsed): finishTraps defines them again. */
  readonly functions = new Map<string, string>();

  /**
   * Parses and locates the main file: the interpreter's next parse uses this
   * tree, with `prelude`'s statements (netsim's own, unlocated) and the trap
   * prelude first, and the call that runs the EXIT trap last.
   * Throws the parser's error.
   */
  prepare(text: string, fileIndex: number, prelude = ""): ScriptNode {
    const ast = parse(text);
    transformAst(ast, { fileIndex, main: true });
    this.collect(ast);
    const statements = (ast as { statements: unknown[] }).statements;
    statements.unshift(...preludeStatements(prelude, fileIndex));
    statements.push(finalExit());
    this.prepared = { text, ast };
    return ast;
  }

  transform(context: { ast: ScriptNode }): { ast: ScriptNode } {
    const prepared = this.prepared;
    if (prepared !== undefined) {
      this.prepared = undefined;
      return { ast: prepared.ast };
    }
    // A job's body, transformed with the file it stands in (scriptJob): taken as it is, its mark dropped.
    const statements = (context.ast as unknown as { statements: Node[] }).statements;
    const first = ((statements[0]?.pipelines as Node[] | undefined)?.[0]?.commands as Node[] | undefined)?.[0];
    if (first?.type === "SimpleCommand" && !first.name && (first.assignments as Node[]).length === 1 && (first.assignments as Node[])[0]!.name === TRANSFORMED_MARK) {
      statements.shift();
      return { ast: context.ast };
    }
    transformAst(context.ast, {});
    this.collect(context.ast);
    return { ast: context.ast };
  }

  private collect(ast: object): void {
    visit(ast, (node) => {
      if (node.type === "FunctionDef" && typeof node.name === "string") this.functions.set(node.name, functionText(node));
    });
  }
}

/** The prelude's statements (netsim's own and the trap functions), parsed once per prelude and copied per run. */
const preludes = new Map<string, readonly unknown[]>();

function preludeStatements(prelude: string, fileIndex: number): unknown[] {
  const key = `${fileIndex}:${prelude}`;
  let statements = preludes.get(key);
  if (statements === undefined) {
    statements = (parse(prelude === "" ? trapPrelude(fileIndex) : `${prelude}\n${trapPrelude(fileIndex)}`) as unknown as { statements: unknown[] }).statements;
    preludes.set(key, statements);
  }
  return copyNode(statements) as unknown[];
}

/**
 * Transforms already made, by file index and text: the transform is a pure
 * function of both, and a scenario's files (its preludes above all) are
 * transformed again on every run of it and of its sibling stages. A parse
 * error is kept as the error it threw. Bounded: the oldest entries go first.
 */
const transformed = new Map<string, { readonly text: string } | { readonly error: unknown }>();
const TRANSFORM_CACHE_ENTRIES = 512;

/** The scenario text as the interpreter runs it; throws the parser's error for text that does not parse. */
export function transformScript(text: string, options: TransformOptions): string {
  const key = `${options.fileIndex ?? ""}:${text}`;
  let result = transformed.get(key);
  if (result === undefined) {
    try {
      result = { text: transformUncached(text, options) };
    } catch (error) {
      result = { error };
    }
    if (transformed.size >= TRANSFORM_CACHE_ENTRIES) transformed.delete(transformed.keys().next().value!);
    transformed.set(key, result);
  }
  if ("error" in result) throw result.error;
  return result.text;
}

/** A set -x line (PS4's default `+`, one more per level of substitution): the levels, and the command as traced. */
const TRACE_LINE = /^(\++) (.*)$/;
/** What of the rewrite set -x shows, and bash would not: dropped (the assignments of netsim's variables, its helpers, the final exit). */
const NETSIM_TRACE = new RegExp(`^(?:__NETSIM_[A-Z0-9_]+=|local __netsim_rc=|${XTRACE_OFF.replace(/[+]/g, "\\+")}$|builtin eval |__netsim_(?:status|trap_take|job_pid|eval_text)(?: |$)|${EXIT_FUNCTION} ${END_OPERAND}$)`);
/** A word as set -x quotes it: $'...' with a control character in it, else '...' (bash's and the embedded shell's way alike). */
function traceQuote(text: string): string {
  if (/[\n\t\r]/.test(text)) return `$'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r")}'`;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The set -x line of an eval whose text was routed (evalRouted): the text as given. */
function evalTraced(command: string): string {
  if (!command.startsWith("eval ") || !command.includes("__NETSIM_")) return command;
  for (const [routed, original] of evalOriginals) if (command === `eval ${traceQuote(routed)}`) return `eval ${traceQuote(original)}`;
  return command;
}

/** What `set`, `env`, `declare -p` and `export -p` list of netsim's variables. */
const NETSIM_LISTING = /^(?:declare -[-a-zA-Z]+ )?__NETSIM_[A-Z0-9_]+=/;

/**
 * What the user sees of the shell's output, with the rewrite undone: set -x
 * shows the commands as written (`+ exit 3`, `+ wait`, `+ echo 1` for `echo 1
 * > /proc/sys/...`), never netsim's assignments and helpers, and listings of
 * the variables leave netsim's out.
 */
export function userOutput(text: string): string {
  if (!text.includes("__NETSIM_") && !text.includes("__netsim_")) return text;
  const lines = text.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    if (NETSIM_LISTING.test(line)) continue;
    const trace = TRACE_LINE.exec(line);
    if (trace === null) {
      kept.push(line);
      continue;
    }
    const [, levels, command] = trace as unknown as [string, string, string];
    if (NETSIM_TRACE.test(command)) continue;
    const shown = evalTraced(command)
      .replace(new RegExp(`^${EXIT_FUNCTION}(?= |$)`), "exit")
      .replace(new RegExp(`^${WAIT_COMMAND}(?= |$)`), "wait")
      .replace(new RegExp(`^${PROC_SYS_WRITE_COMMAND} \\S+ `), "")
      .replace(new RegExp(`^${PROC_SYS_READ_COMMAND}(?= |$)`), "cat");
    kept.push(`${levels} ${shown}`);
  }
  return kept.join("\n");
}
