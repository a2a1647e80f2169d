// socat (1.7.4) for two forms: a server `socat TCP-LISTEN:P[,fork][,reuseaddr][,bind=A] EXEC:cat`
// (an echo server; without fork it serves one connection and exits) and a
// client `socat - TCP:HOST:PORT[,connect-timeout=S]` that writes its stdin's
// first line and prints what comes back. Other addresses are refused by name.
import { formatIpv4Address, parseIpv4Address } from "../model/address.js";
import { createSimulation, runEvents, socketBind, socketClose, socketConnect, socketCreate, socketListen, tcpSendSegment } from "../net/index.js";
import { ListenerProcess, serveEcho } from "../probes/servers.js";
import { refuseIpv6Address, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";
import { traceSteps } from "../render/trace-why.js";

const SECOND = 1_000_000;
/** socat's -t: after EOF on one side it waits this long for the other. */
const CLOSE_TIMEOUT = 500_000;

function socatTime(clock: number): string {
  const date = new Date(Math.floor(clock / 1000));
  const two = (value: number) => String(value).padStart(2, "0");
  return `${date.getUTCFullYear()}/${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

function options(address: string): { readonly head: string; readonly options: Map<string, string> } {
  const [head = "", ...rest] = address.split(",");
  return { head, options: new Map(rest.map((option) => (option.includes("=") ? [option.slice(0, option.indexOf("=")), option.slice(option.indexOf("=") + 1)] : [option, ""]))) };
}

/** What a socat command line asks for, read without a world: an echo server, or a client. */
type SocatLine = { readonly kind: "listen"; readonly address: number; readonly port: number; readonly fork: boolean } | { readonly kind: "connect"; readonly destination: number; readonly port: number; readonly limit: number };

function parseSocat(argv: readonly string[]): SocatLine {
  const words = argv.filter((word) => !word.startsWith("-") || word === "-");
  const dashes = argv.filter((word) => word.startsWith("-") && word !== "-");
  if (dashes.length > 0) throw new UnsupportedError(dashes[0]!, `socat ${dashes[0]} is not modelled`);
  if (words.length !== 2) throw new UnsupportedError(argv.join(" ") || "socat", "socat takes two addresses");
  const [first, second] = words.map(options) as [ReturnType<typeof options>, ReturnType<typeof options>];
  const listen = /^TCP4?-LISTEN:(\d+)$/i.exec(first.head);
  if (listen) {
    const served = second.head.replace(/^(EXEC|SYSTEM):/i, "");
    if (!/^(EXEC|SYSTEM):/i.test(second.head) || !/^(\/bin\/|\/usr\/bin\/)?cat$/.test(served)) throw new UnsupportedError(words[1]!, "socat TCP-LISTEN is modelled only with EXEC:cat (an echo server)");
    for (const name of first.options.keys()) if (!["fork", "reuseaddr", "bind"].includes(name)) throw new UnsupportedError(name, `socat option ${name} is not modelled`);
    const bindText = first.options.get("bind");
    const address = bindText === undefined ? 0 : parseIpv4Address(bindText);
    if (address === undefined) throw new UnsupportedError(bindText!, "socat bind= with a host name is not modelled");
    return { kind: "listen", address, port: Number(listen[1]), fork: first.options.has("fork") };
  }
  const bracketed = /^TCP[46]?(?:-CONNECT)?:(\[[^\]]*\]):\d+$/i.exec(second.head);
  if (bracketed) refuseIpv6Address("socat", bracketed[1]);
  const connect = /^TCP4?(?:-CONNECT)?:([^:]+):(\d+)$/i.exec(second.head);
  if (!(first.head === "-" || /^STDIO$/i.test(first.head)) || !connect) throw new UnsupportedError(words.join(" "), "socat is modelled only as `socat - TCP:HOST:PORT` and `socat TCP-LISTEN:PORT,... EXEC:cat`");
  for (const name of second.options.keys()) if (name !== "connect-timeout") throw new UnsupportedError(name, `socat option ${name} is not modelled`);
  const destination = parseIpv4Address(connect[1]!);
  if (destination === undefined) throw new UnsupportedError(connect[1]!, "socat to a host name is not modelled");
  const limitText = second.options.get("connect-timeout");
  return { kind: "connect", destination, port: Number(connect[2]), limit: limitText === undefined ? 127 * SECOND : Math.round(Number(limitText) * SECOND) };
}

/** The check before the run. */
export function checkSocat(argv: readonly string[]): undefined {
  parseSocat(argv);
  return undefined;
}

export function socat(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const asked = parseSocat(argv);
  const { world, namespace } = environment;
  if (asked.kind === "listen") {
    const { address, port, fork } = asked;
    const socket = socketCreate(world, namespace, "tcp");
    const bound = socketBind(world, namespace, socket, address, port);
    if (!bound.ok) {
      socketClose(world, namespace, socket);
      return { kind: "done", stdout: "", stderr: `${socatTime(world.clock)} socat[${world.nextSocketId ?? 1}] E bind(5, {AF=2 ${formatIpv4Address(address)}:${port}}, 16): Address already in use\n`, exitCode: 1 };
    }
    socketListen(socket, fork);
    serveEcho(world, socket);
    return { kind: "process", process: new ListenerProcess(world, namespace, [socket], !fork) };
  }
  const { destination, port, limit } = asked;
  const simulation = createSimulation(world, environment.tracing);
  const pid = world.nextSocketId ?? 1;
  const socket = socketCreate(world, namespace, "tcp");
  const target = `AF=2 ${formatIpv4Address(destination)}:${port}`;
  const trace = simulation.steps ? { trace: { probe: environment.commandText, namespace: namespace.name, steps: traceSteps(simulation.steps) } } : {};
  const fail = (text: string) => ({ kind: "done" as const, stdout: "", stderr: `${socatTime(world.clock)} socat[${pid}] E ${text}\n`, exitCode: 1, probe: { tool: "socat" as const }, ...trace });
  const connected = socketConnect(world, namespace, socket, destination, port);
  if (!connected.ok) {
    socketClose(world, namespace, socket);
    return fail(`connect(5, ${target}, 16): ${connected.errno === "ENETUNREACH" ? "Network is unreachable" : "No route to host"}`);
  }
  const start = world.clock;
  runEvents(simulation, start + limit - 1, () => socket.state !== "syn-sent");
  if (socket.state === "syn-sent") world.clock = Math.max(world.clock, start + limit);
  if (socket.state === "syn-sent") {
    socketClose(world, namespace, socket);
    return fail(`connecting to ${target}: Connection timed out`);
  }
  if (socket.state !== "established") {
    socketClose(world, namespace, socket);
    return fail(`connect(5, ${target}, 16): ${socket.error === "ECONNREFUSED" ? "Connection refused" : socket.error === "ENETUNREACH" ? "Network is unreachable" : "No route to host"}`);
  }
  const queue = socket.receiveQueue!;
  tcpSendSegment(simulation, namespace, socket, { ack: true }, 32);
  const line = environment.stdin.split("\n")[0] ?? "";
  const seen = queue.length;
  if (line !== "") tcpSendSegment(simulation, namespace, socket, { psh: true, ack: true }, 32 + line.length + 1, line);
  // stdin ends: socat shuts down its write side and waits -t (0.5 s) for the other side.
  tcpSendSegment(simulation, namespace, socket, { fin: true, ack: true }, 32);
  runEvents(simulation, world.clock + CLOSE_TIMEOUT);
  const stdout = queue
    .slice(seen)
    .map((delivery) => (delivery.packet.transport.protocol === "tcp" ? delivery.packet.transport.data : undefined))
    .filter((data): data is string => data !== undefined)
    .map((data) => `${data}\n`)
    .join("");
  socketClose(world, namespace, socket, true);
  return { kind: "done", stdout, stderr: "", exitCode: 0, probe: { tool: "socat" }, ...trace };
}
