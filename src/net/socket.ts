// The socket calls the probe programs make (net/socket.c: __sys_socket,
// __sys_bind, __sys_connect, sendmsg, close; net/ipv4/af_inet.c:
// inet_bind, inet_stream_connect, inet_autobind; tcp_ipv4.c:
// tcp_v4_connect; tcp_timer.c: tcp_retransmit_timer; ping.c). A program
// opens a socket in its namespace, binds it (or lets connect() pick the
// port), connects, sends, and reads what the engine put in its receive
// queue; its waits are timers on the virtual clock. Every probe (ping, nc,
// curl, the servers, the testing toolkit's runFlow) goes through here.
import type { NetworkNamespace } from "../model/netns.js";
import type { Ipv4Packet, TcpFlags } from "../model/packet.js";
import type { Socket } from "../model/socket.js";
import type { World } from "../model/world.js";
import { sockCreate, sockRelease, tcpTimeWait, timerStart, timerStop } from "./core/sock.js";
import { inetBindConflict, inetHashConnect, udpLibGetPort } from "./ipv4/inet-hashtables.js";
import { ipLocalOut } from "./ipv4/ip-output.js";
import { tcpSegmentFields } from "./ipv4/tcp-output.js";
import { ipRouteOutput, type FlowTransport, type OutputRoute, type OutputRouteResult } from "./ipv4/route.js";
import type { Simulation } from "./simulation.js";

const SECOND = 1_000_000;
/** TCP_TIMEOUT_INIT: the first SYN retransmission comes 1 s after the SYN. */
const TCP_TIMEOUT_INIT = SECOND;
/** net.ipv4.tcp_syn_retries. */
const TCP_SYN_RETRIES = 6;

export type SocketType = "tcp" | "udp" | "icmp";

/** socket(AF_INET, ...): unbound, unconnected. */
export function socketCreate(world: World, namespace: NetworkNamespace, type: SocketType): Socket {
  return sockCreate(world, namespace, type, type === "icmp" ? { pingEvents: [] } : {});
}

export type BindResult = { readonly ok: true } | { readonly ok: false; readonly errno: "EADDRINUSE" | "EADDRNOTAVAIL" };

/** bind(): an explicit local port (and address); `reusePort` is SO_REUSEPORT (OpenBSD nc's listeners set it). */
export function socketBind(world: World, namespace: NetworkNamespace, socket: Socket, address: number, port: number, reusePort = false): BindResult {
  if (socket.protocol === "icmp") {
    socket.port = port;
    return { ok: true };
  }
  if (port !== 0 && inetBindConflict(world, namespace, socket.protocol, address, port, reusePort)) return { ok: false, errno: "EADDRINUSE" };
  socket.address = address;
  socket.port = port;
  socket.explicitBind = true;
  socket.state = "bound";
  return { ok: true };
}

/** listen(): a bound TCP socket accepts connections; a bound UDP socket simply receives. */
export function socketListen(socket: Socket, keepListening: boolean): void {
  (socket as { keepListening: boolean }).keepListening = keepListening;
  socket.open = true;
  socket.state = socket.protocol === "tcp" ? "listen" : "bound";
}

export interface ConnectOptions {
  /** SO_BINDTODEVICE (ping -I DEV). */
  readonly outputInterface?: number;
  /** The caller sends the first packet itself, once (the testing toolkit's one-packet flows): no SYN, no retransmission timer. */
  readonly synNow?: boolean;
}

/** flowi4's protocol and ports for a socket's lookups (ip_route_connect() has the bound port, 0 before one is chosen). */
function socketTransport(socket: Socket, destinationPort: number): FlowTransport {
  const protocol = socket.protocol === "tcp" ? 6 : socket.protocol === "udp" ? 17 : 1;
  return protocol === 1 ? { protocol, sourcePort: 0, destinationPort: 0 } : { protocol, sourcePort: socket.port, destinationPort };
}

export type ConnectResult = { readonly ok: true; readonly route: OutputRoute } | { readonly ok: false; readonly errno: string; readonly lookup: OutputRouteResult };

/**
 * connect(): ip_route_output picks the route and the source address (the
 * bound one if any), then the port comes from the namespace's allocator
 * when none was bound (inet_hash_connect for TCP, an autobind for UDP, the
 * next echo id for a ping socket). A TCP socket then sends its SYN and
 * retransmits it (1, 2, 4 ... s) until an answer or tcp_syn_retries run
 * out (ETIMEDOUT at 127 s). The SYN goes out from a timer due now, in the
 * engine's order.
 */
