// Whether this machine can run the kernel backend: Linux, root, and the real
// tools the scenarios call. When it cannot, the reason names what is missing
// and the Debian package that provides it.
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { SandboxExecutables } from "./sandbox-scripts.js";

export type KernelBackendAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

interface RequiredTool {
  readonly key: keyof SandboxExecutables | "setpriv" | "unshare";
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
  { key: "route", command: "route", debianPackage: "net-tools" },
  { key: "ifconfig", command: "ifconfig", debianPackage: "net-tools" },
  { key: "arp", command: "arp", debianPackage: "net-tools" },
  { key: "sudo", command: "sudo", debianPackage: "sudo" },
];

/** The sandbox-side executables plus the two that start the sandbox. */
export interface HostExecutables extends SandboxExecutables {
  readonly unshare: string;
  readonly setpriv: string;
}

// sbin directories are searched too: a non-login root PATH may lack them.
function searchPath(): string[] {
  const fromEnvironment = (process.env.PATH ?? "").split(delimiter).filter((directory) => directory !== "");
  return [...new Set([...fromEnvironment, "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])];
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
  const executables = Object.fromEntries(found) as unknown as HostExecutables;
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

let cached: { availability: KernelBackendAvailability; executables?: HostExecutables } | undefined;

function check(): { availability: KernelBackendAvailability; executables?: HostExecutables } {
  if (process.platform !== "linux") return { availability: { ok: false, reason: `needs Linux (this is ${process.platform})` } };
  if (process.getuid?.() !== 0) return { availability: { ok: false, reason: "needs root (it creates network namespaces)" } };
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
  // Root in a container may still be refused new namespaces.
  const trial = probeOutput(executables.unshare, ["--net", "--mount", "--pid", "--fork", "--mount-proc", executables.bash, "-c", ":"]);
  if (trial.status !== 0) {
    return { availability: { ok: false, reason: `cannot create namespaces with unshare: ${trial.text.trim() || `exit ${trial.status}`}` } };
  }
  return { availability: { ok: true }, executables };
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
