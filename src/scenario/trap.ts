// bash's `trap` builtin (builtins/trap.def, trap.c) for the embedded shell,
// which has none: the table of handlers by signal, `trap -p` and `trap`
// printing them as bash 5.2 does, `trap - SIG` and `trap SIG` resetting, and
// the EXIT and ERR traps run where bash runs them:
// - EXIT at the end of the script and at `exit N` (the transform turns the
//   main shell's `exit` into `__netsim_exit`, a shell function of the
//   prelude that runs the handler in the shell's own state, with $? the exit
//   status, then exits; a subshell's exit runs no trap, as in bash);
// - ERR and then EXIT when `set -e` ends the script: the embedded shell gives
//   no hook there, so finishTraps() runs both after the script, in a shell
//   given the variables the script left and the functions it defined.
// INT, TERM and the other signals are recorded and listed; nothing in a
// simulated scenario sends one. RETURN and DEBUG are refused by name.
import { defineCommand, type Bash, type BashExecResult, type Command } from "just-bash";
import { END_OPERAND, EXIT_FUNCTION, LOCATION_VARIABLE, STDERR_SINK, STDERR_VARIABLE, SUBSHELL_VARIABLE, XTRACE_OFF } from "./shell-names.js";
import { transformScript } from "./transform.js";

/** A handler as eval runs it: with its output routed (transform.ts), as the embedded shell's eval applies no transform of its own; as written when it does not parse (eval reports it). */
function routed(handler: string): string {
  try {
    return transformScript(handler, {});
  } catch {
    return handler;
  }
}

/** Signals by number, as `trap -p` names them (Linux x86-64). */
const SIGNALS = ["EXIT", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"];
/** bash's pseudo-signals, listed after the real ones. */
const PSEUDO_SIGNALS = ["DEBUG", "ERR", "RETURN"];
/** Pseudo-signals whose traps the embedded shell cannot run where bash would. */
export const UNSUPPORTED_SIGNALS: Readonly<Record<string, string>> = {
  DEBUG: "a DEBUG trap (run before every command) is not modelled",
  RETURN: "a RETURN trap (run when a function or sourced file returns) is not modelled",
};

const TAKE_COMMAND = "__netsim_trap_take";

/**
 * Shell functions every main script starts with. `__netsim_exit [N]`: the
 * status is $? on entry (an `exit` with no operand) or N; the EXIT handler
 * runs once, with $? set to it, then the real `exit` ends the shell. The
 * handler stands where bash puts it: at line 1 of the file the shell was in
 * (BASH_LINENO of the trap's frame), called from the exit's callers, so
 * its commands carry the location stack the kernel backend records.
 */
// The subshell test is a case: the embedded shell's [ -z "${V-}" ] fails under set -u (diverges/test-z-default-unset.sh).
export function trapPrelude(mainIndex: number): string {
  return `__netsim_status() { return "$1"; }
${EXIT_FUNCTION}() {
  local __netsim_rc=$? __netsim_handler __netsim_where=\${LOCATION_VARIABLE_NAME-} __netsim_options=$-
  case $__netsim_options in *x*) ${XTRACE_OFF};; esac
  # set -x: the user's exit as bash traces it (the embedded shell traces a function call only once it returns, which an exit never does).
  if [ "\${1-}" = ${END_OPERAND} ]; then shift; else case $__netsim_options in *x*) printf '%sexit%s\\n' "\${PS4-+ }" "\${*:+ $*}" >>"\${${STDERR_VARIABLE}:-${STDERR_SINK}}";; esac; fi
  if [ $# -gt 0 ]; then __netsim_rc=$1; fi
  case "\${${SUBSHELL_VARIABLE}-}" in "")
    __netsim_handler=$(${TAKE_COMMAND} EXIT)
    if [ -n "$__netsim_handler" ]; then
      if [ -n "$__netsim_where" ]; then __netsim_where="\${__netsim_where%%:*}:1\${__netsim_where#"\${__netsim_where%% *}"}"; else __netsim_where=${mainIndex}:1; fi
      LOCATION_VARIABLE_NAME=$__netsim_where
      # The handler is traced as bash traces it, its own commands alone.
      if [ "$__netsim_rc" = 0 ]; then
        case $__netsim_options in *x*) set -x;; esac
        builtin eval "$__netsim_handler"
      else
        case $__netsim_options in *x*) set -x;; esac
        __netsim_status "$__netsim_rc" || builtin eval "$__netsim_handler"
      fi
      ${XTRACE_OFF}
    fi;;
  esac
  if [ $# -gt 0 ]; then exit "$@"; fi
  exit "$__netsim_rc"
}`.replaceAll("LOCATION_VARIABLE_NAME", LOCATION_VARIABLE);
}

/** A signal operand as bash takes it (name with or without SIG, any case, or number), as its trap -p name; undefined when invalid. */
export function signalName(operand: string): string | undefined {
  if (/^\d+$/.test(operand)) return SIGNALS[Number(operand)];
  const upper = operand.toUpperCase();
  if (PSEUDO_SIGNALS.includes(upper) || upper === "EXIT") return upper;
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return SIGNALS.includes(name) ? name : undefined;
}

function order(name: string): number {
  const index = SIGNALS.indexOf(name);
  return index >= 0 ? index : SIGNALS.length + PSEUDO_SIGNALS.indexOf(name);
}

/** bash's single quoting of a handler in `trap -p`. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

export interface TrapOptions {
  /** A trap the embedded shell cannot run (RETURN, DEBUG): the run stops there as at an unmodelled command. */
  readonly onUnsupported?: (word: string, message: string, env: ReadonlyMap<string, string>) => { stdout: string; stderr: string; exitCode: number };
}

