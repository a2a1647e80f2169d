// ipset(8), ipset 7.17 (src/ipset.c, lib/session.c, lib/parse.c, lib/print.c
// and each type's lib/ipset_*.c): the commands create, add, del, test,
// destroy, list, save, restore, flush, rename, swap and version, with the
// tool's texts as recorded on the kernel sandbox (test/fixtures/ipset/).
// Changes go to the namespace's sets through net/netfilter/ipset/ip-set-core.ts.
import { formatIpv4Address, parseIpv4Address, prefixMask } from "../model/address.js";
import type { IpSet, IpSetCommand, IpSetCreate, IpSetElement, IpSetElementSpec, IpSetError, IpSetTypeName } from "../model/ipset.js";
import { PROTOCOL_NUMBERS } from "../model/netfilter.js";
import type { NetworkNamespace } from "../model/netns.js";
import { IP_SET_REVISION, ipSetApply, ipSetByName, ipSetHeaderCounts, ipSetMembers, ipSetReferences, ipSetUtest, ipSets } from "../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";
import { servicePort } from "./iptables/services.js";

const VERSION = "ipset v7.17";
const TRY = "Try `ipset help' for more information.";
/** IPSET_MAXNAMELEN - 1. */
const MAX_NAME = 31;
/** The kernel's largest timeout in seconds (UINT_MAX / MSEC_PER_SEC / 2, as ipset checks it). */
const MAX_TIMEOUT = 2147483;

/** An error the kernel or the library reports (exit 1). */
class IpsetFailure extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

/** A usage error (exit 2, with the Try line). */
class IpsetUsage extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

const syntax = (message: string) => new IpsetFailure(`Syntax error: ${message}`);

type CommandName = "create" | "add" | "del" | "test" | "destroy" | "list" | "save" | "restore" | "flush" | "rename" | "swap" | "help" | "version";

/** ipset_commands[]: the name, its short alias and the old option form, in the order ipset matches them. */
const COMMANDS: readonly { readonly name: CommandName; readonly aliases: readonly string[] }[] = [
  { name: "create", aliases: ["n", "-N"] },
  { name: "add", aliases: ["a", "-A"] },
  { name: "del", aliases: ["d", "-D"] },
  { name: "test", aliases: ["t", "-T"] },
  { name: "destroy", aliases: ["x", "-X"] },
  { name: "list", aliases: ["l", "-L"] },
  { name: "save", aliases: ["s", "-S"] },
  { name: "restore", aliases: ["r", "-R"] },
  { name: "flush", aliases: ["f", "-F"] },
  { name: "rename", aliases: ["e", "-E"] },
  { name: "swap", aliases: ["w", "-W"] },
  { name: "help", aliases: ["h", "-H"] },
  { name: "version", aliases: ["v", "-V", "-v"] },
];

/** ipset_match_cmd(): the full name, any prefix of it, or an alias. */
function commandNamed(word: string): CommandName | undefined {
  for (const command of COMMANDS) if (command.aliases.includes(word) || (word.length > 0 && !word.startsWith("-") && command.name.startsWith(word))) return command.name;
  return undefined;
}

const TYPES: Readonly<Record<string, IpSetTypeName>> = {
  "hash:ip": "hash:ip",
  iphash: "hash:ip",
  "hash:net": "hash:net",
  nethash: "hash:net",
  "hash:ip,port": "hash:ip,port",
  ipporthash: "hash:ip,port",
  "hash:net,port": "hash:net,port",
  "bitmap:port": "bitmap:port",
  portmap: "bitmap:port",
};
/** Types ipset 7.17 has that the model does not. */
const UNMODELLED_TYPES = new Set(["hash:ip,mac", "hash:ip,mark", "hash:ip,port,ip", "hash:ip,port,net", "hash:mac", "hash:net,iface", "hash:net,net", "hash:net,port,net", "bitmap:ip", "bitmap:ip,mac", "list:set", "ipmap", "macipmap", "iptree", "iptreemap", "setlist"]);

interface GlobalOptions {
  exist: boolean;
  quiet: boolean;
  names: boolean;
  terse: boolean;
  sorted: boolean;
  output: "plain" | "save";
}

