// iptables' recent match, revision 1 (extensions/libxt_recent.c:
// recent_opts_v1, recent_parse, recent_check, recent_save, recent_print).
import { formatIpv4Address, parseIpv4Address } from "../../model/address.js";
import type { RecentMatch } from "../../model/netfilter.js";
import { alsoRequires, badValue, checkExclusive, option, unsignedValue, type XtablesMatch } from "./xtables.js";

const NAME = "recent";
const MODES = ["set", "rcheck", "update", "remove"] as const;
/** The option table's order (recent_opts_v1), which xtables_options_fcheck() walks. */
const ORDER = ["set", "rcheck", "update", "remove", "seconds", "reap", "hitcount", "rttl", "name", "rsource", "rdest", "mask"];
const ANY_MODE = ["set", "rcheck", "update", "remove"];
const EXCLUDES = { set: ANY_MODE, rcheck: ANY_MODE, update: ANY_MODE, remove: ANY_MODE, rttl: ["set", "remove"] };
const PRINT_MODE: Readonly<Record<RecentMatch["mode"], string>> = { set: "SET", rcheck: "CHECK", update: "UPDATE", remove: "REMOVE" };

export const libxtRecent: XtablesMatch<RecentMatch> = {
  name: NAME,
  description: "`recent`",
  options: [
    ...MODES.map((mode) => option(mode, false, true)),
    option("seconds"),
    option("reap", false),
    option("hitcount"),
    option("rttl", false),
    option("name"),
    option("rsource", false),
    option("rdest", false),
    option("mask"),
  ],
  parse(values, context) {
    const number = (name: string, min: number) => {
      const value = values.get(name);
      if (!value) return undefined;
      const parsed = unsignedValue(value.value!, 0xffffffff);
      if (parsed === undefined || parsed < min) throw badValue(context, NAME, name, 4294967295, min);
      return parsed;
    };
    const seconds = number("seconds", 1);
    const hitcount = number("hitcount", 0);
    let mask = 0xffffffff;
    const maskValue = values.get("mask");
    if (maskValue) {
      const parsed = parseIpv4Address(maskValue.value!);
      if (parsed === undefined) throw context.problem(`host/network \`${maskValue.value}' not found`);
      mask = parsed;
    }
    const mode = MODES.find((candidate) => values.has(candidate));
    // recent_check() (x6_fcheck), then xtables_options_fcheck()'s exclusions and requirements.
    if (mode === undefined) throw context.problem(`${NAME}: you must specify one of \`--set', \`--rcheck' \`--update' or \`--remove'`);
    checkExclusive(context, NAME, values, ORDER, EXCLUDES);
    if (values.has("reap") && seconds === undefined) throw alsoRequires(context, NAME, "reap", "seconds");
    return {
      kind: "recent",
      mode,
      invert: values.get(mode)!.invert,
      name: values.get("name")?.value ?? "DEFAULT",
      ...(seconds ? { seconds } : {}),
      reap: values.has("reap"),
      ...(hitcount ? { hitcount } : {}),
      rttl: values.has("rttl"),
      side: values.has("rdest") ? "dest" : "source",
      mask,
    };
  },
  save(match) {
    let text = `${match.invert ? " !" : ""} --${match.mode}`;
    if (match.seconds) text += ` --seconds ${match.seconds}`;
    if (match.reap) text += " --reap";
    if (match.hitcount) text += ` --hitcount ${match.hitcount}`;
    if (match.rttl) text += " --rttl";
    return `${text} --name ${match.name} --mask ${formatIpv4Address(match.mask)} --${match.side === "dest" ? "rdest" : "rsource"}`;
  },
  print(match) {
    let text = `${match.invert ? " !" : ""} recent: ${PRINT_MODE[match.mode]}`;
    if (match.seconds) text += ` seconds: ${match.seconds}`;
    if (match.reap) text += " reap";
    if (match.hitcount) text += ` hit_count: ${match.hitcount}`;
    if (match.rttl) text += " TTL-Match";
    return `${text} name: ${match.name} side: ${match.side} mask: ${formatIpv4Address(match.mask)}`;
  },
};
