// `ip route` and `ip route get` (iproute2 ip/iproute.c: print_route).
import { formatIpv4Address, formatPrefix } from "../../model/address.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_MAIN, tableName, type Route } from "../../model/route.js";
import type { World } from "../../model/world.js";
import { hasCarrier } from "../../net/index.js";
import type { JsonObject } from "./link.js";

export interface RoutePrintOptions {
  /** Omit ` dev X` (ip route show dev X). */
  readonly hideDevice?: boolean;
  /** Print ` table local` etc. for tables other than main (table all). */
  readonly showTable?: boolean;
}

function deviceName(namespace: NetworkNamespace, index: number | undefined): string {
  if (index === undefined) return "";
  return namespace.devices.get(index)?.name ?? `if${index}`;
}

function isLinkDown(world: World, namespace: NetworkNamespace, route: Route): boolean {
  if (route.nexthop === undefined || route.type === "local") return false;
  const device = namespace.devices.get(route.nexthop.deviceIndex);
  return device !== undefined && !hasCarrier(world, namespace, device);
}

/** print_route(): any scope narrower than universe is printed. */
function scopeText(route: Route): string | undefined {
  return route.scope === "global" ? undefined : route.scope;
}

export function routeText(world: World, namespace: NetworkNamespace, route: Route, options: RoutePrintOptions = {}): string {
  const words: string[] = [];
  if (route.type !== "unicast") words.push(route.type);
  words.push(formatPrefix(route.prefix));
  if (route.nexthop?.gateway !== undefined) words.push("via", formatIpv4Address(route.nexthop.gateway));
  if (route.nexthop && !options.hideDevice) words.push("dev", deviceName(namespace, route.nexthop.deviceIndex));
  if (options.showTable && route.table !== RT_TABLE_MAIN) words.push("table", tableName(route.table));
  if (route.protocol !== "boot") words.push("proto", route.protocol);
  const scope = scopeText(route);
  if (scope) words.push("scope", scope);
  if (route.preferredSource !== undefined) words.push("src", formatIpv4Address(route.preferredSource));
  if (route.metric !== 0) words.push("metric", String(route.metric));
  if (route.nexthop?.onlink) words.push("onlink");
  if (isLinkDown(world, namespace, route)) words.push("linkdown");
  return `${words.join(" ")} \n`;
}

export function routeJson(world: World, namespace: NetworkNamespace, route: Route, options: RoutePrintOptions = {}): JsonObject {
  const object: JsonObject = {};
  if (route.type !== "unicast") object.type = route.type;
  object.dst = formatPrefix(route.prefix);
  if (route.nexthop?.gateway !== undefined) object.gateway = formatIpv4Address(route.nexthop.gateway);
  if (route.nexthop && !options.hideDevice) object.dev = deviceName(namespace, route.nexthop.deviceIndex);
  if (options.showTable && route.table !== RT_TABLE_MAIN) object.table = tableName(route.table);
  if (route.protocol !== "boot") object.protocol = route.protocol;
  const scope = scopeText(route);
  if (scope) object.scope = scope;
  if (route.preferredSource !== undefined) object.prefsrc = formatIpv4Address(route.preferredSource);
  if (route.metric !== 0) object.metric = route.metric;
  const flags: string[] = [];
  if (route.nexthop?.onlink) flags.push("onlink");
  if (isLinkDown(world, namespace, route)) flags.push("linkdown");
  object.flags = flags;
  return object;
}
