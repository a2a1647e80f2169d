// bash's job control for a non-interactive shell (jobs.c, builtins/jobs.def,
// kill.def, wait.def) on the world's virtual clock: `cmd &` starts a job that
// goes on while later lines run (a listener keeps listening, a background
// ping keeps sending), `$!` is its pid, `jobs` lists the running ones, `kill`
// signals one (a killed listener closes its socket: the next connect is
// refused), `wait` lets virtual time pass until jobs exit, and `sleep` moves
// every job on. What a job prints is queued at the virtual time it wrote
// it and shown before the scenario's next output written later (take), or
// appended then to the file its stream was sent to. The embedded shell
// runs `&` in the foreground, so the transform marks a backgrounded simple
// command instead (BACKGROUND_VARIABLE) and the runner hands its process to
// this table. A job of a subshell, group or bash -c is a shell of its own
// (ScriptState), which takes turns with the main shell.
import type { CommandProcess, ProcessOutput, TimedOutput } from "../commands/command.js";
import { signalNumber } from "../model/signal.js";
import type { World } from "../model/world.js";
import { advanceClock, createSimulation, runEvents } from "../net/index.js";
import { ListenerProcess } from "../probes/servers.js";

/** A job: a program that keeps running (`process`), one that ended at once, or `sleep N &` (ends at `until`). */
export interface Job {
  readonly number: number;
  readonly pid: number;
  /** The command as `jobs` shows it. */
  readonly text: string;
  readonly process?: CommandProcess;
  /** Virtual time (µs) a background sleep ends at. */
  readonly until?: number;
  /** The files (absolute paths) its stdout and stderr were redirected to where it was started: what it prints later goes there, not to the scenario's streams. */
  readonly redirects?: JobRedirects;
  exitCode: number | undefined;
  /** It ended by a signal (kill): bash drops such a background job from its table without a word. */
  signalled?: boolean;
  /** Its stdout since it started, as collected. */
  printed: string;
  /** Its stderr since it started (tcpdump's statistics when it stops). */
  printedErrors: string;
  /** The virtual time a job that is a shell of its own ended at: the shell notices it JOB_OUTPUT_LATENCY later (list). */
  endedAt?: number;
  /** Called when the job exits, or when the scenario ends with it still running (the runner completes its record). */
  readonly onExit?: (job: Job) => void;
  /** A job that is a shell of its own (bash -c, ( ), { }): where it stands on the virtual clock. */
  readonly script?: ScriptState;
}

/**
 * A job that is a shell of its own (`bash -c '...' &`, `( ... ) &`,
 * `{ ...; } &`): the embedded shell runs it as a second execution, which
 * takes turns with the main shell, one at a time (never both at once, so
 * every run is the same): it runs until its `sleep` (or a program of its
 * own that keeps running, a listener) makes it wait for virtual time to
 * pass, then it parks and the main shell goes on; the main shell's `sleep`
 * and `wait`, and each command it runs, first give their turn to the jobs
 * whose time has come, in time order.
 */
export interface ScriptState {
  /** Resumes the job's shell where it parked; undefined while it runs and once it ended. */
  resume?: () => void;
  /** The virtual time its sleep ends at, while parked in one. */
  wake?: number;
  /** The program of its own it waits for (a listener in its foreground), while parked on it; and what that printed so far. */
  waiting?: { readonly process: CommandProcess; stdout: string; stderr: string };
  /** Ends the turn that runs it (it parked or ended). */
  yielded?: () => void;
  /** Stops its shell at the next statement (kill). */
  readonly abort: AbortController;
}

export interface JobRedirects {
  readonly stdout?: string;
  readonly stderr?: string;
}

/** A piece of a job's output waiting to be shown, and whose it is (where it goes: Job.redirects). */
export interface JobOutput extends TimedOutput {
  readonly job: Job;
}

/** Why a job of `&` that is not a simple command is refused. */
export const COMPOUND_JOB_MESSAGE = "a job of & that is a pipeline, a loop or a shell function is not modelled: the embedded shell would run it to its end first (a job of ( ... ), { ...; } or bash -c is: put the pipeline in one)";

/**
 * How much later than the shell's own output at the same virtual time a
 * job's line reaches the scenario's stdout (µs): a job is another process,
 * which has to start (fork, exec) or wake up and write, while the shell's
 * next builtin, and a foreground program already running, print at once.
 * So a job's line written at T comes before what the shell writes after
 * T + JOB_OUTPUT_LATENCY, after what it writes up to then. Measured in the
 * kernel sandbox (test/fixtures/job-output): `ping -c 3 X & echo started`
 * prints started before ping's header; `sleep 1; echo slept` prints slept
 * before the reply to the send made 1 s after the start; a tcpdump -l job's
 * line for an echo request comes after the foreground ping's line for its
 * reply, 40-300 µs later, and after an echo run as that ping exits; and
 * before what the shell prints 300 ms on. One millisecond lies between.
 */
