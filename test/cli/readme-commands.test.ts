// Every `npx netsim ...` command README.md shows, run as printed from the
// clone's root (through the shell and npx, as a reader types it), and every
// output the README quotes compared with what the command prints now. A
// synopsis (`npx netsim run [--trace] ... SCENARIO...`) is run in the concrete
// forms listed in SYNOPSES; a README command that is in neither list fails
// the suite, so a new example cannot go untested.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineText } from "../../src/tui/line.js";
import { INITIAL_STATE } from "../../src/tui/navigation.js";
import { screenLines } from "../../src/tui/screen.js";
import { buildWalk } from "../../src/tui/walk.js";
import { REPOSITORY } from "../support/netsim-cli.js";

const README = readFileSync(join(REPOSITORY, "README.md"), "utf8");

interface Block {
  readonly language: string;
  readonly lines: readonly string[];
}

function fencedBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: { language: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) {
      if (current) {
        blocks.push(current);
        current = undefined;
      } else current = { language: line.slice(3).trim(), lines: [] };
    } else current?.lines.push(line);
  }
  return blocks;
}

/** Each `npx netsim ...` the README shows: the lines of its shell blocks (a trailing "# ..." comment is the README's, and may hold a second command) and its inline code. */
function readmeCommands(): string[] {
  const found = new Set<string>();
  for (const block of fencedBlocks(README)) {
    for (const line of block.lines) {
      if (!line.startsWith("npx netsim")) continue;
      const [command, comment] = line.split(/\s+#\s+/, 2) as [string, string | undefined];
      found.add(command.trim());
      const second = comment?.match(/npx netsim .*$/)?.[0];
      if (second) found.add(second.trim());
    }
  }
  const prose = README.replace(/```[\s\S]*?```/g, "");
  for (const match of prose.matchAll(/`(npx netsim[^`]*)`/g)) found.add(match[1]!.trim());
  return [...found];
}

const STAGE = "scenarios/walkthrough/03-bridge.sh";
const SUBCOMMANDS = ["run", "explain", "step", "shell", "diagram", "verify"];

/** A synopsis, as the README prints it, and the commands that stand for it here. */
const SYNOPSES: Record<string, readonly string[]> = {
  "npx netsim ...": [],
  "npx netsim COMMAND --help": SUBCOMMANDS.map((command) => `npx netsim ${command} --help`),
  "npx netsim help COMMAND": SUBCOMMANDS.map((command) => `npx netsim help ${command}`),
  "npx netsim run [--trace] [--explain] [--json] [--junit FILE] SCENARIO...": [`npx netsim run ${STAGE}`, `npx netsim run --trace --explain ${STAGE}`, `npx netsim run --json ${STAGE}`, `npx netsim run --junit /dev/null ${STAGE} scenarios/walkthrough/06-default-route.sh`],
  "npx netsim explain [--line N] [--all] [--json] SCENARIO...": [`npx netsim explain ${STAGE}`, `npx netsim explain --line 18 --all --json ${STAGE}`],
  "npx netsim run --explain": [`npx netsim run --explain ${STAGE}`],
  "npx netsim run ... | head": ["npx netsim run scenarios/walkthrough/*.sh | head"],
  "npx netsim step FILE": [`npx netsim step ${STAGE}`],
  "npx netsim verify FILE...": [`npx netsim verify ${STAGE}`],
  "npx netsim run --backend kernel FILE": [`npx netsim run --backend kernel ${STAGE}`],
  "npx netsim diagram FILE [--at LINE] [--probe LINE] [--format svg|dot|mermaid] [-o OUT]": [`npx netsim diagram ${STAGE} --at 14 --format mermaid`, `npx netsim diagram ${STAGE} --probe 14 -o /dev/null`],
};

/** What a command reads on stdin (netsim shell runs its lines when stdin is not a terminal). */
const INPUT: Record<string, string> = { "npx netsim shell": "ip netns add netns0\nip netns list\n" };

/** A placeholder in capitals, an optional [group], or "..." make a line a synopsis. */
const isSynopsis = (command: string) => /\[|\.\.\.|\b[A-Z]{3,}\b/.test(command);

interface Shown {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs a command line as the README prints it, through sh, from the clone's root. */
function shell(command: string, input = ""): Shown {
  // npm's update check would ask the registry; nothing else here touches the network.
  const result = spawnSync("sh", ["-c", command], { cwd: REPOSITORY, encoding: "utf8", input, maxBuffer: 1 << 28, timeout: 120_000, env: { ...process.env, npm_config_update_notifier: "false", NO_COLOR: "1" } });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Whether the kernel backend can run here (verify exits 3 and says why when it cannot). */
function kernelUnavailable(result: Shown): boolean {
  return result.status === 3 && /cannot run here/.test(result.stderr);
}

describe("the README's commands, as printed", () => {
  const commands = readmeCommands();

  it("finds the README's commands, each either concrete or a synopsis this test runs in concrete forms", () => {
    expect(commands.length).toBeGreaterThan(10);
    const unlisted = commands.filter((command) => isSynopsis(command) && !(command in SYNOPSES));
    expect(unlisted).toEqual([]);
  });

  const runnable = [...new Set(commands.flatMap((command) => SYNOPSES[command] ?? (isSynopsis(command) ? [] : [command])))];
  for (const command of runnable) {
    it(`${command}: exits 0 with no error on stderr`, { timeout: 180_000 }, () => {
      const result = shell(command, INPUT[command]);
      if (command.includes("--backend kernel") || command.includes(" verify ")) {
        if (kernelUnavailable(result)) return;
      }
      if (command.endsWith(" | head")) {
        // The scenarios' own stderr (ping: connect: Network is unreachable) is on stderr, not in the pipe: what head cut short wrote a part of it, and nothing of netsim's.
        const whole = shell(command.slice(0, -" | head".length));
        expect(whole.stderr).not.toMatch(/netsim/);
        expect(whole.stderr.startsWith(result.stderr)).toBe(true);
      } else expect(result.stderr).toBe("");
      expect(result.status, result.stdout.slice(-2000)).toBe(0);
      // -o writes the picture to its file, not stdout.
      if (!command.includes(" -o ")) expect(result.stdout).not.toBe("");
    });
  }
});

describe("the README's quoted outputs are what the commands print", () => {
  const blocks = fencedBlocks(README).filter((block) => block.language === "");

  /** The bare block that starts with the given line. */
  const quoted = (start: string): string[] => {
    const block = blocks.find((each) => each.lines[0]?.startsWith(start));
    expect(block, `README block starting ${start}`).toBeDefined();
    return [...block!.lines];
  };

  it("npm start: every walkthrough stage, and its last line is the count", { timeout: 180_000 }, () => {
    const result = shell("npm start --silent");
    expect(result.status).toBe(0);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it("the trace excerpt of npx netsim run --trace scenarios/walkthrough/02-second-netns.sh", () => {
    const output = shell("npx netsim run --trace scenarios/walkthrough/02-second-netns.sh").stdout.split("\n");
    // "..." stands for the steps the README leaves out.
    const excerpt = quoted("trace: ping -c 1 172.18.0.20").filter((line) => line.trim() !== "...");
    for (const line of excerpt) expect(output).toContain(line);
  });

  it("the explanation of stage 2's duplicate /16", () => {
    const output = shell("npx netsim explain scenarios/walkthrough/02-second-netns.sh").stdout;
    expect(output).toContain(quoted("scenarios/walkthrough/02-second-netns.sh:18:").join("\n"));
  });

  it("the narrow FORWARD fix, then the blunt one, for a published port behind FORWARD DROP", () => {
    const output = shell("npx netsim explain test/explain/fixtures/dnat-forward-drop.sh").stdout;
    expect(output).toContain(quoted("  fix:").join("\n"));
  });

  it("the failed command named as the cause", () => {
    const sentence = /\("(line 9 failed: [^"]*)"\)/.exec(README.replace(/\s*\n\s*/g, " "))![1]!;
    expect(shell("npx netsim explain test/explain/fixtures/misspelt-bridge.sh").stdout).toContain(sentence);
  });

  it("netsim step's screen of stage 8 at 80×24, on the hop where MASQUERADE rewrites the source", async () => {
    const shown = quoted("netsim step 08-masquerade.sh");
    const position = /command (\d+)\/\d+ · hop (\d+)\/\d+/.exec(shown[0]!)!;
    const walk = await buildWalk(join(REPOSITORY, "scenarios/walkthrough/08-masquerade.sh"));
    const screen = screenLines(walk, { ...INITIAL_STATE, command: Number(position[1]) - 1, hop: Number(position[2]) - 1 }, 80, 24).map((line) => lineText(line).trimEnd());
    // The README leaves out the screen's blank rows above the footer.
    expect(shown).toEqual(screen.filter((line) => line !== ""));
  });

  it("npx netsim --version prints the version (npx hands it to netsim)", () => {
    const { version } = JSON.parse(readFileSync(join(REPOSITORY, "package.json"), "utf8")) as { version: string };
    const forms = readmeCommands().filter((command) => /^npx netsim (-- )?--version$/.test(command));
    expect(forms).not.toEqual([]);
    for (const form of forms) expect(shell(form).stdout).toBe(`netsim ${version}\n`);
  });
});