/** ipset_parse_argv's global options (one or two dashes); undefined: not one. */
function globalOption(word: string, next: () => string | undefined, options: GlobalOptions): boolean {
  switch (word.replace(/^--/, "-")) {
    case "-exist":
    case "-!":
      options.exist = true;
      return true;
    case "-quiet":
    case "-q":
      options.quiet = true;
      return true;
    case "-name":
    case "-n":
      options.names = true;
      return true;
    case "-terse":
    case "-t":
      options.terse = true;
      return true;
    case "-sorted":
    case "-s":
      options.sorted = true;
      return true;
    case "-output":
    case "-o": {
      const format = next();
      if (format === undefined) throw new IpsetUsage("Missing mandatory argument of option `output'");
      if (format === "plain" || format === "save") options.output = format;
      else if (format === "xml" || format === "json") throw new UnsupportedError(format, `ipset -output ${format} is not modelled`);
      else throw new IpsetUsage(`Syntax error: unknown output mode '${format}'`);
      return true;
    }
    case "-resolve":
    case "-r":
      throw new UnsupportedError(word, "ipset -resolve (names for addresses) is not modelled");
    case "-file":
    case "-f":
      throw new UnsupportedError(word, "ipset -file is not modelled; feed restore on stdin");
  }
  return false;
}

/** ipset_parse_uint32 and friends: decimal (or 0x hex), with the range the option allows. */
function parseNumber(text: string, maximum: number): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) throw syntax(`'${text}' is invalid as number`);
  if (value > maximum) throw syntax(`'${text}' is out of range 0-${maximum}`);
  return value;
}

/** ipset_parse_skbmark(): sscanf "0x%lx/0x%lx", else "0x%lx" with a full mask (the rest of the word unread); each cut to 32 bits. */
function parseSkbmark(text: string): { mark: number; mask: number } {
  const both = /^\s*0x([0-9a-f]+)\/0x([0-9a-f]+)/i.exec(text);
  const one = both ?? /^\s*0x([0-9a-f]+)/i.exec(text);
  if (!one) throw syntax("Invalid skbmark format, it should be:  MARK/MASK or MARK (see manpage)");
  const low = (digits: string) => Number(BigInt(`0x${digits}`) & 0xffffffffn);
  return { mark: low(one[1]!), mask: both ? low(both[2]!) : 0xffffffff };
}

/** ipset_parse_skbprio(): sscanf "%x:%x", as TC_H_MAKE(major << 16, minor) in 32 bits. */
function parseSkbprio(text: string): number {
  const parts = /^\s*(?:0x)?([0-9a-f]+):\s*(?:0x)?([0-9a-f]+)/i.exec(text);
  if (!parts) throw syntax("Invalid skbprio format, it should be:MAJOR:MINOR (see manpage)");
  const major = Number(BigInt(`0x${parts[1]}`) & 0xffffffffn);
  const minor = Number(BigInt(`0x${parts[2]}`) & 0xffffn);
  return ((major << 16) | minor) >>> 0;
}

function parseAddress(text: string): number {
  const address = parseIpv4Address(text);
  if (address === undefined) throw syntax(`cannot parse ${text}: resolving to IPv4 address failed`);
  return address;
}

/** IP, IP/CIDR or FROM-TO, as each address type's parser takes it. */
function parseIpPart(text: string): { first: number; last: number; cidr?: number; range: boolean } {
  const dash = text.indexOf("-");
  if (dash >= 0) {
    const first = parseAddress(text.slice(0, dash));
    const last = parseAddress(text.slice(dash + 1));
    return { first: Math.min(first, last), last: Math.max(first, last), range: true };
  }
  const slash = text.indexOf("/");
  if (slash < 0) {
    const address = parseAddress(text);
    return { first: address, last: address, range: false };
  }
  const address = parseAddress(text.slice(0, slash));
  const cidr = parseNumber(text.slice(slash + 1), 32);
  const first = (address & prefixMask(cidr)) >>> 0;
  return { first, last: (first | ~prefixMask(cidr)) >>> 0, cidr, range: false };
}

