// Applying configuration operations to the model, as the kernel's netlink
// handlers do (net/core/rtnetlink.c: rtnl_newlink, rtnl_dellink, do_setlink;
// net/ipv4/devinet.c: inet_rtm_newaddr, inet_rtm_deladdr;
// net/ipv4/fib_frontend.c: inet_rtm_newroute, inet_rtm_delroute;
// net/core/net_namespace.c for namespaces).
import { networkAddress } from "../../model/address.js";
import { fail, ok, type KernelResult } from "../../model/errno.js";
import { generatedMac, ZERO_MAC, type MacAddress } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { neighbourKey } from "../../model/neighbour.js";
import { DEFAULT_BRIDGE_PORT_FLAGS } from "../../model/bridge.js";
import { derivedOf } from "../../model/derived.js";
import type { AddressAdd, AddressDelete, LinkAdd, LinkSet, Operation, RouteAdd, RouteDelete } from "../../model/operations.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, type Route } from "../../model/route.js";
import type { World } from "../../model/world.js";
import { brFdbAddLocal, brFdbDeleteByPort } from "../bridge/br-fdb.js";
import { insertInetAddress } from "../ipv4/devinet.js";
import { fibAddIfaddr, fibDelIfaddr, fibDeviceUp, fibFlushDevice } from "../ipv4/fib-frontend.js";
import { createFibTable, fibAliases, fibTableDelete, fibTableInsert, fibTableLookup, fibTableRemove, fibTableReplace, isNetworkPrefix } from "../ipv4/fib-table.js";
import { fibDeleteRule, fibNewRule } from "../ipv4/fib-rules.js";
import { isLocalAddress } from "../ipv4/arp.js";
import { hasCarrier, isRunning } from "./link-state.js";
import { writeSysctl } from "./proc-sys.js";
import { nfTablesApply } from "../netfilter/nf-tables-api.js";
import { nfTablesCommit } from "../netfilter/nf-tables-commit.js";
import { masqDeviceEvent, masqInetEvent } from "../netfilter/nf-nat-masquerade.js";
import { allocateIfindex, allocateNsid, createNamespace, deviceByIndex, emptyStatistics, nameIndexAdd, nameIndexRemove, nameIndexRename, namespaceById, namespaceByName, deviceByName, vethPeer } from "./net-namespace.js";
import { rtGenidBumpWorld } from "./rt-genid.js";

/** The operations whose effects stay in their own namespace, which bumps its generation itself. */
const NAMESPACE_LOCAL_OPERATIONS: ReadonlySet<Operation["op"]> = new Set(["iptables", "iptables-restore", "conntrack-flush", "nft", "sysctl-set", "rule-add", "rule-delete"]);

