// `ip link` (iproute2 ip/iplink.c: iplink_modify, iplink_parse; ip/link_veth.c).
import { parseMacAddress, type MacAddress } from "../../model/mac.js";
import { fail } from "../../model/errno.js";
import type { LinkKind } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { LinkSet } from "../../model/operations.js";
import { applyOperation, deviceByName, namespaceByName, rootNamespace } from "../../net/index.js";
import { devicesInOrder } from "../../model/netns.js";
import { linkBriefText, linkDetailsJson, linkDetailsText, linkHeaderText, linkJson, linkStatisticsText } from "../../render/iproute2/link.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, duplicateArgument, invalidArgument, matches, requireDevice } from "./ip-common.js";
import type { IpContext } from "./ip.js";

/** The check before the run: the parts of `ip link` parsed without a world. */
export function checkIpLink(argv: readonly string[]): undefined {
  const command = argv[0];
  if (command === undefined) return undefined;
  if (matches(command, "add")) parseLinkAdd(argv.slice(1));
  else if (matches(command, "help")) throw new UnsupportedError(command, "ip link help is not modelled");
  return undefined;
}

export function doIpLink(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined) return linkShow([], context);
  const rest = argv.slice(1);
  if (matches(command, "add")) return linkAdd(rest, context);
  if (matches(command, "delete")) return linkDelete(rest, context);
  if (matches(command, "set")) return linkSet(rest, context);
  if (matches(command, "show") || matches(command, "list") || matches(command, "lst")) return linkShow(rest, context);
  if (matches(command, "help")) throw new UnsupportedError(command, "ip link help is not modelled");
  throw new CommandError(`Command "${command}" is unknown, try "ip link help".`, 255);
}

function parseMac(text: string): MacAddress {
  const mac = parseMacAddress(text);
  if (!mac) throw new CommandError(`"${text}" is invalid lladdr.`, 255);
  return mac;
}

interface LinkSpec {
  name?: string;
  mac?: MacAddress;
  mtu?: number;
  up?: boolean;
  /** `netns NS`, as written: opened when the command runs. */
  netns?: string;
  master?: string;
  /** `addrgenmode MODE`: a new link has no inet6_dev yet, so the kernel refuses it (EAFNOSUPPORT). */
  addrGenMode?: AddrGenMode;
}

type AddrGenMode = "eui64" | "none" | "stable_secret" | "random";

/** iplink_parse()'s `addrgenmode`: get_addr_gen_mode() knows four names. */
function parseAddrGenMode(args: Arguments): AddrGenMode {
  const value = args.value();
  if (value === "eui64" || value === "none" || value === "stable_secret" || value === "random") return value;
  invalidArgument("Invalid address generation mode\n", value);
}

/**
 * iproute2's check_ifname() for `name` (IFNAMSIZ) and check_altifname() for
 * `dev` (ALTIFNAMSIZ): no '/' or space; the kernel checks the rest.
 */
function checkIfname(text: string, keyword: "name" | "dev"): string {
  if (text === "" || text.length >= (keyword === "name" ? 16 : 128) || /[/\s]/.test(text)) invalidArgument(`"${keyword}" not a valid ifname`, text);
  return text;
}

/** iplink_parse(): generic link attributes, up to `type`. */
function parseLinkSpec(args: Arguments, keyword: "dev" | "name"): LinkSpec {
  const spec: LinkSpec = {};
  while (!args.done && args.peek() !== "type") {
    const word = args.next();
    if (word === "name") spec.name = checkIfname(args.value(), "name");
    else if (word === "dev") spec.name = checkIfname(args.value(), "dev");
    else if (matches(word, "address")) spec.mac = parseMac(args.value());
    else if (matches(word, "mtu")) spec.mtu = Number(args.value());
    else if (word === "up") spec.up = true;
    else if (word === "down") spec.up = false;
    else if (word === "netns") spec.netns = args.value();
    else if (word === "master") spec.master = args.value();
    else if (word === "addrgenmode") spec.addrGenMode = parseAddrGenMode(args);
    else if (spec.name === undefined) spec.name = checkIfname(word, "dev");
    else duplicateArgument(keyword, word);
  }
  return spec;
}

