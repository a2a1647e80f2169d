// Docker 29's nftables rulesets (moby's nftabler testdata goldens, the
// `ip docker-bridges` table of each bridge configuration) through `nft -f`,
// against what nft 1.0.6 answered in the kernel sandbox (recorded under
// test/fixtures/nft/docker). The goldens are a newer nft's listing: 1.0.6
// refuses their `priority dstnat` on the output hook, and the test expects
// that exact error. Docker itself writes numeric priorities: that form must
// load and list byte for byte, with and without -a.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError, type CommandEnvironment } from "../../../src/commands/command.js";
import { nft } from "../../../src/commands/nft/nft.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";
import type { World } from "../../../src/model/world.js";

// moby's nftabler unit-test goldens (one bridge each) and its nftablesdoc pages (docker0 and a user network together).
const CORPORA = ["docker", "docker-doc"].map((corpus) => join(__dirname, "../../fixtures/nft", corpus));
const dumps = CORPORA.flatMap((directory) => readdirSync(directory).filter((name) => name.endsWith("__ip.golden")).map((name) => ({ directory, name })));

/** Docker's own spelling of the base chains' priorities (libnetwork/internal/nftables: BaseChainPriority* numbers). */
function numericPriorities(text: string): string {
  return text.replaceAll("priority raw;", "priority -300;").replaceAll("priority filter;", "priority 0;").replaceAll("priority dstnat;", "priority -100;").replaceAll("priority srcnat;", "priority 100;").replaceAll("priority mangle;", "priority -150;");
}

function run(world: World, argv: readonly string[], files: Record<string, string> = {}): { stdout: string; stderr: string; exitCode: number } {
  const environment: CommandEnvironment = { world, namespace: rootNamespace(world), tracing: false, stdin: "", files: new Map(Object.entries(files)), commandText: ["nft", ...argv].join(" ") };
  try {
    const outcome = nft(argv, environment);
    if (outcome.kind !== "done") throw new Error("nft did not finish");
    return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
  } catch (error) {
    if (error instanceof CommandError) return { stdout: "", stderr: error.text, exitCode: error.exitCode };
    throw error;
  }
}

describe("Docker 29's nftables dumps through nft -f (nft 1.0.6 in the sandbox)", () => {
  it("has the recorded corpus", () => {
    expect(dumps.length).toBeGreaterThan(130);
  });

  for (const { directory: FIXTURES, name } of dumps) {
    const input = readFileSync(join(FIXTURES, name), "utf8");
    it(`${name}: the golden as listed is refused as nft 1.0.6 refuses it`, () => {
      const printed = run(createWorld(), ["-f", `/tmp/nftin/${name}`], { [`/tmp/nftin/${name}`]: input });
      expect(printed.exitCode).toBe(1);
      expect(printed.stderr).toBe(readFileSync(join(FIXTURES, `${name}.err`), "utf8"));
    });
    it(`${name}: Docker's numeric form loads and lists byte for byte`, () => {
      const world = createWorld();
      const loaded = run(world, ["-f", "/tmp/numeric.nft"], { "/tmp/numeric.nft": numericPriorities(input) });
      expect(loaded.stderr).toBe("");
      expect(run(world, ["list", "ruleset"]).stdout).toBe(readFileSync(join(FIXTURES, `${name}.numeric.list`), "utf8"));
      expect(run(world, ["-a", "list", "ruleset"]).stdout).toBe(readFileSync(join(FIXTURES, `${name}.numeric.alist`), "utf8"));
    });
  }
});
