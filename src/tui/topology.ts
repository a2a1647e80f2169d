// The topology pane: namespaces as boxes listing their devices and
// addresses, bridges with their ports beneath them, veth pairs as links; the
// device and link a packet is on are marked. Pure: world in, lines out.
import { formatIpv4Address } from "../model/address.js";
import type { NetDevice } from "../model/netdevice.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { World } from "../model/world.js";
import { hasCarrier } from "../net/index.js";
import { namespaceLabel } from "../render/trace.js";
import { lineWidth, padLine, styled, type Line, type Segment } from "./line.js";

export interface DeviceView {
  readonly name: string;
  readonly kind: NetDevice["kind"];
  readonly up: boolean;
  readonly carrier: boolean;
  /** "172.18.0.10/16" in the kernel's list order. */
  readonly addresses: readonly string[];
  /** The bridge this device is a port of. */
  readonly master?: string;
  /** A bridge's ports, in ifindex order. */
  readonly ports: readonly string[];
  readonly peer?: { readonly namespace: string; readonly device: string };
}

export interface NamespaceView {
  /** "" for the root namespace. */
  readonly name: string;
  readonly devices: readonly DeviceView[];
}

export interface LinkView {
  readonly a: { readonly namespace: string; readonly device: string };
  readonly b: { readonly namespace: string; readonly device: string };
}

export interface Topology {
  readonly namespaces: readonly NamespaceView[];
  readonly links: readonly LinkView[];
}

/** Where the packet is: a device in a namespace, and whether it is crossing that device's veth link. */
export interface PacketPlace {
  readonly namespace: string;
  readonly device?: string;
  readonly onLink?: boolean;
}

function deviceView(world: World, namespace: NetworkNamespace, device: NetDevice): DeviceView {
  const peerNamespace = device.peer ? world.namespaces.get(device.peer.namespaceId) : undefined;
  const peerDevice = peerNamespace && device.peer ? peerNamespace.devices.get(device.peer.index) : undefined;
  const master = device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex)?.name;
  const ports = device.kind === "bridge" ? [...namespace.devices.values()].filter((port) => port.masterIndex === device.index).sort((x, y) => x.index - y.index).map((port) => port.name) : [];
  return {
    name: device.name,
    kind: device.kind,
    up: device.adminUp,
    carrier: hasCarrier(world, namespace, device),
    addresses: device.addresses.map((address) => `${formatIpv4Address(address.address)}/${address.prefixLength}`),
    ...(master !== undefined ? { master } : {}),
    ports,
    ...(peerNamespace && peerDevice ? { peer: { namespace: peerNamespace.name, device: peerDevice.name } } : {}),
  };
}

export function topologyOf(world: World): Topology {
  const namespaces = [...world.namespaces.values()].sort((a, b) => a.id - b.id);
  const links: LinkView[] = [];
  const seen = new Set<string>();
  const views = namespaces.map((namespace): NamespaceView => {
    const devices = [...namespace.devices.values()].sort((a, b) => a.index - b.index).map((device) => deviceView(world, namespace, device));
    for (const device of devices) {
      if (!device.peer) continue;
      const key = `${namespace.name}/${device.name}`;
      if (seen.has(key)) continue;
      seen.add(`${device.peer.namespace}/${device.peer.device}`);
      links.push({ a: { namespace: namespace.name, device: device.name }, b: device.peer });
    }
    return { name: namespace.name, devices };
  });
  return { namespaces: views, links };
}

/** lo is shown when it says something: down, carrying more than 127.0.0.1, or where the packet is. */
function shownDevices(namespace: NamespaceView, place: PacketPlace | undefined): DeviceView[] {
  const here = (device: DeviceView) => place?.namespace === namespace.name && place.device === device.name;
  const shown = namespace.devices.filter((device) => device.kind !== "loopback" || !device.up || device.addresses.some((address) => !address.startsWith("127.")) || here(device));
  if (shown.length === 0) return namespace.devices.slice(0, 1);
  return shown;
}

function deviceState(device: DeviceView): string {
  if (!device.up) return "DOWN";
  if (!device.carrier) return "NO-CARRIER";
  return "";
}

interface BoxRow {
  readonly marker: boolean;
  readonly indent: string;
  readonly device: DeviceView;
}

function boxRows(namespace: NamespaceView, place: PacketPlace | undefined): BoxRow[] {
  const shown = shownDevices(namespace, place);
  const here = (device: DeviceView) => place?.namespace === namespace.name && place.device === device.name;
  const rows: BoxRow[] = [];
  for (const device of shown) {
    if (device.master !== undefined && shown.some((other) => other.name === device.master)) continue;
    rows.push({ marker: here(device), indent: "", device });
    if (device.kind !== "bridge") continue;
    device.ports.forEach((portName, index) => {
      const port = namespace.devices.find((candidate) => candidate.name === portName);
      if (port) rows.push({ marker: here(port), indent: index === device.ports.length - 1 ? "└ " : "├ ", device: port });
    });
  }
  return rows;
}