function namespaceArgument(name: string, context: IpContext): NetworkNamespace {
  // A number is a PID: netsim's only process is PID 1, which lives in the root namespace.
  if (name === "1") return rootNamespace(context.world);
  const namespace = namespaceByName(context.world, name);
  if (!namespace) invalidArgument('Invalid "netns" value\n', name);
  return namespace;
}

const MODELLED_KINDS: Record<string, Exclude<LinkKind, "loopback">> = { veth: "veth", bridge: "bridge", dummy: "dummy" };
const KNOWN_UNMODELLED = ["vlan", "macvlan", "macvtap", "vxlan", "ipvlan", "ipvtap", "bond", "team", "vrf", "gre", "gretap", "ipip", "sit", "wireguard", "geneve", "nlmon", "ifb", "tun", "tap", "can", "xfrm", "netkit"];

/** `ip link add` as written: the device, its type, the veth peer. */
interface LinkAddLine {
  readonly spec: LinkSpec;
  readonly type: string;
  readonly kind: Exclude<LinkKind, "loopback">;
  /** veth only: the peer (empty when not named). */
  readonly peer?: LinkSpec;
}

/** iplink_modify()'s parsing for `ip link add`, without a world (the scenario's check before the run calls it too). */
export function parseLinkAdd(argv: readonly string[]): LinkAddLine {
  const args = new Arguments(argv);
  const spec = parseLinkSpec(args, "dev");
  if (args.done) throw new CommandError('Not enough information: "type" argument is required', 1);
  args.next();
  const type = args.value();
  const kind = MODELLED_KINDS[type];
  if (!kind) {
    if (KNOWN_UNMODELLED.includes(type)) throw new UnsupportedError(type, `link type "${type}" is not modelled`);
    throw new CommandError("Error: Unknown device type.", 2);
  }
  if (kind === "veth") {
    let peerSpec: LinkSpec = {};
    if (!args.done) {
      const word = args.next();
      if (word !== "peer") duplicateArgument("peer", word);
      peerSpec = parseLinkSpec(args, "name");
    }
    return { spec, type, kind, peer: peerSpec };
  } else if (kind === "bridge" && !args.done) {
    bridgeOptions(args);
  } else if (!args.done) {
    throw new UnsupportedError(args.peek()!, `options for ${type} links ("${args.rest().join(" ")}") are not modelled`);
  }
  return { spec, type, kind };
}

function linkAdd(argv: readonly string[], context: IpContext): CommandOutcome {
  const { spec, type, kind, peer: peerSpec } = parseLinkAdd(argv);
  // inet6_set_link_af() on a device being created: no inet6_dev yet; nothing is created.
  if (spec.addrGenMode !== undefined || peerSpec?.addrGenMode !== undefined) checkKernel(fail("EAFNOSUPPORT"));
  const specNamespace = spec.netns !== undefined ? namespaceArgument(spec.netns, context) : undefined;
  let peer: { name: string; namespaceId: number; mac?: MacAddress } | undefined;
  if (peerSpec) {
    const peerNamespace = peerSpec.netns !== undefined ? namespaceArgument(peerSpec.netns, context) : context.target;
    // veth without a peer name gets vethN from the kernel.
    const peerName = peerSpec.name ?? nextVethName(peerNamespace);
    peer = { name: peerName, namespaceId: peerNamespace.id, ...(peerSpec.mac ? { mac: peerSpec.mac } : {}) };
  }
  // `netns NS` before `type` creates the device there (rtnl_newlink()'s dest_net); its peer still defaults to the caller's.
  const deviceNamespace = specNamespace ?? context.target;
  // No name: rtnl_newlink() asks for "KIND%d", registered after the peer (which took the first free vethN).
  spec.name ??= nextName(deviceNamespace, type, peer && peer.namespaceId === deviceNamespace.id ? peer.name : undefined);
  const masterIndex = spec.master !== undefined ? masterDevice(deviceNamespace, spec.master) : undefined;
  checkKernel(
    applyOperation(context.world, {
      op: "link-add",
      namespaceId: deviceNamespace.id,
      name: spec.name,
      kind,
      ...(spec.mac ? { mac: spec.mac } : {}),
      ...(spec.mtu ? { mtu: spec.mtu } : {}),
      ...(spec.up ? { up: true } : {}),
      ...(peer ? { peer } : {}),
      ...(masterIndex !== undefined ? { masterIndex } : {}),
      ...(context.origin ? { origin: context.origin } : {}),
    }),
  );
  return done("");
}