export const JOB_OUTPUT_LATENCY = 1000;

/** The first pid the table hands out: what a fresh pid namespace's shell would see is not knowable, only that pids grow. */
const FIRST_PID = 1000;

export class JobTable {
  private readonly jobs: Job[] = [];
  /** What jobs printed and the shell has not shown yet, each piece at the virtual time it was written (in the order written at one time). */
  private readonly unshown: JobOutput[] = [];
  private nextPid = FIRST_PID;
  private lastPid: number | undefined;
  /** bash's current job (+): the last started; when it leaves the table, the newest still running (reset_current). */
  private currentJob: Job | undefined;

  constructor(private readonly world: World) {}

  /** `$!`: the pid of the last job started, empty before any. */
  get last(): string {
    return this.lastPid === undefined ? "" : String(this.lastPid);
  }

  start(text: string, spec: { readonly process?: CommandProcess; readonly until?: number; readonly redirects?: JobRedirects; readonly exitCode?: number; readonly onExit?: (job: Job) => void; readonly script?: ScriptState }): Job {
    this.cleanupSignalled();
    // bash's job slots: one past the highest in use, 1 in an empty table.
    const number = (this.jobs.length === 0 ? 0 : Math.max(...this.jobs.map((job) => job.number))) + 1;
    const job: Job = { number, pid: this.nextPid++, text, ...(spec.process ? { process: spec.process } : {}), ...(spec.until !== undefined ? { until: spec.until } : {}), ...(spec.redirects ? { redirects: spec.redirects } : {}), exitCode: spec.exitCode, printed: "", printedErrors: "", ...(spec.onExit ? { onExit: spec.onExit } : {}), ...(spec.script ? { script: spec.script } : {}) };
    this.lastPid = job.pid;
    this.jobs.push(job);
    this.currentJob = job;
    return job;
  }

  /** The script job whose turn it is (its commands are running), if any: the main shell's otherwise. */
  private turnOf: Job | undefined;

  get current(): Job | undefined {
    return this.turnOf;
  }

  /**
   * `bash -c ... &`, `( ... ) &`: a job that is a shell of its own (run, given
   * the signal that stops it), started now; it runs its first turn at once,
   * up to its first wait, and the main shell goes on from there.
   */
  async startScript(text: string, redirects: JobRedirects | undefined, run: (signal: AbortSignal) => Promise<{ readonly stdout: string; readonly stderr: string; readonly exitCode: number }>): Promise<Job> {
    const script: ScriptState = { abort: new AbortController() };
    const job = this.start(text, { script, ...(redirects ? { redirects } : {}) });
    await this.turn(job, () => {
      run(script.abort.signal).then(
        (result) => {
          // What reached the job's shell's own streams rather than a sink; a killed one says nothing more (the interpreter's note of the stop is its own).
          if (!script.abort.signal.aborted) this.collect(job, { stdout: result.stdout, stderr: result.stderr });
          this.exit(job, result.exitCode);
        },
        (error: unknown) => {
          this.collect(job, { stdout: "", stderr: `netsim: the job failed: ${String(error)}\n` });
          this.exit(job, 1);
        },
      ).finally(() => {
        script.resume = undefined;
        script.yielded?.();
      });
    });
    return job;
  }

  /** Runs a script job's turn (`go` starts or resumes it) until it parks or ends. */
  private async turn(job: Job, go: () => void): Promise<void> {
    const previous = this.turnOf;
    this.turnOf = job;
    const over = new Promise<void>((resolve) => (job.script!.yielded = resolve));
    go();
    await over;
    job.script!.yielded = undefined;
    this.turnOf = previous;
  }

  /** Parks the current script job: its turn ends, it goes on when the clock reaches `until` (a pump's turn). */
  async sleepIn(job: Job, microseconds: number): Promise<void> {
    const script = job.script!;
    script.wake = this.world.clock + microseconds;
    await new Promise<void>((resume) => {
      script.resume = resume;
      script.yielded!();
    });
  }