/** One shell's traps: the handlers by signal name, and whether the EXIT path ran. */
export class TrapTable {
  private readonly handlers = new Map<string, string>();
  /** Set when the main shell went through `__netsim_exit` (its end or an `exit`): no trap is owed after the script. */
  exited = false;

  constructor(private readonly options: TrapOptions = {}) {}

  handler(signal: string): string | undefined {
    return this.handlers.get(signal);
  }

  private list(names: readonly string[]): string {
    return [...names]
      .filter((name) => this.handlers.has(name))
      .sort((a, b) => order(a) - order(b))
      .map((name) => `trap -- ${quote(this.handlers.get(name)!)} ${name}\n`)
      .join("");
  }

  /** bash's trap builtin (trap.def: trap_builtin), its messages as bash prints them. */
  run(args: readonly string[], env: ReadonlyMap<string, string>): { stdout: string; stderr: string; exitCode: number } {
    let operands = [...args];
    let print = false;
    while (operands.length > 0 && operands[0]!.startsWith("-") && operands[0] !== "-") {
      const option = operands.shift()!;
      if (option === "--") break;
      if (option === "-p") print = true;
      else if (option === "-l" && this.options.onUnsupported) return this.options.onUnsupported(option, "trap -l (the signal list) is not modelled", env);
      else return { stdout: "", stderr: `bash: trap: ${option}: invalid option\ntrap: usage: trap [-lp] [[arg] signal_spec ...]\n`, exitCode: 2 };
    }
    if (print || operands.length === 0) {
      const names = operands.length === 0 ? [...this.handlers.keys()] : [];
      let stderr = "";
      for (const operand of operands) {
        const name = signalName(operand);
        if (name === undefined) stderr += `bash: trap: ${operand}: invalid signal specification\n`;
        else names.push(name);
      }
      return { stdout: this.list(names), stderr, exitCode: stderr === "" ? 0 : 1 };
    }
    // One operand, a leading `-`, or a leading number: every operand is a signal to reset (POSIX).
    const reset = operands.length === 1 || operands[0] === "-" || /^\d+$/.test(operands[0]!);
    const action = reset ? undefined : operands[0]!;
    const signals = reset && operands[0] === "-" ? operands.slice(1) : reset ? operands : operands.slice(1);
    let stderr = "";
    for (const operand of signals) {
      const name = signalName(operand);
      if (name === undefined) {
        stderr += `bash: trap: ${operand}: invalid signal specification\n`;
        continue;
      }
      const unsupported = UNSUPPORTED_SIGNALS[name];
      if (unsupported !== undefined && action !== undefined && this.options.onUnsupported) return this.options.onUnsupported(operand, unsupported, env);
      // Without set -e bash runs ERR after every failing command, which the embedded shell cannot hook: refused, never silently not run.
      if (name === "ERR" && action !== undefined && action !== "" && !(env.get("SHELLOPTS") ?? "").split(":").includes("errexit") && this.options.onUnsupported) {
        return this.options.onUnsupported(operand, "an ERR trap without set -e (run after each failing command) is not modelled; set -e before it", env);
      }
      if (action === undefined) this.handlers.delete(name);
      else this.handlers.set(name, action);
    }
    return { stdout: "", stderr, exitCode: stderr === "" ? 0 : 1 };
  }

