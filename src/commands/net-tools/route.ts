// `route` (net-tools 2.10 route.c, lib/inet_gr.c rprint_fib, lib/inet_sr.c
// INET_setroute): the main table as /proc/net/route shows it
// (fib_route_seq_show), and SIOCADDRT/SIOCDELRT as ip_rt_ioctl() turns them
// into a fib_config (rtentry_to_fib_config): the same route operations `ip
// route` sends.
import { formatIpv4Address, type Ipv4Address } from "../../model/address.js";
import { STRERROR } from "../../model/errno.js";
import type { RouteSpec } from "../../model/operations.js";
import { RT_TABLE_MAIN, type Route } from "../../model/route.js";
import { applyOperation, deviceByName, fibTableDump } from "../../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { inetAton, lookupFailure, maskLength, maskOf } from "./inet.js";

const ROUTE_USAGE_HEAD =
  "Usage: route [-nNvee] [-FC] [<AF>]           List kernel routing tables\n" +
  "       route [-v] [-FC] {add|del|flush} ...  Modify routing table for AF.\n\n" +
  "       route {-h|--help} [<AF>]              Detailed usage syntax for specified AF.\n" +
  "       route {-V|--version}                  Display version/author and exit.\n\n" +
  "        -v, --verbose            be verbose\n" +
  "        -n, --numeric            don't resolve names\n" +
  "        -e, --extend             display other/more information\n" +
  "        -F, --fib                display Forwarding Information Base (default)\n" +
  "        -C, --cache              display routing cache instead of FIB\n\n" +
  "  <AF>=Use -4, -6, '-A <af>' or '--<af>'; default: inet\n" +
  "  List of possible address families (which support routing):\n";
const ROUTE_AF_LIST =
  "    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) \n" +
  "    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) \n" +
  "    ddp (Appletalk DDP) x25 (CCITT X.25) \n";
const INET_ROUTE_USAGE =
  "Usage: inet_route [-vF] del {-host|-net} Target[/prefix] [gw Gw] [metric M] [[dev] If]\n" +
  "       inet_route [-vF] add {-host|-net} Target[/prefix] [gw Gw] [metric M]\n" +
  "                              [netmask N] [mss Mss] [window W] [irtt I]\n" +
  "                              [mod] [dyn] [reinstate] [[dev] If]\n" +
  "       inet_route [-vF] add {-host|-net} Target[/prefix] [metric M] reject\n" +
  "       inet_route [-FC] flush      NOT supported\n";

/** route.c's exit statuses (lib/net-support.h). */
const E_OPTERR = 3;
const E_LOOKUP = 6;
const E_SOCK = 7;

function usageError(): never {
  throw new CommandError(INET_ROUTE_USAGE, E_OPTERR);
}

export function route(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let numeric = false;
  let extend = 0;
  const words: string[] = [];
  // GNU getopt permutes: options may follow the words; -net/-host are renamed first so they are not taken for options.
  for (const word of argv) {
    if (word === "-net" || word === "-host" || !word.startsWith("-") || word === "-") {
      words.push(word);
      continue;
    }
    if (word === "--numeric") numeric = true;
    else if (word === "--extend") extend++;
    else if (word.startsWith("--")) throw new UnsupportedError(word, `route option "${word}" is not modelled`);
    else {
      for (const letter of word.slice(1)) {
        if (letter === "n") numeric = true;
        else if (letter === "e") extend++;
        else if (letter === "4" || letter === "F" || letter === "N" || letter === "v") {
          // inet, the FIB, symbolic names (the default): nothing changes; -v prints nothing more for these forms
          if (letter === "v") throw new UnsupportedError(word, "route -v is not modelled");
        } else if ("AC6Vh".includes(letter)) throw new UnsupportedError(word, `route -${letter} is not modelled`);
        else return { kind: "done", stdout: ROUTE_USAGE_HEAD, stderr: `route: invalid option -- '${letter}'\n${ROUTE_AF_LIST}`, exitCode: 0 };
      }
    }
  }
  const action = words[0];
  if (action === undefined) return done(routeTable(environment, numeric, extend + 1));
  if (action === "add" || action === "del" || action === "delete") {
    if (words.length === 1) return done(INET_ROUTE_USAGE);
    return setRoute(words.slice(1), environment, action === "add" ? "add" : "del");
  }
  if (action === "flush") throw new UnsupportedError(action, "route flush is not modelled (net-tools says it is not supported for inet)");
  throw new CommandError(ROUTE_USAGE_HEAD + ROUTE_AF_LIST, E_OPTERR);
}

