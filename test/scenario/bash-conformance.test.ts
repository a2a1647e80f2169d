// The embedded shell against real bash: every snippet of
// test/fixtures/bash-conformance runs under /bin/bash and under netsim's
// shell (src/scenario/shell.ts, the script located and rewritten by the
// runner's transform plugin), with the same stub commands and the same files, and the
// two must agree byte for byte on stdout, stderr and exit status.
// test/fixtures/bash-conformance/diverges holds the snippets where just-bash
// 3.4.2 (through its public API) does not behave as bash: each is checked to
// still differ, so a just-bash that fixes one shows here (move it up then).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "just-bash";
import { afterAll, describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";
import { createShell } from "../../src/scenario/shell.js";
import { ScenarioTransformPlugin, userOutput } from "../../src/scenario/transform.js";
import { finishTraps, TrapTable } from "../../src/scenario/trap.js";
import { shellVariableCommands } from "../../src/scenario/variables.js";

const CORPUS = join(import.meta.dirname, "..", "fixtures", "bash-conformance");
const BASH = "/bin/bash";
/** Files every snippet finds in its working folder (the glob snippets list them). */
const FOLDER_FILES: Record<string, string> = { "a.sh": "", "b.sh": "", "c.txt": "", "t.sh": "" };

/** `stub ARGS`: each argument as [arg]; `stub -`: stdin, each line as "stdin: LINE". `fail N`: "fail: N" on stderr, status N. */
const STUB_SCRIPT = '#!/bin/bash\nif [ "$1" = - ]; then while IFS= read -r l; do printf \'stdin: %s\\n\' "$l"; done; exit 0; fi\nprintf \'[%s]\\n\' "$@"\n';
const FAIL_SCRIPT = '#!/bin/bash\necho "fail: $1" >&2\nexit "$1"\n';

const stub = defineCommand("stub", async (args, context) => {
  if (args[0] === "-") {
    const input = String(context.stdin);
    const lines = input === "" ? [] : (input.endsWith("\n") ? input.slice(0, -1) : input).split("\n");
    return { stdout: lines.map((line) => `stdin: ${line}\n`).join(""), stderr: "", exitCode: 0 };
  }
  return { stdout: args.map((arg) => `[${arg}]\n`).join(""), stderr: "", exitCode: 0 };
});
const fail = defineCommand("fail", async (args) => ({ stdout: "", stderr: `fail: ${args[0]}\n`, exitCode: Number(args[0]) }));

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const scratch = mkdtempSync(join(tmpdir(), "netsim-bash-conformance-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function underBash(name: string, text: string): Outcome {
  const bin = join(scratch, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "stub"), STUB_SCRIPT);
  writeFileSync(join(bin, "fail"), FAIL_SCRIPT);
  chmodSync(join(bin, "stub"), 0o755);
  chmodSync(join(bin, "fail"), 0o755);
  const folder = join(scratch, name.replace(/\.sh$/, ""));
  mkdirSync(folder, { recursive: true });
  for (const [file, content] of Object.entries(FOLDER_FILES)) writeFileSync(join(folder, file), content);
  writeFileSync(join(folder, "snippet.sh"), text);
  const result = spawnSync(BASH, ["--norc", "--noprofile", "snippet.sh"], { cwd: folder, encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, HOME: "/home/user", LC_ALL: "C" } });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
}

async function underNetsim(text: string): Promise<Outcome> {
  const folder = "/scenario";
  const files: Record<string, string> = {};
  for (const [file, content] of Object.entries(FOLDER_FILES)) files[`${folder}/${file}`] = content;
  files[`${folder}/snippet.sh`] = text;
  const plugin = new ScenarioTransformPlugin();
  plugin.prepare(text, 0);
  const traps = new TrapTable();
  // What the commands wrote to the run's sinks (transform.ts), each stream in order, then what reached the shell's own streams.
  const sinks = { stdout: "", stderr: "" };
  const shell = createShell({ files, cwd: folder, customCommands: [stub, fail, ...traps.commands(), ...shellVariableCommands({ clock: () => 0, onUnsupported: (word, detail) => ({ stdout: "", stderr: `unsupported: ${word}: ${detail}\n`, exitCode: 2 }) })], defenseInDepth: false, procSys: { output: (stream, written) => (sinks[stream] += written) } });
  shell.registerTransformPlugin(plugin);
  const result = await finishTraps(shell, await shell.exec(text, { rawScript: true, env: { HOME: "/home/user" } }), traps, plugin.functions.values(), 0);
  // With the rewrite undone, as the runner shows it (set -x lines, listings: userOutput).
  return { stdout: userOutput(sinks.stdout + result.stdout), stderr: userOutput(sinks.stderr + result.stderr), exitCode: result.exitCode };
}

