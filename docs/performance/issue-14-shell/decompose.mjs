// Decomposes a scenario's simulator time into: the whole run (ScenarioSimulator), the model alone (every
// recorded command replayed through invokeCommand on a fresh world, no shell), and just-bash's floor (the same
// script in a bare just-bash whose netsim commands are no-ops). CPU time, medians, rounds interleaved.
// usage: node docs/performance/issue-14-shell/decompose.mjs ROOT scale|walk ROUNDS   (after npm run build)
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const [root, which, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText ?? 7);
const { ScenarioSimulator, collectFiles } = await import(join(root, "dist/scenario/runner.js"));
const { invokeCommand } = await import(join(root, "dist/scenario/invoke.js"));
const { NETWORK_COMMANDS } = await import(join(root, "dist/commands/registry.js"));
const { createWorld } = await import(join(root, "dist/net/index.js"));
const { Bash, defineCommand } = await import(join(root, "node_modules/just-bash/dist/bundle/index.js"));
const { walkthroughFiles } = await import(join(root, "dist/bench/walkthrough.js"));
const { scaleSetupScript } = await import(join(root, "dist/bench/scale.js"));
process.chdir(root);
const cpu = async (work) => {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

let files;
if (which === "scale") {
  const scaleFolder = mkdtempSync(join(tmpdir(), "netsim-issue-14-"));
  writeFileSync(join(scaleFolder, "scale-setup.sh"), scaleSetupScript(1000));
  files = [join(scaleFolder, "scale-setup.sh")];
} else files = walkthroughFiles(root);

// The records of each file's run, to replay.
const recorded = [];
for (const file of files) {
  const run = await new ScenarioSimulator().run(file);
  recorded.push(run.commands);
}
const simulate = async () => {
  for (const file of files) await new ScenarioSimulator().run(file);
};
// The model alone: each record's argv run by its command in its namespace, on a fresh world per file.
// `ip netns exec NS CMD` records CMD too (its own record), so exec outcomes are not followed.
let mismatches = 0;
const replay = async () => {
  for (const records of recorded) {
    const world = createWorld();
    for (const record of records) {
      const [name, ...args] = record.argv;
      const command = NETWORK_COMMANDS.get(name);
      if (!command) continue;
      const namespace = [...world.namespaces.values()].find((candidate) => candidate.name === record.namespace) ?? world.namespaces.get(0);
      const outcome = invokeCommand(name, command, args, { world, namespace, tracing: false, stdin: "", commandText: record.argv.join(" "), origin: record.location });
      if (outcome.kind === "done" && (outcome.exitCode !== record.exitCode || outcome.stdout !== record.stdout)) mismatches++;
    }
  }
};
// just-bash alone: the same files (and the preludes they source) in a bare shell whose netsim commands do nothing
// (`ip netns exec NS CMD` runs CMD, as the real one does).
const sources = files.map((file) => collectFiles(file));
const bare = async () => {
  for (let index = 0; index < files.length; index++) {
    const commands = [...NETWORK_COMMANDS.keys()].filter((name) => name !== "sleep").map((name) =>
      defineCommand(name, async (args, context) => {
        if (name === "ip" && args[0] === "netns" && args[1] === "exec") return context.exec(args.slice(3).join(" "), { cwd: context.cwd });
        return { stdout: "", stderr: "", exitCode: 0 };
      }),
    );
    const bash = new Bash({ files: Object.fromEntries(sources[index]), cwd: dirname(files[index]), customCommands: commands, defenseInDepth: false, sleep: async () => {}, executionLimits: { maxCommandCount: 500000, maxLoopIterations: 500000 } });
    await bash.exec(readFileSync(files[index], "utf8"), { rawScript: true, signal: new AbortController().signal });
  }
};
// just-bash running netsim's rewrite of the scripts (transform.ts: locations, sinks, marks), commands still no-ops.
const { ScenarioTransformPlugin, transformScript } = await import(join(root, "dist/scenario/transform.js"));
const { ProcSysFileSystem } = await import(join(root, "dist/scenario/proc-sys-fs.js"));
const transformed = async () => {
  for (let index = 0; index < files.length; index++) {
    const commands = [...NETWORK_COMMANDS.keys()].map((name) =>
      defineCommand(name, async (args, context) => {
        if (name === "ip" && args[0] === "netns" && args[1] === "exec") return context.exec(args.slice(3).join(" "), { cwd: context.cwd, env: { __NETSIM_OUT: "/dev/stdout", __NETSIM_ERR: "/dev/stderr" } });
        return { stdout: "", stderr: "", exitCode: 0 };
      }),
    );
    const paths = [...sources[index].keys()];
    const fs = new ProcSysFileSystem(Object.fromEntries(sources[index]), {}, { output: () => {}, script: (path, text) => (path.endsWith(".sh") ? transformScript(text, { fileIndex: paths.indexOf(path) }) : undefined) });
    const bash = new Bash({ fs, cwd: dirname(files[index]), customCommands: [...commands, defineCommand("__netsim_exit", async () => ({ stdout: "", stderr: "", exitCode: 0 }))], defenseInDepth: false, sleep: async () => {}, executionLimits: { maxCommandCount: 500000, maxLoopIterations: 500000 } });
    const plugin = new ScenarioTransformPlugin();
    const text = readFileSync(files[index], "utf8");
    plugin.prepare(text, paths.indexOf(files[index]));
    bash.registerTransformPlugin(plugin);
    await bash.exec(text, { rawScript: true, signal: new AbortController().signal });
  }
};
const results = { simulator: [], model: [], justBash: [], transformed: [] };
for (let round = 0; round < rounds + 1; round++) {
  const s = await cpu(simulate);
  const m = await cpu(replay);
  const b = await cpu(bare);
  const t = await cpu(transformed);
  if (round === 0) continue;
  results.simulator.push(s);
  results.model.push(m);
  results.justBash.push(b);
  results.transformed.push(t);
}
console.log(`replay mismatches: ${mismatches}`);
const commands = recorded.reduce((sum, records) => sum + records.length, 0);
console.log(`${which}: ${files.length} file(s), ${commands} records; CPU ms, median of ${rounds}`);
for (const [label, values] of Object.entries(results)) console.log(`  ${label.padEnd(10)} ${median(values).toFixed(1).padStart(8)}  (${values.map((v) => v.toFixed(0)).join(" ")})`);
