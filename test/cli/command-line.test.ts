// The `netsim` command line as a user meets it: help on every subcommand,
// --version, the nearest word suggested for a typo, netsim's own errors on
// stderr (said once), and a closed pipe ending the run as a Unix tool's does.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NETSIM, REPOSITORY, runNetsim } from "../support/netsim-cli.js";

const SUBCOMMANDS = ["run", "explain", "step", "shell", "diagram", "verify"];

describe("netsim --help and --version", () => {
  for (const command of SUBCOMMANDS) {
    for (const flag of ["--help", "-h"]) {
      it(`netsim ${command} ${flag} prints its usage on stdout and exits 0`, () => {
        const result = runNetsim([command, flag]);
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^usage: netsim ${command}`));
      });
    }
  }

  it("netsim --version prints package.json's version", () => {
    const { version } = JSON.parse(readFileSync(join(REPOSITORY, "package.json"), "utf8")) as { version: string };
    const result = runNetsim(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`netsim ${version}\n`);
  });

  it("a leading -- (npx netsim -- --version, as npm 6's npx wanted it) is npx's, not a command", () => {
    expect(runNetsim(["--", "--version"])).toEqual(runNetsim(["--version"]));
    expect(runNetsim(["--", "run", "--help"]).stdout).toBe(runNetsim(["run", "--help"]).stdout);
  });

  it("netsim help COMMAND is COMMAND --help", () => {
    expect(runNetsim(["help", "explain"]).stdout).toBe(runNetsim(["explain", "--help"]).stdout);
  });
});

describe("netsim suggests the nearest word", () => {
  it("for an unknown subcommand", () => {
    const result = runNetsim(["runn", "x.sh"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe('netsim: unknown command "runn" (did you mean "run"?)');
    expect(runNetsim(["diagarm"]).stderr).toContain('(did you mean "diagram"?)');
    expect(runNetsim(["frobnicate"]).stderr.split("\n")[0]).toBe('netsim: unknown command "frobnicate"');
  });

  it("for an unknown option of each subcommand", () => {
    expect(runNetsim(["run", "--jsno", "x.sh"]).stderr.split("\n")[0]).toBe('netsim run: unknown option "--jsno" (did you mean --json?)');
    expect(runNetsim(["explain", "--lines", "3", "x.sh"]).stderr.split("\n")[0]).toBe('netsim explain: unknown option "--lines" (did you mean --line?)');
    expect(runNetsim(["step", "--txt", "x.sh"]).stderr.split("\n")[0]).toBe('netsim step: unknown option "--txt" (did you mean --text?)');
    expect(runNetsim(["diagram", "x.sh", "--stage", "d"]).stderr.split("\n")[0]).toBe('netsim diagram: unknown option "--stage" (did you mean --stages?)');
    expect(runNetsim(["verify", "--timout", "3", "x.sh"]).stderr.split("\n")[0]).toBe('netsim verify: unknown option "--timout" (did you mean --timeout?)');
    for (const command of ["run", "explain", "step", "diagram", "verify"]) expect(runNetsim([command, "--zzzzzz", "x.sh"]).status).toBe(2);
  });
});

describe("netsim's own errors", () => {
  it("go to stderr, said once: no doubled netsim: prefix", () => {
    const folder = mkdtempSync(join(tmpdir(), "netsim-cli-"));
    const file = join(folder, "bad.sh");
    writeFileSync(file, "ip netns add a\nip link add x type vxlan id 1\n");
    const result = runNetsim(["run", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${file}:2: netsim: link type "vxlan" is not modelled (at "vxlan")\n`);
    expect(result.stdout).not.toMatch(/netsim: .*netsim: /);
    const explained = runNetsim(["explain", file]);
    expect(explained.status).toBe(2);
    expect(explained.stderr).toBe(`${file}:2: netsim: link type "vxlan" is not modelled (at "vxlan")\n`);
    expect(runNetsim(["run", join(folder, "missing.sh")]).stderr).toBe(`netsim: ${join(folder, "missing.sh")}: No such file or directory\n`);
  });

  it("a run that stopped on bad input claims nothing: explain of a missing file or an unmodelled command says no 'every probe succeeded'", () => {
    const folder = mkdtempSync(join(tmpdir(), "netsim-cli-"));
    const missing = join(folder, "missing.sh");
    expect(runNetsim(["explain", missing])).toEqual({ status: 2, stdout: "", stderr: `netsim: ${missing}: No such file or directory\n` });
    const file = join(folder, "bad.sh");
    writeFileSync(file, "ip link add x type vxlan id 1\nping -c 1 127.0.0.1 # expect: reply\n");
    expect(runNetsim(["explain", file])).toMatchObject({ status: 2, stdout: "" });
  });

  it("netsim verify on a missing file: the error and one line of usage, not the whole help", () => {
    const result = runNetsim(["verify", "missing.sh"]);
    expect(result).toEqual({ status: 2, stdout: "", stderr: "netsim verify: missing.sh: No such file or directory\nusage: netsim verify [--timeout SECONDS] SCENARIO... (netsim verify --help)\n" });
  });

  it("netsim explain --line N on a line that runs no probe is bad input (exit 2)", () => {
    const result = runNetsim(["explain", "--line", "1", "scenarios/walkthrough/01-netns-veth.sh"]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("netsim explain: scenarios/walkthrough/01-netns-veth.sh: line 1 runs no probe\n");
    // A line that does run a (failing) probe is explained, exit 0.
    expect(runNetsim(["explain", "--line", "8", "scenarios/walkthrough/01-netns-veth.sh"]).status).toBe(0);
  });
});

describe("a reader that goes away", () => {
  /** `netsim ARGS | head -N` in bash: netsim's exit status (PIPESTATUS) and its stderr. */
  function intoHead(args: string, lines: number): { status: number; stderr: string; shown: string } {
    const script = `node ${JSON.stringify(NETSIM)} ${args} 2>"$ERR" | head -${lines}; echo "status=\${PIPESTATUS[0]}"`;
    const folder = mkdtempSync(join(tmpdir(), "netsim-epipe-"));
    const err = join(folder, "stderr");
    const result = spawnSync("bash", ["-c", script], { cwd: REPOSITORY, encoding: "utf8", env: { ...process.env, ERR: err } });
    const status = Number(/status=(\d+)/.exec(result.stdout)?.[1]);
    return { status, stderr: readFileSync(err, "utf8"), shown: result.stdout.replace(/status=\d+\n$/, "") };
  }

  for (const [args, lines] of [
    ["run scenarios/walkthrough/*.sh", 2],
    ["run --json scenarios/walkthrough/*.sh", 1],
    ["run --trace scenarios/walkthrough/*.sh", 3],
    ["explain scenarios/walkthrough/*.sh", 1],
  ] as const) {
    it(`netsim ${args} | head -${lines} ends quietly, killed by SIGPIPE (status 141) as a Unix tool is`, () => {
      const { status, stderr, shown } = intoHead(args, lines);
      expect(shown.split("\n")).toHaveLength(lines + 1);
      // Nothing on stderr but the start of what the scenarios' commands write there (no EPIPE error of netsim's).
      const whole = spawnSync("bash", ["-c", `node ${JSON.stringify(NETSIM)} ${args}`], { cwd: REPOSITORY, encoding: "utf8", maxBuffer: 1 << 28 });
      expect(whole.stderr.startsWith(stderr)).toBe(true);
      expect(stderr).not.toMatch(/EPIPE/);
      expect(status).toBe(141);
    });
  }
});
