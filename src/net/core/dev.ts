// Sending and receiving frames on devices (net/core/dev.c: __dev_queue_xmit,
// __netif_receive_skb; drivers/net/veth.c: veth_xmit; drivers/net/loopback.c;
// drivers/net/dummy.c).
import { derivedOf } from "../../model/derived.js";
import { BROADCAST_MAC, isMulticastMac } from "../../model/mac.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import type { ArpMessage, EthernetFrame, Ipv4Packet } from "../../model/packet.js";
import { ipv4TotalLength } from "../../model/packet.js";
import { frameStep, LINK_DELAY_US, recordStep, schedule, type Simulation } from "../simulation.js";
import { namespaceById } from "./net-namespace.js";

// What the protocols and the bridge register with the device layer at boot
// (net/init.ts), so that it imports none of them: the packet types
// (dev_add_pack(): ip_rcv, arp_rcv), the bridge ports' rx_handler
// (netdev_rx_handler_register(): br_handle_frame) and the bridge's
// ndo_start_xmit (br_dev_xmit).
interface PacketTypes {
  arp?: (simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, arp: ArpMessage) => void;
  /** `prerouted`: br_netfilter ran PREROUTING for the packet already. */
  ipv4?: (simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, prerouted: boolean) => void;
}
type FrameHandler = (simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, frame: EthernetFrame) => void;

const packetTypes: PacketTypes = {};
let bridgePortRxHandler: FrameHandler | undefined;
let bridgeStartXmit: FrameHandler | undefined;

/** dev_add_pack(). */
export function devAddPack<K extends keyof PacketTypes>(type: K, func: NonNullable<PacketTypes[K]>): void {
  packetTypes[type] = func;
}

/** netdev_rx_handler_register() for bridge ports, and the bridge's ndo_start_xmit. */
export function registerBridgeHandlers(rxHandler: FrameHandler, startXmit: FrameHandler): void {
  bridgePortRxHandler = rxHandler;
  bridgeStartXmit = startXmit;
}

function registered<T>(handler: T | undefined, what: string): T {
  if (handler === undefined) throw new Error(`the device layer has no ${what}: import the net layer through src/net/index.ts`);
  return handler;
}

/**
 * ptype_all: packet sockets bound with ETH_P_ALL (tcpdump's), each on one
 * device. dev_queue_xmit_nit() shows them what a device sends, before its
 * driver; __netif_receive_skb_core() what it receives, before the bridge's
 * rx_handler. They observe: the frame goes on its way unchanged. A tap is a
 * callback, so it waits in the world's derived state, as timers do.
 */
export type PacketTap = (world: World, frame: EthernetFrame, direction: "in" | "out") => void;

interface TapEntry {
  readonly namespaceId: number;
  readonly deviceIndex: number;
  readonly tap: PacketTap;
}

declare module "../../model/world.js" {
  interface WorldDerived {
    /** The open taps, by id. */
    taps?: Map<number, TapEntry>;
    nextTapId?: number;
  }
}

/** packet_create() + packet_do_bind() with ETH_P_ALL on one device: returns the tap's id. */
export function devAddTap(world: World, namespaceId: number, deviceIndex: number, tap: PacketTap): number {
  const derived = derivedOf(world);
  const id = derived.nextTapId ?? 1;
  derived.nextTapId = id + 1;
  (derived.taps ??= new Map()).set(id, { namespaceId, deviceIndex, tap });
  return id;
}

/** packet_release(). */
export function devRemoveTap(world: World, id: number): void {
  world.derived?.taps?.delete(id);
}

/** Hands the frame to the taps on this device (dev_queue_xmit_nit for "out", deliver_ptype_list_skb for "in"). */
export function devTapFrame(world: World, namespace: NetworkNamespace, device: NetDevice, frame: EthernetFrame, direction: "in" | "out"): void {
  const taps = world.derived?.taps;
  // The packet path skips the walk while no tap is open.
  if (taps === undefined || taps.size === 0) return;
  for (const entry of taps.values()) if (entry.namespaceId === namespace.id && entry.deviceIndex === device.index) entry.tap(world, frame, direction);
}

/** The bytes a frame counts for in the device statistics. */
export function frameLength(frame: EthernetFrame): number {
  return 14 + (frame.payload.kind === "arp" ? 28 : ipv4TotalLength(frame.payload.packet));
}

