// `ifconfig` (net-tools 2.10 ifconfig.c, lib/interface.c ife_print_long):
// devices as SIOCGIF* shows them, and the SIOCSIF* ioctls as devinet_ioctl()
// applies them (net/ipv4/devinet.c), expressed as the same address and link
// operations `ip` sends.
import { formatIpv4Address, type Ipv4Address } from "../../model/address.js";
import { STRERROR, type KernelResult } from "../../model/errno.js";
import type { InetAddress, NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { applyOperation, deviceByName, operState } from "../../net/index.js";
import { devicesInOrder } from "../../model/netns.js";
import { inet6Addresses } from "../../render/iproute2/ipv6.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { classfulLength, inetAton, lookupFailure, maskLength, maskOf, nstrcmp } from "./inet.js";

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
const IFF_NOARP = 0x80;
const IFF_PROMISC = 0x100;
const IFF_MULTICAST = 0x1000;

const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [IFF_UP, "UP"],
  [IFF_BROADCAST, "BROADCAST"],
  [IFF_LOOPBACK, "LOOPBACK"],
  [IFF_RUNNING, "RUNNING"],
  [IFF_NOARP, "NOARP"],
  [IFF_PROMISC, "PROMISC"],
  [IFF_MULTICAST, "MULTICAST"],
];

/** dev_get_flags(): the link's fixed flags, IFF_UP, and IFF_RUNNING while the operstate is up (netif_oper_up). */
function deviceFlags(environment: CommandEnvironment, namespace: NetworkNamespace, device: NetDevice): number {
  let flags = device.kind === "loopback" ? IFF_LOOPBACK : device.kind === "dummy" ? IFF_BROADCAST | IFF_NOARP : IFF_BROADCAST | IFF_MULTICAST;
  if (device.promisc) flags |= IFF_PROMISC;
  if (device.adminUp) {
    flags |= IFF_UP;
    const state = operState(environment.world, namespace, device);
    if (state === "UP" || state === "UNKNOWN") flags |= IFF_RUNNING;
  }
  return flags;
}

/** ife_unit(): bytes scaled for the "(1.6 KiB)" part, one decimal truncated. */
function scaled(bytes: number): string {
  const units: ReadonlyArray<[number, string]> = [
    [1024 ** 4, "TiB"],
    [1024 ** 3, "GiB"],
    [1024 ** 2, "MiB"],
    [1024, "KiB"],
  ];
  for (const [size, unit] of units) {
    if (bytes > size) {
      const tenths = Math.floor((bytes * 10) / size);
      return `${Math.floor(tenths / 10)}.${tenths % 10} ${unit}`;
    }
  }
  return `${bytes}.0 B`;
}

/** SIOCGIFADDR answers with the first address labelled exactly as the device. */
function primaryAddress(device: NetDevice): InetAddress | undefined {
  return device.addresses.find((address) => address.label === device.name);
}

function ifePrintLong(environment: CommandEnvironment, namespace: NetworkNamespace, device: NetDevice): string {
  const flags = deviceFlags(environment, namespace, device);
  const names = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  let out = `${device.name}: flags=${flags}<${names.join(",")}>  mtu ${device.mtu}\n`;
  const address = primaryAddress(device);
  if (address) {
    out += `        inet ${formatIpv4Address(address.address)}  netmask ${formatIpv4Address(maskOf(address.prefixLength))}`;
    if ((flags & IFF_BROADCAST) !== 0) out += `  broadcast ${formatIpv4Address(address.broadcast ?? 0)}`;
    out += "\n";
  }
  for (const inet6 of inet6Addresses(environment.world, namespace, device)) {
    const scope = inet6.scope === "link" ? "0x20<link>" : inet6.scope === "host" ? "0x10<host>" : "0x0<global>";
    out += `        inet6 ${inet6.address}  prefixlen ${inet6.prefixLength}  scopeid ${scope}\n`;
  }
  out += device.kind === "loopback" ? "        loop  txqueuelen 1000  (Local Loopback)\n" : `        ether ${device.mac}  txqueuelen 1000  (Ethernet)\n`;
  const s = device.statistics;
  out += `        RX packets ${s.rxPackets}  bytes ${s.rxBytes} (${scaled(s.rxBytes)})\n`;
  out += `        RX errors 0  dropped ${s.rxDropped}  overruns 0  frame 0\n`;
  out += `        TX packets ${s.txPackets}  bytes ${s.txBytes} (${scaled(s.txBytes)})\n`;
  out += `        TX errors 0  dropped ${s.txDropped} overruns 0  carrier 0  collisions 0\n\n`;
  return out;
}

const USAGE_ERROR_HINT = "ifconfig: `--help' gives usage information.\n";

