// nft (nftables src/main.c, libnftables.c: nft_run_cmd_from_buffer /
// nft_run_cmd_from_filename; erec.c: erec_print's caret lines): the command
// line or a file parsed into one batch the kernel applies whole
// (net/netfilter/nf-tables-commit.ts), and `list` printed as nft 1.0.6 does.
import { STRERROR, type Errno } from "../../model/errno.js";
import type { Chain, Table } from "../../model/netfilter.js";
import type { NftChain, NftCommand, NftExpression, NftRuleset, NftSet, NftTable } from "../../model/nf-tables.js";
import { applyOperation } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { chainObjects, listingJson, setJson, tableJson, tableObjects } from "./nft-json.js";
import { NftSyntaxError, NftSyntaxErrors, parseNft, type NftListRequest, type NftStatement } from "./nft-parse.js";
import { setText, tableText, chainText, type PrintOptions } from "./nft-print.js";
import { ScanError, type Token } from "./nft-scanner.js";
import { iptablesChainObjects, iptablesTableJson, iptablesTableObjects, iptablesTableText, iptablesTableWarning, kernelChains } from "./nft-xt.js";
import { applyXtChange, takeHandles } from "./nft-xt-change.js";

interface Source {
  /** The file name as given to -f (undefined: the command line). */
  readonly file?: string;
  readonly text: string;
}

/**
 * erec_print(): the message, the source line, carets under the columns the
 * error is about and tildes under the statement it is in, when one is named
 * on the same line before it (tabs kept so they line up).
 */
function errorText(source: Source, first: Token, last: Token, message: string, context?: Token): string {
  const lines = source.text.split("\n");
  const line = lines[first.line - 1] ?? "";
  const end = last.line === first.line ? Math.max(last.last, first.first) : line.length;
  const marks: string[] = [];
  for (let column = 1; column < first.first; column++) marks.push(line[column - 1] === "\t" ? "\t" : " ");
  if (context !== undefined && context.line === first.line) for (let column = context.first; column <= context.last && column < first.first; column++) marks[column - 1] = "~";
  let carets = marks.join("");
  carets += "^".repeat(Math.max(1, end - first.first + 1));
  const where = source.file !== undefined ? `${source.file}:${first.line}:${first.first}-${end}: ` : "";
  return `${where}Error: ${message}\n${line}\n${carets}\n`;
}

function rulesetOf(environment: CommandEnvironment): NftRuleset {
  return environment.namespace.netfilter?.nft ?? { tables: [], lastTableHandle: 0 };
}

/** The iptables-nft tables the kernel holds (made by a rule, a policy or -N), by name. */
function iptablesTables(environment: CommandEnvironment): Table[] {
  return [...(environment.namespace.netfilter?.tables.values() ?? [])].filter((table) => table.handle !== undefined);
}

/** ip6tables' tables (iptables-nft's ip6 family) the kernel holds. */
function ip6tablesTables(environment: CommandEnvironment): Table[] {
  return [...(environment.namespace.netfilter?.tables6?.values() ?? [])].filter((table) => table.handle !== undefined);
}

/** A table of the ruleset: nft's own or one iptables-nft made (listed through nft-xt.ts), of the ip family or ip6. */
type AnyTable = { readonly nft: NftTable } | { readonly xt: Table; readonly family: "ip" | "ip6" };

/** Every table in the kernel's order (creation order: the handles nft's and iptables-nft's tables share). */
function allTables(environment: CommandEnvironment): AnyTable[] {
  const ruleset = rulesetOf(environment);
  const xt = iptablesTables(environment);
  // A table both made (nft add table ip filter, then iptables) is one table in the kernel; the model keeps two.
  const clash = xt.find((table) => findTable(ruleset, "ip", table.name));
  if (clash) throw new UnsupportedError("list", `nft list with both an nft table ip ${clash.name} and iptables-nft's is not modelled: the kernel holds them as one table`);
  const tables: (AnyTable & { readonly handle: number })[] = [
    ...ruleset.tables.map((table) => ({ nft: table, handle: table.handle })),
    ...xt.map((table) => ({ xt: table, family: "ip" as const, handle: table.handle! })),
    ...ip6tablesTables(environment).map((table) => ({ xt: table, family: "ip6" as const, handle: table.handle! })),
  ];
  return tables.sort((a, b) => a.handle - b.handle);
}

/**
 * The iptables-nft table an nft command changes, if any: the kernel holds
 * it as one nf_tables table, the model as iptables rules, so the command is
 * applied as the iptables change it amounts to (nft-xt-change.ts).
 */
