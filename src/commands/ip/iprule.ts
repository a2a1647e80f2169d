// `ip rule` (iproute2 ip/iprule.c: iprule_modify, iprule_list_flush_or_save,
// print_rule, filter_nlmsg).
import { formatIpv4Address, prefixContains, type Ipv4Prefix } from "../../model/address.js";
import type { FibRule, FibRuleAction, PortRange } from "../../model/fib-rule.js";
import type { RuleAdd } from "../../model/operations.js";
import { tableName } from "../../model/route.js";
import { applyOperation } from "../../net/index.js";
import { getprotobyname, getprotobynumber } from "../etc-protocols.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, getUnsigned, invalidArgument, matches, parsePrefix, rttableA2n } from "./ip-common.js";
import type { IpContext } from "./ip.js";

export function doIpRule(argv: readonly string[], context: IpContext): CommandOutcome {
  if (context.options.family === "inet6") throw new UnsupportedError("-6", "ip -6 rule is not modelled (netsim routes IPv4 only)");
  const command = argv[0];
  const rest = argv.slice(1);
  if (command === undefined) return ruleList([], context, false);
  if (matches(command, "list") || matches(command, "lst") || matches(command, "show")) return ruleList(rest, context, false);
  if (matches(command, "add")) return ruleModify(rest, context, "add");
  if (matches(command, "delete")) return ruleModify(rest, context, "delete");
  if (matches(command, "flush")) return ruleList(rest, context, true);
  if (matches(command, "save") || matches(command, "restore")) throw new UnsupportedError(command, `"ip rule ${command}" is not modelled`);
  if (matches(command, "help")) throw new UnsupportedError(command, '"ip rule help" is not modelled');
  throw new CommandError(`Command "${command}" is unknown, try "ip rule help".`, 255);
}

/** The `ip rule` types netsim models (rtnl_rtntype_a2n() of iproute2, as FR_ACT_*). */
const ACTIONS: Readonly<Record<string, FibRuleAction>> = { unicast: "lookup", blackhole: "blackhole", unreachable: "unreachable", prohibit: "prohibit" };

function parseRulePrefix(text: string): Ipv4Prefix {
  if (text === "all" || text === "any" || text === "default") return { address: 0, length: 0 };
  const parsed = parsePrefix(text);
  if (!parsed) throw new CommandError(`Error: any valid prefix is expected rather than "${text}".`, 1);
  return { address: parsed.address, length: parsed.length };
}

/** A port or port range (`sport 1000-2000`); the kernel keeps 16 bits of each. */
function parsePortRange(text: string, keyword: string): PortRange {
  const [startText, endText, extra] = text.split("-");
  const start = startText === undefined ? undefined : getUnsigned(startText);
  const end = endText === undefined ? start : getUnsigned(endText);
  if (extra !== undefined || start === undefined || end === undefined) invalidArgument(`invalid "${keyword}" value\n`, text);
  return { start: start & 0xffff, end: end & 0xffff };
}

function parseProtocol(text: string): number {
  const numeric = getUnsigned(text);
  if (numeric !== undefined && numeric <= 255) return numeric;
  const named = getprotobyname(text);
  if (named === undefined || named > 255) invalidArgument('Invalid "ipproto" value\n', text);
  return named;
}

function parseUidRange(text: string): PortRange {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) invalidArgument("invalid UID range\n", text);
  return { start: Number(match[1]), end: Number(match[2]) };
}

/** fwmark MARK[/MASK]: a mark of 0 with no mask is no selector at all (the kernel keeps neither). */
function parseFwmark(text: string): { fwmark?: number; fwmask?: number } {
  const slash = text.indexOf("/");
  const markText = slash === -1 ? text : text.slice(0, slash);
  const mark = getUnsigned(markText);
  if (mark === undefined) invalidArgument("fwmark value is invalid\n", markText);
  if (slash === -1) return mark === 0 ? {} : { fwmark: mark, fwmask: 0xffffffff };
  const maskText = text.slice(slash + 1);
  const mask = getUnsigned(maskText);
  if (mask === undefined) invalidArgument("fwmask value is invalid\n", maskText);
  return mark === 0 && mask === 0 ? {} : { fwmark: mark, fwmask: mask };
}

function parseTable(text: string, message: string): number {
  const table = rttableA2n(text);
  if (table === undefined) invalidArgument(message, text);
  return table;
}

type MutableRequest = { -readonly [K in keyof RuleAdd["rule"]]?: RuleAdd["rule"][K] };