  /** Parks the current script job until `process` (a program of its own in its foreground) exits; what it printed meanwhile. */
  async waitIn(job: Job, process: CommandProcess): Promise<{ readonly stdout: string; readonly stderr: string }> {
    const script = job.script!;
    const waiting = { process, stdout: "", stderr: "" };
    script.waiting = waiting;
    await new Promise<void>((resume) => {
      script.resume = resume;
      script.yielded!();
    });
    return { stdout: waiting.stdout, stderr: waiting.stderr };
  }

  /** Resumes a parked script job for a turn. */
  private async resume(job: Job): Promise<void> {
    const script = job.script!;
    const resume = script.resume;
    if (resume === undefined) return;
    await this.turn(job, () => {
      script.resume = undefined;
      script.wake = undefined;
      script.waiting = undefined;
      resume();
    });
  }

  /** The script jobs parked and still running. */
  private parked(): Job[] {
    return this.jobs.filter((job) => job.script?.resume !== undefined && job.exitCode === undefined && job !== this.turnOf);
  }

  /** Reads the program a parked job waits for, up to `until` (a probe stops at its exit); true once it exited. */
  private waitedExited(job: Job, until = this.world.clock): boolean {
    const waiting = job.script?.waiting;
    if (waiting === undefined) return false;
    const output = waiting.process.runUntil(until);
    waiting.stdout += output.stdout;
    waiting.stderr += output.stderr;
    return waiting.process.exitCode !== undefined;
  }

  /**
   * Gives their turns to the script jobs whose time comes by `until`, in time
   * order, the clock moved on to each one's time (every job and the world's
   * events running alongside), then moves the clock to `until`. A job waiting
   * for a program of its own goes on at the moment that program exits.
   * Returns the first script job that woke later than its time (a command of
   * the main shell let time pass past it in one go), if any.
   */
  async pump(until: number, stop?: () => boolean): Promise<Job | undefined> {
    let late: Job | undefined;
    for (;;) {
      if (stop?.()) return late;
      const parked = this.parked();
      const exited = parked.find((job) => this.waitedExited(job));
      if (exited) {
        await this.resume(exited);
        continue;
      }
      const sleeping = parked.filter((job) => job.script!.wake !== undefined).sort((left, right) => left.script!.wake! - right.script!.wake!);
      const next = sleeping[0];
      const target = next !== undefined && next.script!.wake! <= until ? Math.max(next.script!.wake!, this.world.clock) : until;
      if (next !== undefined && next.script!.wake! < this.world.clock) late ??= next;
      if (this.world.clock < target) {
        // A program a job waits for, and (in a wait) a probe job: each runs to its exit, where the clock stops, or to the target.
        const watched = parked.filter((job) => job.script!.waiting !== undefined);
        const exitedProbe = watched.find((job) => !(job.script!.waiting!.process instanceof ListenerProcess) && this.waitedExited(job, target));
        const probeJob = exitedProbe ?? (stop ? this.running().find((job) => job.process !== undefined && !isListener(job) && (this.read(job, target), job.exitCode !== undefined)) : undefined);
        if (probeJob !== undefined) {
          this.poll();
          continue;
        }
        const listeners = watched.filter((job) => job.script!.waiting!.process instanceof ListenerProcess);
        if (listeners.length > 0) {
          // Up to the first event after which a listener a job waits for has exited (it served its connection).
          runEvents(createSimulation(this.world, false), target, () => listeners.some((job) => job.script!.waiting!.process.exitCode !== undefined));
          this.poll();
          if (this.world.clock < target) continue;
        }
      }
      if (this.world.clock < target) this.advance(target - this.world.clock);
      if (next === undefined || next.script!.wake! > until) return late;
      await this.resume(next);
    }
  }

  /** A parked script job whose sleep ended before now (the clock passed it in one go), if any. */
  late(): Job | undefined {
    return this.parked().find((job) => job.script!.wake !== undefined && job.script!.wake < this.world.clock);
  }

  /** The scenario ended: every script job still parked stops (its shell unwinds at once, printing nothing more). */
  async stopScripts(): Promise<void> {
    for (const job of this.parked()) {
      job.script!.abort.abort();
      job.script!.waiting?.process.kill("TERM");
      this.exit(job, 128 + signalNumber("TERM"));
      await this.resume(job);
    }
  }

  /** kill of a script job: its shell stops at the next statement; a program it waits for is signalled too. */
  async killScript(job: Job, signal: string): Promise<void> {
    if (job.exitCode !== undefined) return;
    job.signalled = true;
    const script = job.script!;
    script.waiting?.process.kill(signal);
    script.abort.abort();
    this.exit(job, 128 + signalNumber(signal));
    // Its shell unwinds: the sleep it parked in returns, the interpreter stops there.
    await this.resume(job);
  }

