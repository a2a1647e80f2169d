// The prototype against ScenarioSimulator on the walkthrough (expectations must all hold) and the scale setup
// (same records' argv, exit codes and stdout; same world counts). CPU ms, medians, interleaved.
// usage: node docs/performance/issue-14-shell/measure-prototype.mjs ROOT ROUNDS   (after npm run build; ROOT: the checkout)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPrototype } from "./interpreter-prototype.mjs";

const [root, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText ?? 7);
process.chdir(root);
const { Interpreter } = await loadPrototype(root);
const { ScenarioSimulator } = await import(join(root, "dist/scenario/runner.js"));
const { walkthroughFiles } = await import(join(root, "dist/bench/walkthrough.js"));
const { scaleSetupScript } = await import(join(root, "dist/bench/scale.js"));
const cpu = async (work) => {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const stages = walkthroughFiles(root);
const scaleFolder = mkdtempSync(join(tmpdir(), "netsim-issue-14-"));
const scaleFile = join(scaleFolder, "scale-setup.sh");
writeFileSync(scaleFile, scaleSetupScript(1000));

// Equivalence first.
for (const file of stages) {
  const own = new Interpreter().runFile(file);
  const bad = own.expectations.filter((expectation) => !expectation.ok);
  const simulated = await new ScenarioSimulator().run(file);
  const same = simulated.commands.length === own.records.length && simulated.commands.every((record, index) => record.argv.join(" ") === own.records[index].argv.join(" ") && record.exitCode === own.records[index].exitCode && (record.background || record.stdout === own.records[index].stdout));
  console.log(`${file.split("/").pop()}: ${own.expectations.length} expectations, ${bad.length} failing; ${own.records.length} records, same as the simulator's: ${same}`);
}
{
  const own = new Interpreter().runFile(scaleFile);
  const simulated = await new ScenarioSimulator().run(scaleFile);
  const same = simulated.commands.length === own.records.length && simulated.commands.every((record, index) => record.argv.join(" ") === own.records[index].argv.join(" ") && record.exitCode === own.records[index].exitCode && record.stdout === own.records[index].stdout);
  const devices = (world) => [...world.namespaces.values()].reduce((sum, namespace) => sum + namespace.devices.size, 0);
  console.log(`scale: ${own.records.length} records, same as the simulator's: ${same}; namespaces ${own.world.namespaces.size}/${simulated.world.namespaces.size}, devices ${devices(own.world)}/${devices(simulated.world)}`);
}

const results = { "walkthrough, simulator": [], "walkthrough, prototype": [], "scale, simulator": [], "scale, prototype": [] };
for (let round = 0; round < rounds + 1; round++) {
  const a = await cpu(async () => {
    for (const file of stages) await new ScenarioSimulator().run(file);
  });
  const b = await cpu(async () => {
    for (const file of stages) new Interpreter().runFile(file);
  });
  const c = round % 2 === 0 || round === rounds ? await cpu(() => new ScenarioSimulator().run(scaleFile)) : undefined;
  const d = await cpu(async () => new Interpreter().runFile(scaleFile));
  if (round === 0) continue;
  results["walkthrough, simulator"].push(a);
  results["walkthrough, prototype"].push(b);
  if (c !== undefined) results["scale, simulator"].push(c);
  results["scale, prototype"].push(d);
}
for (const [label, values] of Object.entries(results)) console.log(`${label.padEnd(24)} ${median(values).toFixed(1).padStart(8)} ms CPU  (${values.map((v) => v.toFixed(0)).join(" ")})`);