export function applyOperation(world: World, operation: Operation): KernelResult<unknown> {
  // Cached routes and offloaded flows go stale with any configuration change (net/core/rt-genid.ts):
  // rulesets, sysctls and routing rules are their namespace's alone (nfTablesApply, nfTablesCommit, writeSysctl and fib-rules.ts
  // bump it); a link, address, route or neighbour change may reach the namespaces a link joins.
  if (!NAMESPACE_LOCAL_OPERATIONS.has(operation.op)) rtGenidBumpWorld(world);
  switch (operation.op) {
    case "iptables":
    case "iptables-restore":
    case "conntrack-flush":
      return nfTablesApply(world, operation);
    case "nft":
      return nfTablesCommit(world, operation);
    case "netns-add":
      if (namespaceByName(world, operation.name)) return fail("EEXIST");
      return ok(createNamespace(world, operation.name).id);
    case "netns-set-id": {
      // rtnl_net_newid(): one id per peer, and no id twice.
      const viewer = namespaceById(world, operation.viewerId);
      if (viewer.nsids.has(operation.targetId)) return fail("EEXIST", "Peer netns already has a nsid assigned");
      if ([...viewer.nsids.values()].includes(operation.nsid)) return fail("EEXIST", "The specified nsid is already used");
      viewer.nsids.set(operation.targetId, operation.nsid);
      return ok(undefined);
    }
    case "netns-delete":
      return netnsDelete(world, operation.name);
    case "link-add":
      return rtnlNewlink(world, operation);
    case "link-delete": {
      const namespace = namespaceById(world, operation.namespaceId);
      const device = deviceByIndex(namespace, operation.index);
      if (device.kind === "loopback") return fail("EOPNOTSUPP");
      unregisterDevice(world, namespace, device);
      return ok(undefined);
    }
    case "link-set":
      return doSetlink(world, operation);
    case "bridge-port-set": {
      // br_setport(): only a bridge port has these flags.
      const namespace = namespaceById(world, operation.namespaceId);
      const device = deviceByIndex(namespace, operation.index);
      if (device.masterIndex === undefined) return fail("EOPNOTSUPP");
      device.brport = { ...(device.brport ?? DEFAULT_BRIDGE_PORT_FLAGS), ...operation.flags };
      return ok(undefined);
    }
    case "bridge-set": {
      const namespace = namespaceById(world, operation.namespaceId);
      const device = deviceByIndex(namespace, operation.index);
      if (!device.bridge) return fail("EOPNOTSUPP");
      if (operation.ageingTime !== undefined) device.bridge.ageingTime = operation.ageingTime;
      return ok(undefined);
    }
    case "address-add":
      return inetRtmNewaddr(world, operation);
    case "address-delete":
      return inetRtmDeladdr(world, operation);
    case "address-flush": {
      const namespace = namespaceById(world, operation.namespaceId);
      const device = deviceByIndex(namespace, operation.index);
      // The flush takes the IPv6 link-local address too (until the device is configured again).
      if (device.ipv6?.configuredOrder !== undefined || device.kind === "loopback") device.ipv6 = { ...device.ipv6, linkLocalRemoved: true };
      for (const address of [...device.addresses].reverse()) {
        if (!device.addresses.includes(address)) continue;
        inetRtmDeladdr(world, { op: "address-delete", namespaceId: namespace.id, index: device.index, address: address.address, prefixLength: address.prefixLength });
      }
      return ok(undefined);
    }
    case "route-add":
      return inetRtmNewroute(world, operation);
    case "route-delete":
      return inetRtmDelroute(world, operation);
    case "route-flush": {
      const namespace = namespaceById(world, operation.namespaceId);
      const table = namespace.tables.get(operation.table);
      if (table) fibTableRemove(namespace, table, (route) => operation.deviceIndex === undefined || route.nexthop?.deviceIndex === operation.deviceIndex);
      return ok(undefined);
    }
    case "rule-add":
      return fibNewRule(namespaceById(world, operation.namespaceId), operation.rule);
    case "rule-delete":
      return fibDeleteRule(namespaceById(world, operation.namespaceId), operation.selector);
    case "sysctl-set":
      return writeSysctl(namespaceById(world, operation.namespaceId), operation.key, operation.value);
    case "neigh-flush": {
      // neigh_flush: static (PERMANENT) entries stay.
      const namespace = namespaceById(world, operation.namespaceId);
      for (const [key, entry] of namespace.neighbours) {
        if ((operation.deviceIndex === undefined || entry.deviceIndex === operation.deviceIndex) && (operation.address === undefined || entry.address === operation.address) && entry.state !== "PERMANENT") {
          namespace.neighbours.delete(key);
        }
      }
      return ok(undefined);
    }
    case "neigh-set": {
      const namespace = namespaceById(world, operation.namespaceId);
      const key = neighbourKey(operation.deviceIndex, operation.address);
      if (operation.exclusive && namespace.neighbours.has(key)) return fail("EEXIST");
      namespace.neighbours.set(key, { deviceIndex: operation.deviceIndex, address: operation.address, state: operation.state, ...(operation.mac ? { mac: operation.mac } : {}), probes: 0, confirmedAt: world.clock, queue: [] });
      return ok(undefined);
    }
    case "neigh-delete": {
      const namespace = namespaceById(world, operation.namespaceId);
      return namespace.neighbours.delete(neighbourKey(operation.deviceIndex, operation.address)) ? ok(undefined) : fail("ENOENT");
    }
  }
}

function nextMac(world: World): string {
  return generatedMac(world.nextMacSerial++);
}

function newDevice(world: World, namespace: NetworkNamespace, fields: Pick<NetDevice, "kind" | "name"> & Partial<NetDevice>): NetDevice {
  const device: NetDevice = {
    index: allocateIfindex(namespace),
    mac: nextMac(world),
    mtu: 1500,
    adminUp: false,
    everUp: false,
    addresses: [],
    conf: { ...namespace.sysctl.confDefault },
    ...(namespace.sysctl.ipv6DisabledDefault ? { ipv6: { disabled: true } } : {}),
    statistics: emptyStatistics(),
    ...fields,
  };
  namespace.devices.set(device.index, device);
  nameIndexAdd(namespace.devices, device);
  return device;
}

