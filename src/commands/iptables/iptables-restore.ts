// iptables-restore (iptables/iptables-restore.c, nft-shared restore via
// xtables-restore.c): `*table`, `:CHAIN POLICY [p:b]`, rule lines in iptables
// syntax, `COMMIT`. Each table is replaced whole unless --noflush, at its
// COMMIT, as one batch: a failing line leaves that table as it was, and the
// tables committed before it changed. Options as xtables-restore.c takes
// them; the text is read from the file operand, or stdin.
import { STRERROR } from "../../model/errno.js";
import type { SourceLocation } from "../../model/location.js";
import type { TableName } from "../../model/netfilter.js";
import type { IptablesCommand, IptablesRestore } from "../../model/operations.js";
import { applyOperation, createTable, isBuiltinChain } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { IPTABLES_VERSION, IptablesParser, KNOWN_TABLES } from "./iptables-parse.js";
import { missingRuleSet } from "./libxt-set.js";

const PROGRAM = "iptables-restore";
/** ip6tables-restore: the same program over the ip6 family's tables. */
const PROGRAM6 = "ip6tables-restore";

/** Splits a rule line into words as iptables-restore does (add_param_to_argv): double quotes group, backslash escapes a quote; the words go after those of `words`. */
export function splitRestoreLine(line: string, words: string[] = []): string[] {
  // A word is built from runs of plain characters taken as slices (a rule line has a few dozen words, and tens of thousands of lines come at once).
  let current = "";
  let runStart = 0;
  let quoted = false;
  let has = false;
  const length = line.length;
  for (let index = 0; index < length; index++) {
    const code = line.charCodeAt(index);
    if (code === 92 /* \ */) {
      const next = line.charCodeAt(index + 1);
      if (next === 34 /* " */ || next === 92 || next === 39 /* ' */) {
        current += line.slice(runStart, index);
        runStart = ++index;
        has = true;
      }
      continue;
    }
    if (code === 34) {
      current += line.slice(runStart, index);
      runStart = index + 1;
      quoted = !quoted;
      has = true;
      continue;
    }
    if (!quoted && (code === 32 || code === 9)) {
      if (has || runStart < index) words.push(current + line.slice(runStart, index));
      current = "";
      runStart = index + 1;
      has = false;
      continue;
    }
  }
  if (has || runStart < length) words.push(current + line.slice(runStart, length));
  return words;
}

function lineProblem(program: string, message: string, line: number): CommandError {
  return new CommandError(`${program} ${IPTABLES_VERSION}: ${message}\nError occurred at line: ${line}\nTry \`${program} -h' or '${program} --help' for more information.\n`, 2);
}

function lineFailed(program: string, line: number, detail?: string): CommandError {
  return new CommandError(`${program}: line ${line} failed${detail ? `: ${detail}` : ""}\n`, 1);
}

interface Section {
  name: TableName;
  chains: { name: string; policy?: "ACCEPT" | "DROP"; counters?: { packets: number; bytes: number } }[];
  commands: IptablesCommand[];
  /** For each command in batch order, the line it came from: for the error the kernel's answer to it gets. */
  lines: number[];
  /** The chains the rules jump to (checked at COMMIT). */
  jumpChains: string[];
  /**
   * The chains the table has by the end of the section, each name to the one
   * string that stands for it (the table's key): the lines' chain names are
   * taken as that string, so the lookups of the commit find them at once.
   */
  known: Map<string, string>;
}

const usage = (program: string) => `Usage: ${program} [-c] [-v] [-V] [-t] [-h] [-n] [-T table] [-M command] [-4] [-6] [file]
\t   [ --counters ]
\t   [ --verbose ]
\t   [ --version]
\t   [ --test ]
\t   [ --help ]
\t   [ --noflush ]
\t   [ --table=<TABLE> ]
\t   [ --modprobe=<command> ]
\t   [ --ipv4 ]
\t   [ --ipv6 ]
`;

