// Extended accounting objects (net/netfilter/nfnetlink_acct.c): named packet
// and byte counters per network namespace (nfnl_acct_net's list), made with
// NFNL_MSG_ACCT_NEW, counted into by xt_nfacct and held by every rule naming
// one, so an object in use cannot be deleted.
import type { Errno, KernelResult } from "../../model/errno.js";
import { fail, ok } from "../../model/errno.js";
import type { NetfilterAccounting, RuleCounters } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ensureNetfilter } from "./netfilter-net.js";

/** NFACCT_NAME_MAX: the name with its NUL; a longer name is cut (nla_strscpy). */
export const NFACCT_NAME_MAX = 32;

export type NfacctRequest =
  | { readonly kind: "new"; readonly name: string }
  | { readonly kind: "del"; readonly name?: string }
  /** NFNL_MSG_ACCT_GET(_CTRZERO): the objects (one, or all) and, with reset, their counters zeroed after the read. */
  | { readonly kind: "get"; readonly name?: string; readonly reset: boolean };

export interface NfacctObject {
  readonly name: string;
  readonly counters: RuleCounters;
}

function accounting(namespace: NetworkNamespace): NetfilterAccounting {
  return (ensureNetfilter(namespace).accounting ??= new Map());
}

/** A name as the kernel keeps it: cut to fit char[NFACCT_NAME_MAX] with its NUL. */
function objectName(name: string): string {
  return name.length < NFACCT_NAME_MAX ? name : name.slice(0, NFACCT_NAME_MAX - 1);
}

/** The object of that name, as nfnl_acct_find_get() finds it (an xt_nfacct match's name is already cut at parse). */
export function nfnlAcctFind(namespace: NetworkNamespace, name: string): RuleCounters | undefined {
  return namespace.netfilter?.accounting?.get(name);
}

/** Rules holding a reference to the object (xt_nfacct keeps one per rule). */
function references(namespace: NetworkNamespace, name: string): number {
  let count = 0;
  for (const table of namespace.netfilter?.tables.values() ?? []) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) for (const match of rule.matches) if (match.kind === "nfacct" && match.name === name) count++;
    }
  }
  return count;
}

/** nfnl_acct_new / nfnl_acct_del / nfnl_acct_get: the objects a get reads, in the list's order (newest last). */
export function nfnlAcctApply(namespace: NetworkNamespace, request: NfacctRequest): KernelResult<NfacctObject[]> {
  const objects = accounting(namespace);
  switch (request.kind) {
    case "new": {
      const name = objectName(request.name);
      // nfacct sends no NLM_F_EXCL: an existing name answers EBUSY (nfnl_acct_new refuses to replace it), not EEXIST.
      if (objects.has(name)) return fail("EBUSY");
      objects.set(name, { packets: 0, bytes: 0 });
      return ok([]);
    }
    case "del": {
      if (request.name === undefined) {
        // nfnl_acct_del without a name: every object not in use; the ones in use stay, silently.
        for (const name of [...objects.keys()]) if (references(namespace, name) === 0) objects.delete(name);
        return ok([]);
      }
      const name = objectName(request.name);
      if (!objects.has(name)) return fail("ENOENT");
      if (references(namespace, name) > 0) return fail("EBUSY");
      objects.delete(name);
      return ok([]);
    }
    case "get": {
      const names = request.name === undefined ? [...objects.keys()] : [objectName(request.name)];
      const found: NfacctObject[] = [];
      for (const name of names) {
        const counters = objects.get(name);
        if (!counters) return fail("ENOENT" satisfies Errno);
        found.push({ name, counters: { ...counters } });
        if (request.reset) {
          counters.packets = 0;
          counters.bytes = 0;
        }
      }
      return ok(found);
    }
  }
}