/** A snippet run as a scenario is by the runner (its job table on the virtual clock): its two streams and status. */
async function asScenario(text: string): Promise<Outcome> {
  const folder = "/scenario";
  const files: Record<string, string> = {};
  for (const [file, content] of Object.entries(FOLDER_FILES)) files[`${folder}/${file}`] = content;
  files[`${folder}/snippet.sh`] = text;
  const run = await new ScenarioSimulator({ files }).run(`${folder}/snippet.sh`);
  const stream = (name: "stdout" | "stderr") => (run.streams ?? []).filter((chunk) => chunk.stream === name).map((chunk) => chunk.text).join("");
  return { stdout: stream("stdout"), stderr: stream("stderr"), exitCode: run.exitCode };
}

const JOBS = join(CORPUS, "jobs");
const DIVERGES = join(CORPUS, "diverges");
const shellFiles = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(".sh")).sort() : []);
const snippets = shellFiles(CORPUS);
/** Why each known divergence differs (just-bash 3.4.2's behaviour, against bash 5.2's). */
const DIVERGENCES: Record<string, string> = {
  "background-jobs.sh": "just-bash alone runs an `&` job to completion, $! is 0, no `jobs`; scenarios have the runner's job table on the virtual clock (test/scenario/jobs.test.ts)",
  "exec-stderr-capture.sh": "after `exec 2>&1`, $(...) and pipes also take stderr",
  "file-read-substitution-missing.sh": "$(<FILE) of a missing file substitutes nothing with no error (bash: FILE: No such file or directory, status 1)",
  "group-redirect-function.sh": "a function called inside a group redirected to a file writes its whole stdout, then its whole stderr, when the call ends (the group's descriptors, shell-names.ts, reach the function's body only through the call's own output)",
  "function-in-arithmetic-substitution.sh": "a function called in $(...) inside $((...)) is not found",
  "set-e.sh": "set -e still exits inside a function called on the left of ||",
  "test-z-default-unset.sh": "under set -u, [ -z \"${V-}\" ] and test -z report V unbound (echo \"${V-}\" does not)",
  "trap.sh": "an ERR trap runs only when set -e ends the script, not after each failing command (a scenario refuses it)",
  "trap-err-in-function.sh": "set -e ending the script inside a function runs the ERR trap, which bash without set -E does not",
  "xtrace-for-header.sh": "set -x prints no line for a for loop's word list (`+ for i in 1 2`, each iteration)",
  "xtrace-function-call.sh": "a simple command's set -x line is put at the head of the stderr it returns when it ends, and its own redirections are applied to it: a function's body, which writes as it runs, comes before `+ f`, and `2>/dev/null` drops the line bash prints to the shell's stderr before the command runs (no hook of the public API runs between the line and the command)",
  "xtrace-output-order.sh": "a command's stdout is delivered before its stderr, which begins with its set -x line, so in a file both go to the line comes after the output (bash prints it before the command runs)",
  "xtrace-substitution-level.sh": "set -x prints one + at every level: PS4's first character is not repeated per level of command substitution (`++ echo 2`)",
};

describe.skipIf(!existsSync(BASH))(`the embedded shell agrees with ${BASH} (skipped: no ${BASH} here)`, () => {
  it("has a corpus", () => {
    expect(snippets.length).toBeGreaterThan(10);
  });

  for (const name of snippets) {
    it(name, async () => {
      const text = readFileSync(join(CORPUS, name), "utf8");
      const real = underBash(name, text);
      expect(real.stdout.length).toBeGreaterThan(0);
      expect(await underNetsim(text)).toEqual(real);
    });
  }

  // Jobs need the runner's job table on the virtual clock (jobs.ts): the snippets of jobs/ run as scenarios (no stub commands there).
  for (const name of shellFiles(JOBS)) {
    it(`jobs/${name}`, async () => {
      const text = readFileSync(join(JOBS, name), "utf8");
      const real = underBash(`jobs-${name}`, text);
      expect(real.stdout.length).toBeGreaterThan(0);
      expect(await asScenario(text)).toEqual(real);
    });
  }

  it("lists a reason for every known divergence", () => {
    expect(shellFiles(DIVERGES)).toEqual(Object.keys(DIVERGENCES).sort());
  });

  for (const name of shellFiles(DIVERGES)) {
    it(`still differs from bash: ${name} (${DIVERGENCES[name] ?? "no reason given"})`, async () => {
      const text = readFileSync(join(DIVERGES, name), "utf8");
      const real = underBash(`diverges-${name}`, text);
      expect(real.stdout.length).toBeGreaterThan(0);
      expect(await underNetsim(text)).not.toEqual(real);
    });
  }
});