export interface RestoreOptions {
  readonly action: "restore" | "version" | "help";
  readonly noflush: boolean;
  readonly counters: boolean;
  readonly test: boolean;
  readonly binary: boolean;
  /** -T: only this table's section is restored. */
  readonly table?: string;
  /** The file operand, read instead of stdin. */
  readonly file?: string;
}

type OptionArgument = "none" | "required" | "optional";

/** xtables-restore.c's options[] and its getopt string "bcvVthnM:T:wW" (-w and -W take an optional value, also as the next word). */
const RESTORE_OPTIONS: ReadonlyArray<{ readonly long: string; readonly short?: string; readonly argument: OptionArgument }> = [
  { long: "binary", short: "b", argument: "none" },
  { long: "counters", short: "c", argument: "none" },
  { long: "verbose", short: "v", argument: "none" },
  { long: "version", short: "V", argument: "none" },
  { long: "test", short: "t", argument: "none" },
  { long: "help", short: "h", argument: "none" },
  { long: "noflush", short: "n", argument: "none" },
  { long: "modprobe", short: "M", argument: "required" },
  { long: "table", short: "T", argument: "required" },
  { long: "ipv4", argument: "none" },
  { long: "ipv6", argument: "none" },
  { long: "wait", short: "w", argument: "optional" },
  { long: "wait-interval", short: "W", argument: "optional" },
];

function usageProblem(program: string, text: string): CommandError {
  return new CommandError(`${program}: ${text}\nTry \`${program} -h' for more information.\n`, 1);
}

/** getopt_long over RESTORE_OPTIONS, permuting operands as GNU getopt does; then at most one file operand. */
export function parseRestoreOptions(argv: readonly string[], program = PROGRAM): RestoreOptions {
  let action: RestoreOptions["action"] = "restore";
  let noflush = false;
  let counters = false;
  let test = false;
  let binary = false;
  let table: string | undefined;
  const operands: string[] = [];
  const take = (letter: string, value: string | undefined) => {
    switch (letter) {
      case "b":
        binary = true;
        break;
      case "c":
        counters = true;
        break;
      case "v":
        throw new UnsupportedError("-v", "iptables-restore -v (its listing of each change) is not modelled");
      case "V":
        action = "version";
        break;
      case "h":
        action = "help";
        break;
      case "t":
        test = true;
        break;
      case "n":
        noflush = true;
        break;
      case "T":
        table = value;
        break;
      case "ipv4":
      case "ipv6":
        throw new UnsupportedError(`--${letter}`, `iptables-restore --${letter} is not modelled`);
      // -M names the modprobe to load modules with: the model has every module. -w/-W: one process holds no lock to wait for.
    }
  };
  // xs_has_arg(): a -w/-W value may be the next word, when it is not an option.
  const optionalNext = (index: number) => argv[index + 1] !== undefined && !argv[index + 1]!.startsWith("-") && !argv[index + 1]!.startsWith("!");
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--") {
      operands.push(...argv.slice(index + 1));
      break;
    }
    if (word.startsWith("--")) {
      const [name, inline] = word.includes("=") ? [word.slice(2, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word.slice(2), undefined];
      const exact = RESTORE_OPTIONS.find((option) => option.long === name);
      const prefixed = RESTORE_OPTIONS.filter((option) => option.long.startsWith(name));
      if (!exact && prefixed.length > 1) throw usageProblem(program, `option '--${name}' is ambiguous; possibilities:${prefixed.map((option) => ` '--${option.long}'`).join("")}`);
      const option = exact ?? prefixed[0];
      if (!option) throw usageProblem(program, `unrecognized option '${word}'`);
      let value = inline;
      if (option.argument === "none" && inline !== undefined) throw usageProblem(program, `option '--${option.long}' doesn't allow an argument`);
      if (option.argument === "required" && value === undefined) {
        value = argv[++index];
        if (value === undefined) throw usageProblem(program, `option '--${option.long}' requires an argument`);
      }
      if (option.argument === "optional" && value === undefined && optionalNext(index)) value = argv[++index];
      take(option.short ?? option.long, value);
      continue;
    }
    if (!word.startsWith("-") || word === "-") {
      operands.push(word);
      continue;
    }
    for (let position = 1; position < word.length; position++) {
      const letter = word[position]!;
      const option = RESTORE_OPTIONS.find((candidate) => candidate.short === letter);
      if (!option) throw usageProblem(program, `invalid option -- '${letter}'`);
      if (option.argument === "none") {
        take(letter, undefined);
        continue;
      }
      // An option with a value ends the cluster: the rest of the word, else the next word.
      let value: string | undefined = word.slice(position + 1) || undefined;
      if (option.argument === "required" && value === undefined) {
        value = argv[++index];
        if (value === undefined) throw usageProblem(program, `option requires an argument -- '${letter}'`);
      }
      // -w5: getopt gives an optional value only when attached, but "bcvVthnM:T:wW" declares none, so 5 is an option letter.
      if (option.argument === "optional") {
        if (position + 1 < word.length) continue;
        if (optionalNext(index)) value = argv[++index];
      }
      take(letter, value);
      break;
    }
  }
  if (operands.length > 1) throw new CommandError("Unknown arguments found on commandline\n", 1);
  return { action, noflush, counters, test, binary, ...(table !== undefined ? { table } : {}), ...(operands[0] !== undefined ? { file: operands[0] } : {}) };
}

