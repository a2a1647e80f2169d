// bridge(8) from iproute2 (bridge/bridge.c, bridge/link.c, bridge/fdb.c):
// `bridge [-j] [-d] link [show [dev DEV]]`, `bridge link set dev DEV FLAG on|off ...` and `bridge [-j] fdb [show] [br BR] [dev DEV] [dynamic]`.
import { DEFAULT_BRIDGE_PORT_FLAGS, type BridgePortFlags } from "../model/bridge.js";
import type { NetDevice } from "../model/netdevice.js";
import { applyOperation, deviceByName, isPortForwarding } from "../net/index.js";
import type { NetworkNamespace } from "../model/netns.js";
import { devicesInOrder } from "../model/netns.js";
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
  let details = false;
  let index = 0;
  for (; index < argv.length && argv[index]!.startsWith("-"); index++) {
    const option = argv[index]!.replace(/^--/, "-");
    if (matches(option, "-json")) json = true;
    else if (matches(option, "-details")) details = true;
    else throw new UnsupportedError(option, `bridge option "${option}" is not supported`);
  }
  const object = argv[index];
  if (object === undefined) throw new CommandError(USAGE, 255);
  const rest = argv.slice(index + 1);
  if (matches(object, "link")) return rest[0] !== undefined && matches(rest[0], "set") ? bridgeLinkSet(rest.slice(1), environment) : bridgeLink(rest, environment, json, details);
  if (matches(object, "fdb")) return bridgeFdb(rest, environment, json);
  if (["mdb", "vlan", "vni", "monitor"].some((name) => matches(object, name))) throw new UnsupportedError(object, `"bridge ${object}" is not modelled`);
  throw new CommandError(`Object "${object}" is unknown, try "bridge help".`, 255);
}

function requireDevice(namespace: NetworkNamespace, name: string): NetDevice {
  const device = deviceByName(namespace, name);
  if (!device) throw new CommandError(`Cannot find device "${name}"`, 1);
  return device;
}

const LINK_SET_USAGE = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]`;

/** The `bridge link set` flags the model has (br_setport()); others are refused by name. */
const LINK_SET_FLAGS: Readonly<Record<string, keyof BridgePortFlags>> = { hairpin: "hairpin", learning: "learning", flood: "flood", mcast_flood: "mcastFlood", bcast_flood: "bcastFlood", isolated: "isolated" };
const LINK_SET_UNMODELLED = new Set(["cost", "priority", "state", "guard", "fastleave", "root_block", "learning_sync", "mcast_router", "mcast_to_unicast", "neigh_suppress", "vlan_tunnel", "locked", "hwmode", "backup_port", "nobackup_port", "self", "master", "mab", "mcast_n_groups", "mcast_max_groups"]);

/** bridge/link.c brlink_modify(): `bridge link set dev DEV FLAG on|off ...`, one RTM_SETLINK for all of them. */
function bridgeLinkSet(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let name: string | undefined;
  const flags: Partial<BridgePortFlags> = {};
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new CommandError('Command line is not complete. Try option "help"', 255);
      return next;
    };
    if (word === "dev") name = value();
    else if (word in LINK_SET_FLAGS) {
      const setting = value();
      // parse_on_off(): exit(-EINVAL), which the shell sees as 234.
      if (setting !== "on" && setting !== "off") throw new CommandError(`Error: argument of "${word}" must be one of "off", "on", not "${setting}"`, 234);
      flags[LINK_SET_FLAGS[word]!] = setting === "on";
    } else if (LINK_SET_UNMODELLED.has(word)) throw new UnsupportedError(word, `"bridge link set ... ${word}" is not modelled`);
    else throw new CommandError(LINK_SET_USAGE, 255);
  }
  if (name === undefined) throw new CommandError("Device is a required argument.", 255);
  const device = deviceByName(environment.namespace, name);
  if (!device) throw new CommandError(`Cannot find bridge device "${name}"`, 255);
  const result = applyOperation(environment.world, { op: "bridge-port-set", namespaceId: environment.namespace.id, index: device.index, flags, ...(environment.origin ? { origin: environment.origin } : {}) });
  if (!result.ok) throw new CommandError("RTNETLINK answers: Operation not supported", 255);
  return done("");
}

/** The `-d` line of a port (bridge/link.c print_protinfo()): the flags the model keeps, the rest as a new port has them. */
function protinfoWords(port: NetDevice): string {
  const flags = port.brport ?? DEFAULT_BRIDGE_PORT_FLAGS;
  const onOff = (on: boolean) => (on ? "on" : "off");
  return `    hairpin ${onOff(flags.hairpin)} guard off root_block off fastleave off learning ${onOff(flags.learning)} flood ${onOff(flags.flood)} mcast_flood ${onOff(flags.mcastFlood)} bcast_flood ${onOff(flags.bcastFlood)} mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated ${onOff(flags.isolated)} locked off \n`;
}

function protinfoJson(port: NetDevice): Record<string, boolean | number> {
  const flags = port.brport ?? DEFAULT_BRIDGE_PORT_FLAGS;
  return { hairpin: flags.hairpin, guard: false, root_block: false, fastleave: false, learning: flags.learning, flood: flags.flood, mcast_flood: flags.mcastFlood, bcast_flood: flags.bcastFlood, mcast_router: 1, mcast_to_unicast: false, neigh_suppress: false, vlan_tunnel: false, isolated: flags.isolated, locked: false };
}

function bridgeLink(argv: readonly string[], environment: CommandEnvironment, json: boolean, details: boolean): CommandOutcome {
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
            ...(details ? protinfoJson(port) : {}),
          };
        }),
      )}\n`,
    );
  }
  return done(rows.map(({ port, master, state, flags }) => `${port.index}: ${displayName(world, namespace, port)}: <${flags.join(",")}> mtu ${port.mtu} master ${master.name} state ${state} priority 32 cost ${VETH_PORT_COST} \n${details ? protinfoWords(port) : ""}`).join(""));
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