function ruleModify(argv: readonly string[], context: IpContext, mode: "add" | "delete"): CommandOutcome {
  if (mode === "delete" && argv.length === 0) throw new CommandError('"ip rule del" requires arguments.', 1);
  const args = new Arguments(argv);
  const request: MutableRequest = {};
  let tableGiven = false;
  while (!args.done) {
    const word = args.next();
    if (word === "not") request.invert = true;
    else if (word === "from") request.source = parseRulePrefix(args.value());
    else if (word === "to") request.destination = parseRulePrefix(args.value());
    else if (matches(word, "preference") || matches(word, "order") || matches(word, "priority")) {
      const value = args.value();
      const priority = getUnsigned(value);
      if (priority === undefined) invalidArgument("preference value is invalid\n", value);
      request.priority = priority;
    } else if (word === "tos" || matches(word, "dsfield")) {
      const value = args.value();
      const tos = /^[0-9a-fA-F]{1,2}$|^0x[0-9a-fA-F]{1,2}$/.test(value) ? parseInt(value, 16) : undefined;
      if (tos === undefined) invalidArgument("TOS value is invalid\n", value);
      request.tos = tos;
    } else if (word === "fwmark") Object.assign(request, parseFwmark(args.value()));
    else if (matches(word, "table") || word === "lookup") {
      request.table = parseTable(args.value(), "invalid table ID\n");
      tableGiven = true;
    } else if (matches(word, "suppress_prefixlength")) {
      const value = args.value();
      const length = getUnsigned(value);
      if (length === undefined) invalidArgument("suppress_prefixlength value is invalid\n", value);
      request.suppressPrefixLength = length;
    } else if (word === "dev" || word === "iif") request.inputInterface = args.value();
    else if (word === "oif") request.outputInterface = args.value();
    else if (word === "uidrange") request.uidRange = parseUidRange(args.value());
    else if (word === "ipproto") request.ipProtocol = parseProtocol(args.value());
    else if (word === "sport") request.sourcePorts = parsePortRange(args.value(), "sport");
    else if (word === "dport") request.destinationPorts = parsePortRange(args.value(), "dport");
    else if (matches(word, "realms") || matches(word, "suppress_ifgroup") || word === "l3mdev" || word === "nat" || matches(word, "map-to") || word === "protocol" || matches(word, "goto") || matches(word, "nop") || word === "tun_id" || word === "flowlabel" || word === "dscp") {
      throw new UnsupportedError(word, `"ip rule ... ${word}" is not modelled`);
    } else {
      const typeWord = word === "type" ? args.value() : word;
      if (matches(typeWord, "help")) throw new UnsupportedError(typeWord, '"ip rule help" is not modelled');
      const action = ACTIONS[typeWord];
      if (action === undefined) {
        if (["local", "broadcast", "anycast", "multicast", "throw", "nat", "xresolve"].includes(typeWord) || /^\d+$/.test(typeWord)) {
          throw new UnsupportedError(typeWord, `ip rule type "${typeWord}" is not modelled`);
        }
        invalidArgument("Failed to parse rule type", typeWord);
      }
      request.action = action;
      // A type given counts as the table chosen (iprule_modify's table_ok): a plain `unicast` then looks in an empty table.
      tableGiven = true;
    }
  }
  if (mode === "delete") {
    checkKernel(applyOperation(context.world, { op: "rule-delete", namespaceId: context.target.id, selector: request }));
    return done("");
  }
  const action = request.action ?? "lookup";
  const table = action === "lookup" ? (tableGiven ? request.table ?? 0 : request.table ?? 254) : 0;
  const rule: RuleAdd["rule"] = { ...request, action, table, invert: request.invert ?? false };
  checkKernel(applyOperation(context.world, { op: "rule-add", namespaceId: context.target.id, rule }));
  return done("");
}

/** filter_nlmsg(): the listing's selectors. */
interface RuleFilter {
  priority?: number;
  invert?: boolean;
  source?: Ipv4Prefix;
  destination?: Ipv4Prefix;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  inputInterface?: string;
  outputInterface?: string;
  uidRange?: PortRange;
  table?: number;
}

function prefixSelected(filter: Ipv4Prefix | undefined, rule: Ipv4Prefix | undefined): boolean {
  if (filter === undefined) return true;
  const length = rule?.length ?? 0;
  return filter.length <= length && (filter.length === 0 || prefixContains(filter, rule?.address ?? 0));
}

