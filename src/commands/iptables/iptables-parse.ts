// iptables' command line (iptables/xshared.c: do_parse, command_default;
// iptables/iptables.c option table; each extension's options from
// extensions/libxt_*.c, libipt_*.c) into a typed command and rule. getopt_long
// rules apply: short options cluster (`-nvL`), long options may be abbreviated
// to any unique prefix (`--to` for DNAT's --to-destination), and `!` inverts
// the option after it.
import { parseIpv4Address, prefixMask } from "../../model/address.js";
import type { AddressSelector, InterfaceSelector, Match, Rule, TableName, Target } from "../../model/netfilter.js";
import { CommandError, UnsupportedError } from "../command.js";
import { ruleSpec } from "./rule-format.js";
import { protocolNumber } from "./protocols.js";
import { matchExtension, matchForProtocol, targetExtension, UNMODELLED_MATCHES, UNMODELLED_TARGETS } from "./extensions.js";
import { guidedPortRange, type XtablesMatch, type XtablesOptionReader, type XtablesParseContext, type XtablesTarget } from "./xtables.js";

export const IPTABLES_VERSION = "v1.8.9 (nf_tables)";

/** xtables_error(PARAMETER_PROBLEM, ...): the message, the Try line, exit 2. */
export function parameterProblem(program: string, message: string): CommandError {
  return new CommandError(`${program} ${IPTABLES_VERSION}: ${message}\nTry \`${program} -h' or '${program} --help' for more information.\n`, 2);
}

export type CommandLetter = "A" | "C" | "D" | "I" | "R" | "L" | "S" | "F" | "Z" | "N" | "X" | "P" | "E";

export interface ParsedIptables {
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
/** The core's long options as the parser resolves them (made once). */
const CORE_LONG_OPTIONS = Object.entries(CORE_LONG).map(([name, letter]) => ({ name, owner: "core" as const, takesValue: WITH_VALUE.has(letter), invert: true }));
/** -w [SECONDS] and -W [USECONDS]: a value attached, or the next word when it is no option (xs_has_arg). */
const OPTIONAL_VALUE = new Set(["w", "W"]);
/** Commands whose chain is optional (taken when the next word is not an option). */
const OPTIONAL_CHAIN = new Set(["L", "S", "F", "Z", "X"]);

export const KNOWN_TABLES = new Set<string>(["filter", "nat", "mangle", "raw"]);

/** Mutable state of one match or target while its options are read. */
interface LoadedMatch {
  readonly kind: "match";
  readonly extension: XtablesMatch;
  readonly values: Map<string, { value?: string; invert: boolean }>;
}
interface LoadedTarget {
  readonly kind: "target";
  readonly extension: XtablesTarget;
  readonly values: Map<string, { value?: string; invert: boolean }>;
}
type LoadedExtension = LoadedMatch | LoadedTarget;

export class IptablesParser {
  private readonly program: string;
  constructor(program = "iptables") {
    this.program = program;
  }

  /** A word no option took (also what the old `-s ! ADDR` order leads to). */
  badArgument(word: string): CommandError {
    return new CommandError(`Bad argument \`${word}'\nTry \`${this.program} -h' or '${this.program} --help' for more information.\n`, 2);
  }

  private problem(message: string): CommandError {
    return parameterProblem(this.program, message);
  }