function nextVethName(namespace: NetworkNamespace): string {
  return nextName(namespace, "veth");
}

/** dev_alloc_name(): the first free PREFIX%d, besides a name about to be taken. */
function nextName(namespace: NetworkNamespace, prefix: string, taken?: string): string {
  for (let index = 0; ; index++) {
    const name = `${prefix}${index}`;
    if (name !== taken && !deviceByName(namespace, name)) return name;
  }
}

/**
 * Bridge options (ip/iplink_bridge.c). This kernel is built without
 * CONFIG_BRIDGE_VLAN_FILTERING: br_changelink() refuses IFLA_BR_VLAN_FILTERING
 * with EOPNOTSUPP whatever its value (and `ip link add` then creates nothing).
 */
function bridgeOptions(args: Arguments): void {
  while (!args.done) {
    const word = args.next();
    if (word === "vlan_filtering") {
      args.value();
      throw new CommandError("RTNETLINK answers: Operation not supported", 2);
    } else throw new UnsupportedError(word, `bridge option "${word}" is not modelled (the bridge room's)`);
  }
}

function masterDevice(namespace: NetworkNamespace, name: string): number {
  const device = deviceByName(namespace, name);
  if (!device) invalidArgument("Device does not exist\n", name);
  return device.index;
}

function linkDelete(argv: readonly string[], context: IpContext): CommandOutcome {
  const args = new Arguments(argv);
  let name: string | undefined;
  while (!args.done) {
    const word = args.next();
    if (word === "dev") name = args.value();
    else if (word === "name") name = checkIfname(args.value(), "name");
    else if (word === "type") args.value();
    else if (name === undefined) name = word;
    else duplicateArgument("dev", word);
  }
  if (name === undefined) throw new CommandError('Not enough information: "dev" argument is required.', 1);
  const device = requireDevice(context.target, name);
  checkKernel(applyOperation(context.world, { op: "link-delete", namespaceId: context.target.id, index: device.index, ...(context.origin ? { origin: context.origin } : {}) }));
  return done("");
}

function linkSet(argv: readonly string[], context: IpContext): CommandOutcome {
  const args = new Arguments(argv);
  let name: string | undefined;
  const change: { -readonly [K in keyof LinkSet]?: LinkSet[K] } = {};
  let addrGenMode: AddrGenMode | undefined;
  while (!args.done) {
    const word = args.next();
    if (word === "dev") name = args.value();
    else if (word === "up") change.up = true;
    else if (word === "down") change.up = false;
    else if (word === "name") change.name = checkIfname(args.value(), "name");
    else if (word === "promisc") {
      const value = args.value();
      if (value !== "on" && value !== "off") throw new CommandError(`Error: argument of "promisc" must be "on" or "off", not "${value}"`, 1);
      change.promisc = value === "on";
    } else if (word === "type") {
      const type = args.value();
      if (type !== "bridge") throw new UnsupportedError(type, `"ip link set ... type ${type}" is not modelled`);
      if (name === undefined) throw new CommandError('Not enough information: "dev" argument is required.', 1);
      const bridge = requireDevice(context.target, name);
      if (bridge.kind !== "bridge") throw new UnsupportedError(type, `"ip link set ${name} type bridge" on a ${bridge.kind} link is not modelled`);
      bridgeOptions(args);
    }
    else if (matches(word, "address")) change.mac = parseMac(args.value());
    else if (matches(word, "mtu")) change.mtu = Number(args.value());
    else if (word === "netns") change.namespaceTarget = namespaceArgument(args.value(), context).id;
    else if (word === "master") change.masterIndex = masterDevice(context.target, args.value());
    else if (word === "nomaster") change.masterIndex = null;
    else if (word === "addrgenmode") addrGenMode = parseAddrGenMode(args);
    else if (name === undefined) name = word;
    else duplicateArgument("dev", word);
  }
  if (name === undefined) throw new CommandError('Not enough information: "dev" argument is required.', 1);
  const device = requireDevice(context.target, name);
  // stable_secret needs net.ipv6.conf.DEV.stable_secret, which netsim never has set: inet6_validate_link_af() refuses it.
  if (addrGenMode === "stable_secret") checkKernel(fail("EINVAL"));
  // random draws the interface id from get_random_bytes(): not reproducible, so refused by name.
  if (addrGenMode === "random") throw new UnsupportedError("random", "addrgenmode random (a random interface id) is not modelled");
  if (addrGenMode === "eui64" || addrGenMode === "none") change.addrGenMode = addrGenMode;
  const operation: LinkSet = { op: "link-set", namespaceId: context.target.id, index: device.index, ...change, ...(context.origin ? { origin: context.origin } : {}) };
  checkKernel(applyOperation(context.world, operation));
  return done("");
}

