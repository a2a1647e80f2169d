// A topology (and optionally a probe's path) as Graphviz dot text. Every
// namespace, device, cable and hop carries an `id` and `class`, which
// Graphviz copies into the SVG, so tests (and stylesheets) can find them.
// Layout: the outside world above the host, the host's own devices in one
// row, bridge ports below their bridge, containers below the host; each
// namespace's name and notes a node of their own beside lo, on the side no
// cable comes from (Graphviz draws edges across cluster labels, not nodes);
// the probe's hop numbers on the nodes the hops reach, not on its arrows.
import type { PathHop, ProbePath } from "./probe-path.js";
import { namespaceTitle, type DiagramDevice, type DiagramNamespace, type Topology } from "./topology.js";

export interface DiagramInput {
  readonly topology: Topology;
  readonly path?: ProbePath;
  /** What the picture shows, e.g. the stage or line. */
  readonly title?: string;
  /** A second line under the title (the probe's outcome, the expectation's comment). */
  readonly subtitle?: string;
}

export const COLOURS = {
  path: "#d81b60",
  drop: "#c62828",
  rewrite: "#e65100",
  delivered: "#2e7d32",
  state: { UP: "#2e7d32", DOWN: "#c62828", LOWERLAYERDOWN: "#ef6c00", UNKNOWN: "#546e7a" } as Record<string, string>,
  kind: { veth: "#fff6d5", bridge: "#dce9ff", loopback: "#eeeeee", dummy: "#eeeeee" } as Record<string, string>,
  role: {
    host: { fill: "#f3f7fc", border: "#4a6fa5" },
    container: { fill: "#fbf7ee", border: "#a8832f" },
    outside: { fill: "#f4f4f4", border: "#8a8a8a" },
  },
};

// Graphviz (in WebAssembly, without system fonts) sizes text by the metrics
// it has built in for the PostScript fonts. Helvetica's do not hold where
// Helvetica is missing: DejaVu Sans, Debian's stand-in, is about 12% wider,
// and long lines overflowed their boxes. Every monospace font has Courier's
// advance (0.6 em: DejaVu Sans Mono, Liberation Mono, Courier New, Menlo),
// so a layout made for Courier holds wherever the SVG is viewed; svg.ts
// names those fonts, then the generic monospace.
export const FONT = "Courier";

/** Text inside a Graphviz HTML-like label. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A quoted dot id or attribute value. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function attributes(values: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    parts.push(`${key}=${typeof value === "number" ? value : value.startsWith("<") && value.endsWith(">") ? value : quote(value)}`);
  }
  return `[${parts.join(", ")}]`;
}

/** The probe's hop numbers a node is reached by, as a row of its label (on the node, not the arrow: Graphviz places a constraint=false edge's label without regard to other edges). */
function hopsRow(numbers: readonly string[] | undefined, colour: string = COLOURS.path): string {
  return numbers?.length ? `<tr><td><font color="${colour}" point-size="10"><b>${numbers.map(escapeHtml).join(" · ")}</b></font></td></tr>` : "";
}

function deviceLabel(device: DiagramDevice, hops?: readonly string[]): string {
  const kind = device.kind === "loopback" ? "" : `&#160;<font color="#777777" point-size="9">${device.kind}</font>`;
  const rows = [`<tr><td><b>${escapeHtml(device.name)}</b>${kind}</td></tr>`];
  for (const address of device.addresses) rows.push(`<tr><td><font point-size="10">${escapeHtml(address)}</font></td></tr>`);
  const state = `<font color="${COLOURS.state[device.state] ?? "#000000"}" point-size="9">${device.state}</font>`;
  rows.push(`<tr><td>${state}${device.uplink ? ' <font point-size="9" color="#4a6fa5"><b>uplink</b></font>' : ""}</td></tr>`);
  rows.push(hopsRow(hops));
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">${rows.join("")}</table>>`;
}

function namespaceLabel(namespace: DiagramNamespace): string {
  // Each <br align="left"/> left-aligns the line before it.
  const notes = namespace.notes.map((note) => `<font point-size="9" color="#555555">${escapeHtml(note)}</font><br align="left"/>`).join("");
  return `<<b>${escapeHtml(namespace.label)}</b><br align="left"/>${notes}>`;
}

function hopPlace(hop: PathHop): string {
  return `${namespaceTitle(hop.namespace)}${hop.device ? ` · ${hop.device}` : ""}`;
}

