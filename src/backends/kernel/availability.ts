// Whether this machine can run the kernel backend: Linux, the real tools the
// scenarios call, and either unprivileged user namespaces or root. When it
// cannot, the reason names what is missing and the Debian package that
// provides it, or the setting that forbids user namespaces.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { SandboxExecutables, SandboxIdentity } from "./sandbox-scripts.js";

export type KernelBackendAvailability =
  | { readonly ok: true; readonly identity: SandboxIdentity }
  | { readonly ok: false; readonly reason: string };

/** Started as root, the scenario's root is this uid and gid (nobody, nogroup) in its user namespace. */
export const SANDBOX_UID_AS_ROOT = 65534;
export const SANDBOX_GID_AS_ROOT = 65534;

interface RequiredTool {
  readonly key: keyof SandboxExecutables;
  readonly command: string;
  readonly debianPackage: string;
}

const REQUIRED_TOOLS: readonly RequiredTool[] = [
  { key: "bash", command: "bash", debianPackage: "bash" },
  { key: "unshare", command: "unshare", debianPackage: "util-linux" },
  { key: "nsenter", command: "nsenter", debianPackage: "util-linux" },
  { key: "setpriv", command: "setpriv", debianPackage: "util-linux" },
  { key: "mount", command: "mount", debianPackage: "mount" },
  { key: "ip", command: "ip", debianPackage: "iproute2" },
  { key: "iptables", command: "iptables", debianPackage: "iptables" },
  { key: "iptablesSave", command: "iptables-save", debianPackage: "iptables" },
  { key: "iptablesRestore", command: "iptables-restore", debianPackage: "iptables" },
  { key: "ping", command: "ping", debianPackage: "iputils-ping" },
  { key: "nc", command: "nc", debianPackage: "netcat-openbsd" },
  { key: "conntrack", command: "conntrack", debianPackage: "conntrack" },
  { key: "sysctl", command: "sysctl", debianPackage: "procps" },
  { key: "mkdir", command: "mkdir", debianPackage: "coreutils" },
  { key: "tee", command: "tee", debianPackage: "coreutils" },
  { key: "timeout", command: "timeout", debianPackage: "coreutils" },
  { key: "umount", command: "umount", debianPackage: "mount" },
  { key: "pivotRoot", command: "pivot_root", debianPackage: "util-linux" },
  { key: "cp", command: "cp", debianPackage: "coreutils" },
  { key: "chown", command: "chown", debianPackage: "coreutils" },
  { key: "bridge", command: "bridge", debianPackage: "iproute2" },
];

/** Tools only some scenarios use, with the Debian package of each: wrapped in the sandbox when found. */
export const OPTIONAL_TOOLS: readonly { readonly command: string; readonly debianPackage: string }[] = [
  { command: "curl", debianPackage: "curl" },
  { command: "wget", debianPackage: "wget" },
  { command: "python3", debianPackage: "python3" },
  { command: "socat", debianPackage: "socat" },
  { command: "tcpdump", debianPackage: "tcpdump" },
  { command: "route", debianPackage: "net-tools" },
  { command: "ifconfig", debianPackage: "net-tools" },
  { command: "arp", debianPackage: "net-tools" },
  { command: "sudo", debianPackage: "sudo" },
  { command: "brctl", debianPackage: "bridge-utils" },
  { command: "nft", debianPackage: "nftables" },
  { command: "ip6tables", debianPackage: "iptables" },
  { command: "ip6tables-save", debianPackage: "iptables" },
  { command: "ip6tables-restore", debianPackage: "iptables" },
  { command: "ipset", debianPackage: "ipset" },
  { command: "nfacct", debianPackage: "nfacct" },
];

/** An optional tool called as a command word in a scenario's text. */
export const OPTIONAL_TOOL_WORD = new RegExp(`(?:^|[\\s;&|(])(${OPTIONAL_TOOLS.map((tool) => tool.command).join("|")})\\s`, "gm");

/** Why a scenario that runs `tool` cannot be verified here, if it cannot (the tool is missing). */
export function optionalToolMissing(tool: string): string | undefined {
  const known = OPTIONAL_TOOLS.find((candidate) => candidate.command === tool);
  if (!known || findExecutable(tool) !== undefined) return undefined;
  return `missing ${tool} (Debian package ${known.debianPackage}); install with: apt-get install -y ${known.debianPackage}`;
}

/** The executables the sandbox is started with and runs. */
export type HostExecutables = SandboxExecutables;

