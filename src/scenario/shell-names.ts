// The names netsim adds to a scenario's shell (variables and functions of its
// own), in one place for the transform, the trap builtin and the runner.

/** The variable that carries the location stack into every command. */
export const LOCATION_VARIABLE = "__NETSIM_AT";
/** The function the transform puts in place of the main shell's `exit` (trap.ts). */
export const EXIT_FUNCTION = "__netsim_exit";
/** Marks a subshell (`( )`, `$( )`, a pipeline's part, a job of `&`), whose `exit` runs no trap. */
export const SUBSHELL_VARIABLE = "__NETSIM_SUB";
/** Marks a simple command run with `&` (its value: the location stack it stands at), for the job table (jobs.ts). */
export const BACKGROUND_VARIABLE = "__NETSIM_BG";
/** What the transform puts in place of `$!` and of the `wait` builtin. */
export const JOB_PID_COMMAND = "__netsim_job_pid";
export const WAIT_COMMAND = "__netsim_wait";
/**
 * Where each command's stdout and stderr go (transform.ts): the sink files
 * below in the main shell, whose writes the runner journals in order, or
 * /dev/stdout and /dev/stderr where the output is captured (`$( )`, a
 * pipe, a redirection of an enclosing command).
 */
export const STDOUT_VARIABLE = "__NETSIM_OUT";
export const STDERR_VARIABLE = "__NETSIM_ERR";
/** The destinations a command with redirections of its own saves before it sets its body's to captured. */
export const SAVED_STDOUT_VARIABLE = "__NETSIM_OUT1";
export const SAVED_STDERR_VARIABLE = "__NETSIM_ERR1";
/** The sink files (proc-sys-fs.ts turns a write to them into a chunk of the run's journal). */
export const STDOUT_SINK = "/dev/.netsim-stdout";
export const STDERR_SINK = "/dev/.netsim-stderr";
