// Golden replay of test/fixtures/net-tools/cases (route, ifconfig, arp and
// sudo measured on kernel 6.18 with net-tools 2.10 and sudo 1.9.13p3, see the
// README there): each case runs through the simulator line by line, and each
// command's stdout, stderr and exit status must equal the kernel's. The
// replay is the one of iproute2-goldens.test.ts (markers around each line);
// masks: ping timings, and `arp`/`ip neigh` tables of two or more entries
// (the kernel's hash order, seeded per namespace) compared as sets of lines.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayGoldens, type Golden } from "../support/golden-replay.js";

const CASES = join(import.meta.dirname, "../fixtures/net-tools/cases");


/** Lines netsim does not replay, by case and line, each with its reason (a skipped line becomes `:`). */
const SKIPPED: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  ifconfig: {
    54: "a bridge that never had a port: this kernel turns its carrier off when it goes up (NO-CARRIER, state DOWN, no RUNNING); the bridge model keeps the carrier on until a first port (src/net/core/link-state.ts, the bridge room's)",
  },
  sudo: {
    16: "sudo hands the command to the embedded shell, which answers an unknown one with bash's own `command not found` (127) instead of sudo's (1)",
  },
};


function maskPing(text: string): string {
  const multiple = /(\d+) packets transmitted/.exec(text);
  let masked = text.replace(/time=[0-9.]+ ms/g, "time=<T> ms").replace(/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt <masked>");
  if (multiple && Number(multiple[1]) > 1) masked = masked.replace(/, time \d+ms/, ", time <T>ms");
  return masked;
}

function sortedLines(text: string): string {
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text) as unknown[];
      return `${JSON.stringify(parsed.map((entry) => JSON.stringify(entry)).sort())}\n`;
    } catch {
      return text;
    }
  }
  return text.split("\n").filter((line) => line.length > 0).sort().join("\n");
}

function normalise(command: string, text: string): string {
  let result = text.replace(/ tentative/g, "").replace(/^bash: line \d+:/gm, "bash: line N:");
  if (/\bping\b/.test(command)) result = maskPing(result);
  if ((/\bip\b.*\bneigh/.test(command) && !/\b(add|del|replace|change|flush)\b/.test(command)) || (/^arp\b/.test(command) && !/ -[sd]\b/.test(command))) {
    result = sortedLines(result);
  }
  return result;
}

const names = readdirSync(CASES)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();

describe("net-tools and sudo goldens replayed through the simulator", () => {
  it("has the 4 cases", () => {
    expect(names).toEqual(["arp", "ifconfig", "route", "sudo"]);
  });
  for (const name of names) {
    const goldens = JSON.parse(readFileSync(join(CASES, `${name}.json`), "utf8")) as Golden[];
    it(`${name}: every command prints what the kernel printed`, async () => {
      const mismatches = await replayGoldens({ cases: CASES, skipped: SKIPPED, normalise }, name, goldens);
      expect(mismatches.join("\n")).toBe("");
    });
    for (const [line, reason] of Object.entries(SKIPPED[name] ?? {})) {
      const golden = goldens.find((entry) => entry.line === Number(line));
      it.skip(`${name} line ${line} \`${golden?.command ?? "?"}\`: ${reason}`, () => {});
    }
  }
});