/** lib/icmp.c: the names ipset prints ICMP type/codes by (the first name of a pair prints). */
const ICMP_NAMES: readonly [string, number, number][] = [
  ["echo-reply", 0, 0],
  ["pong", 0, 0],
  ["network-unreachable", 3, 0],
  ["host-unreachable", 3, 1],
  ["protocol-unreachable", 3, 2],
  ["port-unreachable", 3, 3],
  ["network-prohibited", 3, 9],
  ["host-prohibited", 3, 10],
  ["echo-request", 8, 0],
  ["ping", 8, 0],
];

const PORT_PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132, udplite: 136 };
/** getprotobyname() from netbase's /etc/protocols: the protocols without ports (their port is 0). */
const OTHER_PROTOCOLS: Readonly<Record<string, number>> = { igmp: 2, ipencap: 4, dccp: 33, ipv6: 41, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58 };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: "icmp", 6: "tcp", 17: "udp", 132: "sctp", 136: "udplite", ...Object.fromEntries(Object.entries(OTHER_PROTOCOLS).map(([name, number]) => [number, name])) };

function parsePortNumber(text: string, protocol: string): number {
  const lines: string[] = [];
  if (/^\d+$/.test(text)) {
    if (Number(text) <= 65535) return Number(text);
    lines.push(`'${text}' is out of range 0-65535`);
  } else {
    const named = protocol === "tcp" || protocol === "udp" ? servicePort(text, protocol) : undefined;
    if (named !== undefined) return named;
    lines.push(`'${text}' is invalid as number`);
  }
  // ipset_parse_port(): the number, then the service name, each failure said.
  throw new IpsetFailure(`Syntax error: ${lines[0]}\nSyntax error: '${protocol}' is invalid as number\ncannot parse '${text}' as a ${protocol} port`);
}

/** [PROTO:]PORT[-PORT] (ipset_parse_proto_port); ICMP takes a name or TYPE/CODE. */
function parseProtoPort(text: string): { protocol: number; first: number; last: number; range: boolean } {
  const colon = text.indexOf(":");
  const protocolName = colon < 0 ? "tcp" : text.slice(0, colon).toLowerCase();
  const rest = colon < 0 ? text : text.slice(colon + 1);
  if (protocolName === "icmp") {
    const named = ICMP_NAMES.find(([name]) => name === rest);
    const numeric = /^(\d+)\/(\d+)$/.exec(rest);
    const value = named ? (named[1] << 8) | named[2] : numeric && Number(numeric[1]) <= 255 && Number(numeric[2]) <= 255 ? (Number(numeric[1]) << 8) | Number(numeric[2]) : undefined;
    if (value === undefined) throw new IpsetFailure(`Cannot parse ${rest} as an ICMP type/code.`);
    return { protocol: 1, first: value, last: value, range: false };
  }
  const protocol = PORT_PROTOCOLS[protocolName];
  if (protocol === undefined) {
    const other = OTHER_PROTOCOLS[protocolName];
    if (other !== undefined && rest === "0") return { protocol: other, first: 0, last: 0, range: false };
    if (other !== undefined || protocolName in PROTOCOL_NUMBERS || /^\d+$/.test(protocolName)) throw new UnsupportedError(`${protocolName}:${rest}`, `ipset elements with protocol ${protocolName} and a port other than 0 are not modelled`);
    throw syntax(`cannot parse '${protocolName}' as a protocol`);
  }
  const dash = rest.indexOf("-");
  const first = parsePortNumber(dash < 0 ? rest : rest.slice(0, dash), protocolName);
  const last = dash < 0 ? first : parsePortNumber(rest.slice(dash + 1), protocolName);
  return { protocol, first: Math.min(first, last), last: Math.max(first, last), range: dash >= 0 };
}

function icmpText(value: number): string {
  const named = ICMP_NAMES.find(([, type, code]) => ((type << 8) | code) === value);
  return named ? named[0] : `${value >> 8}/${value & 0xff}`;
}

function protoPortText(protocol: number, port: number): string {
  return protocol === 1 ? `icmp:${icmpText(port)}` : `${PROTOCOL_NAMES[protocol] ?? protocol}:${port}`;
}

