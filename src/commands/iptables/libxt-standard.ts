// iptables' standard target (extensions/libxt_standard.c, and the verdicts
// ACCEPT, DROP and RETURN that libiptc/nft-shared keep as the standard
// target's verdict): no options, nothing after `-j NAME` in either text.
import type { Target } from "../../model/netfilter.js";
import type { XtablesTarget } from "./xtables.js";

type Verdict = Extract<Target, { kind: "ACCEPT" | "DROP" | "RETURN" }>;

/** The verdicts `-j` takes by name; `-g` to one of them is not a chain. */
export const STANDARD_VERDICTS: ReadonlySet<string> = new Set(["ACCEPT", "DROP", "RETURN"]);

const verdict = (kind: Verdict["kind"], description: string): XtablesTarget<Verdict> => ({
  name: kind,
  description,
  options: [],
  parse: () => ({ kind }),
  save: () => "",
  print: () => "",
});

export const libxtStandard: readonly XtablesTarget<Verdict>[] = [verdict("ACCEPT", "ACCEPT"), verdict("DROP", "DROP"), verdict("RETURN", "RETURN")];
