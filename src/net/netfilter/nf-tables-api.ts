// Applying iptables changes to a namespace (net/netfilter/nf_tables_api.c as
// iptables-nft drives it: nf_tables_newrule/delrule/newchain/delchain, and
// the xt compat checkentry that refuses a target outside its table or hooks).
// The model holds every built-in chain from the first change (iptables -L
// lists them all); the kernel gets the table with the first rule, policy or
// -N, and each built-in chain only when one of those needs it (kernelChains,
// handles: what nft lists). Reading, -F and -Z make nothing.
import { fail, ok, type Errno, type KernelResult } from "../../model/errno.js";
import { BUILTIN_CHAINS, type Chain, type HookName, type Match, type NetfilterState, type Rule, type Table, type TableName } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { ConntrackFlush, IptablesCommand, IptablesOperation, IptablesRestore } from "../../model/operations.js";
import type { World } from "../../model/world.js";
import { namespaceById } from "../core/net-namespace.js";
import { rtGenidBump } from "../core/rt-genid.js";
import { ensureNetfilter } from "./netfilter-net.js";
import { xtMatchModule } from "./xt-matches.js";
import { nftNeedsConntrack } from "./nft-do-chain.js";

export { ensureNetfilter };

export function createTable(name: TableName): Table {
  return { name, chains: new Map(BUILTIN_CHAINS[name].map((hook) => [hook, { name: hook, policy: "ACCEPT", rules: [] } satisfies Chain])), generation: 0 };
}

/** NFT_MSG_NEWTABLE: the table's handle from the counter nft's tables share, and no chains yet. */
function registerTable(state: NetfilterState, table: Table): void {
  const nft = (state.nft ??= { tables: [], lastTableHandle: 0 });
  table.handle = ++nft.lastTableHandle;
  table.kernelChains = new Set();
  table.lastHandle = 0;
}

/** A chain iptables-nft makes in the kernel when it first needs it, and its table with the first (reads, -F and -Z make neither). */
function registerChain(state: NetfilterState, table: Table, name: string): void {
  if (table.handle === undefined) registerTable(state, table);
  if (!table.kernelChains || table.kernelChains.has(name)) return;
  table.kernelChains.add(name);
  // table->hgenerator: chains and rules take their handles from one counter.
  const chain = table.chains.get(name);
  if (chain && table.lastHandle !== undefined) chain.handle = ++table.lastHandle;
}

/** The chain a successful command made the kernel hold, if any. */
function chainMade(command: IptablesCommand): string | undefined {
  return command.kind === "append" || command.kind === "insert" || command.kind === "replace" || command.kind === "new-chain" || command.kind === "policy" ? command.chain : undefined;
}

function unregisterChains(table: Table, names: readonly string[]): void {
  for (const name of names) table.kernelChains?.delete(name);
}

/** The family's tables: iptables' (ip) or ip6tables' (ip6, made on first use). */
function familyTables(state: NetfilterState, family: "ip6" | undefined): Map<TableName, Table> {
  return family === "ip6" ? (state.tables6 ??= new Map()) : state.tables;
}

function ensureTable(tables: Map<TableName, Table>, name: TableName): Table {
  let table = tables.get(name);
  if (!table) {
    table = createTable(name);
    tables.set(name, table);
  }
  return table;
}

export function isBuiltinChain(table: TableName, chain: string): boolean {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

// What a rule is, for finding it again (`iptables -D/-C RULE`): its selectors,
// matches and target, as iptables-nft's rule comparison (is_same) sees them;
// not its counters, its place in the scenario, its text, nor a match's
// running state (a statistic rule's draws), nor the kernel's handle, nor the
// nft expressions of a rule nft added (recorded: iptables -C and -D find it by its xt form).
const NOT_IDENTITY = new Set(["counters", "spec", "origin", "state", "handle", "nft"]);

function identity(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(identity);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => !NOT_IDENTITY.has(key) && (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => [key, identity((value as Record<string, unknown>)[key])]),
  );
}

type PortMatch = Extract<Match, { kind: "tcp" | "udp" }>;

/**
 * A rule's matches as iptables-nft reads them back from the kernel: every
 * -m tcp (or udp) of a rule is a match of its own, each stored as payload
 * tests the kernel evaluates all of (`tcp dport 1 tcp dport 2` matches no
 * packet), but nft-shared.c reads the tests back into one tcp and one udp
 * match per rule, in the place of the first, a later port or flag test
 * over an earlier. That one match is what iptables prints and compares
 * (recorded: `--dport 4 -m tcp --dport 0:65535 -m tcp --sport 6` saves as
 * `-m tcp --sport 6 --dport 4 -m tcp`).
 */