/** ifla_policy's IFLA_IFNAME: at most IFNAMSIZ-1 bytes, checked before anything is created. */
function ifnamePolicy(name: string): KernelResult<undefined> {
  return name.length >= 16 ? fail("EINVAL", "Attribute failed policy validation") : ok(undefined);
}

/** dev_valid_name(), at register_netdevice(): not empty, "." or "..", no '/', ':' or space. */
function devValidName(name: string): KernelResult<undefined> {
  const policy = ifnamePolicy(name);
  if (!policy.ok) return policy;
  if (name === "" || name === "." || name === ".." || /[/:\s]/.test(name)) return fail("EINVAL");
  return ok(undefined);
}

function rtnlNewlink(world: World, operation: LinkAdd): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const policy = ifnamePolicy(operation.name);
  if (!policy.ok) return policy;
  if (operation.peer) {
    const validPeer = devValidName(operation.peer.name);
    if (!validPeer.ok) return validPeer;
  }
  const validName = devValidName(operation.name);
  if (!validName.ok) {
    // veth_newlink() registered the peer before the device's own name was refused: its ifindex stays used.
    if (operation.peer) allocateIfindex(namespaceById(world, operation.peer.namespaceId));
    return validName;
  }
  if (deviceByName(namespace, operation.name)) return fail("EEXIST");
  if (operation.peer) {
    const peerNamespace = namespaceById(world, operation.peer.namespaceId);
    if (deviceByName(peerNamespace, operation.peer.name) || (peerNamespace === namespace && operation.peer.name === operation.name)) return fail("EEXIST");
  }
  const origin = operation.origin ? { origin: operation.origin } : {};
  // veth_newlink() registers the peer first, so the peer gets the lower ifindex.
  const peerNamespace = operation.peer ? namespaceById(world, operation.peer.namespaceId) : undefined;
  const peer = operation.kind === "veth" && operation.peer && peerNamespace
    ? newDevice(world, peerNamespace, { kind: "veth", name: operation.peer.name, ...(operation.peer.mac ? { mac: operation.peer.mac } : {}), ...origin })
    : undefined;
  const device = newDevice(world, namespace, {
    kind: operation.kind,
    name: operation.name,
    ...(operation.mac ? { mac: operation.mac } : {}),
    ...(operation.mtu ? { mtu: operation.mtu } : {}),
    ...(operation.kind === "bridge" ? { bridge: { ageingTime: 30000, macFixed: operation.mac !== undefined, hadPorts: false, fdb: new Map() } } : {}),
    ...origin,
  });
  // br_dev_init()/br_fdb_change_mac_address(): the bridge's own address is a local fdb entry from the start.
  if (device.bridge) brFdbAddLocal(device, device.mac, device.index);
  if (peer && peerNamespace) {
    peer.peer = { namespaceId: namespace.id, index: device.index };
    device.peer = { namespaceId: peerNamespace.id, index: peer.index };
    if (peerNamespace !== namespace) {
      allocateNsid(namespace, peerNamespace);
      allocateNsid(peerNamespace, namespace);
    }
  }
  if (operation.masterIndex !== undefined) {
    const result = enslave(namespace, device, operation.masterIndex);
    if (!result.ok) return result;
  }
  if (operation.up) setUp(world, namespace, device, true);
  return ok(device.index);
}

/** unregister_netdevice(): addresses, routes, neighbours and bridge membership go with the device; a veth takes its peer. */
function unregisterDevice(world: World, namespace: NetworkNamespace, device: NetDevice): void {
  const peer = vethPeer(world, device);
  detachDevice(world, namespace, device);
  namespace.devices.delete(device.index);
  nameIndexRemove(namespace.devices, device);
  if (device.kind === "bridge") {
    for (const port of namespace.devices.values()) {
      if (port.masterIndex !== device.index) continue;
      delete port.masterIndex;
      delete port.brport;
      delete port.brportNo;
    }
  }
  if (peer) {
    detachDevice(world, peer.namespace, peer.device);
    peer.namespace.devices.delete(peer.device.index);
    nameIndexRemove(peer.namespace.devices, peer.device);
  }
}

