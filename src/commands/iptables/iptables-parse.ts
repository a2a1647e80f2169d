// iptables' command line (iptables/xshared.c: do_parse, command_default;
// iptables/iptables.c option table; each extension's options from
// extensions/libxt_*.c, libipt_*.c) into a typed command and rule. getopt_long
// rules apply: short options cluster (`-nvL`), long options may be abbreviated
// to any unique prefix (`--to` for DNAT's --to-destination), and `!` inverts
// the option after it.
import { parseIpv4Address, prefixMask } from "../../model/address.js";
import type { AddressSelector, InterfaceSelector, Match, PortRange, Rule, TableName, Target } from "../../model/netfilter.js";
import { CommandError, UnsupportedError } from "../command.js";
import { ruleSpec } from "./rule-format.js";
import { protocolNumber } from "./protocols.js";
import { extensionInFamily, matchExtension, matchForProtocol, targetExtension, UNMODELLED_IN_IPV6, UNMODELLED_MATCHES, UNMODELLED_TARGETS } from "./extensions.js";
import { formatIpv6Address, ipv6MaskLength, ipv6PrefixMask, parseIpv6Address } from "../../model/ipv6-address.js";
import { guidedPortRange, type OptionValue, type XtablesMatch, type XtablesOptionReader, type XtablesParseContext, type XtablesTarget } from "./xtables.js";

export const IPTABLES_VERSION = "v1.8.9 (nf_tables)";

/** xtables_error(PARAMETER_PROBLEM, ...): the message, the Try line, exit 2. */
export function parameterProblem(program: string, message: string): CommandError {
  return new CommandError(`${program} ${IPTABLES_VERSION}: ${message}\nTry \`${program} -h' or '${program} --help' for more information.\n`, 2);
}

export type CommandLetter = "A" | "C" | "D" | "I" | "R" | "L" | "S" | "F" | "Z" | "N" | "X" | "P" | "E";

export interface ParsedIptables {
  /** ip6tables: the ip6 family's tables. */
  readonly family?: "ipv6";
  readonly table: TableName;
  readonly command: CommandLetter;
  readonly chain?: string;
  readonly number?: number;
  readonly newName?: string;
  readonly policy?: string;
  /** The rule given on the line (A, C, D without number, I, R). */
  readonly rule?: Rule;
  /** Every rule the line stands for: `-s A,B -d C,D` is one rule per source and destination (xtables_ipparse_multiple), in that order. */
  readonly rules?: readonly Rule[];
  /** `-j NAME` where NAME is not a built-in or extension target: a user chain, to be checked against the table. */
  readonly jumpChain?: string;
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
  /** What iptables wrote to stderr while parsing ("Ignoring deprecated --wait-interval option."). */
  readonly notices: string;
}

const COMMAND_OPTIONS: Readonly<Record<string, CommandLetter>> = {
  append: "A",
  check: "C",
  delete: "D",
  insert: "I",
  replace: "R",
  list: "L",
  "list-rules": "S",
  flush: "F",
  zero: "Z",
  "new-chain": "N",
  "delete-chain": "X",
  policy: "P",
  "rename-chain": "E",
};

const CORE_LONG: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(COMMAND_OPTIONS).map(([name, letter]) => [name, letter])),
  source: "s",
  src: "s",
  destination: "d",
  dst: "d",
  protocol: "p",
  "in-interface": "i",
  "out-interface": "o",
  jump: "j",
  goto: "g",
  table: "t",
  match: "m",
  numeric: "n",
  verbose: "v",
  exact: "x",
  wait: "w",
  "wait-interval": "W",
  "line-numbers": "0",
  fragment: "f",
  "set-counters": "c",
  ipv4: "4",
  ipv6: "6",
  help: "h",
  version: "V",
  modprobe: "M",
};

/** Options that take a value; the rest are flags. */
const WITH_VALUE = new Set(["A", "C", "D", "I", "R", "N", "P", "E", "s", "d", "p", "i", "o", "j", "g", "t", "m", "c", "M"]);
/** A long option's owner: the core, the target, or (0 and up) the match loaded in that place. */
const CORE_OWNER = -1;
const TARGET_OWNER = -2;
/** The core's long options as the parser resolves them (made once). */
const CORE_LONG_OPTIONS: readonly LongOption[] = Object.entries(CORE_LONG).map(([name, letter]) => ({ name, owner: CORE_OWNER, takesValue: WITH_VALUE.has(letter), invert: true }));
/** -w [SECONDS] and -W [USECONDS]: a value attached, or the next word when it is no option (xs_has_arg). */
const OPTIONAL_VALUE = new Set(["w", "W"]);
/** Commands whose chain is optional (taken when the next word is not an option). */
const OPTIONAL_CHAIN = new Set(["L", "S", "F", "Z", "X"]);

