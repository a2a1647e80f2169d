// The simulator behind the Backend interface: runs a scenario in
// ScenarioSimulator and, with snapshots, captures every namespace's state
// after each probe and at the end in exactly the raw texts the kernel
// backend captures (`ip -j link`, `ip -j addr`, `ip -j route show table all`,
// `ip -j neigh`, `iptables-save`, `conntrack -L`), printed by netsim's own
// command implementations against the world, so one normaliser serves both.
import { resolve } from "node:path";
import type { NetworkCommand } from "../../commands/command.js";
import { NETWORK_COMMANDS } from "../../commands/registry.js";
import { invokeCommand } from "../../scenario/invoke.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { ScenarioSimulator, type ScenarioProblem, type SimulatedRun } from "../../scenario/runner.js";
import { IPTABLES_NFT_FAMILIES, IPTABLES_NFT_TABLES, type CommandRecord, type NamespaceState, type ScenarioRun, type SourceLocation, type StatePart, type StateSnapshot } from "../../scenario/result.js";
import type { Backend, RunOptions } from "../backend.js";

export interface SimBackendOptions {
  /** Files to use instead of the disk, by absolute path (generated scenarios). */
  readonly files?: Readonly<Record<string, string>>;
}

/** A simulator run as a ScenarioRun, with what the simulator could not take. */
export interface SimBackendRun extends ScenarioRun {
  readonly problems: readonly ScenarioProblem[];
}

// nc's options that take a value (netcat-openbsd's getopt string), as the kernel backend's wrapper reads them.
const NC_OPTIONS_WITH_VALUE = new Set(["I", "i", "M", "m", "O", "P", "p", "q", "s", "T", "V", "W", "w", "X", "x"]);

/** Whether nc's options (glibc getopt permutes: anywhere in argv) include -l. */
function ncListens(argv: readonly string[]): boolean {
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index] ?? "";
    if (word === "--") return false;
    if (!/^-./.test(word)) continue;
    for (let position = 1; position < word.length; position++) {
      const letter = word[position] ?? "";
      if (letter === "l") return true;
      if (NC_OPTIONS_WITH_VALUE.has(letter)) {
        if (position === word.length - 1) index++;
        break;
      }
    }
  }
  return false;
}

/**
 * The commands after which the kernel backend snapshots the state (its
 * wrapper's kinds ping, nc-connect-tcp and nc-connect-udp): every ping, and
 * every nc that is not a listener.
 */
export function isProbeCommand(argv: readonly string[]): boolean {
  return argv[0] === "ping" || (argv[0] === "nc" && !ncListens(argv));
}

interface Capture {
  readonly part: StatePart;
  readonly tool: string;
  readonly argv: readonly string[];
}

const CAPTURES: readonly Capture[] = [
  { part: "link", tool: "ip", argv: ["-j", "link"] },
  { part: "addr", tool: "ip", argv: ["-j", "addr"] },
  { part: "route", tool: "ip", argv: ["-j", "route", "show", "table", "all"] },
  { part: "neigh", tool: "ip", argv: ["-j", "neigh"] },
  { part: "iptablesSave", tool: "iptables-save", argv: [] },
  { part: "ip6tablesSave", tool: "ip6tables-save", argv: [] },
  { part: "conntrack", tool: "conntrack", argv: ["-L"] },
];

/** One show command's stdout, or why it could not be captured. */
function capture(world: World, namespace: NetworkNamespace, { tool, argv }: Capture): { text: string } | { unavailable: string } {
  const implementation: NetworkCommand | undefined = NETWORK_COMMANDS.get(tool);
  const commandText = [tool, ...argv].join(" ");
  if (!implementation) return { unavailable: `${tool} is not modelled yet` };
  const outcome = invokeCommand(tool, implementation, argv, { world, namespace, tracing: false, stdin: "", commandText });
  if (outcome.kind === "unsupported") return { unavailable: `${commandText}: ${outcome.message} (at "${outcome.word}")` };
  if (outcome.kind !== "done") return { unavailable: `${commandText} asked to run another command` };
  // The kernel backend keeps stdout only, whatever the status (an error prints nothing there).
  return { text: outcome.stdout };
}

