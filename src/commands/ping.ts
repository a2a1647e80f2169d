// ping's command line (iputils ping/ping.c: getopt "aAbBc:dDfhHi:I:l:Lm:M:nOp:qQ:rRs:S:t:T:UvVw:W:346").
import { runPing, type PingOptions } from "../probes/ping.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const WITH_ARGUMENT = new Set("cilmMpQsStTwWI".split(""));
const FLAGS = new Set("aAbBdDfhHLnOqrRUvV346".split(""));
const MODELLED_FLAGS = new Set(["b", "n", "q", "4"]);

function integer(text: string, low: number, high: number): number {
  if (!/^-?\d+$/.test(text)) throw new CommandError(`ping: invalid argument: '${text}'`, 1);
  const value = Number(text);
  if (value < low || value > high) throw new CommandError(`ping: invalid argument: '${text}': out of range: ${low} <= value <= ${high === Number.MAX_SAFE_INTEGER ? "9223372036854775807" : high}`, 1);
  return value;
}

export function parsePingArguments(argv: readonly string[]): PingOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const operands: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (!word.startsWith("-") || word === "-") {
      operands.push(word);
      continue;
    }
    for (let position = 1; position < word.length; position++) {
      const option = word[position]!;
      if (WITH_ARGUMENT.has(option)) {
        const value = position + 1 < word.length ? word.slice(position + 1) : argv[++index];
        if (value === undefined) throw new CommandError(`ping: option requires an argument -- '${option}'`, 2);
        values.set(option, value);
        break;
      }
      if (!FLAGS.has(option)) throw new CommandError(`ping: invalid option -- '${option}'`, 2);
      flags.add(option);
    }
  }
  for (const option of [...values.keys(), ...flags]) {
    if (!["c", "W", "w", "I", "i", "t", "s"].includes(option) && !MODELLED_FLAGS.has(option)) {
      throw new UnsupportedError(`-${option}`, `ping -${option} is not modelled`);
    }
  }
  const destination = operands[operands.length - 1];
  if (destination === undefined) throw new CommandError("ping: usage error: Destination address required", 1);
  if (operands.length > 1) throw new CommandError("ping: record route: Operation not permitted", 2);
  const count = values.has("c") ? integer(values.get("c")!, 1, Number.MAX_SAFE_INTEGER) : undefined;
  const deadline = values.has("w") ? integer(values.get("w")!, 0, 2147483647) : undefined;
  if (count === undefined && deadline === undefined) {
    throw new UnsupportedError("ping", "ping without -c or -w never stops; give -c COUNT");
  }
  const ttl = values.has("t") ? integer(values.get("t")!, 0, 255) : 64;
  if (ttl === 0) throw new CommandError("ping: cannot set unicast time-to-live: Invalid argument", 2);
  const timeoutText = values.get("W");
  const intervalText = values.get("i");
  const interval = intervalText === undefined ? 1000 : Math.round(Number(intervalText) * 1000);
  if (!Number.isFinite(interval) || interval < 0) throw new CommandError(`ping: bad timing interval: ${intervalText}`, 1);
  const size = values.has("s") ? integer(values.get("s")!, 0, 65507) : 56;
  return {
    destination,
    count: count ?? Math.max(1, Math.ceil(((deadline ?? 1) * 1000) / Math.max(interval, 1))) + 1,
    ...(timeoutText !== undefined ? { timeoutSeconds: Number(timeoutText) } : {}),
    ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
    ...(values.has("I") ? { interface: values.get("I")! } : {}),
    ttl,
    intervalMs: interval,
    quiet: flags.has("q"),
    size,
    broadcast: flags.has("b"),
  };
}

export function ping(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const options = parsePingArguments(argv);
  const run = runPing(environment.world, environment.namespace, options, environment.tracing, environment.commandText);
  return { kind: "done", stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode, ...(run.trace ? { trace: run.trace } : {}) };
}
