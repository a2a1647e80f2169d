// iptables' extensions/libxt_set.c (the set match, revision 4) and
// libxt_SET.c (the SET target, revision 3): their options, what they refuse,
// and their save (-S, iptables-save) and print (-L) texts. Both look the set
// up by name while parsing (get_set_byname through the ipset socket), so a
// missing set is iptables' own error: checkRuleSets.
import type { IpSetReference, Match, Rule, Target } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ipSetByName } from "../../net/index.js";
import { UnsupportedError } from "../command.js";

/** IPSET_MAXNAMELEN - 1. */
const MAX_NAME = 31;
/** IPSET_DIM_MAX. */
const MAX_DIMENSIONS = 6;

/** Options that take the set's name and its flags (two words). */
export const SET_TWO_ARGUMENT_OPTIONS: ReadonlySet<string> = new Set(["match-set", "add-set", "del-set", "map-set"]);

type Problem = (message: string) => Error;

/** parse_dirs(): `src`/`dst` words joined by commas. */
function reference(text: string, problem: Problem): IpSetReference {
  const [name = "", flagText = ""] = text.split(" ");
  if (name.length > MAX_NAME) throw problem(`setname \`${name}' too long, max ${MAX_NAME} characters.`);
  const flags = flagText.split(",").map((word) => {
    if (word !== "src" && word !== "dst") throw problem("You must spefify (the comma separated list of) 'src' or 'dst'.");
    return word;
  });
  if (flags.length > MAX_DIMENSIONS) throw problem(`Can't be more src/dst options than ${MAX_DIMENSIONS}.`);
  return { name, flags };
}

type Values = ReadonlyMap<string, { readonly value?: string; readonly invert: boolean }>;

/** set_parse_v4 + set_check: the match. */
export function buildSetMatch(values: Values, problem: Problem): Match {
  for (const name of ["packets-eq", "packets-lt", "packets-gt", "bytes-eq", "bytes-lt", "bytes-gt"]) {
    if (values.has(name)) throw new UnsupportedError(`--${name}`, `iptables set --${name} is not modelled`);
  }
  const matchSet = values.get("match-set");
  if (!matchSet) throw problem("You must specify `--match-set' with proper arguments");
  return {
    kind: "set",
    set: reference(matchSet.value!, problem),
    invert: matchSet.invert,
    returnNomatch: values.has("return-nomatch"),
    updateCounters: !(values.get("update-counters")?.invert ?? false),
    updateSubcounters: !(values.get("update-subcounters")?.invert ?? false),
  };
}

/** set_target_parse_v3 + set_target_check_v3. */
export function buildSetTarget(values: Values, problem: Problem): Target {
  if (values.has("map-set")) throw new UnsupportedError("--map-set", "iptables SET --map-set is not modelled");
  const add = values.get("add-set");
  const del = values.get("del-set");
  if (!add && !del) throw problem("You must specify either `--add-set' or `--del-set' or `--map-set'");
  const timeout = values.get("timeout");
  let seconds: number | undefined;
  if (timeout) {
    // xtables_strtoui() with UINT_MAX - 1 as the limit (UINT_MAX is IPSET_NO_TIMEOUT).
    if (!/^\d+$/.test(timeout.value!) || Number(timeout.value) > 0xfffffffe) throw problem(`Invalid value for option --timeout or out of range 0-${0xfffffffe}`);
    seconds = Number(timeout.value);
  }
  return {
    kind: "SET",
    ...(add ? { add: reference(add.value!, problem) } : {}),
    ...(del ? { del: reference(del.value!, problem) } : {}),
    exist: values.has("exist"),
    ...(seconds !== undefined ? { timeout: seconds } : {}),
  };
}

/** The first set the rule names that the namespace has not (iptables says `Set NAME doesn't exist.`). */
export function missingRuleSet(rule: Rule | undefined, namespace: NetworkNamespace): string | undefined {
  if (!rule) return undefined;
  for (const match of rule.matches) if (match.kind === "set" && !ipSetByName(namespace, match.set.name)) return match.set.name;
  const target = rule.target;
  if (target?.kind === "SET") {
    for (const item of [target.add, target.del]) if (item && !ipSetByName(namespace, item.name)) return item.name;
  }
  return undefined;
}

const flagText = (item: IpSetReference) => `${item.name} ${item.flags.join(",")}`;

/** set_save_v4 / set_print_v4 (`--` and the leading `-m set` only in the save form). */
export function setMatchText(match: Extract<Match, { kind: "set" }>, save: boolean): string {
  const dash = save ? "--" : "";
  let text = `${match.invert ? " !" : ""} ${dash}match-set ${flagText(match.set)}`;
  if (match.returnNomatch) text += ` ${dash}return-nomatch`;
  if (!match.updateCounters) text += ` ! ${dash}update-counters`;
  if (!match.updateSubcounters) text += ` ! ${dash}update-subcounters`;
  return save ? ` -m set${text}` : text;
}

/** set_target_save_v3 / set_target_print_v3. */
export function setTargetText(target: Extract<Target, { kind: "SET" }>, save: boolean): string {
  const dash = save ? "--" : "";
  let text = "";
  if (target.add) text += ` ${dash}add-set ${flagText(target.add)}`;
  if (target.del) text += ` ${dash}del-set ${flagText(target.del)}`;
  if (target.exist) text += ` ${dash}exist`;
  if (target.timeout !== undefined) text += ` ${dash}timeout ${target.timeout}`;
  return save ? ` -j SET${text}` : text;
}
