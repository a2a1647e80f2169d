// nft -j's listing (nftables src/json.c: do_command_list_json,
// table_print_json, set_print_json, chain_print_json, rule_print_json and
// each expression's and statement's *_json; datatype.c's *_type_json) as
// nft 1.0.6 prints it: one line `{"nftables": [metainfo, objects...]}`, the
// objects of a table in the order table, its sets and maps, its chains, then
// every chain's rules. It prints the same model nft-print.ts lists, with the
// same element order and the same dependency matches left out (listedExpressions).
import { formatIpv4Address } from "../../model/address.js";
import type { NftAtom, NftChain, NftData, NftDatatype, NftElement, NftExpression, NftFamily, NftKey, NftRight, NftRule, NftSelector, NftSet, NftTable, NftVerdict } from "../../model/nf-tables.js";
import { UnsupportedError } from "../command.js";
import { CT_STATES, CT_STATUSES, FIB_TYPE_NAMES, ICMP_TYPES, listedExpressions, NF_PROTO_NAMES, PKT_TYPE_NAMES, PROTOCOL_NAMES, sortedElements } from "./nft-print.js";

export type Json = null | number | string | Json[] | { readonly [key: string]: Json };

/** generate_json_metainfo(): PACKAGE_VERSION, RELEASE_NAME and JSON_SCHEMA_VERSION of nft 1.0.6. */
const METAINFO: Json = { metainfo: { version: "1.0.6", release_name: "Lester Gooch #5", json_schema_version: 1 } };

/** jansson's dump_string(): `"` `\` and control characters escaped (\uXXXX in upper-case hex), everything else as it is. */
function stringText(value: string): string {
  let text = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === '"') text += '\\"';
    else if (char === "\\") text += "\\\\";
    else if (char === "\b") text += "\\b";
    else if (char === "\f") text += "\\f";
    else if (char === "\n") text += "\\n";
    else if (char === "\r") text += "\\r";
    else if (char === "\t") text += "\\t";
    else if (code < 0x20) text += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else text += char;
  }
  return `${text}"`;
}

