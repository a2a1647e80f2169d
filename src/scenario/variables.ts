// bash 5.2's dynamic variables (variables.c: get_random_number, brand,
// assign_random, get_seconds, assign_seconds, get_epochseconds,
// get_epochrealtime, get_urandom32) and printf's %(FORMAT)T (builtins/printf.def)
// on the scenario's virtual clock and a seeded generator, plus coreutils date
// (commands/date.ts), so a run replays byte for byte. just-bash reads
// $RANDOM from Math.random() and $SECONDS from the host clock, and has no
// $SRANDOM, $EPOCHSECONDS or $EPOCHREALTIME: the transform (transform.ts)
// puts `$(__netsim_var NAME)` in place of each read, and after an assignment
// `RANDOM=N` / `SECONDS=N` a call that reads the new value.
//
// Clock: the world's clock, µs since the Unix epoch (0 when the run starts,
// so 1970-01-01 00:00:00 UTC), in UTC. RANDOM: bash's own generator (the
// Park-Miller "minimal standard" LCG, 16807 mod 2^31-1, each value
// `(seed >> 16) ^ (seed & 65535)` masked to 15 bits, never the same value
// twice in a row), seeded with RANDOM_SEED until the script assigns RANDOM:
// `RANDOM=5; echo $RANDOM $RANDOM` prints bash's `18498 29338`. Where bash
// reseeds a subshell from its pid and the time, the one sequence goes on.
// SRANDOM: 32 bits from a second generator seeded with SRANDOM_SEED (bash's
// come from getrandom(2) and never replay).
import { defineCommand, type Command } from "just-bash";
import { date } from "../commands/date.js";

/** The seed $RANDOM starts from, as if the script began with `RANDOM=1`. */
export const RANDOM_SEED = 1;
/** The seed of $SRANDOM's generator. */
export const SRANDOM_SEED = 0;

/** The variables whose reads the transform replaces. */
export const DYNAMIC_VARIABLES: ReadonlySet<string> = new Set(["RANDOM", "SRANDOM", "SECONDS", "EPOCHSECONDS", "EPOCHREALTIME"]);
/** The ones an assignment changes (bash ignores assignments to the others). */
export const ASSIGNABLE_VARIABLES: ReadonlySet<string> = new Set(["RANDOM", "SECONDS"]);

export const VARIABLE_COMMAND = "__netsim_var";
export const VARIABLE_SET_COMMAND = "__netsim_var_set";
export const VARIABLE_REFUSE_COMMAND = "__netsim_var_refuse";
/** The variable the assignment hook's `$(...)` is assigned to. */
export const VARIABLE_SET_VARIABLE = "__NETSIM_VAR_SET";

/** intrand32: x(n+1) = 16807 x(n) mod (2^31 - 1), split to avoid overflow, as bash computes it. */
function intrand32(last: number): number {
  const value = last === 0 ? 123459876 : last;
  const h = Math.floor(value / 127773);
  const l = value - 127773 * h;
  const t = 16807 * l - 2836 * h;
  return t < 0 ? t + 0x7fffffff : t;
}

/** bash's RANDOM: brand() with shell_compatibility_level > 50. */
export class BashRandom {
  private seed: number;
  private last = 0;

  constructor(seed = RANDOM_SEED) {
    this.seed = seed >>> 0;
  }

  /** sbrand: the seed as an unsigned 32-bit number (strtoul's unsigned long, cut to 32 bits). */
  reseed(seed: bigint): void {
    this.seed = Number(BigInt.asUintN(32, seed));
    this.last = 0;
  }

  next(): number {
    let value: number;
    do {
      this.seed = intrand32(this.seed) >>> 0;
      value = ((this.seed >>> 16) ^ (this.seed & 65535)) & 32767;
    } while (value === this.last);
    this.last = value;
    return value;
  }
}

/** SRANDOM's stand-in: a seeded 32-bit generator (splitmix32). */
class SeededRandom32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
}

export interface ShellVariablesOptions {
  /** The virtual clock now, µs since the epoch. */
  readonly clock: () => number;
  /** Refuses what is not modelled: stops the run, naming the word. */
  readonly onUnsupported: (word: string, detail: string, env: ReadonlyMap<string, string>) => { stdout: string; stderr: string; exitCode: number };
}

/** %(...)T conversions of a printf format, by the index of the argument each takes in one pass, and how many a pass takes. */
function timeArguments(format: string): { readonly times: readonly number[]; readonly consumed: number } {
  const times: number[] = [];
  let consumed = 0;
  for (let index = 0; index < format.length; index++) {
    if (format[index] === "\\") {
      index++;
      continue;
    }
    if (format[index] !== "%") continue;
    index++;
    if (format[index] === "%") continue;
    while (index < format.length && "#'-+ 0".includes(format[index]!)) index++;
    if (format[index] === "*") {
      consumed++;
      index++;
    } else while (index < format.length && /\d/.test(format[index]!)) index++;
    if (format[index] === ".") {
      index++;
      if (format[index] === "*") {
        consumed++;
        index++;
      } else while (index < format.length && /\d/.test(format[index]!)) index++;
    }
    while (index < format.length && "hlLqjzt".includes(format[index]!)) index++;
    if (format[index] === "(") {
      const close = format.indexOf(")", index);
      if (close < 0) return { times, consumed };
      index = close + 1;
      if (format[index] === "T") times.push(consumed);
    }
    if (index < format.length) consumed++;
  }
  return { times, consumed };
}

