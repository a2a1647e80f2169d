// ping's command line (iputils ping/ping.c: getopt "aAbBc:dDfhHi:I:l:Lm:M:nOp:qQ:rRs:S:t:T:UvVw:W:346").
import { PingProcess, runPing, startPing, type PingOptions } from "../probes/ping.js";
import { CommandError, refuseIpv6Address, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

/** usage() of iputils ping 20221126, printed after an option error. */
const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

const WITH_ARGUMENT = new Set("cilmMpQsStTwWI".split(""));
const FLAGS = new Set("aAbBdDfhHLnOqrRUvV346".split(""));
const MODELLED_FLAGS = new Set(["b", "n", "q", "4"]);

function integer(text: string, low: number, high: number): number {
  if (!/^-?\d+$/.test(text)) throw new CommandError(`ping: invalid argument: '${text}'`, 1);
  const value = Number(text);
  if (value < low || value > high) throw new CommandError(`ping: invalid argument: '${text}': out of range: ${low} <= value <= ${high === Number.MAX_SAFE_INTEGER ? "9223372036854775807" : high}`, 1);
  return value;
}

export function parsePingArguments(argv: readonly string[]): PingOptions & { readonly warnings: string } {
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
        if (value === undefined) throw new CommandError(`ping: option requires an argument -- '${option}'\n${USAGE}`, 2);
        values.set(option, value);
        break;
      }
      if (!FLAGS.has(option)) throw new CommandError(`ping: invalid option -- '${option}'\n${USAGE}`, 2);
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
  refuseIpv6Address("ping", destination);
  refuseIpv6Address("ping", values.get("I"));
  if (operands.length > 1) throw new CommandError("ping: record route: Operation not permitted", 2);
  const count = values.has("c") ? integer(values.get("c")!, 1, Number.MAX_SAFE_INTEGER) : undefined;
  const deadline = values.has("w") ? integer(values.get("w")!, 0, 2147483647) : undefined;
  if (count === undefined && deadline === undefined) {
    throw new UnsupportedError("ping", "ping without -c or -w never stops; give -c COUNT");
  }
  const ttl = values.has("t") ? integer(values.get("t")!, 0, 255) : 64;
  if (ttl === 0) throw new CommandError("ping: cannot set unicast time-to-live: Invalid argument", 2);
  // -W is parsed leniently (strtod): trailing garbage only warns, for now.
  const timeoutText = values.get("W");
  let warnings = "";
  let timeoutSeconds: number | undefined;
  if (timeoutText !== undefined) {
    const leading = /^\s*[0-9]*\.?[0-9]*/.exec(timeoutText)![0].trim();
    if (leading !== timeoutText) warnings += `ping: option argument contains garbage: ${timeoutText.slice(leading.length)}\nping: this will become fatal error in the future\n`;
    const value = Number(leading);
    if (leading !== "" && Number.isFinite(value) && value > 0) timeoutSeconds = value;
  }
  const intervalText = values.get("i");
  const interval = intervalText === undefined ? 1000 : Math.round(Number(intervalText) * 1000);
  if (!Number.isFinite(interval) || interval < 0) throw new CommandError(`ping: bad timing interval: ${intervalText}`, 1);
  const size = values.has("s") ? integer(values.get("s")!, 0, 2147483647) : 56;
  return {
    destination,
    ...(count !== undefined ? { count } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
    ...(values.has("I") ? { interface: values.get("I")! } : {}),
    ttl,
    intervalMs: interval,
    quiet: flags.has("q"),
    size,
    broadcast: flags.has("b"),
    warnings,
  };
}

/** The check before the run. */
export function checkPing(argv: readonly string[]): undefined {
  parsePingArguments(argv);
  return undefined;
}

export function ping(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const options = parsePingArguments(argv);
  if (environment.background) {
    // `ping ... &`: it goes on sending while later commands run; its summary comes when it exits (or on SIGINT).
    const started = startPing(environment.world, environment.namespace, options, environment.tracing, environment.commandText);
    if ("advance" in started) return { kind: "process", process: new PingProcess(started, options.warnings, environment.world.clock) };
    return { kind: "done", stdout: started.stdout, stderr: options.warnings + started.stderr, exitCode: started.exitCode, ...(started.trace ? { trace: started.trace } : {}) };
  }
  const run = runPing(environment.world, environment.namespace, options, environment.tracing, environment.commandText);
  return { kind: "done", stdout: run.stdout, stderr: options.warnings + run.stderr, exitCode: run.exitCode, ...(run.trace ? { trace: run.trace } : {}), ...(run.timed ? { timed: run.timed.map((line) => ({ time: line.time, stream: "stdout" as const, text: line.text })) } : {}) };
}