function iptablesTableChanged(command: NftCommand, xt: readonly Table[]): Table | undefined {
  if (command.kind === "flush-ruleset") return undefined;
  const name = "table" in command ? command.table : command.name;
  return command.family === "ip" ? xt.find((candidate) => candidate.name === name) : undefined;
}

type BatchStatement = Extract<NftStatement, { kind: "batch" }>;

/** The errors of a failed nft commit (its extack lines, `ERRNO N [WHAT [NAME]]`), for the statements it was sent. */
function commitErrors(extack: string, batch: readonly BatchStatement[], source: Source): string {
  // One error per failing message, in batch order; a missing table is nft's own finding, before anything is sent.
  const failures = extack.split("\n").map((line) => line.split(" "));
  const inCache = failures.filter(([, , what]) => what === "table" || what === "set");
  let text = "";
  for (const [errno, where, what, name] of inCache.length > 0 ? inCache : failures) {
    const failed = batch[Number(where)] ?? batch[0]!;
    const message = what === "table" || what === "set" ? STRERROR[errno as Errno] : `Could not process rule: ${STRERROR[errno as Errno]}`;
    // `command`: the kernel named no part (nft_table_validate's EOPNOTSUPP), so nft points at the whole command.
    const part = what === "table" ? failed.tokens[0]! : what === "command" && failed.whole ? ([...failed.whole] as [Token, Token]) : (refusedPart(failed.span, what, name) ?? failed.tokens[1] ?? failed.tokens[0]!);
    const [first, last] = Array.isArray(part) ? part : [part, part];
    text += errorText(source, first, last, message);
  }
  return text;
}

function applyNft(batch: readonly BatchStatement[], environment: CommandEnvironment, source: Source): void {
  const result = applyOperation(environment.world, { op: "nft", namespaceId: environment.namespace.id, commands: batch.map((statement) => statement.command), ...(environment.origin ? { origin: environment.origin } : {}) });
  if (!result.ok) throw new CommandError(commitErrors(result.error.extack ?? `${result.error.errno} 0`, batch, source), 1);
}

function deleteIptablesTable(table: Table, environment: CommandEnvironment): void {
  const result = applyOperation(environment.world, { op: "iptables", namespaceId: environment.namespace.id, table: table.name, command: { kind: "delete-table" }, ...(environment.origin ? { origin: environment.origin } : {}) });
  if (!result.ok) throw new UnsupportedError("delete", `nft delete table ip ${table.name} the model refused (${result.error.errno})`);
}

/** The chain a rule's jump or goto names. */
function verdictTarget(expressions: readonly NftExpression[]): string | undefined {
  const verdict = expressions.find((expression) => expression.kind === "verdict");
  return verdict?.kind === "verdict" && (verdict.verdict.kind === "jump" || verdict.verdict.kind === "goto") ? verdict.verdict.chain : undefined;
}

/** nft commands that cannot fail beside iptables-nft's tables: what may stand next to a change of those tables that fails. */
const CANNOT_FAIL = (command: NftCommand) => command.kind === "add-table" && !command.create;

/**
 * A batch that changes iptables-nft's tables, with nft's own commands or
 * several of its own: one transaction in the kernel. The model checks the
 * changes to iptables-nft's tables first, in order (the chains the batch
 * adds or deletes counted as it goes: a rule's chain or jump missing is
 * ENOENT, recorded), then commits nft's part (its errors as for any
 * batch), then applies the changes as iptables changes; a batch whose
 * check fails changes nothing. `delete table` and `flush ruleset` remove
 * iptables-nft's tables (made again by iptables' next write, recorded).
 */