/** The files an iptables-restore command line reads (its file operand), for the shell to read beforehand. */
export function iptablesRestoreOperandFiles(argv: readonly string[]): string[] {
  try {
    const file = parseRestoreOptions(argv).file;
    return file === undefined ? [] : [file];
  } catch {
    return [];
  }
}

/** tokenize_rule_counters(): a rule line's leading `[packets:bytes]`, and the rest of the line. */
function ruleCounters(program: string, line: string, number: number): { rest: string; packets?: string; bytes?: string } {
  if (!line.startsWith("[")) return { rest: line };
  const close = line.indexOf("]");
  const colon = line.indexOf(":");
  // strtok(buffer + 1, ":") then strtok(NULL, "]"): without a ':' the second finds nothing.
  if (close < 0 || colon < 0) throw lineProblem(program, `Bad line ${number}: need ]`, number);
  const bytesEnd = line.indexOf("]", colon);
  return { rest: line.slice(close + 1), packets: line.slice(1, colon), bytes: line.slice(colon + 1, bytesEnd < 0 ? undefined : bytesEnd) };
}

/** Sends one table's batch; the kernel's answer names the failing message, which iptables-nft maps back to its line. */
function commitTable(program: string, section: Section, commitLine: number, noflush: boolean, environment: CommandEnvironment): void {
  const operation: IptablesRestore = {
    op: "iptables-restore",
    namespaceId: environment.namespace.id,
    ...(program === PROGRAM6 ? { family: "ip6" as const } : {}),
    noflush,
    tables: [{ name: section.name, chains: section.chains, commands: section.commands }],
    ...(environment.origin ? { origin: environment.origin } : {}),
  };
  const result = applyOperation(environment.world, operation);
  if (result.ok) return;
  const seq = result.error.seq;
  const failed = seq === undefined ? undefined : section.commands[seq];
  const line = seq === undefined ? undefined : section.lines[seq];
  // The messages iptables-nft names a rule's by (nft_rule_add, nft_rule_replace); the other commands' have none.
  if (failed?.kind === "append" || failed?.kind === "insert" || failed?.kind === "replace") {
    const what = failed.kind === "append" ? "RULE_APPEND" : failed.kind === "insert" ? "RULE_INSERT" : "RULE_REPLACE";
    throw new CommandError(`${program} ${IPTABLES_VERSION}: \nline ${line}: ${what} failed (${STRERROR[result.error.errno]}): rule in chain ${failed.chain}\n`, 4);
  }
  // nft_rule_delete() finds no such rule: iptables-nft's own words for ENOENT there (nft_strerror).
  if (failed?.kind === "delete-rule" && line !== undefined && result.error.errno === "ENOENT") throw lineFailed(program, line, "Bad rule (does a matching rule exist in that chain?).");
  throw new CommandError(`${program}: line ${line ?? commitLine} failed\n`, 1);
}