  /** Runs a job's process on to `until`: what it printed is kept in the job and queued to be shown at its time; its exit noticed. */
  private read(job: Job, until: number): void {
    this.collect(job, job.process!.runUntil(until));
    if (job.process!.exitCode !== undefined) this.exit(job, job.process!.exitCode);
  }

  /** What a job printed (`output`, by now): kept in the job, and queued to be shown at its time (where its streams go: redirects). */
  collect(job: Job, output: ProcessOutput): void {
    job.printed += output.stdout;
    job.printedErrors += output.stderr;
    const pieces = output.timed ?? [
      { time: this.world.clock, stream: "stdout" as const, text: output.stdout },
      { time: this.world.clock, stream: "stderr" as const, text: output.stderr },
    ];
    for (const piece of pieces) if (piece.text !== "") this.queue({ ...piece, job });
  }

  /** Queued in time order; after what is queued for the same time (it was written later). */
  private queue(piece: JobOutput): void {
    let index = this.unshown.length;
    while (index > 0 && this.unshown[index - 1]!.time > piece.time) index--;
    this.unshown.splice(index, 0, piece);
  }

  /** What jobs printed before virtual time `before` and is not shown yet, in time order (taken off the queue). */
  take(before: number): JobOutput[] {
    // What goes to a file is there as soon as it is written (`nc -l PORT > FILE &`, then `cat FILE`): no latency applies to it.
    const taken: JobOutput[] = [];
    const kept: JobOutput[] = [];
    for (const piece of this.unshown) (piece.time < before || piece.job.redirects?.[piece.stream] !== undefined ? taken : kept).push(piece);
    this.unshown.splice(0, this.unshown.length, ...kept);
    return taken;
  }

  /** Whether anything a job printed waits to be shown. */
  get pendingOutput(): boolean {
    return this.unshown.length > 0;
  }

  private exit(job: Job, code: number): void {
    if (job.exitCode !== undefined && job.until === undefined && job.process === undefined) return;
    if (job.exitCode === undefined) {
      job.exitCode = code;
      if (job.script) job.endedAt = this.world.clock;
      job.onExit?.(job);
    }
  }

  /** Moves every running job on to the clock's time; what they printed is queued (take). */
  poll(): void {
    for (const job of this.jobs) {
      if (job.exitCode !== undefined) continue;
      if (job.process) this.read(job, this.world.clock);
      else if (job.until !== undefined && this.world.clock >= job.until) this.exit(job, 0);
    }
  }

  /** Lets `microseconds` of virtual time pass with every job running alongside (`sleep`): a job's own events (a ping's sends) are the world's, run in time order whoever moves the clock. */
  advance(microseconds: number): void {
    const target = this.world.clock + microseconds;
    for (const job of this.running()) {
      if (!job.process || isListener(job)) continue;
      this.read(job, target);
    }
    if (this.world.clock < target) advanceClock(this.world, target - this.world.clock);
    this.poll();
  }

  /**
   * The scenario has ended: a job still running (a background tcpdump, a
   * listener) gives its record what it printed by now, as the kernel backend
   * records such a job when it stops it at the end.
   */
  end(): void {
    for (const job of this.running()) job.onExit?.(job);
  }

  running(): Job[] {
    return this.jobs.filter((job) => job.exitCode === undefined);
  }

  /** A job by `%N`, `%%`/`%+`, `%-` or pid; a string when there is none (bash's message without its prefix). */
  find(spec: string, builtin: "kill" | "wait"): Job | string {
    if (spec.startsWith("%")) {
      const current = this.jobs[this.jobs.length - 1];
      const job = spec === "%%" || spec === "%+" || spec === "%" ? current : spec === "%-" ? this.jobs[this.jobs.length - 2] : /^%\d+$/.test(spec) ? this.jobs.find((candidate) => candidate.number === Number(spec.slice(1))) : this.jobs.find((candidate) => candidate.text.startsWith(spec.slice(1)));
      // A job that exited and was reported, or waited for, is gone from the table, as in bash.
      return job ?? `${builtin}: ${spec}: no such job`;
    }
    if (!/^\d+$/.test(spec)) return builtin === "kill" ? `kill: ${spec}: arguments must be process or job IDs` : `wait: \`${spec}': not a pid or valid job spec`;
    const job = this.jobs.find((candidate) => candidate.pid === Number(spec));
    if (builtin === "kill") return job && job.exitCode === undefined ? job : `kill: (${spec}) - No such process`;
    return job ?? `wait: pid ${spec} is not a child of this shell`;
  }

