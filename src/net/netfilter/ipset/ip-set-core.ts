// The ipset core (net/netfilter/ipset/ip_set_core.c): a namespace's sets
// (ip_set_net), the nfnetlink commands (ip_set_create, ip_set_destroy,
// ip_set_flush, ip_set_rename, ip_set_swap, ip_set_uadd/udel/utest) and the
// packet-path entry points ip_set_test/add/del that xt_set calls.
//
// References are the rules that name a set (each -m set match and each
// SET --add-set/--del-set counts one, as each takes ip_set_nfnl_get_byindex
// in its checkentry); a rule holds the set by name, and since a referenced
// set cannot be renamed and a swap exchanges names with contents (and
// reference counts), the name always leads to the set the kernel's index does.
//
// Timeouts run on the virtual clock: an element whose time is up no longer
// matches, lists or counts (the kernel's gc removes it within its period).
import { prefixMask } from "../../../model/address.js";
import { ipSetElementKey, type IpSet, type IpSetCommand, type IpSetElement, type IpSetElementSpec, type IpSetError, type IpSetState } from "../../../model/ipset.js";
import type { NetworkNamespace } from "../../../model/netns.js";
import type { World } from "../../../model/world.js";
import { rtGenidBump } from "../../core/rt-genid.js";
import { ensureNetfilter } from "../netfilter-net.js";
import { bitmapPortInRange, bitmapPortMembers, bitmapPortMemsize } from "./ip-set-bitmap-port.js";
import { hashMemsize, hashTest, hashWithNets, type HashTestResult } from "./ip-set-hash-gen.js";

export type IpSetResult = { readonly ok: true } | { readonly ok: false; readonly error: IpSetError };

const OK: IpSetResult = { ok: true };
const failure = (error: IpSetError): IpSetResult => ({ ok: false, error });

/** The revision each type's module registers (what `ipset list` shows). */
export const IP_SET_REVISION: Readonly<Record<IpSet["type"], number>> = { "hash:ip": 6, "hash:net": 7, "hash:ip,port": 7, "hash:net,port": 8, "bitmap:port": 3 };

/** How many packet fields an element takes (set->type->dimension). */
export const IP_SET_DIMENSION: Readonly<Record<IpSet["type"], number>> = { "hash:ip": 1, "hash:net": 1, "hash:ip,port": 2, "hash:net,port": 2, "bitmap:port": 1 };

export function ipSets(namespace: NetworkNamespace): readonly IpSet[] {
  return (namespace.netfilter?.ipsets?.sets ?? []).filter((set): set is IpSet => set !== null);
}

/** ip_set_get_byname(). */
export function ipSetByName(namespace: NetworkNamespace, name: string): IpSet | undefined {
  return namespace.netfilter?.ipsets?.sets.find((set) => set !== null && set.name === name) ?? undefined;
}

function ipSetState(namespace: NetworkNamespace): IpSetState {
  const state = ensureNetfilter(namespace);
  state.ipsets ??= { sets: [], created: 0 };
  return state.ipsets;
}

/** Whether an element still counts at `now` (not timed out). */
export function ipSetElementLive(element: IpSetElement, now: number): boolean {
  return element.expires === undefined || element.expires > now;
}

/** The gc: elements whose time is up go. */
function expire(set: IpSet, now: number): void {
  if (set.timeout === undefined) return;
  for (const [key, element] of set.elements) {
    if (ipSetElementLive(element, now)) continue;
    set.elements.delete(key);
    if (set.type !== "bitmap:port") set.held.add(key);
  }
}

/** The rules that name the set (see the file's head). */
export function ipSetReferences(namespace: NetworkNamespace, name: string): number {
  let count = 0;
  for (const table of namespace.netfilter?.tables.values() ?? []) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        for (const match of rule.matches) if (match.kind === "set" && match.set.name === name) count++;
        const target = rule.target;
        if (target?.kind === "SET") {
          if (target.add?.name === name) count++;
          if (target.del?.name === name) count++;
          if (target.map?.name === name) count++;
        }
      }
    }
  }
  return count;
}

/** A seeded stand-in for the kernel's get_random_u32() initval: the namespace and how many sets it has made. */
function initval(namespaceId: number, serial: number): number {
  let hash = Math.imul(namespaceId + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(serial + 1, 0xc2b2ae35);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash >>> 0;
}

/** The elements' count and the kernel's memsize, as `ipset list` reports them. */
export function ipSetHeaderCounts(set: IpSet, now: number): { entries: number; memsize: number } {
  const live = (element: IpSetElement) => ipSetElementLive(element, now);
  let entries = 0;
  for (const element of set.elements.values()) if (live(element)) entries++;
  return { entries, memsize: set.type === "bitmap:port" ? bitmapPortMemsize(set, live) : hashMemsize(set) };
}

/** The members in the order a listing shows them (bitmap: port order; hash: the model's insertion order). */
export function ipSetMembers(set: IpSet, now: number): IpSetElement[] {
  const live = (element: IpSetElement) => ipSetElementLive(element, now);
  return set.type === "bitmap:port" ? bitmapPortMembers(set, live) : [...set.elements.values()].filter(live);
}

/** The element a spec names, normalised as the type's uadt does (hash:ip's netmask, a net's host bits). */
function normalise(set: IpSet, spec: IpSetElementSpec): Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port"> {
  if (set.type === "bitmap:port") return { ip: 0, cidr: 0, protocol: 0, port: spec.port };
  const withPort = set.type === "hash:ip,port" || set.type === "hash:net,port";
  const cidr = hashWithNets(set) ? spec.cidr : 32;
  const mask = set.type === "hash:ip" ? set.netmask : cidr;
  return { ip: (spec.ip & prefixMask(mask)) >>> 0, cidr, protocol: withPort ? spec.protocol : 0, port: withPort ? spec.port : 0 };
}

