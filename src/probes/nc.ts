// OpenBSD netcat (Debian netcat-openbsd 1.219) as the simulator runs it:
// a listener registers a socket and returns at once (it runs in the
// background on a real host); `nc -z` connects and closes. TCP sends a SYN
// (retransmitted after 1, 2, 4 ... s) and waits for a SYN-ACK, a reset or an
// ICMP error until -w runs out (without -w, until the kernel gives up after
// 6 retries, 127 s); on success it sends ACK, FIN and the last ACK, so
// conntrack ends in TIME_WAIT as on the kernel. UDP `-z` sends nothing
// unless -v, which writes three one-byte datagrams and fails silently when an
// ICMP port unreachable came back (measured).
import { parseIpv4Address } from "../model/address.js";
import type { Errno } from "../model/errno.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Socket } from "../model/socket.js";
import type { Trace } from "../model/trace.js";
import { traceSteps } from "../render/trace-why.js";
import type { World } from "../model/world.js";
import { type Simulation, createSimulation, record, routeChoice, routeDecision, runEvents, socketBind, socketClose, socketConnect, socketCreate, socketListen, tcpSendSegment, udpSendmsg } from "../net/index.js";
import { serviceName } from "../commands/iptables/services.js";

export interface NcConnectOptions {
  readonly address: string;
  readonly port: number;
  readonly udp: boolean;
  readonly verbose: boolean;
  /** -w: seconds to wait for the connection. */
  readonly waitSeconds?: number;
  /** -p: the source port, bound before connecting. */
  readonly sourcePort?: number;
}

export interface NcRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** What nc would have printed with -v: the probe is classified from this text. */
  readonly verboseStderr: string;
  readonly trace?: Trace;
}

const SECOND = 1_000_000;
/** tcp_syn_retries=6: SYNs at 0, 1, 3, 7, 15, 31, 63 s; connect() fails at 127 s. */
const SYN_RETRY_GIVE_UP = 127 * SECOND;
/** Debian's nc -u -v writes its probe bytes this far apart (virtual time). */
const UDP_WRITE_GAP = 1000;

const STRERROR: Partial<Record<Errno, string>> & Record<string, string> = {
  ENETUNREACH: "Network is unreachable",
  EHOSTUNREACH: "No route to host",
  EINVAL: "Invalid argument",
  EACCES: "Permission denied",
  ECONNREFUSED: "Connection refused",
  ETIMEDOUT: "Connection timed out",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
};

function failed(address: string, port: number, protocol: "tcp" | "udp", errno: string): string {
  return `nc: connect to ${address} port ${port} (${protocol}) failed: ${STRERROR[errno] ?? errno}\n`;
}

function succeeded(address: string, port: number, protocol: "tcp" | "udp"): string {
  return `Connection to ${address} ${port} port [${protocol}/${serviceName(port, protocol) ?? "*"}] succeeded!\n`;
}

