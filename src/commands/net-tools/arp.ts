// `arp` (net-tools 2.10 arp.c: arp_show, arp_disp, arp_disp_2, arp_set,
// arp_del): the neighbour table as /proc/net/arp shows it
// (arp_format_neigh_entry), and SIOCSARP/SIOCDARP as arp_req_set() and
// arp_req_delete() (net/ipv4/arp.c) apply them, through the same neighbour
// operations `ip neigh` sends.
import { formatIpv4Address, type Ipv4Address } from "../../model/address.js";
import { STRERROR } from "../../model/errno.js";
import { parseMacAddress } from "../../model/mac.js";
import type { NeighbourEntry, NeighbourState } from "../../model/neighbour.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { LOOPBACK_IFINDEX, applyOperation, deviceByName, fibLookup, neighbourState } from "../../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "../command.js";
import { inetAton, lookupFailure } from "./inet.js";

const ATF_COM = 0x02;
const ATF_PERM = 0x04;
/** NUD_VALID: the states /proc/net/arp marks complete. */
const VALID: ReadonlySet<NeighbourState> = new Set(["PERMANENT", "NOARP", "REACHABLE", "PROBE", "STALE", "DELAY"]);

const ARP_USAGE = `Usage:
  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]             <-Display ARP cache
  arp [-v]          [-i <if>] -d  <host> [pub]               <-Delete ARP entry
  arp [-vnD] [<HW>] [-i <if>] -f  [<filename>]            <-Add entry from file
  arp [-v]   [<HW>] [-i <if>] -s  <host> <hwaddr> [temp]            <-Add entry
  arp [-v]   [<HW>] [-i <if>] -Ds <host> <if> [netmask <nm>] pub          <-''-

        -a                       display (all) hosts in alternative (BSD) style
        -e                       display (all) hosts in default (Linux) style
        -s, --set                set a new ARP entry
        -d, --delete             delete a specified entry
        -v, --verbose            be verbose
        -n, --numeric            don't resolve names
        -i, --device             specify network interface (e.g. eth0)
        -D, --use-device         read <hwaddr> from given device
        -A, -p, --protocol       specify protocol family
        -f, --file               read new entries from file or from /etc/ethers

  <HW>=Use '-H <hw>' to specify hardware address type. Default: ether
  List of possible hardware types (which support ARP):
    ash (Ash) ether (Ethernet) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) arcnet (ARCnet) 
    dlci (Frame Relay DLCI) fddi (Fiber Distributed Data Interface) hippi (HIPPI) 
    irda (IrLAP) x25 (generic X.25) eui64 (Generic EUI-64) 
`;

/** arp.c's failures return -1: exit status 255. */
const FAILED = 255;

export function arp(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  let bsd = false;
  let device = "";
  let mode: "show" | "set" | "delete" = "show";
  const words: string[] = [];
  // GNU getopt "A:H:adfp:nsei:t:vh?DNV" with permutation: options anywhere.
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (!word.startsWith("-") || word === "-") {
      words.push(word);
      continue;
    }
    const long: Record<string, string> = { "--numeric": "n", "--set": "s", "--delete": "d", "--device": "i", "--all": "a" };
    const letters = word.startsWith("--") ? long[word] : word.slice(1);
    if (letters === undefined) throw new UnsupportedError(word, `arp option "${word}" is not modelled`);
    for (let position = 0; position < letters.length; position++) {
      const letter = letters[position]!;
      if (letter === "n") continue;
      else if (letter === "a") bsd = true;
      else if (letter === "e") bsd = false;
      else if (letter === "s") mode = "set";
      else if (letter === "d") mode = "delete";
      else if (letter === "i") {
        const rest = letters.slice(position + 1);
        const value = rest !== "" ? rest : argv[++index];
        if (value === undefined) throw new CommandError(`arp: option requires an argument -- 'i'\n${ARP_USAGE}`, 3);
        device = value;
        break;
      } else if ("AHpftvDNVh".includes(letter)) throw new UnsupportedError(word, `arp -${letter} is not modelled`);
      else throw new CommandError(`arp: invalid option -- '${letter}'\n${ARP_USAGE}`, 3);
    }
  }
  if (mode === "set") return arpSet(words, environment, device);
  if (mode === "delete") return arpDelete(words, environment, device);
  if (words.length > 1) throw new UnsupportedError(words[1]!, "arp with more than one host to show is not modelled");
  return arpShow(words[0], environment, device, bsd);
}

function resolveHost(text: string): Ipv4Address {
  const address = inetAton(text);
  if (address === undefined) throw new CommandError(lookupFailure(text), FAILED);
  return address;
}

