// src/net imports downward only: no file of it reaches itself again through
// its run-time imports (the device layer takes its protocol handlers by
// registration, as dev_add_pack() and netdev_rx_handler_register() give
// them to the kernel's).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "../support/import-graph.js";

const NET = fileURLToPath(new URL("../../src/net", import.meta.url));

describe("src/net's import graph", () => {
  it("reads the imports (not vacuous)", () => {
    const graph = importGraph(NET);
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get("ipv4/ip-input.ts")).toContain("ipv4/ip-forward.ts");
  });

  it("has no cycle", () => {
    expect(importCycles(importGraph(NET))).toEqual([]);
  });
});