/** An element as ipset prints it (the type's print functions). */
function elementText(type: IpSetTypeName, element: Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">): string {
  const address = formatIpv4Address(element.ip);
  switch (type) {
    case "hash:ip":
      return address;
    case "hash:net":
      return element.cidr === 32 ? address : `${address}/${element.cidr}`;
    case "hash:ip,port":
      return `${address},${protoPortText(element.protocol, element.port)}`;
    case "hash:net,port":
      return `${element.cidr === 32 ? address : `${address}/${element.cidr}`},${protoPortText(element.protocol, element.port)}`;
    case "bitmap:port":
      return String(element.port);
  }
}

/** Seconds left as the kernel reports them (rounded down; a command runs a moment after the add). */
function secondsLeft(element: IpSetElement, now: number): number {
  if (element.expires === undefined) return 0;
  return Math.floor(Math.max(0, element.expires - now - 1) / 1_000_000);
}

function quoteComment(comment: string): string {
  return `"${comment}"`;
}

/** A member line after its element: timeout, nomatch, counters, comment (the order ipset prints them). */
function memberText(set: IpSet, element: IpSetElement, now: number): string {
  let text = elementText(set.type, element);
  if (set.timeout !== undefined) text += ` timeout ${secondsLeft(element, now)}`;
  if (element.nomatch) text += " nomatch";
  if (set.counters) text += ` packets ${element.packets} bytes ${element.bytes}`;
  if (element.comment !== undefined) text += ` comment ${quoteComment(element.comment)}`;
  // ip_set_put_skbinfo(): each value only when set (a mark with its mask; the mask left out when full).
  if (element.skbmark !== 0 || element.skbmarkmask !== 0) text += ` skbmark 0x${element.skbmark.toString(16)}${element.skbmarkmask === 0xffffffff ? "" : `/0x${element.skbmarkmask.toString(16)}`}`;
  if (element.skbprio !== 0) text += ` skbprio ${(element.skbprio >>> 16).toString(16)}:${(element.skbprio & 0xffff).toString(16)}`;
  if (element.skbqueue !== 0) text += ` skbqueue ${element.skbqueue}`;
  return text;
}

function headerText(set: IpSet): string {
  let text = set.type === "bitmap:port" ? `range ${set.range!.first}-${set.range!.last}` : `family inet hashsize ${set.hashsize} maxelem ${set.maxelem}`;
  if (set.type === "hash:ip" && set.netmask !== 32) text += ` netmask ${set.netmask}`;
  if (set.timeout !== undefined) text += ` timeout ${set.timeout}`;
  if (set.counters) text += " counters";
  if (set.comment) text += " comment";
  if (set.skbinfo) text += " skbinfo";
  if (set.type !== "bitmap:port") text += ` bucketsize 12 initval 0x${set.initval.toString(16).padStart(8, "0")}`;
  return text;
}

function sortedMembers(set: IpSet, now: number, sorted: boolean): IpSetElement[] {
  const members = ipSetMembers(set, now);
  if (!sorted) return members;
  return [...members].sort((a, b) => a.ip - b.ip || a.cidr - b.cidr || a.protocol - b.protocol || a.port - b.port);
}

function listText(namespace: NetworkNamespace, set: IpSet, now: number, options: GlobalOptions): string {
  if (options.output === "save") return saveText(set, now, options.terse);
  const counts = ipSetHeaderCounts(set, now);
  let text = `Name: ${set.name}\nType: ${set.type}\nRevision: ${IP_SET_REVISION[set.type]}\nHeader: ${headerText(set)}\nSize in memory: ${counts.memsize}\nReferences: ${ipSetReferences(namespace, set.name)}\nNumber of entries: ${counts.entries}\n`;
  if (options.terse) return text;
  text += "Members:\n";
  for (const element of sortedMembers(set, now, options.sorted)) text += `${memberText(set, element, now)}\n`;
  return text;
}

function saveText(set: IpSet, now: number, terse = false): string {
  let text = `create ${set.name} ${set.type} ${headerText(set)}\n`;
  if (terse) return text;
  for (const element of ipSetMembers(set, now)) text += `add ${set.name} ${memberText(set, element, now)}\n`;
  return text;
}

