// iptables' set match, revision 4 (extensions/libxt_set.c: set_opts_v4,
// set_parse_v4, set_check, set_save_v4, set_print_v4), the SET target,
// revision 3 (extensions/libxt_SET.c: set_target_opts_v3,
// set_target_parse_v3, set_target_check_v3, set_target_save_v3,
// set_target_print_v3), and what they share (libxt_set.h: parse_dirs,
// get_set_byname). One file for both: the two names differ only in case.
// Both look the set up by name while parsing
// (get_set_byname through the ipset socket), so a missing set is
// iptables' own error: missingRuleSet.
import type { IpSetReference, Match, Rule, SetCounterMatch, Target } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ipSetByName } from "../../net/index.js";
import { UnsupportedError } from "../command.js";
import { option, type XtablesOptionReader, type XtablesMatch, type XtablesTarget } from "./xtables.js";

type SetMatch = Extract<Match, { kind: "set" }>;

/** IPSET_MAXNAMELEN - 1. */
const MAX_NAME = 31;
/** IPSET_DIM_MAX. */
const MAX_DIMENSIONS = 6;

type Problem = (message: string) => Error;

/** parse_dirs(): `src`/`dst` words joined by commas. */
export function setReference(text: string, problem: Problem): IpSetReference {
  const [name = "", flagText = ""] = text.split(" ");
  if (name.length > MAX_NAME) throw problem(`setname \`${name}' too long, max ${MAX_NAME} characters.`);
  const flags = flagText.split(",").map((word) => {
    if (word !== "src" && word !== "dst") throw problem("You must spefify (the comma separated list of) 'src' or 'dst'.");
    return word;
  });
  if (flags.length > MAX_DIMENSIONS) throw problem(`Can't be more src/dst options than ${MAX_DIMENSIONS}.`);
  return { name, flags };
}

/**
 * An option of two words, NAME and FLAGS (set_parse_v4 and
 * set_target_parse_v3 read argv[optind] themselves): stored as "NAME FLAGS".
 */
export function readTwoArguments(name: string, value: string | undefined, invert: boolean, reader: XtablesOptionReader): true {
  const second = reader.nextArgument();
  if (second === undefined) throw reader.problem(`--${name} requires two args.`);
  reader.values.set(name, { value: `${value} ${second}`, invert });
  return true;
}

export const setFlagText = (item: IpSetReference) => `${item.name} ${item.flags.join(",")}`;

const COUNTER_OPTIONS = ["packets-eq", "packets-lt", "packets-gt", "bytes-eq", "bytes-lt", "bytes-gt"];
const COUNTER_OPTION = /^(packets|bytes)-(eq|lt|gt)$/;
const UINT64_MAX = (1n << 64n) - 1n;

/** parse_counter(): xtables_strtoul(text, NULL, &value, 0, UINT64_MAX), base 0 over the whole text; decimal text of the value. */
function counterValue(text: string): string | undefined {
  const match = /^\s*\+?(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!match) return undefined;
  const digits = match[1]!;
  const value = /^0x/i.test(digits) ? BigInt(digits) : digits.startsWith("0") ? BigInt(`0o${digits.slice(1) || "0"}`) : BigInt(digits);
  return value <= UINT64_MAX ? value.toString() : undefined;
}

/** A counter test read by readOption, as "OP VALUE". */
function counterMatch(name: "packets" | "bytes", stored: { value?: string } | undefined): Partial<SetMatch> {
  if (!stored) return {};
  const [op, value = ""] = stored.value!.split(" ");
  return { [name]: { op: op as SetCounterMatch["op"], value } };
}

export const libxtSet: XtablesMatch<SetMatch> = {
  name: "set",
  description: "`set` (the ipset row)",
  guided: false,
  options: [option("match-set"), option("set"), option("return-nomatch", false), option("update-counters", false), option("update-subcounters", false), ...COUNTER_OPTIONS.map((name) => option(name))],
  readOption(name, value, invert, reader) {
    // --set is --match-set with a deprecation notice on stderr (its two words read alike).
    if (name === "set") throw new UnsupportedError("--set", "iptables set --set (deprecated for --match-set) is not modelled");
    if (name === "return-nomatch" && invert) throw reader.problem("--return-nomatch flag cannot be inverted");
    const counter = COUNTER_OPTION.exec(name);
    if (counter) {
      // set_parse_v4: one test per counter, only -eq inverted (as IPSET_COUNTER_NE), the value parsed last.
      const [, which = "", op = ""] = counter;
      if (reader.values.has(which)) throw reader.problem(`only one of the --${which}-[eq|lt|gt] is allowed`);
      if (invert && op !== "eq") throw reader.problem(`--${name} option cannot be inverted`);
      const parsed = counterValue(value!);
      if (parsed === undefined) throw reader.problem(`Cannot parse ${value} as a counter value`);
      reader.values.set(which, { value: `${invert ? "ne" : op} ${parsed}`, invert: false });
      return true;
    }
    if (name !== "match-set") return false;
    if (reader.values.has("match-set")) throw reader.problem("--match-set can be specified only once");
    return readTwoArguments(name, value, invert, reader);
  },
  parse(values, context) {
    const problem: Problem = (message) => context.problem(message);
    const matchSet = values.get("match-set");
    if (!matchSet) throw problem("You must specify `--match-set' with proper arguments");
    return {
      kind: "set",
      set: setReference(matchSet.value!, problem),
      invert: matchSet.invert,
      returnNomatch: values.has("return-nomatch"),
      updateCounters: !(values.get("update-counters")?.invert ?? false),
      updateSubcounters: !(values.get("update-subcounters")?.invert ?? false),
      ...counterMatch("packets", values.get("packets")),
      ...counterMatch("bytes", values.get("bytes")),
    };
  },
  save: (match) => matchText(match, "--"),
  print: (match) => matchText(match, ""),
};

