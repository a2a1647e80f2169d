// The net layer's front door (src/net/index.ts): other layers import the
// packet path through it only, so its internals can move without them.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { importGraph } from "../support/import-graph.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

describe("src/net's front door", () => {
  it("is the only file of src/net that another layer imports", () => {
    const graph = importGraph(SRC);
    const throughSideDoors = [...graph]
      .filter(([file]) => !file.startsWith("net/"))
      .flatMap(([file, targets]) => targets.filter((target) => target.startsWith("net/") && target !== "net/index.ts").map((target) => `${file} -> ${target}`));
    expect(graph.has("net/index.ts")).toBe(true);
    expect(throughSideDoors).toEqual([]);
  });

  it("is not imported from inside src/net, so it orders nothing there", () => {
    const graph = importGraph(SRC);
    const inward = [...graph].filter(([file, targets]) => file.startsWith("net/") && file !== "net/index.ts" && targets.includes("net/index.ts")).map(([file]) => file);
    expect(inward).toEqual([]);
  });
});
