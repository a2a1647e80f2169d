// An nft batch (net/netfilter/nf_tables_api.c as nft drives it: one
// transaction of NFT_MSG_NEWTABLE/NEWCHAIN/NEWRULE/NEWSET/NEWSETELEM and
// their DEL and flush messages; nf_tables_commit() or, on the first error,
// __nf_tables_abort(): nothing changes). Each table hands out handles to its
// chains, sets and rules from one counter (table->hgenerator); tables get
// theirs from the namespace's.
import { fail, ok, type Errno, type KernelResult } from "../../model/errno.js";
import type { NftBaseChain, NftChain, NftCommand, NftElement, NftNatStatement, NftRule, NftRuleset, NftSet, NftTable, NftVerdict } from "../../model/nf-tables.js";
import type { SourceLocation } from "../../model/location.js";
import type { NftBatch } from "../../model/operations.js";
import type { World } from "../../model/world.js";
import { namespaceById } from "../core/net-namespace.js";
import { rtGenidBump } from "../core/rt-genid.js";
import { ensureNetfilter, needsConntrack } from "./nf-tables-api.js";

/**
 * A failing message: its errno, and as the extack text its place in the
 * batch (`N`, or `N WHAT`: `table` when its table does not exist, which nft
 * finds in its cache before the kernel is asked; `handle`, `jump CHAIN`,
 * `element`, `vmap CHAIN` (an anonymous verdict map's element naming a
 * missing chain): the part the kernel refused; `set NAME`, a dynset's
 * missing set, which nft finds in its cache too; `command`: no part, the
 * table's validation refused it) for the tool to point at.
 */
function refuse(errno: Errno, index: number, what?: string): KernelResult<unknown> {
  return fail(errno, what !== undefined ? `${index} ${what}` : String(index));
}

function findTable(ruleset: NftRuleset, family: string, name: string): NftTable | undefined {
  return ruleset.tables.find((table) => table.family === family && table.name === name);
}

function sameKey(a: NftElement, b: NftElement): boolean {
  return JSON.stringify(a.key) === JSON.stringify(b.key);
}

function installRule(table: NftTable, spec: Omit<NftRule, "handle">, anonymousSets: number, origin: SourceLocation | undefined): NftRule {
  table.lastHandle += anonymousSets;
  return { handle: ++table.lastHandle, ...spec, ...(origin ? { origin } : {}) };
}

/** Chains a rule's anonymous verdict maps' elements name (their NEWSETELEM goes before the rule's NEWRULE). */
function mapJumpsTo(rule: Omit<NftRule, "handle">): string[] {
  const names: string[] = [];
  for (const expression of rule.expressions) {
    if (expression.kind === "vmap" && expression.map.kind === "set") {
      for (const element of expression.map.elements) if (element.data?.kind === "verdict" && "chain" in element.data.verdict) names.push(element.data.verdict.chain);
    }
  }
  return names;
}

/** Chains a rule's own verdicts name. */
function verdictJumpsTo(rule: Omit<NftRule, "handle">): string[] {
  const names: string[] = [];
  for (const expression of rule.expressions) if (expression.kind === "verdict" && (expression.verdict.kind === "jump" || expression.verdict.kind === "goto")) names.push(expression.verdict.chain);
  return names;
}

function chainInUse(table: NftTable, name: string): boolean {
  for (const chain of table.chains.values()) for (const rule of chain.rules) if (mapJumpsTo(rule).includes(name) || verdictJumpsTo(rule).includes(name)) return true;
  for (const set of table.sets.values()) for (const element of set.elements) if (element.data?.kind === "verdict" && "chain" in element.data.verdict && element.data.verdict.chain === name) return true;
  return false;
}

/**
 * nft_add_set_elem(): an element's own timeout (or its expires) needs a set
 * with timeouts (NFT_SET_TIMEOUT, which a set's default timeout sets too),
 * else EINVAL (undefined here); it expires after its expires, its own
 * timeout or the set's, from now (virtual clock, µs).
 */
function timedElement(set: Pick<NftSet, "flags" | "timeout">, element: NftElement, now: number): NftElement | undefined {
  const { expiresIn, ...rest } = element;
  const timed = set.flags.includes("timeout") || set.timeout !== undefined;
  if (!timed) return rest.timeout !== undefined || expiresIn !== undefined ? undefined : rest;
  const left = expiresIn ?? rest.timeout ?? set.timeout;
  return left === undefined ? rest : { ...rest, expires: now + left * 1000 };
}

