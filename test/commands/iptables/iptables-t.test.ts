// iptables' own conformance suite (extensions/*.t of iptables' source tree,
// run as iptables-test.py runs them) against netsim's iptables: each line's
// rule is appended to each chain of its `:CHAIN,...` line, then iptables-save
// shows how it was stored and `iptables -L -n` how it lists. The answers are iptables 1.8.9's (nf_tables) on
// the kernel, recorded by test/fixtures/iptables-t/record.py: where 1.8.9
// differs from what the .t file (1.8.11) says, 1.8.9 is the truth. Files of
// extensions netsim does not model must be refused by name, line by line.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError, UnsupportedError, type CommandEnvironment } from "../../../src/commands/command.js";
import { iptables } from "../../../src/commands/iptables/iptables.js";
import { iptablesSave } from "../../../src/commands/iptables/iptables-save.js";
import { NETWORK_COMMANDS } from "../../../src/commands/registry.js";
import type { World } from "../../../src/model/world.js";
import { createWorld, rootNamespace } from "../../../src/net/core/net-namespace.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/iptables-t");

interface RecordedCase {
  readonly line: number;
  readonly chain: string;
  readonly table: string;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly saved: readonly string[];
  /** The rule's lines in `iptables -L CHAIN -n`. */
  readonly listed: readonly string[];
}