export const KNOWN_TABLES = new Set<string>(["filter", "nat", "mangle", "raw"]);

/** Mutable state of one match or target while its options are read. */
interface LoadedMatch {
  readonly kind: "match";
  readonly extension: XtablesMatch;
  readonly values: Map<string, OptionValue>;
}
interface LoadedTarget {
  readonly kind: "target";
  readonly extension: XtablesTarget;
  readonly values: Map<string, OptionValue>;
}

interface LongOption {
  readonly name: string;
  readonly owner: number;
  readonly takesValue: boolean;
  readonly invert: boolean;
}

/** A name more than one long option starts with (getopt_long's ambiguity). */
const AMBIGUOUS = "ambiguous";

/** Past these a table works its answers out again instead of keeping them (a command line of odd options cannot grow it without bound). */
const KEPT_NAMES = 64;
const KEPT_DEPTH = 16;

/**
 * The long options available with one sequence of extensions loaded (the
 * core's, then each match's in the order loaded, then the target's) and
 * what each name given resolves to: exactly a name (the last option of it),
 * else a unique prefix. Worked out once per sequence and name, for the
 * parser that owns the root: every line of a ruleset loads the same few
 * extensions and gives the same few options.
 */
class LongOptionTable {
  private readonly candidates: readonly LongOption[];
  private readonly resolved = new Map<string, LongOption | typeof AMBIGUOUS | undefined>();
  private readonly afterMatch = new Map<XtablesMatch, LongOptionTable>();
  private readonly afterTarget = new Map<XtablesTarget, LongOptionTable>();
  private readonly matches: readonly XtablesMatch[];
  private readonly target: XtablesTarget | undefined;

  constructor(matches: readonly XtablesMatch[], target: XtablesTarget | undefined) {
    this.matches = matches;
    this.target = target;
    const candidates: LongOption[] = CORE_LONG_OPTIONS.slice();
    matches.forEach((extension, owner) => {
      for (const candidate of extension.options) candidates.push({ name: candidate.name, owner, takesValue: candidate.takesValue, invert: candidate.invert ?? false });
    });
    if (target) for (const candidate of target.options) candidates.push({ name: candidate.name, owner: TARGET_OWNER, takesValue: candidate.takesValue, invert: candidate.invert ?? false });
    this.candidates = candidates;
  }

  withMatch(extension: XtablesMatch): LongOptionTable {
    let next = this.afterMatch.get(extension);
    if (next) return next;
    next = new LongOptionTable([...this.matches, extension], this.target);
    if (this.matches.length < KEPT_DEPTH) this.afterMatch.set(extension, next);
    return next;
  }

  withTarget(extension: XtablesTarget): LongOptionTable {
    let next = this.afterTarget.get(extension);
    if (next) return next;
    next = new LongOptionTable(this.matches, extension);
    if (this.matches.length < KEPT_DEPTH) this.afterTarget.set(extension, next);
    return next;
  }

  resolve(name: string): LongOption | typeof AMBIGUOUS | undefined {
    const known = this.resolved.get(name);
    if (known !== undefined || this.resolved.has(name)) return known;
    const answer = this.work(name);
    if (this.resolved.size < KEPT_NAMES) this.resolved.set(name, answer);
    return answer;
  }

  private work(name: string): LongOption | typeof AMBIGUOUS | undefined {
    let exact: LongOption | undefined;
    for (const candidate of this.candidates) if (candidate.name === name) exact = candidate;
    if (exact) return exact;
    let last: LongOption | undefined;
    for (const candidate of this.candidates) {
      if (!candidate.name.startsWith(name)) continue;
      if (last !== undefined && last.name !== candidate.name) return AMBIGUOUS;
      last = candidate;
    }
    return last;
  }
}