function applyWithIptablesTables(batch: readonly BatchStatement[], xt: readonly Table[], environment: CommandEnvironment, source: Source, check: boolean): void {
  const refuse = (what: string): never => {
    throw new UnsupportedError("nft", `an nft batch ${what} is not modelled`);
  };
  const notFound = (first: Token, last: Token) => new CommandError(errorText(source, first, last, "Could not process rule: No such file or directory"), 1);
  const flushRuleset = batch.some((statement) => statement.command.kind === "flush-ruleset");
  const chains = new Map(xt.map((table) => [table.name, new Set(table.kernelChains ?? [])] as const));
  const deleted = new Set<string>();
  const nftPart: BatchStatement[] = [];
  const xtPart: { readonly statement: BatchStatement; readonly table: Table }[] = [];
  let errors = "";
  // The handles the batch's rules and chains take in each table (nf_tables_alloc_handle), kept when the kernel refuses the batch.
  const taken = new Map<Table, number>();
  const take = (table: Table) => taken.set(table, (taken.get(table) ?? 0) + 1);
  for (const statement of batch) {
    const command = statement.command;
    const table = iptablesTableChanged(command, xt);
    if (!table) {
      nftPart.push(statement);
      continue;
    }
    if (flushRuleset) refuse("that flushes the ruleset and changes iptables-nft's tables");
    if (deleted.has(table.name)) refuse(`that changes iptables-nft's table ip ${table.name} after deleting it`);
    const held = chains.get(table.name)!;
    switch (command.kind) {
      case "delete-table":
        deleted.add(table.name);
        break;
      case "add-chain":
        if (!held.has(command.name)) take(table);
        held.add(command.name);
        break;
      case "delete-chain":
        held.delete(command.name);
        break;
      case "add-rule": {
        if (!held.has(command.chain)) {
          errors += errorText(source, statement.tokens[1]!, statement.tokens[1]!, "Could not process rule: No such file or directory");
          continue;
        }
        take(table);
        const target = verdictTarget(command.rule.expressions);
        if (target !== undefined && !held.has(target)) {
          const part = refusedPart(statement.span, "jump", target);
          if (!part || Array.isArray(part)) return refuse("jump to a missing chain without its tokens");
          errors += errorText(source, part, part, "Could not process rule: No such file or directory");
          continue;
        }
        break;
      }
    }
    // What the change would be refused for, before anything is changed (a chain this batch adds is not there yet to check against).
    const chain = "chain" in command ? command.chain : undefined;
    const jumpsTo = command.kind === "add-rule" ? verdictTarget(command.rule.expressions) : undefined;
    const there = (name: string | undefined) => name === undefined || table.kernelChains?.has(name);
    if (command.kind !== "delete-table" && there(chain) && there(jumpsTo)) applyXtChange(statement, table, environment, notFound, true);
    xtPart.push({ statement, table });
  }
  if (errors !== "") {
    if (!nftPart.every((statement) => CANNOT_FAIL(statement.command))) refuse("with a failing change to iptables-nft's tables beside nft commands that may fail too");
    if (!check) for (const [table, count] of taken) takeHandles(table, count, environment);
    throw new CommandError(errors, 1);
  }
  if (check) return;
  if (nftPart.length > 0) applyNft(nftPart, environment, source);
  for (const { statement, table } of xtPart) {
    if (statement.command.kind === "delete-table") deleteIptablesTable(table, environment);
    else applyXtChange(statement, table, environment, notFound);
  }
  if (flushRuleset) for (const table of xt) deleteIptablesTable(table, environment);
}

function findTable(ruleset: NftRuleset, family: string, name: string): NftTable | undefined {
  return ruleset.tables.find((table) => table.family === family && table.name === name);
}

/** What a listing shows: whole tables, or one chain or set of a table (the text and JSON printers print the same). */
type Listed = { readonly tables: readonly AnyTable[]; readonly namesOnly?: true } | { readonly table: NftTable; readonly chain: NftChain } | { readonly table: NftTable; readonly set: NftSet } | { readonly xtTable: Table; readonly xtChain: Chain; readonly family: "ip" | "ip6" };

function listed(request: NftListRequest, environment: CommandEnvironment, source: Source): Listed {
  const ruleset = rulesetOf(environment);
  switch (request.what) {
    case "ruleset":
      return { tables: allTables(environment) };
    case "tables":
      return { tables: allTables(environment), namesOnly: true };
  }
  const notFound = (token: Token) => new CommandError(errorText(source, token, token, "No such file or directory"), 1);
  const xtFamily = request.family === "ip6" ? "ip6" : "ip";
  const xt = request.family === "ip" ? iptablesTables(environment).find((table) => table.name === request.table) : request.family === "ip6" ? ip6tablesTables(environment).find((table) => table.name === request.table) : undefined;
  if (xt) {
    allTables(environment);
    if (request.what === "table") return { tables: [{ xt, family: xtFamily }] };
    const chain = request.what === "chain" && kernelChains(xt).find((chain) => chain.name === request.name);
    if (!chain) throw notFound(request.tokens[1]!);
    return { xtTable: xt, xtChain: chain, family: xtFamily };
  }
  // nft's own tables are of ip and inet only (an ip6 one cannot be made): an ip6 name not ip6tables' is not there.
  if (request.family === "ip6") throw notFound(request.tokens[0]!);
  const table = findTable(ruleset, request.family, request.table);
  if (!table) throw notFound(request.tokens[0]!);
  if (request.what === "table") return { tables: [{ nft: table }] };
  if (request.what === "chain") {
    const chain = table.chains.get(request.name);
    if (!chain) throw notFound(request.tokens[1]!);
    return { table, chain };
  }
  const set = table.sets.get(request.name);
  if (!set || (request.what === "map") !== (set.dataType !== undefined)) throw notFound(request.tokens[1]!);
  return { table, set };
}

