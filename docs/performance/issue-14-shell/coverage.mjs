// How much of the shipped scenarios the prototype's subset takes: each scenario through the prototype
// (refused at the first construct it lacks, which is named) and, when it ran, its records (argv, status,
// stdout) and expectations against ScenarioSimulator's.
// usage: node docs/performance/issue-14-shell/coverage.mjs ROOT   (after npm run build)
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadPrototype } from "./interpreter-prototype.mjs";

const [root] = process.argv.slice(2);
process.chdir(root);
const { Interpreter, Unsupported } = await loadPrototype(root);
const { ScenarioSimulator } = await import(join(root, "dist/scenario/runner.js"));
const files = [];
const walk = (folder) => {
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      if (name !== "lib") walk(path);
    } else if (name.endsWith(".sh")) files.push(path);
  }
};
walk(join(root, "scenarios"));
const refusals = new Map();
let ran = 0;
let same = 0;
for (const file of files) {
  let own;
  try {
    own = new Interpreter().runFile(file);
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    const reason = error.message.split(":")[0];
    refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
    continue;
  }
  ran++;
  const simulated = await new ScenarioSimulator().run(file);
  const identical = simulated.commands.length === own.records.length && simulated.commands.every((record, index) => record.argv.join(" ") === own.records[index].argv.join(" ") && record.exitCode === own.records[index].exitCode && (record.background || record.stdout === own.records[index].stdout)) && own.expectations.every((expectation) => expectation.ok);
  if (identical) same++;
  else console.log(`ran but differs: ${file}`);
}
console.log(`${files.length} scenarios: the prototype ran ${ran} (${same} with the simulator's records and every expectation met); refused ${files.length - ran}:`);
for (const [reason, count] of [...refusals].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(3)}  ${reason}`);