/** XtablesParseContext for building a rule's matches and target: the line's -p, and the parser's error texts. */
class BuildContext implements XtablesParseContext {
  readonly protocol: { number: number; invert: boolean } | undefined;
  private readonly program: string;
  readonly family: "ipv6" | undefined;
  constructor(program: string, protocol: { number: number; invert: boolean } | undefined, family: "ipv6" | undefined) {
    this.program = program;
    this.protocol = protocol;
    this.family = family;
  }
  problem(message: string): CommandError {
    return parameterProblem(this.program, message);
  }
  portRange(text: string): PortRange {
    return guidedPortRange(this, text);
  }
}

/** XtablesOptionReader of one command line: the extension whose option is read, and getopt's place in argv. */
class OptionReader implements XtablesOptionReader {
  values: Map<string, OptionValue> = new Map();
  protocol: { number: number; invert: boolean } | undefined;
  get family(): "ipv6" | undefined {
    return this.run.family;
  }
  private readonly run: ParseRun;
  constructor(run: ParseRun) {
    this.run = run;
  }
  nextArgument(): string | undefined {
    const run = this.run;
    const second = run.argv[run.index];
    if (second === undefined || second.startsWith("-") || second.startsWith("!")) return undefined;
    run.index++;
    return second;
  }
  problem(message: string): CommandError {
    return this.run.problem(message);
  }
}

/** Whether text is all decimal digits (and some): /^\d+$/. */
function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** The -p of a rule as read so far. */
type ProtocolSelector = { readonly number: number; readonly invert: boolean };

/** One command line read (do_parse()'s locals, as fields: a ruleset's tens of thousands of lines each make one of these and nothing per option). */
class ParseRun {
  readonly argv: readonly string[];
  index = 0;
  private readonly parser: IptablesParser;
  get family(): "ipv6" | undefined {
    return this.parser.family;
  }
  private table = "filter";
  private command: CommandLetter | undefined;
  private chain: string | undefined;
  private number: number | undefined;
  private newName: string | undefined;
  private policy: string | undefined;
  private numeric = false;
  private verbose = false;
  private exact = false;
  private lineNumbers = false;
  private notices = "";
  private waitGiven = false;
  private waitIntervalGiven = false;
  private source: AddressSelector | undefined;
  private destination: AddressSelector | undefined;
  private sources: AddressSelector[] = [];
  private destinations: AddressSelector[] = [];
  private inInterface: InterfaceSelector | undefined;
  private outInterface: InterfaceSelector | undefined;
  private protocol: ProtocolSelector | undefined;
  private protocolGiven = false;
  private inGiven = false;
  private outGiven = false;
  private counters: { packets: number; bytes: number } | undefined;
  private readonly loaded: LoadedMatch[] = [];
  private target: LoadedTarget | undefined;
  private targetName: string | undefined;
  private gotoTarget = false;
  private invert = false;
  /** The argv word the last option's value came from (iptables 1.8.9 reads -p's value back from argv[optind - 1]). */
  private valueWord: string | undefined;
  /** The long options with what is loaded now. */
  private longOptions: LongOptionTable;
  private reader: OptionReader | undefined;

  constructor(parser: IptablesParser, argv: readonly string[], longOptions: LongOptionTable) {
    this.parser = parser;
    this.argv = argv;
    this.longOptions = longOptions;
  }

  problem(message: string): CommandError {
    return this.parser.problem(message);
  }

  private setCommand(letter: CommandLetter): void {
    if (this.command !== undefined && this.command !== letter) throw this.problem(`Cannot use -${letter} with -${this.command}\n`);
    this.command = letter;
  }

  private nextOperand(): string | undefined {
    const word = this.argv[this.index];
    if (word === undefined || (word.startsWith("-") && word !== "-") || word === "!") return undefined;
    this.index++;
    return word;
  }

  private ruleNumber(text: string): number {
    if (!allDigits(text) || Number(text) < 1) throw this.problem(`Invalid rule number \`${text}'`);
    return Number(text);
  }

  private takeInvert(): boolean {
    const value = this.invert;
    this.invert = false;
    return value;
  }