/** `ip link show [dev] NAME | master BR | up | type T`, shared with `ip addr show` through ipaddress.ts. */
export function selectDevices(argv: readonly string[], context: IpContext, commandName: "link" | "addr") {
  const args = new Arguments(argv);
  let name: string | undefined;
  let master: number | undefined;
  let upOnly = false;
  let type: string | undefined;
  const addressFilter: { label?: string; primaryOnly?: boolean; secondaryOnly?: boolean } = {};
  while (!args.done) {
    const word = args.next();
    if (word === "dev") name = args.value();
    else if (word === "master") {
      const bridgeName = args.value();
      const bridge = deviceByName(context.target, bridgeName);
      if (!bridge) throw new CommandError(`Device "${bridgeName}" does not exist.`, 1);
      master = bridge.index;
    } else if (word === "up") upOnly = true;
    else if (word === "type") type = args.value();
    else if (commandName === "addr" && word === "label") addressFilter.label = args.value();
    else if (commandName === "addr" && word === "primary") addressFilter.primaryOnly = true;
    else if (commandName === "addr" && word === "secondary") addressFilter.secondaryOnly = true;
    else if (name === undefined) name = word;
    else duplicateArgument("dev", word);
  }
  if (name !== undefined && !deviceByName(context.target, name)) throw new CommandError(`Device "${name}" does not exist.`, 1);
  const devices = devicesInOrder(context.target).filter(
    (device) =>
      (name === undefined || device.name === name) &&
      (master === undefined || device.masterIndex === master) &&
      (!upOnly || device.adminUp) &&
      (type === undefined || device.kind === type),
  );
  return { devices, addressFilter };
}

function linkShow(argv: readonly string[], context: IpContext): CommandOutcome {
  const { devices } = selectDevices(argv, context, "link");
  const { world, target } = context;
  if (context.options.details) {
    for (const device of devices) {
      if ((context.options.json ? linkDetailsJson(device) : linkDetailsText(device)) === undefined) {
        throw new UnsupportedError("-details", `ip -d for ${device.masterIndex !== undefined ? "a bridge port" : `a ${device.kind} link`} (${device.name}) is not modelled`);
      }
    }
    if (context.options.brief) throw new UnsupportedError("-details", "ip -d -br is not modelled");
    if (context.options.json) return done(`${JSON.stringify(devices.map((device) => ({ ...linkJson(world, target, device, true), ...linkDetailsJson(device) })))}\n`);
    return done(devices.map((device) => linkHeaderText(world, target, device, true).replace(/\n$/, "") + linkDetailsText(device)).join(""));
  }
  if (context.options.json) {
    if (context.options.statistics) throw new UnsupportedError("-statistics", "ip -j -s link is not modelled");
    return done(`${JSON.stringify(devices.map((device) => linkJson(world, target, device, true)))}\n`);
  }
  if (context.options.brief) return done(devices.map((device) => linkBriefText(world, target, device)).join(""));
  const records = devices.map((device) => linkHeaderText(world, target, device, true) + (context.options.statistics ? linkStatisticsText(device) : ""));
  // -o: each record on one line, its inner line breaks printed as "\".
  if (context.options.oneline) return done(records.map((record) => `${record.replace(/\n(?!$)/g, "\\")}`).join(""));
  return done(records.join(""));
}
