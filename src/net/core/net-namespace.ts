// Creating namespaces and looking things up in them (net/core/net_namespace.c,
// net/core/dev.c: dev_get_by_name, dev_new_index).
import { derivedOf } from "../../model/derived.js";
import type { NetDevice } from "../../model/netdevice.js";
import { defaultDeviceConf } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { defaultFibRules } from "../../model/fib-rule.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from "../../model/route.js";
import { ROOT_NAMESPACE_ID, type World } from "../../model/world.js";
import { createFibTable } from "../ipv4/fib-table.js";
import { fibDeviceUp } from "../ipv4/fib-frontend.js";
import { rtGenidJoinWorld } from "./rt-genid.js";

export const LOOPBACK_IFINDEX = 1;

export function createWorld(): World {
  const world: World = {
    namespaces: new Map(),
    nextNamespaceId: ROOT_NAMESPACE_ID,
    clock: 0,
    pending: [],
    nextEventOrder: 0,
    nextMacSerial: 1,
    nextFrameId: 1,
    nextEchoId: 0x4e53,
    nextEphemeralPort: 40000,
  };
  const root = createNamespace(world, "");
  // The scenario's own namespace stands for a host, whose lo is up (named
  // namespaces start with lo down, as `ip netns add` makes them).
  const loopback = root.devices.get(LOOPBACK_IFINDEX)!;
  loopback.adminUp = true;
  loopback.everUp = true;
  loopback.addresses.push({ address: 0x7f000001, prefixLength: 8, scope: "host", secondary: false, label: "lo" });
  fibDeviceUp(root, loopback);
  return world;
}

/**
 * A fresh namespace holds only `lo`, down and without 127.0.0.1 until it is
 * brought up. ip_forward and rp_filter start at 0: the kernel copies them
 * from the initial namespace, and the model is of a stock host.
 */
export function createNamespace(world: World, name: string): NetworkNamespace {
  const namespace: NetworkNamespace = {
    id: world.nextNamespaceId++,
    name,
    devices: new Map(),
    nextIfindex: 2,
    tables: new Map([
      [RT_TABLE_LOCAL, createFibTable(RT_TABLE_LOCAL)],
      [RT_TABLE_MAIN, createFibTable(RT_TABLE_MAIN)],
    ]),
    rules: defaultFibRules(),
    fibHasCustomRules: false,
    neighbours: new Map(),
    sysctl: {
      confAll: defaultDeviceConf(),
      confDefault: defaultDeviceConf(),
      bridgeNfCallIptables: true,
      neighMcastSolicit: 3,
      neighRetransTimeMs: 1000,
    },
    sockets: [],
    nsids: new Map(),
  };
  const loopback: NetDevice = {
    kind: "loopback",
    index: LOOPBACK_IFINDEX,
    name: "lo",
    mac: "00:00:00:00:00:00",
    mtu: 65536,
    adminUp: false,
    everUp: false,
    addresses: [],
    conf: defaultDeviceConf(),
    statistics: emptyStatistics(),
  };
  namespace.devices.set(loopback.index, loopback);
  world.namespaces.set(namespace.id, namespace);
  nameIndexAdd(world.namespaces, namespace);
  rtGenidJoinWorld(world, namespace);
  return namespace;
}

export function emptyStatistics(): NetDevice["statistics"] {
  return { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };
}

export function namespaceById(world: World, id: number): NetworkNamespace {
  const namespace = world.namespaces.get(id);
  if (!namespace) throw new Error(`netsim: no namespace with id ${id}`);
  return namespace;
}

// Name lookups: an index from name to item per Map (namespaces of a world,
// devices of a namespace), so a world of thousands of containers is not
// scanned on every command. Every insertion, removal and rename in
// net/core keeps it current (nameIndexAdd/Remove/Rename); a Map that has
// none yet (a fresh clone) gets one on its first lookup, and one whose size
// no longer agrees with it is rebuilt. The index is the Map's derived state
// (model/derived.ts): a copy of the Map leaves it behind.
interface Named {
  readonly name: string;
}
type NamedMap = ReadonlyMap<number, Named> & { derived?: { names?: Map<string, Named> } };

