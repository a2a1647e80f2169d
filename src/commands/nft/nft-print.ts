// nft's listing (nftables src/rule.c: table_print, chain_print, set_print,
// rule_print; expression.c, datatype.c: each datatype's print, and
// set_expr_print's element delimiters) as nft 1.0.6 prints it: tab-indented,
// sets before chains, a blank line between blocks, `# handle N` with -a.
import { formatIpv4Address } from "../../model/address.js";
import type { NftAtom, NftChain, NftData, NftDatatype, NftElement, NftExpression, NftKey, NftRight, NftRule, NftSelector, NftSet, NftTable, NftVerdict } from "../../model/nf-tables.js";

export interface PrintOptions {
  readonly handles: boolean;
  /** The virtual clock (µs): what a dynset element's expiry is listed against (absent: the elements' expiry is not shown). */
  readonly now?: number;
}

export const CT_STATES: readonly [string, number][] = [
  ["invalid", 1],
  ["established", 2],
  ["related", 4],
  ["new", 8],
  ["untracked", 64],
];

export const CT_STATUSES: readonly [string, number][] = [
  ["expected", 1],
  ["seen-reply", 2],
  ["assured", 4],
  ["confirmed", 8],
  ["snat", 16],
  ["dnat", 32],
  ["dying", 512],
];

export const FIB_TYPE_NAMES = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"];

export const ICMP_TYPES: Readonly<Record<string, number>> = {
  "echo-reply": 0,
  "destination-unreachable": 3,
  "source-quench": 4,
  redirect: 5,
  "echo-request": 8,
  "router-advertisement": 9,
  "router-solicitation": 10,
  "time-exceeded": 11,
  "parameter-problem": 12,
  "timestamp-request": 13,
  "timestamp-reply": 14,
  "info-request": 15,
  "info-reply": 16,
  "address-mask-request": 17,
  "address-mask-reply": 18,
};

/** pkttype_type's symbols (PACKET_HOST, _BROADCAST, _MULTICAST, _OTHERHOST), as listed; `unicast` is read as host. */
export const PKT_TYPE_NAMES: Readonly<Record<number, string>> = { 0: "host", 1: "broadcast", 2: "multicast", 3: "other" };

/** nfproto_type's symbols (NFPROTO_IPV4, NFPROTO_IPV6). */
export const NF_PROTO_NAMES: Readonly<Record<number, string>> = { 2: "ipv4", 10: "ipv6" };

export const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp", 136: "udplite", 33: "dccp" };

export function selectorText(selector: NftSelector): string {
  switch (selector.kind) {
    case "ip":
      return `ip ${selector.field}`;
    case "meta":
      if (selector.key === "iifname" || selector.key === "oifname") return selector.key;
      return `meta ${selector.key}${selector.mask !== undefined ? ` & ${hex(selector.mask)}` : ""}`;
    case "l4":
      return `${selector.protocol} ${selector.field}`;
    case "tcpflags":
      return "tcp flags";
    case "icmp":
      return "icmp type";
    case "ct":
      return `ct ${selector.key}`;
    case "fib":
      return `fib ${selector.flags.join(" . ")} ${selector.result}`;
    case "numgen":
      return `numgen ${selector.mode} mod ${selector.modulus}${selector.offset !== undefined ? ` offset ${selector.offset}` : ""}`;
  }
}

/** A 32-bit value as nft prints marks and masks: eight hex digits. */
export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

export function flagNames(table: readonly [string, number][], bits: number): string {
  return table
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name)
    .join(",");
}

export function atomText(value: NftAtom, type: NftDatatype): string {
  if (typeof value === "string") return type === "ifname" ? `"${value}"` : value;
  switch (type) {
    case "ipv4_addr":
      return formatIpv4Address(value);
    case "inet_proto":
      return PROTOCOL_NAMES[value] ?? String(value);
    case "mark":
      return hex(value);
    case "ct_state":
      return flagNames(CT_STATES, value);
    case "ct_status":
      return flagNames(CT_STATUSES, value);
    case "ct_dir":
      return value === 1 ? "reply" : "original";
    case "fib_addrtype":
      return FIB_TYPE_NAMES[value] ?? String(value);
    case "nf_proto":
      return NF_PROTO_NAMES[value] ?? String(value);
    case "pkt_type":
      return PKT_TYPE_NAMES[value] ?? String(value);
    case "icmp_type":
      return Object.entries(ICMP_TYPES).find(([, number]) => number === value)?.[0] ?? String(value);
    default:
      return String(value);
  }
}

