// OpenBSD netcat (Debian netcat-openbsd 1.219) as the simulator runs it:
// a listener registers a socket and returns at once (it runs in the
// background on a real host); `nc -z` connects and closes. TCP sends a SYN
// (retransmitted after 1, 2, 4 ... s) and waits for a SYN-ACK, a reset or an
// ICMP error until -w runs out (without -w, until the kernel gives up after
// 6 retries, 127 s); on success it sends ACK, FIN and the last ACK, so
// conntrack ends in TIME_WAIT as on the kernel. UDP `-z` sends nothing
// unless -v, which writes three one-byte datagrams and fails silently when an
// ICMP port unreachable came back (measured).
import { formatIpv4Address, parseIpv4Address } from "../model/address.js";
import type { Errno } from "../model/errno.js";
import type { NetworkNamespace } from "../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, type Ipv4Packet, type TcpFlags } from "../model/packet.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import { runEvents } from "../net/events.js";
import { ipLocalOut, describeRouteChoice, routeDecision } from "../net/ipv4/ip-output.js";
import { ipRouteOutput } from "../net/ipv4/route.js";
import { createSimulation, record, schedule, type Simulation } from "../net/simulation.js";
import { serviceName } from "../commands/iptables/services.js";

export interface NcConnectOptions {
  readonly address: string;
  readonly port: number;
  readonly udp: boolean;
  readonly verbose: boolean;
  /** -w: seconds to wait for the connection. */
  readonly waitSeconds?: number;
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
};

/** icmp_err_convert[]: the errno a connecting socket gets from an ICMP destination unreachable. */
function icmpErrno(type: number, code: number): string {
  if (type !== ICMP_DEST_UNREACH) return "EHOSTUNREACH";
  if (code === ICMP_PORT_UNREACH || code === ICMP_PROT_UNREACH) return "ECONNREFUSED";
  if (code === ICMP_NET_UNREACH || code === ICMP_NET_ANO || code === 6 || code === 11) return "ENETUNREACH";
  if (code === ICMP_HOST_UNREACH) return "EHOSTUNREACH";
  return "EHOSTUNREACH";
}

