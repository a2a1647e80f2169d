// Routes the kernel derives from addresses and link state
// (net/ipv4/fib_frontend.c: fib_add_ifaddr, fib_del_ifaddr, fib_disable_ip,
// fib_netdev_event, inet_dump_fib; fib_semantics.c: fib_sync_down_dev, fib_sync_down_addr).
import { broadcastAddress, networkAddress, type Ipv4Address } from "../../model/address.js";
import type { InetAddress, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, type FibTable, type Route, type RouteType } from "../../model/route.js";
import { fibAliases, fibTableInsert, fibTableRemove } from "./fib-table.js";
import { primaryFor } from "./devinet.js";

export function fibTable(namespace: NetworkNamespace, id: number): FibTable {
  const table = namespace.tables.get(id);
  if (!table) throw new Error(`netsim: no table ${id}`);
  return table;
}

/** FIB_TABLE_HASHSZ with CONFIG_IP_MULTIPLE_TABLES: the buckets of net->ipv4.fib_table_hash. */
const FIB_TABLE_HASHSZ = 256;

/**
 * inet_dump_fib() walks fib_table_hash bucket by bucket (id & 255), and a bucket from its
 * head, where fib_new_table() puts each new table: `ip route show table all`'s order.
 */
export function fibTablesInDumpOrder(namespace: NetworkNamespace): FibTable[] {
  const created = [...namespace.tables.values()];
  const position = new Map(created.map((table, index) => [table, index]));
  return created.sort((a, b) => (a.id & (FIB_TABLE_HASHSZ - 1)) - (b.id & (FIB_TABLE_HASHSZ - 1)) || position.get(b)! - position.get(a)!);
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.type === b.type &&
    a.metric === b.metric &&
    a.scope === b.scope &&
    a.preferredSource === b.preferredSource &&
    a.nexthop?.deviceIndex === b.nexthop?.deviceIndex &&
    a.nexthop?.gateway === b.nexthop?.gateway
  );
}

/** fib_magic(RTM_NEWROUTE, ...): kernel routes are appended (NLM_F_APPEND); an identical one is not added twice. */
function fibMagicAdd(namespace: NetworkNamespace, type: RouteType, address: Ipv4Address, length: number, device: NetDevice, primary: InetAddress): void {
  const route: Route = {
    table: type === "unicast" ? RT_TABLE_MAIN : RT_TABLE_LOCAL,
    type,
    prefix: { address, length },
    nexthop: { deviceIndex: device.index },
    preferredSource: primary.address,
    metric: 0,
    protocol: "kernel",
    scope: type === "local" ? "host" : "link",
    ...(primary.origin ? { origin: primary.origin } : {}),
  };
  const table = fibTable(namespace, route.table);
  if (fibAliases(table, route.prefix).some((existing) => sameRoute(existing, route))) return;
  fibTableInsert(namespace, table, route, "append");
}

function fibMagicDelete(namespace: NetworkNamespace, type: RouteType, address: Ipv4Address, length: number, device: NetDevice, primary: InetAddress): void {
  const table = fibTable(namespace, type === "unicast" ? RT_TABLE_MAIN : RT_TABLE_LOCAL);
  let removedOne = false;
  fibTableRemove(namespace, table, (route) => {
    if (removedOne) return false;
    const match =
      route.protocol === "kernel" &&
      route.type === type &&
      route.prefix.address === address &&
      route.prefix.length === length &&
      route.nexthop?.deviceIndex === device.index &&
      route.preferredSource === primary.address;
    if (match) removedOne = true;
    return match;
  });
}

/** The routes one address implies, as fib_add_ifaddr() adds them. */
function addressRoutes(device: NetDevice, address: InetAddress, deviceUp: boolean): Array<[RouteType, Ipv4Address, number]> {
  const routes: Array<[RouteType, Ipv4Address, number]> = [["local", address.address, 32]];
  if (!deviceUp) return routes;
  if (address.broadcast !== undefined && address.broadcast !== 0xffffffff) routes.push(["broadcast", address.broadcast, 32]);
  const prefix = networkAddress(address.address, address.prefixLength);
  if (prefix !== 0 && !address.secondary && (prefix !== address.address || address.prefixLength < 32)) {
    routes.push([device.kind === "loopback" ? "local" : "unicast", prefix, address.prefixLength]);
    if (address.prefixLength < 31) routes.push(["broadcast", broadcastAddress(address.address, address.prefixLength), 32]);
  }
  return routes;
}

function primaryOf(device: NetDevice, address: InetAddress): InetAddress {
  return address.secondary ? primaryFor(device, address.address, address.prefixLength) ?? address : address;
}

/** fib_add_ifaddr(): on address add, and for every address when the device comes up. */
export function fibAddIfaddr(namespace: NetworkNamespace, device: NetDevice, address: InetAddress): void {
  const primary = primaryOf(device, address);
  for (const [type, destination, length] of addressRoutes(device, address, device.adminUp)) {
    fibMagicAdd(namespace, type, destination, length, device, primary);
  }
}

/**
 * fib_del_ifaddr() + fib_sync_down_addr(): the address's own routes go,
 * unless another address on the device still implies them, and so does
 * every route that names it as `src`.
 */
export function fibDelIfaddr(namespace: NetworkNamespace, device: NetDevice, address: InetAddress, primary: InetAddress): void {
  const stillImplied = new Set<string>();
  for (const other of device.addresses) {
    const otherPrimary = primaryOf(device, other);
    for (const [type, destination, length] of addressRoutes(device, other, device.adminUp)) {
      stillImplied.add(`${type}/${destination}/${length}/${otherPrimary.address}`);
    }
  }
  for (const [type, destination, length] of addressRoutes(device, address, device.adminUp)) {
    if (!stillImplied.has(`${type}/${destination}/${length}/${primary.address}`)) {
      fibMagicDelete(namespace, type, destination, length, device, primary);
    }
  }
  const stillLocal = (source: Ipv4Address): boolean =>
    [...namespace.devices.values()].some((other) => other.addresses.some((candidate) => candidate.address === source));
  for (const table of namespace.tables.values()) {
    fibTableRemove(namespace, table, (route) => route.preferredSource === address.address && !stillLocal(address.address));
  }
  if (device.addresses.length === 0) fibFlushDevice(namespace, device, true);
}

/**
 * fib_disable_ip() on NETDEV_DOWN: every route through the device goes,
 * static and default routes included, except the local (host-scope) routes
 * of its addresses (which keep the addresses reachable from the namespace), unless
 * `everything` (the last address went).
 */
export function fibFlushDevice(namespace: NetworkNamespace, device: NetDevice, everything: boolean): void {
  for (const table of namespace.tables.values()) {
    fibTableRemove(
      namespace,
      table,
      // fib_sync_down_dev(): host-scope (local) routes survive a plain down, lo's 127.0.0.0/8 included.
      (route) => route.nexthop?.deviceIndex === device.index && (everything || route.type !== "local"),
    );
  }
}

/** NETDEV_UP: the kernel routes of every address come back, appended at the end of their lists. */
export function fibDeviceUp(namespace: NetworkNamespace, device: NetDevice): void {
  for (const address of device.addresses) fibAddIfaddr(namespace, device, address);
}