export function ifconfig(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const namespace = environment.namespace;
  let all = false;
  let index = 0;
  while (index < argv.length && argv[index]!.startsWith("-") && argv[index] !== "-") {
    const option = argv[index]!;
    if (option === "-a") all = true;
    else throw new UnsupportedError(option, `ifconfig option "${option}" is not modelled`);
    index++;
  }
  const name = argv[index++];
  if (name === undefined) {
    const devices = devicesInOrder(namespace)
      .filter((device) => all || device.adminUp)
      .sort((a, b) => nstrcmp(a.name, b.name));
    return { kind: "done", stdout: devices.map((device) => ifePrintLong(environment, namespace, device)).join(""), stderr: "", exitCode: 0 };
  }
  if (name.includes(":")) throw new UnsupportedError(name, "ifconfig alias interfaces (DEV:N) are not modelled");
  const device = deviceByName(namespace, name);
  if (index >= argv.length) {
    if (!device) throw new CommandError(`${name}: error fetching interface information: Device not found`, 1);
    return { kind: "done", stdout: ifePrintLong(environment, namespace, device), stderr: "", exitCode: 0 };
  }
  return setInterface(argv.slice(index), environment, name, device);
}

/** ifconfig.c main(): each word in turn, one ioctl each; an ioctl's failure is reported and the rest still runs. */
function setInterface(words: readonly string[], environment: CommandEnvironment, name: string, device: NetDevice | undefined): CommandOutcome {
  const namespace = environment.namespace;
  const origin = environment.origin ? { origin: environment.origin } : {};
  let stderr = "";
  let status = 0;
  const report = (ioctl: string, result: KernelResult<unknown>) => {
    if (!result.ok) {
      stderr += `${ioctl}: ${STRERROR[result.error.errno]}\n`;
      status = 1;
    }
  };
  const setFlags = (up: boolean) => {
    if (!device) {
      stderr += `${name}: ERROR while getting interface flags: No such device\n`;
      status = 255;
      return;
    }
    report("SIOCSIFFLAGS", applyOperation(environment.world, { op: "link-set", namespaceId: namespace.id, index: device.index, up, ...origin }));
  };
  /** inet_del_ifa() + inet_insert_ifa() with the changed fields: how devinet_ioctl() edits an address. */
  const replaceAddress = (old: InetAddress | undefined, address: Ipv4Address, prefixLength: number, broadcast: Ipv4Address | undefined): KernelResult<unknown> => {
    if (old) {
      const removed = applyOperation(environment.world, { op: "address-delete", namespaceId: namespace.id, index: device!.index, address: old.address, prefixLength: old.prefixLength, ...origin });
      if (!removed.ok) return removed;
    }
    return applyOperation(environment.world, {
      op: "address-add",
      namespaceId: namespace.id,
      index: device!.index,
      address,
      prefixLength,
      ...(broadcast !== undefined ? { broadcast } : {}),
      scope: "global",
      ...origin,
    });
  };
  const broadcastCapable = device !== undefined && device.kind !== "loopback";
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (word === "up") setFlags(true);
    else if (word === "down") setFlags(false);
    else if (word === "netmask" || word === "broadcast") {
      const value = words[++index];
      if (value === undefined) throw new CommandError(IFCONFIG_USAGE, 3);
      const parsed = inetAton(value);
      if (parsed === undefined) throw new CommandError(`${lookupFailure(value)}\n${USAGE_ERROR_HINT}`, 1);
      if (!device) {
        stderr += `${word === "netmask" ? "SIOCSIFNETMASK" : "SIOCSIFBRDADDR"}: ${STRERROR.ENODEV}\n`;
        status = 1;
        continue;
      }
      const old = primaryAddress(device);
      const ioctl = word === "netmask" ? "SIOCSIFNETMASK" : "SIOCSIFBRDADDR";
      if (!old) report(ioctl, { ok: false, error: { errno: "EADDRNOTAVAIL" } });
      else if (word === "netmask") {
        const length = maskLength(parsed);
        if (length === undefined) report(ioctl, { ok: false, error: { errno: "EINVAL" } });
        else if (length !== old.prefixLength) {
          // The broadcast follows the mask only if it was the old mask's own.
          const oldDefault = (old.address | ~maskOf(old.prefixLength)) >>> 0;
          const broadcast = broadcastCapable && length < 31 && old.broadcast === oldDefault ? (old.address | ~maskOf(length)) >>> 0 : old.broadcast;
          report(ioctl, replaceAddress(old, old.address, length, broadcast));
        }
      } else if (old.broadcast !== parsed) report(ioctl, replaceAddress(old, old.address, old.prefixLength, parsed));
    } else if (word === "promisc" || word === "-promisc") {
      // SIOCSIFFLAGS with IFF_PROMISC set or cleared: only the flag is modelled.
      if (!device) {
        stderr += `${name}: ERROR while getting interface flags: No such device\n`;
        status = 255;
      } else report("SIOCSIFFLAGS", applyOperation(environment.world, { op: "link-set", namespaceId: namespace.id, index: device.index, promisc: word === "promisc", ...origin }));
    } else if (["mtu", "hw", "arp", "-arp", "allmulti", "-allmulti", "add", "del", "pointopoint", "dstaddr", "txqueuelen", "name", "multicast", "-broadcast"].includes(word)) {
      throw new UnsupportedError(word, `ifconfig ... ${word} is not modelled`);
    } else {
      // An address, perhaps with /LEN: SIOCSIFADDR, then (for /LEN) SIOCSIFNETMASK, then the link goes up.
      let text = word;
      let length: number | undefined;
      const slash = word.indexOf("/");
      if (slash >= 0) {
        const lengthText = word.slice(slash + 1);
        if (!/^\d+$/.test(lengthText) || Number(lengthText) > 32) throw new UnsupportedError(word, "ifconfig with a prefix length that is not 0-32 is not modelled");
        length = Number(lengthText);
        text = word.slice(0, slash);
      }
      const address = inetAton(text);
      if (address === undefined) throw new CommandError(`${lookupFailure(text)}\n${USAGE_ERROR_HINT}`, 1);
      if (address === 0) throw new UnsupportedError(word, "ifconfig DEV 0.0.0.0 (removing the address) is not modelled");
      if (!device) {
        stderr += `SIOCSIFADDR: ${STRERROR.ENODEV}\n`;
        status = 1;
      } else {
        const classful = classfulLength(address);
        if (classful === undefined) report("SIOCSIFADDR", { ok: false, error: { errno: "EINVAL" } });
        else {
          const old = primaryAddress(device);
          if (old?.address !== address) {
            const broadcast = broadcastCapable && classful < 31 ? (address | ~maskOf(classful)) >>> 0 : undefined;
            report("SIOCSIFADDR", replaceAddress(old, address, classful, broadcast));
          }
          if (length !== undefined) {
            const now = primaryAddress(device);
            if (now && now.prefixLength !== length) {
              const oldDefault = (now.address | ~maskOf(now.prefixLength)) >>> 0;
              const broadcast = broadcastCapable && length < 31 && now.broadcast === oldDefault ? (now.address | ~maskOf(length)) >>> 0 : now.broadcast;
              report("SIOCSIFNETMASK", replaceAddress(now, now.address, length, broadcast));
            }
          }
        }
      }
      setFlags(true);
    }
  }
  return { kind: "done", stdout: "", stderr, exitCode: status };
}

