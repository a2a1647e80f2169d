// `ip route` (iproute2 ip/iproute.c: iproute_modify, iproute_list_flush_or_save,
// iproute_get).
import { formatIpv4Address, networkAddress, prefixContains, type Ipv4Address, type Ipv4Prefix } from "../../model/address.js";
import { STRERROR, type Errno } from "../../model/errno.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { RouteSpec } from "../../model/operations.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, tableName, type Route, type RouteProtocol, type RouteScope, type RouteType } from "../../model/route.js";
import { applyOperation, fibTableDump, fibTablesInDumpOrder, ipRouteInput, ipRouteOutput, isLocalAddress } from "../../net/index.js";
import { ipv6RouteLines } from "../../render/iproute2/ipv6.js";
import { routeJson, routeText } from "../../render/iproute2/route.js";
import { devicesInOrder } from "../../model/netns.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, duplicateArgument, getUnsigned, invalidArgument, matches, parsePrefix, requireDevice, rttableA2n } from "./ip-common.js";
import type { IpContext } from "./ip.js";

const USAGE_HINT = "ip route";

export function doIpRoute(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined) return routeList([], context, false);
  const rest = argv.slice(1);
  if (matches(command, "add")) return routeModify(rest, context, "add");
  if (matches(command, "change")) return routeModify(rest, context, "change");
  if (matches(command, "replace")) return routeModify(rest, context, "replace");
  if (matches(command, "prepend")) return routeModify(rest, context, "prepend");
  if (matches(command, "append")) return routeModify(rest, context, "append");
  if (matches(command, "delete")) return routeModify(rest, context, "delete");
  if (matches(command, "list") || matches(command, "show") || matches(command, "lst")) return routeList(rest, context, false);
  if (matches(command, "get")) return routeGet(rest, context);
  if (matches(command, "flush")) return routeList(rest, context, true);
  throw new CommandError(`Command "${command}" is unknown, try "${USAGE_HINT} help".`, 255);
}

const TYPES: Record<string, RouteType> = { unicast: "unicast", local: "local", broadcast: "broadcast", blackhole: "blackhole", unreachable: "unreachable", prohibit: "prohibit", throw: "throw" };
const PROTOCOLS: Record<string, RouteProtocol> = { kernel: "kernel", boot: "boot", static: "static", dhcp: "dhcp" };
const SCOPES: Record<string, RouteScope> = { global: "global", universe: "global", link: "link", host: "host" };

/** `table` of a route to add or delete: rtnl_rttable_a2n(); 0 is main (rtm_to_fib_config(), fib_get_table()). */
function parseTable(text: string): number {
  const id = rttableA2n(text);
  if (id === undefined) invalidArgument('"table" value is invalid\n', text);
  return id === 0 ? RT_TABLE_MAIN : id;
}

function parseDestination(text: string): Ipv4Prefix {
  if (text === "default" || text === "all" || text === "any") return { address: 0, length: 0 };
  const parsed = parsePrefix(text);
  if (!parsed) throw new CommandError(`Error: any valid prefix is expected rather than "${text}".`, 1);
  return { address: parsed.address, length: parsed.length };
}

function parseGateway(text: string): Ipv4Address {
  const parsed = parsePrefix(text);
  if (!parsed || parsed.lengthGiven) throw new CommandError(`Error: inet address is expected rather than "${text}".`, 1);
  return parsed.address;
}

