// `netsim verify` as a user runs it: the built command, its output and exit status.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNetsim } from "../support/netsim-cli.js";
import { beforeAll, describe, expect, it } from "vitest";
import { checkKernelBackendAvailable } from "../../src/backends/kernel/kernel-backend.js";

const availability = checkKernelBackendAvailable();
const skipReason = availability.ok ? "" : ` — SKIPPED: ${availability.reason}`;

function netsim(args: string[], options: { asNobody?: boolean; env?: Record<string, string> } = {}) {
  return runNetsim(args, { ...options, timeout: 120_000 });
}

describe("netsim verify", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "netsim-verify-cli-"));
  });

  it("exits 2 on bad input: no scenario, a missing file, an unknown option", () => {
    expect(netsim(["verify"])).toMatchObject({ status: 2, stderr: expect.stringContaining("netsim verify: no scenario given") });
    expect(netsim(["verify", "nosuch.sh"])).toMatchObject({ status: 2, stderr: expect.stringContaining("netsim verify: nosuch.sh: No such file or directory") });
    expect(netsim(["verify", "--bogus", "x.sh"])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown option "--bogus"') });
  });

  it.skipIf(process.getuid?.() !== 0)("exits 3 with the reason when the kernel backend cannot run (not root, no user namespaces)", () => {
    const result = netsim(["verify", "scenarios/walkthrough/01-netns-veth.sh"], { asNobody: true, env: { NETSIM_NO_USERNS: "1" } });
    expect(result.status).toBe(3);
    expect(result.stderr).toBe("netsim verify: the kernel backend cannot run here: needs unprivileged user namespaces, or root (NETSIM_NO_USERNS is set)\n");
  });

  it.skipIf(!availability.ok || process.getuid?.() !== 0)(`as root without user namespaces, runs as real root and says so${skipReason}`, () => {
    const result = netsim(["verify", "scenarios/walkthrough/01-netns-veth.sh"], { env: { NETSIM_NO_USERNS: "1" } });
    expect(result.stderr).toBe(
      "netsim verify: no user namespaces here (NETSIM_NO_USERNS is set): the kernel side runs as real root, as before; the host's files are mounted read-only for it, but real root could undo that\n",
    );
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("verified: 3 probes, 4 state checks, 0 divergences");
  });

  it.skipIf(!availability.ok)(`reports probes and state checks compared, 0 divergences, exit 0${skipReason}`, () => {
    const result = netsim(["verify", "scenarios/walkthrough/01-netns-veth.sh", "scenarios/walkthrough/02-second-netns.sh"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("scenarios/walkthrough/01-netns-veth.sh: 3 probes, 4 state checks, 0 divergences\n");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("verified: 6 probes, 8 state checks, 0 divergences");
  });

  it.skipIf(!availability.ok)(`exits 2 when the simulator cannot take a scenario, naming the word${skipReason}`, () => {
    const file = join(folder, "unmodelled.sh");
    writeFileSync(file, "ip link add t0 type vxlan id 42\n");
    const result = netsim(["verify", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('link type "vxlan" is not modelled');
  });

  it.skipIf(!availability.ok)(`netsim run --backend kernel prints the kernel's output with the simulator's report${skipReason}`, () => {
    const kernel = netsim(["run", "--backend", "kernel", "scenarios/walkthrough/02-second-netns.sh"]);
    const sim = netsim(["run", "scenarios/walkthrough/02-second-netns.sh"]);
    expect(kernel.status).toBe(0);
    expect(kernel.stdout).toContain("From 172.18.0.11 icmp_seq=1 Destination Host Unreachable\n");
    // The closing lines read the same, side by side.
    const tail = (text: string) => text.trimEnd().split("\n").slice(-2);
    expect(tail(kernel.stdout)).toEqual(tail(sim.stdout));
    expect(tail(kernel.stdout)).toEqual(["scenarios/walkthrough/02-second-netns.sh: 3 expectations, 3 held, 0 failed", "3 passed, 0 failed"]);
  });

  it("netsim run --backend refuses other values and --trace with the kernel", () => {
    expect(netsim(["run", "--backend", "qemu", "x.sh"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^netsim run: --backend takes sim or kernel \(not "qemu"\)\nusage: netsim run /) });
    expect(netsim(["run", "--backend", "kernel", "--trace", "x.sh"])).toMatchObject({ status: 2, stderr: expect.stringContaining("--trace needs the simulator") });
  });
});
