// One flow through a world, without bash: a socket in one namespace sends
// the first packet of a TCP, UDP or ICMP echo "connection" the way the
// probes do (src/probes/nc.ts, ping.ts: ip_route_output, then ip_local_out)
// and the engine runs until the answer comes back or the wait runs out. The
// far end answers as a server would: the kernel's own SYN-ACK, RST, echo
// reply or ICMP error, and for UDP an echo server that sends the datagram
// back. The result is read from the trace: where the packet landed, the
// tuple at every device on the way there and back, and the conntrack
// entries that carried it.
import { formatIpv4Address, parseIpv4Address } from "../model/address.js";
import type { ConntrackEntry, ConntrackTuple } from "../model/conntrack.js";
import { conntrackStatusFlags, hasConntrackStatus, type ConntrackStatusFlags } from "../model/conntrack.js";
import type { NetworkNamespace } from "../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHO_REPLY, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, type Ipv4Packet, type TcpFlags, type Transport } from "../model/packet.js";
import type { Trace, TraceStep } from "../model/trace.js";
import { traceSteps } from "../render/trace-why.js";
import type { World } from "../model/world.js";
import { type Simulation, createSimulation, inetHashConnect, ipLocalOut, ipRouteOutput, namespaceByName, rootNamespace, runEvents, socketClose, socketConnect, socketCreate } from "../net/index.js";

export type FlowProtocol = "tcp" | "udp" | "icmp";

/** What to send: the first packet of a connection, from a namespace to an address. */
export interface Flow {
  readonly protocol: FlowProtocol;
  /** The namespace the client runs in ("" for the scenario's own, the host). */
  readonly from: string;
  /** Destination address, dotted. */
  readonly to: string;
  /** Destination port (TCP, UDP); ignored for ICMP. */
  readonly port?: number;
  /** The client's port (TCP, UDP) or echo id (ICMP); absent: the next ephemeral port (32768-60999) or echo id. */
  readonly sourcePort?: number;
  /** A source address to bind to; absent: the one the route picks. */
  readonly source?: string;
  /** Seconds of virtual time to wait for the answer (default 1, as `nc -w 1`, `ping -W 1`). */
  readonly waitSeconds?: number;
}

/**
 * connected: the far end answered (SYN-ACK, the UDP echo, the echo reply);
 * refused: a reset or an ICMP port/protocol unreachable;
 * unreachable: no route at the sender, or another ICMP destination unreachable;
 * timeout: nothing came back (dropped somewhere, or nobody answered).
 */
export type FlowOutcome = "connected" | "refused" | "unreachable" | "timeout";