  /** xtables_ipparse_any(): ADDR[/LEN|/MASK]; a dotted mask need not be contiguous (ipt_ip keeps any mask). */
  private parseAddress(text: string, invert: boolean): AddressSelector {
    const [host = "", mask] = text.split("/", 2);
    const address = parseIpv4Address(host);
    if (address === undefined) throw this.problem(`host/network \`${host}' not found`);
    if (mask === undefined) return { address, prefixLength: 32, invert };
    if (/^\d+$/.test(mask) && Number(mask) <= 32) return { address: (address & prefixMask(Number(mask))) >>> 0, prefixLength: Number(mask), invert };
    const dotted = mask.includes(".") ? parseIpv4Address(mask) : undefined;
    if (dotted === undefined) throw this.problem(`invalid mask \`${mask}' specified`);
    const length = Array.from({ length: 33 }, (_, bits) => bits).find((bits) => prefixMask(bits) === dotted);
    if (length !== undefined) return { address: (address & prefixMask(length)) >>> 0, prefixLength: length, invert };
    const ones = dotted.toString(2).replace(/0/g, "").length;
    return { address: (address & dotted) >>> 0, prefixLength: ones, mask: dotted, invert };
  }

  private parseInterface(text: string, invert: boolean): InterfaceSelector {
    if (text.length > 15) throw this.problem(`interface name \`${text}' must be shorter than IFNAMSIZ (15)`);
    return { name: text, invert };
  }

  /** -p: xtables_parse_protocol() on the lower-cased text; 0 ("all") is no protocol, and `! -p 0` could never match. */
  private parseProtocol(text: string, invert: boolean): { number: number; invert: boolean } | undefined {
    const number = protocolNumber(text.toLowerCase());
    if (number === undefined) throw this.problem(`unknown protocol "${text}" specified`);
    if (number === 0) {
      if (invert) throw this.problem("rule would never match protocol");
      return undefined;
    }
    return { number, invert };
  }