function filterRule(filter: RuleFilter, rule: FibRule): boolean {
  if (filter.priority !== undefined && rule.priority !== filter.priority) return false;
  if (filter.invert && !rule.invert) return false;
  if (!prefixSelected(filter.source, rule.source) || !prefixSelected(filter.destination, rule.destination)) return false;
  if (filter.tos !== undefined && filter.tos !== (rule.tos ?? 0)) return false;
  if (filter.fwmark !== undefined && filter.fwmark !== 0 && filter.fwmark !== (rule.fwmark ?? 0)) return false;
  if (filter.fwmask !== undefined && filter.fwmask !== 0 && filter.fwmask !== (rule.fwmask ?? 0)) return false;
  if (filter.inputInterface !== undefined && rule.inputInterface !== filter.inputInterface) return false;
  if (filter.outputInterface !== undefined && rule.outputInterface !== filter.outputInterface) return false;
  if (filter.uidRange !== undefined && (rule.uidRange?.start !== filter.uidRange.start || rule.uidRange.end !== filter.uidRange.end)) return false;
  if (filter.table !== undefined && filter.table > 0 && rule.table !== filter.table) return false;
  return true;
}

function parseFilterPrefix(text: string): Ipv4Prefix {
  if (text === "all" || text === "any" || text === "default") return { address: 0, length: 0 };
  const parsed = parsePrefix(text);
  if (!parsed) throw new CommandError(`Error: inet prefix is expected rather than "${text}".`, 1);
  return { address: parsed.address, length: parsed.length };
}

function ruleList(argv: readonly string[], context: IpContext, flush: boolean): CommandOutcome {
  const args = new Arguments(argv);
  const filter: RuleFilter = {};
  while (!args.done) {
    const word = args.next();
    if (matches(word, "preference") || matches(word, "order") || matches(word, "priority")) {
      const value = args.value();
      const priority = getUnsigned(value);
      if (priority === undefined) invalidArgument("preference value is invalid\n", value);
      filter.priority = priority;
    } else if (word === "not") filter.invert = true;
    else if (word === "tos") {
      const value = args.value();
      if (!/^(0x)?[0-9a-fA-F]{1,2}$/.test(value)) invalidArgument("TOS value is invalid\n", value);
      filter.tos = parseInt(value, 16);
    } else if (word === "fwmark") {
      const parsed = parseFwmark(args.value());
      filter.fwmark = parsed.fwmark ?? 0;
      if (parsed.fwmask !== undefined && parsed.fwmask !== 0xffffffff) filter.fwmask = parsed.fwmask;
    } else if (word === "dev" || word === "iif") filter.inputInterface = args.value();
    else if (word === "oif") filter.outputInterface = args.value();
    else if (word === "uidrange") filter.uidRange = parseUidRange(args.value());
    else if (matches(word, "lookup") || matches(word, "table")) filter.table = parseTable(args.value(), "table id value is invalid\n");
    else if (matches(word, "from") || matches(word, "src")) filter.source = parseFilterPrefix(args.value());
    else if (word === "l3mdev" || word === "protocol" || word === "ipproto" || word === "sport" || word === "dport" || word === "tun_id") {
      throw new UnsupportedError(word, `"ip rule show ${word}" is not modelled`);
    } else {
      const text = matches(word, "dst") || matches(word, "to") ? args.value() : word;
      filter.destination = parseFilterPrefix(text);
    }
  }
  const namespace = context.target;
  const selected = namespace.rules.filter((rule) => filterRule(filter, rule));
  if (flush) {
    // The dump carries no priority for a rule of priority 0, and flush_rule() deletes only what has one.
    for (const rule of selected) {
      if (rule.priority === 0) continue;
      const { protocol: _protocol, ...selector } = rule;
      checkKernel(applyOperation(context.world, { op: "rule-delete", namespaceId: namespace.id, selector }));
    }
    return done("");
  }
  if (context.options.json) {
    if (context.options.details) throw new UnsupportedError("-details", "ip -j -d rule is not modelled");
    return done(`${JSON.stringify(selected.map((rule) => ruleJson(context, rule)))}\n`);
  }
  return done(selected.map((rule) => `${ruleText(context, rule)}\n`).join(""));
}

function deviceDetached(context: IpContext, name: string): boolean {
  for (const device of context.target.devices.values()) if (device.name === name) return false;
  return true;
}

