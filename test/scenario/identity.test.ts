// A scenario runs as root: $EUID, $UID, `id` and `whoami` as the kernel
// sandbox's root prints them (test/fixtures/identity/identity.kernel.txt,
// captured by running identity.sh under /work/shared/tools/kernel-sandbox).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "identity");

describe("the scenario's identity", () => {
  it("is root, as on the kernel", async () => {
    const script = readFileSync(join(FIXTURES, "identity.sh"), "utf8");
    const run = await new ScenarioSimulator({ files: { "/s/identity.sh": script } }).run("/s/identity.sh");
    expect(run.problems).toEqual([]);
    expect(run.output).toBe(readFileSync(join(FIXTURES, "identity.kernel.txt"), "utf8"));
  });

  it("passes a root guard", async () => {
    const run = await new ScenarioSimulator({ files: { "/s/guard.sh": '[[ $EUID -ne 0 ]] && { echo "run as root"; exit 1; }\n[ "$(id -u)" = 0 ] || exit 1\necho ok\n' } }).run("/s/guard.sh");
    expect(run.output).toBe("ok\n");
    expect(run.exitCode).toBe(0);
  });
});