/** The kernel's answer in ipset's words (lib/errcode.c, per command where they differ). */
function errorText(error: IpSetError, command: CommandName): string {
  switch (error) {
    case "ENOENT":
      return "The set with the given name does not exist";
    case "EEXIST":
      return "Set cannot be created: set with the same name already exists";
    case "IPSET_ERR_EXIST":
      return command === "add" ? "Element cannot be added to the set: it's already added" : "Element cannot be deleted from the set: it's not added";
    case "IPSET_ERR_EXIST_SETNAME2":
      return command === "rename" ? "Set cannot be renamed: a set with the new name already exists" : "The set with the given name does not exist";
    case "IPSET_ERR_BUSY":
      return "Set cannot be destroyed: it is in use by a kernel component";
    case "IPSET_ERR_REFERENCED":
      return "Set cannot be renamed: it is in use by another system";
    case "IPSET_ERR_TYPE_MISMATCH":
      return "The sets cannot be swapped: their type does not match";
    case "IPSET_ERR_HASH_FULL":
      return "Hash is full, cannot add more elements";
    case "IPSET_ERR_HASH_ELEM":
      return "Null-valued element, cannot be stored in a hash type of set";
    case "IPSET_ERR_INVALID_CIDR":
      return "The value of the CIDR parameter of the IP address is invalid";
    case "IPSET_ERR_BITMAP_RANGE":
      return "Element is out of the range of the set";
    case "IPSET_ERR_TIMEOUT":
      return "Timeout cannot be used: set was created without timeout support";
    case "IPSET_ERR_COUNTER":
      return "Packet/byte counters cannot be used: set was created without counter support";
    case "IPSET_ERR_COMMENT":
      return "Comment cannot be used: set was created without comment support";
    case "IPSET_ERR_SKBINFO":
      return "Skbinfo mapping cannot be used: set was created without skbinfo support";
  }
}

function setName(word: string | undefined, command: CommandName, which: "" | "second "): string {
  if (word === undefined) throw new IpsetUsage(`Missing ${which}mandatory argument to command ${command}`);
  if (word.length > MAX_NAME) throw syntax(`setname '${word}' is longer than ${MAX_NAME} characters`);
  return word;
}

/** create's options for the type (each type's create arguments). */
function parseCreate(name: string, typeWord: string, words: string[]): IpSetCreate {
  const type = TYPES[typeWord];
  if (type === undefined) {
    if (UNMODELLED_TYPES.has(typeWord)) throw new UnsupportedError(typeWord, `ipset type ${typeWord} is not modelled`);
    throw syntax(`typename '${typeWord}' is unknown`);
  }
  let hashsize = 1024;
  let maxelem = 65536;
  let netmask = 32;
  let timeout: number | undefined;
  let counters = false;
  let comment = false;
  let skbinfo = false;
  let range: { first: number; last: number } | undefined;
  let bucketsize = 12;
  let initval: number | undefined;
  const hash = type !== "bitmap:port";
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    const value = () => {
      const next = words[++index];
      if (next === undefined) throw new IpsetUsage(`Missing mandatory argument of option \`${word}'`);
      return next;
    };
    if (word === "timeout") timeout = parseNumber(value(), MAX_TIMEOUT);
    else if (word === "counters") counters = true;
    else if (word === "comment") comment = true;
    else if (word === "skbinfo") skbinfo = true;
    else if (hash && word === "family") {
      const family = value();
      if (family === "inet6" || family === "ipv6") throw new UnsupportedError("inet6", "ipset family inet6 sets are not modelled");
      if (family !== "inet" && family !== "ipv4") throw syntax(`unknown inet family ${family}`);
    } else if (hash && word === "hashsize") hashsize = parseNumber(value(), 0xffffffff);
    else if (hash && word === "maxelem") maxelem = parseNumber(value(), 0xffffffff);
    else if (type === "hash:ip" && word === "netmask") netmask = parseNumber(value(), 32);
    else if (type === "bitmap:port" && word === "range") {
      const text = value();
      const dash = text.indexOf("-");
      if (dash < 0) {
        parsePortNumber(text, "tcp");
        throw new IpsetUsage("Mandatory option `to' is missing");
      }
      const first = parsePortNumber(text.slice(0, dash), "tcp");
      const last = parsePortNumber(text.slice(dash + 1), "tcp");
      range = { first: Math.min(first, last), last: Math.max(first, last) };
    } else if (hash && word === "bucketsize") {
      // What a saved set says of itself; the model's buckets have no size (see ip-set-hash-gen.ts), and 12 is the default.
      bucketsize = parseNumber(value(), 255);
      if (bucketsize !== 12) throw new UnsupportedError(`bucketsize ${bucketsize}`, "ipset create bucketsize other than 12 is not modelled");
    } else if (hash && word === "initval") initval = parseNumber(value(), 0xffffffff);
    else if (["forceadd", "markmask"].includes(word)) throw new UnsupportedError(word, `ipset create ${word} is not modelled`);
    else throw new IpsetUsage(`Unknown argument: \`${word}'`);
  }
  if (type === "bitmap:port" && !range) throw new IpsetUsage("Mandatory option `range' is missing");
  // ip_set_hash_gen.h: at least IPSET_MIMINAL_HASHSIZE buckets, rounded up to a power of two.
  const buckets = 2 ** Math.ceil(Math.log2(Math.max(64, hashsize)));
  return { name, type, hashsize: hash ? buckets : 0, maxelem: hash ? maxelem : 0, netmask, ...(range ? { range } : {}), ...(timeout !== undefined ? { timeout } : {}), counters, comment, skbinfo, ...(initval !== undefined ? { initval } : {}) };
}

