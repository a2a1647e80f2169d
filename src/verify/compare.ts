// Two runs of one scenario, the simulator's and the kernel's, compared line
// by line: each command's success or failure and stable error text, each
// probe's outcome and reply ttl, and the normalised state after each probe
// and at the end. Pure: both runs are given, nothing is run here.
import {
  explicitMacAddresses,
  normaliseAddresses,
  normaliseConntrack,
  normaliseIptablesSave,
  normaliseLinks,
  normaliseNeighbours,
  normaliseNftRuleset,
  normaliseRoutes,
  normaliseTcpdumpOutput,
  type NormaliseContext,
} from "../backends/kernel/normalise.js";
import { STATE_PARTS, type CommandRecord, type NamespaceState, type ScenarioRun, type SourceLocation, type StatePart, type StateSnapshot } from "../scenario/result.js";
import { dirname, resolve } from "node:path";
import { diffLines } from "./line-diff.js";

/** What differed. */
export type DivergenceKind = "only-in-sim" | "only-in-kernel" | "exit-status" | "error-text" | "show-output" | "probe-outcome" | "ttl" | "namespaces" | "state" | "host-write";

export interface Divergence {
  readonly kind: DivergenceKind;
  /** The line the command stands on (innermost), or the probe a state follows; absent for the final state. */
  readonly location?: SourceLocation;
  /** The command line, as its argv joined by spaces. */
  readonly command?: string;
  /** A short label: "exit status", "routes in netns0 after the probe", ... */
  readonly what: string;
  readonly sim: string;
  readonly kernel: string;
  /** A state divergence seen again, the same, at this many later state checks (reported once). */
  readonly repeated?: number;
}

export interface Comparison {
  readonly file: string;
  /** Commands present in both runs and compared. */
  readonly commands: number;
  /** Probes (ping, nc connects) whose outcomes were compared. */
  readonly probes: number;
  /** Snapshots (after each probe, and the final one) compared. */
  readonly stateChecks: number;
  readonly divergences: readonly Divergence[];
  /** State parts left out, each with the reason (deduplicated). */
  readonly skipped: readonly string[];
}

const PART_LABELS: Record<StatePart, string> = {
  link: "links (ip -j link)",
  addr: "addresses (ip -j addr)",
  route: "routes (ip -j route show table all)",
  neigh: "neighbours (ip -j neigh)",
  iptablesSave: "ruleset (iptables-save)",
  ip6tablesSave: "IPv6 ruleset (ip6tables-save)",
  conntrack: "conntrack entries (conntrack -L)",
  nftRuleset: "nft tables (nft list table of each but iptables-nft's)",
};

type ShowKind = "iptables" | "bridge-link" | "nft" | "ipset" | "tcpdump";

/** The tools whose error messages are stable text worth comparing (probes' are judged by outcome). */
const STABLE_ERROR_TOOLS = new Set(["ip", "iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore", "sysctl", "conntrack", "nft", "ipset", "nfacct", "tcpdump"]);

/**
 * Show commands whose stdout the kernel prints the same on every run, once
 * what is random is normalised: the iptables listings (rules, policies and
 * their packet/byte counters), `nft list`, `ipset list|save`, `bridge link`
 * and tcpdump -l's lines (normaliseTcpdumpOutput). The dated comment lines
 * of iptables-save carry the wall clock and are dropped.
 */
function showCommand(argv: readonly string[]): ShowKind | undefined {
  const [tool, ...words] = argv;
  // nft list ... (the ruleset as nft prints it, counters and handles included).
  if (tool === "nft" && words.includes("list")) return "nft";
  if (tool === "ipset" && words.some((word) => ["list", "save", "l", "s", "-L", "-S"].includes(word))) return "ipset";
  // tcpdump's lines, when it writes each as it comes (-l): a block-buffered one still running when the scenario ends loses its buffer on the kernel.
  if (tool === "tcpdump") return words.some((word) => /^-[a-km-zA-Z]*l/.test(word) && !/^-[a-km-zA-Z]*[icZ]/.test(word)) ? "tcpdump" : undefined;
  if (tool === "iptables-save" || tool === "ip6tables-save") return "iptables";
  if ((tool === "iptables" || tool === "ip6tables") && words.some((word) => /^-[a-zA-Z]*[LS]/.test(word) || word === "--list" || word === "--list-rules")) return "iptables";
  if (tool === "bridge") {
    const objects = words.filter((word) => !word.startsWith("-"));
    if (objects[0] !== undefined && "link".startsWith(objects[0]) && (objects[1] === undefined || ["show", "list"].some((name) => name.startsWith(objects[1]!)))) return "bridge-link";
  }
  return undefined;
}