/** What leaving a namespace (deletion or a move) strips from a device. */
function detachDevice(world: World, namespace: NetworkNamespace, device: NetDevice): void {
  if (device.adminUp) setUp(world, namespace, device, false);
  for (const address of [...device.addresses]) {
    device.addresses.splice(device.addresses.indexOf(address), 1);
  }
  fibFlushDevice(namespace, device, true);
  for (const [key, entry] of namespace.neighbours) if (entry.deviceIndex === device.index) namespace.neighbours.delete(key);
  if (device.masterIndex !== undefined) release(namespace, device);
}

function netnsDelete(world: World, name: string): KernelResult<unknown> {
  const namespace = namespaceByName(world, name);
  if (!namespace || namespace.name === "") return fail("ENOENT");
  // cleanup_net(): every device goes; a veth takes its peer in another namespace with it.
  for (const device of [...namespace.devices.values()]) {
    if (namespace.devices.has(device.index) && device.kind !== "loopback") unregisterDevice(world, namespace, device);
  }
  world.namespaces.delete(namespace.id);
  nameIndexRemove(world.namespaces, namespace);
  // cleanup_net(): every other namespace forgets the id it had for this one.
  for (const other of world.namespaces.values()) other.nsids.delete(namespace.id);
  return ok(undefined);
}

/**
 * addrconf_notify(): a device that is up with carrier gets IPv6 configured
 * (link-local address, fe80::/64, ff00::/8); one that lost either is
 * unconfigured. veth_open() turns on the opened end's carrier before the
 * peer's, so the opened end is configured first.
 */
function syncIpv6(world: World, namespace: NetworkNamespace, device: NetDevice): void {
  const peer = vethPeer(world, device);
  for (const [owner, candidate] of [[namespace, device], ...(peer ? [[peer.namespace, peer.device] as const] : [])] as const) {
    const ready = isRunning(world, owner, candidate);
    // addrconf_addr_gen(): IN6_ADDR_GEN_MODE_NONE adds no link-local address (nor its fe80::/64); ff00::/8 still comes.
    const linkLocalRemoved = candidate.kind !== "loopback" && candidate.ipv6?.addrGenMode === "none";
    if (ready && candidate.ipv6?.configuredOrder === undefined) candidate.ipv6 = { ...candidate.ipv6, configuredOrder: world.nextEventOrder++, linkLocalRemoved };
    if (!ready && candidate.ipv6?.configuredOrder !== undefined) candidate.ipv6 = { ...candidate.ipv6, configuredOrder: undefined, linkLocalRemoved: false };
  }
}

/**
 * default_operstate() for a device up without carrier, as linkwatch runs it
 * at the event (and never again until the next): DOWN when its iflink (a
 * veth's peer's ifindex) is its own ifindex or names no device in its own
 * namespace, or names one that is operationally up; else LOWERLAYERDOWN.
 * Measured: va2 (n0) whose peer vb2 (n1, ifindex 2) goes down while vb0 (n0,
 * ifindex 2) is up shows DOWN, and keeps DOWN after vb0 goes down.
 */
function operstateWithoutCarrier(world: World, namespace: NetworkNamespace, device: NetDevice): "DOWN" | "LOWERLAYERDOWN" {
  const iflink = device.peer?.index;
  if (iflink === undefined || iflink === device.index) return "DOWN";
  const linked = namespace.devices.get(iflink);
  if (!linked) return "DOWN";
  const linkedUp = linked.adminUp && hasCarrier(world, namespace, linked);
  return linkedUp ? "DOWN" : "LOWERLAYERDOWN";
}

/** Linkwatch's verdict for a device whose admin state or carrier just changed. */
function linkwatchEvent(world: World, namespace: NetworkNamespace, device: NetDevice): void {
  if (device.adminUp && !hasCarrier(world, namespace, device)) device.operstateWithoutCarrier = operstateWithoutCarrier(world, namespace, device);
  else delete device.operstateWithoutCarrier;
}

