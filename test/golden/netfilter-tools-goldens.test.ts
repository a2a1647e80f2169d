// Golden replay of test/fixtures/netfilter-tools/cases (iptables-restore
// 1.8.9 nf_tables options, counters and per-table commits; iptables -w/-W;
// nfacct 1.0.2 and
// the nfacct match, measured in the kernel sandbox with the capture of
// ../fixtures/iproute2): each command's stdout, stderr and exit status must
// equal the kernel's. Nothing is masked: these tools print no times.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayGoldens, type Golden } from "../support/golden-replay.js";

const CASES = join(import.meta.dirname, "../fixtures/netfilter-tools/cases");

const names = readdirSync(CASES)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();

describe("iptables-restore and nfacct goldens replayed through the simulator", () => {
  it("has the 3 cases", () => {
    expect(names).toEqual(["iptables-restore", "iptables-wait", "nfacct"]);
  });
  for (const name of names) {
    const goldens = JSON.parse(readFileSync(join(CASES, `${name}.json`), "utf8")) as Golden[];
    it(`${name}: every command prints what the kernel printed`, async () => {
      const mismatches = await replayGoldens({ cases: CASES, skipped: {}, normalise: (_command, text) => text }, name, goldens);
      expect(mismatches.join("\n")).toBe("");
    });
  }
});
