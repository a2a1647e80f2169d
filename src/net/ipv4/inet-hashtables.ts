// Port numbers for sockets (net/ipv4/inet_hashtables.c: __inet_hash_connect;
// inet_connection_sock.c: inet_csk_get_port, inet_csk_bind_conflict;
// udp.c: udp_lib_get_port). One allocator per namespace, over its
// net.ipv4.ip_local_port_range. Where the kernel draws random numbers
// (the siphash key of secure_ipv4_port_ephemeral, table_perturb's start,
// the "little bit of randomness" added after each pick) this uses a fixed
// hash, so a run replays; the shape of the choice is the kernel's: connect()
// tries ports of the range's low parity first (even, for 32768), and each
// pick moves that destination's slot on by 2 to 16 (measured: six connects
// from one namespace to one server gave 48326, 48342, 48352, 48360, 48374, 48390).
import { fixedHash, secureIpv4PortEphemeral } from "../core/secure-seq.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Socket } from "../../model/socket.js";
import type { World } from "../../model/world.js";
import { reapTimeWait, sockAlive } from "../core/sock.js";

export const DEFAULT_LOCAL_PORT_RANGE: readonly [number, number] = [32768, 60999];
/** INET_TABLE_PERTURB_SIZE (1 << INET_TABLE_PERTURB_SHIFT). */
const INET_TABLE_PERTURB_SIZE = 1 << 16;

export function localPortRange(namespace: NetworkNamespace): readonly [number, number] {
  return namespace.sysctl.ipLocalPortRange ?? DEFAULT_LOCAL_PORT_RANGE;
}

/** secure_ipv4_port_ephemeral() for this namespace (net_hash_mix: its id). */
function portOffset(namespace: NetworkNamespace, source: number, destination: number, destinationPort: number): { low: number; high: number } {
  return secureIpv4PortEphemeral(source, destination, destinationPort, namespace.id);
}

/** Sockets of `protocol` in the namespace that hold `port` (those in TIME_WAIT until they expire). */
function holders(world: World, namespace: NetworkNamespace, protocol: Socket["protocol"], port: number): Socket[] {
  return namespace.sockets.filter((socket) => socket.protocol === protocol && socket.port === port && sockAlive(world, socket) && (socket.state !== "close" || socket.explicitBind === true));
}

/**
 * inet_csk_bind_conflict() for bind(): a port is taken while another socket
 * of the protocol holds it (listening, connected or in TIME_WAIT) on the
 * same or a wildcard address. The probes here set no SO_REUSEADDR on their
 * client sockets (measured: `nc -p 5000` right after an earlier `nc -p 5000`
 * to the same server fails with "bind failed: Address already in use"),
 * while OpenBSD nc's listeners set SO_REUSEPORT (reusePort).
 */
export function inetBindConflict(world: World, namespace: NetworkNamespace, protocol: "tcp" | "udp", address: number, port: number, reusePort = false): boolean {
  reapTimeWait(world, namespace);
  return holders(world, namespace, protocol, port).some((socket) => (socket.address === 0 || address === 0 || socket.address === address) && !(reusePort && socket.open && socket.explicitBind === true));
}

/**
 * __inet_hash_connect(): the source port for a TCP connect() without bind().
 * A port bound by bind() is skipped; one other connect()s use is shared when
 * the 4-tuple stays unique (__inet_check_established; a TIME_WAIT twin on
 * the same 4-tuple counts, tcp_tw_reuse being for loopback only). Returns
 * undefined when the range is exhausted (EADDRNOTAVAIL).
 */
export function inetHashConnect(world: World, namespace: NetworkNamespace, source: number, destination: number, destinationPort: number): number | undefined {
  reapTimeWait(world, namespace);
  const [rangeLow, rangeHigh] = localPortRange(namespace);
  const low = rangeLow;
  const high = rangeHigh + 1;
  let remaining = high - low;
  if (remaining > 1) remaining &= ~1;
  const step = 2;
  const offsetHash = portOffset(namespace, source, destination, destinationPort);
  const index = offsetHash.low & (INET_TABLE_PERTURB_SIZE - 1);
  const perturb = world.portPerturb ?? (world.portPerturb = new Map());
  let offset = ((perturb.get(index) ?? 0) + offsetHash.high) % remaining;
  offset &= ~1;
  const usable = (port: number): boolean => {
    const held = holders(world, namespace, "tcp", port);
    if (held.some((socket) => socket.explicitBind)) return false;
    return !held.some((socket) => socket.remoteAddress === destination && socket.remotePort === destinationPort && (socket.address === 0 || socket.address === source));
  };
  for (;;) {
    let port = low + offset;
    for (let tried = 0; tried < remaining; tried += step, port += step) {
      if (port >= high) port -= remaining;
      if (!usable(port)) continue;
      // "A little bit of randomness to the next source port": max(i, random_below(8) * step).
      const jitter = (fixedHash(offsetHash.low ^ (perturb.get(index) ?? 0) ^ port) % 8) * step;
      perturb.set(index, ((perturb.get(index) ?? 0) + Math.max(tried, jitter) + step) >>> 0);
      return port;
    }
    offset++;
    if (!((offset & 1) !== 0 && remaining > 1)) return undefined;
  }
}

/** udp_lib_get_port() for an autobind (connect() or the first send): a hashed start in the range, then the next free port. */
export function udpLibGetPort(world: World, namespace: NetworkNamespace, source: number, destination: number, destinationPort: number): number | undefined {
  const [low, high] = localPortRange(namespace);
  const remaining = high - low + 1;
  const offsetHash = portOffset(namespace, source, destination, destinationPort ^ 0x11);
  // The kernel draws a fresh random start each time; a moving slot stands in, so repeated probes do not reuse one tuple.
  const index = (offsetHash.low ^ 0x5555) & (INET_TABLE_PERTURB_SIZE - 1);
  const perturb = world.portPerturb ?? (world.portPerturb = new Map());
  const start = ((perturb.get(index) ?? 0) + offsetHash.high) % remaining;
  for (let tried = 0; tried < remaining; tried++) {
    const port = low + ((start + tried) % remaining);
    if (holders(world, namespace, "udp", port).length > 0) continue;
    perturb.set(index, ((perturb.get(index) ?? 0) + tried + 1 + (fixedHash(offsetHash.low ^ port) % 8)) >>> 0);
    return port;
  }
  return undefined;
}