/** What an element's extensions need of the set (ip_set_get_extensions). */
function checkExtensions(set: IpSet, spec: IpSetElementSpec): IpSetError | undefined {
  if (spec.timeout !== undefined && set.timeout === undefined) return "IPSET_ERR_TIMEOUT";
  if ((spec.packets !== undefined || spec.bytes !== undefined) && !set.counters) return "IPSET_ERR_COUNTER";
  if (spec.comment !== undefined && !set.comment) return "IPSET_ERR_COMMENT";
  if ((spec.skbmark !== undefined || spec.skbprio !== undefined || spec.skbqueue !== undefined) && !set.skbinfo) return "IPSET_ERR_SKBINFO";
  return undefined;
}

/** mtype_add: a new element, or with -exist the old one's extensions renewed; a timed-out one is replaced. */
function addElement(set: IpSet, spec: IpSetElementSpec, exist: boolean, now: number): IpSetError | undefined {
  const extensionError = checkExtensions(set, spec);
  if (extensionError) return extensionError;
  const data = normalise(set, spec);
  if (set.type === "bitmap:port") {
    if (!bitmapPortInRange(set, data.port)) return "IPSET_ERR_BITMAP_RANGE";
  } else {
    if (hashWithNets(set) && data.cidr === 0) return "IPSET_ERR_INVALID_CIDR";
    if (data.ip === 0 && !hashWithNets(set)) return "IPSET_ERR_HASH_ELEM";
  }
  const key = ipSetElementKey(data);
  const existing = set.elements.get(key);
  const live = existing !== undefined && ipSetElementLive(existing, now);
  if (live && !exist) return "IPSET_ERR_EXIST";
  if (!live && set.type !== "bitmap:port") {
    let count = 0;
    for (const element of set.elements.values()) if (ipSetElementLive(element, now)) count++;
    if (count >= set.maxelem) return "IPSET_ERR_HASH_FULL";
  }
  const timeout = set.timeout === undefined ? undefined : (spec.timeout ?? set.timeout);
  const element: IpSetElement = {
    ...data,
    nomatch: spec.nomatch,
    ...(timeout !== undefined && timeout > 0 ? { expires: now + timeout * 1_000_000 } : {}),
    packets: spec.packets ?? 0,
    bytes: spec.bytes ?? 0,
    ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
    skbmark: spec.skbmark?.mark ?? 0,
    skbmarkmask: spec.skbmark?.mask ?? 0,
    skbprio: spec.skbprio ?? 0,
    skbqueue: spec.skbqueue ?? 0,
  };
  // A re-add keeps its place (the kernel overwrites the slot in place).
  set.elements.set(key, element);
  set.held.delete(key);
  return undefined;
}

function delElement(set: IpSet, spec: IpSetElementSpec, exist: boolean, now: number): IpSetError | undefined {
  const data = normalise(set, spec);
  if (set.type === "bitmap:port" && !bitmapPortInRange(set, data.port)) return "IPSET_ERR_BITMAP_RANGE";
  const key = ipSetElementKey(data);
  const existing = set.elements.get(key);
  if (existing === undefined || !ipSetElementLive(existing, now)) return exist ? undefined : "IPSET_ERR_EXIST";
  set.elements.delete(key);
  return undefined;
}

/** mtype_test (and the hash net types' mtype_test_cidrs for a host address). */
export function ipSetTestElement(set: IpSet, probe: Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">, now: number): HashTestResult {
  const live = (element: IpSetElement) => ipSetElementLive(element, now);
  if (set.type === "bitmap:port") {
    const element = set.elements.get(ipSetElementKey({ ip: 0, cidr: 0, protocol: 0, port: probe.port }));
    return element !== undefined && live(element) ? { kind: "match", element } : { kind: "miss" };
  }
  return hashTest(set, probe, live);
}

/** ip_set_utest(): `ipset test`. */
export function ipSetUtest(namespace: NetworkNamespace, name: string, spec: IpSetElementSpec, now: number): { ok: true; found: boolean } | { ok: false; error: IpSetError } {
  const set = ipSetByName(namespace, name);
  if (!set) return { ok: false, error: "ENOENT" };
  const data = normalise(set, spec);
  if (set.type === "bitmap:port" && !bitmapPortInRange(set, data.port)) return { ok: true, found: false };
  // A test names a host unless it gives a prefix (hash:ip tests the address itself).
  return { ok: true, found: ipSetTestElement(set, data, now).kind === "match" };
}

