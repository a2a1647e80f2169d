// sysctl(8) (procps) and writes to /proc/sys, for the keys the model follows.
import { applyOperation, readSysctl } from "../net/index.js";
import { CommandError, done, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

/** net/ipv4/ip_forward and net.ipv4.ip_forward name the same key. */
export function normaliseSysctlKey(key: string): string {
  return key.replace(/^\/proc\/sys\//, "").replace(/\//g, ".");
}

/** Families of keys a real kernel has: the model refuses these by name rather than pretend they are missing. */
const KERNEL_SYSCTL_PATTERNS = [
  /^net\.ipv4\.conf\.[^.]+\.(accept_local|accept_redirects|accept_source_route|arp_accept|arp_announce|arp_filter|arp_notify|bootp_relay|disable_policy|disable_xfrm|drop_gratuitous_arp|drop_unicast_in_l2_multicast|force_igmp_version|ignore_routes_with_linkdown|log_martians|mc_forwarding|medium_id|promote_secondaries|proxy_arp|proxy_arp_pvlan|secure_redirects|send_redirects|shared_media|src_valid_mark|tag)$/,
  /^net\.ipv4\.(tcp|udp|icmp|igmp|ip|ping|fib|fwmark|inet|ipfrag|raw|route|nexthop|cipso|xfrm4)_[a-z_]+$/,
  /^net\.ipv4\.(neigh|route)\.[^.]+(\.[a-z_]+)?$/,
  /^net\.ipv6\./,
  /^net\.core\.[a-z_]+$/,
  /^net\.netfilter\.nf_[a-z_]+$/,
  /^net\.bridge\.bridge-nf-[a-z-]+$/,
  /^net\.unix\.[a-z_]+$/,
];

function assertModelledOrMissing(environment: CommandEnvironment, key: string): void {
  if (readSysctl(environment.namespace, key) !== undefined) return;
  if (KERNEL_SYSCTL_PATTERNS.some((pattern) => pattern.test(key))) throw new UnsupportedError(key, `sysctl ${key} is not modelled`);
}

export function writeSysctlValue(environment: CommandEnvironment, key: string, value: string): { ok: true } | { ok: false; errno: string } {
  const result = applyOperation(environment.world, { op: "sysctl-set", namespaceId: environment.namespace.id, key, value, ...(environment.origin ? { origin: environment.origin } : {}) });
  return result.ok ? { ok: true } : { ok: false, errno: result.error.errno };
}

/** sysctl's options, read without a world: the keys (KEY or KEY=VALUE) and how to treat them. */
function parseSysctl(argv: readonly string[]): { readonly write: boolean; readonly valuesOnly: boolean; readonly quiet: boolean; readonly operands: readonly string[] } {
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  const operands: string[] = [];
  for (const word of argv) {
    if (word === "-w" || word === "--write") write = true;
    else if (word === "-n" || word === "--values") valuesOnly = true;
    else if (word === "-q" || word === "--quiet") quiet = true;
    else if (word.startsWith("-")) throw new UnsupportedError(word, `sysctl ${word} is not modelled`);
    else operands.push(word);
  }
  return { write, valuesOnly, quiet, operands };
}

/** The check before the run: the options (a key is known to be modelled only against the namespace it runs in). */
export function checkSysctl(argv: readonly string[]): undefined {
  parseSysctl(argv);
  return undefined;
}

export function sysctl(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const { write, valuesOnly, quiet, operands } = parseSysctl(argv);
  let stdout = "";
  let stderr = "";
  let exitCode = 0;
  for (const operand of operands) {
    const equals = operand.indexOf("=");
    if (write && equals === -1) {
      stderr += "sysctl: command line(0): invalid syntax, continuing...\n";
      exitCode = 1;
      continue;
    }
    const key = normaliseSysctlKey(equals === -1 ? operand : operand.slice(0, equals));
    const path = `/proc/sys/${key.replace(/\./g, "/")}`;
    if (equals === -1) {
      assertModelledOrMissing(environment, key);
      const value = readSysctl(environment.namespace, key);
      if (value === undefined) {
        stderr += `sysctl: cannot stat ${path}: No such file or directory\n`;
        exitCode = 1;
        continue;
      }
      stdout += valuesOnly ? `${value}\n` : `${key} = ${value}\n`;
      continue;
    }
    const value = operand.slice(equals + 1);
    assertModelledOrMissing(environment, key);
    if (readSysctl(environment.namespace, key) === undefined) {
      stderr += `sysctl: cannot stat ${path}: No such file or directory\n`;
      exitCode = 1;
      continue;
    }
    const result = writeSysctlValue(environment, key, value);
    if (!result.ok && result.errno === "ENOENT") throw new UnsupportedError(key, `writing sysctl ${key} is not modelled (it is read-only in netsim)`);
    if (!result.ok) {
      stderr += `sysctl: setting key "${key}": Invalid argument\n`;
      exitCode = 1;
      continue;
    }
    if (!quiet) stdout += valuesOnly ? `${value}\n` : `${key} = ${value}\n`;
  }
  if (operands.length === 0) throw new CommandError("sysctl: no variables specified", 1);
  return done(stdout, stderr, exitCode);
}