/** One command of a batch; `origin` is the scenario line of the batch, kept on the rules it adds (explain points at it). */
function apply(ruleset: NftRuleset, command: NftCommand, index: number, now: number, origin?: SourceLocation): KernelResult<unknown> {
  if (command.kind === "flush-ruleset") {
    ruleset.tables = [];
    return ok(undefined);
  }
  if (command.kind === "add-table") {
    if (findTable(ruleset, command.family, command.name)) return command.create ? refuse("EEXIST", index) : ok(undefined);
    ruleset.tables.push({ family: command.family, name: command.name, handle: ++ruleset.lastTableHandle, chains: new Map(), sets: new Map(), lastHandle: 0, ...(command.comment !== undefined ? { comment: command.comment } : {}) });
    return ok(undefined);
  }
  const table = findTable(ruleset, command.family, command.kind === "delete-table" || command.kind === "flush-table" ? command.name : command.table);
  if (!table) return refuse("ENOENT", index, command.kind === "delete-table" || command.kind === "flush-table" ? undefined : "table");
  switch (command.kind) {
    case "delete-table":
      ruleset.tables = ruleset.tables.filter((other) => other !== table);
      return ok(undefined);
    case "flush-table":
      for (const chain of table.chains.values()) chain.rules = [];
      for (const set of table.sets.values()) set.elements = [];
      return ok(undefined);
    case "add-chain": {
      const existing = table.chains.get(command.name);
      if (existing) {
        if (command.create) return refuse("EEXIST", index);
        // An update may change only the policy of a base chain, and only when one is given (nf_tables_updchain);
        // the kernel names no attribute for the rest, so nft points at the whole command.
        if (command.base && (!existing.base || command.base.hook !== existing.base.hook || command.base.priority !== existing.base.priority || command.base.type !== existing.base.type)) return refuse("EOPNOTSUPP", index, "command");
        if (existing.base && command.policy !== undefined) existing.base.policy = command.policy;
        return ok(undefined);
      }
      const chain: NftChain = { name: command.name, handle: ++table.lastHandle, ...(command.base ? { base: { ...command.base } } : {}), ...(command.comment !== undefined ? { comment: command.comment } : {}), rules: [] };
      table.chains.set(command.name, chain);
      return ok(undefined);
    }
    case "delete-chain": {
      const chain = table.chains.get(command.name);
      if (!chain) return refuse("ENOENT", index);
      if (chain.rules.length > 0 || chainInUse(table, command.name)) return refuse("EBUSY", index);
      table.chains.delete(command.name);
      return ok(undefined);
    }
    case "flush-chain": {
      const chain = table.chains.get(command.name);
      if (!chain) return refuse("ENOENT", index);
      chain.rules = [];
      return ok(undefined);
    }
    case "add-rule": {
      const chain = table.chains.get(command.chain);
      if (!chain) return refuse("ENOENT", index);
      // nft_verdict_init(): a chain is found if this batch added it before (the next generation), not after.
      // The anonymous map's element goes first; then the rule (and its sets) took handles before its verdict's chain was found missing.
      const missing = mapJumpsTo(command.rule).find((name) => !table.chains.has(name));
      if (missing !== undefined) {
        table.lastHandle += command.anonymousSets + 1;
        return refuse("ENOENT", index, `vmap ${missing}`);
      }
      for (const name of verdictJumpsTo(command.rule)) {
        if (table.chains.has(name)) continue;
        table.lastHandle += command.anonymousSets + 1;
        return refuse("ENOENT", index, `jump ${name}`);
      }
      // A set a dynset statement names must be there (nft finds it missing in its cache, before the kernel is asked).
      for (const expression of command.rule.expressions) if (expression.kind === "dynset" && !table.sets.has(expression.set)) return refuse("ENOENT", index, `set ${expression.set}`);
      let at: number;
      if (command.at === undefined) at = command.insert ? 0 : chain.rules.length;
      else if (command.at.by === "handle") {
        const found = chain.rules.findIndex((rule) => rule.handle === command.at!.value);
        if (found < 0) return refuse("ENOENT", index, "handle");
        at = command.insert ? found : found + 1;
      } else {
        if (command.at.value >= chain.rules.length && !(command.at.value === 0 && chain.rules.length === 0)) return refuse("ENOENT", index);
        at = command.insert ? command.at.value : command.at.value + 1;
      }
      chain.rules.splice(at, 0, installRule(table, command.rule, command.anonymousSets, origin));
      // nft_dynset_init(): a set a dynset statement fills gets the default size when it has none.
      for (const expression of command.rule.expressions) {
        const set = expression.kind === "dynset" ? table.sets.get(expression.set) : undefined;
        if (set) set.size ??= 65535;
      }
      return ok(undefined);
    }
    case "replace-rule": {
      const chain = table.chains.get(command.chain);
      if (!chain) return refuse("ENOENT", index);
      const found = chain.rules.findIndex((rule) => rule.handle === command.handle);
      if (found < 0) return refuse("ENOENT", index, "handle");
      table.lastHandle += command.anonymousSets;
      chain.rules[found] = { handle: command.handle, ...command.rule };
      return ok(undefined);
    }
    case "delete-rule": {
      const chain = table.chains.get(command.chain);
      if (!chain) return refuse("ENOENT", index);
      const found = chain.rules.findIndex((rule) => rule.handle === command.handle);
      if (found < 0) return refuse("ENOENT", index, "handle");
      chain.rules.splice(found, 1);
      return ok(undefined);
    }
    case "add-set": {
      const existing = table.sets.get(command.set.name);
      if (existing) {
        if (command.create) return refuse("EEXIST", index);
        for (const element of command.set.elements) {
          const timed = timedElement(existing, element, now);
          if (!timed) return refuse("EINVAL", index, "element");
          if (!existing.elements.some((other) => sameKey(other, element))) existing.elements.push(timed);
        }
        return ok(undefined);
      }
      const elements = command.set.elements.map((element) => timedElement(command.set, element, now));
      if (elements.some((element) => element === undefined)) return refuse("EINVAL", index, "element");
      table.sets.set(command.set.name, { ...command.set, handle: ++table.lastHandle, elements: elements as NftElement[] });
      return ok(undefined);
    }
    case "delete-set": {
      if (!table.sets.has(command.name)) return refuse("ENOENT", index);
      table.sets.delete(command.name);
      return ok(undefined);
    }
    case "flush-set": {
      const set = table.sets.get(command.name);
      if (!set) return refuse("ENOENT", index);
      set.elements = [];
      return ok(undefined);
    }
    case "add-element":
    case "delete-element": {
      const set = table.sets.get(command.set);
      if (!set) return refuse("ENOENT", index);
      for (const element of command.elements) {
        if (set.dataType === "verdict" && element.data?.kind === "verdict" && "chain" in element.data.verdict && !table.chains.has(element.data.verdict.chain)) return refuse("ENOENT", index, "element");
        const found = set.elements.findIndex((other) => sameKey(other, element));
        if (command.kind === "add-element") {
          const timed = timedElement(set, element, now);
          if (!timed) return refuse("EINVAL", index, "element");
          if (found < 0) set.elements.push(timed);
        } else {
          if (found < 0) return refuse("ENOENT", index);
          set.elements.splice(found, 1);
        }
      }
      return ok(undefined);
    }
  }
}