/** RTF_* flags as fib_flag_trans() sets them for /proc/net/route. */
function routeFlags(route: Route): { text: string; reject: boolean } {
  const reject = route.type === "unreachable" || route.type === "prohibit";
  let text = reject ? "!" : "U";
  if (!reject && route.nexthop?.gateway !== undefined) text += "G";
  if (route.prefix.length === 32) text += "H";
  return { text, reject };
}

/** rprint_fib(): one line per main-table route, in the trie's order. */
function routeTable(environment: CommandEnvironment, numeric: boolean, ext: number): string {
  let out = "Kernel IP routing table\n";
  if (ext === 1) out += "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n";
  else if (ext === 2) out += "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n";
  else out += "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n";
  const table = environment.namespace.tables.get(RT_TABLE_MAIN);
  const routes = table ? fibTableDump(table).filter((entry) => entry.type !== "broadcast") : [];
  for (const entry of routes) {
    const destination = !numeric && entry.prefix.address === 0 && entry.prefix.length === 0 ? "default" : formatIpv4Address(entry.prefix.address);
    const gateway = formatIpv4Address(entry.nexthop?.gateway ?? 0);
    const mask = formatIpv4Address(maskOf(entry.prefix.length));
    const device = entry.nexthop ? (environment.namespace.devices.get(entry.nexthop.deviceIndex)?.name ?? "*") : "*";
    const { text: flags, reject } = routeFlags(entry);
    const metric = String(entry.metric);
    if (ext === 1) {
      out += reject
        ? `${destination.padEnd(15)} -               ${mask.padEnd(15)} ${flags.padEnd(5)} ${metric.padEnd(6)} -  ${"0".padStart(7)} -\n`
        : `${destination.padEnd(15)} ${gateway.padEnd(15)} ${mask.padEnd(15)} ${flags.padEnd(5)} ${metric.padEnd(6)} ${"0".padEnd(2)} ${"0".padStart(7)} ${device}\n`;
    } else if (ext === 2) {
      out += reject
        ? `${destination.padEnd(15)} -               ${mask.padEnd(15)} ${flags.padEnd(5)}     - -          - -\n`
        : `${destination.padEnd(15)} ${gateway.padEnd(15)} ${mask.padEnd(15)} ${flags.padEnd(5)} ${"0".padStart(5)} ${"0".padEnd(5)} ${"0".padStart(6)} ${device}\n`;
    } else {
      out += reject
        ? `${destination.padEnd(15)} -               ${mask.padEnd(15)} ${flags.padEnd(5)} ${metric.padEnd(6)} -  ${"0".padStart(7)} -        -     -      -\n`
        : `${destination.padEnd(15)} ${gateway.padEnd(15)} ${mask.padEnd(15)} ${flags.padEnd(5)} ${metric.padEnd(6)} ${"0".padEnd(3)} ${"0".padStart(6)} ${device.slice(0, 6).padEnd(6)}   ${"0".padEnd(5)} ${"0".padEnd(6)} 0\n`;
    }
  }
  return out;
}

/** INET_resolve(): `default`, or an address inet_aton() takes; names are not resolved. */
function resolve(text: string): { address: Ipv4Address; isNet: boolean } {
  if (text === "default") return { address: 0, isNet: true };
  const address = inetAton(text);
  if (address === undefined) throw new CommandError(lookupFailure(text), E_LOOKUP);
  return { address, isNet: false };
}