/** Ports for a client socket: net.ipv4.ip_local_port_range (32768-60999), handed out in turn. */
function ephemeralPort(world: World): number {
  const port = world.nextEphemeralPort;
  world.nextEphemeralPort = port >= 60999 ? 32768 : port + 1;
  return port;
}

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
    ...(simulation.steps ? { trace: { probe: commandText, namespace: namespace.name, steps: simulation.steps } } : {}),
  });
  const connected = ipRouteOutput(namespace, destination);
  if (!connected.ok) {
    record(simulation, () => ({ namespace, stage: "ip_route_output", ...(connected.fib ? { decision: routeDecision(connected.fib, destination) } : { decision: { kind: "no-route" as const, destination } }), verdict: "drop", dropReason: "IP_OUTNOROUTES", why: `no usable route to ${options.address}: connect() fails at once` }));
    const text = failed(options.address, options.port, protocol, connected.errno);
    return finish(1, text, text);
  }
  const route = connected.route;
  const source = route.source;
  if (route.fib) {
    const fib = route.fib;
    record(simulation, () => ({ namespace, device: route.device.name, stage: "ip_route_output", decision: routeDecision(fib, route.nexthop, source), verdict: "continue", why: `${describeRouteChoice(namespace, fib)}; source ${formatIpv4Address(source)}` }));
  }
  const sourcePort = ephemeralPort(world);
  const start = world.clock;
  const send = (packet: Omit<Ipv4Packet, "source" | "destination" | "ttl">) => {
    const current = ipRouteOutput(namespace, destination, { source });
    if (current.ok) ipLocalOut(simulation, namespace, current.route, { source, destination, ttl: 64, ...packet });
  };
  const answerFor = (seen: number) => simulation.deliveries.slice(seen).find((delivery) => delivery.namespaceId === namespace.id && aboutUs(delivery.packet));
  const aboutUs = (packet: Ipv4Packet): boolean => {
    const transport = packet.transport;
    if (transport.protocol === protocol) return packet.source === destination && transport.sourcePort === options.port && transport.destinationPort === sourcePort;
    if (transport.protocol === "icmp" && transport.original) {
      const inner = transport.original;
      return inner.transport.protocol === protocol && inner.source === source && inner.transport.sourcePort === sourcePort && inner.destination === destination && inner.transport.destinationPort === options.port;
    }
    return false;
  };

  if (options.udp) {
    if (!options.verbose) return finish(0, "", "");
    let refused = false;
    for (let write = 0; write < 3 && !refused; write++) {
      const seen = simulation.deliveries.length;
      send({ transport: { protocol: "udp", sourcePort, destinationPort: options.port }, payloadLength: 9 });
      runEvents(simulation, world.clock + UDP_WRITE_GAP);
      const answer = answerFor(seen);
      if (answer && answer.packet.transport.protocol === "icmp") refused = true;
    }
    if (refused) return finish(1, "", "");
    const text = succeeded(options.address, options.port, "udp");
    return finish(0, text, text);
  }

  const tcp = (flags: TcpFlags, payloadLength: number) => send({ transport: { protocol: "tcp", sourcePort, destinationPort: options.port, flags }, payloadLength });
  const deadline = start + (options.waitSeconds !== undefined ? options.waitSeconds * SECOND : SYN_RETRY_GIVE_UP);
  const seen = simulation.deliveries.length;
  const probeId = 0x6e63_0000 + sourcePort;
  let interval = SECOND;
  simulation.probeSenders.set(probeId, () => {
    tcp({ syn: true }, 40);
    schedule(world, interval, { kind: "probe-send", probeId, sequence: 0 });
    interval *= 2;
  });
  schedule(world, 0, { kind: "probe-send", probeId, sequence: 0 });
  // A retransmission due exactly when -w runs out is never sent (measured: -w 1 sends one SYN, -w 2 two).
  runEvents(simulation, deadline - 1, () => answerFor(seen) !== undefined);
  if (answerFor(seen) === undefined) world.clock = Math.max(world.clock, deadline);
  simulation.probeSenders.delete(probeId);
  // Forget the pending retransmission: the socket is gone.
  world.pending = world.pending.filter((item) => !(item.event.kind === "probe-send" && item.event.probeId === probeId));
  rebuildHeap(world);
  const answer = answerFor(seen);
  if (!answer) {
    const text = options.waitSeconds !== undefined ? `nc: connect to ${options.address} port ${options.port} (tcp) timed out: Operation now in progress\n` : failed(options.address, options.port, "tcp", "ETIMEDOUT");
    return finish(1, text);
  }
  const transport = answer.packet.transport;
  if (transport.protocol === "icmp") return finish(1, failed(options.address, options.port, "tcp", icmpErrno(transport.type, transport.code)));
  if (transport.protocol === "tcp" && transport.flags.rst) return finish(1, failed(options.address, options.port, "tcp", "ECONNREFUSED"));
  // Connected: complete the handshake, then close (nc -z), as the kernel does.
  tcp({ ack: true }, 32);
  const beforeClose = simulation.deliveries.length;
  tcp({ fin: true, ack: true }, 32);
  runEvents(simulation, world.clock + 3 * SECOND, () => simulation.deliveries.slice(beforeClose).some((delivery) => delivery.namespaceId === namespace.id && aboutUs(delivery.packet) && delivery.packet.transport.protocol === "tcp" && delivery.packet.transport.flags.fin === true));
  if (simulation.deliveries.slice(beforeClose).some((delivery) => delivery.namespaceId === namespace.id && aboutUs(delivery.packet))) {
    tcp({ ack: true }, 32);
    runEvents(simulation, world.clock + 100);
  }
  return finish(0, succeeded(options.address, options.port, "tcp"));
}

/** After removing events, restore the heap order (a sorted array is a valid heap). */
function rebuildHeap(world: World): void {
  world.pending.sort((a, b) => a.time - b.time || a.order - b.order);
}

export type NcListenResult = { readonly ok: true } | { readonly ok: false; readonly stderr: string };

/**
 * `nc -l [-k] [-u] PORT &`: a socket bound to the port, in the namespace that
 * ran it. OpenBSD nc sets SO_REUSEPORT on every listening socket, so a second
 * `nc -l` on the same port (TCP or UDP, wildcard or a specific address) binds
 * too (measured: both keep running, a connect succeeds); the first one
 * bound is the one this model delivers to.
 */
export function ncListen(namespace: NetworkNamespace, port: number, udp: boolean, keepListening: boolean, address = 0): NcListenResult {
  const protocol = udp ? "udp" : "tcp";
  namespace.sockets.push({ protocol, port, address, keepListening, open: true });
  return { ok: true };
}

export type { Simulation };
