// `ip link` and the link part of `ip addr` (iproute2 ip/ipaddress.c:
// print_linkinfo, print_link_flags; -br: print_linkinfo_brief).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";
import { hasCarrier, namespaceById } from "../../net/index.js";

export type JsonObject = Record<string, unknown>;

/** What the device's IFLA_LINK says, as the viewer sees it. */
interface PeerView {
  readonly sameNamespace: boolean;
  readonly index: number;
  readonly name?: string;
  readonly netnsLabel?: string;
  readonly nsid?: number;
}

function peerView(world: World, namespace: NetworkNamespace, device: NetDevice): PeerView | undefined {
  if (!device.peer) return undefined;
  if (device.peer.namespaceId === namespace.id) {
    const peer = namespace.devices.get(device.peer.index);
    return { sameNamespace: true, index: device.peer.index, ...(peer ? { name: peer.name } : {}) };
  }
  const other = world.namespaces.get(device.peer.namespaceId);
  const nsid = namespace.nsids.get(device.peer.namespaceId);
  return {
    sameNamespace: false,
    index: device.peer.index,
    ...(nsid !== undefined ? { nsid } : {}),
    ...(other && other.name !== "" ? { netnsLabel: `link-netns ${other.name}` } : nsid !== undefined ? { netnsLabel: `link-netnsid ${nsid}` } : {}),
  };
}

export function displayName(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  const peer = peerView(world, namespace, device);
  if (!peer) return device.name;
  return peer.sameNamespace ? `${device.name}@${peer.name ?? `if${peer.index}`}` : `${device.name}@if${peer.index}`;
}

export function linkFlags(world: World, namespace: NetworkNamespace, device: NetDevice): string[] {
  const flags: string[] = [];
  const carrier = hasCarrier(world, namespace, device);
  if (device.adminUp && !carrier) flags.push("NO-CARRIER");
  flags.push(...(device.kind === "loopback" ? ["LOOPBACK"] : ["BROADCAST", "MULTICAST"]));
  if (device.kind === "dummy") flags.push("NOARP");
  if (device.promisc) flags.push("PROMISC");
  if (device.adminUp) flags.push("UP");
  if (device.adminUp && carrier) flags.push("LOWER_UP");
  const peer = peerView(world, namespace, device);
  if (peer?.sameNamespace && !namespace.devices.get(peer.index)?.adminUp) flags.push("M-DOWN");
  return flags;
}

/** IF_OPER_*: LOWERLAYERDOWN when the device named by IFLA_LINK in the device's own namespace is down. */
export function operstate(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  if (!device.adminUp) return "DOWN";
  if (device.kind === "loopback" || device.kind === "dummy") return "UNKNOWN";
  if (!hasCarrier(world, namespace, device)) {
    // What linkwatch decided at the carrier event (see rtnetlink.ts), when it ran.
    if (device.operstateWithoutCarrier) return device.operstateWithoutCarrier;
    if (device.peer) {
      const linked = namespace.devices.get(device.peer.index);
      if (linked && !linked.adminUp) return "LOWERLAYERDOWN";
    }
    return "DOWN";
  }
  if (device.kind === "bridge" && !device.bridge!.hadPorts) return "UNKNOWN";
  return "UP";
}

function qdisc(device: NetDevice): string {
  return device.everUp ? "noqueue" : "noop";
}

function masterName(namespace: NetworkNamespace, device: NetDevice): string | undefined {
  return device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex)?.name;
}

/** The two header lines every `ip link` / `ip addr` entry starts with. */
export function linkHeaderText(world: World, namespace: NetworkNamespace, device: NetDevice, forLink: boolean, familyFiltered = false): string {
  const master = masterName(namespace, device);
  const first = `${device.index}: ${displayName(world, namespace, device)}: <${linkFlags(world, namespace, device).join(",")}> mtu ${device.mtu} qdisc ${qdisc(device)}${master ? ` master ${master}` : ""} state ${operstate(world, namespace, device)}${forLink ? " mode DEFAULT" : ""} group default qlen 1000`;
  const linkType = device.kind === "loopback" ? "loopback" : "ether";
  const broadcast = device.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  const peer = peerView(world, namespace, device);
  const netnsLabel = peer?.netnsLabel ? ` ${peer.netnsLabel}` : "";
  // print_linkinfo(): with -4/-6 the link/ether line is left out; the netns label still follows.
  if (familyFiltered) return `${first}${netnsLabel}\n`;
  const second = `    link/${linkType} ${device.mac} brd ${broadcast}${netnsLabel}`;
  return `${first}\n${second}\n`;
}

