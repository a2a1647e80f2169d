// Reads the structure of a Graphviz SVG for tests: each cluster, node and
// edge group with its id, classes, texts and bounding box, so tests check
// what is drawn and where it sits rather than pixels.

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface SvgGroup {
  readonly id: string;
  readonly classes: readonly string[];
  /** The <title>: a node's or cluster's dot name, an edge's "from->to". */
  readonly title: string;
  readonly texts: readonly string[];
  readonly box?: Box;
}

function decode(text: string): string {
  return text
    .replace(/&#45;/g, "-")
    .replace(/&#160;/g, "\u00a0")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function boxOf(body: string): Box | undefined {
  const numbers: number[] = [];
  for (const match of body.matchAll(/<(?:polygon|path|polyline)[^>]*?\s(?:points|d)="([^"]*)"/g)) {
    numbers.push(...(match[1]!.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number));
  }
  for (const match of body.matchAll(/<ellipse[^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([-\d.]+)" ry="([-\d.]+)"/g)) {
    const [cx, cy, rx, ry] = match.slice(1, 5).map(Number) as [number, number, number, number];
    numbers.push(cx - rx, cy - ry, cx + rx, cy + ry);
  }
  if (numbers.length < 2) return undefined;
  const xs = numbers.filter((_, index) => index % 2 === 0);
  const ys = numbers.filter((_, index) => index % 2 === 1);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

export function svgGroups(svg: string): SvgGroup[] {
  const groups: SvgGroup[] = [];
  // Graphviz writes clusters, nodes and edges as sibling groups (with class);
  // a tooltip adds an inner group without one. Each runs to the next sibling.
  const starts = [...svg.matchAll(/<g id="([^"]*)" class="([^"]*)"[^>]*>/g)];
  starts.forEach((match, index) => {
    const body = svg.slice(match.index + match[0].length, starts[index + 1]?.index ?? svg.length);
    const box = boxOf(body);
    groups.push({
      id: decode(match[1]!),
      classes: decode(match[2]!).split(/\s+/),
      title: decode(/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? ""),
      texts: [...body.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((text) => decode(text[1]!).trim()),
      ...(box ? { box } : {}),
    });
  });
  return groups;
}

export function byClass(groups: readonly SvgGroup[], name: string): SvgGroup[] {
  return groups.filter((group) => group.classes.includes(name));
}

export function byId(groups: readonly SvgGroup[], id: string): SvgGroup {
  const group = groups.find((candidate) => candidate.id === id);
  if (!group) throw new Error(`no group with id ${id}; ids: ${groups.map((candidate) => candidate.id).join(" ")}`);
  return group;
}

export function inside(inner: Box, outer: Box): boolean {
  return inner.left >= outer.left && inner.right <= outer.right && inner.top >= outer.top && inner.bottom <= outer.bottom;
}

/** An edge's two ends, from its title "from->to". */
export function edgeEnds(edge: SvgGroup): [string, string] {
  const [from = "", to = ""] = edge.title.split("->");
  return [from, to];
}
