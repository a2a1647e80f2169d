// A network device (include/linux/netdevice.h) and its IPv4 configuration
// (include/linux/inetdevice.h: in_device, in_ifaddr, ipv4_devconf).
import type { Ipv4Address } from "./address.js";
import type { BridgeState, BridgePortFlags } from "./bridge.js";
import type { SourceLocation } from "./location.js";
import type { MacAddress } from "./mac.js";

export type LinkKind = "loopback" | "veth" | "bridge" | "dummy";

export type AddressScope = "global" | "link" | "host";

/** One IPv4 address on a device (struct in_ifaddr). */
export interface InetAddress {
  readonly address: Ipv4Address;
  readonly prefixLength: number;
  /** Broadcast address, when one was given or derived (`brd +`). */
  readonly broadcast?: Ipv4Address;
  readonly scope: AddressScope;
  /** IFA_F_SECONDARY: a further address inside the subnet of an earlier primary. */
  readonly secondary: boolean;
  readonly label: string;
  readonly origin?: SourceLocation;
}

/** The per-device IPv4 sysctls the model honours (net.ipv4.conf.DEV.*). */
export interface DeviceConf {
  forwarding: boolean;
  rpFilter: number;
  arpIgnore: number;
  routeLocalnet: boolean;
}

export interface NetDevice {
  readonly kind: LinkKind;
  /** ifindex, unique in its namespace. */
  index: number;
  name: string;
  mac: MacAddress;
  mtu: number;
  /** IFF_UP, set by `ip link set DEV up`. */
  adminUp: boolean;
  /** IFF_PROMISC from `ip link set DEV promisc on` (a bridge then passes every frame up as well; other devices deliver by address either way). */
  promisc?: boolean;
  /** dev->promiscuity: packet sockets that asked for promiscuous mode (tcpdump without -p); not shown by ip link, which shows only the flag set by hand. */
  promiscuity?: number;
  /** Has been up once: its qdisc is `noqueue` from then on (`noop` before). */
  everUp: boolean;
  /** The other end of a veth pair. */
  peer?: { namespaceId: number; index: number };
  /**
   * The operstate linkwatch set when the device was last up without carrier
   * (rfc2863_policy() runs at that event only, so it keeps what it saw then);
   * absent while it has carrier or is down.
   */
  operstateWithoutCarrier?: "DOWN" | "LOWERLAYERDOWN";
  /** The bridge this device is a port of (IFF_SLAVE, `master`). */
  masterIndex?: number;
  /** Bridge ports only: the port's flags (`bridge link set`, /sys/class/net/PORT/brport/*); absent: new_nbp()'s defaults. */
  brport?: BridgePortFlags;
  /** Bridge ports only: the port number (net_bridge_port.port_no, the lowest free one when it joined). */
  brportNo?: number;
  /** Bridge devices only: ports and forwarding database. */
  bridge?: BridgeState;
  /** IPv4 addresses in the kernel's list order: primaries first within a subnet. */
  addresses: InetAddress[];
  conf: DeviceConf;
  /** IPv6 as far as `ip addr`/`ip route` show it (net/ipv6/addrconf.c); absent: enabled, nothing configured yet. */
  ipv6?: Ipv6DeviceState;
  /** Packet/byte counters as `ip -s link` shows them. */
  statistics: { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; rxDropped: number; txDropped: number };
  readonly origin?: SourceLocation;
}

/** What addrconf did on a device: the model derives the addresses, this keeps what cannot be derived. */
export interface Ipv6DeviceState {
  /** net.ipv6.conf.DEV.disable_ipv6 */
  disabled?: boolean;
  /** When the device last became up with carrier (addrconf_dev_config), as a world-wide sequence number: orders IPv6 routes. */
  configuredOrder?: number;
  /** The link-local address was deleted (`ip addr flush`) since; it comes back on the next up. */
  linkLocalRemoved?: boolean;
  /**
   * IFLA_INET6_ADDR_GEN_MODE (`ip link set DEV addrgenmode none|eui64`);
   * absent: eui64. addrconf_addr_gen() reads it when the link is configured,
   * so a change shows only at the next up with carrier.
   */
  addrGenMode?: "eui64" | "none";
}

export function defaultDeviceConf(): DeviceConf {
  return { forwarding: false, rpFilter: 0, arpIgnore: 0, routeLocalnet: false };
}
