// curl 7.88.1 (Debian) and wget as the simulator runs them: an HTTP/1.1
// request over a TCP socket of the socket layer (connect, write the request
// line, wait for the status line, close), with curl's own exit codes and
// messages (lib/strerror.c, lib/connect.c, lib/multi.c timeouts, the
// progress meter of lib/progress.c) measured in the kernel sandbox. Only
// the status line is modelled of what a server sends: the body, and the
// headers beyond the ones a python http.server sends, are not.
import { formatIpv4Address, parseIpv4Address } from "../model/address.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Trace } from "../model/trace.js";
import { traceSteps } from "../render/trace-why.js";
import type { World } from "../model/world.js";
import { createSimulation, record, routeChoice, routeDecision, runEvents, socketClose, socketConnect, socketCreate, tcpSendSegment } from "../net/index.js";
import { ctime } from "../commands/iptables/iptables-save.js";

const SECOND = 1_000_000;
/** curl's default connect timeout (DEFAULT_CONNECT_TIMEOUT): 300 s; the kernel gives up sooner (127 s). */
const DEFAULT_CONNECT_TIMEOUT = 300 * SECOND;

export interface HttpUrl {
  readonly host: string;
  readonly address: number;
  readonly port: number;
  readonly path: string;
}

/** http://HOST[:PORT][/PATH]; HOST an IPv4 literal or localhost (no resolver is reachable from a scenario). */
export function parseHttpUrl(text: string): HttpUrl | "bad" | { readonly unresolved: string } {
  const match = /^(?:http:\/\/)?([^/:?#]*)(?::(\d*))?([/?#].*)?$/.exec(text);
  if (!match || match[1] === "") return "bad";
  const host = match[1]!;
  const port = match[2] === undefined || match[2] === "" ? 80 : Number(match[2]);
  if (port < 1 || port > 65535) return "bad";
  const path = match[3] === undefined ? "/" : match[3].startsWith("/") ? match[3] : `/${match[3]}`;
  const address = host === "localhost" ? 0x7f000001 : parseIpv4Address(host);
  if (address === undefined) return { unresolved: host };
  return { host, address, port, path };
}

export interface CurlOptions {
  readonly url: HttpUrl;
  readonly method: "GET" | "HEAD";
  /** -s */
  readonly silent: boolean;
  /** -S */
  readonly showError: boolean;
  /** -v */
  readonly verbose: boolean;
  /** -f */
  readonly fail: boolean;
  /** -m, in µs. */
  readonly maxTime?: number;
  /** --connect-timeout, in µs. */
  readonly connectTimeout?: number;
  /** -w: the format, with %{http_code} the one variable modelled. */
  readonly writeOut?: string;
  /** -o FILE given: the body goes there (nothing on stdout). */
  readonly output: boolean;
}

export interface HttpExchange {
  /** The errno connect() ended with, or "timeout" when the wait ran out first, or "connected". */
  readonly connect: string;
  /** The status line that came back, if any ("" when the connection closed without one). */
  readonly statusLine?: string;
  /** Whether the wait for the response ran out. */
  readonly timedOut: boolean;
  /** µs from the start to where the tool stopped. */
  readonly elapsed: number;
  /** µs from the start until connect() finished (ms as curl prints them). */
  readonly connectElapsed: number;
  readonly source: number;
  readonly trace?: Trace;
}

/**
 * One HTTP exchange: connect (within `connectLimit`), send the request line,
 * wait (within `totalLimit` from the start) for the status line, close.
 */
export function httpExchange(world: World, namespace: NetworkNamespace, url: HttpUrl, requestLine: string, connectLimit: number, totalLimit: number, tracing: boolean, commandText: string): HttpExchange {
  const simulation = createSimulation(world, tracing);
  const trace = (): { trace?: Trace } => (simulation.steps ? { trace: { probe: commandText, namespace: namespace.name, steps: traceSteps(simulation.steps) } } : {});
  const start = world.clock;
  const socket = socketCreate(world, namespace, "tcp");
  const connected = socketConnect(world, namespace, socket, url.address, url.port);
  if (!connected.ok) {
    socketClose(world, namespace, socket);
    const fib = connected.lookup.ok ? undefined : connected.lookup.fib;
    record(simulation, () => ({ namespace, stage: "ip_route_output", ...(fib ? { decision: routeDecision(fib, url.address) } : { decision: { kind: "no-route" as const, destination: url.address } }), verdict: "drop", dropReason: "IP_OUTNOROUTES", reason: { code: "connect-no-route", host: url.host } }));
    return { connect: connected.errno, timedOut: false, elapsed: 0, connectElapsed: 0, source: 0, ...trace() };
  }
  const route = connected.route;
  if (route.fib) {
    const fib = route.fib;
    record(simulation, () => ({ namespace, device: route.device.name, stage: "ip_route_output", decision: routeDecision(fib, route.nexthop, route.source), verdict: "continue", reason: { code: "route-output", choice: routeChoice(namespace, fib), source: route.source } }));
  }
  const connectDeadline = start + Math.min(connectLimit, totalLimit);
  // As for nc -w: a retransmission due exactly when the wait runs out is never sent.
  runEvents(simulation, connectDeadline - 1, () => socket.state !== "syn-sent");
  const connectElapsed = world.clock - start;
  if (socket.state === "syn-sent") {
    world.clock = Math.max(world.clock, connectDeadline);
    socketClose(world, namespace, socket);
    return { connect: "timeout", timedOut: true, elapsed: connectDeadline - start, connectElapsed: connectDeadline - start, source: route.source, ...trace() };
  }
  if (socket.state !== "established") {
    socketClose(world, namespace, socket);
    return { connect: socket.error ?? "ECONNREFUSED", timedOut: false, elapsed: connectElapsed, connectElapsed, source: route.source, ...trace() };
  }
  const queue = socket.receiveQueue!;
  tcpSendSegment(simulation, namespace, socket, { ack: true }, 32);
  const seen = queue.length;
  tcpSendSegment(simulation, namespace, socket, { psh: true, ack: true }, 32 + requestLine.length, requestLine);
  const answered = () => queue.slice(seen).some((delivery) => delivery.packet.transport.protocol === "tcp" && (delivery.packet.transport.data !== undefined || delivery.packet.transport.flags.fin === true || delivery.packet.transport.flags.rst === true));
  const deadline = start + totalLimit;
  runEvents(simulation, deadline, answered);
  const timedOut = !answered();
  if (timedOut) world.clock = Math.max(world.clock, deadline);
  const response = queue.slice(seen).find((delivery) => delivery.packet.transport.protocol === "tcp" && delivery.packet.transport.data !== undefined);
  const statusLine = response && response.packet.transport.protocol === "tcp" ? response.packet.transport.data : undefined;
  const elapsed = world.clock - start;
  // The client closes: FIN, the server's answer (its FIN, or the last ACK after its own), then TIME_WAIT or gone.
  const beforeClose = queue.length;
  const serverClosed = queue.some((delivery) => delivery.packet.transport.protocol === "tcp" && delivery.packet.transport.flags.fin === true);
  if (!timedOut || socket.state === "established") {
    tcpSendSegment(simulation, namespace, socket, { fin: true, ack: true }, 32);
    if (!serverClosed) runEvents(simulation, world.clock + 3 * SECOND, () => queue.length > beforeClose);
    else runEvents(simulation, world.clock + 100);
    if (!serverClosed && queue.length > beforeClose) tcpSendSegment(simulation, namespace, socket, { ack: true }, 32);
  }
  // Who closed first decides who waits: the server (http.server) or the client.
  socketClose(world, namespace, socket, !serverClosed);
  return { connect: "connected", ...(statusLine !== undefined ? { statusLine } : {}), timedOut, elapsed, connectElapsed, source: route.source, ...trace() };
}

/** The ms curl prints: Curl_timediff truncates. */
function ms(microseconds: number): number {
  return Math.floor(microseconds / 1000);
}

function max5(value: number): string {
  return String(value).padStart(5, " ");
}

function timeSpent(seconds: number): string {
  if (seconds <= 0) return "--:--:--";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, " ")}:${String(minutes).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

const METER_HEADER = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n";

function meterLine(spent: number): string {
  return `\r  0 ${max5(0)}    0 ${max5(0)}    0 ${max5(0)}  ${max5(0)}  ${max5(0)} --:--:-- ${timeSpent(spent)} --:--:-- ${max5(0)}`;
}

/** progress.c: after the first line, one a second while the transfer lasts (a second one at once when it ends within the first second), then a newline. */
function meterRest(elapsed: number): string {
  const whole = Math.floor(elapsed / SECOND);
  let text = whole === 0 ? meterLine(0) : "";
  for (let second = 1; second <= whole; second++) text += meterLine(second);
  return `${text}\n`;
}

export interface ToolRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly trace?: Trace;
}

const USER_AGENT = "curl/7.88.1";

export function runCurl(world: World, namespace: NetworkNamespace, options: CurlOptions, tracing: boolean, commandText: string): ToolRun {
  const { url } = options;
  const requestLine = `${options.method} ${url.path} HTTP/1.1`;
  const exchange = httpExchange(world, namespace, url, requestLine, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT, options.maxTime ?? Number.MAX_SAFE_INTEGER, tracing, commandText);
  const hostText = formatIpv4Address(url.address);
  const showError = !options.silent || options.showError;
  let verbose = options.verbose ? `*   Trying ${hostText}:${url.port}...\n` : "";
  let stdout = "";
  let exitCode = 0;
  let error = "";
  const failedToConnect = (reason: string) => `Failed to connect to ${url.host} port ${url.port} after ${ms(exchange.connectElapsed)} ms: ${reason}`;
  if (exchange.connect !== "connected") {
    if (exchange.connect === "timeout") {
      if (options.connectTimeout !== undefined && (options.maxTime === undefined || options.connectTimeout <= options.maxTime)) {
        exitCode = 28;
        error = failedToConnect("Timeout was reached");
        verbose += `* ipv4 connect timeout after ${ms(options.connectTimeout)}ms, move on!\n* ${error}\n`;
      } else {
        exitCode = 28;
        error = `Connection timed out after ${ms(exchange.elapsed)} milliseconds`;
        verbose += `* ${error}\n`;
      }
    } else {
      // The kernel giving up on the SYN (ETIMEDOUT) is a timeout to curl too (measured: exit 28, "Couldn't connect to server").
      exitCode = exchange.connect === "ETIMEDOUT" ? 28 : 7;
      error = failedToConnect("Couldn't connect to server");
      const reason = exchange.connect === "ECONNREFUSED" ? "Connection refused" : exchange.connect === "ENETUNREACH" ? "Network is unreachable" : exchange.connect === "ETIMEDOUT" ? "Connection timed out" : "No route to host";
      verbose += exchange.connectElapsed === 0 && exchange.connect !== "ECONNREFUSED" ? `* Immediate connect fail for ${hostText}: ${reason}\n* ${error}\n` : `* connect to ${hostText} port ${url.port} failed: ${reason}\n* ${error}\n`;
    }
  } else {
    verbose += `* Connected to ${url.host} (${hostText}) port ${url.port} (#0)\n> ${requestLine}\n> Host: ${url.host}${url.port === 80 ? "" : `:${url.port}`}\n> User-Agent: ${USER_AGENT}\n> Accept: */*\n> \n`;
    if (exchange.statusLine === undefined) {
      if (exchange.timedOut) {
        exitCode = 28;
        error = `Operation timed out after ${ms(exchange.elapsed)} milliseconds with 0 bytes received`;
      } else {
        exitCode = 52;
        error = "Empty reply from server";
      }
      verbose += `* ${error}\n`;
    } else if (!/^HTTP\/1\.[01] \d{3}/.test(exchange.statusLine)) {
      exitCode = 1;
      error = "Received HTTP/0.9 when not allowed";
      verbose += `* ${error}\n`;
    } else {
      const code = Number(exchange.statusLine.slice(9, 12));
      const head = httpServerHead(exchange.statusLine, world.clock);
      verbose += `* HTTP 1.0, assume close after body\n${head.map((line) => `< ${line}\r\n`).join("")}< \r\n`;
      if (options.method === "HEAD") stdout += `${head.map((line) => `${line}\r\n`).join("")}\r\n`;
      if (options.fail && code >= 400) {
        exitCode = 22;
        error = `The requested URL returned error: ${code}`;
        verbose += `* ${error}\n`;
      }
      if (options.writeOut !== undefined) stdout += writeOut(options.writeOut, code);
    }
  }
  if (exitCode !== 0 && options.writeOut !== undefined && exchange.statusLine === undefined) stdout += writeOut(options.writeOut, 0);
  // The meter goes to stderr whenever curl is not -s and its output is not a terminal (a scenario's never is); -v's lines interleave with it.
  const meter = !options.silent;
  let stderr = meter ? METER_HEADER + meterLine(0) : "";
  if (options.verbose) stderr += verbose;
  if (meter) stderr += meterRest(exchange.elapsed);
  if (options.verbose) stderr += "* Closing connection 0\n";
  if (exitCode !== 0 && showError) stderr += `curl: (${exitCode}) ${error}\n`;
  return { stdout, stderr, exitCode, ...(exchange.trace ? { trace: exchange.trace } : {}) };
}

/** %{http_code} (000 when no response came) and the escapes -w takes. */
function writeOut(format: string, code: number): string {
  return format.replace(/%\{http_code\}|%\{response_code\}/g, String(code).padStart(3, "0")).replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\r/g, "\r");
}

