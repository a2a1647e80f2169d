// Carrier and operational state (net/core/link_watch.c, rfc2863 operstate as
// `ip link` prints it): derived from admin state and peers, never stored.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";

/** netif_carrier_ok(). */
export function hasCarrier(world: World, namespace: NetworkNamespace, device: NetDevice): boolean {
  switch (device.kind) {
    case "loopback":
    case "dummy":
      return true;
    case "veth": {
      // veth_open() turns the carrier on for both ends once both are up.
      const link = device.peer;
      if (!device.adminUp || link === undefined) return false;
      return world.namespaces.get(link.namespaceId)?.devices.get(link.index)?.adminUp === true;
    }
    case "bridge": {
      // A bridge that never had a port keeps the carrier it started with;
      // once it has ports, the carrier follows whether any port forwards.
      const ports = bridgePorts(namespace, device);
      if (ports.length === 0) return !device.bridge!.hadPorts;
      return ports.some((port) => isPortForwarding(world, namespace, port));
    }
  }
}

export function bridgePorts(namespace: NetworkNamespace, bridge: NetDevice): NetDevice[] {
  return [...namespace.devices.values()].filter((device) => device.masterIndex === bridge.index).sort((a, b) => a.index - b.index);
}

/** A port forwards when it and its bridge are up and it has carrier (no STP: straight to forwarding). */
export function isPortForwarding(world: World, namespace: NetworkNamespace, port: NetDevice): boolean {
  const bridge = port.masterIndex === undefined ? undefined : namespace.devices.get(port.masterIndex);
  return bridge !== undefined && bridge.adminUp && port.adminUp && hasCarrier(world, namespace, port);
}

/** `state` in `ip link`: IF_OPER_*. */
export type OperState = "UP" | "DOWN" | "LOWERLAYERDOWN" | "UNKNOWN";

export function operState(world: World, namespace: NetworkNamespace, device: NetDevice): OperState {
  if (!device.adminUp) return "DOWN";
  if (device.kind === "loopback" || device.kind === "dummy") return "UNKNOWN";
  if (device.kind === "bridge" && bridgePorts(namespace, device).length === 0 && !device.bridge!.hadPorts) return "UNKNOWN";
  if (!hasCarrier(world, namespace, device)) return device.kind === "veth" ? "LOWERLAYERDOWN" : "DOWN";
  return "UP";
}

/** The device can carry traffic: up, with carrier. */
export function isRunning(world: World, namespace: NetworkNamespace, device: NetDevice): boolean {
  return device.adminUp && hasCarrier(world, namespace, device);
}