export function socketConnect(world: World, namespace: NetworkNamespace, socket: Socket, destination: number, port: number, options: ConnectOptions = {}): ConnectResult {
  const lookup = ipRouteOutput(namespace, destination, { ...(socket.address !== 0 ? { source: socket.address } : {}), ...(options.outputInterface !== undefined ? { outputInterface: options.outputInterface } : {}), transport: socketTransport(socket, port) });
  if (!lookup.ok) return { ok: false, errno: lookup.errno, lookup };
  const source = lookup.route.source;
  if (socket.port === 0) {
    const chosen = socket.protocol === "tcp" ? inetHashConnect(world, namespace, source, destination, port) : socket.protocol === "udp" ? udpLibGetPort(world, namespace, source, destination, port) : world.nextEchoId++ & 0xffff;
    if (chosen === undefined) return { ok: false, errno: "EADDRNOTAVAIL", lookup };
    socket.port = chosen;
  }
  socket.remoteAddress = destination;
  socket.remotePort = port;
  if (socket.protocol !== "tcp") {
    socket.state = "established";
    if (socket.address === 0 && socket.protocol === "udp") socket.address = source;
    return { ok: true, route: lookup.route };
  }
  socket.address = source;
  socket.state = "syn-sent";
  if (options.synNow) return { ok: true, route: lookup.route };
  let retries = 0;
  let interval = TCP_TIMEOUT_INIT;
  const transmit = (simulation: Simulation) => {
    delete socket.retransmitTimer;
    if (socket.state !== "syn-sent") return;
    if (retries > TCP_SYN_RETRIES) {
      // tcp_write_timeout(): the last retransmission went unanswered.
      socket.state = "close";
      socket.error = "ETIMEDOUT";
      return;
    }
    tcpSendSegment(simulation, namespace, socket, { syn: true }, 40);
    retries++;
    socket.retransmitTimer = timerStart(world, interval, transmit);
    interval *= 2;
  };
  socket.retransmitTimer = timerStart(world, 0, transmit);
  return { ok: true, route: lookup.route };
}

/** ip_queue_xmit() of one of the socket's packets: routed again now (a route may have changed), from its source address. */
export function socketSendPacket(simulation: Simulation, namespace: NetworkNamespace, socket: Socket, packet: Omit<Ipv4Packet, "source" | "destination">, options: ConnectOptions = {}): boolean {
  const destination = socket.remoteAddress ?? 0;
  const route = ipRouteOutput(namespace, destination, { source: socket.address, ...(options.outputInterface !== undefined ? { outputInterface: options.outputInterface } : {}), transport: socketTransport(socket, socket.remotePort ?? 0) });
  if (!route.ok) return false;
  ipLocalOut(simulation, namespace, route.route, { source: socket.address, destination, ...packet });
  return true;
}

/** tcp_transmit_skb(): a segment of `payloadLength` bytes after the IP header (its TCP header with options: 40 on a SYN, 32 after), numbered from the socket's sequence space. */
export function tcpSendSegment(simulation: Simulation, namespace: NetworkNamespace, socket: Socket, flags: TcpFlags, payloadLength: number, data?: string): void {
  const fields = tcpSegmentFields(socket, flags, Math.max(0, payloadLength - (flags.syn ? 40 : 32)), simulation.world.clock);
  socketSendPacket(simulation, namespace, socket, { ttl: 64, transport: { protocol: "tcp", sourcePort: socket.port, destinationPort: socket.remotePort ?? 0, flags, ...(data !== undefined ? { data } : {}), ...fields }, payloadLength });
}

/** A UDP datagram on a connected socket. */
export function udpSendmsg(simulation: Simulation, namespace: NetworkNamespace, socket: Socket, payloadLength: number): boolean {
  return socketSendPacket(simulation, namespace, socket, { ttl: 64, transport: { protocol: "udp", sourcePort: socket.port, destinationPort: socket.remotePort ?? 0 }, payloadLength });
}

/**
 * close(): the socket leaves the table, its timers stopped. A TCP socket
 * that finished its close as the active closer stays in TIME_WAIT
 * (`timeWait`), holding its port for 60 s.
 */
export function socketClose(world: World, namespace: NetworkNamespace, socket: Socket, timeWait = false): void {
  timerStop(world, socket.retransmitTimer);
  delete socket.retransmitTimer;
  socket.open = false;
  if (timeWait && socket.protocol === "tcp") {
    tcpTimeWait(world, socket);
    return;
  }
  socket.state = "close";
  sockRelease(namespace, socket);
}
