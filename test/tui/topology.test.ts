import { describe, expect, it } from "vitest";
import { lineText, lineWidth } from "../../src/tui/line.js";
import { namespaceBox, topologyLines, topologyOf } from "../../src/tui/topology.js";
import { commandIndex, walkOf } from "./support.js";

describe("the topology pane", () => {
  it("stage 4: boxes per namespace, br0 with its ports beneath it, the veth pairs as links", async () => {
    const walk = await walkOf("04-bridge-address.sh");
    const world = walk.steps.at(-1)!.world;
    const topology = topologyOf(world);
    expect(topology.namespaces.map((namespace) => namespace.name)).toEqual(["", "wan", "netns0", "netns1"]);
    const root = topology.namespaces[0]!;
    expect(root.devices.find((device) => device.name === "br0")).toMatchObject({ kind: "bridge", up: true, addresses: ["172.18.0.1/16"], ports: ["veth0", "veth1"] });
    expect(root.devices.find((device) => device.name === "veth0")).toMatchObject({ master: "br0", addresses: [], peer: { namespace: "netns0", device: "ceth0" } });
    expect(topology.links).toEqual([
      { a: { namespace: "", device: "eth0" }, b: { namespace: "wan", device: "wan0" } },
      { a: { namespace: "", device: "veth0" }, b: { namespace: "netns0", device: "ceth0" } },
      { a: { namespace: "", device: "veth1" }, b: { namespace: "netns1", device: "ceth1" } },
    ]);
    const text = topologyLines(topology, undefined, 80).map(lineText);
    expect(text).toEqual([
      "╭─ (root) ──────────────╮ ╭─ wan ─────────────────╮ ╭─ netns0 ──────────────╮",
      "│ eth0 192.168.0.100/16 │ │ lo   8.8.8.8/32       │ │ ceth0 172.18.0.10/16  │",
      "│ br0  172.18.0.1/16    │ │ wan0 192.168.0.1/16   │ ╰───────────────────────╯",
      "│ ├ veth0               │ ╰───────────────────────╯ ╭─ netns1 ──────────────╮",
      "│ └ veth1               │                           │ ceth1 172.18.0.20/16  │",
      "╰───────────────────────╯                           ╰───────────────────────╯",
      "veth links:  eth0 ═ wan0  veth0 ═ ceth0  veth1 ═ ceth1",
    ]);
  });

  it("marks the device the packet is on, and the link when it is crossing it", async () => {
    const walk = await walkOf("04-bridge-address.sh");
    const topology = topologyOf(walk.steps.at(-1)!.world);
    const onPort = topologyLines(topology, { namespace: "", device: "veth1" }, 80);
    expect(onPort.map(lineText).join("\n")).toContain("│▸└ veth1");
    expect(onPort.flat().filter((segment) => segment.style === "packet-here").map((segment) => segment.text.trim())).toEqual(["(root)", "▸", "└ veth1"]);
    const crossing = topologyLines(topology, { namespace: "netns1", device: "ceth1", onLink: true }, 80).map(lineText);
    expect(crossing.at(-1)).toBe("veth links:  eth0 ═ wan0  veth0 ═ ceth0 ▸veth1 ═ ceth1");
  });

  it("shows lo only when it says something: down, or with an address beyond 127/8", async () => {
    const walk = await walkOf("01-netns-veth.sh");
    const afterAdd = walk.steps[commandIndex(walk, "ip netns add netns0")]!.world;
    const netns0 = topologyOf(afterAdd).namespaces.find((namespace) => namespace.name === "netns0")!;
    expect(namespaceBox(netns0, undefined, 20).map(lineText)).toEqual(["╭─ netns0 ─────────╮", "│ lo DOWN          │", "╰──────────────────╯"]);
    const final = topologyOf(walk.steps.at(-1)!.world).namespaces.find((namespace) => namespace.name === "netns0")!;
    expect(namespaceBox(final, undefined, 24).map(lineText).join("\n")).not.toContain("lo");
  });

  it("names a device by namespace in a link when the name is not unique", async () => {
    const walk = await walkOf("01-netns-veth.sh");
    const world = walk.steps.at(-1)!.world;
    const topology = topologyOf(world);
    const renamed = { ...topology, namespaces: topology.namespaces.map((namespace) => (namespace.name === "netns0" ? { ...namespace, devices: [...namespace.devices, { ...namespace.devices[0]!, name: "veth0" }] } : namespace)) };
    expect(topologyLines(renamed, undefined, 120).map(lineText).at(-1)).toContain("(root)/veth0 ═ ceth0");
  });

  it("fits any width from 30 columns up, stacking boxes in fewer columns", async () => {
    const walk = await walkOf("07-ip-forward.sh");
    const topology = topologyOf(walk.steps.at(-1)!.world);
    for (let width = 30; width <= 200; width += 7) {
      const lines = topologyLines(topology, { namespace: "", device: "br0" }, width);
      for (const line of lines) expect(lineWidth(line)).toBeLessThanOrEqual(width);
      expect(lines.map(lineText).join("\n")).toContain("▸br0");
    }
    expect(topologyLines(topology, undefined, 30).length).toBeGreaterThan(topologyLines(topology, undefined, 80).length);
  });
});