function setUp(world: World, namespace: NetworkNamespace, device: NetDevice, up: boolean): void {
  if (device.adminUp === up) return;
  device.adminUp = up;
  syncIpv6(world, namespace, device);
  linkwatchEvent(world, namespace, device);
  const carrierPeer = vethPeer(world, device);
  if (carrierPeer) linkwatchEvent(world, carrierPeer.namespace, carrierPeer.device);
  if (up) {
    device.everUp = true;
    if (device.kind === "loopback" && !device.addresses.some((address) => address.address === 0x7f000001)) {
      // inetdev_event(NETDEV_UP) gives lo 127.0.0.1/8 the first time it comes up.
      insertInetAddress(device, { address: 0x7f000001, prefixLength: 8, scope: "host", label: "lo" });
    }
    fibDeviceUp(namespace, device);
  } else {
    fibFlushDevice(namespace, device, false);
    masqDeviceEvent(namespace, device.index);
    for (const [key, entry] of namespace.neighbours) if (entry.deviceIndex === device.index) namespace.neighbours.delete(key);
    // The veth peer loses its carrier: neigh_carrier_down() flushes its entries but the permanent ones.
    if (carrierPeer) {
      for (const [key, entry] of carrierPeer.namespace.neighbours) if (entry.deviceIndex === carrierPeer.device.index && entry.state !== "PERMANENT") carrierPeer.namespace.neighbours.delete(key);
    }
  }
}

/** br_add_if(). */
function enslave(namespace: NetworkNamespace, device: NetDevice, masterIndex: number): KernelResult<unknown> {
  const bridge = namespace.devices.get(masterIndex);
  if (!bridge) return fail("ENODEV");
  if (bridge.kind !== "bridge") return fail("EOPNOTSUPP");
  if (device.index === bridge.index) return fail("EINVAL");
  if (device.masterIndex === masterIndex) return ok(undefined);
  if (device.masterIndex !== undefined) release(namespace, device);
  // Whether the bridge had ports before this one, asked before it joins (the scan stops at the first).
  const hadPorts = hasPort(namespace, bridge);
  // find_portno(): the lowest port number no port of the bridge has.
  const taken = portNumbers(namespace, bridge);
  let portNo = 1;
  while (taken.has(portNo)) portNo++;
  taken.add(portNo);
  device.brportNo = portNo;
  device.masterIndex = bridge.index;
  bridge.bridge!.hadPorts = true;
  brFdbAddLocal(bridge, device.mac, device.index);
  // A bridge with ports already carries the lowest of their MACs, so the lowest now is that or the newcomer's:
  // no scan of every port per port added (a thousand containers on one bridge made that quadratic).
  setBridgeMac(bridge, hadPorts && bridge.mac < device.mac ? bridge.mac : device.mac);
  return ok(undefined);
}

declare module "../../model/bridge.js" {
  interface BridgeDerived {
    /** The port numbers the bridge's ports have (the kernel's find_portno() bitmap): a port added looks here, not at every device of the namespace. */
    portNumbers?: Set<number>;
  }
}

/** The port numbers in use on the bridge, read from its ports the first time (a copied world derives its own). */
function portNumbers(namespace: NetworkNamespace, bridge: NetDevice): Set<number> {
  const derived = derivedOf(bridge.bridge!);
  if (derived.portNumbers === undefined) {
    const numbers = new Set<number>();
    for (const port of namespace.devices.values()) if (port.masterIndex === bridge.index && port.brportNo !== undefined) numbers.add(port.brportNo);
    derived.portNumbers = numbers;
  }
  return derived.portNumbers;
}

/** br_del_if(). */
function release(namespace: NetworkNamespace, device: NetDevice): void {
  const bridge = device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex);
  if (bridge?.bridge && device.brportNo !== undefined) portNumbers(namespace, bridge).delete(device.brportNo);
  delete device.masterIndex;
  delete device.brport;
  delete device.brportNo;
  if (!bridge?.bridge) return;
  brFdbDeleteByPort(bridge, device.index, true);
  recalculateBridgeMac(namespace, bridge);
}

function hasPort(namespace: NetworkNamespace, bridge: NetDevice): boolean {
  for (const port of namespace.devices.values()) if (port.masterIndex === bridge.index) return true;
  return false;
}

/**
 * br_stp_recalculate_bridge_id(): a bridge without a MAC of its own takes the lowest port MAC; with no port
 * left that is br_mac_zero, so a bridge whose last port went is 00:00:00:00:00:00 (its first random MAC is gone).
 */
function recalculateBridgeMac(namespace: NetworkNamespace, bridge: NetDevice): void {
  let lowest: MacAddress | undefined;
  for (const port of namespace.devices.values()) if (port.masterIndex === bridge.index && (lowest === undefined || port.mac < lowest)) lowest = port.mac;
  setBridgeMac(bridge, lowest ?? ZERO_MAC);
}