/**
 * Probes after which packet counters are not compared, with the reason: a
 * TCP connect that timed out (its SYN retransmissions within the wait are
 * timing), and any nc probe, whose segments the model does not yet send byte
 * for byte as netcat-openbsd and the kernel do (measured: `nc -u -z` sends
 * one byte "X" per datagram, the model none; a connect's teardown has one
 * more 52-byte segment on the kernel). Pings are exact.
 */
function countersUnreliableAfter(record: CommandRecord): string | undefined {
  if (record.probe?.tool !== "nc") return undefined;
  if (record.probe.outcome === "timeout" && !record.argv.slice(1).some((word) => /^-[a-zA-Z]*u/.test(word))) return "packet counters after a TCP connect that timed out: its SYN retransmissions depend on timing";
  return "packet counters after an nc probe: the model does not yet send nc's segments byte for byte (UDP -z payload, TCP teardown)";
}

/**
 * The ip6 tables' counters are never compared: the kernel's own IPv6
 * packets (router solicitations, MLD reports, duplicate address detection
 * on every link that comes up) pass them, at times of its choosing, and
 * netsim carries no IPv6 packet.
 */
function ipv6CountersUnreliable(record: CommandRecord, show: ShowKind): string | undefined {
  const ip6tables = record.argv[0] === "ip6tables" || record.argv[0] === "ip6tables-save";
  if (!ip6tables && !(show === "nft" && /^table ip6 /m.test(record.stdout))) return undefined;
  return "ip6tables counters: the kernel's own IPv6 packets (router solicitations, MLD, duplicate address detection) pass the ip6 tables; netsim carries none";
}

/**
 * ipset list/save: what the kernel draws at random masked. A hash set's
 * initval is random, its members' order follows the hash (sorted here), its
 * memsize depends on which members share a bucket, and a member's timeout
 * left depends on how long the commands before took.
 */
function normaliseIpsetOutput(text: string): string {
  const out: string[] = [];
  let members: string[] = [];
  let inMembers = false;
  const member = (line: string) => line.replace(/ timeout \d+/, " timeout _");
  const flush = () => {
    out.push(...members.sort());
    members = [];
  };
  for (const line of text.replace(/initval 0x[0-9a-f]+/g, "initval _").replace(/^Size in memory: \d+$/gm, "Size in memory: _").split("\n")) {
    if (line.startsWith("add ") || (inMembers && line !== "")) {
      members.push(member(line));
      continue;
    }
    flush();
    inMembers = line === "Members:";
    out.push(line);
  }
  flush();
  return out.join("\n");
}

function normaliseShowOutput(kind: ShowKind, text: string, counters: boolean): string {
  if (kind === "bridge-link") return text;
  if (kind === "ipset") return normaliseIpsetOutput(text);
  // nft's text (` packets N bytes M`) and -j's JSON (`"packets": N, "bytes": M`).
  if (kind === "nft") return counters ? text : text.replace(/ packets \d+ bytes \d+/g, "").replace(/"packets": \d+, "bytes": \d+/g, '"packets": _, "bytes": _');
  if (kind === "tcpdump") return normaliseTcpdumpOutput(text);
  const lines = text.split("\n").filter((line) => !line.startsWith("# Generated by") && !line.startsWith("# Completed on"));
  if (counters) return lines.join("\n");
  // Counters left out: iptables-save's [P:B], -S -v's -c P B, and -L -v's policy and per-rule columns.
  return lines
    .map((line) =>
      line
        .replace(/\[\d+:\d+\] ?/g, "")
        .replace(/ -c \d+ \d+/g, "")
        .replace(/\(policy (\S+) \S+ packets, \S+ bytes\)/, "(policy $1)")
        .replace(/^(\s*(?:\d+\s+)?)\s*\d+[KMGT]?\s+\d+[KMGT]?\s/, "$1"),
    )
    .join("\n");
}

