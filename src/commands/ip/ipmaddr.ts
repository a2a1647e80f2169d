// `ip maddress [show] [dev DEV]` (iproute2 ip/ipmaddr.c): the multicast
// groups each device has joined, derived from what the kernel joins on its
// own: the IPv6 all-nodes group at registration (its MAC 33:33:00:00:00:01),
// 224.0.0.1 once the device is up (ip_mc_up), and ff02::1, ff01::1 and the
// solicited-node group of the link-local address once IPv6 is configured.
import type { NetDevice } from "../../model/netdevice.js";
import { devicesInOrder } from "../../model/netns.js";
import { inet6Addresses } from "../../render/iproute2/ipv6.js";
import { done, UnsupportedError, type CommandOutcome } from "../command.js";
import { matches, requireDevice } from "./ip-common.js";
import type { IpContext } from "./ip.js";

export function doIpMaddress(argv: readonly string[], context: IpContext): CommandOutcome {
  let index = 0;
  if (argv[0] !== undefined && (matches(argv[0], "show") || matches(argv[0], "list"))) index = 1;
  let filter: NetDevice | undefined;
  for (; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "dev") filter = requireDevice(context.target, argv[++index] ?? "");
    else if (filter === undefined && !["add", "delete"].some((command) => matches(word, command))) filter = requireDevice(context.target, word);
    else throw new UnsupportedError(word, `"ip maddress ${word}" is not modelled`);
  }
  if (context.options.json || context.options.brief) throw new UnsupportedError(context.options.json ? "-json" : "-brief", "ip -j/-br maddress is not modelled");
  const blocks: string[] = [];
  for (const device of devicesInOrder(context.target)) {
    if (filter && device !== filter) continue;
    if (device.kind === "bridge") throw new UnsupportedError(device.name, "ip maddress for a bridge (multicast snooping groups) is not modelled");
    const lines: string[] = [];
    const ipv6Enabled = !device.ipv6?.disabled;
    const linkLocal = inet6Addresses(context.world, context.target, device).find((address) => address.scope === "link");
    const configured = device.kind === "loopback" ? device.adminUp && ipv6Enabled : linkLocal !== undefined;
    if (device.kind !== "loopback") {
      if (ipv6Enabled) lines.push("\tlink  33:33:00:00:00:01");
      if (device.adminUp) lines.push("\tlink  01:00:5e:00:00:01");
      if (linkLocal) lines.push(`\tlink  33:33:ff:${device.mac.split(":").slice(3).join(":")}`);
    }
    if (device.adminUp && !(context.options.family === "inet6")) lines.push("\tinet  224.0.0.1");
    if (configured && context.options.family !== "inet") {
      // The inet6 list is kept newest first: the solicited-node group joined last is printed first.
      if (linkLocal) {
        // ff02::1:ffXX:XXXX, XX:XXXX being the low 24 bits of the address (addrconf_addr_solict_mult).
        const groups = linkLocal.address.split(":").slice(-2).map((group) => parseInt(group || "0", 16));
        const high = 0xff00 | (groups[0]! & 0xff);
        lines.push(`\tinet6 ff02::1:${high.toString(16)}:${groups[1]!.toString(16)}`);
      }
      lines.push("\tinet6 ff02::1", "\tinet6 ff01::1");
    }
    const shown = context.options.family === "inet" ? lines.filter((line) => !line.startsWith("\tlink")) : lines;
    if (shown.length > 0) blocks.push(`${device.index}:\t${device.name}\n${shown.join("\n")}\n`);
  }
  return done(blocks.join(""));
}
