// The kernel backend must leave the host as it found it: the host
// namespace's links, addresses, routes, ruleset and /run/netns identical, and
// no process, mount or namespace of a run left behind — after a normal run,
// after a time limit, and after the node process is sent SIGTERM or SIGKILL
// mid-run; and a scenario that tries to write the host's files or undo the
// sandbox's mounts reaches nothing.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { checkKernelBackendAvailable, KernelBackend } from "../../../src/backends/kernel/kernel-backend.js";
import { SimBackend } from "../../../src/backends/sim/sim-backend.js";
import { verifyScenario } from "../../../src/verify/verify.js";
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

  it("keeps a scenario that writes /tmp, /root, /etc, remounts /proc/sys and / and unmounts /run/netns off the host; verify completes", async () => {
    const escape = fixture("escape.sh");
    const hostPaths = ["/tmp/netsim-escape-tmp", "/root/netsim-escape-root", "/etc/netsim-escape-etc", "/var/tmp/netsim-escape-var-tmp", "/dev/shm/netsim-escape-shm", join(dirname(escape), "netsim-escape-new")];
    expect(hostPaths.filter((path) => existsSync(path))).toEqual([]);
    const text = readFileSync(escape, "utf8");
    const mounts = readFileSync("/proc/self/mountinfo", "utf8");
    const before = hostNetworkState();
    const directory = runDirectory("escape-verify");

    const result = await verifyScenario(escape, { sim: new SimBackend(), kernel: new KernelBackend({ temporaryDirectory: directory }) });
    if (result.kind !== "compared") throw new Error(result.messages.join("\n"));
    const output = result.kernel.output;
    // The kernel's own errors: the host's files are read-only; writes to the private /tmp succeed there.
    expect(output).toContain("touch: cannot touch '/etc/netsim-escape-etc': Read-only file system\n");
    expect(output).toContain(`${escape}: line 15: /proc/sys/vm/swappiness: Read-only file system\n`);
    expect(output).toMatch(/\nnetsim-escape-tmp\n/);
    if (availability.ok && availability.identity.kind !== "root") {
      // Locked by the user namespace (real root, where there is none, could undo them).
      expect(output).toContain("mount: /proc/sys: permission denied.");
      expect(output).toContain("mount: /: permission denied.");
      expect(output).toContain("umount: /run/netns: not mounted.");
      expect(output).toContain("umount: /tmp: not mounted.");
    }
    // verify says where the simulator took a write the kernel refused.
    const hostWrites = result.comparison.divergences.filter((divergence) => divergence.kind === "host-write");
    expect(hostWrites).toContainEqual(expect.objectContaining({ sim: "ok", kernel: "touch: cannot touch '/etc/netsim-escape-etc': Read-only file system" }));
    expect(hostWrites).toContainEqual(expect.objectContaining({ location: { file: escape, line: 15 }, sim: "ok" }));
    expect(result.kernel.expectations.every((expectation) => expectation.ok)).toBe(true);

    expect(hostPaths.filter((path) => existsSync(path))).toEqual([]);
    expect(readFileSync(escape, "utf8")).toBe(text);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).toBe(mounts);
    expect(hostNetworkState()).toEqual(before);
    expect(await settle(directory)).toEqual([]);
    expect(readdirSync(directory)).toEqual([]);
  }, 120_000);

  it.skipIf(!availability.ok || availability.identity.kind !== "user-namespace-as")(
    "started as root, runs a scenario from a folder nobody cannot search (as /root is): an empty tmpfs makes the way, the scenario owns its copy",
    async () => {
      const root = fileURLToPath(new URL("../../../", import.meta.url));
      const hidden = mkdtempSync(join(root, ".netsim-hidden-"));
      try {
        mkdirSync(join(hidden, "folder"), { mode: 0o700 });
        writeFileSync(join(hidden, "secret"), "not for the scenario\n", { mode: 0o600 });
        const file = join(hidden, "folder", "private.sh");
        writeFileSync(file, 'ip netns add a    # expect: ok\necho "$(id -u) $PWD"\necho made > ./made && cat ./made\nls ..\n', { mode: 0o600 });
        const run = await new KernelBackend({ temporaryDirectory: runDirectory("hidden") }).run(file);
        expect(run.output).toBe(`0 ${join(hidden, "folder")}\nmade\nfolder\n`);
        expect(run.expectations.map((expectation) => expectation.ok)).toEqual([true]);
        expect(readdirSync(join(hidden, "folder"))).toEqual(["private.sh"]);
      } finally {
        rmSync(hidden, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("tears the sandbox down when the node process gets SIGKILL mid-run (no handler runs: the kernel's parent-death signals do it)", async () => {
    const before = hostNetworkState();
    const directory = runDirectory("sigkill");
    const program = transpileBackend(join(workDirectory, "compiled-sigkill"));
    const child = spawn(process.execPath, [program, fixture("slow.sh"), directory], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    for (let attempt = 0; attempt < 300 && !processesMentioning(directory).some((line) => line.includes("nc")); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesMentioning(directory).some((line) => line.includes("nc"))).toBe(true);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(await settle(directory)).toEqual([]);
    expect(mountsMentioning(directory)).toEqual([]);
    expect(hostNetworkState()).toEqual(before);
    // Only the state directory stays (nothing ran to remove it); it holds no mount.
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);

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