  /** Parses one iptables command line (without the program name). */
  parse(argv: readonly string[]): ParsedIptables {
    let table: string = "filter";
    let command: CommandLetter | undefined;
    let chain: string | undefined;
    let number: number | undefined;
    let newName: string | undefined;
    let policy: string | undefined;
    let numeric = false;
    let verbose = false;
    let exact = false;
    let lineNumbers = false;
    let notices = "";
    let waitGiven = false;
    let waitIntervalGiven = false;
    let source: AddressSelector | undefined;
    let destination: AddressSelector | undefined;
    let sources: AddressSelector[] = [];
    let destinations: AddressSelector[] = [];
    let inInterface: InterfaceSelector | undefined;
    let outInterface: InterfaceSelector | undefined;
    let protocol: { number: number; invert: boolean } | undefined;
    let protocolGiven = false;
    let inGiven = false;
    let outGiven = false;
    let counters: { packets: number; bytes: number } | undefined;
    const loaded: LoadedMatch[] = [];
    let target: LoadedTarget | undefined;
    let targetName: string | undefined;
    let gotoTarget = false;
    let invert = false;
    let index = 0;

    const setCommand = (letter: CommandLetter) => {
      if (command !== undefined && command !== letter) throw this.problem(`Cannot use -${letter} with -${command}\n`);
      command = letter;
    };
    const nextOperand = (): string | undefined => {
      const word = argv[index];
      if (word === undefined || (word.startsWith("-") && word !== "-") || word === "!") return undefined;
      index++;
      return word;
    };
    const ruleNumber = (text: string, what: string): number => {
      if (!/^\d+$/.test(text) || Number(text) < 1) throw this.problem(`Invalid rule number \`${text}'`);
      void what;
      return Number(text);
    };
    const takeInvert = () => {
      const value = invert;
      invert = false;
      return value;
    };

    const loadMatch = (name: string): LoadedMatch => {
      const extension = matchExtension(name);
      if (!extension) {
        if (UNMODELLED_MATCHES.has(name)) throw new UnsupportedError(name, `iptables match "${name}" is not modelled`);
        throw this.problem(`Couldn't load match \`${name}':No such file or directory\n`);
      }
      const item: LoadedMatch = { extension, kind: "match", values: new Map() };
      loaded.push(item);
      return item;
    };

    /** The argv word the last option's value came from (iptables 1.8.9 reads -p's value back from argv[optind - 1]). */
    let valueWord: string | undefined;
    const handleCore = (letter: string, value: string | undefined) => {
      switch (letter) {
        case "A":
        case "C":
        case "D":
        case "I":
        case "R":
        case "N":
        case "P":
        case "E":
          setCommand(letter);
          chain = value;
          if (letter === "D" || letter === "I") {
            const next = argv[index];
            if (next !== undefined && /^\d+$/.test(next)) {
              index++;
              number = ruleNumber(next, letter);
            }
          } else if (letter === "R") {
            const next = nextOperand();
            if (next === undefined) throw this.problem("-R requires a rule number");
            number = ruleNumber(next, letter);
          } else if (letter === "P") {
            policy = nextOperand();
            if (policy === undefined) throw this.problem("-P requires a chain and a policy");
          } else if (letter === "E") {
            newName = nextOperand();
            if (newName === undefined) throw this.problem("-E requires old-chain-name and new-chain-name");
          }
          return;
        case "L":
        case "S":
        case "F":
        case "Z":
        case "X": {
          setCommand(letter);
          chain = value ?? nextOperand();
          if (chain !== undefined && (letter === "L" || letter === "S" || letter === "Z")) {
            const next = argv[index];
            if (next !== undefined && /^\d+$/.test(next)) {
              index++;
              number = Number(next);
            }
          }
          return;
        }
        case "s":
          if (source) throw this.problem("multiple -s flags not allowed");
          {
            const inverted = takeInvert();
            sources = value!.split(",").map((text) => this.parseAddress(text, inverted));
            source = sources[0];
          }
          return;
        case "d":
          if (destination) throw this.problem("multiple -d flags not allowed");
          {
            const inverted = takeInvert();
            destinations = value!.split(",").map((text) => this.parseAddress(text, inverted));
            destination = destinations[0];
          }
          return;
        case "i":
          if (inGiven) throw this.problem("multiple -i flags not allowed");
          inGiven = true;
          inInterface = this.parseInterface(value!, takeInvert());
          return;
        case "o":
          if (outGiven) throw this.problem("multiple -o flags not allowed");
          outGiven = true;
          outInterface = this.parseInterface(value!, takeInvert());
          return;
        case "p":
          if (protocolGiven) throw this.problem("multiple -p flags not allowed");
          protocolGiven = true;
          protocol = this.parseProtocol(valueWord ?? value!, takeInvert());
          return;
        case "j":
        case "g": {
          if (invert) throw this.problem(`cannot have ! before -${letter}`);
          if (targetName !== undefined) throw this.problem("multiple -j flags not allowed");
          targetName = value!;
          gotoTarget = letter === "g";
          const extension = targetExtension(value!);
          if (extension && letter === "j") target = { extension, kind: "target", values: new Map() };
          else if (UNMODELLED_TARGETS.has(value!)) throw new UnsupportedError(value!, `iptables target "${value}" is not modelled`);
          return;
        }
        case "m":
          if (invert) throw this.problem("cannot have ! before -m");
          loadMatch(value!);
          return;
        case "t":
          if (invert) throw this.problem("cannot have ! before -t");
          if (value === "security") throw new UnsupportedError("security", "the iptables security table is not modelled");
          if (!KNOWN_TABLES.has(value!)) throw new CommandError(`${this.program} ${IPTABLES_VERSION}: table '${value}' does not exist\nPerhaps ${this.program} or your kernel needs to be upgraded.\n`, 3);
          table = value!;
          return;
        case "n":
          numeric = true;
          return;
        case "v":
          verbose = true;
          return;
        case "x":
          exact = true;
          return;
        case "0":
          lineNumbers = true;
          return;
        case "w":
          // parse_wait_time(): sscanf("%i"). One process holds no xtables lock: there is nothing to wait for.
          if (value !== undefined && !/^\s*[+-]?\d/.test(value)) throw this.problem("wait seconds not numeric");
          waitGiven = true;
          return;
        case "W": {
          // parse_wait_interval(): read and checked, then ignored by iptables-nft, which says so.
          if (value === undefined) throw this.problem("wait interval value required");
          const interval = /^\s*\+?(\d+)/.exec(value);
          if (!interval) throw this.problem("wait interval not numeric");
          if (Number(interval[1]) > 999999) throw this.problem(`too long usec wait ${interval[1]} > 999999 usec`);
          notices += "Ignoring deprecated --wait-interval option.\n";
          waitIntervalGiven = true;
          return;
        }
        case "4":
          return;
        case "f":
          throw new UnsupportedError("-f", "iptables -f (fragments) is not modelled");
        case "c": {
          // -c PACKETS,BYTES or -c PACKETS BYTES (do_parse: the byte count after a comma, else the next word).
          const packetsText = value!;
          const comma = packetsText.indexOf(",", 1);
          let bytesText: string | undefined = comma >= 0 ? packetsText.slice(comma + 1) : undefined;
          if (bytesText === undefined && argv[index] !== undefined && !argv[index]!.startsWith("-") && argv[index] !== "!") bytesText = argv[index++];
          if (bytesText === undefined) throw this.problem("-c requires packet and byte counter");
          // sscanf("%llu"): leading digits.
          const packets = /^\s*\d+/.exec(packetsText);
          if (!packets) throw this.problem("-c packet counter not numeric");
          const bytes = /^\s*\d+/.exec(bytesText);
          if (!bytes) throw this.problem("-c byte counter not numeric");
          counters = { packets: Number(packets[0]), bytes: Number(bytes[0]) };
          return;
        }
        case "M":
          return;
        case "6":
          throw this.problem("This is the IPv4 version of iptables.");
        case "h":
          throw new UnsupportedError("-h", "iptables -h is not modelled");
        case "V":
          throw new UnsupportedError("-V", "iptables -V is not modelled");
      }
      throw this.problem(`unknown option "-${letter}"`);
    };

    /** Every long option name available now, with its owner; made again only when a match or the target was loaded since. */
    let longOptionsCache: { readonly loaded: number; readonly target: LoadedExtension | undefined; readonly all: { name: string; owner: "core" | LoadedExtension; takesValue: boolean; invert: boolean }[] } | undefined;
    const longOptions = () => {
      if (longOptionsCache?.loaded !== loaded.length || longOptionsCache.target !== target) longOptionsCache = { loaded: loaded.length, target, all: allLongOptions() };
      return longOptionsCache.all;
    };
    const allLongOptions = (): { name: string; owner: "core" | LoadedExtension; takesValue: boolean; invert: boolean }[] => [
      ...CORE_LONG_OPTIONS,
      ...loaded.flatMap((item) => item.extension.options.map((candidate) => ({ name: candidate.name, owner: item, takesValue: candidate.takesValue, invert: candidate.invert ?? false }))),
      ...(target ? target.extension.options.map((candidate) => ({ name: candidate.name, owner: target!, takesValue: candidate.takesValue, invert: candidate.invert ?? false })) : []),
    ];
    const resolveLong = (name: string) => {
      const all = longOptions();
      const exactMatch = all.filter((candidate) => candidate.name === name);
      if (exactMatch.length > 0) return exactMatch[exactMatch.length - 1];
      const prefixed = all.filter((candidate) => candidate.name.startsWith(name));
      const distinct = [...new Set(prefixed.map((candidate) => candidate.name))];
      if (distinct.length === 1) return prefixed[prefixed.length - 1];
      if (distinct.length > 1) throw this.problem(`option "--${name}" is ambiguous`);
      return undefined;
    };

    const optionalNext = (): string | undefined => {
      const next = argv[index];
      if (next === undefined || next.startsWith("-") || next.startsWith("!")) return undefined;
      index++;
      return next;
    };
    while (index < argv.length) {
      const word = argv[index++]!;
      if (word === "!") {
        if (invert) throw this.problem("multiple consecutive ! not allowed");
        invert = true;
        continue;
      }
      if (word.startsWith("--") && word.length > 2) {
        const equals = word.indexOf("=");
        const name = equals < 0 ? word.slice(2) : word.slice(2, equals);
        let resolved = resolveLong(name);
        if (!resolved && protocol && !protocol.invert) {
          // command_default(): an unknown option may belong to the protocol's own match.
          const implicit = matchForProtocol(protocol.number)?.name;
          if (implicit && !loaded.some((item) => item.extension.name === implicit)) {
            loadMatch(implicit);
            resolved = resolveLong(name);
          }
        }
        if (!resolved) throw this.problem(`unknown option "${word}"`);
        let value: string | undefined;
        if (resolved.owner === "core" && OPTIONAL_VALUE.has(CORE_LONG[resolved.name]!)) {
          handleCore(CORE_LONG[resolved.name]!, equals < 0 ? optionalNext() : word.slice(equals + 1));
          continue;
        }
        if (resolved.takesValue) {
          valueWord = equals < 0 ? argv[index] : word;
          value = equals < 0 ? argv[index++] : word.slice(equals + 1);
          if (value === undefined) throw this.problem(`option "--${resolved.name}" requires an argument`);
        }
        if (resolved.owner === "core") {
          handleCore(CORE_LONG[resolved.name]!, value);
        } else {
          const owner = resolved.owner;
          const inverted = takeInvert();
          const key = owner.extension.aliases?.[resolved.name] ?? resolved.name;
          if (owner.extension.guided !== false) {
            // xtables_option_parse(), before the extension's x6_parse sees the option: each option once; a `!` only before an XTOPT_INVERT option.
            const extensionName = owner.extension.name;
            if (owner.values.has(key)) throw this.problem(`${extensionName}: option "--${key}" can only be used once.\n`);
            if (inverted && !resolved.invert) throw this.problem(`${extensionName}: option "--${key}" cannot be inverted.\n`);
          }
          const reader: XtablesOptionReader = {
            values: owner.values,
            protocol,
            nextArgument: () => {
              const second = argv[index];
              if (second === undefined || second.startsWith("-") || second.startsWith("!")) return undefined;
              index++;
              return second;
            },
            problem: (message) => this.problem(message),
          };
          if (owner.extension.readOption?.(resolved.name, value, inverted, reader)) continue;
          owner.values.set(key, { ...(value !== undefined ? { value } : {}), invert: inverted });
          // Options that take a list allow a `--comment a "b"`-style rest only as one word; nothing more to do.
        }
        continue;
      }
      if (word.startsWith("-") && word.length > 1) {
        for (let position = 1; position < word.length; position++) {
          const letter = word[position]!;
          if (!WITH_VALUE.has(letter) && !OPTIONAL_VALUE.has(letter) && !"nvxh46fVLSFZX".includes(letter)) throw this.problem(`unknown option "${word}"`);
          if (OPTIONAL_VALUE.has(letter)) {
            const rest = word.slice(position + 1);
            handleCore(letter, rest !== "" ? rest : optionalNext());
            break;
          }
          if (WITH_VALUE.has(letter)) {
            const rest = word.slice(position + 1);
            valueWord = rest !== "" ? word : argv[index];
            const value = rest !== "" ? rest : argv[index++];
            if (value === undefined) throw this.problem(`option "-${letter}" requires an argument`);
            if (value === "!") throw this.badArgument(argv[index] ?? "!");
            handleCore(letter, value);
            break;
          }
          if ("LSFZX".includes(letter)) {
            const rest = word.slice(position + 1);
            if (rest !== "" && ![...rest].every((flag) => "nvx".includes(flag))) {
              handleCore(letter, rest);
              break;
            }
            handleCore(letter, undefined);
            continue;
          }
          handleCore(letter, undefined);
        }
        continue;
      }
      throw this.badArgument(word);
    }
    if (invert) throw this.problem("no argument following !");
    if (waitIntervalGiven && !waitGiven) throw new CommandError(notices + this.problem("--wait-interval only makes sense with --wait\n").text, 2);
    if (command === undefined) throw this.problem("no command specified");
    const tableName = table as TableName;

    const needsRule = command === "A" || command === "C" || command === "I" || command === "R" || (command === "D" && number === undefined);
    let rule: Rule | undefined;
    let rules: Rule[] | undefined;
    let jumpChain: string | undefined;
    if (needsRule) {
      // Each match instance keeps its own data (two -m tcp are two tests); printing merges them (mergePortMatches).
      const matches = loaded.flatMap((item) => this.buildMatch(item, protocol) ?? []);
      let builtTarget: Target | undefined;
      if (targetName !== undefined) {
        if (target) builtTarget = this.buildTarget(target, protocol);
        else {
          builtTarget = { kind: "jump", chain: targetName, goto: gotoTarget };
          jumpChain = targetName;
        }
      }
      // iptables-nft emits nothing for a /0 address or a bare "+" interface: the rule has no such test.
      const anyAddress = (selector: AddressSelector | undefined) => selector !== undefined && selector.prefixLength === 0 && selector.mask === undefined && !selector.invert;
      const anyInterface = (selector: InterfaceSelector | undefined) => selector !== undefined && selector.name === "+" && !selector.invert;
      const build = (source: AddressSelector | undefined, destination: AddressSelector | undefined): Rule => {
        const shape = {
          ...(source && !anyAddress(source) ? { source } : {}),
          ...(destination && !anyAddress(destination) ? { destination } : {}),
          ...(inInterface && !anyInterface(inInterface) ? { inInterface } : {}),
          ...(outInterface && !anyInterface(outInterface) ? { outInterface } : {}),
          ...(protocol ? { protocol } : {}),
          matches,
          ...(builtTarget ? { target: builtTarget } : {}),
        };
        return { ...shape, counters: counters ?? { packets: 0, bytes: 0 }, spec: ruleSpec(shape) };
      };
      const sourceList = sources.length > 0 ? sources : [undefined];
      const destinationList = destinations.length > 0 ? destinations : [undefined];
      rules = sourceList.flatMap((from) => destinationList.map((to) => build(from, to)));
      rule = rules[0];
    } else if (loaded.length > 0 || targetName !== undefined || source || destination || inInterface || outInterface || protocolGiven) {
      throw this.problem(`Illegal option \`${source ? "-s" : destination ? "-d" : protocolGiven ? "-p" : inInterface ? "-i" : outInterface ? "-o" : "-j"}' with this command\n`);
    }
    return {
      table: tableName,
      command,
      ...(chain !== undefined ? { chain } : {}),
      ...(number !== undefined ? { number } : {}),
      ...(newName !== undefined ? { newName } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(rule ? { rule, rules: rules! } : {}),
      ...(jumpChain !== undefined ? { jumpChain } : {}),
      numeric,
      verbose,
      exact,
      lineNumbers,
      notices,
    };
  }

  private parseContext(protocol: { number: number; invert: boolean } | undefined): XtablesParseContext {
    const context: XtablesParseContext = { problem: (message) => this.problem(message), protocol, portRange: (text) => guidedPortRange(context, text) };
    return context;
  }

  /** A match built from its options; undefined when iptables-nft keeps nothing of it (a tcp/udp full range). */
  private buildMatch(item: LoadedMatch, protocol: { number: number; invert: boolean } | undefined): Match | undefined {
    return item.extension.parse(item.values, this.parseContext(protocol));
  }

  private buildTarget(item: LoadedTarget, protocol: { number: number; invert: boolean } | undefined): Target {
    return item.extension.parse(item.values, this.parseContext(protocol));
  }
}
