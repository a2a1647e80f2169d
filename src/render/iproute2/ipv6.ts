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
import { hasCarrier } from "../../net/core/link-state.js";

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

export function inet6Addresses(world: World, namespace: NetworkNamespace, device: NetDevice): Inet6Address[] {
  if (!device.adminUp) return [];
  if (device.kind === "loopback") return [{ address: "::1", prefixLength: 128, scope: "host" }];
  if (!hasCarrier(world, namespace, device)) return [];
  return [{ address: linkLocalAddress(device.mac), prefixLength: 64, scope: "link" }];
}