interface ParsedElement {
  readonly specs: IpSetElementSpec[];
  /** The element as the test message names it. */
  readonly text: string;
}

/** The element and its options (add: timeout, packets, bytes, comment, nomatch). */
function parseElement(set: IpSet, command: "add" | "del" | "test", word: string, words: string[]): ParsedElement {
  let timeout: number | undefined;
  let packets: number | undefined;
  let bytes: number | undefined;
  let comment: string | undefined;
  let skbmark: { mark: number; mask: number } | undefined;
  let skbprio: number | undefined;
  let skbqueue: number | undefined;
  let nomatch = false;
  const nets = set.type === "hash:net" || set.type === "hash:net,port";
  for (let index = 0; index < words.length; index++) {
    const option = words[index]!;
    const value = () => {
      const next = words[++index];
      if (next === undefined) throw new IpsetUsage(`Missing mandatory argument of option \`${option}'`);
      return next;
    };
    if (command === "add" && option === "timeout") timeout = parseNumber(value(), MAX_TIMEOUT);
    else if (command === "add" && option === "packets") packets = parseNumber(value(), Number.MAX_SAFE_INTEGER);
    else if (command === "add" && option === "bytes") bytes = parseNumber(value(), Number.MAX_SAFE_INTEGER);
    else if (command === "add" && option === "comment") comment = value();
    else if (nets && command !== "del" && option === "nomatch") nomatch = true;
    else if (command === "add" && option === "skbmark") skbmark = parseSkbmark(value());
    else if (command === "add" && option === "skbprio") skbprio = parseSkbprio(value());
    else if (command === "add" && option === "skbqueue") skbqueue = parseNumber(value(), 0xffff);
    else if (["skbmark", "skbprio", "skbqueue"].includes(option)) throw new UnsupportedError(option, `ipset ${command} with ${option} is not modelled`);
    else throw new IpsetUsage(`Unknown argument: \`${option}'`);
  }
  const extensions = { nomatch, ...(timeout !== undefined ? { timeout } : {}), ...(packets !== undefined ? { packets } : {}), ...(bytes !== undefined ? { bytes } : {}), ...(comment !== undefined ? { comment } : {}), ...(skbmark !== undefined ? { skbmark } : {}), ...(skbprio !== undefined ? { skbprio } : {}), ...(skbqueue !== undefined ? { skbqueue } : {}) };
  const specs: IpSetElementSpec[] = [];
  if (set.type === "bitmap:port") {
    const ports = parseProtoPort(word);
    if (command === "test" && ports.range) throw new UnsupportedError(word, "ipset test with a port range is not modelled");
    for (let port = ports.first; port <= ports.last; port++) specs.push({ ip: 0, cidr: 0, protocol: 0, port, ...extensions });
    return { specs, text: String(ports.first) };
  }
  const comma = word.indexOf(",");
  const withPort = set.type === "hash:ip,port" || set.type === "hash:net,port";
  if (withPort && comma < 0) throw syntax(`Second element is missing from ${word}.`);
  const ipWord = withPort ? word.slice(0, comma) : word;
  const ip = parseIpPart(ipWord);
  if (nets && ip.range) throw new UnsupportedError(ipWord, "ipset address ranges in net sets are not modelled");
  const ports = withPort ? parseProtoPort(word.slice(comma + 1)) : { protocol: 0, first: 0, last: 0, range: false };
  if (command === "test" && ports.range) throw new IpsetFailure(`FROM-TO port range is not allowed in command test with set type ${set.type} and family inet`);
  if (command === "test" && ip.range) throw new UnsupportedError(ipWord, "ipset test with an address range is not modelled");
  const cidr = nets ? (ip.cidr ?? 32) : 32;
  // What the test message names: the address as given (a /32 is a host), then the port part as ipset prints it.
  const given = command === "test" ? parseAddress(ipWord.split("/")[0]!) : ip.first;
  const text = elementText(set.type === "hash:ip" ? "hash:net" : set.type, { ip: given, cidr: ip.cidr ?? 32, protocol: ports.protocol, port: ports.first });
  // hash:ip and hash:ip,port take a range or CIDR address by address (hash:ip by its netmask's step); net types take the network.
  const step = set.type === "hash:ip" ? 2 ** (32 - set.netmask) : 1;
  const addresses: number[] = [];
  if (nets || command === "test") addresses.push(ip.first);
  else for (let address = ip.first; address <= ip.last; address += step) addresses.push(address);
  for (const address of addresses) {
    for (let port = ports.first; port <= ports.last; port++) specs.push({ ip: address, cidr, protocol: ports.protocol, port, ...extensions });
  }
  return { specs, text };
}

interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One ipset command line (argv without the program, or a restore line). */
/** One ipset command line, read without a world: the global options (into `options`), the command and its words. */
function parseLine(argv: readonly string[], options: GlobalOptions): { readonly command: CommandName; readonly words: string[] } {
  const words: string[] = [];
  let command: CommandName | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word.startsWith("-") && word.length > 1 && globalOption(word, () => argv[++index], options)) continue;
    if (command === undefined) {
      command = commandNamed(word);
      if (command === undefined) throw new IpsetUsage(`No command specified: unknown argument ${word}`);
      continue;
    }
    words.push(word);
  }
  if (command === undefined) throw new IpsetUsage("No command specified.");
  return { command, words };
}

/** `ipset create NAME TYPE OPTIONS...`: the set to create. */
function createLine(words: readonly string[]): IpSetCreate {
  const name = setName(words[0], "create", "");
  if (words[1] === undefined) throw new IpsetUsage("Missing second mandatory argument to command create");
  return parseCreate(name, words[1], words.slice(2));
}

/** The check before the run: the global options, the command, and what `create` asks for (elements are read against their set's type, which only the run knows; restore reads stdin). */
export function checkIpset(argv: readonly string[]): undefined {
  const options: GlobalOptions = { exist: false, quiet: false, names: false, terse: false, sorted: false, output: "plain" };
  try {
    const { command, words } = parseLine(argv, options);
    if (command === "help") throw new UnsupportedError("help", "ipset help is not modelled");
    if (command === "create") createLine(words);
  } catch (error) {
    // ipset's own usage errors end the check of this line, as they end the command.
    if (error instanceof IpsetUsage || error instanceof IpsetFailure) return undefined;
    throw error;
  }
  return undefined;
}

