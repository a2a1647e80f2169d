// The topology a diagram draws, read from a World: namespaces as boxes, their
// devices with addresses and link state (as `ip link` would call it), veth
// pairs as edges between their two ends, bridge ports as edges to their
// bridge, and the uplink (the device the root namespace's default route
// leaves by). Large worlds fold repeated containers into one "× N more" box.
import { formatIpv4Address, formatPrefix } from "../../model/address.js";
import type { LinkKind, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_MAIN, type Route } from "../../model/route.js";
import { ROOT_NAMESPACE_ID, type World } from "../../model/world.js";
import { type OperState, operState, vethPeer } from "../../net/index.js";
import { devicesInOrder } from "../../model/netns.js";

export type NamespaceRole = "host" | "outside" | "container";

export interface DiagramDevice {
  /** Unique in the diagram, safe as a Graphviz/SVG id: "dev-<namespace id>-<ifindex>". */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: LinkKind;
  readonly state: OperState;
  /** "172.18.0.10/16", in the kernel's list order. */
  readonly addresses: readonly string[];
  /** The bridge this device is a port of. */
  readonly master?: string;
  readonly uplink: boolean;
}

export interface DiagramNamespace {
  /** "ns-<namespace id>". */
  readonly id: string;
  /** Name under /run/netns; "" for the scenario's own namespace. */
  readonly name: string;
  readonly label: string;
  readonly role: NamespaceRole;
  /** Short facts: ip_forward, routes that were added by hand. */
  readonly notes: readonly string[];
  readonly devices: readonly DiagramDevice[];
}

export interface DiagramEdge {
  readonly id: string;
  readonly kind: "veth" | "port";
  /** For veth: the end nearer the top of the picture; for port: the bridge. */
  readonly from: string;
  readonly to: string;
}

/** Containers folded into one box: "× 97 more like c3". */
export interface CollapsedGroup {
  readonly id: string;
  readonly like: string;
  readonly names: readonly string[];
  /** The device the folded containers' cables reach (their bridge, or their peers' namespace's device). */
  readonly attachTo?: string;
}

export interface Topology {
  readonly namespaces: readonly DiagramNamespace[];
  readonly edges: readonly DiagramEdge[];
  readonly collapsed: readonly CollapsedGroup[];
}

export interface TopologyOptions {
  /** Fold repeated containers when the world has more namespaces than this (default 20). */
  readonly collapseAbove?: number;
  /** How many of each kind of container stay drawn when folding (default 3). */
  readonly keepPerGroup?: number;
  /** Namespaces never folded (those a probe crosses). */
  readonly keep?: ReadonlySet<string>;
}

export function namespaceTitle(name: string): string {
  return name === "" ? "root namespace" : name;
}

export function deviceId(namespaceId: number, ifindex: number): string {
  return `dev-${namespaceId}-${ifindex}`;
}

function mainRoutes(namespace: NetworkNamespace): Route[] {
  const table = namespace.tables.get(RT_TABLE_MAIN);
  if (!table) return [];
  const routes: Route[] = [];
  for (const length of table.lengths) for (const aliases of table.byLength.get(length)?.values() ?? []) routes.push(...aliases);
  return routes;
}

function routeText(namespace: NetworkNamespace, route: Route): string {
  const parts = [route.type === "unicast" ? formatPrefix(route.prefix) : `${route.type} ${formatPrefix(route.prefix)}`];
  if (route.nexthop?.gateway !== undefined) parts.push(`via ${formatIpv4Address(route.nexthop.gateway)}`);
  const device = route.nexthop ? namespace.devices.get(route.nexthop.deviceIndex) : undefined;
  if (device) parts.push(`dev ${device.name}`);
  return parts.join(" ");
}

/** The device the root namespace's default route leaves by. */
function uplinkOf(world: World): NetDevice | undefined {
  const root = world.namespaces.get(ROOT_NAMESPACE_ID);
  if (!root) return undefined;
  const route = mainRoutes(root).find((candidate) => candidate.prefix.length === 0 && candidate.type === "unicast" && candidate.nexthop);
  return route?.nexthop ? root.devices.get(route.nexthop.deviceIndex) : undefined;
}

/** What makes two containers alike: their devices' kinds, names (digits aside), address counts and where their cables go. */
function shapeOf(world: World, namespace: NetworkNamespace): string {
  return devicesInOrder(namespace)
    .map((device) => {
      const peer = vethPeer(world, device);
      const master = peer?.device.masterIndex === undefined ? undefined : peer.namespace.devices.get(peer.device.masterIndex);
      const peerText = peer ? `${peer.namespace.name}/${master ? `port of ${master.name}` : peer.device.kind}` : "";
      return `${device.kind}:${device.name.replace(/\d+/g, "#")}:${device.addresses.length}:${device.adminUp}:${peerText}`;
    })
    .join(",") + `|${mainRoutes(namespace).filter((route) => route.protocol !== "kernel").length}`;
}

