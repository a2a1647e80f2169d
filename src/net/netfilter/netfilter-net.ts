// A namespace's netfilter state, made on first use (the pernet init of
// net/netfilter/core.c, nf_conntrack and nfnetlink): a leaf module, so the
// ruleset, ipset and accounting code can each make it without importing one
// another.
import type { NetfilterState } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { createConntrackTable } from "./nf-conntrack.js";

export function ensureNetfilter(namespace: NetworkNamespace): NetfilterState {
  namespace.netfilter ??= { tables: new Map(), conntrack: createConntrackTable(), conntrackEnabled: false, generation: 0 };
  return namespace.netfilter;
}