function nameIndex<T extends Named>(map: ReadonlyMap<number, T>): Map<string, T> {
  const derived = derivedOf(map as NamedMap);
  let index = derived.names as Map<string, T> | undefined;
  if (!index || index.size !== map.size) {
    index = new Map();
    for (const item of map.values()) if (!index.has(item.name)) index.set(item.name, item);
    derived.names = index;
  }
  return index;
}

function forgetNameIndex(map: ReadonlyMap<number, Named>): void {
  const derived = (map as NamedMap).derived;
  if (derived !== undefined) derived.names = undefined;
}

function lookupByName<T extends Named>(map: ReadonlyMap<number, T>, name: string, key: (item: T) => number): T | undefined {
  const hit = nameIndex(map).get(name);
  if (hit === undefined || (hit.name === name && map.get(key(hit)) === hit)) return hit;
  // Changed behind the index's back: rebuild it from the map itself.
  forgetNameIndex(map);
  return nameIndex(map).get(name);
}

/** Call after `item` was set into `map`. */
export function nameIndexAdd(map: ReadonlyMap<number, Named>, item: Named): void {
  const index = (map as NamedMap).derived?.names;
  if (!index) return;
  if (index.has(item.name)) forgetNameIndex(map);
  else index.set(item.name, item);
}

/** Call when `item` leaves `map` (with the name it had there). */
export function nameIndexRemove(map: ReadonlyMap<number, Named>, item: Named): void {
  const index = (map as NamedMap).derived?.names;
  if (!index) return;
  if (index.get(item.name) === item) index.delete(item.name);
  else forgetNameIndex(map);
}

/** Call after `item` in `map` changed its name from `oldName`. */
export function nameIndexRename(map: ReadonlyMap<number, Named>, item: Named, oldName: string): void {
  const index = (map as NamedMap).derived?.names;
  if (!index) return;
  if (index.get(oldName) === item && !index.has(item.name)) {
    index.delete(oldName);
    index.set(item.name, item);
  } else forgetNameIndex(map);
}

export function namespaceByName(world: World, name: string): NetworkNamespace | undefined {
  return lookupByName(world.namespaces, name, (namespace) => namespace.id);
}

export function rootNamespace(world: World): NetworkNamespace {
  return namespaceById(world, ROOT_NAMESPACE_ID);
}

export function deviceByName(namespace: NetworkNamespace, name: string): NetDevice | undefined {
  return lookupByName(namespace.devices, name, (device) => device.index);
}

export function deviceByIndex(namespace: NetworkNamespace, index: number): NetDevice {
  const device = namespace.devices.get(index);
  if (!device) throw new Error(`netsim: no device ${index} in namespace "${namespace.name}"`);
  return device;
}

/** dev_new_index(): the next free ifindex of the namespace. */
export function allocateIfindex(namespace: NetworkNamespace): number {
  while (namespace.devices.has(namespace.nextIfindex)) namespace.nextIfindex++;
  return namespace.nextIfindex++;
}

/** Devices in ifindex order, as `ip link` lists them. */
/** The peer of a veth, wherever it lives. */
export function vethPeer(world: World, device: NetDevice): { namespace: NetworkNamespace; device: NetDevice } | undefined {
  if (!device.peer) return undefined;
  const namespace = world.namespaces.get(device.peer.namespaceId);
  const peer = namespace?.devices.get(device.peer.index);
  return namespace && peer ? { namespace, device: peer } : undefined;
}

/** peernet2id_alloc(): the id `viewer` knows `other` by, allocated on first need. */
export function allocateNsid(viewer: NetworkNamespace, other: NetworkNamespace): number {
  const existing = viewer.nsids.get(other.id);
  if (existing !== undefined) return existing;
  let nsid = 0;
  for (const value of viewer.nsids.values()) if (value >= nsid) nsid = value + 1;
  viewer.nsids.set(other.id, nsid);
  return nsid;
}