// The system directories first (sbin too: a non-login root PATH may lack them): the sandbox runs its
// tools as an unprivileged uid, which cannot reach a user's own (a pyenv shim under /root).
function searchPath(): string[] {
  const fromEnvironment = (process.env.PATH ?? "").split(delimiter).filter((directory) => directory !== "");
  return [...new Set(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", ...fromEnvironment])];
}

export function findExecutable(command: string): string | undefined {
  for (const directory of searchPath()) {
    const candidate = join(directory, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function resolveExecutables(): { executables: HostExecutables } | { missing: RequiredTool[] } {
  const found = new Map<string, string>();
  const missing: RequiredTool[] = [];
  for (const tool of REQUIRED_TOOLS) {
    const path = findExecutable(tool.command);
    if (path === undefined) missing.push(tool);
    else found.set(tool.key, path);
  }
  if (missing.length > 0) return { missing };
  const optional: Record<string, string> = {};
  for (const tool of OPTIONAL_TOOLS) {
    const path = findExecutable(tool.command);
    if (path !== undefined) optional[tool.command] = path;
  }
  const executables = { ...Object.fromEntries(found), optional } as unknown as HostExecutables;
  return { executables };
}

function missingReason(missing: readonly RequiredTool[]): string {
  const tools = missing.map((tool) => `${tool.command} (Debian package ${tool.debianPackage})`).join(", ");
  const packages = [...new Set(missing.map((tool) => tool.debianPackage))].join(" ");
  return `missing ${tools}; install with: apt-get install -y ${packages}`;
}

/** Output of a quick, harmless command (a version string), or the failure. */
function probeOutput(command: string, args: readonly string[]): { status: number | null; text: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
  return { status: result.status, text: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** The setting that forbids unprivileged user namespaces here, if one does. */
function userNamespaceRestriction(): string | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8").trim();
    } catch {
      return undefined;
    }
  };
  if (read("/proc/sys/user/max_user_namespaces") === "0") return "user.max_user_namespaces is 0";
  if (read("/proc/sys/kernel/unprivileged_userns_clone") === "0") return "kernel.unprivileged_userns_clone is 0";
  if (read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === "1") {
    return "kernel.apparmor_restrict_unprivileged_userns is 1 (AppArmor restricts unprivileged user namespaces)";
  }
  return undefined;
}

/**
 * Tries the namespaces the sandbox makes (src/backends/kernel/sandbox-scripts.ts):
 * a mount and PID namespace for the set-up (in a user namespace of its own
 * when not root), then, from an unprivileged uid, a user namespace holding the
 * scenario's mount and network namespaces. Returns the failure's text.
 */
function trySandboxNamespaces(executables: HostExecutables, asRoot: boolean): string | undefined {
  const scenarioSide = [executables.unshare, "--user", "--map-root-user", "--mount", "--net", "--", executables.bash, "-c", ":"];
  const args = asRoot
    ? ["--mount", "--pid", "--fork", "--mount-proc", "--", executables.setpriv, `--reuid=${SANDBOX_UID_AS_ROOT}`, `--regid=${SANDBOX_GID_AS_ROOT}`, "--clear-groups", "--", ...scenarioSide]
    : ["--user", "--map-root-user", "--mount", "--pid", "--fork", "--mount-proc", "--", ...scenarioSide];
  const trial = probeOutput(executables.unshare, args);
  return trial.status === 0 ? undefined : trial.text.trim() || `exit ${trial.status}`;
}

let cached: { availability: KernelBackendAvailability; executables?: HostExecutables } | undefined;

function check(): { availability: KernelBackendAvailability; executables?: HostExecutables } {
  if (process.platform !== "linux") return { availability: { ok: false, reason: `needs Linux (this is ${process.platform})` } };
  const resolved = resolveExecutables();
  if ("missing" in resolved) return { availability: { ok: false, reason: missingReason(resolved.missing) } };
  const { executables } = resolved;
  // The messages the probes are classified by are openbsd nc's.
  if (!/OpenBSD netcat/.test(probeOutput(executables.nc, ["-h"]).text)) {
    return { availability: { ok: false, reason: `${executables.nc} is not OpenBSD netcat (Debian package netcat-openbsd)` } };
  }
  const iptablesVersion = probeOutput(executables.iptables, ["-V"]).text.trim();
  if (!/\(nf_tables\)/.test(iptablesVersion)) {
    return { availability: { ok: false, reason: `iptables must use the nf_tables backend (found "${iptablesVersion}"; see update-alternatives --config iptables)` } };
  }
  const asRoot = process.getuid?.() === 0;
  // NETSIM_NO_USERNS=1: behave as on a kernel that forbids them (a user's choice, and how the fallback is tested).
  const refused = process.env.NETSIM_NO_USERNS === "1" ? "NETSIM_NO_USERNS is set" : undefined;
  const failure = refused ?? trySandboxNamespaces(executables, asRoot);
  if (failure === undefined) {
    const identity: SandboxIdentity = asRoot
      ? { kind: "user-namespace-as", uid: SANDBOX_UID_AS_ROOT, gid: SANDBOX_GID_AS_ROOT }
      : { kind: "user-namespace" };
    return { availability: { ok: true, identity }, executables };
  }
  const why = refused ?? userNamespaceRestriction() ?? `unshare --user failed: ${failure}`;
  if (!asRoot) {
    return { availability: { ok: false, reason: `needs unprivileged user namespaces, or root (${why})` } };
  }
  // Root without user namespaces: as before, real root in new namespaces.
  const trial = probeOutput(executables.unshare, ["--net", "--mount", "--pid", "--fork", "--mount-proc", executables.bash, "-c", ":"]);
  if (trial.status !== 0) {
    return { availability: { ok: false, reason: `cannot create namespaces with unshare: ${trial.text.trim() || `exit ${trial.status}`}` } };
  }
  return { availability: { ok: true, identity: { kind: "root", reason: why } }, executables };
}

/** Whether the kernel backend can run here, and if not, why. Checked once per process. */
export function checkKernelBackendAvailable(): KernelBackendAvailability {
  cached ??= check();
  return cached.availability;
}

/** The executables the sandbox uses; only after checkKernelBackendAvailable() said ok. */
export function hostExecutables(): HostExecutables {
  cached ??= check();
  if (!cached.executables) throw new Error(`kernel backend unavailable: ${cached.availability.ok ? "" : cached.availability.reason}`);
  return cached.executables;
}
