// A topology (and optionally a probe's path) as a Mermaid flowchart, for
// Markdown that renders Mermaid (GitHub, GitLab): namespaces as subgraphs,
// devices as nodes, veth pairs as plain links, bridge ports as thick links,
// the probe's hops as numbered arrows.
import { COLOURS, type DiagramInput } from "./dot.js";
import type { PathHop } from "./probe-path.js";
import { namespaceTitle, type DiagramDevice } from "./topology.js";

function mermaidId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Text inside a quoted Mermaid label: quotes and angle brackets as entities. */
function mermaidText(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function deviceLabel(device: DiagramDevice): string {
  const lines = [`<b>${mermaidText(device.name)}</b>${device.kind === "loopback" ? "" : ` ${device.kind}`}`, ...device.addresses.map(mermaidText), `${device.state}${device.uplink ? " uplink" : ""}`];
  return lines.join("<br/>");
}

export function diagramMermaid(input: DiagramInput): string {
  const { topology, path } = input;
  const lines: string[] = [];
  if (input.title) lines.push(`%% ${input.title.replace(/\n/g, " ")}`);
  lines.push("flowchart TB");
  const deviceByPlace = new Map<string, DiagramDevice>();
  for (const namespace of topology.namespaces) {
    const notes = namespace.notes.map((note) => `<br/><small>${mermaidText(note)}</small>`).join("");
    lines.push(`  subgraph ${mermaidId(namespace.id)}["<b>${mermaidText(namespace.label)}</b>${notes}"]`);
    for (const device of namespace.devices) {
      deviceByPlace.set(`${namespace.name}\u0000${device.name}`, device);
      lines.push(`    ${mermaidId(device.id)}["${deviceLabel(device)}"]`);
    }
    if (path && path.namespace === namespace.name) lines.push(`    probe(["▶ ${mermaidText(path.probe.split(/\s+/)[0] ?? "probe")}"])`);
    const last = path?.hops[path.hops.length - 1];
    if (last?.drop && last.namespace === namespace.name) lines.push(`    drop{{"✖ ${mermaidText(last.drop.reason ?? "dropped")}"}}`);
    lines.push("  end");
  }
  for (const group of topology.collapsed) lines.push(`  ${mermaidId(group.id)}[["× ${group.names.length} more like ${mermaidText(group.like)}"]]`);

  let linkCount = 0;
  const pathLinks: number[] = [];
  for (const edge of topology.edges) {
    lines.push(`  ${mermaidId(edge.from)} ${edge.kind === "veth" ? "---" : "==="} ${mermaidId(edge.to)}`);
    linkCount++;
  }
  for (const group of topology.collapsed) {
    if (!group.attachTo) continue;
    lines.push(`  ${mermaidId(group.attachTo)} -.-|"${group.names.length} veth pairs"| ${mermaidId(group.id)}`);
    linkCount++;
  }
  if (path) {
    const hopNode = (hop: PathHop) => {
      const device = hop.device === undefined ? undefined : deviceByPlace.get(`${hop.namespace}\u0000${hop.device}`);
      return device ? mermaidId(device.id) : hop.drop ? "drop" : undefined;
    };
    let previous = "probe";
    for (const hop of path.hops) {
      const node = hopNode(hop);
      if (!node) continue;
      if (node !== previous) {
        lines.push(`  ${previous} -->|"${hop.number}"| ${node}`);
        pathLinks.push(linkCount++);
      }
      previous = node;
    }
    const last = path.hops[path.hops.length - 1];
    if (last?.drop && previous !== "drop") {
      lines.push(`  ${previous} -.-> drop`);
      pathLinks.push(linkCount++);
    }
    if (last?.delivered && previous !== "probe") {
      lines.push(`  ${previous} -.->|"✔"| probe`);
      pathLinks.push(linkCount++);
    }
  }
  lines.push(`  classDef veth fill:${COLOURS.kind.veth},stroke:#5d4a1f`);
  lines.push(`  classDef bridge fill:${COLOURS.kind.bridge},stroke:#4a6fa5`);
  lines.push(`  classDef loopback fill:${COLOURS.kind.loopback},stroke:#777`);
  lines.push(`  classDef down stroke:${COLOURS.state.DOWN},stroke-dasharray:4 3`);
  for (const kind of ["veth", "bridge", "loopback"]) {
    const ids = topology.namespaces.flatMap((namespace) => namespace.devices.filter((device) => device.kind === kind).map((device) => mermaidId(device.id)));
    if (ids.length > 0) lines.push(`  class ${ids.join(",")} ${kind}`);
  }
  const down = topology.namespaces.flatMap((namespace) => namespace.devices.filter((device) => device.state === "DOWN").map((device) => mermaidId(device.id)));
  if (down.length > 0) lines.push(`  class ${down.join(",")} down`);
  if (pathLinks.length > 0) lines.push(`  linkStyle ${pathLinks.join(",")} stroke:${COLOURS.path},stroke-width:2px,color:${COLOURS.path}`);
  if (path) {
    lines.push(`  style probe fill:#fde4ee,stroke:${COLOURS.path}`);
    if (path.hops[path.hops.length - 1]?.drop) lines.push(`  style drop fill:#ffebee,stroke:${COLOURS.drop}`);
    lines.push(`  %% probe: ${path.probe} (in ${namespaceTitle(path.namespace)})`);
  }
  return `${lines.join("\n")}\n`;
}