const locationKey = (location: SourceLocation) => `${location.file}:${location.line}`;
const recordKey = (record: CommandRecord) => `${[record.location, ...record.callers].map(locationKey).join(" < ")}\0${record.argv.join("\0")}`;
const commandText = (record: CommandRecord) => record.argv.join(" ");

/** `ip netns exec NS CMD`, `nsenter ... CMD` and `sudo CMD`: only the kernel records them, when CMD is no networking tool. */
function runsAnotherCommand(argv: readonly string[]): boolean {
  if (argv[0] === "nsenter" || argv[0] === "sudo") return true;
  if (argv[0] !== "ip") return false;
  const words = argv.slice(1).filter((word, index, all) => !word.startsWith("-") && !["-n", "-netns", "--netns"].includes(all[index - 1] ?? ""));
  // The abbreviations the kernel backend's wrapper takes as `ip netns exec`.
  return ["net", "netn", "netns"].includes(words[0] ?? "") && ["e", "ex", "exe", "exec"].includes(words[1] ?? "");
}

/** Records paired by where they stand and what they ran: the n-th occurrence on one side with the n-th on the other. */
export function alignRecords(sim: readonly CommandRecord[], kernel: readonly CommandRecord[]): { pairs: [number, number][]; onlySim: number[]; onlyKernel: number[] } {
  const kernelByKey = new Map<string, number[]>();
  kernel.forEach((record, index) => {
    const key = recordKey(record);
    kernelByKey.set(key, [...(kernelByKey.get(key) ?? []), index]);
  });
  const pairs: [number, number][] = [];
  const onlySim: number[] = [];
  sim.forEach((record, index) => {
    const queue = kernelByKey.get(recordKey(record));
    const match = queue?.shift();
    if (match === undefined) onlySim.push(index);
    else pairs.push([index, match]);
  });
  const onlyKernel = [...kernelByKey.values()].flat().sort((left, right) => left - right);
  return { pairs, onlySim, onlyKernel };
}

function normalisePart(part: StatePart, text: string, context: NormaliseContext): string {
  switch (part) {
    case "link":
      return normaliseLinks(text, context);
    case "addr":
      return normaliseAddresses(text, context);
    case "route":
      return normaliseRoutes(text);
    case "neigh":
      return normaliseNeighbours(text, context);
    case "iptablesSave":
    case "ip6tablesSave":
      return normaliseIptablesSave(text);
    case "conntrack":
      return normaliseConntrack(text);
    case "nftRuleset":
      return normaliseNftRuleset(text);
  }
}

/** One line per item (JSON arrays), or the text's own lines: what a divergence shows. */
function displayLines(part: StatePart, normalised: string): string[] {
  if (part === "iptablesSave" || part === "ip6tablesSave" || part === "conntrack" || part === "nftRuleset") return normalised.split("\n").filter((line) => line.trim() !== "");
  const parsed = JSON.parse(normalised) as unknown[];
  return parsed.map((item) => JSON.stringify(item));
}

const namespaceLabel = (name: string) => (name === "" ? "the root namespace" : `netns ${name}`);

function compareSnapshot(
  simSnapshot: StateSnapshot,
  kernelSnapshot: StateSnapshot,
  context: NormaliseContext,
  where: { location?: SourceLocation; command?: string; moment: string },
  skipped: Set<string>,
): Divergence[] {
  const divergences: Divergence[] = [];
  const base = { ...(where.location ? { location: where.location } : {}), ...(where.command ? { command: where.command } : {}) };
  const simByName = new Map(simSnapshot.namespaces.map((state) => [state.namespace, state]));
  const kernelByName = new Map(kernelSnapshot.namespaces.map((state) => [state.namespace, state]));
  const names = (states: ReadonlyMap<string, NamespaceState>) => [...states.keys()].sort().map((name) => name || '""').join(" ");
  if (names(simByName) !== names(kernelByName)) {
    divergences.push({ ...base, kind: "namespaces", what: `namespaces ${where.moment}`, sim: names(simByName), kernel: names(kernelByName) });
  }
  for (const [name, simState] of simByName) {
    const kernelState = kernelByName.get(name);
    if (!kernelState) continue;
    for (const part of STATE_PARTS) {
      const reason = simState.unavailable?.[part] ?? kernelState.unavailable?.[part];
      if (reason !== undefined) {
        skipped.add(`${PART_LABELS[part]}: ${reason}`);
        continue;
      }
      const simText = normalisePart(part, simState[part], context);
      const kernelText = normalisePart(part, kernelState[part], context);
      if (simText === kernelText) continue;
      const diff = diffLines(displayLines(part, simText), displayLines(part, kernelText));
      divergences.push({
        ...base,
        kind: "state",
        what: `${PART_LABELS[part]} in ${namespaceLabel(name)} ${where.moment}`,
        sim: diff.onlyLeft.join("\n") || "(nothing more)",
        kernel: diff.onlyRight.join("\n") || "(nothing more)",
      });
    }
  }
  return divergences;
}