/**
 * The hooks each nat statement's validate() lets it run at, in a nat chain
 * only (nft_chain_validate_dependency NFT_CHAIN_T_NAT, then
 * nft_chain_validate_hooks): nft_redir and dnat before routing or on
 * output, nft_masq after routing, snat after routing or on input.
 */
const NAT_HOOKS: Readonly<Record<NftNatStatement["type"], readonly string[]>> = {
  redirect: ["prerouting", "output"],
  dnat: ["prerouting", "output"],
  masquerade: ["postrouting"],
  snat: ["postrouting", "input"],
};

/** The chains a rule's verdicts send a packet to: its own jump or goto, its verdict maps' (anonymous or named) elements. */
function rulePassesTo(table: NftTable, rule: Omit<NftRule, "handle">): string[] {
  const names: string[] = [];
  const add = (verdict: NftVerdict) => {
    if (verdict.kind === "jump" || verdict.kind === "goto") names.push(verdict.chain);
  };
  for (const expression of rule.expressions) {
    if (expression.kind === "verdict") add(expression.verdict);
    if (expression.kind !== "vmap") continue;
    const elements = expression.map.kind === "set" ? expression.map.elements : (table.sets.get(expression.map.name)?.elements ?? []);
    for (const element of elements) if (element.data?.kind === "verdict") add(element.data.verdict);
  }
  return names;
}

