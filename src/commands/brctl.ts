// brctl(8) from bridge-utils 1.7 (brctl/brctl.c, brctl_cmd.c, brctl_disp.c):
// addbr, delbr, addif, delif, hairpin, setageing, stp (off), show, showmacs,
// with bridge-utils' own texts (measured; goldens in test/fixtures/bridge-utils).
// Every change goes through the same typed operations as `ip` and `bridge`.
// brctl sets hairpin through /sys/class/net/BR/brif/PORT/hairpin_mode: the
// texts are those of a host with sysfs mounted.
import type { NetDevice } from "../model/netdevice.js";
import { applyOperation, deviceByName } from "../net/index.js";
import { devicesInOrder } from "../model/netns.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const COMMANDS: readonly (readonly [string, string, string])[] = [
  ["addbr", "<bridge>\t\t", "add bridge"],
  ["delbr", "<bridge>\t\t", "delete bridge"],
  ["addif", "<bridge> <device>\t", "add interface to bridge"],
  ["delif", "<bridge> <device>\t", "delete interface from bridge"],
  ["hairpin", "<bridge> <port> {on|off}\t", "turn hairpin on/off"],
  ["setageing", "<bridge> <time>\t\t", "set ageing time"],
  ["setbridgeprio", "<bridge> <prio>\t\t", "set bridge priority"],
  ["setfd", "<bridge> <time>\t\t", "set bridge forward delay"],
  ["sethello", "<bridge> <time>\t\t", "set hello time"],
  ["setmaxage", "<bridge> <time>\t\t", "set max message age"],
  ["setpathcost", "<bridge> <port> <cost>\t", "set path cost"],
  ["setportprio", "<bridge> <port> <prio>\t", "set port priority"],
  ["show", "[ <bridge> ]\t\t", "show a list of bridges"],
  ["showmacs", "<bridge>\t\t", "show a list of mac addrs"],
  ["showstp", "<bridge>\t\t", "show bridge stp info"],
  ["stp", "<bridge> {on|off}\t", "turn stp on/off"],
];

/** Arguments each command takes after its name (brctl_cmd.c's command table: nargs, and show's "at most one or more"). */
const ARGUMENTS: Readonly<Record<string, number>> = { addbr: 1, delbr: 1, addif: 2, delif: 2, hairpin: 3, setageing: 2, setbridgeprio: 2, setfd: 2, sethello: 2, setmaxage: 2, setpathcost: 3, setportprio: 3, show: 0, showmacs: 1, showstp: 1, stp: 2 };

/** help(): printed on stdout. */
export const BRCTL_USAGE = `Usage: brctl [commands]\ncommands:\n${COMMANDS.map(([name, args, help]) => `\t${name.padEnd(10)}\t${args}${help}\n`).join("")}`;

function commandUsage(name: string): string {
  const [, args, help] = COMMANDS.find(([candidate]) => candidate === name)!;
  return `Incorrect number of arguments for command\nUsage: brctl ${name} ${args}${help}\n`;
}

function fail(stderr: string, stdout = ""): CommandOutcome {
  return done(stdout, `${stderr}\n`, 1);
}

function bridgeNamed(environment: CommandEnvironment, name: string): NetDevice | undefined {
  const device = deviceByName(environment.namespace, name);
  return device?.kind === "bridge" ? device : undefined;
}

function origin(environment: CommandEnvironment) {
  return environment.origin ? { origin: environment.origin } : {};
}

/** The on/off words brctl takes (brctl_cmd.c: "on", "yes", "1" / "off", "no", "0"). */
function onOff(word: string): boolean | undefined {
  if (word === "on" || word === "yes" || word === "1") return true;
  if (word === "off" || word === "no" || word === "0") return false;
  return undefined;
}

/** The brctl commands netsim runs; the others of ARGUMENTS are refused by name. */
const MODELLED = new Set(["addbr", "delbr", "addif", "delif", "hairpin", "setageing", "stp", "show", "showmacs"]);

/** brctl's command line, read without a world: the command and its operands, or the usage brctl prints. */
function parseBrctl(argv: readonly string[]): { readonly name: string; readonly args: readonly string[] } | CommandOutcome {
  const [name, ...args] = argv;
  if (name === undefined) return done(BRCTL_USAGE, "", 1);
  if (name.startsWith("-")) throw new UnsupportedError(name, `brctl option "${name}" is not modelled`);
  if (!(name in ARGUMENTS)) return done(BRCTL_USAGE, `never heard of command [${name}]\n`, 1);
  for (const arg of args) if (arg.startsWith("-")) throw new UnsupportedError(arg, `brctl's option parsing of "${arg}" is not modelled`);
  const needed = ARGUMENTS[name]!;
  // addif and delif take more than one interface; show takes any number of bridges.
  if (name === "show" ? false : name === "addif" || name === "delif" ? args.length < needed : args.length !== needed) return done(commandUsage(name), "", 1);
  if (!MODELLED.has(name)) throw new UnsupportedError(name, `"brctl ${name}" is not modelled (STP timers and priorities are not)`);
  return { name, args };
}

