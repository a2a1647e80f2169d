import { describe, expect, it } from "vitest";
import { textWalk } from "../../src/tui/text-walk.js";
import { walkOf } from "./support.js";

describe("the walk as text", () => {
  it("prints every command, its output, the topology when it changes, and each probe's hops and outcome", async () => {
    const walk = await walkOf("02-second-netns.sh");
    const text = textWalk(walk);
    for (const step of walk.steps) expect(text).toContain(`[${step.index + 1}/${walk.steps.length}] ${step.text}    (`);
    expect(text).toContain("    172.18.0.20 dev veth0 src 172.18.0.11 uid 0 \n");
    expect(text).toContain("    hop 1/18 · (root)/veth0 · ip_route_output · 0µs\n");
    expect(text).toContain("       ✓ 172.18.0.0/16 dev veth0 proto kernel scope link src 172.18.0.11  ← chosen\n");
    expect(text).toContain("  outcome: no-reply\n  why: the root namespace has 2 routes for 172.18.0.0/16");
    expect(text).toContain("  expect: no-reply ✓ held\n");
    // The topology is printed when a command changed it, not after every show command.
    const routeShow = text.slice(text.indexOf("] ip route    ("), text.indexOf("] ip route get"));
    expect(routeShow).not.toContain("topology:");
    expect(text.split("  topology:").length - 1).toBeGreaterThan(10);
    expect(text.trimEnd().split("\n").at(-1)).toBe("3 expectations, 3 held, 0 failed");
    expect(text).not.toContain("\u001B[");
  });
});
