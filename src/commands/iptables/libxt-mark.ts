// iptables' mark match, revision 1 (extensions/libxt_mark.c: mark_mt_opts,
// XTTYPE_MARKMASK32, mark_mt_save, mark_mt_print).
import type { Match } from "../../model/netfilter.js";
import { hex, markMask, mustBeSpecified, option, type XtablesMatch } from "./xtables.js";

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