  private loadMatch(name: string): LoadedMatch {
    const family = this.parser.family;
    const extension = extensionInFamily(name, family) ? matchExtension(name) : undefined;
    if (extension && family === "ipv6" && UNMODELLED_IN_IPV6.has(name)) throw new UnsupportedError(name, `ip6tables match "${name}" is not modelled`);
    if (!extension) {
      if (UNMODELLED_MATCHES.has(name)) throw new UnsupportedError(name, `iptables match "${name}" is not modelled`);
      throw this.problem(`Couldn't load match \`${name}':No such file or directory\n`);
    }
    const item: LoadedMatch = { extension, kind: "match", values: new Map() };
    this.loaded.push(item);
    this.longOptions = this.longOptions.withMatch(extension);
    return item;
  }

  private addresses(value: string): AddressSelector[] {
    const inverted = this.takeInvert();
    if (value.indexOf(",") < 0) return [this.parser.parseAddress(value, inverted)];
    return value.split(",").map((text) => this.parser.parseAddress(text, inverted));
  }

  private handleCore(letter: string, value: string | undefined): void {
    const argv = this.argv;
    switch (letter) {
      case "A":
      case "C":
      case "D":
      case "I":
      case "R":
      case "N":
      case "P":
      case "E":
        this.setCommand(letter);
        this.chain = value;
        if (letter === "D" || letter === "I") {
          const next = argv[this.index];
          if (next !== undefined && allDigits(next)) {
            this.index++;
            this.number = this.ruleNumber(next);
          }
        } else if (letter === "R") {
          const next = this.nextOperand();
          if (next === undefined) throw this.problem("-R requires a rule number");
          this.number = this.ruleNumber(next);
        } else if (letter === "P") {
          this.policy = this.nextOperand();
          if (this.policy === undefined) throw this.problem("-P requires a chain and a policy");
        } else if (letter === "E") {
          this.newName = this.nextOperand();
          if (this.newName === undefined) throw this.problem("-E requires old-chain-name and new-chain-name");
        }
        return;
      case "L":
      case "S":
      case "F":
      case "Z":
      case "X": {
        this.setCommand(letter);
        this.chain = value ?? this.nextOperand();
        if (this.chain !== undefined && (letter === "L" || letter === "S" || letter === "Z")) {
          const next = argv[this.index];
          if (next !== undefined && allDigits(next)) {
            this.index++;
            this.number = Number(next);
          }
        }
        return;
      }
      case "s":
        if (this.source) throw this.problem("multiple -s flags not allowed");
        this.sources = this.addresses(value!);
        this.source = this.sources[0];
        return;
      case "d":
        if (this.destination) throw this.problem("multiple -d flags not allowed");
        this.destinations = this.addresses(value!);
        this.destination = this.destinations[0];
        return;
      case "i":
        if (this.inGiven) throw this.problem("multiple -i flags not allowed");
        this.inGiven = true;
        this.inInterface = this.parser.parseInterface(value!, this.takeInvert());
        return;
      case "o":
        if (this.outGiven) throw this.problem("multiple -o flags not allowed");
        this.outGiven = true;
        this.outInterface = this.parser.parseInterface(value!, this.takeInvert());
        return;
      case "p":
        if (this.protocolGiven) throw this.problem("multiple -p flags not allowed");
        this.protocolGiven = true;
        this.protocol = this.parser.parseProtocol(this.valueWord ?? value!, this.takeInvert());
        return;
      case "j":
      case "g": {
        if (this.invert) throw this.problem(`cannot have ! before -${letter}`);
        if (this.targetName !== undefined) throw this.problem("multiple -j flags not allowed");
        this.targetName = value!;
        this.gotoTarget = letter === "g";
        const extension = targetExtension(value!);
        if (extension && letter === "j" && this.parser.family === "ipv6" && UNMODELLED_IN_IPV6.has(value!)) throw new UnsupportedError(value!, `ip6tables target "${value}" is not modelled`);
        if (extension && letter === "j") {
          this.target = { extension, kind: "target", values: new Map() };
          this.longOptions = this.longOptions.withTarget(extension);
        } else if (UNMODELLED_TARGETS.has(value!)) throw new UnsupportedError(value!, `iptables target "${value}" is not modelled`);
        return;
      }
      case "m":
        if (this.invert) throw this.problem("cannot have ! before -m");
        this.loadMatch(value!);
        return;
      case "t":
        if (this.invert) throw this.problem("cannot have ! before -t");
        if (value === "security") throw new UnsupportedError("security", "the iptables security table is not modelled");
        if (!KNOWN_TABLES.has(value!)) throw new CommandError(`${this.parser.program} ${IPTABLES_VERSION}: table '${value}' does not exist\nPerhaps ${this.parser.program} or your kernel needs to be upgraded.\n`, 3);
        this.table = value!;
        return;
      case "n":
        this.numeric = true;
        return;
      case "v":
        this.verbose = true;
        return;
      case "x":
        this.exact = true;
        return;
      case "0":
        this.lineNumbers = true;
        return;
      case "w":
        // parse_wait_time(): sscanf("%i"). One process holds no xtables lock: there is nothing to wait for.
        if (value !== undefined && !/^\s*[+-]?\d/.test(value)) throw this.problem("wait seconds not numeric");
        this.waitGiven = true;
        return;
      case "W": {
        // parse_wait_interval(): read and checked, then ignored by iptables-nft, which says so.
        if (value === undefined) throw this.problem("wait interval value required");
        const interval = /^\s*\+?(\d+)/.exec(value);
        if (!interval) throw this.problem("wait interval not numeric");
        if (Number(interval[1]) > 999999) throw this.problem(`too long usec wait ${interval[1]} > 999999 usec`);
        this.notices += "Ignoring deprecated --wait-interval option.\n";
        this.waitIntervalGiven = true;
        return;
      }
      case "4":
        // The other family's flag: xtables_error() with no message (recorded: only the Try line).
        if (this.parser.family === "ipv6") throw this.parser.tryOnly();
        return;
      case "f":
        throw new UnsupportedError("-f", "iptables -f (fragments) is not modelled");
      case "c": {
        // -c PACKETS,BYTES or -c PACKETS BYTES (do_parse: the byte count after a comma, else the next word).
        const packetsText = value!;
        const comma = packetsText.indexOf(",", 1);
        let bytesText: string | undefined = comma >= 0 ? packetsText.slice(comma + 1) : undefined;
        if (bytesText === undefined && argv[this.index] !== undefined && !argv[this.index]!.startsWith("-") && argv[this.index] !== "!") bytesText = argv[this.index++];
        if (bytesText === undefined) throw this.problem("-c requires packet and byte counter");
        // sscanf("%llu"): leading digits.
        const packets = /^\s*\d+/.exec(packetsText);
        if (!packets) throw this.problem("-c packet counter not numeric");
        const bytes = /^\s*\d+/.exec(bytesText);
        if (!bytes) throw this.problem("-c byte counter not numeric");
        this.counters = { packets: Number(packets[0]), bytes: Number(bytes[0]) };
        return;
      }
      case "M":
        return;
      case "6":
        if (this.parser.family === "ipv6") return;
        throw this.parser.tryOnly();
      case "h":
        throw new UnsupportedError("-h", "iptables -h is not modelled");
      case "V":
        throw new UnsupportedError("-V", "iptables -V is not modelled");
    }
    throw this.problem(`unknown option "-${letter}"`);
  }