function hopNotes(hop: PathHop, tool: string): string[] {
  const notes: string[] = [];
  for (const rewrite of hop.rewrites) notes.push(`<font color="${COLOURS.rewrite}">NAT ${escapeHtml(rewrite)}</font>`);
  if (hop.drop) notes.push(`<font color="${COLOURS.drop}"><b>✖ dropped${hop.drop.reason ? ` (${escapeHtml(hop.drop.reason)})` : ""}</b>: ${escapeHtml(hop.drop.why)}</font>`);
  if (hop.delivered) notes.push(`<font color="${COLOURS.delivered}"><b>✔ back to ${escapeHtml(tool)}</b></font>`);
  return notes;
}

function legend(input: DiagramInput): string | undefined {
  const rows: string[] = [];
  if (input.title) rows.push(`<tr><td align="left" colspan="3"><b>${escapeHtml(input.title)}</b></td></tr>`);
  if (input.subtitle) rows.push(`<tr><td align="left" colspan="3"><font color="#555555">${escapeHtml(input.subtitle)}</font></td></tr>`);
  const path = input.path;
  if (path) {
    const tool = path.probe.split(/\s+/)[0] ?? "the probe";
    rows.push(`<tr><td align="left" colspan="3"><font color="${COLOURS.path}"><b>probe path</b></font>: ${escapeHtml(path.probe)} <font color="#555555">(in ${escapeHtml(namespaceTitle(path.namespace))})</font></td></tr>`);
    for (const hop of path.hops) {
      const notes = hopNotes(hop, tool);
      rows.push(
        `<tr><td align="right" valign="top"><font color="${COLOURS.path}"><b>${hop.number}</b></font></td><td align="left" valign="top">${escapeHtml(hopPlace(hop))}</td><td align="left" valign="top"><font point-size="9">${escapeHtml(hop.packet ?? hop.stages.join(", "))}</font>${notes.map((note) => `<br align="left"/>${note}`).join("")}<br align="left"/></td></tr>`,
      );
    }
  }
  if (rows.length === 0) return undefined;
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">${rows.join("")}</table>>`;
}

