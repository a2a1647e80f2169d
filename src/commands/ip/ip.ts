// The `ip` command (iproute2 ip/ip.c): global options, then the object,
// matched the way iproute2 matches it (the first object in its table that
// the word is a prefix of).
import type { NetworkNamespace } from "../../model/netns.js";
import { namespaceByName } from "../../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { doIpAddress } from "./ipaddress.js";
import { checkIpLink, doIpLink } from "./iplink.js";
import { doIpNeigh } from "./ipneigh.js";
import { doIpMaddress } from "./ipmaddr.js";
import { doIpNetns, netnsExecCommand } from "./ipnetns.js";
import { doIpRoute } from "./iproute.js";
import { doIpRule } from "./iprule.js";
import { matches } from "./ip-common.js";
import { prettyJson } from "../../render/iproute2/json.js";
import { colorizeLinkText } from "../../render/iproute2/color.js";

export interface IpOptions {
  readonly json: boolean;
  readonly brief: boolean;
  readonly family?: "inet" | "inet6";
  readonly details: boolean;
  /** -s: counters after each link. */
  readonly statistics: boolean;
  /** -o: one line per record, the line breaks inside it printed as "\\". */
  readonly oneline: boolean;
  /** -a: `ip -all netns exec` / `ip -all netns del`. */
  readonly all: boolean;
}

