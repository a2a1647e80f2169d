// `ip route` (iproute2 ip/iproute.c: iproute_modify, iproute_list_flush_or_save,
// iproute_get).
import { formatIpv4Address, networkAddress, prefixContains, type Ipv4Address, type Ipv4Prefix } from "../../model/address.js";
import { STRERROR } from "../../model/errno.js";
import type { RouteSpec } from "../../model/operations.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, type Route, type RouteProtocol, type RouteScope, type RouteType } from "../../model/route.js";
import { applyOperation, fibTableDump, ipRouteOutput, isLocalAddress } from "../../net/index.js";
import { ipv6RouteLines } from "../../render/iproute2/ipv6.js";
import { routeJson, routeText } from "../../render/iproute2/route.js";
import { devicesInOrder } from "../../model/netns.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, duplicateArgument, invalidArgument, matches, parsePrefix, requireDevice } from "./ip-common.js";
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

const TYPES: Record<string, RouteType> = { unicast: "unicast", local: "local", broadcast: "broadcast", blackhole: "blackhole", unreachable: "unreachable", prohibit: "prohibit" };
const PROTOCOLS: Record<string, RouteProtocol> = { kernel: "kernel", boot: "boot", static: "static", dhcp: "dhcp" };
const SCOPES: Record<string, RouteScope> = { global: "global", universe: "global", link: "link", host: "host" };

function parseTable(text: string): number {
  if (text === "main") return RT_TABLE_MAIN;
  if (text === "local") return RT_TABLE_LOCAL;
  throw new UnsupportedError(text, `routing table "${text}" is not modelled (only main and local, as the default rules use)`);
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
  tables: number[];
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
  const selector: RouteSelector = { tables: [RT_TABLE_MAIN] };
  let tableAll = false;
  while (!args.done) {
    const word = args.next();
    if (word === "table") {
      const value = args.value();
      if (value === "all" || value === "0") {
        tableAll = true;
        selector.tables = [RT_TABLE_MAIN, RT_TABLE_LOCAL];
      } else selector.tables = [parseTable(value)];
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
  const routes: Route[] = [];
  for (const id of selector.tables) {
    const table = namespace.tables.get(id);
    if (!table) continue;
    if (id === RT_TABLE_LOCAL && !tableAll && table.byLength.size === 0) {
      throw new CommandError("Error: ipv4: FIB table does not exist.\nDump terminated", 2);
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
  const options = { hideDevice: selector.deviceIndex !== undefined, showTable: tableAll || selector.tables[0] !== RT_TABLE_MAIN ? tableAll : false };
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

function routeGet(argv: readonly string[], context: IpContext): CommandOutcome {
  const args = new Arguments(argv);
  let destinationText: string | undefined;
  let from: Ipv4Address | undefined;
  let outputInterface: number | undefined;
  while (!args.done) {
    const word = args.next();
    if (word === "from") from = parseGateway(args.value());
    else if (word === "oif") outputInterface = requireDevice(context.target, args.value()).index;
    else if (word === "to") destinationText = args.value();
    else if (word === "iif" || word === "mark" || word === "tos" || word === "fibmatch" || word === "ipproto" || word === "sport" || word === "dport" || word === "uid" || word === "vrf") {
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
  const namespace = context.target;
  if (from !== undefined && !isLocalAddress(namespace, from)) {
    throw new CommandError(`${stderr}RTNETLINK answers: ${STRERROR.ENETUNREACH}`, 2);
  }
  const result = ipRouteOutput(namespace, destination, { ...(from !== undefined ? { source: from } : {}), ...(outputInterface !== undefined ? { outputInterface } : {}) });
  if (!result.ok) throw new CommandError(`${stderr}RTNETLINK answers: ${STRERROR[result.errno]}`, 2);
  const route = result.route;
  const destinationWord = formatIpv4Address(destination);
  if (context.options.json) {
    const object: Record<string, unknown> = {};
    if (route.type !== "unicast") object.type = route.type;
    object.dst = destinationWord;
    if (from !== undefined) object.from = formatIpv4Address(from);
    if (route.nexthop !== destination) object.gateway = formatIpv4Address(route.nexthop);
    object.dev = route.device.name;
    if (from === undefined) object.prefsrc = formatIpv4Address(route.source);
    object.flags = [];
    object.uid = 0;
    object.cache = route.type === "local" ? ["local"] : route.type === "broadcast" ? ["local", "brd"] : [];
    return done(`${JSON.stringify([object])}\n`, stderr);
  }
  const words: string[] = [];
  if (route.type !== "unicast") words.push(route.type);
  words.push(destinationWord);
  if (from !== undefined) words.push("from", formatIpv4Address(from));
  if (route.nexthop !== destination) words.push("via", formatIpv4Address(route.nexthop));
  words.push("dev", route.device.name);
  if (from === undefined) words.push("src", formatIpv4Address(route.source));
  words.push("uid", "0");
  const cache = route.type === "local" ? "    cache <local> " : route.type === "broadcast" ? "    cache <local,brd> " : "    cache ";
  return done(`${words.join(" ")} \n${cache}\n`, stderr);
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
