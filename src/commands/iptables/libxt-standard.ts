// iptables' standard target (extensions/libxt_standard.c, and the verdicts
// ACCEPT, DROP and RETURN that libiptc/nft-shared keep as the standard
// target's verdict): no options, nothing after `-j NAME` in either text.
// `-g ACCEPT` is a goto to a chain of that name (which does not exist).
import type { Target } from "../../model/netfilter.js";
import type { XtablesTarget } from "./xtables.js";

type Verdict = Extract<Target, { kind: "ACCEPT" | "DROP" | "RETURN" }>;

const verdict = (kind: Verdict["kind"], description: string): XtablesTarget<Verdict> => ({
  name: kind,
  description,
  options: [],
  parse: () => ({ kind }),
  save: () => "",
  print: () => "",
});

export const libxtStandard: readonly XtablesTarget<Verdict>[] = [verdict("ACCEPT", "ACCEPT"), verdict("DROP", "DROP"), verdict("RETURN", "RETURN")];