/** An `@CMD` / `%CMD` line (ipset create, nfacct add: what the cases after it need). */
interface RecordedCommand {
  readonly line: number;
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Recorded {
  readonly file: string;
  readonly iptables: string;
  readonly commands: readonly RecordedCommand[];
  readonly cases: readonly RecordedCase[];
}

/** The .t files of the extensions netsim models (the rest must be refused by name). */
const MODELLED = new Set([
  "iptables.t",
  "libipt_standard.t",
  "libxt_standard.t",
  "libxt_tcp.t",
  "libxt_udp.t",
  "libipt_icmp.t",
  "libxt_multiport.t",
  "libxt_conntrack.t",
  "libipt_conntrack.t",
  "libxt_state.t",
  "libxt_addrtype.t",
  "libxt_physdev.t",
  "libxt_comment.t",
  "libxt_mark.t",
  "libxt_statistic.t",
  "libipt_REJECT.t",
  "libipt_MASQUERADE.t",
  "libipt_SNAT.t",
  "libipt_DNAT.t",
  "libxt_REDIRECT.t",
  "libxt_MARK.t",
  "libxt_recent.t",
  "libipt_recent.t",
  "libxt_limit.t",
  "libipt_LOG.t",
  "libxt_iprange.t",
  "libipt_iprange.t",
  "libxt_nfacct.t",
  "libxt_connlimit.t",
  "libipt_connlimit.t",
  "libxt_owner.t",
  "libxt_set.t",
  "libxt_SET.t",
  "netsim-recipes.t",
]);

type Answer = { kind: "done"; exitCode: number; stderr: string; saved: readonly string[]; listed: readonly string[] } | { kind: "unsupported"; detail: string };

function run(world: World, argv: readonly string[], command = iptables): { exitCode: number; stdout: string; stderr: string } {
  const environment: CommandEnvironment = { world, namespace: rootNamespace(world), tracing: false, stdin: "", commandText: argv.join(" ") };
  try {
    const outcome = command(argv, environment);
    if (outcome.kind !== "done") throw new Error(`${argv.join(" ")}: not a finished command`);
    return { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr };
  } catch (error) {
    if (error instanceof CommandError) return { exitCode: error.exitCode, stdout: error.stdout, stderr: error.text.endsWith("\n") ? error.text : `${error.text}\n` };
    throw error;
  }
}

/** One case through netsim: append, then the chain's lines in iptables-save, then flush (as record.py does). */
function netsimAnswer(world: World, recorded: RecordedCase): Answer {
  let appended;
  try {
    appended = run(world, recorded.argv.slice(1));
  } catch (error) {
    if (error instanceof UnsupportedError) return { kind: "unsupported", detail: error.message };
    throw error;
  }
  let saved: string[] = [];
  let listed: string[] = [];
  if (appended.exitCode === 0) {
    const prefix = `-A ${recorded.chain}`;
    saved = run(world, ["-t", recorded.table], iptablesSave).stdout.split("\n").filter((line) => line === prefix || line.startsWith(`${prefix} `));
    listed = run(world, ["-t", recorded.table, "-L", recorded.chain, "-n"]).stdout.split("\n").slice(2, -1);
    run(world, ["-t", recorded.table, "-F", recorded.chain]);
  }
  return { kind: "done", exitCode: appended.exitCode, stderr: appended.stderr, saved, listed };
}

/** What differs between netsim's answer and the kernel's, in words; undefined when they agree. */
function disagreement(recorded: RecordedCase, answer: Answer): string | undefined {
  const rule = recorded.argv.join(" ");
  if (answer.kind === "unsupported") return `${rule}: refused as unmodelled (${answer.detail}); iptables ${recorded.exitCode === 0 ? "accepts" : "refuses"} it`;
  const kernelAccepts = recorded.exitCode === 0;
  if (kernelAccepts !== (answer.exitCode === 0)) return `${rule}: netsim ${kernelAccepts ? `refuses (${answer.stderr.trim()})` : `accepts (${answer.saved.join(" | ")})`}; iptables ${kernelAccepts ? `accepts (${recorded.saved.join(" | ")})` : `refuses (${recorded.stderr.trim()})`}`;
  if (kernelAccepts) {
    if (answer.saved.join("\n") !== recorded.saved.join("\n")) return `${rule}: saved as ${JSON.stringify(answer.saved)}, iptables saves ${JSON.stringify(recorded.saved)}`;
    if (answer.listed.join("\n") !== recorded.listed.join("\n")) return `${rule}: listed as ${JSON.stringify(answer.listed)}, iptables -L -n lists ${JSON.stringify(recorded.listed)}`;
    return undefined;
  }
  if (answer.stderr !== recorded.stderr || answer.exitCode !== recorded.exitCode) return `${rule}: error ${JSON.stringify(answer.stderr)} (exit ${answer.exitCode}), iptables ${JSON.stringify(recorded.stderr)} (exit ${recorded.exitCode})`;
  return undefined;
}

/** An `@`/`%` line through netsim: what differs from the kernel's run of it, in words; undefined when they agree. */
function commandDisagreement(world: World, recorded: RecordedCommand): string | undefined {
  const [name = "", ...argv] = recorded.command.trim().split(/\s+/);
  const command = NETWORK_COMMANDS.get(name);
  if (command === undefined) return `${recorded.command}: netsim has no command ${name}`;
  const answer = run(world, argv, command);
  if (answer.exitCode !== recorded.exitCode || answer.stdout !== recorded.stdout || answer.stderr !== recorded.stderr) {
    return `${recorded.command}: netsim ends ${JSON.stringify(answer)}, the kernel's run ${JSON.stringify({ exitCode: recorded.exitCode, stdout: recorded.stdout, stderr: recorded.stderr })}`;
  }
  return undefined;
}

const files = readdirSync(FIXTURES).filter((name) => name.endsWith(".json")).sort();

function recordedOf(name: string): Recorded {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Recorded;
}

describe("iptables' extensions/*.t suite against iptables 1.8.9's answers", () => {
  it("has answers for every .t file, recorded from iptables 1.8.9", () => {
    const tFiles = readdirSync(FIXTURES).filter((name) => name.endsWith(".t")).sort();
    expect(files.map((name) => name.replace(/\.json$/, ".t"))).toEqual(tFiles);
    for (const name of files) expect(recordedOf(name).iptables).toBe("iptables v1.8.9 (nf_tables)");
    for (const name of MODELLED) expect(tFiles).toContain(name);
  });

  for (const name of files) {
    const recorded = recordedOf(name);
    const modelled = MODELLED.has(recorded.file);
    it(`${recorded.file} (${recorded.cases.length} cases)${modelled ? "" : ": refused by name"}`, () => {
      const world = createWorld();
      const problems: string[] = [];
      // The file's `@`/`%` lines run through netsim's own command of that
      // name, in line order among the cases, and must end as they ended on the kernel.
      const steps = [...recorded.commands.map((command) => ({ command })), ...recorded.cases.map((item) => ({ item }))];
      steps.sort((first, second) => ("command" in first ? first.command.line : first.item.line) - ("command" in second ? second.command.line : second.item.line));
      for (const step of steps) {
        if ("command" in step) {
          const problem = commandDisagreement(world, step.command);
          if (problem !== undefined) problems.push(`${recorded.file}:${step.command.line}: ${problem}`);
          continue;
        }
        const item = step.item;
        const answer = netsimAnswer(world, item);
        const where = `${recorded.file}:${item.line} ${item.chain}`;
        if (modelled) {
          const problem = disagreement(item, answer);
          if (problem !== undefined) problems.push(`${where}: ${problem}`);
        } else if (answer.kind !== "unsupported" && disagreement(item, answer) !== undefined) {
          problems.push(`${where}: an unmodelled extension must be refused by name or answered as iptables does: ${disagreement(item, answer)}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
