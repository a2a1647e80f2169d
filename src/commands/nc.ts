// nc's command line (OpenBSD netcat as Debian ships it, netcat-openbsd 1.219:
// getopt "46bCDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Z:z"). Modelled:
// -l (listen, with -k, -p PORT or a PORT operand), -z (connect and close),
// -u, -v, -w SECONDS, -n, -4; the rest is refused by name.
import { parseIpv4Address } from "../model/address.js";
import { ncListen, runNcConnect } from "../probes/nc.js";
import { ListenerProcess } from "../probes/servers.js";
import { CommandError, refuseIpv6Address, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const WITH_ARGUMENT = new Set("IiMmOPpqsTVWwXxZ".split(""));
const FLAGS = new Set("46bCDdFhklNnrStUuvz".split(""));
const MODELLED = new Set(["l", "k", "u", "z", "v", "w", "n", "4", "p"]);

function portNumber(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new CommandError(`nc: port number invalid: ${text}`, 1);
  return Number(text);
}

/** What an nc command line asks for, read without a world. */
export type NcLine =
  | { readonly kind: "listen"; readonly port: number; readonly udp: boolean; readonly keep: boolean; readonly address: number }
  | { readonly kind: "connect"; readonly address: string; readonly port: number; readonly udp: boolean; readonly verbose: boolean; readonly sourcePort?: number; readonly waitSeconds?: number };

export function parseNc(argv: readonly string[]): NcLine {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const operands: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--") {
      operands.push(...argv.slice(index + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      operands.push(word);
      continue;
    }
    for (let position = 1; position < word.length; position++) {
      const letter = word[position]!;
      if (WITH_ARGUMENT.has(letter)) {
        const value = position + 1 < word.length ? word.slice(position + 1) : argv[++index];
        if (value === undefined) throw new CommandError(`nc: option requires an argument -- '${letter}'\nusage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]`, 1);
        values.set(letter, value);
        break;
      }
      if (!FLAGS.has(letter)) throw new CommandError(`nc: invalid option -- '${letter}'\nusage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]`, 1);
      flags.add(letter);
    }
  }
  for (const option of [...flags, ...values.keys()]) if (!MODELLED.has(option)) throw new UnsupportedError(`-${option}`, `nc -${option} is not modelled`);
  const udp = flags.has("u");
  for (const operand of operands) refuseIpv6Address("nc", operand);
  refuseIpv6Address("nc", values.get("s"));
  if (flags.has("l")) {
    // nc -l [-p] PORT, or nc -l ADDRESS PORT.
    const portText = values.get("p") ?? operands[operands.length - 1];
    if (portText === undefined) throw new CommandError("nc: missing port number", 1);
    const address = operands.length === 2 ? parseIpv4Address(operands[0]!) : 0;
    if (address === undefined) throw new UnsupportedError(operands[0]!, "nc -l on a host name is not modelled");
    return { kind: "listen", port: portNumber(portText), udp, keep: flags.has("k"), address };
  }
  if (!flags.has("z")) throw new UnsupportedError("nc", "nc without -z or -l (a data transfer) is not modelled; probe with nc -z");
  const [address, portText] = operands;
  if (address === undefined || portText === undefined) throw new CommandError("nc: missing port number", 1);
  if (portText.includes("-")) throw new UnsupportedError(portText, "nc port ranges are not modelled");
  const waitText = values.get("w");
  const waitSeconds = waitText === undefined ? undefined : Number(waitText);
  if (waitSeconds !== undefined && (!Number.isInteger(waitSeconds) || waitSeconds < 0)) throw new CommandError(`nc: timeout invalid: ${waitText}`, 1);
  return { kind: "connect", address, port: portNumber(portText), udp, verbose: flags.has("v"), ...(values.has("p") ? { sourcePort: portNumber(values.get("p")!) } : {}), ...(waitSeconds !== undefined && waitSeconds > 0 ? { waitSeconds } : {}) };
}

/** The check before the run. */
export function checkNc(argv: readonly string[]): undefined {
  parseNc(argv);
  return undefined;
}

export function nc(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const line = parseNc(argv);
  const udp = line.udp;
  if (line.kind === "listen") {
    const result = ncListen(environment.world, environment.namespace, line.port, udp, line.keep, line.address);
    if (!result.ok || !result.socket) return { kind: "done", stdout: "", stderr: result.ok ? "" : result.stderr, exitCode: 1 };
    // It runs until killed; without -k a TCP listener serves one connection, then exits.
    return { kind: "process", process: new ListenerProcess(environment.world, environment.namespace, [result.socket], !udp && !line.keep) };
  }
  const { kind: _kind, ...connect } = line;
  const run = runNcConnect(environment.world, environment.namespace, connect, environment.tracing, environment.commandText);
  return {
    kind: "done",
    stdout: run.stdout,
    stderr: run.stderr,
    exitCode: run.exitCode,
    probe: { tool: "nc", protocol: udp ? "udp" : "tcp", verboseStderr: run.verboseStderr },
    ...(run.trace ? { trace: run.trace } : {}),
  };
}