function keyText(key: NftKey, types: readonly NftDatatype[], offset = 0): string {
  const type = types[offset] ?? "integer";
  switch (key.kind) {
    case "value":
      return atomText(key.value, type);
    case "range":
      return `${atomText(key.first, type)}-${atomText(key.last, type)}`;
    case "prefix":
      return `${atomText(key.address, type)}/${key.length}`;
    case "concat":
      return key.parts.map((part, index) => keyText(part, types, offset + index)).join(" . ");
  }
}

export function verdictText(verdict: NftVerdict): string {
  return verdict.kind === "jump" || verdict.kind === "goto" ? `${verdict.kind} ${verdict.chain}` : verdict.kind;
}

function dataText(data: NftData, type: NftDatatype | undefined): string {
  return data.kind === "verdict" ? verdictText(data.verdict) : atomText(data.value, type ?? "integer");
}

/**
 * time_print(): days, hours, minutes, seconds and milliseconds, each only
 * when not zero (`3h`, `1m30s`).
 */
export function timeText(milliseconds: number): string {
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]];
  let rest = milliseconds;
  let text = "";
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) text += `${count}${unit}`;
  }
  return text;
}

function elementText(element: NftElement, types: readonly NftDatatype[], dataType: NftDatatype | undefined, now?: number): string {
  // set_elem_expr_print(): the key, its own timeout, the time left, then the comment.
  let key = keyText(element.key, types);
  if (element.timeout !== undefined) key += ` timeout ${timeText(element.timeout)}`;
  // The time left in milliseconds (the kernel's NFTA_SET_ELEM_EXPIRATION), on the virtual clock: a real listing's depends on how long the host took.
  if (element.expires !== undefined && now !== undefined) key += ` expires ${timeText(Math.max(0, Math.floor((element.expires - now) / 1000)))}`;
  if (element.comment !== undefined) key += ` comment "${element.comment}"`;
  return element.data ? `${key} : ${dataText(element.data, dataType)}` : key;
}

/** A datatype's width and byte order as the kernel holds it (datatype.c: each type's size; big-endian for addresses and ports). */
const KEY_BYTES: Readonly<Partial<Record<NftDatatype, readonly [number, "big" | "host"]>>> = {
  ipv4_addr: [4, "big"],
  inet_service: [2, "big"],
  inet_proto: [1, "host"],
  icmp_type: [1, "host"],
  ct_dir: [1, "host"],
  nf_proto: [1, "host"],
  pkt_type: [1, "host"],
};

/** One part of a concatenation as the bytes the kernel holds (mpz_export_data in the part's byte order). */
function keyBytes(key: NftKey, type: NftDatatype): number[] {
  const value = key.kind === "value" ? key.value : key.kind === "range" ? key.first : key.kind === "prefix" ? key.address : 0;
  if (typeof value === "string") return [...Buffer.from(value.padEnd(16, "\0"), "latin1")].slice(0, 16);
  const [width, order] = KEY_BYTES[type] ?? [4, "host"];
  const bytes = Array.from({ length: width }, (_byte, index) => Math.floor(value / 2 ** (8 * index)) % 256);
  return order === "big" ? bytes.reverse() : bytes;
}

/**
 * A key's place in nft's sort (mergesort.c: expr_msort_value): the value as
 * the kernel holds it; strings in host byte order, and a concatenation's
 * parts' bytes one after the other read as one host-order number, so both
 * compared from their last byte.
 */
function sortValue(key: NftKey, types: readonly NftDatatype[]): (number | string)[] {
  switch (key.kind) {
    case "value":
      if (typeof key.value === "string") {
        const bytes = [...Buffer.from(key.value.padEnd(16, "\0"), "latin1")].reverse();
        return [bytes.map((byte) => String.fromCharCode(byte)).join("")];
      }
      return [key.value];
    case "range":
      return [key.first];
    case "prefix":
      return [key.address];
    case "concat": {
      const bytes = key.parts.flatMap((part, index) => keyBytes(part, types[index] ?? "integer")).reverse();
      return [bytes.map((byte) => String.fromCharCode(byte)).join("")];
    }
  }
}

