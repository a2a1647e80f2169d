// `ip addr` (iproute2 ip/ipaddress.c: print_addrinfo).
import { formatIpv4Address } from "../../model/address.js";
import type { InetAddress, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { inet6Addresses, type Inet6Address } from "./ipv6.js";
import { displayName, linkHeaderText, linkJson, operstate, type JsonObject } from "./link.js";

export interface AddressFilter {
  /** -4 / -6 */
  readonly family?: "inet" | "inet6";
  readonly label?: string;
  readonly primaryOnly?: boolean;
  readonly secondaryOnly?: boolean;
}

function inetLines(address: InetAddress): string {
  const broadcast = address.broadcast !== undefined ? `brd ${formatIpv4Address(address.broadcast)} ` : "";
  return `    inet ${formatIpv4Address(address.address)}/${address.prefixLength} ${broadcast}scope ${address.scope} ${address.secondary ? "secondary " : ""}${address.label}\n       valid_lft forever preferred_lft forever\n`;
}

function inet6Lines(address: Inet6Address): string {
  return `    inet6 ${address.address}/${address.prefixLength} scope ${address.scope} \n       valid_lft forever preferred_lft forever\n`;
}

function selectInet(device: NetDevice, filter: AddressFilter): InetAddress[] {
  if (filter.family === "inet6") return [];
  return device.addresses.filter(
    (address) =>
      (filter.label === undefined || address.label === filter.label) &&
      (!filter.primaryOnly || !address.secondary) &&
      (!filter.secondaryOnly || address.secondary),
  );
}

function selectInet6(world: World, namespace: NetworkNamespace, device: NetDevice, filter: AddressFilter): Inet6Address[] {
  if (filter.family === "inet" || filter.label !== undefined || filter.secondaryOnly) return [];
  return inet6Addresses(world, namespace, device);
}

/** One device's block; with a filter that leaves nothing of a family-specific listing, nothing. */
export function addressText(world: World, namespace: NetworkNamespace, device: NetDevice, filter: AddressFilter): string {
  const inet = selectInet(device, filter);
  const inet6 = selectInet6(world, namespace, device, filter);
  if (filter.label !== undefined) return inet.map(inetLines).join("");
  if (filter.family !== undefined && inet.length === 0 && inet6.length === 0) return "";
  return linkHeaderText(world, namespace, device, false, filter.family !== undefined) + inet.map(inetLines).join("") + inet6.map(inet6Lines).join("");
}

export function addressJson(world: World, namespace: NetworkNamespace, device: NetDevice, filter: AddressFilter): JsonObject | undefined {
  const inet = selectInet(device, filter);
  const inet6 = selectInet6(world, namespace, device, filter);
  if (filter.family !== undefined && inet.length === 0 && inet6.length === 0) return undefined;
  const addrInfo: JsonObject[] = [
    ...inet.map((address) => ({
      family: "inet",
      local: formatIpv4Address(address.address),
      prefixlen: address.prefixLength,
      ...(address.broadcast !== undefined ? { broadcast: formatIpv4Address(address.broadcast) } : {}),
      scope: address.scope,
      ...(address.secondary ? { secondary: true } : {}),
      label: address.label,
      valid_life_time: 4294967295,
      preferred_life_time: 4294967295,
    })),
    ...inet6.map((address) => ({ family: "inet6", local: address.address, prefixlen: address.prefixLength, scope: address.scope, valid_life_time: 4294967295, preferred_life_time: 4294967295 })),
  ];
  return { ...linkJson(world, namespace, device, false), addr_info: addrInfo };
}

export function addressBriefText(world: World, namespace: NetworkNamespace, device: NetDevice, filter: AddressFilter): string {
  const inet = selectInet(device, filter);
  const inet6 = selectInet6(world, namespace, device, filter);
  if (filter.family !== undefined && inet.length === 0 && inet6.length === 0) return "";
  const addresses = [...inet.map((address) => `${formatIpv4Address(address.address)}/${address.prefixLength} `), ...inet6.map((address) => `${address.address}/${address.prefixLength} `)].join("");
  return `${displayName(world, namespace, device).padEnd(16)} ${operstate(world, namespace, device).padEnd(14)} ${addresses}\n`;
}

/** `ip -o addr`: one line per address, "N: NAME    " before it and "\\" where its line broke (print_addrinfo with oneline). */
export function addressOnelineText(world: World, namespace: NetworkNamespace, device: NetDevice, filter: AddressFilter): string {
  const prefix = `${device.index}: ${device.name}    `;
  const lines = [...selectInet(device, filter).map(inetLines), ...selectInet6(world, namespace, device, filter).map(inet6Lines)];
  return lines.map((text) => `${prefix}${text.trimStart().replace(/\n(?!$)/g, "\\")}`).join("");
}