function routeModify(argv: readonly string[], context: IpContext, mode: "add" | "change" | "replace" | "prepend" | "append" | "delete"): CommandOutcome {
  if (argv.length === 0 && mode !== "delete") throw new CommandError(ROUTE_USAGE, 255);
  const args = new Arguments(argv);
  let destination: Ipv4Prefix | undefined;
  let type: RouteType | undefined;
  let gateway: Ipv4Address | undefined;
  let deviceName: string | undefined;
  let source: Ipv4Address | undefined;
  let metric: number | undefined;
  let protocol: RouteProtocol | undefined;
  let scope: RouteScope | undefined;
  let table: number | undefined;
  let onlink = false;
  while (!args.done) {
    const word = args.next();
    if (word === "via") {
      const value = args.value();
      gateway = parseGateway(value === "inet" ? args.value() : value);
    } else if (word === "dev" || word === "oif") deviceName = args.value();
    else if (word === "src") {
      const value = args.value();
      const parsed = parsePrefix(value);
      if (!parsed || parsed.lengthGiven) throw new CommandError(`Error: inet address is expected rather than "${value}".`, 1);
      source = parsed.address;
    } else if (word === "metric" || word === "priority" || word === "preference") {
      const value = args.value();
      if (!/^\d+$/.test(value)) invalidArgument('"metric" value is invalid\n', value);
      metric = Number(value);
    } else if (word === "proto" || word === "protocol") {
      const value = args.value();
      const parsed = PROTOCOLS[value];
      if (!parsed) throw new UnsupportedError(value, `route protocol "${value}" is not modelled`);
      protocol = parsed;
    } else if (word === "scope") {
      const value = args.value();
      const parsed = SCOPES[value];
      if (!parsed) invalidArgument('invalid "scope" value\n', value);
      scope = parsed;
    } else if (word === "table") table = parseTable(args.value());
    else if (word === "onlink") onlink = true;
    else if (word === "to") destination = parseDestination(args.value());
    else if (TYPES[word] !== undefined && destination === undefined && type === undefined) type = TYPES[word];
    else if ((word === "multicast" || word === "nat") && destination === undefined && type === undefined) {
      throw new UnsupportedError(word, `route type "${word}" is not modelled`);
    }
    else if (["mtu", "advmss", "nexthop", "encap", "realms", "weight", "nhid", "expires", "pref", "tos", "dsfield", "initcwnd", "congctl"].includes(word)) {
      throw new UnsupportedError(word, `"ip route ... ${word}" is not modelled`);
    } else if (destination === undefined) destination = parseDestination(word);
    else duplicateArgument("to", word);
  }
  if (destination === undefined) {
    if (mode === "delete") throw new CommandError(ROUTE_USAGE, 255);
    throw new CommandError('Command line is not complete. Try option "help"', 255);
  }
  const deviceIndex = deviceName !== undefined ? requireDevice(context.target, deviceName).index : undefined;
  const tableId = table ?? (type === "local" || type === "broadcast" ? RT_TABLE_LOCAL : RT_TABLE_MAIN);
  const origin = context.origin ? { origin: context.origin } : {};
  if (mode === "delete") {
    checkKernel(
      applyOperation(context.world, {
        op: "route-delete",
        namespaceId: context.target.id,
        route: {
          prefix: destination,
          table: tableId,
          ...(type ? { type } : {}),
          ...(deviceIndex !== undefined ? { deviceIndex } : {}),
          ...(gateway !== undefined ? { gateway } : {}),
          ...(source !== undefined ? { preferredSource: source } : {}),
          ...(metric !== undefined ? { metric } : {}),
          ...(protocol ? { protocol } : {}),
        },
        ...origin,
      }),
    );
    return done("");
  }
  if (networkAddress(destination.address, destination.length) !== destination.address) {
    throw new CommandError("Error: Invalid prefix for given prefix length.", 2);
  }
  const spec: RouteSpec = {
    table: tableId,
    type: type ?? "unicast",
    prefix: destination,
    ...(deviceIndex !== undefined ? { deviceIndex } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(onlink ? { onlink } : {}),
    ...(source !== undefined ? { preferredSource: source } : {}),
    ...(metric !== undefined ? { metric } : {}),
    ...(protocol ? { protocol } : {}),
    ...(scope ? { scope } : {}),
  };
  checkKernel(applyOperation(context.world, { op: "route-add", namespaceId: context.target.id, mode, route: spec, ...origin }));
  return done("");
}

interface RouteSelector {
  /** One table, or every table (`table all`, `table 0`). */
  table: number | "all";
  deviceIndex?: number;
  /** `ip route show PREFIX` / `exact`: that prefix only. */
  exact?: Ipv4Prefix;
  /** `match`: routes whose prefix contains this one. */
  match?: Ipv4Prefix;
  /** `root`: routes inside this prefix. */
  root?: Ipv4Prefix;
  protocol?: RouteProtocol;
  scope?: RouteScope;
  type?: RouteType;
}

function routeList(argv: readonly string[], context: IpContext, flush: boolean): CommandOutcome {
  if (context.options.family === "inet6") return done(context.options.json ? "[]\n" : "");
  const args = new Arguments(argv);
  const selector: RouteSelector = { table: RT_TABLE_MAIN };
  while (!args.done) {
    const word = args.next();
    if (word === "table") {
      const value = args.value();
      const id = value === "all" ? 0 : rttableA2n(value);
      if (id === undefined) invalidArgument("table id value is invalid\n", value);
      selector.table = id === 0 ? "all" : id;
    } else if (word === "dev" || word === "oif") selector.deviceIndex = requireDevice(context.target, args.value()).index;
    else if (word === "proto" || word === "protocol") {
      const value = args.value();
      selector.protocol = PROTOCOLS[value] ?? (() => { throw new UnsupportedError(value, `route protocol "${value}" is not modelled`); })();
    } else if (word === "scope") selector.scope = SCOPES[args.value()];
    else if (word === "type") selector.type = TYPES[args.value()];
    else if (word === "match") selector.match = parseDestination(args.value());
    else if (word === "root") selector.root = parseDestination(args.value());
    else if (word === "exact") selector.exact = parseDestination(args.value());
    else if (selector.exact === undefined) selector.exact = parseDestination(word);
    else duplicateArgument("to", word);
  }
  const namespace = context.target;
  const tableAll = selector.table === "all";
  const tables = selector.table === "all" ? fibTablesInDumpOrder(namespace) : [namespace.tables.get(selector.table)];
  const routes: Route[] = [];
  for (const table of tables) {
    // The local table is made with the first address (fib_magic()); netsim keeps it from the start, empty.
    if (!table || (!tableAll && table.id === RT_TABLE_LOCAL && table.byLength.size === 0)) {
      throw new CommandError(`Error: ipv4: FIB table does not exist.\n${flush ? "Flush" : "Dump"} terminated`, 2);
    }
    routes.push(...fibTableDump(table).filter((route) => selects(selector, route)));
  }
  if (flush) {
    for (const route of routes) {
      applyOperation(context.world, {
        op: "route-delete",
        namespaceId: namespace.id,
        route: {
          prefix: route.prefix,
          table: route.table,
          type: route.type,
          ...(route.nexthop ? { deviceIndex: route.nexthop.deviceIndex } : {}),
          ...(route.nexthop?.gateway !== undefined ? { gateway: route.nexthop.gateway } : {}),
          metric: route.metric,
        },
      });
    }
    return done("");
  }
  // iproute2 names a route's table only in a dump of every table (filter.tb 0).
  const options = { hideDevice: selector.deviceIndex !== undefined, showTable: tableAll };
  if (context.options.json) return done(`${JSON.stringify(routes.map((route) => routeJson(context.world, namespace, route, options)))}\n`);
  if (context.options.brief) throw new UnsupportedError("-brief", "ip -brief route is not modelled");
  const text = routes.map((route) => routeText(context.world, namespace, route, options)).join("");
  // `table all` is the one listing that also dumps IPv6 (iproute2 asks for AF_UNSPEC), after IPv4.
  const plainAll = tableAll && context.options.family === undefined && selector.deviceIndex === undefined && !selector.exact && !selector.match && !selector.root && !selector.protocol && !selector.scope && !selector.type;
  const ipv6 = plainAll ? ipv6RouteLines(context.world, namespace, devicesInOrder(namespace)).map((line) => `${line}\n`).join("") : "";
  return done(text + ipv6);
}

function selects(selector: RouteSelector, route: Route): boolean {
  if (selector.deviceIndex !== undefined && route.nexthop?.deviceIndex !== selector.deviceIndex) return false;
  if (selector.protocol !== undefined && route.protocol !== selector.protocol) return false;
  if (selector.scope !== undefined && route.scope !== selector.scope) return false;
  if (selector.type !== undefined && route.type !== selector.type) return false;
  if (selector.exact && (route.prefix.address !== selector.exact.address || route.prefix.length !== selector.exact.length)) return false;
  if (selector.match && !(route.prefix.length <= selector.match.length && prefixContains(route.prefix, selector.match.address))) return false;
  if (selector.root && !(route.prefix.length >= selector.root.length && prefixContains(selector.root, route.prefix.address))) return false;
  return true;
}

/** What `ip route get` prints of one answer (rt_fill_info(), iproute2's print_route()). */
interface RouteGetAnswer {
  readonly type: RouteType;
  readonly destination: Ipv4Address;
  readonly from?: Ipv4Address;
  readonly gateway?: Ipv4Address;
  readonly device: string;
  /** res->table's id, printed when it is not main. */
  readonly table?: number;
  /** RTA_PREFSRC: output routes only. */
  readonly preferredSource?: Ipv4Address;
  readonly mark: number;
  /** RTA_UID: output routes only. */
  readonly uid: boolean;
  /** RTCF_DOREDIRECT: forwarded back out of the device it came in on, to an on-link source. */
  readonly redirect: boolean;
  readonly inputInterface?: string;
}

function routeGet(argv: readonly string[], context: IpContext): CommandOutcome {
  const args = new Arguments(argv);
  let destinationText: string | undefined;
  let from: Ipv4Address | undefined;
  let outputInterface: number | undefined;
  let inputDevice: NetDevice | undefined;
  let mark = 0;
  while (!args.done) {
    const word = args.next();
    if (word === "from") from = parseGateway(args.value());
    else if (word === "oif") outputInterface = requireDevice(context.target, args.value()).index;
    else if (word === "iif") inputDevice = requireDevice(context.target, args.value());
    else if (word === "mark") {
      const value = args.value();
      mark = getUnsigned(value) ?? invalidArgument("invalid mark value", value);
    } else if (word === "to") destinationText = args.value();
    else if (word === "tos" || word === "fibmatch" || word === "ipproto" || word === "sport" || word === "dport" || word === "uid" || word === "vrf") {
      throw new UnsupportedError(word, `"ip route get ... ${word}" is not modelled`);
    } else if (destinationText === undefined) destinationText = word;
    else duplicateArgument("to", word);
  }
  if (destinationText === undefined) throw new CommandError("need at least a destination address", 1);
  const parsed = parsePrefix(destinationText);
  if (!parsed) throw new CommandError(`Error: any valid prefix is expected rather than "${destinationText}".`, 1);
  let stderr = "";
  if (parsed.lengthGiven && parsed.length !== 32) stderr = `Warning: /${parsed.length} as prefix is invalid, only /32 (or none) is supported.\n`;
  const destination = parsed.address;
  const answer = inputDevice !== undefined ? routeGetInput(context, inputDevice, destination, from ?? 0, mark) : routeGetOutput(context, destination, from, outputInterface, mark);
  if ("errno" in answer) throw new CommandError(`${stderr}RTNETLINK answers: ${STRERROR[answer.errno]}`, 2);
  return done(context.options.json ? `${JSON.stringify([routeGetJson(answer)])}\n` : routeGetText(answer), stderr);
}

/** inet_rtm_getroute() with RTA_IIF: the packet is routed as if it had come in on the device (ip_route_input_rcu()). */
function routeGetInput(context: IpContext, device: NetDevice, destination: Ipv4Address, source: Ipv4Address, mark: number): RouteGetAnswer | { errno: Errno } {
  const namespace = context.target;
  const result = ipRouteInput(namespace, device, source, destination, mark);
  const common = { destination, from: source, mark, uid: false, inputInterface: device.name };
  switch (result.kind) {
    case "martian":
      return { errno: "EINVAL" };
    case "error":
      return { errno: result.errno };
    // ip_route_input_slow() with forwarding off: an RTN_UNREACHABLE route whose error is EHOSTUNREACH.
    case "forwarding-off":
      return { errno: "EHOSTUNREACH" };
    case "local":
    case "broadcast":
      return { ...common, type: result.kind, device: "lo", ...tableOf(result.fib), redirect: false };
    case "forward": {
      const { route } = result;
      const gateway = route.nexthop !== destination ? route.nexthop : undefined;
      const redirect = route.device === device && isOnLink(device, source);
      return { ...common, type: "unicast", ...(gateway !== undefined ? { gateway } : {}), device: route.device.name, ...tableOf(result.fib), redirect };
    }
  }
}

/** inet_rtm_getroute() without RTA_IIF: ip_route_output_key_hash_rcu() from lo. */
function routeGetOutput(context: IpContext, destination: Ipv4Address, from: Ipv4Address | undefined, outputInterface: number | undefined, mark: number): RouteGetAnswer | { errno: Errno } {
  const namespace = context.target;
  if (from !== undefined && !isLocalAddress(namespace, from)) return { errno: "ENETUNREACH" };
  const result = ipRouteOutput(namespace, destination, { ...(from !== undefined ? { source: from } : {}), ...(outputInterface !== undefined ? { outputInterface } : {}), mark });
  if (!result.ok) return { errno: result.errno };
  const { route } = result;
  return {
    type: route.type,
    destination,
    ...(from !== undefined ? { from } : { preferredSource: route.source }),
    ...(route.nexthop !== destination ? { gateway: route.nexthop } : {}),
    device: route.device.name,
    ...tableOf(route.fib),
    mark,
    uid: true,
    redirect: false,
  };
}

function tableOf(fib: { readonly tableId: number } | undefined): { table?: number } {
  return fib !== undefined && fib.tableId !== RT_TABLE_MAIN ? { table: fib.tableId } : {};
}

/** inet_addr_onlink(): the address is inside one of the device's own prefixes. */
function isOnLink(device: NetDevice, address: Ipv4Address): boolean {
  return device.addresses.some((entry) => prefixContains({ address: entry.address, length: entry.prefixLength }, address));
}

function routeGetCache(answer: RouteGetAnswer): string[] {
  if (answer.type === "local") return ["local"];
  if (answer.type === "broadcast") return ["local", "brd"];
  return answer.redirect ? ["redirect"] : [];
}

function routeGetText(answer: RouteGetAnswer): string {
  const words: string[] = [];
  if (answer.type !== "unicast") words.push(answer.type);
  words.push(formatIpv4Address(answer.destination));
  if (answer.from !== undefined) words.push("from", formatIpv4Address(answer.from));
  if (answer.gateway !== undefined) words.push("via", formatIpv4Address(answer.gateway));
  words.push("dev", answer.device);
  if (answer.table !== undefined) words.push("table", tableName(answer.table));
  if (answer.preferredSource !== undefined) words.push("src", formatIpv4Address(answer.preferredSource));
  if (answer.mark !== 0) words.push("mark", String(answer.mark));
  if (answer.uid) words.push("uid", "0");
  const flags = routeGetCache(answer);
  const cache = ["    cache", ...(flags.length > 0 ? [`<${flags.join(",")}>`] : []), ...(answer.inputInterface !== undefined ? ["iif", answer.inputInterface] : [])];
  return `${words.join(" ")} \n${cache.join(" ")} \n`;
}

function routeGetJson(answer: RouteGetAnswer): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  if (answer.type !== "unicast") object.type = answer.type;
  object.dst = formatIpv4Address(answer.destination);
  if (answer.from !== undefined) object.from = formatIpv4Address(answer.from);
  if (answer.gateway !== undefined) object.gateway = formatIpv4Address(answer.gateway);
  object.dev = answer.device;
  if (answer.table !== undefined) object.table = tableName(answer.table);
  if (answer.preferredSource !== undefined) object.prefsrc = formatIpv4Address(answer.preferredSource);
  object.flags = [];
  if (answer.mark !== 0) object.mark = answer.mark;
  if (answer.uid) object.uid = 0;
  object.cache = routeGetCache(answer);
  if (answer.inputInterface !== undefined) object.iif = answer.inputInterface;
  return object;
}

const ROUTE_USAGE = `Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]
`;
