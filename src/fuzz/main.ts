#!/usr/bin/env node
// `npm run fuzz:kernel -- --runs N [--seed S]`: a differential fuzzing
// campaign against the real kernel (root, in throwaway sandboxes).
// Exit: 0 no divergence, 1 a divergence (printed, shrunk), 2 bad arguments,
// 3 the kernel backend cannot run here.
import { checkKernelBackendAvailable, KernelBackend } from "../backends/kernel/kernel-backend.js";
import { runCampaign } from "./campaign.js";

const USAGE = "usage: fuzz:kernel [--runs N] [--seed S] [--time-limit SECONDS]\n";

function parse(argv: readonly string[]): { runs: number; seed: number; timeLimitSeconds?: number } | string {
  let runs = 100;
  let seed = Date.now() % 2 ** 31;
  let timeLimitSeconds: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const value = Number(argv[index + 1]);
    if (!["--runs", "--seed", "--time-limit"].includes(word)) return `fuzz:kernel: unknown argument "${word}"`;
    if (!Number.isInteger(value) || value < 0) return `fuzz:kernel: ${word} needs a whole number`;
    index++;
    if (word === "--runs") runs = value;
    else if (word === "--seed") seed = value;
    else timeLimitSeconds = value;
  }
  return { runs, seed, ...(timeLimitSeconds !== undefined ? { timeLimitSeconds } : {}) };
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parse(argv);
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n${USAGE}`);
    return 2;
  }
  const availability = checkKernelBackendAvailable();
  if (!availability.ok) {
    process.stderr.write(`fuzz:kernel: the kernel backend cannot run here: ${availability.reason}\n`);
    return 3;
  }
  const started = Date.now();
  const result = await runCampaign({
    runs: parsed.runs,
    seed: parsed.seed,
    kernel: new KernelBackend({ commandTimeoutSeconds: 10, scriptTimeoutSeconds: 120 }),
    ...(parsed.timeLimitSeconds !== undefined ? { timeLimitMilliseconds: parsed.timeLimitSeconds * 1000 } : {}),
    onProgress: (done) => {
      if (done % 10 === 0) process.stderr.write(`fuzz:kernel: ${done} scenarios\n`);
    },
  });
  const families = ["namespaces, veths, bridges, addresses, routes, link up/down, ip_forward, ping", ...(result.features.iptables ? ["iptables filter + NAT"] : []), ...(result.features.nft ? ["nft filter + NAT"] : []), ...(result.features.nc ? ["nc"] : [])];
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!result.ok) {
    process.stdout.write(`${result.report}\n`);
    process.stdout.write(`fuzz:kernel: seed ${result.seed}: divergence found (${result.scenarios} scenarios run, ${seconds} s)\n`);
    return 1;
  }
  process.stdout.write(`fuzz:kernel: seed ${result.seed}: ${result.scenarios} random scenarios, 0 divergences (${seconds} s; ${families.join("; ")})\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fuzz:kernel: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
