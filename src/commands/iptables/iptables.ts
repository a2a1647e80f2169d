// iptables (iptables 1.8.9, nf_tables backend: iptables/xtables.c,
// iptables/nft.c: nft_cmd_* and the listing in nft_rule_list/nft_rule_list_save).
// Changes become typed operations (src/model/operations.ts) that
// src/net/netfilter/nf-tables-api.ts applies; listings read the tables.
import { BUILTIN_CHAINS, type Chain, type Table, type TableName } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { IptablesCommand } from "../../model/operations.js";
import { applyOperation, chainReferences, createTable, isBuiltinChain, sameRule } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { IPTABLES_VERSION, IptablesParser, parameterProblem, type ParsedIptables } from "./iptables-parse.js";
import { missingRuleSet } from "./libxt-set.js";
import { formatCount, listHeader, listRule, type ListFormat } from "./rule-format.js";

/** The table as the kernel has it, or (for reading) the empty table iptables shows before one exists; ip6tables reads the ip6 family's. */
export function tableView(namespace: NetworkNamespace, name: TableName, family?: "ipv6"): Table {
  return (family === "ipv6" ? namespace.netfilter?.tables6 : namespace.netfilter?.tables)?.get(name) ?? createTable(name);
}

/** Chains in listing order: built-ins in hook order, then user chains sorted by name (iptables-nft's cache order). */
export function chainsInOrder(table: Table): Chain[] {
  const builtins = BUILTIN_CHAINS[table.name].map((name) => table.chains.get(name)).filter((chain): chain is Chain => chain !== undefined);
  const user = [...table.chains.values()].filter((chain) => !isBuiltinChain(table.name, chain.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...user];
}

/** Whether the chain holds a rule nft added that iptables-nft cannot parse back. */
export function holdsIncompatible(chain: Chain): boolean {
  return chain.rules.some((rule) => rule.nft?.incompatible);
}

/** `-S -v`: counters as `-c PACKETS BYTES`, on a policy line at its end, in a rule before its target (nft_rule_save()). */
function withCounters(spec: string, packets: number, bytes: number): string {
  const counters = `-c ${packets} ${bytes}`;
  const target = /(^| )-[jg] /.exec(spec);
  if (!target) return spec ? `${spec} ${counters}` : counters;
  const at = target.index + target[1]!.length;
  return `${spec.slice(0, at)}${counters} ${spec.slice(at)}`;
}

/** `-S`: -P lines, -N lines, then every rule. */
export function listRules(table: Table, chainName?: string, ruleNumber?: number, verbose = false): string {
  const chains = chainName === undefined ? chainsInOrder(table) : [table.chains.get(chainName)!];
  let text = "";
  if (ruleNumber === undefined) {
    for (const chain of chains) {
      if (!isBuiltinChain(table.name, chain.name)) continue;
      text += `-P ${chain.name} ${chain.policy ?? "ACCEPT"}${verbose ? ` -c ${chain.policyCounters?.packets ?? 0} ${chain.policyCounters?.bytes ?? 0}` : ""}\n`;
    }
    for (const chain of chains) text += isBuiltinChain(table.name, chain.name) ? "" : `-N ${chain.name}\n`;
  }
  for (const chain of chains) {
    chain.rules.forEach((rule, index) => {
      if (ruleNumber !== undefined && ruleNumber !== index + 1) return;
      const spec = verbose ? withCounters(rule.spec, rule.counters.packets, rule.counters.bytes) : rule.spec;
      text += `-A ${chain.name}${spec ? ` ${spec}` : ""}\n`;
    });
  }
  return text;
}

/** A policy counter in a `-L -v` header: xtables_print_num() with FMT_NOTABLE (K/M/G unless -x, no padding). */
function policyCount(value: number, format: ListFormat): string {
  return formatCount(value, format, true).trim();
}

/** `-L`: each chain with its header, blank lines between chains. */
export function listChains(table: Table, format: ListFormat, chainName?: string, ruleNumber?: number): string {
  const chains = chainName === undefined ? chainsInOrder(table) : [table.chains.get(chainName)!];
  if (ruleNumber !== undefined) {
    const rule = chains[0]?.rules[ruleNumber - 1];
    return rule ? `${listRule(rule, ruleNumber, format)}\n` : "";
  }
  const blocks = chains.map((chain) => {
    let header: string;
    if (isBuiltinChain(table.name, chain.name)) {
      // The policy's counters, as the base chain keeps them (0 until a policy was set); -x does not widen them.
      header = format.verbose ? `Chain ${chain.name} (policy ${chain.policy ?? "ACCEPT"} ${policyCount(chain.policyCounters?.packets ?? 0, format)} packets, ${policyCount(chain.policyCounters?.bytes ?? 0, format)} bytes)` : `Chain ${chain.name} (policy ${chain.policy ?? "ACCEPT"})`;
    } else header = `Chain ${chain.name} (${chainReferences(table, chain.name)} references)`;
    const lines = [header, listHeader(format), ...chain.rules.map((rule, index) => listRule(rule, index + 1, format))];
    return `${lines.join("\n")}\n`;
  });
  return blocks.join("\n");
}

function kernelFailure(program: string, what: string, errno: string, chain: string): CommandError {
  const text = errno === "EBUSY" ? "Device or resource busy" : errno === "EINVAL" ? "Invalid argument" : errno === "ENOENT" ? "No such file or directory" : errno === "EEXIST" ? "File exists" : errno;
  return new CommandError(`${program} ${IPTABLES_VERSION}:  ${what} failed (${text}): ${what === "CHAIN_DEL" ? "chain" : "rule in chain"} ${chain}`, 4);
}

/** Runs one parsed command against the namespace (shared with iptables-restore's line handling). */
export function executeIptables(parsed: ParsedIptables, environment: CommandEnvironment, program = "iptables"): CommandOutcome {
  const namespace = environment.namespace;
  // iptables' own answers begin with the program's name (ip6tables: ...).
  const NO_CHAIN = `${program}: No chain/target/match by that name.`;
  const missingSet = missingRuleSet(parsed.rule, namespace);
  if (missingSet !== undefined) throw parameterProblem(program, `Set ${missingSet} doesn't exist.
`);
  const table = tableView(namespace, parsed.table, parsed.family);
  const chainName = parsed.chain;
  const chain = chainName === undefined ? undefined : table.chains.get(chainName);
  const format: ListFormat = { numeric: parsed.numeric, verbose: parsed.verbose, exact: parsed.exact, lineNumbers: parsed.lineNumbers, ...(parsed.family ? { family: parsed.family } : {}) };
  const apply = (command: IptablesCommand) =>
    applyOperation(environment.world, { op: "iptables", namespaceId: namespace.id, ...(parsed.family === "ipv6" ? { family: "ip6" as const } : {}), table: parsed.table, command, ...(environment.origin ? { origin: environment.origin } : {}) });

  const requireChain = () => {
    if (!chain) throw new CommandError(NO_CHAIN, 1);
    return chain;
  };
  const checkInterfaces = () => {
    const rule = parsed.rule;
    if (!rule || chainName === undefined) return;
    if (rule.outInterface && (chainName === "INPUT" || chainName === "PREROUTING")) throw parameterProblem(program, `Can't use -o with ${chainName}\n`);
    if (rule.inInterface && (chainName === "OUTPUT" || chainName === "POSTROUTING")) throw parameterProblem(program, `Can't use -i with ${chainName}\n`);
  };
  const checkJump = () => {
    if (parsed.jumpChain !== undefined && !table.chains.has(parsed.jumpChain)) throw parameterProblem(program, `Chain '${parsed.jumpChain}' does not exist`);
    if (parsed.jumpChain !== undefined && isBuiltinChain(parsed.table, parsed.jumpChain)) throw parameterProblem(program, `Chain '${parsed.jumpChain}' does not exist`);
  };

  switch (parsed.command) {
    case "L":
    case "S": {
      if (chainName !== undefined && !chain) throw new CommandError(`${program} ${IPTABLES_VERSION}: chain \`${chainName}' in table \`${parsed.table}' is incompatible, use 'nft' tool.`, 1);
      // A rule nft added that iptables-nft cannot parse back (nft_is_table_compatible): the table, or that chain, is not listed (recorded).
      if (chainName === undefined ? [...table.chains.values()].some(holdsIncompatible) : holdsIncompatible(chain!)) {
        throw new CommandError(chainName === undefined ? `${program} ${IPTABLES_VERSION}: table \`${parsed.table}' is incompatible, use 'nft' tool.` : `${program} ${IPTABLES_VERSION}: chain \`${chainName}' in table \`${parsed.table}' is incompatible, use 'nft' tool.`, 1);
      }
      const text = parsed.command === "S" ? listRules(table, chainName, parsed.number, parsed.verbose) : listChains(table, format, chainName, parsed.number);
      return done(text);
    }
    case "A":
    case "I":
    case "R":
    case "C":
    case "D": {
      const target = requireChain();
      checkInterfaces();
      if (parsed.command === "D" && parsed.number !== undefined) {
        if (parsed.number > target.rules.length) throw new CommandError(NO_CHAIN, 1);
        apply({ kind: "delete-number", chain: target.name, number: parsed.number });
        return done("");
      }
      const rules = parsed.rules ?? [parsed.rule!];
      if (parsed.command === "C" || parsed.command === "D") {
        // iptables-nft parses the chain's rules to compare them, and fails on one it cannot (recorded for ct: "Error: cmp sreg undef"; others not).
        if (holdsIncompatible(target)) throw new UnsupportedError(`-${parsed.command}`, `${program} -${parsed.command} in a chain holding an nft rule iptables-nft cannot parse is not modelled`);
        for (const rule of rules) {
          const found = target.rules.some((candidate) => sameRule(candidate, rule));
          if (!found) throw new CommandError(`${program}: Bad rule (does a matching rule exist in that chain?).`, 1);
          if (parsed.command === "D") apply({ kind: "delete-rule", chain: target.name, rule });
        }
        return done("");
      }
      checkJump();
      if (parsed.command === "I" && (parsed.number ?? 1) > target.rules.length + 1) throw new CommandError(`${program}: Index of insertion too big.`, 1);
      if (parsed.command === "R" && (parsed.number ?? 0) > target.rules.length) throw new CommandError(NO_CHAIN, 1);
      if (parsed.command === "R" && rules.length > 1) throw parameterProblem(program, "-R requires a single source and destination");
      // One rule per source and destination; -I puts each at the same place, so the last ends first (nft_cmd_rule_insert per address).
      for (const rule of rules) {
        const withOrigin = environment.origin ? { ...rule, origin: environment.origin } : rule;
        const command: IptablesCommand =
          parsed.command === "A"
            ? { kind: "append", chain: target.name, rule: withOrigin }
            : parsed.command === "I"
              ? { kind: "insert", chain: target.name, position: parsed.number ?? 1, rule: withOrigin }
              : { kind: "replace", chain: target.name, number: parsed.number!, rule: withOrigin };
        const result = apply(command);
        if (!result.ok) throw kernelFailure(program, parsed.command === "A" ? "RULE_APPEND" : parsed.command === "I" ? "RULE_INSERT" : "RULE_REPLACE", result.error.errno, target.name);
      }
      return done("");
    }
    case "F":
    case "Z": {
      if (chainName !== undefined) requireChain();
      apply(parsed.command === "F" ? { kind: "flush", ...(chainName !== undefined ? { chain: chainName } : {}) } : { kind: "zero", ...(chainName !== undefined ? { chain: chainName } : {}), ...(parsed.number !== undefined ? { number: parsed.number } : {}) });
      return done("");
    }
    case "N": {
      const name = chainName!;
      if (name.length > 28) throw parameterProblem(program, `chain name \`${name}' too long (must be under 29 chars)`);
      if (name.startsWith("-")) throw parameterProblem(program, "chain name not allowed to start with `-'\n");
      if (["ACCEPT", "DROP", "RETURN", "QUEUE"].includes(name)) throw parameterProblem(program, `chain name may not clash with target name\n`);
      if (table.chains.has(name)) throw new CommandError(`${program}: Chain already exists.`, 1);
      apply({ kind: "new-chain", chain: name });
      return done("");
    }
    case "X": {
      if (chainName !== undefined) requireChain();
      const result = apply({ kind: "delete-chain", ...(chainName !== undefined ? { chain: chainName } : {}) });
      if (!result.ok) throw kernelFailure(program, "CHAIN_DEL", result.error.errno, result.error.extack ?? chainName ?? "");
      return done("");
    }
    case "P": {
      const policy = parsed.policy!;
      if (policy !== "ACCEPT" && policy !== "DROP") throw new CommandError(`${program}: Bad policy name. Run \`dmesg' for more information.`, 1);
      if (!isBuiltinChain(parsed.table, chainName!)) throw new CommandError(`${program}: Bad built-in chain name.`, 1);
      apply({ kind: "policy", chain: chainName!, policy });
      return done("");
    }
    case "E": {
      requireChain();
      if (table.chains.has(parsed.newName!)) throw new CommandError(`${program}: File exists.`, 1);
      if (parsed.newName!.length > 28) throw parameterProblem(program, `chain name \`${parsed.newName}' too long (must be under 29 chars)`);
      apply({ kind: "rename-chain", chain: chainName!, newName: parsed.newName! });
      return done("");
    }
  }
}

/** The check before the run: the whole command line, matches and targets with their options. */
export function checkIptables(argv: readonly string[]): undefined {
  new IptablesParser("iptables").parse(argv);
  return undefined;
}

/** ip6tables: the same front end for the ip6 family's tables (IPv6 addresses, icmp6, ip6t_REJECT). */
export function checkIp6tables(argv: readonly string[]): undefined {
  new IptablesParser("ip6tables").parse(argv);
  return undefined;
}

export function ip6tables(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  return iptables(argv, environment, "ip6tables");
}

export function iptables(argv: readonly string[], environment: CommandEnvironment, program = "iptables"): CommandOutcome {
  const parsed = new IptablesParser(program).parse(argv);
  if (parsed.notices === "") return executeIptables(parsed, environment, program);
  // What the parser wrote to stderr comes first, whatever the command then prints or fails with.
  try {
    const outcome = executeIptables(parsed, environment, program);
    return outcome.kind === "done" ? { ...outcome, stderr: parsed.notices + outcome.stderr } : outcome;
  } catch (error) {
    if (error instanceof CommandError) throw new CommandError(parsed.notices + error.text, error.exitCode, error.stdout);
    throw error;
  }
}
