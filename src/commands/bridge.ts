// bridge(8) from iproute2 (bridge/bridge.c, bridge/link.c, bridge/fdb.c):
// `bridge [-j] link [show [dev DEV]]` and `bridge [-j] fdb [show] [br BR] [dev DEV] [dynamic]`.
import type { NetDevice } from "../model/netdevice.js";
import type { NetworkNamespace } from "../model/netns.js";
import { isPortForwarding } from "../net/core/link-state.js";
import { deviceByName, devicesInOrder } from "../net/core/net-namespace.js";
import { displayName, linkFlags } from "../render/iproute2/link.js";
import { ipv6Configured } from "../render/iproute2/ipv6.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";
import { matches } from "./ip/ip-common.js";

const USAGE = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { link | fdb | mdb | vlan | vni | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -com[pressvlans] -c[olor] -p[retty] -j[son] }
`;

/** Path cost of a 10 Gb/s port (br_port_cost()): what veth reports. */
const VETH_PORT_COST = 2;

export function bridge(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let json = false;
  let index = 0;
  for (; index < argv.length && argv[index]!.startsWith("-"); index++) {
    const option = argv[index]!.replace(/^--/, "-");
    if (matches(option, "-json")) json = true;
    else throw new UnsupportedError(option, `bridge option "${option}" is not supported`);
  }
  const object = argv[index];
  if (object === undefined) throw new CommandError(USAGE, 255);
  const rest = argv.slice(index + 1);
  if (matches(object, "link")) return bridgeLink(rest, environment, json);
  if (matches(object, "fdb")) return bridgeFdb(rest, environment, json);
  if (["mdb", "vlan", "vni", "monitor"].some((name) => matches(object, name))) throw new UnsupportedError(object, `"bridge ${object}" is not modelled`);
  throw new CommandError(`Object "${object}" is unknown, try "bridge help".`, 255);
}

function requireDevice(namespace: NetworkNamespace, name: string): NetDevice {
  const device = deviceByName(namespace, name);
  if (!device) throw new CommandError(`Cannot find device "${name}"`, 1);
  return device;
}

function bridgeLink(argv: readonly string[], environment: CommandEnvironment, json: boolean): CommandOutcome {
  const command = argv[0];
  let filter: NetDevice | undefined;
  if (command !== undefined) {
    if (!matches(command, "show") && !matches(command, "list")) throw new UnsupportedError(command, `"bridge link ${command}" is not modelled`);
    for (let index = 1; index < argv.length; index++) {
      const word = argv[index]!;
      if (word === "dev") {
        const name = argv[++index];
        if (name === undefined) throw new CommandError('Command line is not complete. Try option "help"', 255);
        filter = requireDevice(environment.namespace, name);
      } else throw new UnsupportedError(word, `"bridge link show ${word}" is not modelled`);
    }
  }
  const { world, namespace } = environment;
  const ports = devicesInOrder(namespace).filter((device) => device.masterIndex !== undefined && (filter === undefined || device === filter));
  const rows = ports.map((port) => {
    if (port.kind !== "veth") throw new UnsupportedError(port.name, `bridge link for a ${port.kind} port is not modelled`);
    const master = namespace.devices.get(port.masterIndex!)!;
    const state = isPortForwarding(world, namespace, port) ? "forwarding" : "disabled";
    return { port, master, state, flags: linkFlags(world, namespace, port) };
  });
  if (json) {
    return done(
      `${JSON.stringify(
        rows.map(({ port, master, state, flags }) => {
          const peerName = port.peer && port.peer.namespaceId === namespace.id ? namespace.devices.get(port.peer.index)?.name : undefined;
          return {
            ifindex: port.index,
            ...(port.peer ? { link: peerName ?? `if${port.peer.index}` } : {}),
            ifname: port.name,
            flags,
            mtu: port.mtu,
            master: master.name,
            state,
            priority: 32,
            cost: VETH_PORT_COST,
          };
        }),
      )}\n`,
    );
  }
  return done(rows.map(({ port, master, state, flags }) => `${port.index}: ${displayName(world, namespace, port)}: <${flags.join(",")}> mtu ${port.mtu} master ${master.name} state ${state} priority 32 cost ${VETH_PORT_COST} \n`).join(""));
}

interface FdbRow {
  readonly mac: string;
  readonly device: NetDevice;
  /** The bridge, for entries of its forwarding database; absent for the device's own multicast list ("self"). */
  readonly master?: NetDevice;
  readonly permanent: boolean;
}

/**
 * dev_mc list of a device as ndo_dflt_fdb_dump prints it, in the order the
 * groups were joined: all-nodes (at registration, IPv6 on), a bridge's
 * all-snoopers groups and all-hosts (when up), the solicited-node group of
 * the link-local address (once IPv6 is configured).
 */
function multicastList(environment: CommandEnvironment, device: NetDevice): string[] {
  const macs: string[] = [];
  if (!device.ipv6?.disabled) macs.push("33:33:00:00:00:01");
  if (device.adminUp) {
    if (device.kind === "bridge") macs.push("01:00:5e:00:00:6a", "33:33:00:00:00:6a");
    macs.push("01:00:5e:00:00:01");
  }
  if (ipv6Configured(environment.world, environment.namespace, device) && !device.ipv6?.linkLocalRemoved) macs.push(`33:33:ff:${device.mac.split(":").slice(3).join(":")}`);
  return macs;
}

function bridgeFdb(argv: readonly string[], environment: CommandEnvironment, json: boolean): CommandOutcome {
  const { namespace, world } = environment;
  let bridgeDevice: NetDevice | undefined;
  let deviceFilter: NetDevice | undefined;
  let dynamicOnly = false;
  let index = 0;
  if (argv[0] !== undefined && (matches(argv[0], "show") || matches(argv[0], "list"))) index = 1;
  else if (argv[0] !== undefined && !["br", "brport", "dev", "dynamic"].includes(argv[0])) throw new UnsupportedError(argv[0], `"bridge fdb ${argv[0]}" is not modelled`);
  for (; index < argv.length; index++) {
    const word = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new CommandError('Command line is not complete. Try option "help"', 255);
      return next;
    };
    if (word === "br") bridgeDevice = requireDevice(namespace, value());
    else if (word === "dev" || word === "brport") deviceFilter = requireDevice(namespace, value());
    else if (word === "dynamic") dynamicOnly = true;
    else throw new UnsupportedError(word, `"bridge fdb show ${word}" is not modelled`);
  }
  const now = world.clock;
  const rows: FdbRow[] = [];
  for (const device of devicesInOrder(namespace)) {
    if (deviceFilter && device !== deviceFilter) continue;
    if (bridgeDevice && device !== bridgeDevice && device.masterIndex !== bridgeDevice.index) continue;
    const master = device.bridge ? device : device.masterIndex !== undefined ? namespace.devices.get(device.masterIndex) : undefined;
    // br_fdb_dump(): newest entry first; an aged-out entry is gone.
    const fdb = master?.bridge
      ? [...master.bridge.fdb.values()].filter((entry) => entry.portIndex === device.index && (entry.local || now - entry.updatedAt <= master.bridge!.ageingTime * 10_000)).reverse()
      : [];
    const own: FdbRow[] = fdb.map((entry) => ({ mac: entry.mac, device, master: master!, permanent: entry.local }));
    const self: FdbRow[] = multicastList(environment, device).map((mac) => ({ mac, device, permanent: true }));
    // A bridge lists its own multicast groups before its fdb entries; a port the other way round.
    rows.push(...(device.bridge ? [...self, ...own] : [...own, ...self]));
  }
  const shown = rows.filter((row) => !dynamicOnly || (row.master !== undefined && !row.permanent));
  if (json) {
    return done(
      `${JSON.stringify(
        shown.map((row) => ({
          mac: row.mac,
          ...(deviceFilter ? {} : { ifname: row.device.name }),
          flags: row.master ? [] : ["self"],
          ...(row.master ? { master: row.master.name } : {}),
          state: row.permanent ? "permanent" : "",
        })),
      )}\n`,
    );
  }
  return done(
    shown
      .map((row) => {
        const words = [row.mac];
        if (!deviceFilter) words.push("dev", row.device.name);
        words.push(...(row.master ? ["master", row.master.name] : ["self"]));
        // A learned entry has no state word, but the separator before it is still printed.
        return row.permanent ? `${words.join(" ")} permanent\n` : `${words.join(" ")} \n`;
      })
      .join(""),
  );
}
