// Golden replay: every case of test/fixtures/iproute2/cases (iproute2, ping,
// bridge and sysctl output measured on kernel 6.18 / iproute2 6.1 / iputils
// 20221126, see the README there) runs through the simulator line by line,
// and each command's stdout, stderr and exit status must equal the kernel's.
//
// How a case is replayed: the case file becomes one scenario script with each
// command on its own line number (blank lines and comments kept), so the
// simulator's per-command records (run.commands, keyed by line) line up with
// the golden records. Each line is wrapped as `echo @@N; LINE; echo @@RC $?`
// on the same line, so that lines without a networking command of their own
// (`cat /proc/...`, `echo V > /proc/...`, pipelines, background jobs) are
// compared by what the shell printed between the markers instead.
//
// Masks, each for something the kernel itself does not repeat (README
// "Determinism"):
//  - ping: every `time=N ms`, the `rtt min/avg/max/mdev` line, and the
//    summary's `time Nms` when more than one packet was sent;
//  - `ip neigh` (text, brief and JSON): line/element order is the kernel's
//    hash order, seeded randomly per namespace: compared as sorted sets;
//  - IPv6 `tentative`: DAD runs for 1-2 s after carrier; the cases sleep
//    past it, and the model shows addresses settled (masked if ever printed);
//  - `bash: line N:`: the kernel ran each case line as its own `bash -c`, so
//    bash numbers it line 1; the replay runs one script, so the number is the
//    line's own.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replayGoldens, type Golden } from "../support/golden-replay.js";

const CASES = join(import.meta.dirname, "../fixtures/iproute2/cases");


/**
 * Lines netsim does not replay, by case and line, each with its reason. A
 * skipped line becomes `:` in the script, so it must not change state that
 * later lines of the case print.
 */
const NO_DUMMY = "the measured kernel has no dummy driver (Error: Unknown device type.); netsim models dummy as a stock kernel has it";
const HOST_FORWARD = "host-dependent: the sandbox root and new namespaces start with the host's ip_forward=1; netsim models a stock host (0)";
const BACKGROUND = "background job: the embedded shell runs `&` jobs to completion before the next line, so the kernel's ping still resolving meanwhile cannot be replayed";
const SKIPPED: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  addresses: { 38: NO_DUMMY },
  "argument-errors": { 26: NO_DUMMY },
  "link-ops": { 3: NO_DUMMY },
  "neigh-failed": { 19: BACKGROUND, 21: BACKGROUND, 22: BACKGROUND, 24: BACKGROUND, 25: BACKGROUND },
  "netns-list": {
    7: "the embedded shell has no /run/netns directory to list (netsim keeps namespaces in the model, not in a filesystem)",
  },
  "rules-routing": {
    59: "the kernel's veths also count their IPv6 autoconfiguration frames (MLD reports, router solicitations, DAD: 6 frames, 516 bytes each way here), which netsim does not send; the IPv4 frames (ARP and the echo, 140 bytes) agree",
  },
  "sysctl-forward": {
    2: HOST_FORWARD,
    23: HOST_FORWARD,
    24: HOST_FORWARD,
    29: "net.ipv4.ip_forward is kept as on/off in netsim; the kernel reads back the integer written (2)",
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
  if (/\bip\b.*\bneigh/.test(command) && !/\b(add|del|replace|change|flush)\b/.test(command)) {
    result = sortedLines(result);
  }
  return result;
}

const names = readdirSync(CASES)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();

describe("iproute2 goldens replayed through the simulator", () => {
  it("has all 32 cases", () => {
    expect(names.length).toBe(32);
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
