// A probe's outcome read from what the probe tool printed and its exit status:
// both backends classify through this one function, so the simulator's ping
// text and the kernel's real ping are judged alike.
import type { ProbeResult } from "./result.js";

/** ping (iputils): 0 = a reply arrived, 1 = none, 2 = it could not send at all. */
export function classifyPing(exitCode: number, stdout: string): ProbeResult {
  if (exitCode === 0) {
    const ttl = /\bttl=(\d+)/.exec(stdout);
    return ttl ? { tool: "ping", outcome: "reply", ttl: Number(ttl[1]) } : { tool: "ping", outcome: "reply" };
  }
  if (exitCode === 2) return { tool: "ping", outcome: "unreachable" };
  return { tool: "ping", outcome: "no-reply" };
}

/**
 * nc (OpenBSD) connecting (not listening): 0 = connected. Only `nc -v` says
 * why a connect failed, so this reads what nc -v printed on stderr:
 *   `nc: connect to 10.0.0.1 port 9 (tcp) failed: Connection refused` (RST, or ICMP port unreachable)
 *   `nc: connect to 10.0.0.1 port 1234 (tcp) timed out: Operation now in progress` (-w expired)
 *   `... failed: Network is unreachable` / `... failed: No route to host` (no route, ICMP host unreachable/prohibited)
 * Exit 124 is a time limit (timeout(1)) cutting nc off: a timeout too.
 * UDP has no handshake: `nc -u -z` exits 0 unless an ICMP port unreachable
 * came back, which makes `nc -u -v -z` exit 1 without a message: refused.
 */
export function classifyNc(exitCode: number, verboseStderr: string, protocol: "tcp" | "udp" = "tcp"): ProbeResult {
  if (exitCode === 0) return { tool: "nc", outcome: "connected" };
  if (exitCode === 124 || /\) timed out: /.test(verboseStderr)) return { tool: "nc", outcome: "timeout" };
  if (/failed: Connection refused/.test(verboseStderr)) return { tool: "nc", outcome: "refused" };
  if (/failed: (Network is unreachable|No route to host)/.test(verboseStderr)) return { tool: "nc", outcome: "unreachable" };
  return { tool: "nc", outcome: protocol === "udp" ? "refused" : "timeout" };
}