  private resolveLong(name: string): LongOption | undefined {
    const resolved = this.longOptions.resolve(name);
    if (resolved === AMBIGUOUS) throw this.problem(`option "--${name}" is ambiguous`);
    return resolved;
  }

  private optionalNext(): string | undefined {
    const next = this.argv[this.index];
    if (next === undefined || next.startsWith("-") || next.startsWith("!")) return undefined;
    this.index++;
    return next;
  }

  /** One `--name[=value]` word. */
  private longOption(word: string): void {
    const argv = this.argv;
    const equals = word.indexOf("=");
    const name = equals < 0 ? word.slice(2) : word.slice(2, equals);
    let resolved = this.resolveLong(name);
    const protocol = this.protocol;
    if (!resolved && protocol && !protocol.invert) {
      // command_default(): an unknown option may belong to the protocol's own match.
      const implicit = matchForProtocol(protocol.number, this.parser.family)?.name;
      if (implicit && !this.loaded.some((item) => item.extension.name === implicit)) {
        this.loadMatch(implicit);
        resolved = this.resolveLong(name);
      }
    }
    if (!resolved) throw this.problem(`unknown option "${word}"`);
    let value: string | undefined;
    if (resolved.owner === CORE_OWNER && OPTIONAL_VALUE.has(CORE_LONG[resolved.name]!)) {
      this.handleCore(CORE_LONG[resolved.name]!, equals < 0 ? this.optionalNext() : word.slice(equals + 1));
      return;
    }
    if (resolved.takesValue) {
      this.valueWord = equals < 0 ? argv[this.index] : word;
      value = equals < 0 ? argv[this.index++] : word.slice(equals + 1);
      if (value === undefined) throw this.problem(`option "--${resolved.name}" requires an argument`);
    }
    if (resolved.owner === CORE_OWNER) {
      this.handleCore(CORE_LONG[resolved.name]!, value);
      return;
    }
    const owner: LoadedMatch | LoadedTarget = resolved.owner === TARGET_OWNER ? this.target! : this.loaded[resolved.owner]!;
    const inverted = this.takeInvert();
    const extension = owner.extension;
    const key = extension.aliases?.[resolved.name] ?? resolved.name;
    if (extension.guided !== false) {
      // xtables_option_parse(), before the extension's x6_parse sees the option: each option once; a `!` only before an XTOPT_INVERT option.
      if (owner.values.has(key)) throw this.problem(`${extension.name}: option "--${key}" can only be used once.\n`);
      if (inverted && !resolved.invert) throw this.problem(`${extension.name}: option "--${key}" cannot be inverted.\n`);
    }
    if (extension.readOption) {
      const reader = (this.reader ??= new OptionReader(this));
      reader.values = owner.values;
      reader.protocol = protocol;
      if (extension.readOption(resolved.name, value, inverted, reader)) return;
    }
    owner.values.set(key, value !== undefined ? { value, invert: inverted } : { invert: inverted });
    // Options that take a list allow a `--comment a "b"`-style rest only as one word; nothing more to do.
  }