/** json_dumpf(root, fp, 0): no indentation, ", " between items and ": " after keys, keys in insertion order. */
export function dumpJson(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return stringText(value);
  if (Array.isArray(value)) return `[${value.map(dumpJson).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${stringText(key)}: ${dumpJson(item)}`)
    .join(", ")}}`;
}

/** do_command_list_json(): the metainfo object first, all on one line. */
export function listingJson(objects: readonly Json[]): string {
  return `${dumpJson({ nftables: [METAINFO, ...objects] })}\n`;
}

function refuse(what: string): never {
  throw new UnsupportedError("-j", `nft -j listing of ${what} is not modelled`);
}

/** A flag value: one name as a string, several as a list (list_expr_json). */
function flagsJson(table: readonly [string, number][], bits: number): Json {
  const names = table.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
  const known = table.reduce((all, [, bit]) => all | bit, 0);
  if (names.length === 0 || (bits & ~known) !== 0) refuse(`flag value ${bits}`);
  return names.length === 1 ? names[0]! : names;
}

/** datatype_json(): each datatype's JSON value (numbers stay numbers; symbolic constants as names; addresses and names as strings). */
function atomJson(value: NftAtom, type: NftDatatype, numericProto = false): Json {
  if (typeof value === "string") return value;
  switch (type) {
    case "ipv4_addr":
      return formatIpv4Address(value);
    case "inet_proto":
      return numericProto ? value : (PROTOCOL_NAMES[value] ?? value);
    case "ct_state":
      return flagsJson(CT_STATES, value);
    case "ct_status":
      return flagsJson(CT_STATUSES, value);
    case "ct_dir":
      return value === 1 ? "reply" : "original";
    case "fib_addrtype":
      return FIB_TYPE_NAMES[value] ?? value;
    case "icmp_type":
      return Object.entries(ICMP_TYPES).find(([, number]) => number === value)?.[0] ?? value;
    case "inet_service":
    case "mark":
    case "integer":
      return value;
    case "nf_proto":
      return NF_PROTO_NAMES[value] ?? value;
    case "pkt_type":
      return PKT_TYPE_NAMES[value] ?? value;
    default:
      return refuse(`a ${type} value`);
  }
}

function keyJson(key: NftKey, types: readonly NftDatatype[], offset = 0): Json {
  const type = types[offset] ?? "integer";
  switch (key.kind) {
    case "value":
      return atomJson(key.value, type);
    case "range":
      // range_expr_json(): protocols by number inside a range.
      return { range: [atomJson(key.first, type, true), atomJson(key.last, type, true)] };
    case "prefix":
      return { prefix: { addr: atomJson(key.address, type), len: key.length } };
    case "concat":
      return { concat: key.parts.map((part, index) => keyJson(part, types, offset + index)) };
  }
}

function verdictJson(verdict: NftVerdict): Json {
  return verdict.kind === "jump" || verdict.kind === "goto" ? { [verdict.kind]: { target: verdict.chain } } : { [verdict.kind]: null };
}

function dataJson(data: NftData, type: NftDatatype | undefined): Json {
  return data.kind === "verdict" ? verdictJson(data.verdict) : atomJson(data.value, type ?? "integer");
}

/**
 * set_elem_expr_json() / mapping_expr_json(): a key, or [key, data] in a map;
 * a key with a timeout, time left or comment as {"elem": {"val": KEY, ...}}
 * (seconds, rounded down; the time left on the virtual clock).
 */
function elementJson(element: NftElement, types: readonly NftDatatype[], dataType: NftDatatype | undefined, now: number | undefined): Json {
  let key = keyJson(element.key, types);
  const expires = element.expires !== undefined && now !== undefined ? Math.floor(Math.max(0, element.expires - now) / 1_000_000) : undefined;
  if (element.timeout !== undefined || expires !== undefined || element.comment !== undefined) {
    const elem: Record<string, Json> = { val: key };
    if (element.timeout !== undefined) elem.timeout = Math.floor(element.timeout / 1000);
    if (expires !== undefined) elem.expires = expires;
    if (element.comment !== undefined) elem.comment = element.comment;
    key = { elem };
  }
  return element.data ? [key, dataJson(element.data, dataType)] : key;
}

function elementsJson(elements: readonly NftElement[], types: readonly NftDatatype[], dataType: NftDatatype | undefined, now?: number): Json[] {
  return sortedElements(elements, types).map((element) => elementJson(element, types, dataType, now));
}

const FIB_FLAGS = ["saddr", "daddr", "mark", "iif", "oif"] as const;

/** payload_expr_json, meta_expr_json, ct_expr_json, fib_expr_json, numgen_expr_json; a masked meta as binop_expr_json's {"&": [...]}. */
function selectorJson(selector: NftSelector): Json {
  switch (selector.kind) {
    case "ip":
      return { payload: { protocol: "ip", field: selector.field } };
    case "meta": {
      const meta: Json = { meta: { key: selector.key } };
      return selector.mask !== undefined ? { "&": [meta, selector.mask] } : meta;
    }
    case "l4":
      return { payload: { protocol: selector.protocol, field: selector.field } };
    case "icmp":
      return { payload: { protocol: "icmp", field: "type" } };
    case "ct":
      return { ct: { key: selector.key } };
    case "fib":
      return { fib: { result: selector.result, flags: FIB_FLAGS.filter((flag) => (selector.flags as readonly string[]).includes(flag)) } };
    case "numgen":
      return { numgen: { mode: selector.mode, mod: selector.modulus, offset: selector.offset ?? 0 } };
    case "tcpflags":
      return refuse("tcp flags");
  }
}

function leftJson(left: readonly NftSelector[]): Json {
  return left.length === 1 ? selectorJson(left[0]!) : { concat: left.map(selectorJson) };
}

function rightJson(right: NftRight, types: readonly NftDatatype[]): Json {
  switch (right.kind) {
    case "flags":
      return atomJson(right.bits, types[0]!);
    case "set":
      return { set: elementsJson(right.elements, types, undefined) };
    case "setref":
      return `@${right.name}`;
    default:
      return keyJson(right, types);
  }
}

/** A NAT range: one value, or {"range": [first, last]}. */
function rangeJson(range: { readonly first: number; readonly last: number }, print: (value: number) => Json): Json {
  return range.first === range.last ? print(range.first) : { range: [print(range.first), print(range.last)] };
}

const NAT_FLAGS = ["random", "fully-random", "persistent"] as const;

/** nat_stmt_json(): family (inet's `dnat ip`), addr, port, flags (one as a string); null when none. */
function natJson(expression: Extract<NftExpression, { kind: "nat" }>, family: NftFamily): Json {
  const root: Record<string, Json> = {};
  if (family === "inet" && (expression.type === "dnat" || expression.type === "snat")) root.family = "ip";
  if (expression.addresses) root.addr = rangeJson(expression.addresses, formatIpv4Address);
  if (expression.ports) root.port = rangeJson(expression.ports, (port) => port);
  const flags = NAT_FLAGS.filter((flag) => expression.flags.includes(flag));
  if (flags.length > 0) root.flags = flags.length === 1 ? flags[0]! : [...flags];
  return { [expression.type]: Object.keys(root).length > 0 ? root : null };
}

/** reject_stmt_json(): the kernel holds the default as icmp (ip) or icmpx (inet) port-unreachable, and nft prints it so. */
function rejectJson(expression: Extract<NftExpression, { kind: "reject" }>, family: NftFamily): Json {
  const what = expression.with ?? (family === "inet" ? "icmpx port-unreachable" : "icmp port-unreachable");
  if (what === "tcp reset") return { reject: { type: "tcp reset" } };
  const [type, code] = what.split(" ") as [string, string];
  return { reject: { type, expr: code } };
}

export function expressionJson(expression: NftExpression, family: NftFamily): Json {
  switch (expression.kind) {
    case "match": {
      // relational_expr_json(): a flag type's implicit match is "in" (the kernel holds it as a bitmask test).
      const op = expression.op === "!=" ? "!=" : expression.right.kind === "flags" ? "in" : "==";
      return { match: { op, left: leftJson(expression.left), right: rightJson(expression.right, expression.types) } };
    }
    case "counter":
      return { counter: { packets: expression.counters.packets, bytes: expression.counters.bytes } };
    case "verdict":
      return verdictJson(expression.verdict);
    case "vmap": {
      const data = expression.map.kind === "setref" ? `@${expression.map.name}` : { set: elementsJson(expression.map.elements, expression.types, "verdict") };
      return { vmap: { key: leftJson(expression.left), data } };
    }
    case "nat":
      return natJson(expression, family);
    case "mark-set": {
      // meta_stmt_json / ct_stmt_json: {"mangle": {"key": ..., "value": ...}}, a bitwise value as {"|": [old mark, value]}.
      const key: Json = { [expression.target]: { key: "mark" } };
      const value: Json = expression.copy !== undefined ? { [expression.copy]: { key: "mark" } } : expression.bitwise ? { [expression.bitwise.op]: [{ [expression.bitwise.source]: { key: "mark" } }, expression.value] } : expression.value;
      return { mangle: { key, value } };
    }
    case "reject":
      return rejectJson(expression, family);
    case "log":
      return { log: expression.prefix === undefined ? null : { prefix: expression.prefix } };
    case "notrack":
      return { notrack: null };
    case "dynset": {
      // set_stmt_json(): the key as an element, with the statement's own timeout when it has one.
      const key = leftJson(expression.left);
      return { set: { op: expression.op, elem: expression.timeout !== undefined ? { elem: { val: key, timeout: Math.floor(expression.timeout / 1000) } } : key, set: `@${expression.set}` } };
    }
    case "ipv6-match":
      return refuse("an IPv6 match (" + expression.text + ")");
  }
}

/** table_print_json(): nft 1.0.6 prints no comment (userdata) of a table. */
export function tableJson(table: NftTable): Json {
  return { table: { family: table.family, name: table.name, handle: table.handle } };
}

/**
 * set_print_json(): comment, map, size, flags (constant, interval, timeout:
 * a set with a default timeout has the flag in the kernel), timeout in
 * seconds, then the elements whose time has not run out. `dynamic` is not
 * printed.
 */
export function setJson(table: NftTable, set: NftSet, now?: number): Json {
  const root: Record<string, Json> = { family: table.family, name: set.name, table: table.name, type: set.keyTypes.length === 1 ? set.keyTypes[0]! : [...set.keyTypes], handle: set.handle };
  if (set.comment !== undefined) root.comment = set.comment;
  if (set.dataType !== undefined) root.map = set.dataType;
  if (set.size !== undefined) root.size = set.size;
  const flags = (["constant", "interval", "timeout"] as const).filter((flag) => set.flags.includes(flag) || (flag === "timeout" && set.timeout !== undefined));
  if (flags.length > 0) root.flags = [...flags];
  if (set.timeout !== undefined) root.timeout = Math.floor(set.timeout / 1000);
  const elements = set.elements.filter((element) => element.expires === undefined || now === undefined || element.expires > now);
  if (elements.length > 0) root.elem = elementsJson(elements, set.keyTypes, set.dataType, now);
  return { [set.dataType !== undefined ? "map" : "set"]: root };
}

/** chain_print_json(): a base chain's type, hook, priority as a number, and policy; nft 1.0.6 prints no chain comment. */
export function chainJson(table: NftTable, chain: NftChain): Json {
  const root: Record<string, Json> = { family: table.family, table: table.name, name: chain.name, handle: chain.handle };
  if (chain.base) Object.assign(root, { type: chain.base.type, hook: chain.base.hook, prio: chain.base.priority, policy: chain.base.policy });
  return { chain: root };
}

/** rule_print_json(): the comment before the expressions. */
export function ruleJson(table: NftTable, chain: NftChain, rule: NftRule): Json {
  const root: Record<string, Json> = { family: table.family, table: table.name, chain: chain.name, handle: rule.handle };
  if (rule.comment !== undefined) root.comment = rule.comment;
  root.expr = listedExpressions(rule.expressions, table.family).map((expression) => expressionJson(expression, table.family));
  return { rule: root };
}

/** A chain and its rules (do_list_chain_json). */
export function chainObjects(table: NftTable, chain: NftChain): Json[] {
  return [chainJson(table, chain), ...chain.rules.map((rule) => ruleJson(table, chain, rule))];
}

/** table_print_json_full(): the table, its sets and maps, its chains, then each chain's rules. */
export function tableObjects(table: NftTable, now?: number): Json[] {
  const chains = [...table.chains.values()];
  return [tableJson(table), ...[...table.sets.values()].map((set) => setJson(table, set, now)), ...chains.map((chain) => chainJson(table, chain)), ...chains.flatMap((chain) => chain.rules.map((rule) => ruleJson(table, chain, rule)))];
}