/** The listing's text, and the warnings nft prints on stderr before each iptables-nft table with xt expressions. */
function listText(what: Listed, options: PrintOptions): { readonly stdout: string; readonly stderr: string } {
  if ("xtTable" in what) return { stdout: iptablesTableText(what.xtTable, what.xtChain, options.handles, what.family), stderr: iptablesTableWarning(what.xtTable, what.xtChain, what.family) };
  if ("tables" in what) {
    let stdout = "";
    let stderr = "";
    for (const table of what.tables) {
      if (what.namesOnly) stdout += "nft" in table ? `table ${table.nft.family} ${table.nft.name}\n` : `table ${table.family} ${table.xt.name}\n`;
      else if ("nft" in table) stdout += tableText(table.nft, options);
      else {
        stdout += iptablesTableText(table.xt, undefined, options.handles, table.family);
        stderr += iptablesTableWarning(table.xt, undefined, table.family);
      }
    }
    return { stdout, stderr };
  }
  return { stdout: "chain" in what ? tableText(what.table, options, { chains: [what.chain] }) : tableText(what.table, options, { sets: [what.set] }), stderr: "" };
}

/** do_command_list_json(): -a changes nothing, handles are always there; iptables-nft's tables without the text listing's warning. */
function listJson(what: Listed, now: number): string {
  if ("xtTable" in what) return listingJson(iptablesChainObjects(what.xtTable, what.xtChain));
  if ("tables" in what) return listingJson(what.tables.flatMap((table) => ("nft" in table ? (what.namesOnly ? [tableJson(table.nft)] : tableObjects(table.nft, now)) : what.namesOnly ? [iptablesTableJson(table.xt)] : iptablesTableObjects(table.xt))));
  return listingJson("chain" in what ? chainObjects(what.table, what.chain) : [setJson(what.table, what.set, now)]);
}

interface Options {
  file?: string;
  check: boolean;
  handles: boolean;
  json: boolean;
  /** -n (numeric) and -y (numeric priority): how a listing prints numbers. */
  numeric: boolean;
  numericPriority: boolean;
  words: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { check: false, handles: false, json: false, numeric: false, numericPriority: false, words: [] };
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (options.words.length > 0 || !word.startsWith("-") || word === "-") {
      options.words.push(word);
      continue;
    }
    if (word === "--file") {
      options.file = argv[++index];
      continue;
    }
    if (word === "--check") {
      options.check = true;
      continue;
    }
    if (word === "--handle") {
      options.handles = true;
      continue;
    }
    if (word === "--json") {
      options.json = true;
      continue;
    }
    if (word.startsWith("--")) throw new UnsupportedError(word, `nft ${word} is not modelled`);
    for (const letter of word.slice(1)) {
      if (letter === "f") options.file = argv[++index];
      else if (letter === "c") options.check = true;
      else if (letter === "a") options.handles = true;
      else if (letter === "j") options.json = true;
      else if (letter === "n") options.numeric = true;
      else if (letter === "y") options.numericPriority = true;
      else throw new UnsupportedError(`-${letter}`, `nft -${letter} is not modelled`);
    }
  }
  return options;
}

function readSource(options: Options, environment: CommandEnvironment): Source {
  if (options.file === undefined) return { text: options.words.join(" ") };
  if (options.words.length > 0) throw new UnsupportedError(options.words[0]!, "nft -f FILE with further words is not modelled");
  if (options.file === "-" || options.file === "/dev/stdin") return { file: options.file === "-" ? "/dev/stdin" : options.file, text: environment.stdin };
  const text = environment.files?.get(options.file);
  if (text === undefined) throw new CommandError(`Error: Could not process rule: No such file or directory\n`, 1);
  return { file: options.file, text };
}

