// Sockets and their timers (net/socket.c: __sock_create, sock_close;
// net/core/sock.c: sk_reset_timer, sk_stop_timer; inet_hashtables.c and
// udp.c lookups). Sockets are plain data in their namespace's table; a
// timer is an engine event whose callback waits in the world's derived state
// (callbacks cannot live in plain data: model/derived.ts). Stopping a timer
// removes both its callback and its pending event, so nothing fires for a
// program that has finished.
import { derivedOf } from "../../model/derived.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Socket, SocketState } from "../../model/socket.js";
import type { World } from "../../model/world.js";
import { cancelEvents, schedule, type Simulation } from "../simulation.js";

export type TimerCallback = (simulation: Simulation) => void;

declare module "../../model/world.js" {
  interface WorldDerived {
    /** The callbacks of pending timers, by timer id. */
    timers?: Map<number, TimerCallback>;
    /** The programs reading listeners' connections (sk_data_ready), by listener socket id. */
    dataReady?: Map<number, DataReadyCallback>;
  }
}

function timerTable(world: World): Map<number, TimerCallback> {
  return (derivedOf(world).timers ??= new Map());
}

/** sk_reset_timer(): `callback` runs `delay` µs of virtual time from now, in whichever simulation is running then. */
export function timerStart(world: World, delay: number, callback: TimerCallback): number {
  const timerId = world.nextTimerId ?? 1;
  world.nextTimerId = timerId + 1;
  timerTable(world).set(timerId, callback);
  schedule(world, delay, { kind: "timer", timerId });
  return timerId;
}

/** sk_stop_timer(): the timer will not fire. */
export function timerStop(world: World, timerId: number | undefined): void {
  if (timerId === undefined) return;
  if (!timerTable(world).delete(timerId)) return;
  cancelEvents(world, (event) => event.kind === "timer" && event.timerId === timerId);
}

/** The engine's side: a due timer runs once (a copy of the world made by structuredClone has no callbacks: its timers are inert). */
export function timerFire(simulation: Simulation, timerId: number): void {
  const table = simulation.world.derived?.timers;
  const callback = table?.get(timerId);
  if (!callback) return;
  table!.delete(timerId);
  callback(simulation);
}

/** __sock_create() + inet_create(): a socket in `namespace`'s table, not yet bound (port 0). */
export function sockCreate(world: World, namespace: NetworkNamespace, protocol: Socket["protocol"], fields: Partial<Omit<Socket, "id" | "protocol">> = {}): Socket {
  const id = world.nextSocketId ?? 1;
  world.nextSocketId = id + 1;
  const socket: Socket = { id, protocol, port: 0, address: 0, keepListening: false, open: false, state: "close", receiveQueue: [], ...fields };
  namespace.sockets.push(socket);
  return socket;
}

/** sock_release(): the socket leaves its namespace's table (a TCP socket in TIME_WAIT stays until it expires). */
export function sockRelease(namespace: NetworkNamespace, socket: Socket): void {
  const index = namespace.sockets.indexOf(socket);
  if (index !== -1) namespace.sockets.splice(index, 1);
}

/** tcp_time_wait(): the active closer keeps the port for TCP_TIMEWAIT_LEN. */
export const TCP_TIMEWAIT_LEN = 60_000_000;

export function tcpTimeWait(world: World, socket: Socket): void {
  socket.state = "time-wait";
  socket.timeWaitUntil = world.clock + TCP_TIMEWAIT_LEN;
}

/** Whether a socket still holds its port (a TIME_WAIT one until its time is up: inet_twsk_kill). */
export function sockAlive(world: World, socket: Socket): boolean {
  return socket.state !== "time-wait" || (socket.timeWaitUntil ?? 0) > world.clock;
}

/** Drops the TIME_WAIT sockets whose time is up (the kernel's tw timer, read lazily: nothing observes them in between). */
export function reapTimeWait(world: World, namespace: NetworkNamespace): void {
  if (!namespace.sockets.some((socket) => !sockAlive(world, socket))) return;
  namespace.sockets = namespace.sockets.filter((socket) => sockAlive(world, socket));
}

const CONNECTED: ReadonlySet<SocketState | undefined> = new Set<SocketState | undefined>(["syn-sent", "established"]);

/** __inet_lookup_established() / a connected UDP socket: the socket on this exact 4-tuple (seen from the receiver). */
export function inetLookupEstablished(namespace: NetworkNamespace, protocol: "tcp" | "udp", localAddress: number, localPort: number, remoteAddress: number, remotePort: number): Socket | undefined {
  for (const socket of namespace.sockets) {
    if (socket.protocol !== protocol || !CONNECTED.has(socket.state)) continue;
    if (socket.port === localPort && socket.remotePort === remotePort && socket.remoteAddress === remoteAddress && (socket.address === 0 || socket.address === localAddress)) return socket;
  }
  return undefined;
}

/** __inet_lookup_listener() / udp4_lib_lookup: a socket bound to the port and listening (or a bound, unconnected UDP socket), the first bound first. */
export function inetLookupListener(namespace: NetworkNamespace, protocol: "tcp" | "udp", address: number, port: number): Socket | undefined {
  for (const socket of namespace.sockets) {
    if (!socket.open || socket.protocol !== protocol || socket.port !== port) continue;
    if (socket.state !== undefined && socket.state !== "listen" && socket.state !== "bound") continue;
    if (socket.address === 0 || socket.address === address) return socket;
  }
  return undefined;
}

/** The ping socket with this echo id (ping_lookup in net/ipv4/ping.c). */
export function pingLookup(namespace: NetworkNamespace, echoId: number | undefined): Socket | undefined {
  if (echoId === undefined) return undefined;
  for (const socket of namespace.sockets) if (socket.protocol === "icmp" && socket.port === echoId && socket.pingEvents) return socket;
  return undefined;
}

/** sk_data_ready(): how a listener's program hears of data on a connection it accepted (the program, not the kernel, answers). */
export type DataReadyCallback = (simulation: Simulation, namespace: NetworkNamespace, connection: Socket, data: string) => void;

export function sockSetDataReady(world: World, listener: Socket, callback: DataReadyCallback | undefined): void {
  if (listener.id === undefined) return;
  const table = (derivedOf(world).dataReady ??= new Map());
  if (callback) table.set(listener.id, callback);
  else table.delete(listener.id);
}

/** Wakes the program behind the listener that accepted `connection`; false when none reads it (the data waits in the queue). */
export function sockDataReady(simulation: Simulation, namespace: NetworkNamespace, connection: Socket, data: string): boolean {
  if (connection.acceptedBy === undefined) return false;
  const callback = simulation.world.derived?.dataReady?.get(connection.acceptedBy);
  if (!callback) return false;
  callback(simulation, namespace, connection, data);
  return true;
}