  /** The handler the EXIT path runs, once: the table forgets it (an `exit` inside it runs no trap again). */
  take(signal: string): string {
    if (signal === "EXIT") this.exited = true;
    const handler = this.handlers.get(signal) ?? "";
    this.handlers.delete(signal);
    return handler;
  }

  /** `trap` and the prelude's helper, as commands of the embedded shell. */
  commands(): Command[] {
    return [
      defineCommand("trap", async (args, context) => this.run(args, context.env)),
      defineCommand(TAKE_COMMAND, async (args) => ({ stdout: routed(this.take(args[0] ?? "")), stderr: "", exitCode: 0 })),
    ];
  }
}

/** Options of `set -o` that matter to a handler run after the script. */
const KEPT_OPTIONS = ["errexit", "nounset", "pipefail", "errtrace"];

/**
 * The traps a script still owes when `set -e` (or another fatal error)
 * ended it before its end or an `exit`: ERR when errexit was on, then EXIT.
 * They run in the same interpreter, given the shell variables the script
 * left and the functions it defined (`functions`, the last definition of
 * each); arrays and locals of the shell that ended are not carried over.
 * The result is the script's, with the handlers' output after it; a handler's
 * own `exit M` gives the status M.
 */
export async function finishTraps(bash: Bash, result: BashExecResult, table: TrapTable, functions: Iterable<string>, mainIndex: number, prelude = ""): Promise<BashExecResult> {
  if (table.exited) return result;
  const shellOptions = (result.env.SHELLOPTS ?? "").split(":");
  const err = shellOptions.includes("errexit") && result.exitCode !== 0 ? table.take("ERR") : "";
  const exit = table.take("EXIT");
  if (err === "" && exit === "") return result;
  const status = String(result.exitCode);
  const lines = [prelude, trapPrelude(mainIndex), ...functions, `${LOCATION_VARIABLE}=${mainIndex}:1`];
  const options = KEPT_OPTIONS.filter((option) => shellOptions.includes(option));
  if (options.length > 0) lines.push(`set ${options.map((option) => `-o ${option}`).join(" ")}`);
  for (const handler of [err, exit]) if (handler !== "") lines.push(status === "0" ? `builtin eval ${quote(routed(handler))}` : `__netsim_status ${status} || builtin eval ${quote(routed(handler))}`);
  lines.push(`exit ${status}`);
  const after = await bash.exec(lines.filter((line) => line !== "").join("\n"), { env: result.env, replaceEnv: true, rawScript: true, ...(result.env.PWD ? { cwd: result.env.PWD } : {}) });
  return { ...result, stdout: result.stdout + after.stdout, stderr: result.stderr + after.stderr, exitCode: after.exitCode };
}
