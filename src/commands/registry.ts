// The commands a scenario may run that netsim answers itself, by name.
import { UnsupportedError, type CommandCheck, type NetworkCommand } from "./command.js";
import { bridge } from "./bridge.js";
import { brctl, checkBrctl } from "./brctl.js";
import { checkConntrack, conntrack } from "./conntrack.js";
import { checkIp, ip } from "./ip/ip.js";
import { checkIp6tables, checkIptables, ip6tables, iptables } from "./iptables/iptables.js";
import { checkIp6tablesRestore, checkIptablesRestore, ip6tablesRestore, iptablesRestore, iptablesRestoreOperandFiles } from "./iptables/iptables-restore.js";
import { checkIp6tablesSave, checkIptablesSave, ip6tablesSave, iptablesSave } from "./iptables/iptables-save.js";
import { nft, nftOperandFiles } from "./nft/nft.js";
import { checkIpset, ipset } from "./ipset.js";
import { nfacct } from "./nfacct.js";
import { checkCurl, curl } from "./curl.js";
import { checkNc, nc } from "./nc.js";
import { checkPython3, python3 } from "./python3.js";
import { checkSocat, socat } from "./socat.js";
import { checkWget, wget } from "./wget.js";
import { checkNsenter, nsenter } from "./nsenter.js";
import { checkPing, ping } from "./ping.js";
import { arp } from "./net-tools/arp.js";
import { ifconfig } from "./net-tools/ifconfig.js";
import { route } from "./net-tools/route.js";
import { checkSudo, sudo } from "./sudo.js";
import { checkSysctl, sysctl } from "./sysctl.js";
import { checkTcpdump, tcpdump } from "./tcpdump/tcpdump.js";

export const NETWORK_COMMANDS: ReadonlyMap<string, NetworkCommand> = new Map<string, NetworkCommand>([
  ["ip", ip],
  ["ping", ping],
  ["sysctl", sysctl],
  ["nsenter", nsenter],
  ["bridge", bridge],
  ["brctl", brctl],
  ["iptables", iptables],
  ["nft", nft],
  ["iptables-save", iptablesSave],
  ["iptables-restore", iptablesRestore],
  ["ip6tables", ip6tables],
  ["ip6tables-save", ip6tablesSave],
  ["ip6tables-restore", ip6tablesRestore],
  ["ipset", ipset],
  ["nfacct", nfacct],
  ["conntrack", conntrack],
  ["nc", nc],
  ["curl", curl],
  ["wget", wget],
  ["python3", python3],
  ["socat", socat],
  ["sudo", sudo],
  ["route", route],
  ["ifconfig", ifconfig],
  ["arp", arp],
  ["tcpdump", tcpdump],
]);

/**
 * The commands whose parsers run before the scenario does, on the words the
 * text fixes (src/scenario/static-check.ts), so every form they refuse is
 * listed in one run. A command not here is checked only where it runs.
 */
export const COMMAND_CHECKS: ReadonlyMap<string, CommandCheck> = new Map<string, CommandCheck>([
  ["ip", checkIp],
  ["ping", checkPing],
  ["nsenter", checkNsenter],
  ["iptables", checkIptables],
  ["ipset", checkIpset],
  ["conntrack", checkConntrack],
  ["nc", checkNc],
  ["sudo", checkSudo],
  ["tcpdump", checkTcpdump],
  ["iptables-save", checkIptablesSave],
  ["iptables-restore", checkIptablesRestore],
  ["ip6tables", checkIp6tables],
  ["ip6tables-save", checkIp6tablesSave],
  ["ip6tables-restore", checkIp6tablesRestore],
  ["curl", checkCurl],
  ["wget", checkWget],
  ["python3", checkPython3],
  ["socat", checkSocat],
  ["brctl", checkBrctl],
  ["sysctl", checkSysctl],
]);

/** For the commands that read files named on their command line: those names, which the shell reads for them beforehand. */
export const OPERAND_FILES: ReadonlyMap<string, (argv: readonly string[]) => string[]> = new Map([
  ["nft", nftOperandFiles],
  ["iptables-restore", iptablesRestoreOperandFiles],
  ["ip6tables-restore", iptablesRestoreOperandFiles],
]);

/**
 * Networking tools a real host has that netsim does not model. Left to the
 * shell they would say "command not found", which a real machine would not:
 * they are refused by name instead.
 */
export const UNMODELLED_TOOLS: readonly string[] = [
  "iptables-legacy",
  "ip6tables-legacy",
  "ip6tables-legacy-save",
  "ip6tables-legacy-restore",
  "ebtables",
  "arptables",
  "ncat",
  "netcat",
  "tc",
  "ss",
  "netstat",
  "arping",
  "ethtool",
  "traceroute",
  "tracepath",
  "docker",
  "unshare",
  "ping6",
  // Further host tools scripts call (kernel modules, DNS, wireless, services, other probes):
  "iptables-legacy-save",
  "iptables-legacy-restore",
  "ebtables-save",
  "modprobe",
  "insmod",
  "rmmod",
  "lsmod",
  "dig",
  "nslookup",
  "host",
  "resolvectl",
  "systemd-resolve",
  "iw",
  "iwconfig",
  "nmcli",
  "networkctl",
  "systemctl",
  "service",
  "dhclient",
  "dhcpcd",
  "udhcpc",
  "dnsmasq",
  "ifup",
  "ifdown",
  "traceroute6",
  "mtr",
  "nmap",
  "hping3",
  "iperf",
  "iperf3",
  "telnet",
  "ssh",
  "nstat",
  "lnstat",
  "rtmon",
  "conntrackd",
  "ovs-vsctl",
  "ovs-ofctl",
  "vconfig",
  "ipvsadm",
];

export function unmodelledTool(name: string): NetworkCommand {
  return () => {
    throw new UnsupportedError(name, `${name} is not modelled`);
  };
}
