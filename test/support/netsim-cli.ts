// The built `netsim` command as a user runs it (test/global-setup.ts builds it once).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const REPOSITORY = join(import.meta.dirname, "..", "..");
export const NETSIM = join(REPOSITORY, "dist", "netsim.mjs");

export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs `netsim ARGS...` from the repository root; `input` is its stdin, `asNobody` drops root first, `env` adds to the environment. */
export function runNetsim(args: readonly string[], options: { input?: string; asNobody?: boolean; timeout?: number; env?: Record<string, string> } = {}): CliResult {
  const [program, programArgs] = options.asNobody
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, NETSIM, ...args]]
    : [process.execPath, [NETSIM, ...args]];
  const result = spawnSync(program, programArgs, { cwd: REPOSITORY, encoding: "utf8", maxBuffer: 1 << 30, input: options.input ?? "", ...(options.env ? { env: { ...process.env, ...options.env } } : {}), ...(options.timeout ? { timeout: options.timeout } : {}) });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}
