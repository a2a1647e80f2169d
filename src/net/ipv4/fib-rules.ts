// Policy routing (net/core/fib_rules.c: fib_rules_lookup, fib_rule_match,
// fib_nl_newrule, fib_nl_delrule, fib_default_rule_pref; net/ipv4/fib_rules.c:
// fib4_rule_match, fib4_rule_action, fib4_rule_suppress, fib4_rule_configure).
import { prefixContains, prefixMask, type Ipv4Address, type Ipv4Prefix } from "../../model/address.js";
import { fail, ok, type Errno, type KernelResult } from "../../model/errno.js";
import type { FibRule, PortRange } from "../../model/fib-rule.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, tableName, type FibTable, type Route, type RouteType } from "../../model/route.js";
import { deviceByName } from "../core/net-namespace.js";
import { rtGenidBump } from "../core/rt-genid.js";
import { createFibTable, fibTableLookup } from "./fib-table.js";

/** struct flowi4, the fields a rule can select on. */
export interface Flowi4 {
  readonly destination: Ipv4Address;
  /** 0 when the source is still to be chosen. */
  readonly source: Ipv4Address;
  /** flowi4_iif: the ingress device, LOOPBACK_IFINDEX for a locally generated packet. */
  readonly inputInterface: number;
  /** flowi4_oif: a bound device (SO_BINDTODEVICE, ping -I DEV), 0 for none. */
  readonly outputInterface: number;
  readonly mark: number;
  /** flowi4_proto and the ports: known only where the caller knows them (0 otherwise). */
  readonly protocol: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** A route fib_lookup() can answer with: a throw route never is one. */
export type FibRoute = Route & { readonly type: Exclude<RouteType, "throw"> };

/** What fib_lookup() found: a route of a table, and the rule that chose the table. */
export interface FibResult {
  readonly route: FibRoute;
  readonly candidates: readonly Route[];
  readonly table: string;
  /**
   * res->table's id, the table the lookup searched, as `ip route get` prints it: while the namespace has no
   * rules of its own, the local table is merged into main's trie (fib_unmerge() undoes it), so local routes answer from main.
   */
  readonly tableId: number;
  /** The priority of the rule whose table answered, once the namespace has rules of its own. */
  readonly rule?: number;
}

/** A rule's own verdict (FR_ACT_BLACKHOLE, _UNREACHABLE, _PROHIBIT): no route, and why. */
export interface FibRuleVerdict {
  readonly errno: Extract<Errno, "EINVAL" | "ENETUNREACH" | "EACCES">;
  readonly rule: FibRule;
}

/** The default rules' tables (0 local, 32766 main, 32767 default), what fib_lookup() searches while no rule was ever changed. */
const DEFAULT_RULE_TABLES = [255, 254, 253];

function tableLookup(table: FibTable, tableId: number, destination: Ipv4Address, outputInterface: number, rule: number | undefined): FibResult | undefined {
  const match = fibTableLookup(table, destination, (route) => {
    // fib_table_lookup() honours a bound output interface (SO_BINDTODEVICE, ping -I)
    // for unicast nexthops; local and broadcast routes answer regardless.
    if (outputInterface === 0 || route.type === "local" || route.type === "broadcast") return true;
    return route.nexthop?.deviceIndex === outputInterface;
  });
  // fib_props[RTN_THROW].error is -EAGAIN: no answer from this table, the search goes on.
  if (!match || match.route.type === "throw") return undefined;
  const route = match.route as FibRoute;
  const table_ = tableName(table.id);
  return rule === undefined ? { route, candidates: match.candidates, table: table_, tableId } : { route, candidates: match.candidates, table: table_, tableId, rule };
}

/**
 * fib_lookup(): without rules of the namespace's own, the default rules'
 * tables in order; with them, the rule walk.
 */
export function fibRulesLookup(namespace: NetworkNamespace, flow: Flowi4): FibResult | FibRuleVerdict | undefined {
  if (!namespace.fibHasCustomRules) {
    for (const id of DEFAULT_RULE_TABLES) {
      const table = namespace.tables.get(id);
      if (!table) continue;
      const found = tableLookup(table, id === RT_TABLE_LOCAL ? RT_TABLE_MAIN : id, flow.destination, flow.outputInterface, undefined);
      if (found) return found;
    }
    return undefined;
  }
  for (const rule of namespace.rules) {
    if (!fibRuleMatch(namespace, rule, flow)) continue;
    // fib4_rule_action(): a rule's own verdict ends the walk.
    switch (rule.action) {
      case "blackhole":
        return { errno: "EINVAL", rule };
      case "unreachable":
        return { errno: "ENETUNREACH", rule };
      case "prohibit":
        return { errno: "EACCES", rule };
      case "lookup":
        break;
    }
    // A table that does not exist, or has no route, is -EAGAIN: the walk goes on.
    const table = namespace.tables.get(rule.table);
    if (!table) continue;
    const found = tableLookup(table, rule.table, flow.destination, flow.outputInterface, rule.priority);
    if (!found) continue;
    // fib4_rule_suppress(): an answer no more specific than the rule allows is passed over.
    if (rule.suppressPrefixLength !== undefined && found.route.prefix.length <= rule.suppressPrefixLength) continue;
    return found;
  }
  return undefined;
}

function inRange(range: PortRange | undefined, value: number): boolean {
  return range === undefined || (value >= range.start && value <= range.end);
}

function prefixMatches(prefix: Ipv4Prefix | undefined, address: Ipv4Address): boolean {
  return prefix === undefined || prefix.length === 0 || prefixContains(prefix, address);
}

/** fib_rule_match() with fib4_rule_match(): every selector given must hold; `not` inverts the whole. */
function fibRuleMatch(namespace: NetworkNamespace, rule: FibRule, flow: Flowi4): boolean {
  return rule.invert !== fibSelectorsMatch(namespace, rule, flow);
}

function fibSelectorsMatch(namespace: NetworkNamespace, rule: FibRule, flow: Flowi4): boolean {
  // A rule naming a device that is not there is detached: its ifindex is -1 and never matches.
  if (rule.inputInterface !== undefined && deviceIndexByName(namespace, rule.inputInterface) !== flow.inputInterface) return false;
  if (rule.outputInterface !== undefined && deviceIndexByName(namespace, rule.outputInterface) !== flow.outputInterface) return false;
  if (rule.fwmark !== undefined && ((rule.fwmark ^ flow.mark) & (rule.fwmask ?? 0)) !== 0) return false;
  // Every socket and forwarded packet here is uid 0 (root, and sock_net_uid() of no socket).
  if (rule.uidRange !== undefined && !inRange(rule.uidRange, 0)) return false;
  if (!prefixMatches(rule.source, flow.source) || !prefixMatches(rule.destination, flow.destination)) return false;
  // netsim's packets carry TOS 0: a rule selecting another never matches.
  if (rule.tos !== undefined && rule.tos !== 0) return false;
  if (rule.ipProtocol !== undefined && rule.ipProtocol !== flow.protocol) return false;
  return inRange(rule.sourcePorts, flow.sourcePort) && inRange(rule.destinationPorts, flow.destinationPort);
}

function deviceIndexByName(namespace: NetworkNamespace, name: string): number {
  return deviceByName(namespace, name)?.index ?? -1;
}

/** True when some rule selects on the protocol or ports (net->ipv4.fib_rules_require_fldissect): lookups then depend on them. */
export function fibRulesNeedTransport(namespace: NetworkNamespace): boolean {
  return namespace.fibHasCustomRules && namespace.rules.some((rule) => rule.ipProtocol !== undefined || rule.sourcePorts !== undefined || rule.destinationPorts !== undefined);
}

/** A rule as `ip rule add` asks for it: the priority may be left to the kernel, a lookup's table 0 means "an empty one". */
export type FibRuleRequest = Omit<FibRule, "priority" | "protocol"> & { readonly priority?: number };

/** fib_default_rule_pref(): one below the second rule's priority, when that is not 0. */
function defaultRulePriority(rules: readonly FibRule[]): number {
  const second = rules[1];
  return second !== undefined && second.priority !== 0 ? second.priority - 1 : 0;
}

function samePrefix(a: Ipv4Prefix | undefined, b: Ipv4Prefix | undefined): boolean {
  return (a?.length ?? 0) === (b?.length ?? 0) && (a === undefined || b === undefined || a.length === 0 || (a.address & prefixMask(a.length)) === (b.address & prefixMask(b.length)));
}

function sameRange(a: PortRange | undefined, b: PortRange | undefined): boolean {
  return a?.start === b?.start && a?.end === b?.end;
}

/** rule_exists(): the same selectors, action, table and priority (`not` is not compared). */
function sameRule(a: FibRule, b: FibRule): boolean {
  return (
    a.priority === b.priority &&
    a.action === b.action &&
    a.table === b.table &&
    samePrefix(a.source, b.source) &&
    samePrefix(a.destination, b.destination) &&
    a.tos === b.tos &&
    a.fwmark === b.fwmark &&
    a.fwmask === b.fwmask &&
    a.inputInterface === b.inputInterface &&
    a.outputInterface === b.outputInterface &&
    sameRange(a.uidRange, b.uidRange) &&
    a.ipProtocol === b.ipProtocol &&
    sameRange(a.sourcePorts, b.sourcePorts) &&
    sameRange(a.destinationPorts, b.destinationPorts) &&
    a.suppressPrefixLength === b.suppressPrefixLength
  );
}

/** fib_empty_table(): the first table id from 1 with no table, created. */
function fibEmptyTable(namespace: NetworkNamespace): number {
  let id = 1;
  while (namespace.tables.has(id)) id++;
  namespace.tables.set(id, createFibTable(id));
  return id;
}

/** fib_nl_newrule(): inserted after every rule of a priority at or below its own. */
export function fibNewRule(namespace: NetworkNamespace, request: FibRuleRequest): KernelResult<undefined> {
  const priority = request.priority ?? defaultRulePriority(namespace.rules);
  const table = request.action === "lookup" && request.table === 0 ? fibEmptyTable(namespace) : request.table;
  const rule: FibRule = { ...request, priority, table, protocol: "unspec" };
  if (namespace.rules.some((existing) => sameRule(existing, rule))) return fail("EEXIST");
  let at = 0;
  while (at < namespace.rules.length && namespace.rules[at]!.priority <= priority) at++;
  namespace.rules.splice(at, 0, rule);
  namespace.fibHasCustomRules = true;
  rtGenidBump(namespace);
  return ok(undefined);
}

/** What `ip rule del` names: every field given must be equal, the rest match any rule. */
export type FibRuleSelector = Partial<Omit<FibRule, "protocol">>;

/** fib_nl_delrule(): the first rule the request describes. */
export function fibDeleteRule(namespace: NetworkNamespace, selector: FibRuleSelector): KernelResult<undefined> {
  const index = namespace.rules.findIndex((rule) => ruleSelected(rule, selector));
  if (index === -1) return fail("ENOENT");
  namespace.rules.splice(index, 1);
  namespace.fibHasCustomRules = true;
  rtGenidBump(namespace);
  return ok(undefined);
}

/** rule_find(): the fields a delete request carries. */
export function ruleSelected(rule: FibRule, selector: FibRuleSelector): boolean {
  if (selector.priority !== undefined && rule.priority !== selector.priority) return false;
  if (selector.action !== undefined && rule.action !== selector.action) return false;
  if (selector.table !== undefined && selector.table !== 0 && rule.table !== selector.table) return false;
  if (selector.invert && !rule.invert) return false;
  if (selector.source !== undefined && !samePrefix(rule.source, selector.source)) return false;
  if (selector.destination !== undefined && !samePrefix(rule.destination, selector.destination)) return false;
  if (selector.tos !== undefined && rule.tos !== selector.tos) return false;
  if (selector.fwmark !== undefined && rule.fwmark !== selector.fwmark) return false;
  if (selector.fwmask !== undefined && rule.fwmask !== selector.fwmask) return false;
  if (selector.inputInterface !== undefined && rule.inputInterface !== selector.inputInterface) return false;
  if (selector.outputInterface !== undefined && rule.outputInterface !== selector.outputInterface) return false;
  if (selector.uidRange !== undefined && !sameRange(rule.uidRange, selector.uidRange)) return false;
  if (selector.ipProtocol !== undefined && rule.ipProtocol !== selector.ipProtocol) return false;
  if (selector.sourcePorts !== undefined && !sameRange(rule.sourcePorts, selector.sourcePorts)) return false;
  if (selector.destinationPorts !== undefined && !sameRange(rule.destinationPorts, selector.destinationPorts)) return false;
  if (selector.suppressPrefixLength !== undefined && rule.suppressPrefixLength !== selector.suppressPrefixLength) return false;
  return true;
}