/** br_stp_change_bridge_id(), unless the MAC was set by hand (a bridge whose MAC is its own keeps it). */
function setBridgeMac(bridge: NetDevice, mac: MacAddress): void {
  if (bridge.bridge!.macFixed || mac === bridge.mac) return;
  bridge.bridge!.fdb.delete(bridge.mac);
  bridge.mac = mac;
  // fdb_add_local() refuses an address that is not a valid unicast one, the zero MAC among them.
  if (mac !== ZERO_MAC) brFdbAddLocal(bridge, mac, bridge.index);
}

function doSetlink(world: World, operation: LinkSet): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const device = deviceByIndex(namespace, operation.index);
  if (operation.name !== undefined) {
    const validName = devValidName(operation.name);
    if (!validName.ok) return validName;
  }
  if (operation.namespaceTarget !== undefined && operation.namespaceTarget !== namespace.id) {
    if (device.kind === "loopback") return fail("EINVAL");
    const target = namespaceById(world, operation.namespaceTarget);
    // do_setlink(): the move first (__dev_change_net_namespace), then IFLA_IFNAME renames it there (dev_change_name).
    const finalName = operation.name ?? device.name;
    if (deviceByName(target, finalName)) return fail("EEXIST");
    if (operation.name === undefined && deviceByName(target, device.name)) return fail("EEXIST");
    moveToNamespace(world, namespace, device, target);
    if (finalName !== device.name) {
      const oldName = device.name;
      device.name = finalName;
      nameIndexRename(target.devices, device, oldName);
    }
    return ok(undefined);
  }
  if (operation.name !== undefined && operation.name !== device.name) {
    if (device.adminUp) return fail("EBUSY");
    if (deviceByName(namespace, operation.name)) return fail("EEXIST");
    const oldName = device.name;
    device.name = operation.name;
    nameIndexRename(namespace.devices, device, oldName);
  }
  if (operation.mac !== undefined) {
    if (device.masterIndex !== undefined) {
      const bridge = namespace.devices.get(device.masterIndex)!;
      bridge.bridge!.fdb.delete(device.mac);
      brFdbAddLocal(bridge, operation.mac, device.index);
      device.mac = operation.mac;
      recalculateBridgeMac(namespace, bridge);
    } else {
      if (device.bridge) {
        device.bridge.fdb.delete(device.mac);
        device.bridge.macFixed = true;
        brFdbAddLocal(device, operation.mac, device.index);
      }
      device.mac = operation.mac;
    }
  }
  if (operation.mtu !== undefined) device.mtu = operation.mtu;
  if (operation.promisc !== undefined) device.promisc = operation.promisc;
  if (operation.masterIndex !== undefined) {
    if (operation.masterIndex === null) {
      if (device.masterIndex !== undefined) release(namespace, device);
    } else {
      const result = enslave(namespace, device, operation.masterIndex);
      if (!result.ok) return result;
    }
  }
  // inet6_set_link_af() runs before the flags change: `addrgenmode none up` brings the link up without a link-local address.
  if (operation.addrGenMode !== undefined) device.ipv6 = { ...device.ipv6, addrGenMode: operation.addrGenMode };
  if (operation.up !== undefined) setUp(world, namespace, device, operation.up);
  return ok(undefined);
}

/** dev_change_net_namespace(): the device goes down, loses its addresses and routes, and keeps its ifindex if free. */
function moveToNamespace(world: World, from: NetworkNamespace, device: NetDevice, to: NetworkNamespace): void {
  const peer = vethPeer(world, device);
  // rtmsg_ifinfo_newnet(): the RTM_DELLINK sent in the old namespace carries IFLA_NEW_NETNSID, allocated there for the new one.
  allocateNsid(from, to);
  detachDevice(world, from, device);
  from.devices.delete(device.index);
  nameIndexRemove(from.devices, device);
  if (to.devices.has(device.index)) device.index = allocateIfindex(to);
  device.conf = { ...to.sysctl.confDefault };
  to.devices.set(device.index, device);
  nameIndexAdd(to.devices, device);
  if (peer) {
    peer.device.peer = { namespaceId: to.id, index: device.index };
    if (peer.namespace !== to) {
      allocateNsid(peer.namespace, to);
      allocateNsid(to, peer.namespace);
    }
  }
}

