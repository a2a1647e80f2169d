// The servers scenarios start in the background, as processes on the
// virtual clock: OpenBSD nc's listener (`nc -l [-k]`), Python's
// `python3 -m http.server` (http/server.py: SimpleHTTPRequestHandler over
// socketserver.TCPServer, HTTP/1.0, closes after each response) and socat's
// `TCP-LISTEN:P[,fork][,reuseaddr]` (xio-listen.c). Each is a listening
// socket plus what its program does with a connection's first line of data:
// nc reads and never answers, http.server answers with a status line and
// closes, socat with EXEC:cat writes back what it read. Killing one closes
// its socket: the next connect is refused.
import type { NetworkNamespace } from "../model/netns.js";
import type { Socket } from "../model/socket.js";
import type { World } from "../model/world.js";
import type { CommandProcess, ProcessOutput, TimedOutput } from "../commands/command.js";
import { signalNumber } from "../model/signal.js";
import { type Simulation, createSimulation, runEvents, sockRelease, sockSetDataReady, socketClose, tcpSendSegment } from "../net/index.js";

const NOTHING: ProcessOutput = { stdout: "", stderr: "" };

/** Lets the world's clock run to `virtualTime`: whatever is due happens (frames, timers, other jobs). */
export function runWorldUntil(world: World, virtualTime: number): void {
  if (virtualTime > world.clock) runEvents(createSimulation(world, false), virtualTime);
}

/**
 * A listening program: runs until killed, or (`oneShot`: nc -l without -k,
 * socat without fork) until its one connection has ended.
 */
export class ListenerProcess implements CommandProcess {
  private killedBy: number | undefined;
  /** What it printed and runUntil has not handed over yet, each piece at the time it was written (nc -l: the data it received). */
  private printed: TimedOutput[] = [];

  /** The program writes `text` to its stdout now (nc -l prints what a connection brings). */
  print(text: string): void {
    if (text !== "") this.printed.push({ time: this.world.clock, stream: "stdout", text });
  }

  constructor(
    private readonly world: World,
    private readonly namespace: NetworkNamespace,
    readonly sockets: readonly Socket[],
    private readonly oneShot: boolean,
  ) {}

  runUntil(virtualTime: number): ProcessOutput {
    if (this.exitCode === undefined) runWorldUntil(this.world, virtualTime);
    if (this.exitCode !== undefined) this.release();
    if (this.printed.length === 0) return NOTHING;
    const timed = this.printed;
    this.printed = [];
    return { stdout: timed.map((piece) => piece.text).join(""), stderr: "", timed };
  }

  get exitCode(): number | undefined {
    if (this.killedBy !== undefined) return 128 + this.killedBy;
    if (!this.oneShot) return undefined;
    // Done once its listener stopped accepting and the connection it took has closed.
    const listening = this.sockets.some((socket) => socket.open);
    const serving = this.namespace.sockets.some((socket) => socket.acceptedBy !== undefined && this.sockets.some((listener) => listener.id === socket.acceptedBy));
    return listening || serving ? undefined : 0;
  }

  kill(signal: string): void {
    if (this.exitCode !== undefined) return;
    this.killedBy = signalNumber(signal);
    this.release();
  }

  /** close() of every socket the program held: the listener and the connections it accepted. */
  private release(): void {
    for (const socket of this.sockets) {
      sockSetDataReady(this.world, socket, undefined);
      socketClose(this.world, this.namespace, socket);
      for (const accepted of this.namespace.sockets.filter((candidate) => candidate.acceptedBy === socket.id)) sockRelease(this.namespace, accepted);
    }
  }
}

/** A response's first line from the server's side of `connection`, then its FIN when the program closes after answering. */
function answer(simulation: Simulation, namespace: NetworkNamespace, connection: Socket, line: string, close: boolean): void {
  tcpSendSegment(simulation, namespace, connection, { psh: true, ack: true }, 32 + line.length, line);
  if (!close) return;
  tcpSendSegment(simulation, namespace, connection, { fin: true, ack: true }, 32);
  connection.finSent = true;
}

/**
 * SimpleHTTPRequestHandler: `/` is the directory listing (200); the model
 * has no files, so any other path is 404 File not found. A request line it
 * cannot parse gets 400. HTTP/1.0: it closes after the response.
 */
export function httpStatusLine(request: string): string {
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(request.trim());
  if (!match) return "HTTP/1.0 400 Bad request syntax";
  const [, method, path] = match;
  if (method !== "GET" && method !== "HEAD") return "HTTP/1.0 501 Unsupported method";
  const bare = path!.split("?")[0]!.split("#")[0]!;
  return bare === "/" || bare === "/index.html" ? "HTTP/1.0 200 OK" : "HTTP/1.0 404 File not found";
}

export function serveHttp(world: World, listener: Socket): void {
  listener.server = "http";
  sockSetDataReady(world, listener, (simulation, namespace, connection, data) => answer(simulation, namespace, connection, httpStatusLine(data), true));
}

/** socat ... EXEC:cat: what it reads comes back. */
export function serveEcho(world: World, listener: Socket): void {
  listener.server = "echo";
  sockSetDataReady(world, listener, (simulation, namespace, connection, data) => answer(simulation, namespace, connection, data, false));
}
