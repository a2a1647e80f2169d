// The extension matches acting on packets (nft's limit, recent, iprange,
// conntrack's options, connlimit, owner) and the LOG target: a ping flow
// through rules using each, with the per-rule packet and byte counters the
// kernel showed afterwards (test/fixtures/iptables-t/behaviour.sh, run in
// kernel-sandbox; behaviour.out is its `iptables -L -v -x -n` text).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../support/simulate.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/iptables-t");

describe("extension matches on a ping flow, as the kernel counted them", () => {
  it("counts each rule's packets and bytes as the kernel did", async () => {
    const script = readFileSync(join(FIXTURES, "behaviour.sh"), "utf8");
    const expected = readFileSync(join(FIXTURES, "behaviour.out"), "utf8");
    const run = await simulate(script);
    expect(run.problems).toEqual([]);
    const listings = run.commands.filter((record) => record.argv.includes("-L")).map((record) => record.stdout);
    expect(listings.join("")).toBe(expected);
  });
});