/** The check before the run: the options (the rules come on stdin or from a file, read when it runs). */
export function checkIptablesRestore(argv: readonly string[]): undefined {
  parseRestoreOptions(argv);
  return undefined;
}

export function checkIp6tablesRestore(argv: readonly string[]): undefined {
  parseRestoreOptions(argv, PROGRAM6);
  return undefined;
}

/** ip6tables-restore: the same reading, into the ip6 family's tables. */
export function ip6tablesRestore(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  return iptablesRestore(argv, environment, PROGRAM6);
}

export function iptablesRestore(argv: readonly string[], environment: CommandEnvironment, program = PROGRAM): CommandOutcome {
  const options = parseRestoreOptions(argv, program);
  if (options.action === "version") return done(`${program} ${IPTABLES_VERSION}\n`);
  if (options.action === "help") return done("", usage(program));
  const { noflush, counters, test } = options;
  let input = environment.stdin;
  if (options.file !== undefined) {
    const text = environment.files?.get(options.file);
    if (text === undefined) throw new CommandError(`Can't open ${options.file}: No such file or directory\n`, 1);
    input = text;
  }
  const notices = options.binary ? "-b/--binary option is not implemented\n" : "";
  const namespace = environment.namespace;
  let section: Section | undefined;
  let skipping = false;
  const parser = new IptablesParser(program);
  // Line by line as input.split("\n") gives them, without holding them all (a ruleset has tens of thousands).
  let number = 0;
  for (let start = 0; start <= input.length; ) {
    let end = input.indexOf("\n", start);
    if (end < 0) end = input.length;
    number++;
    const line = input.slice(start, end).trim();
    start = end + 1;
    if (line === "" || line.startsWith("#")) continue;
    if (skipping) {
      if (line === "COMMIT") skipping = false;
      continue;
    }
    if (line.startsWith("*")) {
      const name = line.slice(1).trim();
      // -T: the other tables' sections are passed over whole.
      if (options.table !== undefined && options.table !== name) {
        skipping = true;
        continue;
      }
      if (name === "security") throw new UnsupportedError("security", "the iptables security table is not modelled");
      if (!KNOWN_TABLES.has(name)) throw lineProblem(program, `${program}: line ${number} table name '${name}' invalid`, number);
      const existing = (program === PROGRAM6 ? namespace.netfilter?.tables6 : namespace.netfilter?.tables)?.get(name as TableName);
      const base = existing && noflush ? existing : createTable(name as TableName);
      section = { name: name as TableName, chains: [], commands: [], lines: [], jumpChains: [], known: new Map([...base.chains.keys()].map((chain) => [chain, chain])) };
      continue;
    }
    if (!section) throw lineFailed(program, number);
    if (line === "COMMIT") {
      // A jump's chain is looked up by the kernel at commit, which -t never reaches.
      if (!test) {
        for (const chain of section.jumpChains) if (!section.known.has(chain)) throw lineProblem(program, `Chain '${chain}' does not exist`, number);
      }
      // Each COMMIT is a batch of its own (xtables-restore: cb->commit per table): a later failing table leaves it in place.
      if (!test) commitTable(program, section, number, noflush, environment);
      section = undefined;
      continue;
    }
    if (line.startsWith(":")) {
      const [nameText = "", policy = "", counterText] = line.slice(1).split(/\s+/);
      if (isBuiltinChain(section.name, nameText)) {
        if (policy !== "ACCEPT" && policy !== "DROP") throw lineFailed(program, number, "Bad policy name.");
        if (!counters) section.chains.push({ name: nameText, policy });
        else {
          // With -c the policy's counters are read back (sscanf "[%llu:%llu]"); without, they are ignored.
          const read = counterText === undefined ? null : /^\[(\d+):(\d+)\]/.exec(counterText);
          if (!read) throw lineProblem(program, `invalid policy counters for chain '${nameText}'`, number);
          section.chains.push({ name: nameText, policy, counters: { packets: Number(read[1]), bytes: Number(read[2]) } });
        }
      } else {
        if (nameText.length > 28) throw lineProblem(program, `chain name \`${nameText}' too long (must be under 29 chars)`, number);
        section.chains.push({ name: nameText });
        if (!section.known.has(nameText)) section.known.set(nameText, nameText);
      }
      continue;
    }
    // tokenize_rule_counters(): with -c a rule's [p:b] become its -c; without, they are dropped.
    const { rest, packets, bytes } = ruleCounters(program, line, number);
    let parsed;
    try {
      const argv = counters && packets !== undefined ? ["-t", section.name, "-c", packets, bytes!] : ["-t", section.name];
      parsed = parser.parse(splitRestoreLine(rest, argv));
    } catch (error) {
      if (error instanceof CommandError && error.exitCode === 2) {
        const message = error.text.split("\n")[0]!.replace(`${program} ${IPTABLES_VERSION}: `, "");
        throw lineProblem(program, message, number);
      }
      throw error;
    }
    const missingSet = missingRuleSet(parsed.rule, namespace);
    if (missingSet !== undefined) throw lineProblem(program, `Set ${missingSet} doesn't exist.
`, number);
    const chain = parsed.chain === undefined ? "" : section.known.get(parsed.chain) ?? parsed.chain;
    if (parsed.jumpChain !== undefined) {
      const known = section.known.get(parsed.jumpChain);
      // A chain known already is known at COMMIT; the others are looked for then (a later -N or declaration may make them).
      if (known === undefined) section.jumpChains.push(parsed.jumpChain);
      else if (parsed.rule?.target?.kind === "jump") (parsed.rule.target as { chain: string }).chain = known;
    }
    // A line with several -s/-d addresses is one rule per pair. The parser made them for this line alone: they take the line's place as they are.
    const rules = parsed.rules ?? [];
    const origin = environment.origin;
    if (origin) for (const each of rules) (each as { origin?: SourceLocation }).origin = origin;
    const rule = parsed.rule;
    const queued = section.commands.length;
    switch (parsed.command) {
      case "A":
        for (const each of rules) section.commands.push({ kind: "append", chain, rule: each });
        break;
      case "I":
        for (const each of rules) section.commands.push({ kind: "insert", chain, position: parsed.number ?? 1, rule: each });
        break;
      case "D":
        if (parsed.number !== undefined) section.commands.push({ kind: "delete-number", chain, number: parsed.number });
        else for (const each of rules) section.commands.push({ kind: "delete-rule", chain, rule: each });
        break;
      case "R":
        section.commands.push({ kind: "replace", chain, number: parsed.number!, rule: rule! });
        break;
      case "F":
        section.commands.push({ kind: "flush", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "Z":
        section.commands.push({ kind: "zero", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "N":
        section.commands.push({ kind: "new-chain", chain });
        if (!section.known.has(chain)) section.known.set(chain, chain);
        break;
      case "X":
        section.commands.push({ kind: "delete-chain", ...(parsed.chain !== undefined ? { chain } : {}) });
        break;
      case "P":
        if (parsed.policy !== "ACCEPT" && parsed.policy !== "DROP") throw lineFailed(program, number, "Bad policy name.");
        section.commands.push({ kind: "policy", chain, policy: parsed.policy });
        break;
      case "E":
        section.commands.push({ kind: "rename-chain", chain, newName: parsed.newName! });
        break;
      default:
        throw lineFailed(program, number);
    }
    for (let queuedIndex = queued; queuedIndex < section.commands.length; queuedIndex++) section.lines.push(number);
  }
  if (section) throw new CommandError(`${program}: COMMIT expected at line ${number + (input.endsWith("\n") ? 0 : 1)}\n`, 1);
  return done("", notices);
}