function prefixWords(prefix: Ipv4Prefix): string {
  return prefix.length === 32 ? formatIpv4Address(prefix.address) : `${formatIpv4Address(prefix.address)}/${prefix.length}`;
}

function rangeText(range: PortRange): string {
  return range.start === range.end ? String(range.start) : `${range.start}-${range.end}`;
}

function protocolText(protocol: number): string {
  return getprotobynumber(protocol) ?? String(protocol);
}

/** print_rule(): one line of `ip rule`. */
function ruleText(context: IpContext, rule: FibRule): string {
  const words: string[] = [];
  if (rule.invert) words.push("not");
  words.push("from", rule.source && rule.source.length > 0 ? prefixWords(rule.source) : "all");
  if (rule.destination && rule.destination.length > 0) words.push("to", prefixWords(rule.destination));
  if (rule.tos) words.push("tos", `0x${rule.tos.toString(16).padStart(2, "0")}`);
  if (rule.fwmark !== undefined) {
    const mask = rule.fwmask ?? 0xffffffff;
    words.push("fwmark", mask === 0xffffffff ? `0x${rule.fwmark.toString(16)}` : `0x${rule.fwmark.toString(16)}/0x${mask.toString(16)}`);
  }
  if (rule.inputInterface !== undefined) words.push("iif", rule.inputInterface, ...(deviceDetached(context, rule.inputInterface) ? ["[detached]"] : []));
  if (rule.outputInterface !== undefined) words.push("oif", rule.outputInterface, ...(deviceDetached(context, rule.outputInterface) ? ["[detached]"] : []));
  if (rule.uidRange) words.push("uidrange", `${rule.uidRange.start}-${rule.uidRange.end}`);
  if (rule.ipProtocol !== undefined) words.push("ipproto", protocolText(rule.ipProtocol));
  if (rule.sourcePorts) words.push("sport", rangeText(rule.sourcePorts));
  if (rule.destinationPorts) words.push("dport", rangeText(rule.destinationPorts));
  if (rule.action === "lookup") {
    words.push("lookup", tableName(rule.table));
    if (rule.suppressPrefixLength !== undefined) words.push("suppress_prefixlength", String(rule.suppressPrefixLength));
  } else words.push(rule.action);
  if (context.options.details) words.push("proto", rule.protocol);
  return `${rule.priority}:\t${words.join(" ")}`;
}

/** print_rule() under -j. */
function ruleJson(context: IpContext, rule: FibRule): Record<string, unknown> {
  const object: Record<string, unknown> = { priority: rule.priority };
  if (rule.invert) object.not = null;
  if (rule.source && rule.source.length > 0) {
    object.src = formatIpv4Address(rule.source.address);
    if (rule.source.length !== 32) object.srclen = rule.source.length;
  } else object.src = "all";
  if (rule.destination && rule.destination.length > 0) {
    object.dst = formatIpv4Address(rule.destination.address);
    if (rule.destination.length !== 32) object.dstlen = rule.destination.length;
  }
  if (rule.tos) object.tos = `0x${rule.tos.toString(16).padStart(2, "0")}`;
  if (rule.fwmark !== undefined) {
    object.fwmark = `0x${rule.fwmark.toString(16)}`;
    if ((rule.fwmask ?? 0xffffffff) !== 0xffffffff) object.fwmask = `0x${rule.fwmask!.toString(16)}`;
  }
  if (rule.inputInterface !== undefined) {
    object.iif = rule.inputInterface;
    if (deviceDetached(context, rule.inputInterface)) object.iif_detached = null;
  }
  if (rule.outputInterface !== undefined) {
    object.oif = rule.outputInterface;
    if (deviceDetached(context, rule.outputInterface)) object.oif_detached = null;
  }
  if (rule.uidRange) {
    object.uid_start = rule.uidRange.start;
    object.uid_end = rule.uidRange.end;
  }
  if (rule.ipProtocol !== undefined) object.ipproto = protocolText(rule.ipProtocol);
  for (const [key, range] of [["sport", rule.sourcePorts], ["dport", rule.destinationPorts]] as const) {
    if (!range) continue;
    if (range.start === range.end) object[key] = range.start;
    else {
      object[`${key}_start`] = range.start;
      object[`${key}_end`] = range.end;
    }
  }
  if (rule.action === "lookup") {
    object.table = tableName(rule.table);
    if (rule.suppressPrefixLength !== undefined) object.suppress_prefixlen = rule.suppressPrefixLength;
  } else object.action = rule.action;
  return object;
}