export function mergePortMatches(matches: readonly Match[]): readonly Match[] {
  let portMatches = 0;
  for (const match of matches) if (match.kind === "tcp" || match.kind === "udp") portMatches++;
  if (portMatches < 2) return matches;
  // A match with no test left (full port ranges, no flags) goes to the kernel as the xt match itself: read back in its own place, merged with nothing.
  const tests = (match: Match) => (match.kind === "tcp" || match.kind === "udp") && (match.sourcePorts !== undefined || match.destinationPorts !== undefined || match.tcpFlags !== undefined);
  const merged: Match[] = [];
  for (const match of matches) {
    const index = tests(match) ? merged.findIndex((earlier) => earlier.kind === match.kind && tests(earlier)) : -1;
    if (index >= 0) merged[index] = { ...merged[index], ...match } as PortMatch;
    else merged.push(match);
  }
  return merged;
}

/** Whether two rules are the same rule (what `iptables -C/-D RULE` finds): alike as iptables-nft reads them back (recorded: -C `-p tcp -m tcp --dport 2` finds `-p tcp --dport 1 -m tcp --dport 2`). */
export function sameRule(a: Rule, b: Rule): boolean {
  return JSON.stringify(identity({ ...a, matches: mergePortMatches(a.matches) })) === JSON.stringify(identity({ ...b, matches: mergePortMatches(b.matches) }));
}

/**
 * The table's own copy of a rule: its fields in their order, counters of its
 * own, and the handle given. Copied with Object.assign: copies of one form
 * share a hidden class, where a spread here (a site that sees every form of
 * rule) gives each copy a class of its own, which a ruleset of 80,000 rules
 * pays for in heap and in every walk.
 */
function tableCopy(rule: Rule, handle: number | undefined): Rule {
  const copy: { -readonly [K in keyof Rule]: Rule[K] } = Object.assign({}, rule);
  copy.counters = { ...rule.counters };
  if (handle !== undefined) copy.handle = handle;
  return copy;
}

/** A rule as the kernel adds it: in the chain it needs (made first, nft_xt_builtin_init), with the table's next handle. */
function installRule(state: NetfilterState, table: Table, chain: string, rule: Rule): Rule {
  registerChain(state, table, chain);
  return tableCopy(rule, table.lastHandle !== undefined ? ++table.lastHandle : undefined);
}

/** Which hooks and tables a target may be used from (each xt target's .hooks and .table). */
const TARGET_PLACES: Partial<Record<string, { readonly table?: TableName; readonly hooks: readonly HookName[] }>> = {
  MASQUERADE: { table: "nat", hooks: ["POSTROUTING"] },
  SNAT: { table: "nat", hooks: ["POSTROUTING", "INPUT"] },
  DNAT: { table: "nat", hooks: ["PREROUTING", "OUTPUT"] },
  REDIRECT: { table: "nat", hooks: ["PREROUTING", "OUTPUT"] },
  REJECT: { hooks: ["INPUT", "FORWARD", "OUTPUT"] },
};

/** checkentry: the errno for a match or target used where the kernel refuses it (EINVAL), undefined when it is accepted. */
export function checkRule(namespace: NetworkNamespace, tableName: TableName, chain: string, rule: Rule): Errno | undefined {
  for (const match of rule.matches) {
    const module = xtMatchModule(match);
    if (module.proto !== undefined && (rule.protocol?.number !== module.proto || rule.protocol.invert)) return "EINVAL";
    const refused = module.checkentry?.(match, tableName, chain, namespace);
    if (refused !== undefined) return refused;
  }
  return checkTarget(tableName, chain, rule) ? undefined : "EINVAL";
}

function checkTarget(tableName: TableName, chain: string, rule: Rule): boolean {
  const target = rule.target;
  if (!target) return true;
  const place = TARGET_PLACES[target.kind];
  if (place) {
    if (place.table && place.table !== tableName) return false;
    if (isBuiltinChain(tableName, chain) && !place.hooks.includes(chain as HookName)) return false;
  }
  // set_target_v3_checkentry(): --map-set only from the mangle table.
  if (target.kind === "SET" && target.map && tableName !== "mangle") return false;
  if (target.kind === "REJECT" && target.with === "tcp-reset" && (rule.protocol?.number !== 6 || rule.protocol.invert)) return false;
  return true;
}

/** Whether some rule needs conntrack (nf_ct_netns_get() by a match or target). */
export function needsConntrack(state: NetfilterState): boolean {
  if (nftNeedsConntrack(state.nft)) return true;
  for (const table of state.tables.values()) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        if (rule.matches.some((match) => xtMatchModule(match).needsConntrack)) return true;
        const kind = rule.target?.kind;
        if (kind === "MASQUERADE" || kind === "SNAT" || kind === "DNAT" || kind === "REDIRECT") return true;
      }
    }
  }
  return false;
}