/** INET_setroute() then ip_rt_ioctl(). */
function setRoute(words: readonly string[], environment: CommandEnvironment, action: "add" | "del"): CommandOutcome {
  let index = 0;
  let kind: "net" | "host" | undefined;
  if (words[0] === "-net") kind = "net";
  else if (words[0] === "-host") kind = "host";
  if (kind) index++;
  let target = words[index++];
  if (target === undefined) usageError();
  // The "/prefix" hack: INET_getnetmask() cuts it off and takes it as the mask.
  let mask: number | undefined;
  let netmaskText = "default";
  const slash = target.indexOf("/");
  if (slash >= 0) {
    const lengthText = target.slice(slash + 1);
    if (!/^\d+$/.test(lengthText)) usageError();
    const length = Number(lengthText);
    if (length > 32) throw new UnsupportedError(target, "route with a prefix length above 32 is not modelled");
    mask = maskOf(length);
    netmaskText = `/${length}`;
    target = target.slice(0, slash);
  }
  const resolved = resolve(target);
  const isNet = kind === "net" ? true : kind === "host" ? false : resolved.isNet;
  let metric: number | undefined;
  let gateway: Ipv4Address | undefined;
  let deviceName: string | undefined;
  let reject = false;
  while (index < words.length) {
    const word = words[index++]!;
    if (word === "metric") {
      const value = words[index++];
      if (value === undefined || !/^\d/.test(value)) usageError();
      metric = parseInt(value, 10);
    } else if (word === "netmask") {
      const value = words[index++];
      if (value === undefined || (mask !== undefined && mask !== 0)) usageError();
      const parsed = inetAton(value);
      if (parsed === undefined) throw new CommandError(lookupFailure(value), E_LOOKUP);
      mask = parsed;
      netmaskText = value;
    } else if (word === "gw" || word === "gateway") {
      const value = words[index++];
      if (value === undefined || gateway !== undefined) usageError();
      if (value === "default") throw new CommandError(`route: ${value}: cannot use a NETWORK as gateway!\n${INET_ROUTE_USAGE}`, E_OPTERR);
      const parsed = inetAton(value);
      if (parsed === undefined) throw new CommandError(lookupFailure(value), E_LOOKUP);
      gateway = parsed;
    } else if (word === "reject") reject = true;
    else if (word === "dev" || word === "device") {
      const value = words[index++];
      if (value === undefined || deviceName !== undefined) usageError();
      deviceName = value;
    } else if (["mss", "mtu", "window", "irtt", "mod", "dyn", "reinstate"].includes(word)) {
      throw new UnsupportedError(word, `route ... ${word} is not modelled`);
    } else if (deviceName === undefined) {
      // A bare word is the device, and must come last (to catch typos).
      deviceName = word;
      if (index < words.length) usageError();
    } else usageError();
  }
  if (mask !== undefined && mask !== 0) {
    const inverted = ~mask >>> 0;
    if (!isNet && inverted !== 0) throw new CommandError(`route: netmask ${inverted.toString(16).padStart(8, "0")} doesn't make sense with host route\n${INET_ROUTE_USAGE}`, E_OPTERR);
    if ((inverted & (inverted + 1)) !== 0) throw new CommandError(`route: bogus netmask ${netmaskText}\n${INET_ROUTE_USAGE}`, E_OPTERR);
    if ((resolved.address & inverted) !== 0) throw new CommandError(`route: netmask doesn't match route address\n${INET_ROUTE_USAGE}`, E_OPTERR);
  }
  // rtentry_to_fib_config(): a host route is /32, a net route takes the genmask (none: /0).
  const length = !isNet ? 32 : mask === undefined ? 0 : maskLength(mask)!;
  const ioctl = action === "add" ? "SIOCADDRT" : "SIOCDELRT";
  const namespace = environment.namespace;
  let deviceIndex: number | undefined;
  if (deviceName !== undefined && !reject) {
    if (deviceName.includes(":")) throw new UnsupportedError(deviceName, "route ... dev with an alias label (dev:N) is not modelled");
    const device = deviceByName(namespace, deviceName);
    if (!device) throw new CommandError(`${ioctl}: ${STRERROR.ENODEV}`, E_SOCK);
    deviceIndex = device.index;
  }
  const prefix = { address: resolved.address, length };
  const origin = environment.origin ? { origin: environment.origin } : {};
  let result;
  if (action === "del") {
    result = applyOperation(environment.world, {
      op: "route-delete",
      namespaceId: namespace.id,
      route: {
        prefix,
        table: RT_TABLE_MAIN,
        type: reject ? "unreachable" : "unicast",
        ...(deviceIndex !== undefined ? { deviceIndex } : {}),
        ...(gateway !== undefined && gateway !== 0 ? { gateway } : {}),
        ...(metric !== undefined && metric > 0 ? { metric } : {}),
      },
      ...origin,
    });
  } else {
    // NLM_F_CREATE without EXCL or APPEND: a twin goes in front (ip route prepend), an identical route is EEXIST.
    const spec: RouteSpec = reject
      ? { table: RT_TABLE_MAIN, type: "unreachable", prefix, scope: "host", protocol: "boot", ...(metric !== undefined ? { metric } : {}) }
      : {
          table: RT_TABLE_MAIN,
          type: "unicast",
          prefix,
          protocol: "boot",
          scope: gateway !== undefined && gateway !== 0 ? "global" : "link",
          ...(deviceIndex !== undefined ? { deviceIndex } : {}),
          ...(gateway !== undefined && gateway !== 0 ? { gateway } : {}),
          ...(metric !== undefined ? { metric } : {}),
        };
    if (spec.type === "unicast" && spec.deviceIndex === undefined && spec.gateway === undefined) throw new CommandError(`${ioctl}: ${STRERROR.ENODEV}`, E_SOCK);
    result = applyOperation(environment.world, { op: "route-add", namespaceId: namespace.id, mode: "prepend", route: spec, ...origin });
  }
  if (!result.ok) throw new CommandError(`${ioctl}: ${STRERROR[result.error.errno]}`, E_SOCK);
  return done("");
}
