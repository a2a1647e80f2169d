// `ip address` (iproute2 ip/ipaddress.c: ipaddr_modify, ipaddr_list_flush_or_save).
import { broadcastAddress, formatIpv4Address, type Ipv4Address } from "../../model/address.js";
import type { AddressScope } from "../../model/netdevice.js";
import { applyOperation } from "../../net/index.js";
import { addressBriefText, addressJson, addressOnelineText, addressText } from "../../render/iproute2/address.js";
import { CommandError, done, UnsupportedError, type CommandOutcome } from "../command.js";
import { Arguments, checkKernel, duplicateArgument, getAddrIpv4, matches, parsePrefix, requireDevice } from "./ip-common.js";
import type { IpContext } from "./ip.js";
import { selectDevices } from "./iplink.js";

export function doIpAddress(argv: readonly string[], context: IpContext): CommandOutcome {
  const command = argv[0];
  if (command === undefined) return addressShow([], context);
  const rest = argv.slice(1);
  if (matches(command, "add")) return addressModify(rest, context, "add");
  if (matches(command, "change") || matches(command, "replace")) return addressModify(rest, context, "replace");
  if (matches(command, "delete")) return addressModify(rest, context, "delete");
  if (matches(command, "show") || matches(command, "lst") || matches(command, "list")) return addressShow(rest, context);
  if (matches(command, "flush")) return addressFlush(rest, context);
  throw new CommandError(`Command "${command}" is unknown, try "ip address help".`, 255);
}

const SCOPES: Record<string, AddressScope> = { global: "global", universe: "global", link: "link", host: "host" };

function addressModify(argv: readonly string[], context: IpContext, mode: "add" | "replace" | "delete"): CommandOutcome {
  const args = new Arguments(argv);
  let local: { address: Ipv4Address; length: number; lengthGiven: boolean } | undefined;
  let deviceName: string | undefined;
  let broadcast: Ipv4Address | "+" | "-" | undefined;
  let label: string | undefined;
  let scope: AddressScope | undefined;
  while (!args.done) {
    const word = args.next();
    if (word === "dev") deviceName = args.value();
    else if (matches(word, "broadcast") || word === "brd") {
      const value = args.value();
      if (value === "+" || value === "-") broadcast = value;
      else {
        const parsed = getAddrIpv4(value);
        if (parsed === undefined) throw new CommandError(`Error: an IP address is expected rather than "${value}".`, 1);
        broadcast = parsed;
      }
    } else if (word === "label") label = args.value();
    else if (word === "scope") {
      const value = args.value();
      const parsed = SCOPES[value];
      if (!parsed) throw new CommandError(`Error: argument "${value}" is wrong: invalid scope value.`, 255);
      scope = parsed;
    } else if (word === "valid_lft" || word === "preferred_lft") {
      const value = args.value();
      if (value !== "forever") throw new UnsupportedError(word, `address lifetimes other than "forever" are not modelled`);
    } else if (word === "peer" || word === "remote" || word === "anycast" || word === "noprefixroute" || word === "nodad" || word === "metric") {
      throw new UnsupportedError(word, `"ip address ${mode} ... ${word}" is not modelled`);
    } else {
      const text = word === "local" ? args.value() : word;
      if (local !== undefined) duplicateArgument("local", word);
      const parsed = parsePrefix(text);
      if (!parsed) throw new CommandError(`Error: any valid prefix is expected rather than "${text}".`, 1);
      local = parsed;
    }
  }
  if (deviceName === undefined) throw new CommandError('Not enough information: "dev" argument is required.', 1);
  if (local === undefined) {
    if (mode === "delete") throw new CommandError('Not enough information: "local" argument is required.', 1);
    requireDevice(context.target, deviceName);
    // No address: the request goes out with family AF_UNSPEC, which rtnetlink has no handler for.
    if (context.options.family === undefined) throw new CommandError("RTNETLINK answers: Operation not supported", 2);
    throw new UnsupportedError("-4", `"ip -4 address ${mode}" without an address is not modelled`);
  }
  const device = requireDevice(context.target, deviceName);
  const origin = context.origin ? { origin: context.origin } : {};
  if (mode === "delete") {
    let stderr = "";
    if (!local.lengthGiven) {
      stderr =
        "Warning: Executing wildcard deletion to stay compatible with old scripts.\n" +
        `         Explicitly specify the prefix length (${formatIpv4Address(local.address)}/32) to avoid this warning.\n` +
        "         This special behaviour is likely to disappear in further releases,\n" +
        "         fix your scripts!\n";
    }
    checkKernel(
      applyOperation(context.world, {
        op: "address-delete",
        namespaceId: context.target.id,
        index: device.index,
        address: local.address,
        ...(local.lengthGiven ? { prefixLength: local.length } : {}),
        ...origin,
      }),
    );
    return done("", stderr);
  }
  const broadcastValue =
    broadcast === "+" ? broadcastAddress(local.address, local.length) : broadcast === "-" || broadcast === undefined ? undefined : broadcast;
  checkKernel(
    applyOperation(context.world, {
      op: "address-add",
      namespaceId: context.target.id,
      index: device.index,
      address: local.address,
      prefixLength: local.length,
      ...(broadcastValue !== undefined && local.length < 31 ? { broadcast: broadcastValue } : {}),
      ...(scope ? { scope } : local.address >>> 24 === 127 ? { scope: "host" as const } : {}),
      ...(label ? { label } : {}),
      ...(mode === "replace" ? { replace: true } : {}),
      ...origin,
    }),
  );
  return done("");
}

function addressShow(argv: readonly string[], context: IpContext): CommandOutcome {
  const { devices, addressFilter } = selectDevices(argv, context, "addr");
  const filter = { ...addressFilter, ...(context.options.family ? { family: context.options.family } : {}) };
  const { world, target } = context;
  if (context.options.json) {
    const objects = devices.map((device) => addressJson(world, target, device, filter)).filter((object) => object !== undefined);
    return done(`${JSON.stringify(objects)}\n`);
  }
  if (context.options.brief) return done(devices.map((device) => addressBriefText(world, target, device, filter)).join(""));
  if (context.options.oneline) return done(devices.map((device) => addressOnelineText(world, target, device, filter)).join(""));
  if (context.options.statistics || context.options.details) throw new UnsupportedError(context.options.statistics ? "-statistics" : "-details", "ip -s/-d address is not modelled");
  return done(devices.map((device) => addressText(world, target, device, filter)).join(""));
}

function addressFlush(argv: readonly string[], context: IpContext): CommandOutcome {
  const args = new Arguments(argv);
  let deviceName: string | undefined;
  while (!args.done) {
    const word = args.next();
    if (word === "dev") deviceName = args.value();
    else if (deviceName === undefined) deviceName = word;
    else throw new UnsupportedError(word, `"ip address flush ... ${word}" is not modelled`);
  }
  if (deviceName === undefined) throw new CommandError("Flush requires arguments.", 1);
  const device = requireDevice(context.target, deviceName);
  checkKernel(applyOperation(context.world, { op: "address-flush", namespaceId: context.target.id, index: device.index, ...(context.origin ? { origin: context.origin } : {}) }));
  return done("");
}