/** Addresses line up after the longest top-level name; ports (indented, seldom addressed) do not widen it. */
function nameColumn(rows: readonly BoxRow[]): number {
  return Math.max(0, ...rows.filter((row) => row.indent === "").map((row) => row.device.name.length));
}

function shownAddresses(device: DeviceView): readonly string[] {
  return device.kind === "loopback" ? device.addresses.filter((address) => !address.startsWith("127.")) : device.addresses;
}

function rowSegments(row: BoxRow, nameWidth: number): Segment[] {
  const label = `${row.indent}${row.device.name}`;
  const state = deviceState(row.device);
  const list = shownAddresses(row.device);
  const addresses = list.length === 0 ? "" : list.length === 1 ? list[0]! : `${list[0]} +${list.length - 1}`;
  const rest = [addresses, state].filter((part) => part !== "").join(" ");
  const text = rest === "" ? label : `${label.padEnd(nameWidth)} ${rest}`;
  const style = row.marker ? "packet-here" : !row.device.up || !row.device.carrier ? "dim" : undefined;
  return [styled(row.marker ? "▸" : " ", row.marker ? "packet-here" : undefined), styled(text, style)];
}

/** One namespace box, `width` characters wide (at least 8). */
export function namespaceBox(namespace: NamespaceView, place: PacketPlace | undefined, width: number): Line[] {
  const rows = boxRows(namespace, place);
  const nameWidth = nameColumn(rows);
  const inner = width - 3;
  const title = namespaceLabel(namespace.name);
  const inHere = place?.namespace === namespace.name;
  const titleText = ` ${title} `;
  const top: Line = [{ text: "╭─" }, styled(titleText, inHere ? "packet-here" : "title"), { text: `${"─".repeat(Math.max(0, width - 3 - [...titleText].length))}╮` }];
  const lines: Line[] = [padLine(top, width)];
  for (const row of rows) lines.push([{ text: "│" }, ...padLine(rowSegments(row, nameWidth), inner), { text: " │" }]);
  lines.push([{ text: `╰${"─".repeat(width - 2)}╯` }]);
  return lines;
}

/** The width a box needs to show every row in full. */
export function naturalBoxWidth(namespace: NamespaceView, place: PacketPlace | undefined): number {
  const rows = boxRows(namespace, place);
  const nameWidth = nameColumn(rows);
  const content = Math.max(0, ...rows.map((row) => lineWidth(rowSegments(row, nameWidth))));
  return Math.max(content + 3, [...namespaceLabel(namespace.name)].length + 6);
}

function endLabel(topology: Topology, end: LinkView["a"]): string {
  const shared = topology.namespaces.filter((namespace) => namespace.devices.some((device) => device.name === end.device)).length > 1;
  return shared ? `${namespaceLabel(end.namespace)}/${end.device}` : end.device;
}

function linkHere(link: LinkView, place: PacketPlace | undefined): boolean {
  if (!place?.onLink) return false;
  return [link.a, link.b].some((end) => end.namespace === place.namespace && end.device === place.device);
}

/** The veth links, packed into lines of `width`. */
export function linkLines(topology: Topology, place: PacketPlace | undefined, width: number): Line[] {
  if (topology.links.length === 0) return [];
  const lines: Line[] = [];
  let current: Segment[] = [{ text: "veth links:" }];
  let used = lineWidth(current);
  for (const link of topology.links) {
    const here = linkHere(link, place);
    const text = `${here ? "▸" : " "}${endLabel(topology, link.a)} ═ ${endLabel(topology, link.b)}`;
    if (current.length > 1 && used + 1 + text.length > width) {
      lines.push(current);
      current = [{ text: "           " }];
      used = 11;
    }
    current.push({ text: " " }, styled(text, here ? "packet-here" : undefined));
    used += 1 + text.length;
  }
  lines.push(current);
  return lines;
}

/** The whole pane: boxes in columns (each box into the shortest column), then the links. */
export function topologyLines(topology: Topology, place: PacketPlace | undefined, width: number): Line[] {
  if (topology.namespaces.length === 0) return [];
  const natural = Math.max(...topology.namespaces.map((namespace) => naturalBoxWidth(namespace, place)));
  const boxWidth = Math.max(12, Math.min(natural, width));
  const columnCount = Math.max(1, Math.min(topology.namespaces.length, Math.floor((width + 1) / (boxWidth + 1))));
  const columns: Line[][] = Array.from({ length: columnCount }, () => []);
  for (const namespace of topology.namespaces) {
    const shortest = columns.reduce((best, column, index) => (column.length < columns[best]!.length ? index : best), 0);
    columns[shortest]!.push(...namespaceBox(namespace, place, boxWidth));
  }
  const height = Math.max(...columns.map((column) => column.length));
  const lines: Line[] = [];
  for (let row = 0; row < height; row++) {
    const segments: Segment[] = [];
    columns.forEach((column, index) => {
      if (index > 0) segments.push({ text: " " });
      segments.push(...(column[row] ?? [{ text: " ".repeat(boxWidth) }]));
    });
    lines.push(segments);
  }
  return [...lines, ...linkLines(topology, place, width)];
}
