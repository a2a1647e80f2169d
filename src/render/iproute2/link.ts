// `ip link` and the link part of `ip addr` (iproute2 ip/ipaddress.c:
// print_linkinfo, print_link_flags; -br: print_linkinfo_brief).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { hasCarrier } from "../../net/core/link-state.js";
import { namespaceById } from "../../net/core/net-namespace.js";

export type JsonObject = Record<string, unknown>;

/** What the device's IFLA_LINK says, as the viewer sees it. */
interface PeerView {
  readonly sameNamespace: boolean;
  readonly index: number;
  readonly name?: string;
  readonly netnsLabel?: string;
  readonly nsid?: number;
}

function peerView(world: World, namespace: NetworkNamespace, device: NetDevice): PeerView | undefined {
  if (!device.peer) return undefined;
  if (device.peer.namespaceId === namespace.id) {
    const peer = namespace.devices.get(device.peer.index);
    return { sameNamespace: true, index: device.peer.index, ...(peer ? { name: peer.name } : {}) };
  }
  const other = world.namespaces.get(device.peer.namespaceId);
  const nsid = namespace.nsids.get(device.peer.namespaceId);
  return {
    sameNamespace: false,
    index: device.peer.index,
    ...(nsid !== undefined ? { nsid } : {}),
    ...(other && other.name !== "" ? { netnsLabel: `link-netns ${other.name}` } : nsid !== undefined ? { netnsLabel: `link-netnsid ${nsid}` } : {}),
  };
}

export function displayName(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  const peer = peerView(world, namespace, device);
  if (!peer) return device.name;
  return peer.sameNamespace ? `${device.name}@${peer.name ?? `if${peer.index}`}` : `${device.name}@if${peer.index}`;
}

export function linkFlags(world: World, namespace: NetworkNamespace, device: NetDevice): string[] {
  const flags: string[] = [];
  const carrier = hasCarrier(world, namespace, device);
  if (device.adminUp && !carrier) flags.push("NO-CARRIER");
  flags.push(...(device.kind === "loopback" ? ["LOOPBACK"] : ["BROADCAST", "MULTICAST"]));
  if (device.kind === "dummy") flags.push("NOARP");
  if (device.adminUp) flags.push("UP");
  if (device.adminUp && carrier) flags.push("LOWER_UP");
  const peer = peerView(world, namespace, device);
  if (peer?.sameNamespace && !namespace.devices.get(peer.index)?.adminUp) flags.push("M-DOWN");
  return flags;
}

/** IF_OPER_*: LOWERLAYERDOWN when the device named by IFLA_LINK in the device's own namespace is down. */
export function operstate(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  if (!device.adminUp) return "DOWN";
  if (device.kind === "loopback" || device.kind === "dummy") return "UNKNOWN";
  if (!hasCarrier(world, namespace, device)) {
    if (device.peer) {
      const linked = namespace.devices.get(device.peer.index);
      if (linked && !linked.adminUp) return "LOWERLAYERDOWN";
    }
    return "DOWN";
  }
  if (device.kind === "bridge" && !device.bridge!.hadPorts) return "UNKNOWN";
  return "UP";
}

function qdisc(device: NetDevice): string {
  return device.everUp ? "noqueue" : "noop";
}

function masterName(namespace: NetworkNamespace, device: NetDevice): string | undefined {
  return device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex)?.name;
}

/** The two header lines every `ip link` / `ip addr` entry starts with. */
export function linkHeaderText(world: World, namespace: NetworkNamespace, device: NetDevice, forLink: boolean): string {
  const master = masterName(namespace, device);
  const first = `${device.index}: ${displayName(world, namespace, device)}: <${linkFlags(world, namespace, device).join(",")}> mtu ${device.mtu} qdisc ${qdisc(device)}${master ? ` master ${master}` : ""} state ${operstate(world, namespace, device)}${forLink ? " mode DEFAULT" : ""} group default qlen 1000`;
  const linkType = device.kind === "loopback" ? "loopback" : "ether";
  const broadcast = device.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  const peer = peerView(world, namespace, device);
  const second = `    link/${linkType} ${device.mac} brd ${broadcast}${peer?.netnsLabel ? ` ${peer.netnsLabel}` : ""}`;
  return `${first}\n${second}\n`;
}

export function linkJson(world: World, namespace: NetworkNamespace, device: NetDevice, forLink: boolean): JsonObject {
  const peer = peerView(world, namespace, device);
  const master = masterName(namespace, device);
  const object: JsonObject = { ifindex: device.index };
  if (peer?.sameNamespace) object.link = peer.name;
  if (peer && !peer.sameNamespace) object.link_index = peer.index;
  object.ifname = device.name;
  object.flags = linkFlags(world, namespace, device);
  object.mtu = device.mtu;
  object.qdisc = qdisc(device);
  if (master) object.master = master;
  object.operstate = operstate(world, namespace, device);
  if (forLink) object.linkmode = "DEFAULT";
  object.group = "default";
  object.txqlen = 1000;
  object.link_type = device.kind === "loopback" ? "loopback" : "ether";
  object.address = device.mac;
  object.broadcast = device.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  if (peer && !peer.sameNamespace && peer.nsid !== undefined) object.link_netnsid = peer.nsid;
  return object;
}

export function linkBriefText(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  return `${displayName(world, namespace, device).padEnd(16)} ${operstate(world, namespace, device).padEnd(14)} ${device.mac} <${linkFlags(world, namespace, device).join(",")}> \n`;
}

export function peerNamespaceName(world: World, device: NetDevice): string | undefined {
  return device.peer ? namespaceById(world, device.peer.namespaceId).name : undefined;
}