function runLine(argv: readonly string[], environment: CommandEnvironment, options: GlobalOptions, inRestore: boolean): Outcome {
  const namespace = environment.namespace;
  const now = environment.world.clock;
  const { command, words } = parseLine(argv, options);
  const apply = (change: IpSetCommand, name: CommandName) => {
    const result = ipSetApply(environment.world, namespace, change);
    if (!result.ok) throw new IpsetFailure(errorText(result.error, name));
  };
  const noMore = (from: number) => {
    if (words.length > from) throw new IpsetUsage(`Unknown argument ${words[from]}`);
  };
  const existing = (name: string): IpSet => {
    const set = ipSetByName(namespace, name);
    if (!set) throw new IpsetFailure(errorText("ENOENT", command!));
    return set;
  };
  switch (command) {
    case "version":
      return { stdout: `${VERSION}, protocol version: 7\n`, stderr: "", exitCode: 0 };
    case "help":
      throw new UnsupportedError("help", "ipset help is not modelled");
    case "restore":
      if (inRestore) throw new IpsetUsage("Restore command is not allowed in restore mode");
      return restore(environment, options);
    case "create": {
      apply({ kind: "create", create: createLine(words), exist: options.exist }, command);
      return { stdout: "", stderr: "", exitCode: 0 };
    }
    case "add":
    case "del":
    case "test": {
      const name = setName(words[0], command, "");
      if (words[1] === undefined) throw new IpsetUsage(`Missing second mandatory argument to command ${command}`);
      const set = existing(name);
      const element = parseElement(set, command, words[1], words.slice(2));
      if (command === "test") {
        const result = ipSetUtest(namespace, name, element.specs[0]!, now);
        if (!result.ok) throw new IpsetFailure(errorText(result.error, command));
        if (options.quiet) return { stdout: "", stderr: "", exitCode: result.found ? 0 : 1 };
        return result.found ? { stdout: "", stderr: `Warning: ${element.text} is in set ${name}.\n`, exitCode: 0 } : { stdout: "", stderr: `${element.text} is NOT in set ${name}.\n`, exitCode: 1 };
      }
      apply({ kind: command, name, elements: element.specs, exist: options.exist }, command);
      return { stdout: "", stderr: "", exitCode: 0 };
    }
    case "destroy":
    case "flush": {
      noMore(1);
      const name = words[0] === undefined ? undefined : setName(words[0], command, "");
      apply({ kind: command, ...(name !== undefined ? { name } : {}) }, command);
      return { stdout: "", stderr: "", exitCode: 0 };
    }
    case "rename":
    case "swap": {
      const name = setName(words[0], command, "");
      const other = setName(words[1], command, "second ");
      noMore(2);
      apply(command === "rename" ? { kind: "rename", name, newName: other } : { kind: "swap", name, other }, command);
      return { stdout: "", stderr: "", exitCode: 0 };
    }
    case "list":
    case "save": {
      noMore(1);
      const sets = words[0] === undefined ? ipSets(namespace) : [existing(words[0])];
      const listOptions = command === "save" ? { ...options, output: "save" as const } : options;
      if (options.names && command === "list") return { stdout: sets.map((set) => `${set.name}\n`).join(""), stderr: "", exitCode: 0 };
      const blocks = sets.map((set) => listText(namespace, set, now, listOptions));
      return { stdout: listOptions.output === "save" ? blocks.join("") : blocks.join("\n"), stderr: "", exitCode: 0 };
    }
  }
}

/** Splits a restore line into words: double quotes group (a saved comment). */
function restoreWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const found of line.matchAll(pattern)) words.push(found[1] !== undefined ? found[1] : found[2]!);
  return words;
}

/** ipset restore: stdin line by line; each applies at once (no transaction), the first failure stops with its line number. */
function restore(environment: CommandEnvironment, options: GlobalOptions): Outcome {
  const lines = environment.stdin.split("\n");
  let stdout = "";
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith("#") || line === "COMMIT") continue;
    try {
      const outcome = runLine(restoreWords(line), environment, { ...options }, true);
      stdout += outcome.stdout;
      if (outcome.exitCode !== 0) return { stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
    } catch (error) {
      if (error instanceof IpsetFailure) throw new IpsetFailure(`Error in line ${index + 1}: ${error.text}`);
      throw error;
    }
  }
  return { stdout, stderr: "", exitCode: 0 };
}

export function ipset(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const options: GlobalOptions = { exist: false, quiet: false, names: false, terse: false, sorted: false, output: "plain" };
  try {
    const outcome = runLine(argv, environment, options, false);
    return { kind: "done", ...outcome };
  } catch (error) {
    if (error instanceof IpsetFailure) {
      if (options.quiet) return { kind: "done", stdout: "", stderr: "", exitCode: 1 };
      throw new CommandError(`${VERSION}: ${error.text}\n`, 1);
    }
    if (error instanceof IpsetUsage) throw new CommandError(`${VERSION}: ${error.text}\n${TRY}\n`, 2);
    throw error;
  }
}