/**
 * The head python3 -m http.server (3.11) sends: the status line, Server,
 * Date (the virtual clock's), then for `/` the listing's Content-type; an
 * error adds Connection: close. Content-Length (the listing's or the error
 * page's size) is not modelled.
 */
export function httpServerHead(statusLine: string, clock: number): string[] {
  const date = httpDate(clock);
  const ok = statusLine.startsWith("HTTP/1.0 200");
  return ok ? [statusLine, "Server: SimpleHTTP/0.6 Python/3.11.7", `Date: ${date}`, "Content-type: text/html; charset=utf-8"] : [statusLine, "Server: SimpleHTTP/0.6 Python/3.11.7", `Date: ${date}`, "Connection: close", "Content-Type: text/html;charset=utf-8"];
}

/** email.utils.formatdate(usegmt=True): `Wed, 02 Dec 2026 03:25:44 GMT`. */
function httpDate(clock: number): string {
  const [day, month, dayOfMonth, time, year] = ctime(clock).split(/ +/);
  return `${day}, ${dayOfMonth!.padStart(2, "0")} ${month} ${year} ${time} GMT`;
}

export interface WgetOptions {
  readonly url: HttpUrl;
  readonly quiet: boolean;
  /** -T, in µs (wget's default read and connect timeout: 900 s). */
  readonly timeout?: number;
}

