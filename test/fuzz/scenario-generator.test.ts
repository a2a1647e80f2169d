// The differential fuzzer's scenarios: valid for the simulator (no input
// problems), deterministic for a seed, and shaped by the simulator's features.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SimBackend } from "../../src/backends/sim/sim-backend.js";
import { annotateWithKernelOutcomes, simulatorFeatures } from "../../src/fuzz/differential.js";
import { fuzzScenarioArbitrary, renderScenario } from "../../src/fuzz/scenario-generator.js";
import type { ScenarioRun } from "../../src/scenario/result.js";

const folder = mkdtempSync(join(tmpdir(), "netsim-fuzz-test-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("fuzzScenarioArbitrary", () => {
  it("makes scenarios the simulator takes whole: no unmodelled command or option, at least one probe", async () => {
    const file = join(folder, "scenario.sh");
    await fc.assert(
      fc.asyncProperty(fuzzScenarioArbitrary(simulatorFeatures()), async (scenario) => {
        const text = renderScenario(scenario);
        writeFileSync(file, text);
        const run = await new SimBackend().run(file, { snapshots: true });
        expect(run.problems).toEqual([]);
        expect(run.commands.some((record) => record.probe !== undefined)).toBe(true);
        expect(run.snapshots?.length).toBeGreaterThan(1);
      }),
      { numRuns: 40, seed: 4242 },
    );
  }, 120_000);

  it("gives the same scenarios for the same seed", () => {
    const sample = () => fc.sample(fuzzScenarioArbitrary({ iptables: true, nc: true }), { seed: 7, numRuns: 5 }).map(renderScenario);
    expect(sample()).toEqual(sample());
  });

  it("uses iptables and nc only when the simulator models them", () => {
    const texts = (features: { iptables: boolean; nc: boolean }) => fc.sample(fuzzScenarioArbitrary(features), { seed: 1, numRuns: 200 }).map(renderScenario).join("");
    const without = texts({ iptables: false, nc: false });
    expect(without).not.toMatch(/iptables|\bnc\b/);
    expect(without).toMatch(/ping -c 1 -W 0\.3/);
    const all = texts({ iptables: true, nc: true });
    for (const form of ["iptables -P", "-j MASQUERADE", "-j SNAT --to-source", "-j DNAT --to-destination", "nc -lk", "nc -z -w 1", "master br0", "route add default"]) expect(all).toContain(form);
    // Bridge + NAT + br_netfilter shapes: two bridges, br_netfilter toggled, Docker's -s C -d C MASQUERADE.
    for (const form of ["master br1", "net.bridge.bridge-nf-call-iptables=0", "--dport 80 -j MASQUERADE"]) expect(all).toContain(form);
    expect(all).not.toContain("hairpin");
    expect(texts({ iptables: true, nc: true, bridge: true } as { iptables: boolean; nc: boolean })).toMatch(/bridge link set dev \S+ hairpin (on|off)/);
  });

  it("makes hairpin steps the simulator takes, when `bridge` runs on both backends", async () => {
    const file = join(folder, "hairpin.sh");
    await fc.assert(
      fc.asyncProperty(fuzzScenarioArbitrary({ ...simulatorFeatures(), bridge: true }), async (scenario) => {
        writeFileSync(file, renderScenario(scenario));
        const run = await new SimBackend().run(file, { snapshots: false });
        expect(run.problems).toEqual([]);
      }),
      { numRuns: 25, seed: 515 },
    );
  }, 120_000);

  it("makes nft steps, beside iptables', that the simulator takes whole", async () => {
    const features = { iptables: true, nc: true, nft: true };
    const all = fc.sample(fuzzScenarioArbitrary(features), { seed: 1, numRuns: 200 }).map(renderScenario).join("");
    for (const form of ["add chain inet fz0 forward { type filter hook forward priority 0; }", "add rule inet fz10 input", "policy drop;", " reject'", "masquerade'", "dnat to 10.0.", "nft list ruleset"]) expect(all).toContain(form);
    expect(fc.sample(fuzzScenarioArbitrary({ iptables: true, nc: true }), { seed: 1, numRuns: 200 }).map(renderScenario).join("")).not.toMatch(/\bnft\b/);
    const file = join(folder, "nft.sh");
    await fc.assert(
      fc.asyncProperty(fuzzScenarioArbitrary(features), async (scenario) => {
        writeFileSync(file, renderScenario(scenario));
        const run = await new SimBackend().run(file, { snapshots: false });
        expect(run.problems).toEqual([]);
        // Every nft command is taken (a refusal would be a generator the kernel and netsim disagree on before any packet).
        for (const record of run.commands) if (record.argv[0] === "nft") expect({ command: record.argv.join(" "), stderr: record.stderr, exitCode: record.exitCode }).toMatchObject({ exitCode: 0 });
      }),
      { numRuns: 40, seed: 4343 },
    );
  }, 120_000);
});

describe("renderScenario", () => {
  const masters = (text: string) => text.split("\n").filter((line) => line.includes(" master "));
  const base = { namespaces: 2, loopbackUp: [false, false], listeners: [], steps: [{ kind: "ping" as const, namespace: 0, target: { net: 0, host: 1, prefixLength: 24 as const } }] };

  it("leaves out a port that would close a loop: both ends of one veth on one bridge", () => {
    const text = renderScenario({ ...base, veths: [{ sideA: 1, sideB: 1 }], bridges: [{ namespace: 1, ports: [0, 1] }] });
    expect(masters(text)).toEqual(["ip -n n1 link set va0 master br0"]);
  });

  it("leaves out the second of two veth pairs between the same two bridges, and keeps a chain of bridges", () => {
    const loop = renderScenario({ ...base, veths: [{ sideA: 1, sideB: 1 }, { sideA: 1, sideB: 1 }], bridges: [{ namespace: 1, ports: [0, 2] }, { namespace: 1, ports: [1, 3] }] });
    expect(masters(loop)).toEqual(["ip -n n1 link set va0 master br0", "ip -n n1 link set va1 master br0", "ip -n n1 link set vb0 master br1"]);
    const chain = renderScenario({ ...base, veths: [{ sideA: 1, sideB: 1 }], bridges: [{ namespace: 1, ports: [0] }, { namespace: 1, ports: [1] }] });
    expect(masters(chain)).toEqual(["ip -n n1 link set va0 master br0", "ip -n n1 link set vb0 master br1"]);
  });
});

describe("annotateWithKernelOutcomes", () => {
  it("writes each probe's kernel outcome and each failed command as the line's # expect:", () => {
    const text = "ip netns add a\nip route add default via 10.9.9.9\nping -c 1 10.0.0.1\n";
    const at = (line: number) => ({ file: "/f.sh", line });
    const kernel = {
      file: "/f.sh",
      commands: [
        { location: at(1), callers: [], namespace: "", argv: ["ip"], exitCode: 0, stdout: "", stderr: "" },
        { location: at(2), callers: [], namespace: "", argv: ["ip"], exitCode: 2, stdout: "", stderr: "" },
        { location: at(3), callers: [], namespace: "", argv: ["ping"], exitCode: 1, stdout: "", stderr: "", probe: { tool: "ping", outcome: "no-reply" } },
      ],
    } as unknown as ScenarioRun;
    expect(annotateWithKernelOutcomes(text, kernel)).toBe("ip netns add a\nip route add default via 10.9.9.9   # expect: error\nping -c 1 10.0.0.1   # expect: no-reply\n");
  });
});