  /** One `-x[...]` word: short options, clustered. */
  private shortOptions(word: string): void {
    const argv = this.argv;
    for (let position = 1; position < word.length; position++) {
      const letter = word[position]!;
      if (!WITH_VALUE.has(letter) && !OPTIONAL_VALUE.has(letter) && !"nvxh46fVLSFZX".includes(letter)) throw this.problem(`unknown option "${word}"`);
      if (OPTIONAL_VALUE.has(letter)) {
        const rest = word.slice(position + 1);
        this.handleCore(letter, rest !== "" ? rest : this.optionalNext());
        return;
      }
      if (WITH_VALUE.has(letter)) {
        const last = position + 1 === word.length;
        this.valueWord = last ? argv[this.index] : word;
        const value = last ? argv[this.index++] : word.slice(position + 1);
        if (value === undefined) throw this.problem(`option "-${letter}" requires an argument`);
        if (value === "!") throw this.parser.badArgument(argv[this.index] ?? "!");
        this.handleCore(letter, value);
        return;
      }
      if ("LSFZX".includes(letter)) {
        const rest = word.slice(position + 1);
        if (rest !== "" && ![...rest].every((flag) => "nvx".includes(flag))) {
          this.handleCore(letter, rest);
          return;
        }
        this.handleCore(letter, undefined);
        continue;
      }
      this.handleCore(letter, undefined);
    }
  }