/** wget (GNU Wget 1.21): exit 0, 8 on a server error status, 4 on a network failure; with -q nothing on stderr. */
export function runWget(world: World, namespace: NetworkNamespace, options: WgetOptions, tracing: boolean, commandText: string): ToolRun & { readonly timedOut: boolean } {
  const { url } = options;
  const limit = options.timeout ?? 900 * SECOND;
  const exchange = httpExchange(world, namespace, url, `GET ${url.path} HTTP/1.1`, limit, Number.MAX_SAFE_INTEGER, tracing, commandText);
  const trace = exchange.trace ? { trace: exchange.trace } : {};
  const started = `--${isoTime(world.clock - exchange.elapsed)}--  http://${url.host}${url.port === 80 ? "" : `:${url.port}`}${url.path}\nConnecting to ${url.host}:${url.port}... `;
  if (exchange.connect !== "connected") {
    const reason = exchange.connect === "timeout" || exchange.connect === "ETIMEDOUT" ? "Connection timed out.\nGiving up.\n\n" : exchange.connect === "ECONNREFUSED" ? "Connection refused.\n" : exchange.connect === "ENETUNREACH" ? "Network is unreachable.\n" : "No route to host.\n";
    return { stdout: "", stderr: options.quiet ? "" : `${started}failed: ${reason}`, exitCode: 4, timedOut: exchange.connect === "timeout", ...trace };
  }
  const code = exchange.statusLine !== undefined ? Number(exchange.statusLine.slice(9, 12)) : 0;
  const exitCode = exchange.statusLine === undefined ? 4 : code >= 400 ? 8 : 0;
  return { stdout: "", stderr: options.quiet ? "" : `${started}connected.\n`, exitCode, timedOut: false, ...trace };
}

function isoTime(clock: number): string {
  const date = new Date(Math.floor(clock / 1000));
  const two = (value: number) => String(value).padStart(2, "0");
  return `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}