/** set_save_v4 / set_print_v4: the same words, with `--` in the save form. */
function matchText(match: SetMatch, dash: string): string {
  let text = `${match.invert ? " !" : ""} ${dash}match-set ${setFlagText(match.set)}`;
  if (match.returnNomatch) text += ` ${dash}return-nomatch`;
  if (!match.updateCounters) text += ` ! ${dash}update-counters`;
  if (!match.updateSubcounters) text += ` ! ${dash}update-subcounters`;
  text += counterText(match.packets, "packets", dash) + counterText(match.bytes, "bytes", dash);
  return text;
}

/** set_printv4_counter(). */
function counterText(counter: SetCounterMatch | undefined, name: string, dash: string): string {
  if (!counter) return "";
  return counter.op === "ne" ? ` ! ${dash}${name}-eq ${counter.value}` : ` ${dash}${name}-${counter.op} ${counter.value}`;
}

/** The first set the rule names that the namespace has not (iptables says `Set NAME doesn't exist.`). */
export function missingRuleSet(rule: Rule | undefined, namespace: NetworkNamespace): string | undefined {
  if (!rule) return undefined;
  for (const match of rule.matches) if (match.kind === "set" && !ipSetByName(namespace, match.set.name)) return match.set.name;
  const target = rule.target;
  if (target?.kind === "SET") {
    for (const item of [target.add, target.del, target.map]) if (item && !ipSetByName(namespace, item.name)) return item.name;
  }
  return undefined;
}

type SetTarget = Extract<Target, { kind: "SET" }>;

const TWO_ARGUMENTS: ReadonlySet<string> = new Set(["add-set", "del-set", "map-set"]);

/** set_target_save_v3 / set_target_print_v3: the same words, with `--` in the save form. */
function targetText(target: SetTarget, dash: string): string {
  let text = "";
  if (target.add) text += ` ${dash}add-set ${setFlagText(target.add)}`;
  if (target.exist) text += ` ${dash}exist`;
  if (target.timeout !== undefined) text += ` ${dash}timeout ${target.timeout}`;
  if (target.del) text += ` ${dash}del-set ${setFlagText(target.del)}`;
  if (target.map) text += ` ${dash}map-set ${setFlagText(target.map)}`;
  if (target.mapMark) text += ` ${dash}map-mark`;
  if (target.mapPrio) text += ` ${dash}map-prio`;
  if (target.mapQueue) text += ` ${dash}map-queue`;
  return text;
}

export const libxtSET: XtablesTarget<SetTarget> = {
  name: "SET",
  description: "SET (the ipset row)",
  guided: false,
  options: [option("add-set"), option("del-set"), option("map-set"), option("exist", false), option("timeout"), option("map-mark", false), option("map-prio", false), option("map-queue", false)],
  readOption(name, value, invert, reader) {
    if (!TWO_ARGUMENTS.has(name)) return false;
    // set_target_parse_v3: each of the three set options once (its flag bit).
    if (reader.values.has(name)) throw reader.problem(`--${name} can be specified only once`);
    return readTwoArguments(name, value, invert, reader);
  },
  parse(values, context) {
    const problem = (message: string) => context.problem(message);
    const add = values.get("add-set");
    const del = values.get("del-set");
    const map = values.get("map-set");
    // What set_target_parse_v3 refuses while reading the options: the sets' words, the timeout.
    const addReference = add ? setReference(add.value!, problem) : undefined;
    const delReference = del ? setReference(del.value!, problem) : undefined;
    const mapReference = map ? setReference(map.value!, problem) : undefined;
    const timeout = values.get("timeout");
    let seconds: number | undefined;
    if (timeout) {
      // xtables_strtoui() with UINT_MAX - 1 as the limit (UINT_MAX is IPSET_NO_TIMEOUT).
      if (!/^\d+$/.test(timeout.value!) || Number(timeout.value) > 0xfffffffe) throw problem(`Invalid value for option --timeout or out of range 0-${0xfffffffe}`);
      seconds = Number(timeout.value);
    }
    // set_target_check_v3(), in its order.
    if (!add && !del && !map) throw problem("You must specify either `--add-set' or `--del-set' or `--map-set'");
    if (!add && values.has("exist")) throw problem("Flag `--exist' can be used with `--add-set' only");
    if (!add && values.has("timeout")) throw problem("Option `--timeout' can be used with `--add-set' only");
    for (const flag of ["map-mark", "map-prio", "map-queue"]) if (!map && values.has(flag)) throw problem(`Flag \`--${flag}' can be used with \`--map-set' only`);
    if (map && !values.has("map-mark") && !values.has("map-prio") && !values.has("map-queue")) throw problem("You must specify flags `--map-mark' or '--map-prio` or `--map-queue'");
    // skb->priority and the transmit queue: nothing in the model carries or shows them (no qdiscs, one queue a device).
    if (values.has("map-prio")) throw new UnsupportedError("--map-prio", "iptables SET --map-prio is not modelled (netsim has no skb priority)");
    if (values.has("map-queue")) throw new UnsupportedError("--map-queue", "iptables SET --map-queue is not modelled (netsim has no transmit queues)");
    return {
      kind: "SET",
      ...(addReference ? { add: addReference } : {}),
      ...(delReference ? { del: delReference } : {}),
      exist: values.has("exist"),
      ...(seconds !== undefined ? { timeout: seconds } : {}),
      ...(mapReference ? { map: mapReference, mapMark: values.has("map-mark") } : {}),
    };
  },
  save: (target) => targetText(target, "--"),
  print: (target) => targetText(target, ""),
};
