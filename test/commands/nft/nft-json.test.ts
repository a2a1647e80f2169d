// nft -j (src/commands/nft/nft-json.ts) against nft 1.0.6's own JSON: each
// case of test/fixtures/nft/json/cases.json was run in a fresh network
// namespace of the kernel sandbox (record.py beside it), from that directory
// so `-f NAME.nft` reads the ruleset files there; every command's stdout,
// stderr and exit status must come out the same here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError, UnsupportedError, type CommandEnvironment } from "../../../src/commands/command.js";
import { nft } from "../../../src/commands/nft/nft.js";
import type { World } from "../../../src/model/world.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import { iptables } from "../../../src/commands/iptables/iptables.js";
import { runCommand, type Printed } from "../run-command.js";
import { expectExpiry, withoutExpiry } from "./expiry.js";

interface Recorded {
  readonly nft: string;
  readonly cases: readonly { readonly name: string; readonly results: readonly { readonly argv: readonly string[]; readonly stdout: string; readonly stderr: string; readonly exitCode: number }[] }[];
}

const fixtures = join(__dirname, "../../fixtures/nft/json");
const recorded = JSON.parse(readFileSync(join(fixtures, "recorded.json"), "utf8")) as Recorded;
const files = new Map(
  readdirSync(fixtures)
    .filter((name) => name.endsWith(".nft") || name.endsWith(".json"))
    .map((name) => [name, readFileSync(join(fixtures, name), "utf8")] as const),
);

function run(argv: readonly string[], world: World, extra?: ReadonlyMap<string, string>): Printed {
  const environment: CommandEnvironment = { world, namespace: rootNamespace(world), tracing: false, stdin: "", commandText: argv.join(" "), files: new Map([...files, ...(extra ?? [])]) };
  try {
    const outcome = nft(argv, environment);
    if (outcome.kind !== "done") throw new Error(`expected a finished command`);
    return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
  } catch (error) {
    if (error instanceof CommandError) return { stdout: error.stdout, stderr: error.text.endsWith("\n") ? error.text : `${error.text}\n`, exitCode: error.exitCode };
    throw error;
  }
}

describe(`nft -j, as ${recorded.nft} prints it`, () => {
  for (const testCase of recorded.cases) {
    it(testCase.name, () => {
      const world = createWorld();
      for (const result of testCase.results) {
        const printed = run(result.argv, world);
        // One JSON object of the listing a line, so that a difference shows as the object that differs.
        const objects = (stdout: string) => stdout.split(/(?<=\}), (?=\{")/);
        // Elements' time left counts down on the kernel's clock: compared apart (expiry.ts).
        const [ours, kernels] = [withoutExpiry(printed.stdout), withoutExpiry(result.stdout)];
        expect({ argv: result.argv, ...printed, stdout: objects(ours.text) }).toEqual({ argv: result.argv, stdout: objects(kernels.text), stderr: result.stderr, exitCode: result.exitCode });
        expectExpiry(ours.left, kernels.left);
      }
    });
  }

  it("refuses JSON input, which it does not parse", () => {
    const world = createWorld();
    const input = new Map([["rules.json", '{"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}]}\n']]);
    expect(() => run(["-j", "-f", "rules.json"], world, input)).toThrow(UnsupportedError);
    expect(() => run(["-j", "-f", "rules.json"], world, input)).toThrow(/JSON input/);
    expect(() => run(["-j", '{"nftables": []}'], world)).toThrow(/JSON input/);
  });

  it("lists iptables-nft's tables in JSON beside nft's, refusing what the text listing refuses", () => {
    const world = createWorld();
    run(["add", "table", "ip", "t"], world);
    runCommand(iptables, ["-A", "INPUT", "-j", "ACCEPT"], world);
    expect(run(["-j", "list", "tables"], world).stdout).toContain('{"table": {"family": "ip", "name": "t", "handle": 1}}, {"table": {"family": "ip", "name": "filter", "handle": 2}}');
    runCommand(iptables, ["-A", "INPUT", "-m", "addrtype", "--src-type", "LOCAL", "--dst-type", "LOCAL"], world);
    expect(() => run(["-j", "list", "ruleset"], world)).toThrow(/nft's listing of iptables-nft's addrtype with both sides/);
  });

  it("refuses what it would print wrong: numeric listings", () => {
    const world = createWorld();
    run(["add", "table", "ip", "t"], world);
    run(["add", "chain", "ip", "t", "c"], world);
    expect(() => run(["-j", "-n", "list", "ruleset"], world)).toThrow(/nft -n's numeric listing is not modelled/);
    expect(() => run(["-n", "list", "ruleset"], world)).toThrow(/nft -n's numeric listing is not modelled/);
    expect(() => run(["-y", "list", "ruleset"], world)).toThrow(/nft -y's numeric priorities/);
  });
});