  /** kill: a signal to a job (TERM by default); a listener closes its socket at once. A job that has exited already takes it without a word (bash: status 0). */
  kill(job: Job, signal: string): void {
    if (job.exitCode !== undefined) return;
    job.signalled = true;
    if (job.process) {
      job.process.kill(signal);
      // What it prints as it stops (tcpdump's statistics, ping's summary on INT), at this time; a listener prints nothing (and has closed its sockets).
      if (!isListener(job)) this.collect(job, job.process.runUntil(this.world.clock));
      this.exit(job, job.process.exitCode ?? 128 + signalNumber(signal));
    } else this.exit(job, 128 + signalNumber(signal));
  }

  /**
   * `jobs` (bash's pretty_print_job for a non-interactive shell): every job
   * of the table, + the current (the last started), - the previous (the
   * running one before it). A job that exited is shown once, `Done` or
   * `Exit N`, and leaves the table (notified); one a signal ended leaves it
   * unshown.
   */
  list(pidsOnly: boolean): string {
    this.cleanupSignalled();
    const current = this.currentJob;
    const previous = this.jobs.filter((job) => job !== current && job.exitCode === undefined).at(-1);
    // A shell of its own that ended less than JOB_OUTPUT_LATENCY ago is still starting up or exiting, as far as the shell can tell.
    const ended = (job: Job) => job.exitCode !== undefined && !(job.endedAt !== undefined && job.endedAt + JOB_OUTPUT_LATENCY > this.world.clock && !job.signalled);
    const text = this.jobs
      .map((job) => {
        if (pidsOnly) return `${job.pid}\n`;
        const marker = job === current ? "+" : job === previous ? "-" : " ";
        const state = !ended(job) ? "Running" : job.exitCode === 0 ? "Done" : `Exit ${job.exitCode}`;
        return `[${job.number}]${marker}  ${state.padEnd(24)}${job.text}${!ended(job) ? " &" : ""}\n`;
      })
      .join("");
    this.forget(ended);
    return text;
  }

  /** Drops the jobs `which` selects from the table (delete_job): their numbers are free again. */
  private forget(which: (job: Job) => boolean): void {
    for (let index = this.jobs.length - 1; index >= 0; index--) if (which(this.jobs[index]!)) this.jobs.splice(index, 1);
    if (this.currentJob !== undefined && !this.jobs.includes(this.currentJob)) this.currentJob = this.jobs.filter((job) => job.exitCode === undefined).at(-1);
  }

  /** A background job a signal ended is gone by the next job or listing, silently (bash's cleanup of notified dead jobs). */
  private cleanupSignalled(): void {
    this.forget((job) => job.exitCode !== undefined && job.signalled === true);
  }

  /**
   * After `wait`: the jobs waited for by name leave the table, and a `wait`
   * of every job drops every one that has ended. (bash may keep $!'s job
   * for a later `wait $!`, depending on when SIGCHLD reaped it: measured
   * both ways from one script, so the deterministic half is modelled.)
   */
  waited(jobs: readonly Job[] | "all"): void {
    this.forget((job) => job.exitCode !== undefined && (jobs === "all" || jobs.includes(job)));
  }

  /**
   * `wait [JOB...]`: virtual time passes until the jobs exit (all running
   * ones with no operand). A listener never exits: the wait would last
   * forever, so it stops at the budget `limit` (µs of virtual time) and says
   * so; undefined then.
   */
  async waitFor(jobs: readonly Job[], limit: number): Promise<{ readonly exitCode: number } | undefined> {
    const pending = () => jobs.filter((job) => job.exitCode === undefined);
    while (pending().length > 0) {
      if (pending().some(isListener) || this.world.clock >= limit) return undefined;
      if (this.parked().length > 0) {
        // Jobs that are shells of their own take their turns as the time passes, until the jobs waited for have ended.
        await this.pump(limit, () => pending().length === 0);
        this.poll();
        continue;
      }
      const next = pending()[0]!;
      // A probe runs its events until it exits (the clock stops there); a background sleep ends at its time.
      if (next.process) this.read(next, limit);
      else this.advance(Math.max(0, Math.min(next.until ?? limit, limit) - this.world.clock));
      this.poll();
    }
    return { exitCode: jobs.length === 0 ? 0 : jobs[jobs.length - 1]!.exitCode ?? 0 };
  }
}

/** A listener (nc -l, socat, a server) exits only when killed: it needs no clock steps and no wait ends for it. */
function isListener(job: Job): boolean {
  return job.process instanceof ListenerProcess;
}
