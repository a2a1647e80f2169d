// `netsim verify` started by an ordinary user (nobody, through setpriv): the
// kernel side runs as root of a user namespace of its own, so no root is
// needed. The CLI is bundled into a directory nobody can read, the scenarios
// copied beside it. Skipped, with the reason, where this process cannot
// switch to nobody (not root) or the kernel forbids user namespaces.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKernelBackendAvailable } from "../../../src/backends/kernel/kernel-backend.js";
import { findExecutable } from "../../../src/backends/kernel/availability.js";
import { fixture, hostNetworkState } from "./sandbox-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const NOBODY = 65534;
const availability = checkKernelBackendAvailable();
const setpriv = findExecutable("setpriv");

function skipReason(): string | undefined {
  if (!availability.ok) return availability.reason;
  if (process.getuid?.() !== 0) return "not root: cannot switch to nobody (the other kernel tests already run unprivileged)";
  if (availability.identity.kind === "root") return `user namespaces are not allowed here (${availability.identity.reason})`;
  if (setpriv === undefined) return "setpriv (util-linux) is missing";
  return undefined;
}
const reason = skipReason();

const workDirectory = mkdtempSync(join(tmpdir(), "netsim-unprivileged-"));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

function asNobody(args: readonly string[]) {
  return spawnSync(setpriv!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", process.execPath, join(workDirectory, "verify.mjs"), ...args], {
    cwd: workDirectory,
    encoding: "utf8",
    timeout: 300_000,
    env: { ...process.env, HOME: workDirectory, TMPDIR: "/tmp" },
  });
}

describe.skipIf(reason !== undefined)(`netsim verify as nobody${reason === undefined ? "" : ` — SKIPPED: ${reason}`}`, () => {
  beforeAll(async () => {
    writeFileSync(
      join(workDirectory, "entry.ts"),
      `import { verifyCommand } from ${JSON.stringify(join(ROOT, "src/cli/verify.ts"))};\nprocess.exitCode = await verifyCommand(process.argv.slice(2));\n`,
    );
    await build({
      absWorkingDir: ROOT,
      entryPoints: [join(workDirectory, "entry.ts")],
      outfile: join(workDirectory, "verify.mjs"),
      bundle: true,
      platform: "node",
      target: "node20",
      format: "esm",
      external: ["@mongodb-js/zstd", "react-devtools-core"],
      banner: { js: 'import { createRequire as netsimCreateRequire } from "node:module"; const require = netsimCreateRequire(import.meta.url);' },
      logLevel: "error",
    });
    cpSync(join(ROOT, "scenarios", "walkthrough"), join(workDirectory, "walkthrough"), { recursive: true });
    mkdirSync(join(workDirectory, "escape"));
    cpSync(fixture("escape.sh"), join(workDirectory, "escape", "escape.sh"));
    chmodSync(workDirectory, 0o755);
  }, 120_000);

  it("verifies a scenario with NAT and conntrack: the same result as root, no root needed", () => {
    const before = hostNetworkState();
    const result = asNobody([join(workDirectory, "walkthrough", "08-masquerade.sh")]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/verified: [1-9]\d* probes?, [1-9]\d* state checks?, 0 divergences/);
    expect(result.status).toBe(0);
    expect(hostNetworkState()).toEqual(before);
  }, 300_000);

  it("keeps nobody's writes off the host: /tmp, /var/tmp, /dev/shm and the scenario's folder are private copies", () => {
    const escapeFile = join(workDirectory, "escape", "escape.sh");
    const text = readFileSync(escapeFile, "utf8");
    const result = asNobody([escapeFile]);
    // The sandbox ran it (the expectations are the kernel's), whatever the simulator said.
    expect(result.stdout).toContain("escape.sh:16");
    expect(result.status === 0 || result.status === 1).toBe(true);
    for (const path of ["/tmp/netsim-escape-tmp", "/var/tmp/netsim-escape-var-tmp", "/dev/shm/netsim-escape-shm", join(workDirectory, "escape", "netsim-escape-new")]) {
      expect(existsSync(path), path).toBe(false);
    }
    expect(readFileSync(escapeFile, "utf8")).toBe(text);
  }, 300_000);
});