/** arp_show() over /proc/net/arp (which skips NOARP-only entries). */
function arpShow(host: string | undefined, environment: CommandEnvironment, deviceFilter: string, bsd: boolean): CommandOutcome {
  const namespace = environment.namespace;
  const now = environment.world.clock;
  const address = host === undefined ? undefined : resolveHost(host);
  const entries = [...namespace.neighbours.values()].filter((entry) => neighbourState(entry, now) !== "NOARP");
  const shown = entries.filter(
    (entry) => (address === undefined || entry.address === address) && (deviceFilter === "" || deviceName(namespace, entry) === deviceFilter),
  );
  let out = "";
  if (!bsd && shown.length > 0) out += "Address                  HWtype  HWaddress           Flags Mask            Iface\n";
  for (const entry of shown) {
    const state = neighbourState(entry, now);
    const flags = (VALID.has(state) ? ATF_COM : 0) | (state === "PERMANENT" ? ATF_PERM : 0);
    const ip = formatIpv4Address(entry.address);
    const dev = deviceName(namespace, entry);
    if (bsd) {
      const link = (flags & ATF_COM) !== 0 ? `${entry.mac ?? "00:00:00:00:00:00"} [ether] ` : "<incomplete> ";
      out += `? (${ip}) at ${link}${(flags & ATF_PERM) !== 0 ? "PERM " : ""}on ${dev}\n`;
    } else {
      const flagText = `${(flags & ATF_COM) !== 0 ? "C" : ""}${(flags & ATF_PERM) !== 0 ? "M" : ""}`;
      const hardware = (flags & ATF_COM) !== 0 ? `${"ether".padEnd(8)}${(entry.mac ?? "").padEnd(20)}` : `${"".padEnd(8)}${"(incomplete)".padEnd(20)}`;
      out += `${ip.padEnd(23)}  ${hardware}${flagText.padEnd(6)}${"".padEnd(15)} ${dev}\n`;
    }
  }
  if (shown.length === 0) {
    if (address !== undefined && !bsd) out += `${host} (${formatIpv4Address(address)}) -- no entry\n`;
    else if (address !== undefined || deviceFilter !== "") out += `arp: in ${entries.length} entries no match found.\n`;
  }
  return { kind: "done", stdout: out, stderr: "", exitCode: 0 };
}

function deviceName(namespace: NetworkNamespace, entry: NeighbourEntry): string {
  return namespace.devices.get(entry.deviceIndex)?.name ?? "-";
}

/** arp_req_set()/arp_req_delete() without a device: the one a link-scope route to the address leaves by. */
function deviceFor(namespace: NetworkNamespace, address: Ipv4Address, deviceText: string): number | "ENODEV" | "ENETUNREACH" {
  if (deviceText !== "") return deviceByName(namespace, deviceText)?.index ?? "ENODEV";
  const found = fibLookup(namespace, address);
  if (!found) return "ENETUNREACH";
  if (found.route.type === "local") return LOOPBACK_IFINDEX;
  if (found.route.type !== "unicast" || found.route.nexthop === undefined || found.route.nexthop.gateway !== undefined) return "ENETUNREACH";
  return found.route.nexthop.deviceIndex;
}

/** Modifiers after the address (and MAC): `dev DEV`, `temp`; the proxy forms are not modelled. */
function modifiers(words: readonly string[], device: string): { device: string; temporary: boolean } {
  let temporary = false;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (word === "temp") temporary = true;
    else if (word === "dev") {
      const value = words[++index];
      if (value === undefined) throw new CommandError(ARP_USAGE, 3);
      device = value;
    } else if (["pub", "priv", "trail", "dontpub", "auto", "netmask"].includes(word)) throw new UnsupportedError(word, `arp ... ${word} is not modelled`);
    else throw new CommandError(ARP_USAGE, 3);
  }
  return { device, temporary };
}

function arpSet(words: readonly string[], environment: CommandEnvironment, deviceOption: string): CommandOutcome {
  const [host, hardware, ...rest] = words;
  if (host === undefined) throw new CommandError("arp: need host name", FAILED);
  const address = resolveHost(host);
  if (hardware === undefined) throw new CommandError("arp: need hardware address", FAILED);
  const mac = parseMacAddress(hardware);
  if (mac === undefined) throw new CommandError("arp: invalid hardware address", FAILED);
  const { device, temporary } = modifiers(rest, deviceOption);
  const namespace = environment.namespace;
  const deviceIndex = deviceFor(namespace, address, device);
  if (typeof deviceIndex === "string") throw new CommandError(`SIOCSARP: ${STRERROR[deviceIndex]}`, FAILED);
  // ATF_COM with ATF_PERM: NUD_PERMANENT; without (temp): NUD_STALE; either overrides what is there.
  const result = applyOperation(environment.world, {
    op: "neigh-set",
    namespaceId: namespace.id,
    deviceIndex,
    address,
    mac,
    state: temporary ? "STALE" : "PERMANENT",
    exclusive: false,
    ...(environment.origin ? { origin: environment.origin } : {}),
  });
  if (!result.ok) throw new CommandError(`SIOCSARP: ${STRERROR[result.error.errno]}`, FAILED);
  return { kind: "done", stdout: "", stderr: "", exitCode: 0 };
}

function arpDelete(words: readonly string[], environment: CommandEnvironment, deviceOption: string): CommandOutcome {
  const [host, ...rest] = words;
  if (host === undefined) throw new CommandError("arp: need host name", FAILED);
  const address = resolveHost(host);
  const { device } = modifiers(rest, deviceOption);
  const namespace = environment.namespace;
  const deviceIndex = deviceFor(namespace, address, device);
  if (typeof deviceIndex === "string") throw new CommandError(`SIOCDARP(dontpub): ${STRERROR[deviceIndex]}`, FAILED);
  const result = applyOperation(environment.world, {
    op: "neigh-delete",
    namespaceId: namespace.id,
    deviceIndex,
    address,
    ...(environment.origin ? { origin: environment.origin } : {}),
  });
  // ENXIO for the private entry, then again for the proxy one: "No ARP entry", on stdout.
  if (!result.ok) return { kind: "done", stdout: `No ARP entry for ${host}\n`, stderr: "", exitCode: FAILED };
  return { kind: "done", stdout: "", stderr: "", exitCode: 0 };
}