export interface IpContext extends CommandEnvironment {
  readonly options: IpOptions;
  /** The namespace `-n` chose, or the one the command runs in. */
  readonly target: NetworkNamespace;
}

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`;

/** `ip tunnel [show]` (ip/iptunnel.c): netsim has no IP tunnels, so the list is empty. */
function doIpTunnel(argv: readonly string[]): CommandOutcome {
  const command = argv[0];
  if (command === undefined || matches(command, "show") || matches(command, "list")) {
    if (argv.length > 1) throw new UnsupportedError(argv[1]!, "ip tunnel show with a selector is not modelled");
    return { kind: "done", stdout: "", stderr: "", exitCode: 0 };
  }
  throw new UnsupportedError(command, `"ip tunnel ${command}" is not modelled`);
}

type ObjectHandler = (argv: readonly string[], context: IpContext) => CommandOutcome;

/** iproute2's object table, in its order; unmodelled objects are named so the error can say so. */
const OBJECTS: ReadonlyArray<[string, ObjectHandler | undefined]> = [
  ["address", doIpAddress],
  ["addrlabel", undefined],
  ["maddress", doIpMaddress],
  ["route", doIpRoute],
  ["rule", doIpRule],
  ["neighbor", doIpNeigh],
  ["neighbour", doIpNeigh],
  ["ntable", undefined],
  ["ntbl", undefined],
  ["link", doIpLink],
  ["l2tp", undefined],
  ["fou", undefined],
  ["ila", undefined],
  ["macsec", undefined],
  ["tunnel", doIpTunnel],
  ["tunl", undefined],
  ["tuntap", undefined],
  ["tap", undefined],
  ["token", undefined],
  ["tcpmetrics", undefined],
  ["tcp_metrics", undefined],
  ["monitor", undefined],
  ["xfrm", undefined],
  ["mroute", undefined],
  ["mrule", undefined],
  ["netns", doIpNetns],
  ["netconf", undefined],
  ["vrf", undefined],
  ["sr", undefined],
  ["nexthop", undefined],
  ["mptcp", undefined],
  ["ioam", undefined],
  ["help", undefined],
  ["stats", undefined],
];

/** Options iproute2 takes that change nothing netsim prints. */
const NO_EFFECT = ["-Numeric", "-resolve"];

/** `ip`'s command line up to the object, read without a world. */
interface IpCommandLine {
  readonly options: IpOptions;
  readonly pretty: boolean;
  readonly color: boolean;
  /** The object's name in the table, its handler, and the words after it. */
  readonly name: string;
  readonly handler: ObjectHandler;
  readonly rest: readonly string[];
}

/** `openNetns` opens `-n NS` where ip.c does (netns_switch() inside the option loop, so a missing namespace is said before a later bad option); the check before the run passes none. */
export function parseIpCommandLine(argv: readonly string[], openNetns?: (name: string) => void): IpCommandLine {
  let json = false;
  let brief = false;
  let details = false;
  let statistics = false;
  let oneline = false;
  let pretty = false;
  let color = false;
  let all = false;
  let family: "inet" | "inet6" | undefined;
  let index = 0;
  // ip.c main(): options are tried in this order, each by matches(), so "-b" is -batch and "-s" is -stats.
  while (index < argv.length && argv[index]!.startsWith("-") && argv[index]!.length > 1) {
    let option = argv[index]!;
    if (option.startsWith("--")) option = option.slice(1);
    if (option === "-4") family = "inet";
    else if (option === "-6") family = "inet6";
    else if (matches(option, "-family")) {
      const value = argv[++index];
      if (value === "inet") family = "inet";
      else if (value === "inet6") family = "inet6";
      else throw new UnsupportedError(option, `ip -family ${value ?? ""} is not supported`);
    } else if (matches(option, "-stats") || matches(option, "-statistics")) statistics = true;
    else if (matches(option, "-details")) details = true;
    else if (matches(option, "-oneline")) oneline = true;
    else if (matches(option, "-batch")) throw new UnsupportedError(option, "ip -batch is not supported");
    else if (matches(option, "-brief")) brief = true;
    else if (matches(option, "-json")) json = true;
    else if (matches(option, "-pretty")) pretty = true;
    else if (option === "-c" || matches(option, "-color") || matches(option, "-colour") || option.startsWith("-color=")) {
      if (option.startsWith("-color=") && option !== "-color=always") throw new UnsupportedError(option, `ip ${option} is not supported`);
      color = true;
    }
    else if (matches(option, "-netns")) {
      const name = argv[++index];
      if (name === undefined) throw new CommandError("No netns name specified", 255);
      openNetns?.(name);
    } else if (matches(option, "-all")) all = true;
    else if (NO_EFFECT.some((name) => matches(option, name))) {
      // accepted, nothing to change
    } else {
      throw new UnsupportedError(option, `ip option "${option}" is not supported`);
    }
    index++;
  }
  const object = argv[index];
  if (object === undefined) throw new CommandError(USAGE, 255);
  const entry = OBJECTS.find(([name]) => matches(object, name));
  if (!entry) throw new CommandError(`Object "${object}" is unknown, try "ip help".`, 1);
  const [name, handler] = entry;
  if (!handler) throw new UnsupportedError(object, `"ip ${name}" is not modelled`);
  const options: IpOptions = { json, brief, details, statistics, oneline, all, ...(family ? { family } : {}) };
  return { options, pretty, color, name, handler, rest: argv.slice(index + 1) };
}

/** The check before the run: the global options and object, then what the object parses without a world (`ip netns exec NS CMD` gives CMD). */
export function checkIp(argv: readonly string[]): readonly string[] | undefined {
  const { handler, rest, options } = parseIpCommandLine(argv);
  if (handler === doIpLink) return checkIpLink(rest);
  if (handler === doIpNetns && !options.all) return netnsExecCommand(rest);
  return undefined;
}

export function ip(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let target = environment.namespace;
  const { options, pretty, color, handler, rest } = parseIpCommandLine(argv, (name) => {
    const namespace = namespaceByName(environment.world, name);
    if (!namespace) throw new CommandError(`Cannot open network namespace "${name}": No such file or directory`, 255);
    target = namespace;
  });
  const { brief, oneline, json } = options;
  const outcome = handler(rest, { ...environment, options, target });
  if (pretty && json && outcome.kind === "done" && outcome.stdout.startsWith("[")) {
    return { ...outcome, stdout: `${prettyJson(JSON.parse(outcome.stdout))}\n` };
  }
  if (color && !json && outcome.kind === "done" && outcome.stdout !== "") {
    if (brief || oneline || (handler !== doIpLink && handler !== doIpAddress)) throw new UnsupportedError("-color", `ip -color is modelled for the plain "ip link" and "ip address" listings only`);
    return { ...outcome, stdout: colorizeLinkText(outcome.stdout) };
  }
  return outcome;
}