export function buildTopology(world: World, options: TopologyOptions = {}): Topology {
  const collapseAbove = options.collapseAbove ?? 20;
  const keepPerGroup = Math.max(1, options.keepPerGroup ?? 3);
  const namespaces = [...world.namespaces.values()].sort((a, b) => a.id - b.id);
  const uplink = uplinkOf(world);
  const uplinkPeer = uplink ? vethPeer(world, uplink) : undefined;
  const outside = uplinkPeer && uplinkPeer.namespace.id !== ROOT_NAMESPACE_ID ? uplinkPeer.namespace.id : undefined;

  // Fold repeated containers: group by shape, keep the first few of each group drawn.
  const hidden = new Set<number>();
  const collapsed: CollapsedGroup[] = [];
  if (namespaces.length > collapseAbove) {
    const groups = new Map<string, NetworkNamespace[]>();
    for (const namespace of namespaces) {
      if (namespace.id === ROOT_NAMESPACE_ID || namespace.id === outside) continue;
      const shape = shapeOf(world, namespace);
      groups.set(shape, [...(groups.get(shape) ?? []), namespace]);
    }
    for (const members of groups.values()) {
      const foldable = members.filter((namespace) => !options.keep?.has(namespace.name));
      const shown = members.length - foldable.length;
      const folded = foldable.slice(Math.max(0, keepPerGroup - shown));
      if (folded.length < 2) continue;
      const drawn = members.filter((namespace) => !folded.includes(namespace));
      const like = drawn[drawn.length - 1] ?? members[0]!;
      for (const namespace of folded) hidden.add(namespace.id);
      // The folded containers' cables end where the representative's do: at its peers' bridge, or the peer itself.
      let attachTo: string | undefined;
      for (const device of devicesInOrder(like)) {
        const peer = vethPeer(world, device);
        if (!peer || hidden.has(peer.namespace.id)) continue;
        attachTo = peer.device.masterIndex !== undefined ? deviceId(peer.namespace.id, peer.device.masterIndex) : undefined;
        if (attachTo) break;
      }
      collapsed.push({ id: `folded-${like.id}`, like: namespaceTitle(like.name), names: folded.map((namespace) => namespaceTitle(namespace.name)), ...(attachTo ? { attachTo } : {}) });
    }
  }

  const diagramNamespaces: DiagramNamespace[] = [];
  const edges: DiagramEdge[] = [];
  const seenPairs = new Set<string>();
  // A veth whose peer sits in a folded container is folded with it.
  const isHiddenDevice = (device: NetDevice): boolean => {
    const peer = vethPeer(world, device);
    return peer !== undefined && hidden.has(peer.namespace.id);
  };
  for (const namespace of namespaces) {
    if (hidden.has(namespace.id)) continue;
    const devices: DiagramDevice[] = [];
    for (const device of devicesInOrder(namespace)) {
      if (isHiddenDevice(device)) continue;
      const master = device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex);
      devices.push({
        id: deviceId(namespace.id, device.index),
        namespace: namespace.name,
        name: device.name,
        kind: device.kind,
        state: operState(world, namespace, device),
        addresses: device.addresses.map((address) => `${formatIpv4Address(address.address)}/${address.prefixLength}`),
        ...(master ? { master: master.name } : {}),
        uplink: namespace.id === ROOT_NAMESPACE_ID && device === uplink,
      });
      if (master) edges.push({ id: `port-${namespace.id}-${device.index}`, kind: "port", from: deviceId(namespace.id, master.index), to: deviceId(namespace.id, device.index) });
      const peer = vethPeer(world, device);
      if (peer && !hidden.has(peer.namespace.id)) {
        const here = deviceId(namespace.id, device.index);
        const there = deviceId(peer.namespace.id, peer.device.index);
        const key = [here, there].sort().join(" ");
        if (!seenPairs.has(key)) {
          seenPairs.add(key);
          // The outside world sits above the host, containers below it.
          const rank = (id: number) => (id === outside ? -1 : id === ROOT_NAMESPACE_ID ? 0 : 1);
          const upper = rank(namespace.id) < rank(peer.namespace.id) || (rank(namespace.id) === rank(peer.namespace.id) && namespace.id <= peer.namespace.id);
          edges.push({ id: `veth-${upper ? here : there}-${upper ? there : here}`.replace(/dev-/g, ""), kind: "veth", from: upper ? here : there, to: upper ? there : here });
        }
      }
    }
    const notes = [`ip_forward=${namespace.sysctl.confAll.forwarding ? 1 : 0}`];
    const added = mainRoutes(namespace).filter((route) => route.protocol !== "kernel");
    for (const route of added.slice(0, 4)) notes.push(routeText(namespace, route));
    if (added.length > 4) notes.push(`+${added.length - 4} more routes`);
    diagramNamespaces.push({
      id: `ns-${namespace.id}`,
      name: namespace.name,
      label: namespaceTitle(namespace.name),
      role: namespace.id === ROOT_NAMESPACE_ID ? "host" : namespace.id === outside ? "outside" : "container",
      notes,
      devices,
    });
  }
  return { namespaces: diagramNamespaces, edges, collapsed };
}
