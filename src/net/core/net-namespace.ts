// Creating namespaces and looking things up in them (net/core/net_namespace.c,
// net/core/dev.c: dev_get_by_name, dev_new_index).
import type { NetDevice } from "../../model/netdevice.js";
import { defaultDeviceConf } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from "../../model/route.js";
import { ROOT_NAMESPACE_ID, type World } from "../../model/world.js";
import { createFibTable } from "../ipv4/fib-table.js";
import { fibDeviceUp } from "../ipv4/fib-frontend.js";

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

export function namespaceByName(world: World, name: string): NetworkNamespace | undefined {
  for (const namespace of world.namespaces.values()) if (namespace.name === name) return namespace;
  return undefined;
}

export function rootNamespace(world: World): NetworkNamespace {
  return namespaceById(world, ROOT_NAMESPACE_ID);
}

export function deviceByName(namespace: NetworkNamespace, name: string): NetDevice | undefined {
  for (const device of namespace.devices.values()) if (device.name === name) return device;
  return undefined;
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
export function devicesInOrder(namespace: NetworkNamespace): NetDevice[] {
  return [...namespace.devices.values()].sort((a, b) => a.index - b.index);
}

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
  const nsid = viewer.nsids.size === 0 ? 0 : Math.max(...viewer.nsids.values()) + 1;
  viewer.nsids.set(other.id, nsid);
  return nsid;
}