/** Rules (in any chain of the table) that jump or go to `chain`. */
export function chainReferences(table: Table, chain: string): number {
  let count = 0;
  for (const other of table.chains.values()) for (const rule of other.rules) if (rule.target?.kind === "jump" && rule.target.chain === chain) count++;
  return count;
}

function applyCommand(namespace: NetworkNamespace, table: Table, command: IptablesCommand): KernelResult<unknown> {
  const state = ensureNetfilter(namespace);
  table.generation++;
  switch (command.kind) {
    case "append":
    case "insert":
    case "replace": {
      const chain = table.chains.get(command.chain);
      if (!chain) return fail("ENOENT");
      const refused = checkRule(namespace, table.name, command.chain, command.rule);
      if (refused !== undefined) return fail(refused);
      if (command.kind === "append") chain.rules.push(installRule(state, table, command.chain, command.rule));
      else if (command.kind === "insert") {
        if (command.position < 1 || command.position > chain.rules.length + 1) return fail("ENOENT", "index");
        chain.rules.splice(command.position - 1, 0, installRule(state, table, command.chain, command.rule));
      } else {
        if (command.number < 1 || command.number > chain.rules.length) return fail("ENOENT");
        // The replacing rule keeps the replaced one's handle and takes none (recorded: nft -a after iptables -R).
        const replaced = chain.rules[command.number - 1]!;
        chain.rules[command.number - 1] = tableCopy(command.rule, replaced.handle);
      }
      return ok(undefined);
    }
    case "delete-rule": {
      const chain = table.chains.get(command.chain);
      if (!chain) return fail("ENOENT");
      const index = chain.rules.findIndex((rule) => sameRule(rule, command.rule));
      if (index < 0) return fail("ENOENT", "rule");
      chain.rules.splice(index, 1);
      return ok(undefined);
    }
    case "delete-number": {
      const chain = table.chains.get(command.chain);
      if (!chain || command.number < 1 || command.number > chain.rules.length) return fail("ENOENT");
      chain.rules.splice(command.number - 1, 1);
      return ok(undefined);
    }
    case "flush": {
      if (command.chain !== undefined) {
        const chain = table.chains.get(command.chain);
        if (!chain) return fail("ENOENT");
        chain.rules = [];
      } else for (const chain of table.chains.values()) chain.rules = [];
      return ok(undefined);
    }
    case "zero": {
      const chains = command.chain === undefined ? [...table.chains.values()] : [table.chains.get(command.chain)];
      if (chains.some((chain) => !chain)) return fail("ENOENT");
      for (const chain of chains) {
        chain!.rules.forEach((rule, index) => {
          if (command.number === undefined || command.number === index + 1) rule.counters = { packets: 0, bytes: 0 };
        });
        if (command.number === undefined && chain!.policyCounters) chain!.policyCounters = { packets: 0, bytes: 0 };
      }
      return ok(undefined);
    }
    case "new-chain":
      if (table.chains.has(command.chain)) return fail("EEXIST");
      table.chains.set(command.chain, { name: command.chain, rules: [] });
      return ok(undefined);
    case "delete-chain": {
      const names = command.chain === undefined ? [...table.chains.keys()].filter((name) => !isBuiltinChain(table.name, name)) : [command.chain];
      for (const name of names) {
        const chain = table.chains.get(name);
        if (!chain) return fail("ENOENT");
        if (isBuiltinChain(table.name, name) || chain.rules.length > 0 || chainReferences(table, name) > 0) return fail("EBUSY", name);
      }
      for (const name of names) table.chains.delete(name);
      unregisterChains(table, names);
      if (command.chain === undefined) {
        // __nft_chain_del(): -X of all chains deletes the kernel's built-in chains too where nft_may_delete_chain() allows it (no rules, policy ACCEPT); iptables still lists them (recorded: nft lists the table without them).
        const idle = [...table.chains.values()].filter((chain) => isBuiltinChain(table.name, chain.name) && chain.rules.length === 0 && (chain.policy ?? "ACCEPT") === "ACCEPT");
        for (const chain of idle) delete chain.policyCounters;
        unregisterChains(
          table,
          idle.map((chain) => chain.name),
        );
      }
      return ok(undefined);
    }
    case "rename-chain": {
      const chain = table.chains.get(command.chain);
      if (!chain) return fail("ENOENT");
      if (table.chains.has(command.newName)) return fail("EEXIST");
      if (isBuiltinChain(table.name, command.chain)) return fail("EOPNOTSUPP");
      const renamed: Chain = { ...chain, name: command.newName };
      const entries = [...table.chains.entries()].map(([name, value]) => (name === command.chain ? ([command.newName, renamed] as const) : ([name, value] as const)));
      table.chains = new Map(entries);
      // A rename keeps the chain's place among the kernel's chains.
      if (table.kernelChains) table.kernelChains = new Set([...table.kernelChains].map((name) => (name === command.chain ? command.newName : name)));
      // Rules refer to chains by name: jumps follow the rename (their text does too).
      for (const other of table.chains.values()) {
        other.rules = other.rules.map((rule) =>
          rule.target?.kind === "jump" && rule.target.chain === command.chain
            ? { ...rule, target: { ...rule.target, chain: command.newName }, spec: rule.spec.replace(new RegExp(`-([jg]) ${command.chain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?= |$)`), `-$1 ${command.newName}`) }
            : rule,
        );
      }
      return ok(undefined);
    }
    case "policy": {
      const chain = table.chains.get(command.chain);
      if (!chain) return fail("ENOENT");
      if (!isBuiltinChain(table.name, command.chain)) return fail("EINVAL");
      chain.policy = command.policy;
      chain.policyCounters ??= { packets: 0, bytes: 0 };
      return ok(undefined);
    }
    case "delete-table":
      // Whole tables go in applyIptables; a restore has no such line.
      return fail("EINVAL");
    case "handles-taken":
      if (table.lastHandle !== undefined) table.lastHandle += command.count;
      return ok(undefined);
  }
}

