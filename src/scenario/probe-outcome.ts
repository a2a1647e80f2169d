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
export function classifyNc(exitCode: number, verboseStderr: string, protocol?: "tcp" | "udp"): ProbeResult;
export function classifyNc(exitCode: number, verboseStderr: string, protocol: "tcp" | "udp", stderr: string): ProbeResult | undefined;
export function classifyNc(exitCode: number, verboseStderr: string, protocol: "tcp" | "udp" = "tcp", stderr = ""): ProbeResult | undefined {
  // `nc -p PORT` whose bind() failed sent nothing: a command error, not a probe.
  if (exitCode !== 0 && /^nc: bind failed: /m.test(stderr)) return undefined;
  if (exitCode === 0) return { tool: "nc", outcome: "connected" };
  if (exitCode === 124 || /\) timed out: /.test(verboseStderr)) return { tool: "nc", outcome: "timeout" };
  if (/failed: Connection refused/.test(verboseStderr)) return { tool: "nc", outcome: "refused" };
  if (/failed: (Network is unreachable|No route to host)/.test(verboseStderr)) return { tool: "nc", outcome: "unreachable" };
  return { tool: "nc", outcome: protocol === "udp" ? "refused" : "timeout" };
}

/**
 * curl, wget and socat connecting, read from their exit status (and, where
 * the status is shared by several causes, their message):
 *   curl: 0, and the statuses of a server that answered something (1 an
 *   unsupported protocol such as HTTP/0.9, 8, 18, 22 -f on >= 400, 52 empty
 *   reply, 56 reset after connecting) = connected; 7 = refused (curl prints
 *   "Couldn't connect to server" alike for a reset and for no route); 28 =
 *   timeout (connect or transfer).
 *   wget: 0 and 8 (the server answered an error) = connected; 4 = timeout
 *   when it said "timed out", else refused (wget -q says nothing: both
 *   read as refused).
 *   socat - TCP:H:P: 0 = connected; 1 with the errno's text.
 * Anything else (a bad URL, exit 3) is no probe: nothing was sent.
 */
export function classifyClient(tool: "curl" | "wget" | "socat", exitCode: number, stderr: string): ProbeResult | undefined {
  if (exitCode === 124) return { tool, outcome: "timeout" };
  if (tool === "curl") {
    if ([0, 1, 8, 18, 22, 52, 56].includes(exitCode)) return { tool, outcome: "connected" };
    if (exitCode === 7) return { tool, outcome: "refused" };
    if (exitCode === 28) return { tool, outcome: "timeout" };
    return undefined;
  }
  if (tool === "wget") {
    if (exitCode === 0 || exitCode === 8) return { tool, outcome: "connected" };
    if (exitCode === 4) return { tool, outcome: /timed out/.test(stderr) ? "timeout" : "refused" };
    return undefined;
  }
  if (exitCode === 0) return { tool, outcome: "connected" };
  if (/Connection refused/.test(stderr)) return { tool, outcome: "refused" };
  if (/timed out/.test(stderr)) return { tool, outcome: "timeout" };
  if (/(Network is unreachable|No route to host)/.test(stderr)) return { tool, outcome: "unreachable" };
  return undefined;
}

/** Whether a socat command line connects out (`socat - TCP:H:P`), rather than listening. */
export function socatConnects(argv: readonly string[]): boolean {
  return argv.slice(1).some((word) => /^(TCP|TCP4|TCP-CONNECT|TCP4-CONNECT):/i.test(word));
}