  run(): ParsedIptables {
    const argv = this.argv;
    while (this.index < argv.length) {
      const word = argv[this.index++]!;
      if (word === "!") {
        if (this.invert) throw this.problem("multiple consecutive ! not allowed");
        this.invert = true;
        continue;
      }
      if (word.length > 2 && word.charCodeAt(0) === 45 && word.charCodeAt(1) === 45) {
        this.longOption(word);
        continue;
      }
      if (word.length > 1 && word.charCodeAt(0) === 45) {
        this.shortOptions(word);
        continue;
      }
      throw this.parser.badArgument(word);
    }
    if (this.invert) throw this.problem("no argument following !");
    if (this.waitIntervalGiven && !this.waitGiven) throw new CommandError(this.notices + this.problem("--wait-interval only makes sense with --wait\n").text, 2);
    const command = this.command;
    if (command === undefined) throw this.problem("no command specified");

    const needsRule = command === "A" || command === "C" || command === "I" || command === "R" || (command === "D" && this.number === undefined);
    let rules: Rule[] | undefined;
    let jumpChain: string | undefined;
    if (needsRule) {
      const protocol = this.protocol;
      const context = new BuildContext(this.parser.program, protocol, this.parser.family);
      // Each match instance keeps its own data (two -m tcp are two tests); printing merges them (mergePortMatches).
      const matches: Match[] = [];
      for (const item of this.loaded) {
        const match = item.extension.parse(item.values, context);
        if (match !== undefined) matches.push(match);
      }
      let builtTarget: Target | undefined;
      if (this.targetName !== undefined) {
        if (this.target) builtTarget = this.target.extension.parse(this.target.values, context);
        else {
          builtTarget = { kind: "jump", chain: this.targetName, goto: this.gotoTarget };
          jumpChain = this.targetName;
        }
      }
      const sourceList = this.sources.length > 0 ? this.sources : [undefined];
      const destinationList = this.destinations.length > 0 ? this.destinations : [undefined];
      rules = [];
      for (const from of sourceList) for (const to of destinationList) rules.push(this.build(from, to, matches, builtTarget));
    } else if (this.loaded.length > 0 || this.targetName !== undefined || this.source || this.destination || this.inInterface || this.outInterface || this.protocolGiven) {
      throw this.problem(`Illegal option \`${this.source ? "-s" : this.destination ? "-d" : this.protocolGiven ? "-p" : this.inInterface ? "-i" : this.outInterface ? "-o" : "-j"}' with this command\n`);
    }
    const parsed: Mutable<ParsedIptables> = { table: this.table as TableName, command } as Mutable<ParsedIptables>;
    if (this.parser.family === "ipv6") parsed.family = "ipv6";
    if (this.chain !== undefined) parsed.chain = this.chain;
    if (this.number !== undefined) parsed.number = this.number;
    if (this.newName !== undefined) parsed.newName = this.newName;
    if (this.policy !== undefined) parsed.policy = this.policy;
    if (rules) {
      parsed.rule = rules[0];
      parsed.rules = rules;
    }
    if (jumpChain !== undefined) parsed.jumpChain = jumpChain;
    parsed.numeric = this.numeric;
    parsed.verbose = this.verbose;
    parsed.exact = this.exact;
    parsed.lineNumbers = this.lineNumbers;
    parsed.notices = this.notices;
    return parsed;
  }

  /** One rule of the line. iptables-nft emits nothing for a /0 address or a bare "+" interface: the rule has no such test. */
  private build(source: AddressSelector | undefined, destination: AddressSelector | undefined, matches: Match[], target: Target | undefined): Rule {
    const rule: Mutable<Rule> = {} as Mutable<Rule>;
    if (source && !anyAddress(source)) rule.source = source;
    if (destination && !anyAddress(destination)) rule.destination = destination;
    if (this.inInterface && !anyInterface(this.inInterface)) rule.inInterface = this.inInterface;
    if (this.outInterface && !anyInterface(this.outInterface)) rule.outInterface = this.outInterface;
    if (this.protocol) rule.protocol = this.protocol;
    rule.matches = matches;
    if (target) rule.target = target;
    // The save text is of the rule's tests and target alone (made before counters join it).
    const spec = ruleSpec(rule);
    rule.counters = this.counters ?? { packets: 0, bytes: 0 };
    rule.spec = spec;
    return rule;
  }
}

