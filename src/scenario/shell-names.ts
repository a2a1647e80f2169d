// The names netsim adds to a scenario's shell (variables and functions of its
// own), in one place for the transform, the trap builtin and the runner.

/** The variable that carries the location stack into every command. */
export const LOCATION_VARIABLE = "__NETSIM_AT";
/** The function the transform puts in place of the main shell's `exit` (trap.ts). */
export const EXIT_FUNCTION = "__netsim_exit";
/** The operand of the call that ends a main script (no `exit` of the user's: set -x shows nothing for it). */
export const END_OPERAND = "--netsim-end";
/** How netsim's own functions turn set -x off (their commands are not the user's): a spelling no script uses, which the trace filter drops (transform.ts). */
export const XTRACE_OFF = "set +o xtrace +o xtrace";
/** Marks a subshell (`( )`, `$( )`, a pipeline's part, a job of `&`), whose `exit` runs no trap. */
export const SUBSHELL_VARIABLE = "__NETSIM_SUB";
/** Marks a simple command run with `&` (its value: the location stack it stands at), for the job table (jobs.ts). */
export const BACKGROUND_VARIABLE = "__NETSIM_BG";
/** What the transform puts in place of `$!` and of the `wait` builtin. */
export const JOB_PID_COMMAND = "__netsim_job_pid";
/**
 * Where a loop's iteration marks itself (`< /.netsim-loop/FILE:LINE`, the
 * first command of every loop body): a redirection alone, which set -x does
 * not show, read by the file system (proc-sys-fs.ts), so a loop of builtins
 * alone, which reaches no netsim command, still names its line when the
 * command budget ends it.
 */
export const LOOP_MARK_PATH = "/.netsim-loop/";
export const WAIT_COMMAND = "__netsim_wait";
/**
 * Where each command's stdout and stderr go (transform.ts): unset in the
 * main shell, where they default to the sink files below, whose writes the
 * runner journals in order (unset, so that set, declare -p and export -p list
 * none of netsim's variables); /dev/stdout and /dev/stderr where the output
 * is captured (`$( )`, a pipe, a redirection of an enclosing command).
 */
export const STDOUT_VARIABLE = "__NETSIM_OUT";
export const STDERR_VARIABLE = "__NETSIM_ERR";
/** The destinations a command with redirections of its own saves before it sets its body's to captured. */
export const SAVED_STDOUT_VARIABLE = "__NETSIM_OUT1";
export const SAVED_STDERR_VARIABLE = "__NETSIM_ERR1";
/**
 * The descriptors a compound command with redirections of fd 1 or 2 of its
 * own (`{ ...; } >LOG 2>&1`, `for ...; done >LOG`) opens in their place
 * (transform.ts): its body's commands write to them as each ends, so what
 * they write reaches LOG in the order written, as in bash (just-bash would
 * collect the body's stdout and stderr apart and write stdout first).
 */
export const STDOUT_DESCRIPTOR = 61;
export const STDERR_DESCRIPTOR = 62;
/** The sink files (proc-sys-fs.ts turns a write to them into a chunk of the run's journal). */
export const STDOUT_SINK = "/dev/.netsim-stdout";
export const STDERR_SINK = "/dev/.netsim-stderr";