/** The check before the run. */
export function checkBrctl(argv: readonly string[]): undefined {
  parseBrctl(argv);
  return undefined;
}

export function brctl(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const line = parseBrctl(argv);
  if ("kind" in line) return line;
  const { name, args } = line;
  switch (name) {
    case "addbr":
      return addbr(environment, args[0]!);
    case "delbr":
      return delbr(environment, args[0]!);
    case "addif":
      return addif(environment, args[0]!, args.slice(1));
    case "delif":
      return delif(environment, args[0]!, args.slice(1));
    case "hairpin":
      return hairpin(environment, args[0]!, args[1]!, args[2]!);
    case "setageing":
      return setageing(environment, args[0]!, args[1]!);
    case "stp":
      return stp(environment, args[0]!, args[1]!);
    case "show":
      return show(environment, args);
    case "showmacs":
      return showmacs(environment, args[0]!);
    default:
      throw new UnsupportedError(name, `"brctl ${name}" is not modelled (STP timers and priorities are not)`);
  }
}

/** br_add_bridge(): SIOCBRADDBR. */
function addbr(environment: CommandEnvironment, name: string): CommandOutcome {
  if (deviceByName(environment.namespace, name)) return fail(`device ${name} already exists; can't create bridge with the same name`);
  const result = applyOperation(environment.world, { op: "link-add", namespaceId: environment.namespace.id, name, kind: "bridge", ...origin(environment) });
  if (!result.ok) return fail(`add bridge ${name} failed: ${result.error.errno}`);
  return done("");
}

/** br_del_bridge(): SIOCBRDELBR refuses a bridge that is up, and anything not a bridge. */
function delbr(environment: CommandEnvironment, name: string): CommandOutcome {
  const device = deviceByName(environment.namespace, name);
  if (!device) return fail(`bridge ${name} doesn't exist; can't delete it`);
  if (device.kind !== "bridge") return fail(`can't delete bridge ${name}: Operation not permitted`);
  if (device.adminUp) return fail(`bridge ${name} is still up; can't delete it`);
  applyOperation(environment.world, { op: "link-delete", namespaceId: environment.namespace.id, index: device.index, ...origin(environment) });
  return done("");
}

/** br_add_interface() for each device, as br_cmd_addif() reports each failure. */
function addif(environment: CommandEnvironment, bridgeName: string, names: readonly string[]): CommandOutcome {
  const master = deviceByName(environment.namespace, bridgeName);
  if (!master) return fail(`bridge ${bridgeName} does not exist!`);
  let stderr = "";
  for (const name of names) {
    const device = deviceByName(environment.namespace, name);
    if (!device) stderr += `interface ${name} does not exist!\n`;
    else if (master.kind !== "bridge") stderr += `can't add ${name} to bridge ${bridgeName}: Operation not supported\n`;
    else if (device.kind === "bridge") stderr += `device ${name} is a bridge device itself; can't add a bridge device to a bridge device.\n`;
    else if (device.masterIndex !== undefined) stderr += `device ${name} is already a member of a bridge; can't add it to bridge ${bridgeName}.\n`;
    else if (device.kind === "loopback") stderr += `can't add ${name} to bridge ${bridgeName}: Invalid argument\n`;
    else applyOperation(environment.world, { op: "link-set", namespaceId: environment.namespace.id, index: device.index, masterIndex: master.index, ...origin(environment) });
  }
  return done("", stderr, stderr === "" ? 0 : 1);
}

/** br_del_interface(): SIOCBRDELIF; EINVAL when the device is not this bridge's port. */
function delif(environment: CommandEnvironment, bridgeName: string, names: readonly string[]): CommandOutcome {
  const master = deviceByName(environment.namespace, bridgeName);
  if (!master) return fail(`bridge ${bridgeName} does not exist!`);
  let stderr = "";
  for (const name of names) {
    const device = deviceByName(environment.namespace, name);
    if (!device) stderr += `interface ${name} does not exist!\n`;
    else if (device.masterIndex !== master.index) stderr += `device ${name} is not a port of ${bridgeName}\n`;
    else applyOperation(environment.world, { op: "link-set", namespaceId: environment.namespace.id, index: device.index, masterIndex: null, ...origin(environment) });
  }
  return done("", stderr, stderr === "" ? 0 : 1);
}

