// nft's commands against nft 1.0.6's own answers: each case of
// test/fixtures/nft/commands/cases.json was run in a fresh network namespace
// of the kernel sandbox (record.py beside it), and every command's stdout,
// stderr and exit status must come out the same here (`-f /dev/stdin` given
// the text it was recorded with).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nft } from "../../../src/commands/nft/nft.js";
import { createWorld } from "../../../src/net/core/net-namespace.js";
import { runCommand } from "../run-command.js";
import { expectExpiry, withoutExpiry } from "./expiry.js";

interface Recorded {
  readonly nft: string;
  readonly cases: readonly { readonly name: string; readonly results: readonly { readonly argv: readonly string[]; readonly stdin?: string; readonly stdout: string; readonly stderr: string; readonly exitCode: number }[] }[];
}

const recorded = JSON.parse(readFileSync(join(__dirname, "../../fixtures/nft/commands/recorded.json"), "utf8")) as Recorded;

describe(`nft commands, as ${recorded.nft} answers them`, () => {
  for (const testCase of recorded.cases) {
    it(testCase.name, () => {
      const world = createWorld();
      for (const result of testCase.results) {
        const printed = runCommand(nft, result.argv, world, "", result.stdin);
        // Elements' time left counts down on the kernel's clock: compared apart (expiry.ts).
        const [ours, kernels] = [withoutExpiry(printed.stdout), withoutExpiry(result.stdout)];
        expect({ argv: result.argv, ...printed, stdout: ours.text }).toEqual({ argv: result.argv, stdout: kernels.text, stderr: result.stderr, exitCode: result.exitCode });
        expectExpiry(ours.left, kernels.left);
      }
    });
  }

  it("refuses the families and statements it does not model by name", () => {
    expect(() => runCommand(nft, ["add", "table", "ip6", "x"])).toThrow(/ip6 family is not modelled/);
    const world = createWorld();
    runCommand(nft, ["add", "table", "ip", "t"], world);
    runCommand(nft, ["add", "chain", "ip", "t", "c"], world);
    expect(() => runCommand(nft, ["add", "rule", "ip", "t", "c", "limit", "rate", "1/second"], world)).toThrow(/limit statement is not modelled/);
  });

  it("refuses table flags and a dynset's key statement by name", () => {
    const world = createWorld();
    expect(() => runCommand(nft, ["add table ip t { flags dormant; }"], world)).toThrow(/nft table flags is not modelled/);
    runCommand(nft, ["add", "table", "ip", "t"], world);
    runCommand(nft, ["add", "chain", "ip", "t", "c"], world);
    runCommand(nft, ["add set ip t s { type ipv4_addr; flags dynamic,timeout; timeout 1h; }"], world);
    expect(() => runCommand(nft, ["add rule ip t c update @s { ip saddr counter }"], world)).toThrow(/update @set \{ KEY counter \} is not modelled/);
    expect(() => runCommand(nft, ["add rule ip t c update @s { ip saddr timeout 30s counter }"], world)).toThrow(/update @set \{ KEY counter \} is not modelled/);
    expect(() => runCommand(nft, ["add set ip t u { type ipv4_addr; timeout 60; }"], world)).toThrow(/nft time 60 is not modelled/);
  });
});
