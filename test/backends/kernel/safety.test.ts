// The kernel backend must leave the host as it found it: the host
// namespace's links, addresses, routes, ruleset and /run/netns identical, and
// no process, mount or namespace of a run left behind — after a normal run,
// after a time limit, and after the node process is sent SIGTERM mid-run.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { checkKernelBackendAvailable, KernelBackend } from "../../../src/backends/kernel/kernel-backend.js";
import { fixture, hostNetworkState, mountsMentioning, processesMentioning } from "./sandbox-helpers.js";

const availability = checkKernelBackendAvailable();
const skipReason = availability.ok ? "" : ` — SKIPPED: ${availability.reason}`;

// Every scenario in the fixtures directory; prelude.sh and child.sh are run by others.
const scenarios = readdirSync(dirname(fixture("main.sh")))
  .filter((name) => name.endsWith(".sh") && !["prelude.sh", "child.sh"].includes(name))
  .sort();

const workDirectory = mkdtempSync(join(tmpdir(), "netsim-safety-"));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

/** A fresh directory for one run's state, so its processes can be told from other runs'. */
function runDirectory(name: string): string {
  const directory = join(workDirectory, name);
  mkdirSync(directory, { recursive: true });
  return directory;
}

async function settle(directory: string): Promise<string[]> {
  // The PID namespace's death is immediate; reaping may lag by a moment.
  for (let attempt = 0; attempt < 20; attempt++) {
    const left = processesMentioning(directory);
    if (left.length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processesMentioning(directory);
}

describe.skipIf(!availability.ok)(`kernel backend safety${skipReason}`, () => {
  it.each(scenarios)("%s leaves the host's network and processes as they were", async (scenario) => {
    const before = hostNetworkState();
    const directory = runDirectory(scenario);
    await new KernelBackend({ temporaryDirectory: directory, scriptTimeoutSeconds: 5 })
      .run(fixture(scenario))
      .catch((error: unknown) => error); // bad-expectation.sh is refused: still must leave nothing
    expect(hostNetworkState()).toEqual(before);
    expect(await settle(directory)).toEqual([]);
    expect(mountsMentioning(directory)).toEqual([]);
    expect(readdirSync(directory)).toEqual([]); // the state directory is removed
  });

  it("tears the sandbox down when the node process gets SIGTERM mid-run", async () => {
    const before = hostNetworkState();
    const directory = runDirectory("sigterm");
    const program = transpileBackend(join(workDirectory, "compiled"));
    const child = spawn(process.execPath, [program, fixture("slow.sh"), directory], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    // Wait until the sandbox runs the scenario (its listener is up), then interrupt.
    for (let attempt = 0; attempt < 300 && !processesMentioning(directory).some((line) => line.includes("nc")); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(directory).some((line) => line.includes("nc"))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(await settle(directory)).toEqual([]);
    expect(mountsMentioning(directory)).toEqual([]);
    expect(readdirSync(directory)).toEqual([]);
    expect(hostNetworkState()).toEqual(before);
  });
});

/** The backend as plain JavaScript plus a runner script, for a child node process. */
function transpileBackend(outDirectory: string): string {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const sources = ["src/backends/kernel", "src/scenario", "src/backends"].flatMap((directory) =>
    readdirSync(join(root, directory))
      .filter((name) => name.endsWith(".ts"))
      .map((name) => join(root, directory, name)),
  );
  for (const source of sources) {
    const target = join(outDirectory, relative(root, source)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    const output = ts.transpileModule(readFileSync(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(target, output.outputText);
  }
  writeFileSync(join(outDirectory, "package.json"), '{ "type": "module" }\n');
  const program = join(outDirectory, "run-scenario.js");
  writeFileSync(
    program,
    'import { KernelBackend } from "./src/backends/kernel/kernel-backend.js";\n' +
      "await new KernelBackend({ temporaryDirectory: process.argv[3] }).run(process.argv[2]);\n",
  );
  return program;
}