/**
 * nft_table_validate(): each base chain's rules, and those of every chain
 * they jump or go to (the base chain's context carried down), must be
 * allowed at the base chain's hook and type. False: EOPNOTSUPP.
 */
function tableValid(table: NftTable): boolean {
  const chainValid = (chain: NftChain, base: NftBaseChain, seen: Set<string>): boolean => {
    if (seen.has(chain.name)) return true;
    seen.add(chain.name);
    for (const rule of chain.rules) {
      for (const expression of rule.expressions) if (expression.kind === "nat" && (base.type !== "nat" || !NAT_HOOKS[expression.type].includes(base.hook))) return false;
      for (const name of rulePassesTo(table, rule)) {
        const next = table.chains.get(name);
        if (next && !chainValid(next, base, seen)) return false;
      }
    }
    return true;
  };
  for (const chain of table.chains.values()) if (chain.base && !chainValid(chain, chain.base, new Set())) return false;
  return true;
}

/** A copy of the ruleset to apply a batch to (counters and all: a failed batch leaves the original as it was). */
function stage(ruleset: NftRuleset): NftRuleset {
  return structuredClone(ruleset);
}

/**
 * nfnetlink_rcv_batch() and nf_tables_commit(): every message applied in
 * order, or none. A failing message does not stop the batch: the kernel goes
 * on with the rest (each one's error acked, for nft to print them all) and
 * aborts at the end. The failures come back in one extack, a line
 * `ERRNO N [WHAT]` each (refuse()'s text after the errno).
 */
export function nfTablesCommit(world: World, operation: NftBatch): KernelResult<unknown> {
  const namespace = namespaceById(world, operation.namespaceId);
  rtGenidBump(namespace); // offloaded flows stand for walks (nf-flow-table.ts)
  const state = ensureNetfilter(namespace);
  const current = state.nft ?? { tables: [], lastTableHandle: 0 };
  let staged = stage(current);
  const failures: { readonly errno: Errno; readonly extack: string }[] = [];
  for (let index = 0; index < operation.commands.length; index++) {
    const result = apply(staged, operation.commands[index]!, index, world.clock, operation.origin);
    if (!result.ok) failures.push({ errno: result.error.errno, extack: result.error.extack ?? String(index) });
  }
  if (failures.length === 0 && !staged.tables.every(tableValid)) {
    // nf_tables_validate() failed at commit: -EAGAIN, and nfnetlink replays the batch (the handles the first pass took stay taken) with
    // validation on, each NEWRULE and NEWSETELEM validating its table at once: the first to make it invalid and every one after fail.
    const replay = stage(current);
    for (const table of replay.tables) {
      const first = staged.tables.find((other) => other.handle === table.handle && other.name === table.name && other.family === table.family);
      if (first) table.lastHandle = first.lastHandle;
    }
    for (let index = 0; index < operation.commands.length; index++) {
      const command = operation.commands[index]!;
      apply(replay, command, index, world.clock, operation.origin);
      if (command.kind !== "add-rule" && command.kind !== "replace-rule" && command.kind !== "add-element") continue;
      const table = findTable(replay, command.family, command.table);
      if (table && !tableValid(table)) failures.push({ errno: "EOPNOTSUPP", extack: `${index} command` });
    }
    staged = replay;
  }
  if (failures.length > 0) {
    // The abort undoes the batch but not the handles it took: a table's counter only moves on (tables made by the batch go).
    for (const table of staged.tables) {
      const original = current.tables.find((other) => other.handle === table.handle && other.name === table.name && other.family === table.family);
      if (original) original.lastHandle = table.lastHandle;
    }
    return fail(failures[0]!.errno, failures.map((failure) => `${failure.errno} ${failure.extack}`).join("\n"));
  }
  state.nft = staged;
  state.conntrackEnabled = needsConntrack(state);
  state.generation++;
  return ok(undefined);
}
