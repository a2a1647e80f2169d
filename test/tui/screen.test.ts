import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lineText, lineWidth } from "../../src/tui/line.js";
import { INITIAL_STATE, type ViewState } from "../../src/tui/navigation.js";
import { join } from "node:path";
import { clampView, screenLines } from "../../src/tui/screen.js";
import { buildWalk } from "../../src/tui/walk.js";
import { masqueradeWalk, RULE } from "./masquerade.js";
import { WALKTHROUGH, walkOf } from "./support.js";

const STAGES = readdirSync(WALKTHROUGH).filter((name) => name.endsWith(".sh")).sort();

describe("the screen", () => {
  it("fits the terminal on every command and hop of every stage, in every mode, from 80×24 up", async () => {
    const misfits: string[] = [];
    let screens = 0;
    for (const stage of STAGES) {
      const walk = await walkOf(stage);
      for (const [width, height] of [[80, 24], [100, 30], [160, 48]] as const) {
        for (const [command, step] of walk.steps.entries()) {
          for (let hop = 0; hop < Math.max(1, step.trace?.steps.length ?? 0); hop++) {
            for (const mode of [{}, { expanded: true }, { topology: false }, { help: true }] as Array<Partial<ViewState>>) {
              const lines = screenLines(walk, { ...INITIAL_STATE, ...mode, command, hop }, width, height);
              screens++;
              const where = `${stage} ${width}×${height} command ${command + 1} hop ${hop + 1} ${JSON.stringify(mode)}`;
              if (lines.length !== height - 1) misfits.push(`${where}: ${lines.length} lines`);
              if (lines.some((line) => lineWidth(line) > width)) misfits.push(`${where}: a line wider than ${width}`);
              // The header names the place, the footer the keys: always there.
              if (!lineText(lines[0]!).includes(`command ${command + 1}/${walk.steps.length}`)) misfits.push(`${where}: header`);
              if (!lineText(lines.at(-1)!).includes("q quit")) misfits.push(`${where}: footer`);
            }
          }
        }
      }
    }
    expect(misfits).toEqual([]);
    expect(screens).toBeGreaterThan(2000);
  });

  it("always shows the current hop in the list and its detail", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const command = walk.steps.findIndex((step) => step.trace);
    const hops = walk.steps[command]!.trace!.steps;
    for (let hop = 0; hop < hops.length; hop++) {
      const text = screenLines(walk, { ...INITIAL_STATE, command, hop }, 80, 24).map(lineText);
      expect(text.some((line) => line.startsWith(`▶${String(hop + 1).padStart(3)} `))).toBe(true);
      expect(text).toContain(`hop ${hop + 1}/${hops.length} · ${hops[hop]!.namespace === "" ? "(root)" : hops[hop]!.namespace}${hops[hop]!.device ? `/${hops[hop]!.device}` : ""} · ${hops[hop]!.stage} · ${text.find((line) => line.startsWith(`hop ${hop + 1}/`))!.split(" · ").at(-1)}`);
    }
  });

  it("the MASQUERADE hop at 80×24: the rule, the rewrite and the packet on eth0", async () => {
    const { walk, command, natHop } = await masqueradeWalk();
    const text = screenLines(walk, { ...INITIAL_STATE, command, hop: natHop }, 80, 24).map(lineText);
    const screen = text.join("\n");
    expect(screen).toContain("── ping: reply  ✓ reply ─");
    expect(screen).not.toContain("why:");
    expect(screen).toMatch(/▶ +\d+ \(root\)\/eth0 +nf_hook +rewritten/);
    expect(screen).toContain(`iptables -t nat POSTROUTING: rule 1: ${RULE.slice(0, 20)}`);
    expect(screen).toContain("│▸eth0 192.168.0.100/16");
    // Expanded, the whole detail shows: before, after and the NAT line.
    const expanded = screenLines(walk, { ...INITIAL_STATE, command, hop: natHop, expanded: true }, 80, 24).map(lineText).join("\n");
    expect(expanded).toContain("  NAT     source 172.18.0.10 → 192.168.0.100");
    expect(expanded).toMatch(/ {2}after {3}192\.168\.0\.100 > 8\.8\.8\.8 echo request/);
  });

  it("stage 8, MASQUERADE: the nat rule's hop, then the rewrite to the uplink's address with its conntrack entry", async () => {
    const walk = await walkOf("08-masquerade.sh");
    const command = walk.steps.findIndex((step) => step.trace?.steps.some((hop) => hop.decision?.kind === "netfilter" && hop.decision.target === "MASQUERADE"));
    expect(command).toBeGreaterThanOrEqual(0);
    const hops = walk.steps[command]!.trace!.steps;
    const rule = hops.findIndex((candidate) => candidate.decision?.kind === "netfilter" && candidate.decision.target === "MASQUERADE");
    const ruleScreen = screenLines(walk, { ...INITIAL_STATE, command, hop: rule, expanded: true }, 80, 24).map(lineText).join("\n");
    // Too long for 80 columns: the rule wraps onto an indented line, whole.
    expect(ruleScreen).toContain("  iptables -t nat POSTROUTING: rule 1: -A POSTROUTING -s 172.18.0.0/16 ! -o br0\n    -j MASQUERADE → MASQUERADE\n");
    // The rewrite itself: the hop whose packet leaves with the uplink's address, marked on eth0.
    const rewrite = hops.findIndex((candidate, index) => index >= rule && candidate.packetAfter !== undefined && candidate.packet !== undefined && candidate.packetAfter.source !== candidate.packet.source);
    expect(rewrite).toBeGreaterThan(rule);
    const rewriteScreen = screenLines(walk, { ...INITIAL_STATE, command, hop: rewrite }, 80, 24).map(lineText).join("\n");
    expect(rewriteScreen).toContain("│▸eth0 192.168.0.100/16");
    expect(rewriteScreen).toMatch(/▶ +\d+ \(root\)\/eth0 +nf_hook +rewritten/);
    const expanded = screenLines(walk, { ...INITIAL_STATE, command, hop: rewrite, expanded: true }, 80, 24).map(lineText).join("\n");
    expect(expanded).toMatch(/after {3}192\.168\.0\.100 > 8\.8\.8\.8 echo request/);
    expect(expanded).toContain("  NAT     source 172.18.0.10 → 192.168.0.100");
    expect(expanded).toMatch(/conntrack \w+: #1 original icmp 172\.18\.0\.10 > 8\.8\.8\.8/);
  });

  it("the header says where the current command stands, file:line, as --text does", async () => {
    const walk = await walkOf("03-bridge.sh");
    // The first command comes from the sourced prelude, a later one from the stage itself.
    expect(lineText(screenLines(walk, INITIAL_STATE, 80, 24)[0]!)).toMatch(/^netsim step 03-bridge\.sh  lib\/uplink\.sh:6 +command 1\/\d+$/);
    const own = walk.steps.findIndex((step) => step.record.location.file.endsWith("03-bridge.sh"));
    const { line } = walk.steps[own]!.record.location;
    for (const [width, height] of [[80, 24], [160, 48]] as const) {
      expect(lineText(screenLines(walk, { ...INITIAL_STATE, command: own }, width, height)[0]!)).toContain(`  03-bridge.sh:${line} `);
    }
  });

  it("a command's long output is paged through (PgDn / PgUp), every line reachable, never cut", async () => {
    const file = join(WALKTHROUGH, "long-output.sh");
    const walk = await buildWalk(file, { files: { [file]: "for i in $(seq 1 30); do ip link add d$i type dummy; done\nip link\n" } });
    const command = walk.steps.length - 1;
    const output = walk.steps[command]!.record.stdout.trimEnd().split("\n");
    expect(output.length).toBeGreaterThan(60);
    for (const [width, height] of [[80, 24], [100, 40], [160, 48]] as const) {
      const screens: string[] = [];
      let state: ViewState = { ...INITIAL_STATE, command };
      for (let page = 0; page < 40; page++) {
        state = clampView(walk, { ...state, outputPage: page }, width, height);
        const screen = screenLines(walk, state, width, height).map(lineText);
        expect(screen.length).toBe(height - 1);
        expect(screen.join("\n")).not.toMatch(/more lines/);
        screens.push(screen.join("\n"));
      }
      // Past the last page PgDn stays on it; and every line of the output was on one page (its first 36 columns tell it from the others).
      expect(clampView(walk, { ...state, outputPage: 99 }, width, height).outputPage).toBe(state.outputPage);
      const all = screens.join("\n");
      for (const text of output) expect(all.includes(text.slice(0, 36)), `${width}×${height}: ${text}`).toBe(true);
      expect(screenLines(walk, { ...INITIAL_STATE, command }, width, height).map(lineText).join("\n")).toMatch(new RegExp(`lines 1–\\d+ of ${output.length} · PgDn more`));
    }
  });
});