/**
 * The commands behind the dynamic variables, `date`, and printf's %T (its
 * "now" arguments -1, -2 and none, given the virtual clock's seconds; the rest
 * is just-bash's printf).
 */
export function shellVariableCommands(options: ShellVariablesOptions): Command[] {
  const random = new BashRandom();
  const srandom = new SeededRandom32(SRANDOM_SEED);
  const start = options.clock();
  // SECONDS: the value last assigned (0 at the start) plus the seconds since then.
  let secondsAssigned = 0n;
  let secondsSince = Math.floor(start / 1e6);
  const value = (name: string): string => {
    const clock = options.clock();
    switch (name) {
      case "RANDOM": return String(random.next());
      case "SRANDOM": return String(srandom.next());
      case "SECONDS": return String(secondsAssigned + BigInt(Math.floor(clock / 1e6) - secondsSince));
      case "EPOCHSECONDS": return String(Math.floor(clock / 1e6));
      case "EPOCHREALTIME": return `${Math.floor(clock / 1e6)}.${String(clock % 1e6).padStart(6, "0")}`;
    }
    return "";
  };
  return [
    defineCommand(VARIABLE_COMMAND, async (args) => ({ stdout: value(args[0] ?? ""), stderr: "", exitCode: 0 })),
    defineCommand(VARIABLE_SET_COMMAND, async (args, context) => {
      const name = args[0] ?? "";
      const assigned = context.env.get(name) ?? "";
      // RANDOM and SECONDS have the integer attribute: what is assigned is evaluated as arithmetic (`RANDOM=nonsense` seeds 0).
      let number: bigint | undefined;
      if (/^\s*[+-]?\d+\s*$/.test(assigned) && !/^\s*[+-]?0\d/.test(assigned)) number = BigInt(assigned.trim());
      else if (/^[\sA-Za-z0-9_+\-*/%()<>=!&|^~?:,]*$/.test(assigned) && context.exec) {
        // Its output is the value, not the sinks' (transform.ts).
        const evaluated = await context.exec(`echo $((${assigned}))`, { cwd: context.cwd, env: { __NETSIM_OUT: "/dev/stdout" } });
        if (evaluated.exitCode === 0 && /^-?\d+\n$/.test(evaluated.stdout)) number = BigInt(evaluated.stdout.trim());
      }
      if (number === undefined || number > BigInt(Number.MAX_SAFE_INTEGER) || number < -BigInt(Number.MAX_SAFE_INTEGER)) {
        return options.onUnsupported(`${name}=${assigned}`, `an assignment to ${name} of anything but an integer or an arithmetic expression with one is not modelled`, context.env);
      }
      if (name === "RANDOM") random.reseed(number);
      if (name === "SECONDS") {
        secondsAssigned = number;
        secondsSince = Math.floor(options.clock() / 1e6);
      }
      return { stdout: "", stderr: "", exitCode: 0 };
    }),
    defineCommand(VARIABLE_REFUSE_COMMAND, async (args, context) => options.onUnsupported(args[0] ?? "", args[1] ?? "", context.env)),
    defineCommand("date", async (args, context) => {
      const outcome = date(args, { clock: options.clock(), tz: context.env.get("TZ") });
      if ("unsupported" in outcome) return options.onUnsupported(outcome.unsupported.word, outcome.unsupported.detail, context.env);
      return outcome;
    }),
    defineCommand("printf", async (args, context) => {
      const original = context.origCommand;
      if (!original) throw new Error("netsim: the shell gave no way to run its own printf");
      if (!args.some((arg) => arg.includes("%("))) return original(args);
      let first = 0;
      if (args[0] === "-v") first = 2;
      if (args[first] === "--") first++;
      const format = args[first];
      if (format === undefined) return original(args);
      const { times, consumed } = timeArguments(format);
      if (times.length === 0) return original(args);
      if (context.env.has("TZ") && !["", "UTC", "UTC0", ":UTC"].includes(context.env.get("TZ")!)) {
        return options.onUnsupported(`TZ=${context.env.get("TZ")}`, "printf %(...)T in a time zone other than UTC is not modelled (the scenario's clock is UTC)", context.env);
      }
      const now = String(Math.floor(options.clock() / 1e6));
      const values = args.slice(first + 1);
      // The format is used again while arguments are left (and it takes any); a %T without its argument shows now.
      let base = 0;
      do {
        for (const at of times) {
          const index = base + at;
          while (values.length <= index) values.push("");
          const argument = values[index]!;
          if (argument === "" || argument === "-1") values[index] = now;
          else if (argument === "-2") values[index] = String(Math.floor(start / 1e6));
        }
        base += consumed;
      } while (consumed > 0 && base < values.length);
      return original([...args.slice(0, first + 1), ...values]);
    }),
  ];
}
