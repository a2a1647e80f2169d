import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagramMermaid } from "../../../src/render/diagram/mermaid.js";
import { stageInput } from "../../../src/render/diagram/picture-book.js";
import { takeSnapshots } from "../../../src/render/diagram/scenario-stages.js";

describe("diagramMermaid", () => {
  it("writes namespaces as subgraphs, devices with addresses, cables, and the probe's numbered hops", async () => {
    const snapshots = await takeSnapshots(join("scenarios/walkthrough", "07-ip-forward.sh"), { stages: true });
    const stage = snapshots.stages.find((candidate) => candidate.line === 12)!;
    const text = diagramMermaid(stageInput(stage, snapshots.text, snapshots.run.file));
    const lines = text.split("\n");
    expect(lines[1]).toBe("flowchart TB");
    for (const name of ["root namespace", "wan", "netns0", "netns1"]) expect(lines.some((line) => line.startsWith("  subgraph ") && line.includes(`<b>${name}</b>`))).toBe(true);
    expect(text).toContain('dev_2_3["<b>ceth0</b> veth<br/>172.18.0.10/16<br/>UP"]');
    expect(text).toContain('dev_0_2["<b>eth0</b> veth<br/>192.168.0.100/16<br/>UP uplink"]');
    expect(text).toContain("  dev_0_7 === dev_0_4");
    expect(text).toContain("  dev_0_4 --- dev_2_3");
    const hops = lines.filter((line) => /-->\|"\d+"\|/.test(line)).map((line) => line.trim());
    expect(hops).toEqual(['probe -->|"1"| dev_2_3', 'dev_2_3 -->|"2"| dev_0_4', 'dev_0_4 -->|"3"| dev_0_7', 'dev_0_7 -->|"4"| dev_0_2', 'dev_0_2 -->|"5"| dev_1_2']);
    expect(text).toContain('drop{{"✖ IP_OUTNOROUTES"}}');
    expect(text).toContain("  dev_1_2 -.-> drop");
    // Every subgraph is closed.
    expect(lines.filter((line) => line.startsWith("  subgraph ")).length).toBe(lines.filter((line) => line === "  end").length);
  });
});