const IFCONFIG_USAGE = `Usage:
  ifconfig [-a] [-v] [-s] <interface> [[<AF>] <address>]
  [add <address>[/<prefixlen>]]
  [del <address>[/<prefixlen>]]
  [[-]broadcast [<address>]]  [[-]pointopoint [<address>]]
  [netmask <address>]  [dstaddr <address>]  [tunnel <address>]
  [outfill <NN>] [keepalive <NN>]
  [hw <HW> <address>]  [mtu <NN>]
  [[-]trailers]  [[-]arp]  [[-]allmulti]
  [multicast]  [[-]promisc]
  [mem_start <NN>]  [io_addr <NN>]  [irq <NN>]  [media <type>]
  [txqueuelen <NN>]
  [name <newname>]
  [[-]dynamic]
  [up|down] ...

  <HW>=Hardware Type.
  List of possible hardware types:
    loop (Local Loopback) slip (Serial Line IP) cslip (VJ Serial Line IP) 
    slip6 (6-bit Serial Line IP) cslip6 (VJ 6-bit Serial Line IP) adaptive (Adaptive Serial Line IP) 
    ash (Ash) ether (Ethernet) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) tunnel (IPIP Tunnel) 
    ppp (Point-to-Point Protocol) hdlc ((Cisco)-HDLC) lapb (LAPB) 
    arcnet (ARCnet) dlci (Frame Relay DLCI) frad (Frame Relay Access Device) 
    sit (IPv6-in-IPv4) fddi (Fiber Distributed Data Interface) hippi (HIPPI) 
    irda (IrLAP) ec (Econet) x25 (generic X.25) 
    eui64 (Generic EUI-64) 
  <AF>=Address family. Default: inet
  List of possible address families:
    unix (UNIX Domain) inet (DARPA Internet) inet6 (IPv6) 
    ax25 (AMPR AX.25) netrom (AMPR NET/ROM) rose (AMPR ROSE) 
    ipx (Novell IPX) ddp (Appletalk DDP) ec (Econet) 
    ash (Ash) x25 (CCITT X.25) 
`;
