// The bridge's sysfs attributes (net/bridge/br_sysfs_if.c: brport_attrs,
// read by `cat`, written by `echo V >`; br_sysfs_br.c: bridge/ageing_time):
//   /sys/class/net/PORT/brport/ATTR  and  /sys/class/net/BR/brif/PORT/ATTR
//   /sys/class/net/BR/bridge/ageing_time
// A write is kstrtoul(buf, 0) (decimal, 0x hex, 0 octal; a trailing newline
// allowed, nothing else), then the same operation `bridge link set` makes.
import type { BridgePortFlags } from "../../model/bridge.js";
import type { SourceLocation } from "../../model/location.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { deviceByName } from "../core/net-namespace.js";
import { applyOperation } from "../core/rtnetlink.js";
import { portFlags } from "./br-forward.js";

export const SYS_CLASS_NET = "/sys/class/net/";

/** The brport attributes the model keeps, by file name. */
const BRPORT_FLAGS: Readonly<Record<string, keyof BridgePortFlags>> = {
  hairpin_mode: "hairpin",
  learning: "learning",
  unicast_flood: "flood",
  multicast_flood: "mcastFlood",
  broadcast_flood: "bcastFlood",
  isolated: "isolated",
};

/** Attributes that exist on a real port but that the model does not keep: refused by name rather than invented. */
const BRPORT_UNMODELLED = new Set([
  "backup_port", "bpdu_guard", "bridge", "change_ack", "config_pending", "designated_bridge", "designated_cost", "designated_port", "designated_root", "flush",
  "forward_delay_timer", "group_fwd_mask", "hold_timer", "message_age_timer", "multicast_fast_leave", "multicast_router", "multicast_to_unicast", "neigh_suppress",
  "path_cost", "port_id", "port_no", "priority", "proxyarp", "proxyarp_wifi", "root_block", "state",
]);

export type SysfsTarget =
  | { readonly kind: "brport"; readonly port: NetDevice; readonly flag: keyof BridgePortFlags }
  | { readonly kind: "ageing_time"; readonly bridge: NetDevice }
  | { readonly kind: "missing" }
  | { readonly kind: "unmodelled"; readonly attribute: string };

/** Which attribute a /sys/class/net path names, as the sysfs tree of the namespace has it. */
export function sysfsTarget(namespace: NetworkNamespace, path: string): SysfsTarget {
  const parts = path.slice(SYS_CLASS_NET.length).split("/").filter((part) => part !== "");
  const device = parts[0] === undefined ? undefined : deviceByName(namespace, parts[0]);
  if (!device) return { kind: "missing" };
  let port: NetDevice | undefined;
  let attribute: string | undefined;
  if (parts[1] === "brport" && parts.length === 3) {
    port = device.masterIndex === undefined ? undefined : device;
    attribute = parts[2];
  } else if (parts[1] === "brif" && parts.length === 4 && device.kind === "bridge") {
    const named = deviceByName(namespace, parts[2]!);
    port = named?.masterIndex === device.index ? named : undefined;
    attribute = parts[3];
  } else if (parts[1] === "bridge" && parts.length === 3 && device.kind === "bridge") {
    if (parts[2] === "ageing_time") return { kind: "ageing_time", bridge: device };
    return { kind: "unmodelled", attribute: `bridge/${parts[2]}` };
  } else return parts.length <= 1 ? { kind: "missing" } : { kind: "unmodelled", attribute: parts.slice(1).join("/") };
  if (!port || attribute === undefined) return { kind: "missing" };
  const flag = BRPORT_FLAGS[attribute];
  if (flag) return { kind: "brport", port, flag };
  return BRPORT_UNMODELLED.has(attribute) ? { kind: "unmodelled", attribute: `brport/${attribute}` } : { kind: "missing" };
}

/** `cat` of a modelled attribute: its text with the newline, or undefined when the file does not exist. */
export function sysfsRead(namespace: NetworkNamespace, target: SysfsTarget): string | undefined {
  if (target.kind === "brport") return `${portFlags(target.port)[target.flag] ? 1 : 0}\n`;
  if (target.kind === "ageing_time") return `${target.bridge.bridge!.ageingTime}\n`;
  return undefined;
}

/** kstrtoul(buf, 0): the value, or undefined for what the kernel answers EINVAL to. */
function kstrtoul(text: string): number | undefined {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const match = /^(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(body);
  if (!match) return undefined;
  if (match[1] !== undefined) return Number.parseInt(match[1], 16);
  if (match[2] !== undefined) return Number.parseInt(match[2], 8);
  return Number(match[3]);
}

/** A write (what `echo` printed, newline included): "ok", or the errno the write gets. */
export function sysfsWrite(world: World, namespace: NetworkNamespace, target: SysfsTarget, text: string, origin?: SourceLocation): "ok" | "EINVAL" {
  const value = kstrtoul(text);
  if (value === undefined) return "EINVAL";
  const located = origin ? { origin } : {};
  if (target.kind === "brport") {
    applyOperation(world, { op: "bridge-port-set", namespaceId: namespace.id, index: target.port.index, flags: { [target.flag]: value !== 0 }, ...located });
    return "ok";
  }
  if (target.kind === "ageing_time") {
    applyOperation(world, { op: "bridge-set", namespaceId: namespace.id, index: target.bridge.index, ageingTime: value, ...located });
    return "ok";
  }
  return "EINVAL";
}