export function runNcConnect(world: World, namespace: NetworkNamespace, options: NcConnectOptions, tracing: boolean, commandText: string): NcRun {
  const protocol = options.udp ? "udp" : "tcp";
  const destination = parseIpv4Address(options.address);
  if (destination === undefined) {
    const text = `nc: getaddrinfo for host "${options.address}" port ${options.port}: Name or service not known\n`;
    return { stdout: "", stderr: text, exitCode: 1, verboseStderr: text };
  }
  const simulation = createSimulation(world, tracing);
  const finish = (exitCode: number, verboseStderr: string, shown: string = options.verbose ? verboseStderr : ""): NcRun => ({
    stdout: "",
    stderr: shown,
    exitCode,
    verboseStderr,
    ...(simulation.steps ? { trace: { probe: commandText, namespace: namespace.name, steps: traceSteps(simulation.steps) } } : {}),
  });
  const socket = socketCreate(world, namespace, protocol);
  if (options.sourcePort !== undefined) {
    // remote_connect(): bind() before connect(); nc exits when it fails.
    const bound = socketBind(world, namespace, socket, 0, options.sourcePort);
    if (!bound.ok) {
      socketClose(world, namespace, socket);
      const text = `nc: bind failed: ${STRERROR[bound.errno] ?? bound.errno}\n`;
      return finish(1, text, text);
    }
  }
  const connected = socketConnect(world, namespace, socket, destination, options.port);
  if (!connected.ok) {
    socketClose(world, namespace, socket);
    const fib = connected.lookup.ok ? undefined : connected.lookup.fib;
    record(simulation, () => ({ namespace, stage: "ip_route_output", ...(fib ? { decision: routeDecision(fib, destination) } : { decision: { kind: "no-route" as const, destination } }), verdict: "drop", dropReason: "IP_OUTNOROUTES", reason: { code: "connect-no-route", host: options.address } }));
    const text = failed(options.address, options.port, protocol, connected.errno);
    return finish(1, text, text);
  }
  const route = connected.route;
  const source = route.source;
  if (route.fib) {
    const fib = route.fib;
    record(simulation, () => ({ namespace, device: route.device.name, stage: "ip_route_output", decision: routeDecision(fib, route.nexthop, source), verdict: "continue", reason: { code: "route-output", choice: routeChoice(namespace, fib), source } }));
  }
  const start = world.clock;
  const queue = socket.receiveQueue!;

  if (options.udp) {
    if (!options.verbose) {
      socketClose(world, namespace, socket);
      return finish(0, "", "");
    }
    let refused = false;
    for (let write = 0; write < 3 && !refused; write++) {
      const seen = queue.length;
      udpSendmsg(simulation, namespace, socket, 9);
      runEvents(simulation, world.clock + UDP_WRITE_GAP);
      if (queue.slice(seen).some((delivery) => delivery.packet.transport.protocol === "icmp")) refused = true;
    }
    socketClose(world, namespace, socket);
    if (refused) return finish(1, "", "");
    const text = succeeded(options.address, options.port, "udp");
    return finish(0, text, text);
  }

  const deadline = start + (options.waitSeconds !== undefined ? options.waitSeconds * SECOND : SYN_RETRY_GIVE_UP);
  // A retransmission due exactly when -w runs out is never sent (measured: -w 1 sends one SYN, -w 2 two).
  runEvents(simulation, deadline - 1, () => socket.state !== "syn-sent");
  if (socket.state === "syn-sent") {
    world.clock = Math.max(world.clock, deadline);
    socketClose(world, namespace, socket);
    const text = options.waitSeconds !== undefined ? `nc: connect to ${options.address} port ${options.port} (tcp) timed out: Operation now in progress\n` : failed(options.address, options.port, "tcp", "ETIMEDOUT");
    return finish(1, text);
  }
  if (socket.state !== "established") {
    socketClose(world, namespace, socket);
    return finish(1, failed(options.address, options.port, "tcp", socket.error ?? "ECONNREFUSED"));
  }
  // Connected: complete the handshake, then close (nc -z), as the kernel does.
  tcpSendSegment(simulation, namespace, socket, { ack: true }, 32);
  const beforeClose = queue.length;
  tcpSendSegment(simulation, namespace, socket, { fin: true, ack: true }, 32);
  runEvents(simulation, world.clock + 3 * SECOND, () => queue.slice(beforeClose).some((delivery) => delivery.packet.transport.protocol === "tcp" && delivery.packet.transport.flags.fin === true));
  if (queue.length > beforeClose) {
    tcpSendSegment(simulation, namespace, socket, { ack: true }, 32);
    runEvents(simulation, world.clock + 100);
  }
  // The active closer: TIME_WAIT holds the port for a minute.
  socketClose(world, namespace, socket, true);
  return finish(0, succeeded(options.address, options.port, "tcp"));
}

export type NcListenResult = { readonly ok: true } | { readonly ok: false; readonly stderr: string };

/**
 * `nc -l [-k] [-u] PORT &`: a socket bound to the port, in the namespace that
 * ran it. OpenBSD nc sets SO_REUSEPORT on every listening socket, so a second
 * `nc -l` on the same port (TCP or UDP, wildcard or a specific address) binds
 * too (measured: both keep running, a connect succeeds); the first one
 * bound is the one this model delivers to.
 */
export function ncListen(world: World, namespace: NetworkNamespace, port: number, udp: boolean, keepListening: boolean, address = 0): NcListenResult & { readonly socket?: Socket } {
  const socket = socketCreate(world, namespace, udp ? "udp" : "tcp");
  const bound = socketBind(world, namespace, socket, address, port, true);
  if (!bound.ok) {
    socketClose(world, namespace, socket);
    return { ok: false, stderr: `nc: ${STRERROR[bound.errno] ?? bound.errno}\n` };
  }
  socketListen(socket, keepListening);
  socket.server = "silent";
  return { ok: true, socket };
}

export type { Simulation };