/** dev_queue_xmit(): hand a frame to a device's driver. */
export function devQueueXmit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, frame: EthernetFrame): void {
  if (!device.adminUp) {
    device.statistics.txDropped++;
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, device.name, "dev_queue_xmit", frame.id, frame, { verdict: "drop", dropReason: "DEV_READY", reason: { code: "device-down", device: device.name } }));
    return;
  }
  // Loopback: its taps see the frame once, on the way in (af_packet drops the looped copy, PACKET_LOOPBACK).
  if (device.kind !== "loopback") devTapFrame(simulation.world, namespace, device, frame, "out");
  // br_dev_xmit() counts what it sends itself (a frame br_netfilter takes back is not sent).
  if (device.kind === "bridge") {
    registered(bridgeStartXmit, "bridge driver")(simulation, namespace, device, frame);
    return;
  }
  device.statistics.txPackets++;
  device.statistics.txBytes += frameLength(frame);
  switch (device.kind) {
    case "loopback":
      schedule(simulation.world, 0, { kind: "netif-receive", namespaceId: namespace.id, deviceIndex: device.index, frame });
      return;
    case "dummy":
      if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, device.name, "dev_queue_xmit", frame.id, frame, { verdict: "drop", dropReason: "DUMMY_XMIT", reason: { code: "dummy-xmit", device: device.name } }));
      return;
    case "veth":
      vethXmit(simulation, namespace, device, frame);
      return;
  }
}

/** veth_xmit(): the frame appears on the peer, which must be up. */
function vethXmit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, frame: EthernetFrame): void {
  const link = device.peer;
  const peerNamespace = link === undefined ? undefined : simulation.world.namespaces.get(link.namespaceId);
  const peer = link === undefined ? undefined : peerNamespace?.devices.get(link.index);
  if (peer === undefined || !peer.adminUp) {
    device.statistics.txDropped++;
    if (simulation.steps !== null) {
      recordStep(simulation, frameStep(simulation, namespace, device.name, "veth_xmit", frame.id, frame, {
        decision: { kind: "link", device: peer?.name ?? "(none)", state: "DOWN" },
        verdict: "drop",
        dropReason: "NO_CARRIER",
        reason: { code: "veth-peer-down", device: device.name, peer: peer?.name },
      }));
    }
    return;
  }
  const peerNamespaceId = link!.namespaceId;
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, device.name, "veth_xmit", frame.id, frame, {
      verdict: "continue",
      reason: { code: "veth-xmit", device: device.name, peer: peer.name, peerNamespace: peerNamespaceId === namespace.id ? undefined : peerNamespace!.name },
    }));
  }
  schedule(simulation.world, LINK_DELAY_US, { kind: "netif-receive", namespaceId: peerNamespaceId, deviceIndex: peer.index, frame });
}

/** __netif_receive_skb(): a frame arrived on a device: a bridge port hands it to its bridge, otherwise by ethertype. */
export function netifReceive(simulation: Simulation, namespaceId: number, deviceIndex: number, frame: EthernetFrame): void {
  const namespace = namespaceById(simulation.world, namespaceId);
  const device = namespace.devices.get(deviceIndex);
  if (!device) return;
  if (!device.adminUp) {
    if (simulation.steps !== null) recordStep(simulation, frameStep(simulation, namespace, device.name, "netif_receive", frame.id, frame, { verdict: "drop", dropReason: "DEV_READY", reason: { code: "device-down", device: device.name } }));
    return;
  }
  device.statistics.rxPackets++;
  device.statistics.rxBytes += frameLength(frame);
  devTapFrame(simulation.world, namespace, device, frame, "in");
  if (device.masterIndex !== undefined) {
    registered(bridgePortRxHandler, "bridge port rx_handler")(simulation, namespace, device, frame);
    return;
  }
  netifReceiveHost(simulation, namespace, device, frame);
}

/** Delivery to the host stack of a device (a plain device, or a bridge's own interface); `prerouted`: br_netfilter ran PREROUTING already. */
export function netifReceiveHost(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, frame: EthernetFrame, prerouted = false): void {
  const forHost = device.kind === "loopback" || frame.destination === device.mac || isMulticastMac(frame.destination);
  if (!forHost) {
    if (simulation.steps !== null) {
      recordStep(simulation, frameStep(simulation, namespace, device.name, "netif_receive", frame.id, frame, {
        verdict: "drop",
        dropReason: "OTHERHOST",
        reason: { code: "otherhost", destination: frame.destination, device: device.name, deviceMac: device.mac },
      }));
    }
    return;
  }
  if (frame.payload.kind === "arp") registered(packetTypes.arp, "ARP handler")(simulation, namespace, device, frame.payload.arp);
  else registered(packetTypes.ipv4, "IPv4 handler")(simulation, namespace, device, withLinkType(frame.payload.packet, frame), prerouted);
}

/** eth_type_trans(): the packet's pkt_type from the frame's destination MAC (a loopback frame is for the host). */
function withLinkType(packet: Ipv4Packet, frame: EthernetFrame): Ipv4Packet {
  const linkType = frame.destination === BROADCAST_MAC ? "broadcast" : isMulticastMac(frame.destination) ? "multicast" : undefined;
  if (linkType === packet.linkType) return packet;
  if (linkType !== undefined) return { ...packet, linkType };
  const { linkType: _sent, ...host } = packet;
  return host;
}