/** nft's own tables, one `nft list table` each, as the kernel backend's snapshot lists them (iptables-nft's are iptables-save's). */
function captureNftRuleset(world: World, namespace: NetworkNamespace): { text: string } | { unavailable: string } {
  const tables = capture(world, namespace, { part: "nftRuleset", tool: "nft", argv: ["list", "tables"] });
  if (!("text" in tables)) return tables;
  let text = "";
  for (const line of tables.text.split("\n")) {
    const [, family, name] = line.split(" ");
    if (family === undefined || name === undefined || (IPTABLES_NFT_FAMILIES.includes(family) && IPTABLES_NFT_TABLES.includes(name))) continue;
    const table = capture(world, namespace, { part: "nftRuleset", tool: "nft", argv: ["list", "table", family, name] });
    if (!("text" in table)) return table;
    text += table.text;
  }
  return { text };
}

function namespaceState(world: World, namespace: NetworkNamespace): NamespaceState {
  const texts: Partial<Record<StatePart, string>> = {};
  const unavailable: Partial<Record<StatePart, string>> = {};
  for (const item of CAPTURES) {
    const result = capture(world, namespace, item);
    if ("text" in result) texts[item.part] = result.text;
    else unavailable[item.part] = result.unavailable;
  }
  const nft = captureNftRuleset(world, namespace);
  if ("text" in nft) texts.nftRuleset = nft.text;
  else unavailable.nftRuleset = nft.unavailable;
  return {
    namespace: namespace.name,
    link: texts.link ?? "",
    addr: texts.addr ?? "",
    route: texts.route ?? "",
    neigh: texts.neigh ?? "",
    iptablesSave: texts.iptablesSave ?? "",
    ip6tablesSave: texts.ip6tablesSave ?? "",
    conntrack: texts.conntrack ?? "",
    nftRuleset: texts.nftRuleset ?? "",
    ...(Object.keys(unavailable).length > 0 ? { unavailable } : {}),
  };
}

/** Every namespace's state: the root namespace first, then the named ones by name (as /run/netns/* lists them). */
export function captureWorldState(world: World): NamespaceState[] {
  const namespaces = [...world.namespaces.values()].sort((left, right) => (left.name === "" ? -1 : right.name === "" ? 1 : left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  return namespaces.map((namespace) => namespaceState(world, namespace));
}

function absoluteLocation(location: SourceLocation): SourceLocation {
  return { file: resolve(location.file), line: location.line };
}

function absoluteRecord(record: CommandRecord): CommandRecord {
  return { ...record, location: absoluteLocation(record.location), callers: record.callers.map(absoluteLocation) };
}

export class SimBackend implements Backend {
  readonly name = "sim" as const;

  constructor(private readonly options: SimBackendOptions = {}) {}

  /** The run with every location as an absolute path, as the kernel backend reports them. */
  async run(file: string, runOptions: RunOptions = {}): Promise<SimBackendRun> {
    const simulated = await this.simulate(file, runOptions);
    const { traces: _traces, world: _world, ...run } = simulated.run;
    return {
      ...run,
      file: resolve(file),
      commands: run.commands.map(absoluteRecord),
      expectations: run.expectations.map((expectation) => ({ ...expectation, location: absoluteLocation(expectation.location) })),
      ...(simulated.snapshots
        ? {
            snapshots: simulated.snapshots.map((snapshot) =>
              snapshot.after ? { ...snapshot, after: { ...snapshot.after, location: absoluteLocation(snapshot.after.location) } } : snapshot,
            ),
          }
        : {}),
    };
  }

  private async simulate(file: string, runOptions: RunOptions): Promise<{ run: SimulatedRun; snapshots?: StateSnapshot[] }> {
    if (!runOptions.snapshots) {
      const run = await new ScenarioSimulator(this.options.files ? { files: this.options.files } : {}).run(file);
      return { run };
    }
    const taken: { record: CommandRecord; namespaces: NamespaceState[] }[] = [];
    const simulator = new ScenarioSimulator({
      ...(this.options.files ? { files: this.options.files } : {}),
      onCommand: (record, world) => {
        if (isProbeCommand(record.argv)) taken.push({ record, namespaces: captureWorldState(world) });
      },
    });
    const run = await simulator.run(file);
    // The hook is handed the very record the run keeps: its index is where it stands among the commands.
    const snapshots: StateSnapshot[] = taken.flatMap(({ record, namespaces }) => {
      const commandIndex = run.commands.indexOf(record);
      return commandIndex < 0 ? [] : [{ after: { commandIndex, location: record.location }, namespaces }];
    });
    snapshots.push({ namespaces: captureWorldState(run.world) });
    return { run, snapshots };
  }
}
