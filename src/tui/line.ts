// Screen text as plain data: a line is a list of segments, each with an
// optional style. The panes build lines with pure functions (so layout and
// wording are testable without a terminal); one component draws them.

/** What a segment means; the drawing decides how it looks (colour, or nothing under NO_COLOR). */
export type Style =
  | "title" /* pane and box titles */
  | "current" /* the current command or hop */
  | "packet-here" /* the device or link the packet is on */
  | "dim" /* down devices, context, commands not yet run */
  | "good" /* reply, delivered, the chosen route */
  | "bad" /* drops, failures */
  | "changed" /* fields a NAT or the TTL changed */
  | "key"; /* key names in the help */

export interface Segment {
  readonly text: string;
  readonly style?: Style;
}

export type Line = readonly Segment[];

export function plain(text: string): Line {
  return [{ text }];
}

export function styled(text: string, style: Style | undefined): Segment {
  return style ? { text, style } : { text };
}

export function lineText(line: Line): string {
  return line.map((segment) => segment.text).join("");
}

export function lineWidth(line: Line): number {
  return [...lineText(line)].length;
}

/** Cut a line to at most `width` characters, marking the cut with "…". */
export function truncateLine(line: Line, width: number): Line {
  if (lineWidth(line) <= width) return line;
  const result: Segment[] = [];
  let left = Math.max(0, width - 1);
  for (const segment of line) {
    if (left <= 0) break;
    const characters = [...segment.text];
    const taken = characters.slice(0, left).join("");
    result.push(styled(taken, segment.style));
    left -= Math.min(left, characters.length);
  }
  result.push({ text: "…" });
  return result;
}

/** Pad a line with spaces to exactly `width` characters (after truncating). */
export function padLine(line: Line, width: number): Line {
  const cut = truncateLine(line, width);
  const missing = width - lineWidth(cut);
  return missing > 0 ? [...cut, { text: " ".repeat(missing) }] : cut;
}

/** Word-wrap plain text to `width`, each following line indented by `indent` spaces. */
export function wrapText(text: string, width: number, indent = 0): string[] {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const limit = lines.length === 0 ? width : width - indent;
    if (current === "") current = word;
    else if (current.length + 1 + word.length <= limit) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== "" || lines.length === 0) lines.push(current);
  return lines.map((line, index) => (index === 0 ? line : `${" ".repeat(indent)}${line}`));
}

/** A window of `size` items that keeps `focus` visible, a little below the top when it can. */
export function scrollWindow(count: number, focus: number, size: number): { start: number; end: number } {
  if (count <= size) return { start: 0, end: count };
  // One item of context above the focus at least (what came just before), a third of the window at most.
  const lead = size < 3 ? 0 : Math.max(1, Math.floor((size - 1) / 3));
  const start = Math.max(0, Math.min(count - size, focus - lead));
  return { start, end: start + size };
}

/** Word-wrap a styled line to `width`; continuation lines start with `indent` spaces. Styles stay with their words. */
export function wrapLine(line: Line, width: number, indent: number): Line[] {
  if (lineWidth(line) <= width) return [line];
  const tokens: Segment[] = [];
  for (const segment of line) for (const piece of segment.text.split(/(\s+)/)) if (piece !== "") tokens.push(styled(piece, segment.style));
  const lines: Segment[][] = [];
  let current: Segment[] = [];
  let used = 0;
  for (const token of tokens) {
    const length = [...token.text].length;
    const blank = token.text.trim() === "";
    if (used + length > width && used > indent && !blank) {
      lines.push(current);
      current = [{ text: " ".repeat(indent) }];
      used = indent;
    }
    if (blank && used === indent && lines.length > 0) continue;
    current.push(token);
    used += length;
  }
  lines.push(current);
  // A blank run at a line's end is where it broke: drop it, so only words count against the width.
  const trimmed = lines.map((wrapped) => {
    const kept = [...wrapped];
    while (kept.length > 1 && kept[kept.length - 1]!.text.trim() === "") kept.pop();
    return kept;
  });
  return trimmed.map((wrapped) => truncateLine(wrapped, width));
}
