import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatIpv4Address } from "../../../src/model/address.js";
import type { World } from "../../../src/model/world.js";
import { operState } from "../../../src/net/core/link-state.js";
import { vethPeer } from "../../../src/net/core/net-namespace.js";
import { diagramDot } from "../../../src/render/diagram/dot.js";
import { diagramInput, stageInput } from "../../../src/render/diagram/picture-book.js";
import { takeSnapshots, type SnapshotRun } from "../../../src/render/diagram/scenario-stages.js";
import { loadGraphviz, renderSvg } from "../../../src/render/diagram/svg.js";
import { deviceId } from "../../../src/render/diagram/topology.js";
import { byClass, byId, edgeEnds, inside, svgGroups, type SvgGroup } from "./svg-structure.js";

const WALKTHROUGH = "scenarios/walkthrough";

/** Every namespace, device, address, link state, veth pair and bridge port of the world is in the SVG, each device inside its namespace's box. */
function expectWholeWorld(groups: readonly SvgGroup[], world: World): void {
  const edges = byClass(groups, "edge").map(edgeEnds).map((ends) => ends.join(" "));
  for (const namespace of world.namespaces.values()) {
    const cluster = byId(groups, `ns-${namespace.id}`);
    expect(cluster.classes).toContain("namespace");
    // The name and notes are a node of the cluster's own (edges are routed around nodes, across cluster labels).
    const label = byId(groups, `ns-${namespace.id}-label`);
    expect(label.texts[0]).toBe(namespace.name === "" ? "root namespace" : namespace.name);
    expect(label.texts[1]).toBe(`ip_forward=${namespace.sysctl.confAll.forwarding ? 1 : 0}`);
    for (const device of namespace.devices.values()) {
      const node = byId(groups, deviceId(namespace.id, device.index));
      expect(node.texts).toContain(device.name);
      expect(node.texts).toContain(operState(world, namespace, device));
      for (const address of device.addresses) expect(node.texts).toContain(`${formatIpv4Address(address.address)}/${address.prefixLength}`);
      expect(inside(node.box!, cluster.box!), `${device.name} inside ${namespace.name || "root"}`).toBe(true);
      const peer = vethPeer(world, device);
      if (peer) {
        const ends = [deviceId(namespace.id, device.index), deviceId(peer.namespace.id, peer.device.index)];
        expect(edges.includes(ends.join(" ")) || edges.includes([...ends].reverse().join(" ")), `veth ${device.name}`).toBe(true);
      }
      if (device.masterIndex !== undefined) expect(edges).toContain(`${deviceId(namespace.id, device.masterIndex)} ${deviceId(namespace.id, device.index)}`);
    }
  }
}

/**
 * The probe's path, from the probe through the nodes its hops reach, in hop order: each node carries the numbers of
 * the hops that reach it (a row "3 · 5"), and one arrow, unlabelled, joins each two nodes the packet passes between
 * (two-headed when it passes both ways), named after the first hop along it.
 */
function pathNodes(groups: readonly SvgGroup[]): string[] {
  const reached = new Map<number, string>();
  for (const group of groups) {
    if (!group.classes.includes("node")) continue;
    for (const text of group.texts) if (/^\d+( · \d+)*$/.test(text)) for (const number of text.split(" · ")) reached.set(Number(number), group.id);
  }
  const numbers = [...reached.keys()].sort((a, b) => a - b);
  const nodes = ["probe", ...numbers.map((number) => reached.get(number)!)];
  const arrows = byClass(groups, "probe-hop").filter((group) => /^hop-\d+$/.test(group.id));
  const pairs = new Set<string>();
  for (const [index, number] of numbers.entries()) {
    const [from, to] = [nodes[index]!, nodes[index + 1]!];
    expect(from, `hop ${number} moves`).not.toBe(to);
    const arrow = arrows.find((candidate) => {
      const ends = edgeEnds(candidate).join(" ");
      return ends === `${from} ${to}` || (candidate.classes.includes("both") && ends === `${to} ${from}`);
    });
    expect(arrow, `an arrow for hop ${number}, ${from} to ${to}`).toBeDefined();
    expect(arrow!.texts, `${arrow!.id} carries no label`).toEqual([]);
    const pair = [from, to].sort().join(" ");
    if (!pairs.has(pair)) expect(arrow!.id, `the first hop from ${from} to ${to}`).toBe(`hop-${number}`);
    pairs.add(pair);
  }
  expect(arrows).toHaveLength(pairs.size);
  return nodes;
}

