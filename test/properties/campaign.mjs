#!/usr/bin/env node
// `npm run test:props -- --runs N [--seed S]`: the invariants under
// test/properties with N runs per property (and another seed), no test
// timeout. A failure prints its shrunk counterexample as a scenario.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const env = { ...process.env };
const passThrough = [];
for (let index = 0; index < args.length; index++) {
  const word = args[index];
  const [flag, inline] = word.split("=", 2);
  if (flag === "--runs" || flag === "--seed") {
    const value = inline ?? args[++index];
    if (value === undefined || !/^\d+$/.test(value)) {
      console.error(`test:props: ${flag} needs a whole number`);
      process.exit(2);
    }
    env[flag === "--runs" ? "NETSIM_PROPERTY_RUNS" : "NETSIM_PROPERTY_SEED"] = value;
  } else passThrough.push(word);
}
const result = spawnSync("npx", ["vitest", "run", "test/properties", "--testTimeout=0", ...passThrough], { stdio: "inherit", env });
process.exit(result.status ?? 1);
