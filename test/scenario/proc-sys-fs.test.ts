// /proc/sys written however it is spelled (src/scenario/proc-sys-fs.ts):
// the same script as test/fixtures/proc-sys/spellings.sh gives what the
// kernel sandbox printed for it (spellings.kernel.txt), namespace by namespace.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "proc-sys");

describe("writes to /proc/sys", () => {
  it("reach the writer's namespace through a variable, tee, printf, bash -c and sh -c, as on the kernel", async () => {
    const script = readFileSync(join(FIXTURES, "spellings.sh"), "utf8");
    const run = await new ScenarioSimulator({ files: { "/s/spellings.sh": script } }).run("/s/spellings.sh");
    expect(run.problems).toEqual([]);
    expect(run.output).toBe(readFileSync(join(FIXTURES, "spellings.kernel.txt"), "utf8"));
  });

  it("stop the run with an input problem when the kernel would refuse a write the shell cannot fail", async () => {
    const script = 'P=/proc/sys/net/ipv4/ip_forward\nip netns add n0\nip netns exec n0 bash -c "echo bad | tee $P"\nip link add d0 type dummy\n';
    const run = await new ScenarioSimulator({ files: { "/s/bad.sh": script } }).run("/s/bad.sh");
    expect(run.problems).toHaveLength(1);
    expect(run.problems[0]!.location?.line).toBe(3);
    expect(run.problems[0]!.message).toContain("Invalid argument");
    // Nothing after it runs.
    expect(run.commands.map((record) => record.argv.slice(0, 3).join(" "))).not.toContain("ip link add");
  });
});
