// Test helpers: plain `bash FILE` in a sandbox made like the backend's (for
// comparing output), and the host state the safety test compares.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/kernel-backend/${name}`, import.meta.url));

/** What plain `bash FILE` prints (stdout and stderr together) in a fresh unshare sandbox with lo up. */
export function plainBashOutput(file: string): string {
  const directory = mkdtempSync(join(tmpdir(), "netsim-plain-"));
  try {
    const output = join(directory, "output");
    const script = 'mkdir -p /run/netns && mount -t tmpfs plain /run/netns && ip link set lo up && cd "$1" && bash "$2" > "$3" 2>&1';
    spawnSync("unshare", ["--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private", "bash", "-c", script, "plain", dirname(file), file, output], {
      timeout: 60_000,
      stdio: "ignore",
    });
    return readFileSync(output, "utf8");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8" });

/** The host namespace's links, addresses, routes and ruleset, and /run/netns. */
export function hostNetworkState(): Record<string, unknown> {
  return {
    link: JSON.parse(run("ip", ["-j", "link"])),
    addr: JSON.parse(run("ip", ["-j", "addr"])),
    route: JSON.parse(run("ip", ["-j", "route", "show", "table", "all"])),
    // Counters move with the host's own traffic; the rules must not.
    iptables: run("iptables-save", []).replace(/^#.*\n/gm, "").replace(/\[\d+:\d+\]/g, ""),
    runNetns: existsSync("/run/netns") ? readdirSync("/run/netns").sort() : "absent",
    ipForward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
    swappiness: readFileSync("/proc/sys/vm/swappiness", "utf8"),
  };
}

/** Processes whose command line or environment mentions a path (a run's state directory). */
export function processesMentioning(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    // Read once, in one try: a process may exit between any two reads of its files.
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, "latin1");
      if (commandLine.includes(path) || readFileSync(`/proc/${pid}/environ`, "latin1").includes(path)) found.push(`${pid} ${commandLine.replaceAll("\0", " ")}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Mount points anywhere on the host that mention a path. */
export function mountsMentioning(path: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.includes(path) || line.includes(basename(path)));
}
