// iptables' mark match, revision 1 (extensions/libxt_mark.c: mark_mt_opts,
// XTTYPE_MARKMASK32, mark_mt_save, mark_mt_print), and the MARK target,
// revision 2 (extensions/libxt_MARK.c: mark_tg_opts, mark_tg_parse,
// mark_tg_check, mark_tg_save, mark_tg_print), whose every form is stored
// as --set-xmark VALUE/MASK. (One file for both: the two names differ only
// in case.)
import type { Match, Target } from "../../model/netfilter.js";
import { xtablesStrtoui } from "./protocols.js";
import { checkExclusive, hex, markMask, mustBeSpecified, option, type XtablesMatch, type XtablesTarget } from "./xtables.js";

type MarkMatch = Extract<Match, { kind: "mark" }>;

const NAME = "mark";

const markText = (match: MarkMatch) => `${match.invert ? " !" : ""} ${hex(match.value)}${match.mask === 0xffffffff ? "" : `/${hex(match.mask)}`}`;

export const libxtMark: XtablesMatch<MarkMatch> = {
  name: NAME,
  description: "`mark`",
  options: [option("mark", true, true)],
  parse(values, context) {
    const value = values.get("mark");
    if (!value) throw mustBeSpecified(context, NAME, "mark");
    const [mark, mask] = markMask(context, value.value!, NAME, "mark");
    return { kind: "mark", value: mark, mask, invert: value.invert };
  },
  save: (match) => `${match.invert ? " !" : ""} --mark${markText({ ...match, invert: false })}`,
  print: (match) => ` mark match${markText(match)}`,
};

type MarkTarget = Extract<Target, { kind: "MARK" }>;

const TARGET_NAME = "MARK";
/** mark_tg_opts' order; each excludes the others. */
const ORDER = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

export const libxtMARK: XtablesTarget<MarkTarget> = {
  name: TARGET_NAME,
  description: "MARK",
  options: [option("set-mark"), option("set-xmark"), option("and-mark"), option("or-mark"), option("xor-mark")],
  parse(values, context) {
    const [name, value] = [...values.entries()][0] ?? [];
    // mark_tg_check() (x6_fcheck), then the options' mutual exclusion.
    if (!name || !value) throw context.problem(`${TARGET_NAME}: One of the --set-xmark, --{and,or,xor,set}-mark options is required`);
    checkExclusive(context, TARGET_NAME, values, ORDER, Object.fromEntries(ORDER.map((entry) => [entry, ORDER])));
    let mark: number;
    let mask: number;
    if (name === "set-xmark" || name === "set-mark") [mark, mask] = markMask(context, value.value!, TARGET_NAME, name);
    else {
      // XTTYPE_UINT32.
      const parsed = xtablesStrtoui(value.value!, 0, 0xffffffff);
      if (parsed === undefined) throw context.problem(`${TARGET_NAME}: bad value for option "--${name}", or out of range (0-4294967295).\n`);
      [mark, mask] = [parsed >>> 0, 0xffffffff];
    }
    switch (name) {
      case "set-xmark":
        return { kind: TARGET_NAME, value: mark, mask };
      case "set-mark":
        return { kind: TARGET_NAME, value: mark, mask: (mask | mark) >>> 0 };
      case "and-mark":
        return { kind: TARGET_NAME, value: 0, mask: ~mark >>> 0 };
      case "or-mark":
        return { kind: TARGET_NAME, value: mark, mask: mark };
      default:
        return { kind: TARGET_NAME, value: mark, mask: 0 };
    }
  },
  save: (target) => ` --set-xmark ${hex(target.value)}/${hex(target.mask)}`,
  print(target) {
    // mark_tg_print()'s order: and, or, xor, set, xset.
    if (target.value === 0) return ` MARK and ${hex(~target.mask)}`;
    if (target.value === target.mask) return ` MARK or ${hex(target.value)}`;
    if (target.mask === 0) return ` MARK xor ${hex(target.value)}`;
    if (target.mask === 0xffffffff) return ` MARK set ${hex(target.value)}`;
    return ` MARK xset ${hex(target.value)}/${hex(target.mask)}`;
  },
};