describe("diagram SVG", () => {
  let stage7: SnapshotRun;
  beforeAll(async () => {
    await loadGraphviz();
    stage7 = await takeSnapshots(join(WALKTHROUGH, "07-ip-forward.sh"), { stages: true, atLine: 12 });
  });

  it("draws every namespace, device, address and cable of the walkthrough's last stage", async () => {
    const svg = await renderSvg(diagramDot(diagramInput(stage7.run.world)));
    expect(svg).toMatch(/^<\?xml/);
    const groups = svgGroups(svg);
    expectWholeWorld(groups, stage7.run.world);
    // The uplink is marked: the device the default route leaves by.
    expect(byClass(groups, "uplink").map((group) => group.texts[0])).toEqual(["eth0"]);
    expect(byId(groups, "ns-1").classes).toContain("outside");
    expect(byClass(groups, "probe-hop")).toEqual([]);
  });

  it("overlays the probe's path in order, with the drop point marked", async () => {
    const stage = stage7.stages.find((candidate) => candidate.line === 12)!;
    const svg = await renderSvg(diagramDot(stageInput(stage, stage7.text, stage7.run.file)));
    const groups = svgGroups(svg);
    expectWholeWorld(groups, stage.world);
    const names = new Map(byClass(groups, "device").map((group) => [group.id, group.texts[0]]));
    // netns0 ceth0 → veth0 → br0 → forwarded out of eth0 → wan0, where the reply has no route back.
    expect(pathNodes(groups).map((id) => names.get(id) ?? id)).toEqual(["probe", "ceth0", "veth0", "br0", "eth0", "wan0"]);
    const drop = byId(groups, "drop");
    expect(drop.texts.join(" ")).toContain("IP_OUTNOROUTES");
    expect(edgeEnds(byId(groups, "hop-drop"))).toEqual([deviceId(1, 2), "drop"]);
    expect(inside(drop.box!, byId(groups, "ns-1").box!)).toBe(true);
    expect(inside(byId(groups, "probe").box!, byId(groups, "ns-2").box!)).toBe(true);
    // The legend lists the hops and why the packet died.
    const legend = byClass(groups, "graph")[0]!.texts.join("\n");
    expect(legend).toContain("ping -c 1 -W 1 8.8.8.8");
    expect(legend).toContain("no route back");
    expect(legend).toMatch(/172\.18\.0\.10 > 8\.8\.8\.8 echo request id \d+ seq 1 ttl 63/);
  });

  it("ends a delivered probe's path back at the probe", async () => {
    const stage = stage7.stages.find((candidate) => candidate.line === 14)!;
    const groups = svgGroups(await renderSvg(diagramDot(stageInput(stage, stage7.text, stage7.run.file))));
    const names = new Map(byClass(groups, "device").map((group) => [group.id, group.texts[0]]));
    expect(pathNodes(groups).map((id) => names.get(id) ?? id)).toEqual(["probe", "eth0", "wan0", "eth0"]);
    expect(edgeEnds(byId(groups, "hop-delivered"))).toEqual([deviceId(0, 2), "probe"]);
    expect(byId(groups, "probe").texts).toEqual(["▶ ping", "✔"]);
    expect(groups.some((group) => group.id === "drop")).toBe(false);
  });

  it("renders every stage of every walkthrough and Docker file with the whole world in it", async () => {
    const files = [
      ...readdirSync(WALKTHROUGH).filter((name) => name.endsWith(".sh")).map((name) => join(WALKTHROUGH, name)),
      ...readdirSync("scenarios/docker").filter((name) => name.endsWith(".sh")).map((name) => join("scenarios/docker", name)),
    ].sort();
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const name of files) {
      const snapshots = await takeSnapshots(name, { stages: true });
      expect(snapshots.run.problems).toEqual([]);
      const probes = snapshots.run.commands.filter((record) => record.probe).length;
      expect(snapshots.stages.filter((stage) => stage.kind === "probe")).toHaveLength(probes);
      for (const stage of snapshots.stages) {
        const groups = svgGroups(await renderSvg(diagramDot(stageInput(stage, snapshots.text, snapshots.run.file))));
        expectWholeWorld(groups, stage.world);
        if (stage.probe) expect(byClass(groups, "probe-hop").length, `${name} stage ${stage.number}`).toBeGreaterThan(0);
      }
    }
  });
});