function compareKeys(a: NftKey, b: NftKey, types: readonly NftDatatype[]): number {
  const left = sortValue(a, types);
  const right = sortValue(b, types);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    if (x === y) continue;
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** The elements in the order nft lists them (text and JSON alike). */
export function sortedElements(elements: readonly NftElement[], types: readonly NftDatatype[]): NftElement[] {
  return [...elements].sort((a, b) => compareKeys(a.key, b.key, types));
}

/** set_expr_print()'s delimiter: anonymous sets on one line; named ones break by datatype (calculate_delim). */
function elementsText(elements: readonly NftElement[], types: readonly NftDatatype[], dataType: NftDatatype | undefined, anonymous: boolean, now?: number): string {
  const sorted = sortedElements(elements, types);
  const perLine = anonymous ? Infinity : types.length > 1 ? 1 : ["ipv4_addr", "ct_state", "ct_status", "pkt_type"].includes(types[0]!) ? 2 : ["nf_proto", "integer", "inet_proto", "inet_service", "mark", "ct_dir"].includes(types[0]!) ? 16 : 1;
  let text = "{ ";
  sorted.forEach((element, index) => {
    if (index > 0) text += index % perLine === 0 ? ",\n\t\t\t     " : ", ";
    text += elementText(element, types, dataType, now);
  });
  return `${text} }`;
}

function rightText(right: NftRight, types: readonly NftDatatype[]): string {
  switch (right.kind) {
    case "flags":
      return atomText(right.bits, types[0]!);
    case "set":
      return elementsText(right.elements, types, undefined, true);
    case "setref":
      return `@${right.name}`;
    default:
      return keyText(right, types);
  }
}

export function portsText(ports: { readonly first: number; readonly last: number }): string {
  return ports.first === ports.last ? String(ports.first) : `${ports.first}-${ports.last}`;
}

export function expressionText(expression: NftExpression, family: string): string {
  switch (expression.kind) {
    case "match": {
      const left = expression.left.map(selectorText).join(" . ");
      const masked = expression.left.length === 1 && expression.left[0]!.kind === "meta" && expression.left[0]!.mask !== undefined;
      const op = expression.op === "!=" ? "!= " : masked ? "== " : "";
      return `${left} ${op}${rightText(expression.right, expression.types)}`;
    }
    case "counter":
      return `counter packets ${expression.counters.packets} bytes ${expression.counters.bytes}`;
    case "verdict":
      return verdictText(expression.verdict);
    case "vmap": {
      const left = expression.left.map(selectorText).join(" . ");
      const map = expression.map.kind === "setref" ? `@${expression.map.name}` : elementsText(expression.map.elements, expression.types, "verdict", true);
      return `${left} vmap ${map}`;
    }
    case "nat": {
      const flags = expression.flags.length > 0 ? ` ${expression.flags.join(",")}` : "";
      if (expression.type === "masquerade" || expression.type === "redirect") return `${expression.type}${expression.ports ? ` to :${portsText(expression.ports)}` : ""}${flags}`;
      const addresses = expression.addresses ? (expression.addresses.first === expression.addresses.last ? formatIpv4Address(expression.addresses.first) : `${formatIpv4Address(expression.addresses.first)}-${formatIpv4Address(expression.addresses.last)}`) : "";
      const ports = expression.ports ? `:${portsText(expression.ports)}` : "";
      return `${expression.type}${family === "inet" ? " ip" : ""} to ${addresses}${ports}${flags}`;
    }
    case "mark-set":
      if (expression.copy !== undefined) return `${expression.target} mark set ${expression.copy} mark`;
      return `${expression.target} mark set ${expression.bitwise ? `${expression.bitwise.source} mark ${expression.bitwise.op} ` : ""}${hex(expression.value)}`;
    case "reject":
      return expression.with === undefined ? "reject" : `reject with ${expression.with}`;
    case "log":
      return expression.prefix === undefined ? "log" : `log prefix "${expression.prefix}"`;
    case "notrack":
      return "notrack";
    case "ipv6-match":
      return expression.text;
    case "dynset":
      return `${expression.op} @${expression.set} { ${expression.left.map(selectorText).join(" . ")}${expression.timeout !== undefined ? ` timeout ${timeText(expression.timeout)}` : ""} }`;
  }
}

/** A `meta l4proto`/`ip protocol` (or `meta nfproto`) match with one value: what nft keeps as a payload dependency when it lists a rule. */
function protocolMatch(expression: NftExpression): { readonly level: "transport" | "network"; readonly value: number } | undefined {
  if (expression.kind !== "match" || expression.op !== "==" || expression.left.length !== 1 || expression.right.kind !== "value" || typeof expression.right.value !== "number") return undefined;
  const left = expression.left[0]!;
  if ((left.kind === "meta" && left.key === "l4proto") || (left.kind === "ip" && left.field === "protocol")) return { level: "transport", value: expression.right.value };
  if (left.kind === "meta" && left.key === "nfproto") return { level: "network", value: expression.right.value };
  return undefined;
}

/**
 * rule_parse_postprocess() (netlink_delinearize.c) as far as netsim's rules
 * reach: which protocol matches the listing leaves out, and what a `th`
 * port is listed as. A protocol match is held as the dependency of what
 * follows until a statement other than a match drops it
 * (rule_maybe_reset_payload_deps); a tcp/udp port match of its protocol
 * then makes it redundant (payload_dependency_kill), and so does a reject
 * (stmt_reject_postprocess): in an ip table `tcp reset` takes the transport
 * one, in an inet table any reject but icmpx takes `meta nfproto`. A `th`
 * port after a tcp or udp protocol match reads as that protocol's port (the
 * protocol context is not reset by statements).
 */
function listingPlan(expressions: readonly NftExpression[], family: string): { readonly hidden: ReadonlySet<number>; readonly thAs: ReadonlyMap<number, string> } {
  const hidden = new Set<number>();
  const thAs = new Map<number, string>();
  let pending: { transport?: number; network?: number } = {};
  let context: string | undefined;
  expressions.forEach((expression, index) => {
    const protocol = protocolMatch(expression);
    if (protocol) {
      pending[protocol.level] = index;
      if (protocol.level === "transport") context = PROTOCOL_NAMES[protocol.value];
      return;
    }
    if (expression.kind === "match") {
      for (const selector of expression.left) {
        if (selector.kind !== "l4") continue;
        const shown = selector.protocol === "th" && (context === "tcp" || context === "udp") ? context : selector.protocol;
        if (shown !== selector.protocol) thAs.set(index, shown);
        context ??= shown === "th" ? undefined : shown;
        const dependency = pending.transport;
        if (dependency !== undefined && PROTOCOL_NAMES[(expressions[dependency] as { right: { value: number } }).right.value] === shown) {
          hidden.add(dependency);
          delete pending.transport;
        }
      }
      return;
    }
    if (expression.kind === "vmap") return;
    if (expression.kind === "reject") {
      if (family === "ip" && expression.with === "tcp reset" && pending.transport !== undefined) hidden.add(pending.transport);
      const icmpx = expression.with === undefined || expression.with.startsWith("icmpx ");
      if (family === "inet" && !icmpx && pending.network !== undefined) hidden.add(pending.network);
    }
    pending = {};
  });
  return { hidden, thAs };
}

/** The rule's expressions as nft lists them (listingPlan): the text and JSON listings both print these. */
export function listedExpressions(expressions: readonly NftExpression[], family: string): NftExpression[] {
  const plan = listingPlan(expressions, family);
  const listed: NftExpression[] = [];
  expressions.forEach((expression, index) => {
    if (plan.hidden.has(index)) return;
    const shown = plan.thAs.get(index);
    if (shown === undefined || expression.kind !== "match") listed.push(expression);
    else listed.push({ ...expression, left: expression.left.map((selector) => (selector.kind === "l4" && selector.protocol === "th" ? { ...selector, protocol: shown as "tcp" } : selector)) });
  });
  return listed;
}

export function ruleText(rule: { readonly expressions: readonly NftExpression[]; readonly comment?: string }, family: string): string {
  const text = listedExpressions(rule.expressions, family)
    .map((expression) => expressionText(expression, family))
    .join(" ");
  return rule.comment === undefined ? text : `${text} comment "${rule.comment}"`;
}

/** A rule as listed now (its counters as they are). */
function listedRule(rule: NftRule, family: string, options: PrintOptions): string {
  return `\t\t${ruleText(rule, family)}${options.handles ? ` # handle ${rule.handle}` : ""}\n`;
}

const STANDARD_PRIORITIES: readonly [string, number][] = [
  ["raw", -300],
  ["mangle", -150],
  ["dstnat", -100],
  ["filter", 0],
  ["security", 50],
  ["srcnat", 100],
];

/** Whether nft 1.0.6 takes a standard priority name at this hook (std_prio_family_hook_compat: dstnat only at prerouting, srcnat only at postrouting). */
export function priorityNameValid(name: string, hook: string): boolean {
  if (name === "dstnat") return hook === "prerouting";
  if (name === "srcnat") return hook === "postrouting";
  return STANDARD_PRIORITIES.some(([known]) => known === name);
}

export function standardPriority(name: string): number | undefined {
  return STANDARD_PRIORITIES.find(([known]) => known === name)?.[1];
}

/** prio2str(): the first standard priority within 10 of the value that the hook takes, with the offset; else the number. */
export function priorityText(priority: number, hook: string): string {
  for (const [name, value] of STANDARD_PRIORITIES) {
    const offset = priority - value;
    if (Math.abs(offset) > 10 || !priorityNameValid(name, hook)) continue;
    return offset === 0 ? name : `${name} ${offset > 0 ? "+" : "-"} ${Math.abs(offset)}`;
  }
  return String(priority);
}

export function chainText(chain: NftChain, family: string, options: PrintOptions): string {
  let text = `\tchain ${chain.name} {${options.handles ? ` # handle ${chain.handle}` : ""}\n`;
  // chain_print_declaration(): the comment before the base chain's type.
  if (chain.comment !== undefined) text += `\t\tcomment "${chain.comment}"\n`;
  const base = chain.base;
  if (base) text += `\t\ttype ${base.type} hook ${base.hook} priority ${priorityText(base.priority, base.hook)}; policy ${base.policy};\n`;
  for (const rule of chain.rules) text += listedRule(rule, family, options);
  return `${text}\t}\n`;
}

export function setText(set: NftSet, options: PrintOptions): string {
  const kind = set.dataType !== undefined ? "map" : "set";
  let text = `\t${kind} ${set.name} {${options.handles ? ` # handle ${set.handle}` : ""}\n`;
  text += `\t\ttype ${set.keyTypes.join(" . ")}${set.dataType !== undefined ? ` : ${set.dataType}` : ""}\n`;
  // set_print_declaration(): size, flags, timeout, comment, then the elements (one whose timeout ran out is not dumped).
  if (set.size !== undefined) text += `\t\tsize ${set.size}\n`;
  if (set.flags.length > 0) text += `\t\tflags ${set.flags.join(",")}\n`;
  if (set.timeout !== undefined) text += `\t\ttimeout ${timeText(set.timeout)}\n`;
  if (set.comment !== undefined) text += `\t\tcomment "${set.comment}"\n`;
  const elements = set.elements.filter((element) => element.expires === undefined || options.now === undefined || element.expires > options.now);
  if (elements.length > 0) text += `\t\telements = ${elementsText(elements, set.keyTypes, set.dataType, false, options.now)}\n`;
  return `${text}\t}\n`;
}

/** A table's block; `only` lists just the chains or sets asked for (`list chain`, `list set`). */
export function tableText(table: NftTable, options: PrintOptions, only?: { readonly chains?: readonly NftChain[]; readonly sets?: readonly NftSet[] }): string {
  const blocks = [...(only ? (only.sets ?? []) : table.sets.values())].map((set) => setText(set, options));
  blocks.push(...[...(only ? (only.chains ?? []) : table.chains.values())].map((chain) => chainText(chain, table.family, options)));
  // A chain's or set's listing names its table without the table's handle (nft 1.0.6 -a).
  // table_print(): the table's comment first; a chain's or set's listing leaves it out.
  const comment = table.comment !== undefined && !only ? `\tcomment "${table.comment}"\n` : "";
  return `table ${table.family} ${table.name} {${options.handles && !only ? ` # handle ${table.handle}` : ""}\n${comment}${blocks.join("\n")}}\n`;
}