function applyIptables(world: World, operation: IptablesOperation): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const state = ensureNetfilter(namespace);
  if (operation.command.kind === "delete-table") {
    // nf_tables_deltable(): its chains and rules go with it; the next iptables write makes it again, with a new handle.
    if (familyTables(state, operation.family).get(operation.table)?.handle === undefined) return fail("ENOENT");
    familyTables(state, operation.family).delete(operation.table);
    state.conntrackEnabled = needsConntrack(state);
    state.generation++;
    return ok(undefined);
  }
  const table = ensureTable(familyTables(state, operation.family), operation.table);
  const result = applyCommand(namespace, table, operation.command);
  const made = chainMade(operation.command);
  if (result.ok && made !== undefined) registerChain(state, table, made);
  state.conntrackEnabled = needsConntrack(state);
  state.generation++;
  return result;
}

/** iptables-restore: each table is built aside and swapped in whole, so a failing command leaves the tables of this batch as they were (iptables-restore sends one batch per COMMIT). */
function applyRestore(world: World, operation: IptablesRestore): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  const state = ensureNetfilter(namespace);
  const staged = new Map<TableName, Table>();
  const tables = familyTables(state, operation.family);
  let seq = 0;
  for (const section of operation.tables) {
    const existing = staged.get(section.name) ?? tables.get(section.name);
    const table: Table = existing && operation.noflush ? { ...structuredClone(existing), generation: existing.generation + 1 } : createTable(section.name);
    // Without --noflush iptables-nft deletes the table and makes it again (a new handle: it lists last).
    if (table.handle === undefined || !(existing && operation.noflush)) registerTable(state, table);
    // Without --noflush the table starts again from its built-in chains (flushed, user chains gone).
    for (const declared of section.chains) {
      const chain = table.chains.get(declared.name);
      if (chain) {
        // nft_chain_restore(): a declared user chain that exists is flushed, --noflush or not.
        if (!isBuiltinChain(section.name, declared.name)) chain.rules = [];
        if (declared.policy) {
          chain.policy = declared.policy;
          chain.policyCounters = { ...(declared.counters ?? { packets: 0, bytes: 0 }) };
        }
      } else if (declared.policy) table.chains.set(declared.name, { name: declared.name, policy: declared.policy, policyCounters: { ...(declared.counters ?? { packets: 0, bytes: 0 }) }, rules: [] });
      else table.chains.set(declared.name, { name: declared.name, rules: [] });
      registerChain(state, table, declared.name);
    }
    for (const command of section.commands) {
      const result = applyCommand(namespace, table, command);
      if (!result.ok) return { ok: false, error: { ...result.error, seq } };
      const made = chainMade(command);
      if (made !== undefined) registerChain(state, table, made);
      seq++;
    }
    staged.set(section.name, table);
  }
  for (const [name, table] of staged) tables.set(name, table);
  state.conntrackEnabled = needsConntrack(state);
  state.generation++;
  return ok(undefined);
}

export function nfTablesApply(world: World, operation: IptablesOperation | IptablesRestore | ConntrackFlush): KernelResult<unknown> {
  // Offloaded flows (nf-flow-table.ts) stand for walks: they go stale with any change of the namespace.
  rtGenidBump(namespaceById(world, operation.namespaceId));
  switch (operation.op) {
    case "iptables":
      return applyIptables(world, operation);
    case "iptables-restore":
      return applyRestore(world, operation);
    case "conntrack-flush": {
      const namespace = namespaceById(world, operation.namespaceId);
      namespace.netfilter?.conntrack.entries.clear();
      return ok(undefined);
    }
  }
}
