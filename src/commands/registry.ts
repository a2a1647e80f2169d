// The commands a scenario may run that netsim answers itself, by name.
import { UnsupportedError, type NetworkCommand } from "./command.js";
import { ip } from "./ip/ip.js";
import { nsenter } from "./nsenter.js";
import { ping } from "./ping.js";
import { sysctl } from "./sysctl.js";

export const NETWORK_COMMANDS: ReadonlyMap<string, NetworkCommand> = new Map<string, NetworkCommand>([
  ["ip", ip],
  ["ping", ping],
  ["sysctl", sysctl],
  ["nsenter", nsenter],
]);

/**
 * Networking tools a real host has that netsim does not model. Left to the
 * shell they would say "command not found", which a real machine would not:
 * they are refused by name instead.
 */
export const UNMODELLED_TOOLS: readonly string[] = [
  "iptables",
  "iptables-save",
  "iptables-restore",
  "iptables-legacy",
  "ip6tables",
  "nft",
  "ebtables",
  "arptables",
  "conntrack",
  "nc",
  "ncat",
  "netcat",
  "socat",
  "bridge",
  "brctl",
  "tc",
  "ss",
  "netstat",
  "arp",
  "arping",
  "ifconfig",
  "route",
  "ethtool",
  "tcpdump",
  "traceroute",
  "tracepath",
  "curl",
  "wget",
  "docker",
  "unshare",
  "ping6",
];

export function unmodelledTool(name: string): NetworkCommand {
  return () => {
    throw new UnsupportedError(name, `${name} is not modelled`);
  };
}