export function linkJson(world: World, namespace: NetworkNamespace, device: NetDevice, forLink: boolean): JsonObject {
  const peer = peerView(world, namespace, device);
  const master = masterName(namespace, device);
  const object: JsonObject = { ifindex: device.index };
  if (peer?.sameNamespace) object.link = peer.name;
  if (peer && !peer.sameNamespace) object.link_index = peer.index;
  object.ifname = device.name;
  object.flags = linkFlags(world, namespace, device);
  object.mtu = device.mtu;
  object.qdisc = qdisc(device);
  if (master) object.master = master;
  object.operstate = operstate(world, namespace, device);
  if (forLink) object.linkmode = "DEFAULT";
  object.group = "default";
  object.txqlen = 1000;
  object.link_type = device.kind === "loopback" ? "loopback" : "ether";
  object.address = device.mac;
  object.broadcast = device.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  if (peer && !peer.sameNamespace && peer.nsid !== undefined) object.link_netnsid = peer.nsid;
  return object;
}

export function linkBriefText(world: World, namespace: NetworkNamespace, device: NetDevice): string {
  return `${displayName(world, namespace, device).padEnd(16)} ${operstate(world, namespace, device).padEnd(14)} ${device.mac} <${linkFlags(world, namespace, device).join(",")}> \n`;
}

export function peerNamespaceName(world: World, device: NetDevice): string | undefined {
  return device.peer ? namespaceById(world, device.peer.namespaceId).name : undefined;
}

/** The `-d` bridge id: priority, then the MAC with unpadded hex bytes (print_bridge_id: "%x:%x:..."). */
function bridgeId(mac: string): string {
  return `8000.${mac.split(":").map((octet) => parseInt(octet, 16).toString(16)).join(":")}`;
}

/**
 * `ip -d`: the attributes after the link/ether line (print_linkinfo with
 * show_details), for the kinds whose defaults the model knows: veth and
 * bridge. veth has one queue per CPU: the measured host had 2.
 */
export function linkDetailsText(device: NetDevice): string | undefined {
  const generic = " promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n";
  if (device.masterIndex !== undefined) return undefined;
  if (device.kind === "veth") {
    return `${generic}    veth addrgenmode ${device.ipv6?.addrGenMode ?? "eui64"} numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n`;
  }
  if (device.kind === "bridge") {
    const id = bridgeId(device.mac);
    return (
      `${generic}    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time ${device.bridge!.ageingTime} stp_state 0 priority 32768 vlan_filtering 0 bridge_id ${id} designated_root ${id} ` +
      "root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 " +
      "group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 " +
      "mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 " +
      "mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 " +
      `mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode ${device.ipv6?.addrGenMode ?? "eui64"} numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ` +
      "tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n"
    );
  }
  return undefined;
}

/** `ip -j -d` keys for a veth, after "broadcast" (and "link_netnsid"). */
export function linkDetailsJson(device: NetDevice): JsonObject | undefined {
  if (device.kind !== "veth" || device.masterIndex !== undefined) return undefined;
  return {
    promiscuity: 0,
    allmulti: 0,
    min_mtu: 68,
    max_mtu: 65535,
    linkinfo: { info_kind: "veth" },
    inet6_addr_gen_mode: device.ipv6?.addrGenMode ?? "eui64",
    num_tx_queues: 2,
    num_rx_queues: 2,
    gso_max_size: 65536,
    gso_max_segs: 65535,
    tso_max_size: 524280,
    tso_max_segs: 65535,
    gro_max_size: 65536,
  };
}

/** `ip -s link`: the RX/TX counter block (print_link_stats64, iproute2 6.1 layout; columns widen for long numbers). */
export function linkStatisticsText(device: NetDevice): string {
  const widths = [14, 8, 7, 8, 8, 8];
  const row = (values: number[]) => `${values.map((value, index) => String(value).padStart(Math.max(widths[index]!, String(value).length + 1))).join("")} \n`;
  const statistics = device.statistics;
  return (
    "    RX:  bytes packets errors dropped  missed   mcast           \n" +
    row([statistics.rxBytes, statistics.rxPackets, 0, statistics.rxDropped, 0, 0]) +
    "    TX:  bytes packets errors dropped carrier collsns           \n" +
    row([statistics.txBytes, statistics.txPackets, 0, statistics.txDropped, 0, 0])
  );
}