/** xtables_strtoui(mask, NULL, &bits, 0, 128)'s reading of the whole text (the bound checked by the caller). */
function xtablesStrtouiPrefixless(text: string): number | undefined {
  return allDigits(text) ? Number(text) : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function anyAddress(selector: AddressSelector): boolean {
  return selector.prefixLength === 0 && selector.mask === undefined && !selector.invert;
}

function anyInterface(selector: InterfaceSelector): boolean {
  return selector.name === "+" && !selector.invert;
}

export class IptablesParser {
  readonly program: string;
  /** ip6tables (and its -save and -restore): IPv6 addresses and the IPv6 extensions. */
  readonly family: "ipv6" | undefined;
  /** The core's long options and what a name resolves to with each sequence of extensions loaded (made as lines need them). */
  private readonly longOptions = new LongOptionTable([], undefined);
  /** The -p selectors given so far, by protocol number and inversion. */
  private readonly protocols = new Map<number, ProtocolSelector>();
  constructor(program = "iptables") {
    this.program = program;
    this.family = program.startsWith("ip6tables") ? "ipv6" : undefined;
  }

  /** A word no option took (also what the old `-s ! ADDR` order leads to). */
  badArgument(word: string): CommandError {
    return new CommandError(`Bad argument \`${word}'\nTry \`${this.program} -h' or '${this.program} --help' for more information.\n`, 2);
  }

  problem(message: string): CommandError {
    return parameterProblem(this.program, message);
  }

  /** A parameter problem without a message: the Try line alone, exit 2. */
  tryOnly(): CommandError {
    return new CommandError(`Try \`${this.program} -h' or '${this.program} --help' for more information.\n`, 2);
  }

  /** xtables_ipparse_any(): ADDR[/LEN|/MASK]; a dotted mask need not be contiguous (ipt_ip keeps any mask). */
  parseAddress(text: string, invert: boolean): AddressSelector {
    if (this.family === "ipv6") return this.parseAddress6(text, invert);
    // text.split("/", 2): the host, and the mask up to a second slash.
    const slash = text.indexOf("/");
    const host = slash < 0 ? text : text.slice(0, slash);
    const address = parseIpv4Address(host);
    if (address === undefined) throw this.problem(`host/network \`${host}' not found`);
    if (slash < 0) return { address, prefixLength: 32, invert };
    const secondSlash = text.indexOf("/", slash + 1);
    const mask = secondSlash < 0 ? text.slice(slash + 1) : text.slice(slash + 1, secondSlash);
    if (allDigits(mask) && Number(mask) <= 32) return { address: (address & prefixMask(Number(mask))) >>> 0, prefixLength: Number(mask), invert };
    const dotted = mask.includes(".") ? parseIpv4Address(mask) : undefined;
    if (dotted === undefined) throw this.problem(`invalid mask \`${mask}' specified`);
    const length = Array.from({ length: 33 }, (_, bits) => bits).find((bits) => prefixMask(bits) === dotted);
    if (length !== undefined) return { address: (address & prefixMask(length)) >>> 0, prefixLength: length, invert };
    const ones = dotted.toString(2).replace(/0/g, "").length;
    return { address: (address & dotted) >>> 0, prefixLength: ones, mask: dotted, invert };
  }

  /** xtables_ip6parse_any(): ADDR[/LEN|/MASK] (inet_pton; a host name would be resolved: not modelled, so "not found"); the address masked. */
  parseAddress6(text: string, invert: boolean): AddressSelector {
    const slash = text.indexOf("/");
    const host = slash < 0 ? text : text.slice(0, slash);
    const address = parseIpv6Address(host);
    if (address === undefined) throw this.problem(`host/network \`${host}' not found`);
    let length = 128;
    if (slash >= 0) {
      const secondSlash = text.indexOf("/", slash + 1);
      const mask = secondSlash < 0 ? text.slice(slash + 1) : text.slice(slash + 1, secondSlash);
      if (mask.includes(":")) {
        const value = parseIpv6Address(mask);
        if (value === undefined) throw this.problem(`host/network \`${mask}' not found`);
        const contiguous = ipv6MaskLength(value);
        if (contiguous === undefined) throw new UnsupportedError(mask, "an ip6tables address mask that is not a prefix is not modelled");
        length = contiguous;
      } else {
        const value = xtablesStrtouiPrefixless(mask);
        if (value === undefined || value > 128) throw this.problem(`invalid mask \`${mask}' specified`);
        length = value;
      }
    }
    return { address: 0, prefixLength: length, invert, ipv6: formatIpv6Address(address & ipv6PrefixMask(length)) };
  }

  parseInterface(text: string, invert: boolean): InterfaceSelector {
    if (text.length > 15) throw this.problem(`interface name \`${text}' must be shorter than IFNAMSIZ (15)`);
    return { name: text, invert };
  }

  /** -p: xtables_parse_protocol() on the lower-cased text; 0 ("all") is no protocol, and `! -p 0` could never match. */
  parseProtocol(text: string, invert: boolean): ProtocolSelector | undefined {
    const number = protocolNumber(text.toLowerCase());
    if (number === undefined) throw this.problem(`unknown protocol "${text}" specified`);
    if (number === 0) {
      if (invert) throw this.problem("rule would never match protocol");
      return undefined;
    }
    // One selector per protocol and inversion, shared by the rules that give it (it is never changed): a ruleset's rules give the same one or two.
    const key = number * 2 + (invert ? 1 : 0);
    let selector = this.protocols.get(key);
    if (!selector) this.protocols.set(key, (selector = { number, invert }));
    return selector;
  }

  /** Parses one iptables command line (without the program name). */
  parse(argv: readonly string[]): ParsedIptables {
    return new ParseRun(this, argv, this.longOptions).run();
  }
}
