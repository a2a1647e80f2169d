// iptables' comment match (extensions/libxt_comment.c: comment_opts,
// comment_save, comment_print; XTOPT_MAND and the 255-character limit of
// struct xt_comment_info).
import type { Match } from "../../model/netfilter.js";
import { mustBeSpecified, option, saveString, type XtablesMatch } from "./xtables.js";

type CommentMatch = Extract<Match, { kind: "comment" }>;

const NAME = "comment";
/** XT_MAX_COMMENT_LEN - 1. */
const MAX_LENGTH = 255;

export const libxtComment: XtablesMatch<CommentMatch> = {
  name: NAME,
  description: "`comment`",
  options: [option("comment")],
  parse(values, context) {
    const value = values.get("comment");
    if (!value) throw mustBeSpecified(context, NAME, "comment");
    if (value.value!.length > MAX_LENGTH) throw context.problem(`comment may not exceed ${MAX_LENGTH} characters`);
    return { kind: "comment", comment: value.value! };
  },
  save: (match) => ` --comment ${saveString(match.comment)}`,
  print: (match) => ` /* ${match.comment} */`,
};
