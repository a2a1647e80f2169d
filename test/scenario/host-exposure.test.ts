// What of the host a simulated scenario can see (src/scenario/runner.ts,
// listFiles): a scenario is untrusted input, so a link out of its tree, a host
// path, or a file beyond its folder is not there for it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const scratch = mkdtempSync(join(tmpdir(), "netsim-exposure-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function runIn(folder: string, script: string) {
  writeFileSync(join(folder, "scenario.sh"), script);
  const run = await new ScenarioSimulator().run(join(folder, "scenario.sh"));
  return run;
}

describe("a scenario sees only its own tree", () => {
  it("cannot print /etc/passwd through a symbolic link next to it, nor by its path", async () => {
    const folder = join(scratch, "linked");
    mkdirSync(folder);
    symlinkSync("/etc/passwd", join(folder, "passwd"));
    symlinkSync("/etc", join(folder, "etc"));
    const run = await runIn(folder, "cat passwd\ncat etc/passwd\ncat /etc/passwd\nls\n");
    expect(run.output).not.toContain("root:");
    expect(run.output).toContain("cat: passwd: No such file or directory");
    expect(run.output).toContain("cat: /etc/passwd: No such file or directory");
    expect(run.output).toContain("scenario.sh");
    expect(run.output).not.toMatch(/^passwd$/m);
  });

  it("reads its own files and links that stay inside its folder", async () => {
    const folder = join(scratch, "own");
    mkdirSync(folder);
    writeFileSync(join(folder, "rules.txt"), "mine\n");
    symlinkSync(join(folder, "rules.txt"), join(folder, "alias.txt"));
    const run = await runIn(folder, "cat rules.txt alias.txt\n");
    expect(run.output).toBe("mine\nmine\n");
  });

  it("reads data files in its own subfolders, but not a link in them that leaves its tree", async () => {
    const folder = join(scratch, "nested");
    mkdirSync(join(folder, "rules", "v4"), { recursive: true });
    writeFileSync(join(folder, "rules", "v4", "docker.rules"), "*filter\nCOMMIT\n");
    symlinkSync("/etc/passwd", join(folder, "rules", "passwd"));
    const run = await runIn(folder, "cat rules/v4/docker.rules\ncat rules/passwd\n");
    expect(run.output).toContain("*filter\nCOMMIT\n");
    expect(run.output).toContain("cat: rules/passwd: No such file or directory");
    expect(run.output).not.toContain("root:");
  });

  it("sees no file of a parent folder outside the working directory", async () => {
    const outer = join(scratch, "outer");
    mkdirSync(join(outer, "stage"), { recursive: true });
    writeFileSync(join(outer, "secret.sh"), "echo secret\n");
    // The test runs from the repository: /tmp/... is outside it, so the parent's .sh files are not shared.
    const run = await runIn(join(outer, "stage"), ". ../secret.sh\n");
    expect(run.output).not.toContain("secret\n");
    expect(run.output).toContain("No such file or directory");
  });
});