function inetRtmNewaddr(world: World, operation: AddressAdd): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const device = deviceByIndex(namespace, operation.index);
  const existing = device.addresses.find((address) => address.address === operation.address && address.prefixLength === operation.prefixLength);
  if (existing) return operation.replace ? ok(undefined) : fail("EEXIST", "ipv4: Address already assigned");
  const address = insertInetAddress(device, {
    address: operation.address,
    prefixLength: operation.prefixLength,
    ...(operation.broadcast !== undefined ? { broadcast: operation.broadcast } : {}),
    scope: operation.scope ?? "global",
    label: operation.label ?? device.name,
    ...(operation.origin ? { origin: operation.origin } : {}),
  });
  fibAddIfaddr(namespace, device, address);
  return ok(undefined);
}

function inetRtmDeladdr(world: World, operation: AddressDelete): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const device = deviceByIndex(namespace, operation.index);
  const address = device.addresses.find(
    (candidate) => candidate.address === operation.address && (operation.prefixLength === undefined || candidate.prefixLength === operation.prefixLength),
  );
  if (!address) return fail("EADDRNOTAVAIL", "ipv4: Address not found");
  // promote_secondaries=0: a primary takes its secondaries with it.
  const doomed = address.secondary
    ? [address]
    : [address, ...device.addresses.filter((candidate) => candidate.secondary && candidate.prefixLength === address.prefixLength && networkAddress(candidate.address, candidate.prefixLength) === networkAddress(address.address, address.prefixLength))];
  const primary = address.secondary ? device.addresses.find((candidate) => !candidate.secondary && candidate.prefixLength === address.prefixLength && networkAddress(candidate.address, candidate.prefixLength) === networkAddress(address.address, address.prefixLength)) ?? address : address;
  for (const gone of [...doomed].reverse()) {
    device.addresses.splice(device.addresses.indexOf(gone), 1);
    fibDelIfaddr(namespace, device, gone, gone.secondary ? primary : gone);
    masqInetEvent(namespace, device.index, gone.address);
  }
  // fib_disable_ip() when the last IPv4 address went: arp_ifdown() flushes the device's neighbours.
  if (device.addresses.length === 0) for (const [key, entry] of namespace.neighbours) if (entry.deviceIndex === device.index) namespace.neighbours.delete(key);
  return ok(undefined);
}

/** fib_check_nh(): a gateway must be reachable directly (a link-scope route, on the given device if any). */
function checkNexthop(namespace: NetworkNamespace, spec: RouteAdd["route"]): KernelResult<number> {
  const gateway = spec.gateway;
  if (gateway === undefined) {
    const device = deviceByIndex(namespace, spec.deviceIndex!);
    if (!device.adminUp) return fail("ENETDOWN", "Device for nexthop is not up");
    return ok(device.index);
  }
  if (spec.onlink) {
    const device = deviceByIndex(namespace, spec.deviceIndex!);
    if (!device.adminUp) return fail("ENETDOWN", "Nexthop device is not up");
    return ok(device.index);
  }
  let match: Route | undefined;
  for (const id of [RT_TABLE_LOCAL, RT_TABLE_MAIN]) {
    const table = namespace.tables.get(id);
    const found = table && fibTableLookup(table, gateway, (route) => spec.deviceIndex === undefined || route.nexthop?.deviceIndex === spec.deviceIndex || route.type === "local");
    if (found) {
      match = found.route;
      break;
    }
  }
  // The gateway must sit on a directly connected subnet (scope link) or be our own address.
  // No link-scope route to it: fib_lookup()'s ENETUNREACH (what SIOCADDRT reports); a route of the wrong kind: EINVAL.
  if (!match || (match.type === "unicast" && match.nexthop?.gateway !== undefined)) return fail("ENETUNREACH", "Nexthop has invalid gateway");
  if (match.type !== "local" && match.type !== "unicast") return fail("EINVAL", "Nexthop has invalid gateway");
  const deviceIndex = match.type === "local" ? spec.deviceIndex ?? match.nexthop!.deviceIndex : match.nexthop!.deviceIndex;
  if (spec.deviceIndex !== undefined && deviceIndex !== spec.deviceIndex) return fail("EINVAL", "Nexthop has invalid gateway");
  const device = deviceByIndex(namespace, deviceIndex);
  // fib_check_nh_v4_gw(): the device the gateway resolves through must be up; unlike onlink's check, no extack message.
  if (!device.adminUp) return fail("ENETDOWN");
  return ok(deviceIndex);
}