/** A state that differs the same way at every later check is one divergence, reported where it first shows. */
function collapseRepeats(divergences: readonly Divergence[]): Divergence[] {
  const first = new Map<string, number>();
  const kept: Divergence[] = [];
  for (const divergence of divergences) {
    if (divergence.kind !== "state" && divergence.kind !== "namespaces") {
      kept.push(divergence);
      continue;
    }
    const key = [divergence.kind, divergence.what.replace(/ (after the probe|at the end)$/, ""), divergence.sim, divergence.kernel].join("\0");
    const index = first.get(key);
    if (index === undefined) {
      first.set(key, kept.push(divergence) - 1);
      continue;
    }
    const earlier = kept[index]!;
    kept[index] = { ...earlier, repeated: (earlier.repeated ?? 0) + 1 };
  }
  return kept;
}

/**
 * The kernel side sees the host's file system read-only (the sandbox's mount
 * namespace): a write there fails with EROFS, "Read-only file system", where
 * the simulator's own files took it. Each such line of the kernel's output
 * that the simulator's lacks; bash's own messages say the line.
 */
function hostWriteDivergences(sim: ScenarioRun, kernel: ScenarioRun): Divergence[] {
  const refused = (output: string) => output.split("\n").filter((line) => line.endsWith(": Read-only file system"));
  const simLines = refused(sim.output);
  const divergences: Divergence[] = [];
  for (const line of refused(kernel.output)) {
    const index = simLines.indexOf(line);
    if (index >= 0) {
      simLines.splice(index, 1);
      continue;
    }
    const bashMessage = /^(.*): line (\d+): /.exec(line);
    const location = bashMessage ? { file: resolve(dirname(kernel.file), bashMessage[1]!), line: Number(bashMessage[2]) } : undefined;
    divergences.push({ kind: "host-write", ...(location ? { location } : {}), what: "a write to the host's file system (read-only on the kernel side)", sim: "ok", kernel: line });
  }
  return divergences;
}

