// Dot text to SVG in-process, with Graphviz compiled to WebAssembly
// (@hpcc-js/wasm-graphviz): no system Graphviz, nothing fetched at run time.
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let loading: Promise<Graphviz> | undefined;

/** Graphviz is loaded once per process (about 0.2 s) and reused. */
export function loadGraphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load();
  return loading;
}

export async function renderSvg(dot: string): Promise<string> {
  const graphviz = await loadGraphviz();
  return graphviz.dot(dot, "svg");
}