function inetRtmNewroute(world: World, operation: RouteAdd): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const spec = operation.route;
  // fib_new_table() comes before the route is checked: a refused route still leaves its table (empty) behind.
  let table = namespace.tables.get(spec.table);
  if (!table) {
    table = createFibTable(spec.table);
    namespace.tables.set(spec.table, table);
  }
  if (!isNetworkPrefix(spec.prefix)) return fail("EINVAL", "Invalid prefix for given prefix length");
  let nexthop: Route["nexthop"];
  if (spec.type === "unicast" || spec.type === "local" || spec.type === "broadcast") {
    if (spec.deviceIndex === undefined && spec.gateway === undefined) return fail("EINVAL", "Nexthop device required for onlink");
    const checked = checkNexthop(namespace, spec);
    if (!checked.ok) return checked;
    nexthop = { deviceIndex: checked.value, ...(spec.gateway !== undefined ? { gateway: spec.gateway } : {}), ...(spec.onlink ? { onlink: true } : {}) };
  }
  if (spec.preferredSource !== undefined && spec.table !== RT_TABLE_LOCAL && !isLocalAddress(namespace, spec.preferredSource)) {
    return fail("EINVAL", "Invalid prefsrc address");
  }
  const route: Route = {
    table: spec.table,
    type: spec.type,
    prefix: spec.prefix,
    ...(nexthop ? { nexthop } : {}),
    ...(spec.preferredSource !== undefined ? { preferredSource: spec.preferredSource } : {}),
    metric: spec.metric ?? 0,
    protocol: spec.protocol ?? "boot",
    scope: spec.scope ?? (spec.type === "local" ? "host" : spec.type === "broadcast" || (spec.type === "unicast" && spec.gateway === undefined) ? "link" : "global"),
    ...(operation.origin ? { origin: operation.origin } : {}),
  };
  if (operation.mode === "replace" || operation.mode === "change") {
    const existing = fibAliases(table, route.prefix).find((alias) => alias.metric === route.metric);
    if (existing) {
      fibTableReplace(namespace, table, existing, route);
      return ok(undefined);
    }
    if (operation.mode === "change") return fail("ENOENT");
    fibTableInsert(namespace, table, route, "append");
    return ok(undefined);
  }
  if (operation.mode !== "add" && fibAliases(table, route.prefix).some((alias) => sameFibAlias(alias, route))) {
    // fib_table_insert(): without NLM_F_EXCL a twin is allowed, but not a perfect match (same fib_info and type).
    return fail("EEXIST");
  }
  const inserted = fibTableInsert(namespace, table, route, operation.mode === "add" ? "exclusive" : operation.mode === "prepend" ? "prepend" : "append");
  return inserted ? ok(undefined) : fail("EEXIST");
}

/** fa_match in fib_table_insert(): the alias shares the route's fib_info (metric, protocol, scope, prefsrc, nexthop) and type. */
function sameFibAlias(alias: Route, route: Route): boolean {
  return (
    alias.metric === route.metric &&
    alias.type === route.type &&
    alias.protocol === route.protocol &&
    alias.scope === route.scope &&
    alias.preferredSource === route.preferredSource &&
    alias.nexthop?.deviceIndex === route.nexthop?.deviceIndex &&
    alias.nexthop?.gateway === route.nexthop?.gateway &&
    (alias.nexthop?.onlink ?? false) === (route.nexthop?.onlink ?? false)
  );
}

/** fib_table_delete(): the first alias of the prefix matching every field that was given. */
function inetRtmDelroute(world: World, operation: RouteDelete): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const spec = operation.route;
  const table = namespace.tables.get(spec.table);
  if (!table) return fail("ESRCH", "FIB table does not exist");
  const victim = fibAliases(table, spec.prefix).find(
    (route) =>
      (spec.metric === undefined || spec.metric === 0 || route.metric === spec.metric) &&
      (spec.type === undefined || route.type === spec.type) &&
      (spec.deviceIndex === undefined || route.nexthop?.deviceIndex === spec.deviceIndex) &&
      (spec.gateway === undefined || route.nexthop?.gateway === spec.gateway) &&
      (spec.preferredSource === undefined || route.preferredSource === spec.preferredSource) &&
      (spec.protocol === undefined || route.protocol === spec.protocol),
  );
  if (!victim) return fail("ESRCH");
  fibTableDelete(namespace, table, victim);
  return ok(undefined);
}
