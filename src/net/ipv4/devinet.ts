// IPv4 addresses on devices (net/ipv4/devinet.c): adding and deleting them,
// primary/secondary bookkeeping, and inet_select_addr().
import { networkAddress, type Ipv4Address } from "../../model/address.js";
import type { AddressScope, InetAddress, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { devicesInOrder } from "../../model/netns.js";

/** rtm_scope values: a smaller number is a wider scope. */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;

export function scopeValue(scope: AddressScope): number {
  return scope === "global" ? RT_SCOPE_UNIVERSE : scope === "link" ? RT_SCOPE_LINK : RT_SCOPE_HOST;
}

export function sameSubnet(a: InetAddress, address: Ipv4Address): boolean {
  return networkAddress(a.address, a.prefixLength) === networkAddress(address, a.prefixLength);
}

/** inet_ifa_byprefix(): the primary address that owns a subnet on a device. */
export function primaryFor(device: NetDevice, address: Ipv4Address, prefixLength: number): InetAddress | undefined {
  return device.addresses.find(
    (candidate) => !candidate.secondary && candidate.prefixLength === prefixLength && sameSubnet(candidate, address),
  );
}

/**
 * __inet_insert_ifa(): an address inside the subnet of an existing primary
 * (same prefix length) becomes secondary and goes to the end of the list; a
 * new primary goes after the last primary of the same or a narrower scope
 * (`ifa->ifa_scope <= ifa1->ifa_scope`), so primaries stay ordered host,
 * link, global: 127.0.0.1 added when lo comes up goes before an 8.8.8.8/32
 * added while it was down.
 */
export function insertInetAddress(device: NetDevice, address: Omit<InetAddress, "secondary">): InetAddress {
  const secondary = primaryFor(device, address.address, address.prefixLength) !== undefined;
  const entry: InetAddress = { ...address, secondary };
  if (secondary) {
    device.addresses.push(entry);
  } else {
    let lastPrimary = -1;
    device.addresses.forEach((candidate, index) => {
      if (!candidate.secondary && scopeValue(address.scope) <= scopeValue(candidate.scope)) lastPrimary = index;
    });
    device.addresses.splice(lastPrimary + 1, 0, entry);
  }
  return entry;
}

/**
 * inet_select_addr(dev, dst, scope): the first primary on the device whose
 * scope fits and whose subnet holds dst; else the first primary that fits;
 * else the first fitting, non-link-scope primary on any device of the
 * namespace, in ifindex order.
 */
export function inetSelectAddress(
  namespace: NetworkNamespace,
  device: NetDevice | undefined,
  destination: Ipv4Address | undefined,
  scope: number,
): Ipv4Address | undefined {
  let fallback: Ipv4Address | undefined;
  for (const candidate of device?.addresses ?? []) {
    if (candidate.secondary || scopeValue(candidate.scope) > scope) continue;
    if (destination === undefined || destination === 0 || sameSubnet(candidate, destination)) return candidate.address;
    fallback ??= candidate.address;
  }
  if (fallback !== undefined) return fallback;
  for (const other of devicesInOrder(namespace)) {
    for (const candidate of other.addresses) {
      if (candidate.secondary) continue;
      const value = scopeValue(candidate.scope);
      if (value !== RT_SCOPE_LINK && value <= scope) return candidate.address;
    }
  }
  return undefined;
}

/** Every address of the namespace with the device that holds it. */
export function* namespaceAddresses(namespace: NetworkNamespace): Generator<{ device: NetDevice; address: InetAddress }> {
  for (const device of devicesInOrder(namespace)) for (const address of device.addresses) yield { device, address };
}