/** The nfnetlink ipset commands that change sets. */
export function ipSetApply(world: World, namespace: NetworkNamespace, command: IpSetCommand): IpSetResult {
  // What the ruleset decides may change with a set: cached walks go stale.
  rtGenidBump(namespace);
  const now = world.clock;
  switch (command.kind) {
    case "create": {
      const existing = ipSetByName(namespace, command.create.name);
      if (existing) {
        // ip_set_create(): -exist passes only for a set made alike.
        const same = existing.type === command.create.type && existing.hashsize === command.create.hashsize && existing.maxelem === command.create.maxelem && existing.timeout === command.create.timeout && existing.counters === command.create.counters && existing.comment === command.create.comment && existing.skbinfo === command.create.skbinfo && existing.netmask === command.create.netmask && existing.range?.first === command.create.range?.first && existing.range?.last === command.create.range?.last;
        return command.exist && same ? OK : failure("EEXIST");
      }
      const state = ipSetState(namespace);
      const create = command.create;
      const slot = state.sets.indexOf(null);
      const made: IpSet = {
        name: create.name,
        type: create.type,
        hashsize: create.hashsize,
        maxelem: create.maxelem,
        netmask: create.netmask,
        ...(create.range ? { range: create.range } : {}),
        ...(create.timeout !== undefined ? { timeout: create.timeout } : {}),
        counters: create.counters,
        comment: create.comment,
        skbinfo: create.skbinfo,
        initval: create.initval ?? initval(namespace.id, state.created),
        elements: new Map(),
        held: new Set(),
      };
      if (slot < 0) state.sets.push(made);
      else state.sets[slot] = made;
      state.created++;
      return OK;
    }
    case "destroy": {
      const state = namespace.netfilter?.ipsets;
      if (command.name === undefined) {
        if (!state) return OK;
        if (ipSets(namespace).some((set) => ipSetReferences(namespace, set.name) > 0)) return failure("IPSET_ERR_BUSY");
        state.sets = [];
        return OK;
      }
      const set = ipSetByName(namespace, command.name);
      if (!set || !state) return failure("ENOENT");
      if (ipSetReferences(namespace, set.name) > 0) return failure("IPSET_ERR_BUSY");
      state.sets[state.sets.indexOf(set)] = null;
      while (state.sets.length > 0 && state.sets[state.sets.length - 1] === null) state.sets.pop();
      return OK;
    }
    case "flush": {
      if (command.name === undefined) {
        for (const set of ipSets(namespace)) {
          set.elements.clear();
          set.held.clear();
        }
        return OK;
      }
      const set = ipSetByName(namespace, command.name);
      if (!set) return failure("ENOENT");
      set.elements.clear();
      set.held.clear();
      return OK;
    }
    case "rename": {
      const set = ipSetByName(namespace, command.name);
      if (!set) return failure("ENOENT");
      if (ipSetReferences(namespace, set.name) > 0) return failure("IPSET_ERR_REFERENCED");
      if (ipSetByName(namespace, command.newName)) return failure("IPSET_ERR_EXIST_SETNAME2");
      set.name = command.newName;
      return OK;
    }
    case "swap": {
      const from = ipSetByName(namespace, command.name);
      const to = ipSetByName(namespace, command.other);
      if (!from) return failure("ENOENT");
      if (!to) return failure("IPSET_ERR_EXIST_SETNAME2");
      if (from.type !== to.type) return failure("IPSET_ERR_TYPE_MISMATCH");
      // The sets change places in the index and names: each name now leads to the other's contents.
      const state = ipSetState(namespace);
      const fromIndex = state.sets.indexOf(from);
      const toIndex = state.sets.indexOf(to);
      [from.name, to.name] = [to.name, from.name];
      state.sets[fromIndex] = to;
      state.sets[toIndex] = from;
      return OK;
    }
    case "add":
    case "del": {
      const set = ipSetByName(namespace, command.name);
      if (!set) return failure("ENOENT");
      expire(set, now);
      // A range is added element by element; what went in before an error stays (as the kernel's uadt loop leaves it).
      for (const spec of command.elements) {
        const error = command.kind === "add" ? addElement(set, spec, command.exist, now) : delElement(set, spec, command.exist, now);
        if (error) return failure(error);
      }
      return OK;
    }
  }
}

/** ip_set_add()/ip_set_del() from a packet (xt_SET): errors are ignored there, as the kernel's target does. */
export function ipSetKadt(namespace: NetworkNamespace, set: IpSet, kind: "add" | "del", data: Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">, options: { exist: boolean; timeout?: number }, now: number): void {
  rtGenidBump(namespace);
  expire(set, now);
  const spec: IpSetElementSpec = { ...data, nomatch: false, ...(options.timeout !== undefined && set.timeout !== undefined ? { timeout: options.timeout } : {}) };
  if (kind === "add") addElement(set, spec, options.exist, now);
  else delElement(set, spec, false, now);
}