/** br_set_hairpin_mode(): writes /sys/class/net/BR/brif/PORT/hairpin_mode. */
function hairpin(environment: CommandEnvironment, bridgeName: string, portName: string, word: string): CommandOutcome {
  const master = deviceByName(environment.namespace, bridgeName);
  if (!master) return fail(`bridge ${bridgeName} does not exist!`);
  const port = deviceByName(environment.namespace, portName);
  if (!port) return fail(`interface ${portName} does not exist!`);
  const on = onOff(word);
  if (on === undefined) return fail("expect on/off for argument");
  // The write goes to /sys/class/net/PORT/brport/hairpin_mode: any bridge's port takes it, a non-port has no such file.
  if (port.masterIndex === undefined) return fail(`can't set ${portName} to hairpin on bridge ${bridgeName}: No such file or directory`);
  applyOperation(environment.world, { op: "bridge-port-set", namespaceId: environment.namespace.id, index: port.index, flags: { hairpin: on }, ...origin(environment) });
  return done("");
}

/** br_set_ageing_time(): seconds as sscanf("%lf") reads them, kept in centiseconds. */
function setageing(environment: CommandEnvironment, bridgeName: string, text: string): CommandOutcome {
  const match = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  if (!match) return fail("bad ageing time value");
  const seconds = Number(match[0]);
  const bridge = bridgeNamed(environment, bridgeName);
  if (!bridge) return fail("set ageing time failed: No such device");
  applyOperation(environment.world, { op: "bridge-set", namespaceId: environment.namespace.id, index: bridge.index, ageingTime: Math.round(seconds * 100), ...origin(environment) });
  return done("");
}

/** br_set_stp_state(): STP off is the model's only state; turning it on would need STP's port states. */
function stp(environment: CommandEnvironment, bridgeName: string, word: string): CommandOutcome {
  const on = onOff(word);
  if (on === undefined) return fail("expect on/off for argument");
  if (!bridgeNamed(environment, bridgeName)) return fail("set stp status failed: No such device");
  if (on) throw new UnsupportedError(word, "brctl stp on: the spanning tree protocol (listening and learning port states) is not modelled");
  return done("");
}

/** The bridge id as brctl prints it: priority 8000, then the bridge address (all zeros until a port joins or the address is set). */
function bridgeId(environment: CommandEnvironment, bridge: NetDevice): string {
  const hasPorts = devicesInOrder(environment.namespace).some((device) => device.masterIndex === bridge.index);
  return `8000.${hasPorts || bridge.bridge!.macFixed ? bridge.mac.replace(/:/g, "") : "000000000000"}`;
}

const SHOW_HEADER = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n";

/** show_bridge(): name, id, STP, then the ports in name order, one a line. */
function showBridge(environment: CommandEnvironment, bridge: NetDevice): string {
  const ports = devicesInOrder(environment.namespace)
    .filter((device) => device.masterIndex === bridge.index)
    .map((device) => device.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = ports.length === 0 ? "\n" : ports.map((port, index) => (index === 0 ? `${port}\n` : `\t\t\t\t\t\t\t${port}\n`)).join("");
  return `${bridge.name}\t\t${bridgeId(environment, bridge)}\tno\t\t${lines}`;
}

function show(environment: CommandEnvironment, names: readonly string[]): CommandOutcome {
  if (names.length === 0) {
    const bridges = devicesInOrder(environment.namespace)
      .filter((device) => device.kind === "bridge")
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The header comes with the first bridge: no bridge, no output.
    return done(bridges.length === 0 ? "" : SHOW_HEADER + bridges.map((bridge) => showBridge(environment, bridge)).join(""));
  }
  let stdout = "";
  let stderr = "";
  for (const name of names) {
    const device = deviceByName(environment.namespace, name);
    if (!device) stderr += `bridge ${name} does not exist!\n`;
    else if (device.kind !== "bridge") stderr += `device ${name} is not a bridge!\n`;
    else stdout += (stdout === "" ? SHOW_HEADER : "") + showBridge(environment, device);
  }
  return done(stdout, stderr, stderr === "" ? 0 : 1);
}

/** br_read_fdb() and the display: every entry of a port, sorted by address; the timer is the time since the entry was refreshed. */
function showmacs(environment: CommandEnvironment, bridgeName: string): CommandOutcome {
  const bridge = bridgeNamed(environment, bridgeName);
  if (!bridge) return fail("read of forward table failed: No such device");
  const now = environment.world.clock;
  const ageing = bridge.bridge!.ageingTime * 10_000;
  const rows = [...bridge.bridge!.fdb.values()]
    .filter((entry) => entry.portIndex !== bridge.index && (entry.local || now - entry.updatedAt <= ageing))
    .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0))
    .map((entry) => {
      const port = environment.namespace.devices.get(entry.portIndex);
      const centiseconds = entry.local ? 0 : Math.floor((now - entry.updatedAt) / 10_000);
      const timer = `${String(Math.floor(centiseconds / 100)).padStart(4)}.${String(centiseconds % 100).padStart(2, "0")}`;
      return `${String(port?.brportNo ?? 0).padStart(3)}\t${entry.mac}\t${entry.local ? "yes" : "no"}\t\t${timer}\n`;
    });
  return done(`port no\tmac addr\t\tis local?\tageing timer\n${rows.join("")}`);
}