export function compareRuns(sim: ScenarioRun, kernel: ScenarioRun): Comparison {
  const divergences: Divergence[] = [];
  const skipped = new Set<string>();
  const { pairs, onlySim, onlyKernel } = alignRecords(sim.commands, kernel.commands);

  for (const index of onlySim) {
    const record = sim.commands[index]!;
    divergences.push({ kind: "only-in-sim", location: record.location, command: commandText(record), what: "command ran in one backend only", sim: `ran, exit ${record.exitCode}`, kernel: "did not run" });
  }
  for (const index of onlyKernel) {
    const record = kernel.commands[index]!;
    // The simulator records the command inside, not the wrapper; a wrapper left alone ran no networking tool.
    if (runsAnotherCommand(record.argv) && record.exitCode === 0) continue;
    divergences.push({ kind: "only-in-kernel", location: record.location, command: commandText(record), what: "command ran in one backend only", sim: "did not run", kernel: `ran, exit ${record.exitCode}` });
  }

  let probes = 0;
  for (const [simIndex, kernelIndex] of pairs.sort((left, right) => left[0] - right[0])) {
    const simRecord = sim.commands[simIndex]!;
    const kernelRecord = kernel.commands[kernelIndex]!;
    const base = { location: simRecord.location, command: commandText(simRecord) };
    if (simRecord.probe || kernelRecord.probe) {
      probes++;
      const simOutcome = simRecord.probe?.outcome ?? `no probe (exit ${simRecord.exitCode})`;
      const kernelOutcome = kernelRecord.probe?.outcome ?? `no probe (exit ${kernelRecord.exitCode})`;
      if (simOutcome !== kernelOutcome) {
        divergences.push({ ...base, kind: "probe-outcome", what: "probe outcome", sim: simOutcome, kernel: kernelOutcome });
        continue;
      }
      if (simRecord.probe?.ttl !== kernelRecord.probe?.ttl) {
        divergences.push({ ...base, kind: "ttl", what: "reply ttl", sim: String(simRecord.probe?.ttl ?? "none"), kernel: String(kernelRecord.probe?.ttl ?? "none") });
      }
      continue;
    }
    if ((simRecord.exitCode === 0) !== (kernelRecord.exitCode === 0) || simRecord.exitCode !== kernelRecord.exitCode) {
      divergences.push({ ...base, kind: "exit-status", what: "exit status", sim: `${simRecord.exitCode}${simRecord.stderr ? `: ${simRecord.stderr.trimEnd()}` : ""}`, kernel: `${kernelRecord.exitCode}${kernelRecord.stderr ? `: ${kernelRecord.stderr.trimEnd()}` : ""}` });
      continue;
    }
    if (kernelRecord.exitCode !== 0 && STABLE_ERROR_TOOLS.has(kernelRecord.argv[0] ?? "") && simRecord.stderr !== kernelRecord.stderr) {
      divergences.push({ ...base, kind: "error-text", what: "error text", sim: simRecord.stderr.trimEnd(), kernel: kernelRecord.stderr.trimEnd() });
    }
    const show = kernelRecord.exitCode === 0 ? showCommand(kernelRecord.argv) : undefined;
    if (show) {
      // Counters are compared unless a probe before (in the kernel's run) makes them unreliable.
      const reasons = kernel.commands.slice(0, kernelIndex).map(countersUnreliableAfter).filter((reason): reason is string => reason !== undefined);
      const ipv6 = ipv6CountersUnreliable(kernelRecord, show);
      if (ipv6) reasons.push(ipv6);
      const counters = reasons.length === 0;
      for (const reason of reasons) skipped.add(reason);
      const simText = normaliseShowOutput(show, simRecord.stdout, counters);
      const kernelText = normaliseShowOutput(show, kernelRecord.stdout, counters);
      if (simText !== kernelText) {
        const diff = diffLines(simText.split("\n"), kernelText.split("\n"));
        divergences.push({ ...base, kind: "show-output", what: "output", sim: diff.onlyLeft.join("\n") || "(nothing more)", kernel: diff.onlyRight.join("\n") || "(nothing more)" });
      }
    }
  }

  // States: the kernel's snapshot after its n-th command goes with the simulator's after the paired command.
  const context: NormaliseContext = { explicitMacAddresses: new Set([...explicitMacAddresses(sim.commands), ...explicitMacAddresses(kernel.commands)]) };
  const simIndexOfKernel = new Map(pairs.map(([simIndex, kernelIndex]) => [kernelIndex, simIndex]));
  const simAfter = new Map((sim.snapshots ?? []).filter((snapshot) => snapshot.after).map((snapshot) => [snapshot.after!.commandIndex, snapshot]));
  let stateChecks = 0;
  for (const kernelSnapshot of kernel.snapshots ?? []) {
    if (!kernelSnapshot.after) continue;
    const simIndex = simIndexOfKernel.get(kernelSnapshot.after.commandIndex);
    const simSnapshot = simIndex === undefined ? undefined : simAfter.get(simIndex);
    if (simIndex === undefined || !simSnapshot) continue; // its command already diverged
    stateChecks++;
    const record = sim.commands[simIndex]!;
    divergences.push(...compareSnapshot(simSnapshot, kernelSnapshot, context, { location: record.location, command: commandText(record), moment: "after the probe" }, skipped));
  }
  const simFinal = (sim.snapshots ?? []).find((snapshot) => !snapshot.after);
  const kernelFinal = (kernel.snapshots ?? []).find((snapshot) => !snapshot.after);
  if (simFinal && kernelFinal) {
    stateChecks++;
    divergences.push(...compareSnapshot(simFinal, kernelFinal, context, { moment: "at the end" }, skipped));
  }
  divergences.push(...hostWriteDivergences(sim, kernel));
  return { file: sim.file, commands: pairs.length, probes, stateChecks, divergences: collapseRepeats(divergences), skipped: [...skipped].sort() };
}