/** The tokens of the part the kernel refused: the handle's number, the chain a jump names, an element's first word, the key of a verdict map's element that names a missing chain. */
function refusedPart(span: readonly Token[] | undefined, what: string | undefined, name: string | undefined): Token | [Token, Token] | undefined {
  if (!span || what === undefined) return undefined;
  if (what === "vmap") {
    // The element's key: from after the `{` or `,` before it to the `:` before `jump|goto NAME`.
    const verdict = span.findIndex((token, index) => index > 0 && token.text === name && (span[index - 1]!.text === "jump" || span[index - 1]!.text === "goto") && span[index - 2]?.text === ":");
    if (verdict < 0) return undefined;
    let first = verdict - 3;
    while (first > 0 && !(span[first - 1]!.type === "punct" && (span[first - 1]!.text === "{" || span[first - 1]!.text === ","))) first--;
    return [span[first]!, span[verdict - 3]!];
  }
  const after = (test: (token: Token, index: number) => boolean) => span.find((token, index) => index > 0 && test(span[index - 1]!, index));
  if (what === "handle") return after((previous) => previous.text === "handle" || previous.text === "position");
  if (what === "jump") return span.find((token, index) => index > 0 && token.text === name && (span[index - 1]!.text === "jump" || span[index - 1]!.text === "goto"));
  if (what === "element") return after((previous) => previous.type === "punct" && previous.text === "{");
  if (what === "set") {
    // `@NAME`: the reference to the set nft did not find.
    const at = span.findIndex((token, index) => token.text === "@" && span[index + 1]?.text === name);
    return at < 0 ? undefined : [span[at]!, span[at + 1]!];
  }
  return undefined;
}

/** The files an nft command line reads (`-f FILE`, `-cf FILE`; `-` is stdin), for the shell to read beforehand. */
export function nftOperandFiles(argv: readonly string[]): string[] {
  const files: string[] = [];
  argv.forEach((word, index) => {
    const operand = word === "-f" || word === "--file" || /^-[a-zA-Z]*f$/.test(word) ? argv[index + 1] : undefined;
    if (operand !== undefined && operand !== "-" && !files.includes(operand)) files.push(operand);
  });
  return files;
}

export function nft(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const options = parseOptions(argv);
  const source = readSource(options, environment);
  // With -j, nft tries the input as JSON first (nft_parse_json_buffer) and falls back to its own syntax, which cannot start with { or [.
  if (options.json && /^\s*[[{]/.test(source.text)) throw new UnsupportedError("-j", "nft -j with JSON input (libnftables-json) is not modelled: only the listing is printed in JSON");
  let statements: NftStatement[];
  try {
    statements = parseNft(source.text);
  } catch (error) {
    if (error instanceof NftSyntaxErrors) throw new CommandError(error.errors.map((each) => errorText(source, each.first, each.last, each.why, each.context)).join(""), 1);
    if (error instanceof NftSyntaxError) throw new CommandError(errorText(source, error.first, error.last, error.why, error.context), 1);
    if (error instanceof ScanError) throw new CommandError(errorText(source, error.token, error.token, error.why), 1);
    throw error;
  }
  const print: PrintOptions = { handles: options.handles, now: environment.world.clock };
  const batch = statements.filter((statement): statement is BatchStatement => statement.kind === "batch");
  const xt = iptablesTables(environment);
  const xt6 = ip6tablesTables(environment);
  if (xt6.length > 0 && batch.some((statement) => statement.command.kind === "flush-ruleset"))
    throw new UnsupportedError("flush", `nft flush ruleset with ip6tables-nft's tables present (${xt6.map((table) => `ip6 ${table.name}`).join(", ")}) is not modelled: the kernel removes them too`);
  const xtTable = batch.map((statement) => iptablesTableChanged(statement.command, xt)).find((table) => table !== undefined);
  const removesXt = xt.length > 0 && batch.some((statement) => statement.command.kind === "flush-ruleset");
  if (xtTable && batch.length === 1 && batch[0]!.command.kind !== "delete-table") {
    applyXtChange(batch[0]!, xtTable, environment, (first, last) => new CommandError(errorText(source, first, last, "Could not process rule: No such file or directory"), 1), options.check);
  } else if (xtTable || removesXt) applyWithIptablesTables(batch, xt, environment, source, options.check);
  else if (batch.length > 0 && !options.check) applyNft(batch, environment, source);
  let stdout = "";
  let stderr = "";
  for (const statement of statements) {
    if (statement.kind !== "list") continue;
    // nft -n prints protocols, flags and marks as numbers, -y priorities (text only: JSON's prio is a number anyway); the printers do not.
    if (options.numeric) throw new UnsupportedError("-n", "nft -n's numeric listing is not modelled");
    if (options.numericPriority && !options.json) throw new UnsupportedError("-y", "nft -y's numeric priorities in a listing are not modelled");
    const what = listed(statement.request, environment, source);
    if (options.json) stdout += listJson(what, environment.world.clock);
    else {
      const text = listText(what, print);
      stdout += text.stdout;
      stderr += text.stderr;
    }
  }
  return done(stdout, stderr);
}

export { chainText, setText };