export function diagramDot(input: DiagramInput): string {
  const { topology, path } = input;
  const lines: string[] = [];
  lines.push("digraph netsim {");
  lines.push(`  graph ${attributes({ id: "topology", class: "topology", rankdir: "TB", newrank: "true", compound: "true", nodesep: 0.3, ranksep: 0.45, pad: 0.25, fontname: FONT, fontsize: 11, labelloc: "b", labeljust: "l", label: legend(input) })};`);
  lines.push(`  node ${attributes({ shape: "box", style: "rounded,filled", fontname: FONT, fontsize: 11, penwidth: 1.2, margin: "0.12,0.06" })};`);
  lines.push(`  edge ${attributes({ fontname: FONT, fontsize: 10, dir: "none" })};`);

  const deviceByPlace = new Map<string, DiagramDevice>();
  for (const namespace of topology.namespaces) for (const device of namespace.devices) deviceByPlace.set(`${namespace.name}\u0000${device.name}`, device);
  const namespaceOf = new Map(topology.namespaces.flatMap((namespace) => namespace.devices.map((device) => [device.id, namespace.id] as const)));
  const roleOf = new Map(topology.namespaces.map((namespace) => [namespace.id, namespace.role] as const));
  const hopDevice = (hop: PathHop) => (hop.device === undefined ? undefined : deviceByPlace.get(`${hop.namespace}\u0000${hop.device}`));
  const lastHop = path?.hops[path.hops.length - 1];
  const probeNode = path ? "probe" : undefined;
  const dropNode = lastHop?.drop ? "drop" : undefined;
  const ports = new Set(topology.edges.filter((edge) => edge.kind === "port").map((edge) => edge.to));
  // Each hop's arrow (from the node before it) and the node it reaches, which carries the hop's number.
  const hopArrows: Array<{ from: string; to: string; number: number }> = [];
  if (path && probeNode) {
    let previous: string = probeNode;
    for (const hop of path.hops) {
      const target = hopDevice(hop)?.id ?? (hop.drop && dropNode ? dropNode : undefined);
      if (!target) continue;
      if (target !== previous) hopArrows.push({ from: previous, to: target, number: hop.number });
      previous = target;
    }
  }
  const hopsInto = new Map<string, string[]>();
  for (const arrow of hopArrows) hopsInto.set(arrow.to, [...(hopsInto.get(arrow.to) ?? []), String(arrow.number)]);
  // One arrow between two nodes however often the packet passes (two-headed when it goes both ways): a bundle of
  // arrows between a bridge and its port pushed each other, and the cables beside them, across devices.
  const drawnArrows = new Map<string, { from: string; to: string; numbers: number[]; both: boolean }>();
  for (const arrow of hopArrows) {
    const drawn = drawnArrows.get(`${arrow.from}\u0000${arrow.to}`) ?? drawnArrows.get(`${arrow.to}\u0000${arrow.from}`);
    if (!drawn) drawnArrows.set(`${arrow.from}\u0000${arrow.to}`, { from: arrow.from, to: arrow.to, numbers: [arrow.number], both: false });
    else {
      drawn.numbers.push(arrow.number);
      if (drawn.from !== arrow.from) drawn.both = true;
    }
  }
  const lastReached = hopArrows.at(-1)?.to ?? probeNode;
  const delivered = Boolean(lastHop?.delivered && lastReached !== probeNode);

  for (const namespace of topology.namespaces) {
    const colours = COLOURS.role[namespace.role];
    lines.push(`  subgraph ${quote(`cluster_${namespace.id}`)} {`);
    lines.push(`    graph ${attributes({ id: namespace.id, class: `namespace ${namespace.role}`, label: "", style: namespace.role === "outside" ? "rounded,filled,dashed" : "rounded,filled", fillcolor: colours.fill, color: colours.border, penwidth: 1.5, margin: 10 })};`);
    // The name and notes are a node of their own, not the cluster's label:
    // Graphviz routes edges across a cluster's label but around its nodes.
    const labelNode = `${namespace.id}-label`;
    lines.push(`    ${quote(labelNode)} ${attributes({ id: labelNode, class: "namespace-label", label: namespaceLabel(namespace), shape: "plain", style: "" })};`);
    const row: string[] = [];
    for (const device of namespace.devices) {
      const stateColour = COLOURS.state[device.state] ?? "#000000";
      lines.push(
        `    ${quote(device.id)} ${attributes({
          id: device.id,
          class: `device ${device.kind} ${device.state.toLowerCase()}${device.uplink ? " uplink" : ""}`,
          label: deviceLabel(device, hopsInto.get(device.id)),
          fillcolor: COLOURS.kind[device.kind] ?? "#ffffff",
          color: stateColour,
          style: device.state === "DOWN" ? "rounded,filled,dashed" : "rounded,filled",
          penwidth: device.uplink ? 2.5 : 1.2,
          tooltip: `${namespaceTitle(namespace.name)} ${device.name}: ${device.state}${device.addresses.length ? ` ${device.addresses.join(" ")}` : ""}`,
        })};`,
      );
      if (!ports.has(device.id)) row.push(device.id);
    }
    if (path && probeNode && path.namespace === namespace.name) {
      const tool = path.probe.split(/\s+/)[0] ?? "probe";
      lines.push(`    ${quote(probeNode)} ${attributes({ id: "probe", class: "probe-origin", label: `<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td>▶ ${escapeHtml(tool)}</td></tr>${delivered ? hopsRow(["✔"], COLOURS.delivered) : ""}</table>>`, shape: "box", style: "rounded,filled", fillcolor: "#fde4ee", color: COLOURS.path, fontcolor: COLOURS.path, fontsize: 10 })};`);
      row.push(probeNode);
    }
    if (lastHop && dropNode && lastHop.namespace === namespace.name) {
      lines.push(`    ${quote(dropNode)} ${attributes({ id: "drop", class: "probe-drop", label: `<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td>✖ ${escapeHtml(lastHop.drop?.reason ?? "dropped")}</td></tr>${hopsRow(hopsInto.get(dropNode))}</table>>`, shape: "octagon", style: "filled", fillcolor: "#ffebee", color: COLOURS.drop, fontcolor: COLOURS.drop, fontsize: 10 })};`);
      // Beside the device it died on (the drop arrow holds it there), or in the namespace's row when it had none.
      if (!hopDevice(lastHop)) row.push(dropNode);
    }
    if (row.length > 1) lines.push(`    { rank=same; ${row.map(quote).join("; ")}; }`);
    // The label's left edge is under (a container's) or over (the host's, the outside's) lo's, on the side no cable comes from:
    // a container's cables come down from the host, the outside's go down to it.
    const anchor = namespace.devices.find((device) => device.kind === "loopback")?.id ?? row[0];
    if (anchor && namespace.role === "container") lines.push(`    ${quote(anchor)} -> ${quote(labelNode)} ${attributes({ style: "invis", tailport: "sw", headport: "nw" })};`);
    else if (anchor) lines.push(`    ${quote(labelNode)} -> ${quote(anchor)} ${attributes({ style: "invis", tailport: "sw", headport: "nw" })};`);
    lines.push("  }");
  }

  // A bridge with many ports would put all its containers in one row: stagger them over rows of about six.
  const portsOf = new Map<string, string[]>();
  for (const edge of topology.edges) if (edge.kind === "port") portsOf.set(edge.from, [...(portsOf.get(edge.from) ?? []), edge.to]);
  const bridgeOf = new Map(topology.edges.filter((edge) => edge.kind === "port").map((edge) => [edge.to, edge.from]));
  const rowOf = (port: string): number => {
    const siblings = portsOf.get(bridgeOf.get(port) ?? "") ?? [];
    const rows = Math.ceil(siblings.length / 6);
    return rows > 1 ? siblings.indexOf(port) % rows : 0;
  };
  for (const edge of topology.edges) {
    const row = edge.kind === "veth" ? rowOf(edge.from) : 0;
    // A cable down into a namespace whose label is on top (the host's) spans the label's rank too;
    // a container's label is under its row, so staggered containers still sit two ranks apart.
    const into = roleOf.get(namespaceOf.get(edge.to) ?? "");
    const length = edge.kind !== "veth" ? 1 : namespaceOf.get(edge.from) !== namespaceOf.get(edge.to) && into !== "container" ? 2 + row * 3 : 1 + row * 2;
    const minlen = length > 1 ? length : undefined;
    lines.push(
      `  ${quote(edge.from)} -> ${quote(edge.to)} ${attributes(
        edge.kind === "veth"
          ? { id: edge.id, class: "link veth", penwidth: 2.2, color: "#5d4a1f", tooltip: "veth pair", minlen }
          : { id: edge.id, class: "link port", penwidth: 2, color: "#4a6fa5", style: "bold", tooltip: "bridge port" },
      )};`,
    );
  }
  for (const group of topology.collapsed) {
    const label = `<<b>× ${group.names.length} more like ${escapeHtml(group.like)}</b><br/><font point-size="9" color="#555555">${escapeHtml(group.names.length > 2 ? `${group.names[0]} … ${group.names[group.names.length - 1]}` : group.names.join(", "))}</font>>`;
    lines.push(`  ${quote(group.id)} ${attributes({ id: group.id, class: "folded", label, shape: "box3d", style: "filled", fillcolor: COLOURS.role.container.fill, color: COLOURS.role.container.border })};`);
    if (group.attachTo) lines.push(`  ${quote(group.attachTo)} -> ${quote(group.id)} ${attributes({ id: `${group.id}-link`, class: "link folded", style: "dashed", minlen: 2, label: `${group.names.length} veth pairs`, color: "#5d4a1f" })};`);
  }

  if (path && probeNode) {
    // The probe's arrows: from the probe to hop 1, then hop to hop, once per pair of nodes. They carry no label: each hop's number is on the
    // node it reaches (Graphviz places a constraint=false edge's label without regard to other edges, often on one).
    for (const arrow of drawnArrows.values()) {
      const id = `hop-${arrow.numbers[0]}`;
      const tooltip = `hop${arrow.numbers.length > 1 ? "s" : ""} ${arrow.numbers.join(", ")}`;
      lines.push(`  ${quote(arrow.from)} -> ${quote(arrow.to)} ${attributes({ id, class: arrow.both ? "probe-hop both" : "probe-hop", dir: arrow.both ? "both" : "forward", constraint: "false", color: COLOURS.path, penwidth: 2, arrowsize: 0.8, tooltip })};`);
    }
    const previous = lastReached ?? probeNode;
    if (lastHop?.drop && dropNode && previous !== dropNode) {
      lines.push(`  ${quote(previous)} -> ${quote(dropNode)} ${attributes({ id: "hop-drop", class: "probe-hop drop", dir: "forward", minlen: 0, color: COLOURS.drop, style: "dashed", penwidth: 2, arrowsize: 0.8 })};`);
    }
    if (delivered) {
      lines.push(`  ${quote(previous)} -> ${quote(probeNode)} ${attributes({ id: "hop-delivered", class: "probe-hop delivered", dir: "forward", constraint: "false", color: COLOURS.delivered, style: "dashed", penwidth: 2, arrowsize: 0.8, tooltip: "back to the probe" })};`);
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
