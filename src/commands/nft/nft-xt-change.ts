// nft's commands on the tables iptables-nft made (nftables src/rule.c's
// do_command_add/insert/delete/flush reaching nf_tables_api.c like any
// other table's): the kernel holds one nf_tables table, the model holds it
// as iptables rules, so each command becomes the iptables change it amounts
// to (recorded: test/fixtures/nft/xt-changes). What is not recorded, or
// would leave a rule the iptables model cannot hold, is refused by name.
import type { Table } from "../../model/netfilter.js";
import type { NftCommand } from "../../model/nf-tables.js";
import type { IptablesCommand } from "../../model/operations.js";
import { applyOperation } from "../../net/index.js";
import { UnsupportedError, type CommandEnvironment } from "../command.js";
import type { Token } from "./nft-scanner.js";
import { nftRuleAsIptables } from "./nft-xt-rule.js";

function refuse(what: string): never {
  throw new UnsupportedError("nft", `nft ${what} on iptables-nft's tables is not modelled`);
}

/** The statement's command and the tokens an error points at. */
export interface XtChange {
  readonly command: NftCommand;
  /** [table, object]: what an error about the object points at. */
  readonly tokens?: readonly Token[];
  readonly span?: readonly Token[];
}

/** What the caller reports for a handle the chain does not hold: the kernel's ENOENT, with carets under these tokens. */
export type NotFound = (first: Token, last: Token) => Error;

function kernelChain(table: Table, name: string, what: string) {
  const chain = table.kernelChains?.has(name) ? table.chains.get(name) : undefined;
  // A chain the kernel lacks (a built-in one iptables-nft has not made yet): nft's error suggests a chain name, not recorded for each case.
  return chain ?? refuse(`${what} of a chain the kernel does not hold`);
}

/** The token after `handle` or `position` in the statement, and the keyword before it. */
function handleTokens(span: readonly Token[] | undefined): [Token, Token] | undefined {
  const index = span?.findIndex((token, at) => at > 0 && (span[at - 1]!.text === "handle" || span[at - 1]!.text === "position")) ?? -1;
  return index > 0 ? [span![index - 1]!, span![index]!] : undefined;
}

/** The iptables changes one nft command is, in order (none: the kernel found nothing to do); an error thrown after they are made. */
function iptablesCommands(change: XtChange, table: Table, notFound: NotFound): { readonly commands: IptablesCommand[]; readonly error?: Error } {
  const result = iptablesCommandsOrError(change, table, notFound);
  return Array.isArray(result) ? { commands: result } : result;
}

/** The token that names `name` after `jump` or `goto`. */
function jumpToken(span: readonly Token[] | undefined, name: string): Token | undefined {
  return span?.find((token, index) => index > 0 && token.text === name && (span[index - 1]!.text === "jump" || span[index - 1]!.text === "goto"));
}

function iptablesCommandsOrError(change: XtChange, table: Table, notFound: NotFound): IptablesCommand[] | { readonly commands: IptablesCommand[]; readonly error: Error } {
  const command = change.command;
  switch (command.kind) {
    case "add-table":
      // Recorded: `nft add table ip filter` over iptables-nft's table succeeds and changes nothing.
      return command.create ? refuse("create table") : [];
    case "flush-table":
      return [{ kind: "flush" }];
    case "add-chain": {
      if (command.base || command.create) refuse("base chains or create chain");
      if (table.kernelChains?.has(command.name)) return [];
      if (table.chains.has(command.name)) refuse("add chain of a built-in chain the kernel does not hold");
      return [{ kind: "new-chain", chain: command.name }];
    }
    case "delete-chain": {
      const chain = kernelChain(table, command.name, "delete chain");
      if (chain.policy !== undefined || chain.rules.length > 0) refuse("delete chain of a built-in or non-empty chain");
      return [{ kind: "delete-chain", chain: command.name }];
    }
    case "flush-chain":
      kernelChain(table, command.name, "flush chain");
      return [{ kind: "flush", chain: command.name }];
    case "delete-rule": {
      const chain = kernelChain(table, command.chain, "delete rule");
      const index = chain.rules.findIndex((rule) => rule.handle === command.handle);
      if (index < 0) {
        const tokens = handleTokens(change.span) ?? refuse("delete rule of a missing handle");
        throw notFound(tokens[1], tokens[1]);
      }
      return [{ kind: "delete-number", chain: command.chain, number: index + 1 }];
    }
    case "add-rule": {
      // Recorded: a chain the kernel does not hold is ENOENT under its name (nft_chain_lookup, before a handle is taken).
      const named = change.tokens?.[1];
      if (!table.kernelChains?.has(command.chain) && named && !table.chains.has(command.chain)) throw notFound(named, named);
      const chain = kernelChain(table, command.chain, command.insert ? "insert rule" : "add rule");
      if (command.anonymousSets > 0) refuse("rules with sets");
      if (command.rule.comment !== undefined) refuse("rules with comments");
      const rule = nftRuleAsIptables(table.name, command.chain, command.rule.expressions);
      if (rule.target?.kind === "jump" && !table.kernelChains?.has(rule.target.chain)) {
        // Recorded: ENOENT under the jump's chain, the rule's handle taken (nf_tables_newrule allocates it before nft_verdict_init).
        const token = table.chains.has(rule.target.chain) ? undefined : jumpToken(change.span, rule.target.chain);
        if (!token) refuse("jump or goto to a chain the kernel does not hold");
        return { commands: [{ kind: "handles-taken", count: 1 }], error: notFound(token, token) };
      }
      if (command.at === undefined) return [command.insert ? { kind: "insert", chain: command.chain, position: 1, rule } : { kind: "append", chain: command.chain, rule }];
      if (command.at.by !== "handle") refuse("add or insert rule at an index");
      const index = chain.rules.findIndex((candidate) => candidate.handle === command.at!.value);
      if (index < 0) {
        // Recorded: the carets go under `position N`.
        const tokens = handleTokens(change.span) ?? refuse("rules at a missing position");
        throw notFound(tokens[0], tokens[1]);
      }
      return [{ kind: "insert", chain: command.chain, position: command.insert ? index + 1 : index + 2, rule }];
    }
    default:
      return refuse(command.kind.replace("-", " "));
  }
}

/** Applies one nft command to iptables-nft's table, as the iptables changes it amounts to (check, nft -c: only what would be refused or fail). */
export function applyXtChange(change: XtChange, table: Table, environment: CommandEnvironment, notFound: NotFound, check = false): void {
  const { commands, error } = iptablesCommands(change, table, notFound);
  if (check) {
    if (error) throw error;
    return;
  }
  for (const command of commands) {
    const result = applyOperation(environment.world, { op: "iptables", namespaceId: environment.namespace.id, table: table.name, command, ...(environment.origin ? { origin: environment.origin } : {}) });
    if (!result.ok) refuse(`${change.command.kind.replace("-", " ")} the kernel refused (${result.error.errno})`);
  }
  if (error) throw error;
}

/** The handles a batch the kernel refused took in iptables-nft's table all the same: one per rule or chain it added there. */
export function takeHandles(table: Table, count: number, environment: CommandEnvironment): void {
  if (count === 0) return;
  applyOperation(environment.world, { op: "iptables", namespaceId: environment.namespace.id, table: table.name, command: { kind: "handles-taken", count }, ...(environment.origin ? { origin: environment.origin } : {}) });
}
