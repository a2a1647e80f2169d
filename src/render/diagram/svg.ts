// Dot text to SVG in-process, with Graphviz compiled to WebAssembly
// (@hpcc-js/wasm-graphviz): no system Graphviz, nothing fetched at run time.
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let loading: Promise<Graphviz> | undefined;

/** Graphviz is loaded once per process (about 0.2 s) and reused. */
export function loadGraphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load();
  return loading;
}

/** The fonts the SVG names for the text Graphviz laid out in Courier's metrics (dot.ts): monospace ones with Courier's advance, then the generic family. */
export const SVG_FONT_FAMILY = "'DejaVu Sans Mono','Liberation Mono','Courier New',Courier,monospace";

export async function renderSvg(dot: string): Promise<string> {
  const graphviz = await loadGraphviz();
  return graphviz.dot(dot, "svg").replace(/font-family="Courier,monospace"/g, `font-family="${SVG_FONT_FAMILY.replace(/'/g, "&apos;")}"`);
}
