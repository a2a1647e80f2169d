// The IPv6 addresses and routes the kernel gives every interface on its own
// (net/ipv6/addrconf.c): ::1 on lo, and an EUI-64 link-local address on
// each link that is up with carrier. netsim does not route IPv6; it shows
// these so that `ip addr` and `ip route show table all` read as on a kernel.
// (The kernel marks a new link-local `tentative` for a second or two during
// duplicate address detection; the model shows it settled.)
import { collapseIPv6Number } from "ip-num";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { hasCarrier } from "../../net/index.js";

export interface Inet6Address {
  readonly address: string;
  readonly prefixLength: number;
  readonly scope: "host" | "link";
}

/** addrconf_addr_eui48(): fe80:: + MAC with ff:fe in the middle and the universal/local bit flipped. */
export function linkLocalAddress(mac: string): string {
  const octets = mac.split(":").map((octet) => parseInt(octet, 16));
  const eui = [octets[0]! ^ 2, octets[1]!, octets[2]!, 0xff, 0xfe, octets[3]!, octets[4]!, octets[5]!];
  const groups = ["fe80", "0", "0", "0"];
  for (let index = 0; index < 8; index += 2) groups.push(((eui[index]! << 8) | eui[index + 1]!).toString(16));
  return collapseIPv6Number(groups.join(":"));
}

/** addrconf_link_ready(): IPv6 configures a device once it is up with carrier (lo: once up), unless disabled. */
export function ipv6Configured(world: World, namespace: NetworkNamespace, device: NetDevice): boolean {
  if (!device.adminUp || device.ipv6?.disabled) return false;
  return device.kind === "loopback" || hasCarrier(world, namespace, device);
}

export function inet6Addresses(world: World, namespace: NetworkNamespace, device: NetDevice): Inet6Address[] {
  if (!ipv6Configured(world, namespace, device) || device.ipv6?.linkLocalRemoved) return [];
  if (device.kind === "loopback") return [{ address: "::1", prefixLength: 128, scope: "host" }];
  return [{ address: linkLocalAddress(device.mac), prefixLength: 64, scope: "link" }];
}

/** Full 128-bit value of a textual IPv6 address, for sorting routes as the fib6 tree walks them. */
function ipv6Value(text: string): bigint {
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * The IPv6 routes `ip route show table all` prints after the IPv4 ones:
 * main `fe80::/64` per link-local address, then the local table's `::1`,
 * each link-local address (by address), and `multicast ff00::/8` per
 * configured device. Routes of one prefix keep the order the devices were
 * configured in (fib6 appends), and IPv6 lines carry no trailing space.
 */
export function ipv6RouteLines(world: World, namespace: NetworkNamespace, devices: readonly NetDevice[]): string[] {
  const configured = devices
    .filter((device) => ipv6Configured(world, namespace, device))
    .sort((a, b) => (a.ipv6?.configuredOrder ?? Number.MAX_SAFE_INTEGER) - (b.ipv6?.configuredOrder ?? Number.MAX_SAFE_INTEGER) || a.index - b.index);
  const main: string[] = [];
  const locals: Array<[bigint, string]> = [];
  const multicast: string[] = [];
  for (const device of configured) {
    for (const address of inet6Addresses(world, namespace, device)) {
      if (device.kind !== "loopback") main.push(`fe80::/64 dev ${device.name} proto kernel metric 256 pref medium`);
      locals.push([ipv6Value(address.address), `local ${address.address} dev ${device.name} table local proto kernel metric 0 pref medium`]);
    }
    if (device.kind !== "loopback") multicast.push(`multicast ff00::/8 dev ${device.name} table local proto kernel metric 256 pref medium`);
  }
  locals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [...main, ...locals.map(([, line]) => line), ...multicast];
}