/** A connection's tuple with addresses dotted; ICMP echo has its id in both port fields. */
export interface FlowTuple {
  readonly protocol: FlowProtocol;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/** The flow's packet at one step of the trace, and what the step made of it. */
export interface FlowHop {
  readonly direction: "original" | "reply";
  readonly namespace: string;
  /** The device the step happened at ("" when the step names none). */
  readonly device: string;
  readonly stage: TraceStep["stage"];
  readonly tuple: FlowTuple;
  /** When the step rewrote it (NAT). */
  readonly tupleAfter?: FlowTuple;
  /** The step's index in the trace. */
  readonly step: number;
}

/** A conntrack entry that carried the flow, as it stood when the flow ended. */
export interface FlowConntrack {
  readonly namespace: string;
  readonly id: number;
  readonly original: FlowTuple;
  readonly reply: FlowTuple;
  readonly tcpState?: string;
  /** Virtual time (µs) the entry dies, unless a packet refreshes it. */
  readonly expires: number;
  readonly status: ConntrackStatusFlags;
}

export interface FlowResult {
  readonly flow: Flow;
  readonly outcome: FlowOutcome;
  /** Why it was refused or unreachable: an errno name at the sender, or the ICMP error's type/code and who sent it. */
  readonly error?: string;
  /** The first packet as the client's socket sent it. */
  readonly sent: FlowTuple;
  /** Where the first packet reached a socket or the ICMP stack (the server's view of the flow), if it did. */
  readonly landed?: { readonly namespace: string; readonly device: string; readonly tuple: FlowTuple };
  /** The answer as the client's socket got it (its tuple, seen from the client), if one came. */
  readonly answered?: FlowTuple;
  /** The flow's packets at every step, there and back, in order. */
  readonly hops: readonly FlowHop[];
  readonly conntrack: readonly FlowConntrack[];
  readonly trace: Trace;
  /** Virtual time the flow started and ended at (µs). */
  readonly started: number;
  readonly ended: number;
}

const SECOND = 1_000_000;
/** Time given to the handshake's last ACK to arrive. */
const SETTLE = 100_000;

const PROTOCOL_BY_NUMBER: Readonly<Record<number, FlowProtocol>> = { 1: "icmp", 6: "tcp", 17: "udp" };

export function flowTupleOf(packet: Ipv4Packet): FlowTuple {
  const transport = packet.transport;
  const source = formatIpv4Address(packet.source);
  const destination = formatIpv4Address(packet.destination);
  if (transport.protocol === "icmp") return { protocol: "icmp", source, sourcePort: transport.id ?? 0, destination, destinationPort: transport.id ?? 0 };
  return { protocol: transport.protocol, source, sourcePort: transport.sourcePort, destination, destinationPort: transport.destinationPort };
}

export function flowTupleOfConntrack(tuple: ConntrackTuple): FlowTuple {
  return {
    protocol: PROTOCOL_BY_NUMBER[tuple.protocol] ?? "tcp",
    source: formatIpv4Address(tuple.source),
    sourcePort: tuple.sourcePort,
    destination: formatIpv4Address(tuple.destination),
    destinationPort: tuple.destinationPort,
  };
}

/** `tcp 172.18.0.2:40000 > 8.8.8.8:80`, `icmp 172.18.0.2 > 8.8.8.8 id 7`. */
export function formatFlowTuple(tuple: FlowTuple): string {
  if (tuple.protocol === "icmp") return `icmp ${tuple.source} > ${tuple.destination} id ${tuple.sourcePort}`;
  return `${tuple.protocol} ${tuple.source}:${tuple.sourcePort} > ${tuple.destination}:${tuple.destinationPort}`;
}

/** The tuple the other direction travels on. */
export function invertFlowTuple(tuple: FlowTuple): FlowTuple {
  return { protocol: tuple.protocol, source: tuple.destination, sourcePort: tuple.destinationPort, destination: tuple.source, destinationPort: tuple.sourcePort };
}

export function flowTuplesEqual(a: FlowTuple, b: FlowTuple): boolean {
  return a.protocol === b.protocol && a.source === b.source && a.sourcePort === b.sourcePort && a.destination === b.destination && a.destinationPort === b.destinationPort;
}

/** The command a person would type for this flow (nc cannot pick its source port in netsim: said in a comment). */
export function flowCommand(flow: Flow): string {
  const inside = flow.from === "" ? "" : `ip netns exec ${flow.from} `;
  const wait = flow.waitSeconds ?? 1;
  const note = flow.sourcePort !== undefined ? `   # from ${flow.protocol === "icmp" ? "echo id" : "port"} ${flow.sourcePort}` : "";
  const bind = flow.source !== undefined ? (flow.protocol === "icmp" ? ` -I ${flow.source}` : ` -s ${flow.source}`) : "";
  if (flow.protocol === "icmp") return `${inside}ping -c 1 -W ${wait}${bind} ${flow.to}${note}`;
  return `${inside}nc${flow.protocol === "udp" ? " -u -v" : ""} -z -w ${wait}${bind} ${flow.to} ${flow.port ?? 0}${note}`;
}

function namespaceNamed(world: World, name: string): NetworkNamespace {
  const namespace = name === "" ? rootNamespace(world) : namespaceByName(world, name);
  if (!namespace) throw new Error(`netsim/testing: no namespace "${name}"`);
  return namespace;
}

/** Whether an ICMP error quotes a packet of this flow (its tuple seen anywhere along the way). */
function quotes(packet: Ipv4Packet, known: (tuple: FlowTuple) => boolean): boolean {
  const transport = packet.transport;
  return transport.protocol === "icmp" && transport.original !== undefined && transport.type !== ICMP_ECHO && transport.type !== ICMP_ECHO_REPLY && known(flowTupleOf(transport.original));
}

function tupleKey(tuple: FlowTuple): string {
  return formatFlowTuple(tuple) + (tuple.protocol === "icmp" ? `:${tuple.destinationPort}` : "");
}

/**
 * Runs `flow` through `world` (changed in place: the clock moves, conntrack
 * keeps the connection, as after a real probe). Clone the world first
 * (cloneWorld) to keep the original.
 */
export function runFlow(world: World, flow: Flow): FlowResult {
  const client = namespaceNamed(world, flow.from);
  const destination = parseIpv4Address(flow.to);
  if (destination === undefined) throw new Error(`netsim/testing: "${flow.to}" is not an IPv4 address`);
  const boundSource = flow.source === undefined ? undefined : parseIpv4Address(flow.source);
  if (flow.source !== undefined && boundSource === undefined) throw new Error(`netsim/testing: "${flow.source}" is not an IPv4 address`);
  if (flow.protocol !== "icmp" && (flow.port === undefined || flow.port < 1 || flow.port > 65535)) throw new Error(`netsim/testing: a ${flow.protocol} flow needs a port in 1-65535`);
  const simulation = createSimulation(world, true);
  const steps = simulation.steps!;
  const started = world.clock;
  const destinationPort = flow.port ?? 0;
  // The client's socket: bound to the flow's port when it names one (placed there as a raw sender would, whoever else holds it), else connect() picks.
  const socket = socketCreate(world, client, flow.protocol);
  if (boundSource !== undefined) socket.address = boundSource;
  if (flow.sourcePort !== undefined) socket.port = flow.sourcePort;
  const connected = socketConnect(world, client, socket, destination, destinationPort, { synNow: true });
  if (!connected.ok && socket.port === 0) socket.port = flow.protocol === "icmp" ? world.nextEchoId++ & 0xffff : inetHashConnect(world, client, boundSource ?? 0, destination, destinationPort) ?? 0;
  const sourcePort = socket.port;
  const source = connected.ok ? connected.route.source : boundSource ?? 0;
  const transport: Transport =
    flow.protocol === "icmp"
      ? { protocol: "icmp", type: ICMP_ECHO, code: 0, id: sourcePort, sequence: 1 }
      : flow.protocol === "udp"
        ? { protocol: "udp", sourcePort, destinationPort }
        : { protocol: "tcp", sourcePort, destinationPort, flags: { syn: true } };
  const first: Ipv4Packet = { source, destination, ttl: 64, transport, payloadLength: flow.protocol === "icmp" ? 64 : flow.protocol === "udp" ? 9 : 40 };
  const sent = flowTupleOf(first);
  const finish = (outcome: FlowOutcome, extra: { error?: string; answered?: FlowTuple }): FlowResult => {
    // The client goes away without closing (the flow is its first packet and the answer): its socket leaves the table.
    socketClose(world, client, socket);
    const trace: Trace = { probe: flowCommand(flow), namespace: client.name, steps: traceSteps(steps) };
    const { hops, landed } = readHops(trace.steps, sent);
    return {
      flow,
      outcome,
      ...extra,
      sent,
      ...(landed ? { landed } : {}),
      hops,
      conntrack: readConntrack(world, trace.steps),
      trace,
      started,
      ended: world.clock,
    };
  };
  if (!connected.ok) return finish("unreachable", { error: connected.errno });

  const send = (namespace: NetworkNamespace, packet: Ipv4Packet) => {
    const current = ipRouteOutput(namespace, packet.destination, { source: packet.source });
    if (current.ok) ipLocalOut(simulation, namespace, current.route, packet);
  };
  const deadline = started + (flow.waitSeconds ?? 1) * SECOND;
  const queue = socket.receiveQueue!;
  const pingEvents = socket.pingEvents ?? [];
  const answer = () => queue[0];
  let echoed = 0;
  let echoes = 0;
  // The UDP echo server: the first datagram that reaches a listening socket goes back where it came from.
  const echoUdp = () => {
    for (; echoed < simulation.deliveries.length && echoes === 0; echoed++) {
      const delivery = simulation.deliveries[echoed]!;
      const packet = delivery.packet;
      if (flow.protocol !== "udp" || packet.transport.protocol !== "udp" || (delivery.namespaceId === client.id && flowTuplesEqual(flowTupleOf(packet), invertFlowTuple(sent)))) continue;
      echoes++;
      const server = [...world.namespaces.values()].find((namespace) => namespace.id === delivery.namespaceId);
      if (!server) continue;
      send(server, { source: packet.destination, destination: packet.source, ttl: 64, transport: { protocol: "udp", sourcePort: packet.transport.destinationPort, destinationPort: packet.transport.sourcePort }, payloadLength: packet.payloadLength });
    }
  };
  send(client, first);
  runEvents(simulation, deadline, () => {
    echoUdp();
    return answer() !== undefined || pingEvents.length > 0;
  });

  if (flow.protocol === "icmp") {
    const event = pingEvents[0];
    if (!event) return finish("timeout", {});
    if (event.kind === "reply") return finish("connected", { answered: { protocol: "icmp", source: formatIpv4Address(event.from), sourcePort, destination: formatIpv4Address(source), destinationPort: sourcePort } });
    return finish("unreachable", { error: `icmp type ${event.type} code ${event.code} from ${formatIpv4Address(event.from)}` });
  }
  const delivery = answer();
  if (!delivery) return finish("timeout", {});
  const packet = delivery.packet;
  const reply = packet.transport;
  if (reply.protocol === "icmp") {
    const refused = reply.type === ICMP_DEST_UNREACH && (reply.code === ICMP_PORT_UNREACH || reply.code === ICMP_PROT_UNREACH);
    return finish(refused ? "refused" : "unreachable", { error: `icmp type ${reply.type} code ${reply.code} from ${formatIpv4Address(packet.source)}` });
  }
  if (reply.protocol === "tcp") {
    if (reply.flags.rst) return finish("refused", { error: "ECONNREFUSED", answered: flowTupleOf(packet) });
    // The handshake's last ACK: the connection is ESTABLISHED in every conntrack on the way.
    const flags: TcpFlags = { ack: true };
    send(client, { ...first, transport: { protocol: "tcp", sourcePort, destinationPort, flags }, payloadLength: 32 });
    runEvents(simulation, world.clock + SETTLE);
  }
  return finish("connected", { answered: flowTupleOf(packet) });
}

/** The flow's packets at each step: those on tuples the request was seen with are "original", the rest "reply". */
function readHops(steps: readonly TraceStep[], sent: FlowTuple): { hops: FlowHop[]; landed?: FlowResult["landed"] } {
  const originals = new Set<string>([tupleKey(sent)]);
  const replies = new Set<string>([tupleKey(invertFlowTuple(sent))]);
  const hops: FlowHop[] = [];
  let landed: FlowResult["landed"];
  steps.forEach((step, index) => {
    const packet = step.packet;
    if (!packet) return;
    if (packet.transport.protocol !== sent.protocol && !quotes(packet, (tuple) => originals.has(tupleKey(tuple)))) return;
    const tuple = flowTupleOf(packet);
    // icmp_rcv of an echo request records the reply it makes as packetAfter: that is not a rewrite.
    const echoAnswer = step.stage === "icmp_rcv" && packet.transport.protocol === "icmp" && packet.transport.type === ICMP_ECHO;
    const after = step.packetAfter && !echoAnswer ? flowTupleOf(step.packetAfter) : undefined;
    const isIcmpError = packet.transport.protocol === "icmp" && packet.transport.type !== ICMP_ECHO && packet.transport.type !== ICMP_ECHO_REPLY;
    let direction: FlowHop["direction"];
    if (isIcmpError) direction = "reply";
    else if (packet.transport.protocol === "icmp") direction = packet.transport.type === ICMP_ECHO ? "original" : "reply";
    else if (originals.has(tupleKey(tuple))) direction = "original";
    else if (replies.has(tupleKey(tuple))) direction = "reply";
    else return;
    if (isIcmpError && !quotes(packet, (quoted) => originals.has(tupleKey(quoted)))) return;
    if (after) {
      if (direction === "original") {
        originals.add(tupleKey(after));
        replies.add(tupleKey(invertFlowTuple(after)));
      } else if (!isIcmpError) {
        replies.add(tupleKey(after));
      }
    }
    // The request reaching the far end's stack: the server's view (a reset or error there still counts as landing).
    if (direction === "original" && !landed && (step.stage === "tcp_v4_rcv" || step.stage === "udp_rcv" || (step.stage === "icmp_rcv" && echoAnswer))) {
      landed = { namespace: step.namespace, device: step.device ?? "", tuple };
    }
    // A reply to the request: its tuple is the one the server answers on.
    if (direction === "original" && echoAnswer && step.packetAfter) replies.add(tupleKey(flowTupleOf(step.packetAfter)));
    if (direction === "original" && step.stage !== "icmp_rcv") replies.add(tupleKey(invertFlowTuple(after ?? tuple)));
    hops.push({ direction, namespace: step.namespace, device: step.device ?? "", stage: step.stage, tuple, ...(after && !flowTuplesEqual(after, tuple) ? { tupleAfter: after } : {}), step: index });
  });
  return landed ? { hops, landed } : { hops };
}

/** The entries the flow's packets were attached to, in each namespace, as they stand now. */
function readConntrack(world: World, steps: readonly TraceStep[]): FlowConntrack[] {
  const seen = new Map<string, FlowConntrack>();
  for (const step of steps) {
    for (const packet of [step.packet, step.packetAfter]) {
      const attached = packet?.conntrack;
      if (!attached || attached.entryId === undefined) continue;
      const key = `${attached.namespaceId}/${attached.entryId}`;
      if (seen.has(key)) continue;
      const namespace = world.namespaces.get(attached.namespaceId);
      const entry = namespace?.netfilter?.conntrack.entries.get(attached.entryId);
      if (!namespace || !entry || !hasConntrackStatus(entry, "confirmed")) continue;
      seen.set(key, {
        namespace: namespace.name,
        id: entry.id,
        original: flowTupleOfConntrack(entry.original),
        reply: flowTupleOfConntrack(entry.reply),
        ...(entry.tcpState ? { tcpState: entry.tcpState } : {}),
        expires: entry.expires,
        status: conntrackStatusFlags(entry.status),
      });
    }
  }
  return [...seen.values()];
}

/** The tuples the flow had at a device ("" device: any) going one way: what a capture there would show. */
export function tuplesAt(result: FlowResult, namespace: string, device: string | undefined, direction: FlowHop["direction"]): FlowTuple[] {
  const found: FlowTuple[] = [];
  for (const hop of result.hops) {
    if (hop.namespace !== namespace || hop.direction !== direction || (device !== undefined && hop.device !== device)) continue;
    const tuple = hop.tupleAfter ?? hop.tuple;
    if (!found.some((known) => flowTuplesEqual(known, tuple))) found.push(tuple);
  }
  return found;
}

/** Runs several flows one after another in the same world: connections opened earlier are still alive for later ones. */
export function runFlows(world: World, flows: readonly Flow[]): FlowResult[] {
  return flows.map((flow) => runFlow(world, flow));
}

export type { Simulation };
