// iputils ping, as the simulator runs it: the same socket calls (connect()
// to pick the route and source, one echo request per interval), the same
// waiting rules, and the same text on stdout and stderr.
import { formatIpv4Address, inetAton, parseIpv4Address } from "../model/address.js";
import type { Errno } from "../model/errno.js";
import type { NetworkNamespace } from "../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_TIME_EXCEEDED, type Ipv4Packet } from "../model/packet.js";
import type { Trace } from "../model/trace.js";
import { traceSteps } from "../render/trace-why.js";
import type { CommandProcess, ProcessOutput } from "../commands/command.js";
import { signalNumber } from "../model/signal.js";
import type { World } from "../model/world.js";
import { type Simulation, createSimulation, routeChoice, deviceByName, ipLocalOut, ipRouteOutput, record, routeDecision, runEvents, socketClose, socketCreate, timerStart, timerStop } from "../net/index.js";

export interface PingOptions {
  readonly destination: string;
  /** -c: replies to wait for (and, without -w, packets to send); absent: until the -w deadline. */
  readonly count?: number;
  /** -W: seconds to wait for a reply after the last packet when none came (default 10). */
  readonly timeoutSeconds?: number;
  /** -w: seconds before ping exits whatever happened. */
  readonly deadlineSeconds?: number;
  /** -I: a device name or a source address. */
  readonly interface?: string;
  /** -t */
  readonly ttl: number;
  /** -i, in milliseconds. */
  readonly intervalMs: number;
  /** -q */
  readonly quiet: boolean;
  /** -s: data bytes (56). */
  readonly size: number;
  /** -b */
  readonly broadcast: boolean;
}

export interface ProbeRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly trace?: Trace;
  /** stdout line by line with the virtual time (µs) each was printed at. */
  readonly timed?: readonly { readonly time: number; readonly text: string }[];
}

const CONNECT_ERRORS: Partial<Record<Errno, string>> = {
  ENETUNREACH: "ping: connect: Network is unreachable",
  EHOSTUNREACH: "ping: connect: No route to host",
  EINVAL: "ping: connect: Invalid argument",
  EACCES: "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules",
};

/** The words iputils prints for an ICMP error (ping_common.c: pr_icmph). */
export function describeIcmpError(type: number, code: number): string {
  if (type === ICMP_TIME_EXCEEDED) return code === 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
  if (type !== ICMP_DEST_UNREACH) return `Bad ICMP type: ${type}`;
  const reasons = [
    "Destination Net Unreachable",
    "Destination Host Unreachable",
    "Destination Protocol Unreachable",
    "Destination Port Unreachable",
    "Frag needed and DF set",
    "Source Route Failed",
    "Destination Net Unknown",
    "Destination Host Unknown",
    "Source Host Isolated",
    "Destination Net Prohibited",
    "Destination Host Prohibited",
    "Destination Net Unreachable for Type of Service",
    "Destination Host Unreachable for Type of Service",
    "Packet filtered",
    "Precedence Violation",
    "Precedence Cutoff",
  ];
  return reasons[code] ?? `Dest Unreachable, Bad Code: ${code}`;
}

/** iputils prints round-trip times with fewer decimals as they grow. */
function formatRtt(milliseconds: number): string {
  if (milliseconds >= 100) return milliseconds.toFixed(0);
  if (milliseconds >= 10) return milliseconds.toFixed(1);
  if (milliseconds >= 1) return milliseconds.toFixed(2);
  return milliseconds.toFixed(3);
}

function percent(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** getaddrinfo() as ping sees it here: literals in inet_aton()'s forms (127.1, 10.8), localhost, and 0.0.0.0 (which the kernel reads as "this host"). */
function resolveDestination(text: string): { address: number; name?: string } | undefined {
  if (text === "localhost") return { address: 0x7f000001, name: "localhost" };
  const literal = inetAton(text);
  if (literal === undefined) return undefined;
  // connect() to INADDR_ANY reaches the loopback address, and ping reports that.
  return { address: literal === 0 ? 0x7f000001 : literal };
}

/** The largest ICMP payload an IPv4 datagram carries (65535 - 20 - 8): bigger sends fail with EMSGSIZE, silently counted. */
const MAXIMUM_PAYLOAD = 65507;
/** An ICMP socket's flow: IPPROTO_ICMP, no ports. */
const ICMP_TRANSPORT = { protocol: 1, sourcePort: 0, destinationPort: 0 } as const;

/** A ping under way: `advance` runs it up to a time (true once it would exit), `finish` prints its summary and closes it. */
export interface PingSession {
  readonly advance: (until: number) => boolean;
  readonly finish: () => ProbeRun;
  /** What it printed on stdout since the last call (or the start), line by line with the time of each. */
  readonly take: () => { time: number; text: string }[];
  /** Killed without a summary (SIGTERM, SIGKILL). */
  readonly stop: () => void;
}

export function runPing(world: World, namespace: NetworkNamespace, options: PingOptions, tracing: boolean, commandText: string): ProbeRun {
  const started = startPing(world, namespace, options, tracing, commandText);
  if (!("advance" in started)) return started;
  started.advance(Number.POSITIVE_INFINITY);
  return started.finish();
}

export function startPing(world: World, namespace: NetworkNamespace, options: PingOptions, tracing: boolean, commandText: string): ProbeRun | PingSession {
  const resolved = resolveDestination(options.destination);
  if (resolved === undefined) {
    // No resolver is reachable from a sandbox: glibc reports EAI_AGAIN.
    return { stdout: "", stderr: `ping: ${options.destination}: Temporary failure in name resolution\n`, exitCode: 2 };
  }
  const destination = resolved.address;
  const destinationText = formatIpv4Address(destination);
  const replyFrom = (address: number) => (resolved.name !== undefined && address === destination ? `${resolved.name} (${formatIpv4Address(address)})` : formatIpv4Address(address));
  let outputInterface: number | undefined;
  let boundSource: number | undefined;
  let interfaceLabel = "";
  let warnings = "";
  if (options.interface !== undefined) {
    const asAddress = parseIpv4Address(options.interface);
    if (asAddress !== undefined) {
      const owned = [...namespace.devices.values()].some((device) => device.addresses.some((address) => address.address === asAddress));
      if (!owned) return { stdout: "", stderr: "ping: bind: Cannot assign requested address\n", exitCode: 2 };
      boundSource = asAddress;
    } else {
      const device = deviceByName(namespace, options.interface);
      if (!device) return { stdout: "", stderr: `ping: SO_BINDTODEVICE ${options.interface}: No such device\n`, exitCode: 2 };
      outputInterface = device.index;
      interfaceLabel = ` ${device.name}`;
      if (device.addresses.length === 0) warnings += `ping: Warning: source address might be selected on device other than: ${device.name}\n`;
    }
  }
  const simulation = createSimulation(world, tracing);
  const trace = (): Trace | undefined => (simulation.steps ? { probe: commandText, namespace: namespace.name, steps: traceSteps(simulation.steps) } : undefined);
  // An ICMP probe socket: rules may select on ipproto icmp.
  const routeOptions = { ...(boundSource !== undefined ? { source: boundSource } : {}), ...(outputInterface !== undefined ? { outputInterface } : {}), transport: ICMP_TRANSPORT };

  // connect() on a probe socket, to learn the source (ping4_run(), only when -I gave no address): the route is chosen once, up front.
  const connected = ipRouteOutput(namespace, destination, routeOptions);
  /** The send is refused: no route, or a broadcast route without -b (SO_BROADCAST). */
  const refusal = (result: typeof connected): Errno | undefined => (!result.ok ? result.errno : result.route.type === "broadcast" && !options.broadcast ? "EACCES" : undefined);
  const recordRefusal = (result: typeof connected, errno: Errno) =>
    record(simulation, () => ({
      namespace,
      stage: "ip_route_output",
      ...(result.ok || !result.fib ? { decision: { kind: "no-route" as const, destination } } : { decision: routeDecision(result.fib, destination) }),
      verdict: "drop",
      dropReason: "IP_OUTNOROUTES",
      reason: result.ok ? { code: "route-output-broadcast", destination: options.destination } : errno === "ENETUNREACH" ? { code: "route-output-no-route", destination: options.destination } : { code: "route-output-refused", destination: options.destination, errno },
    }));
  const refused = refusal(connected);
  if (refused !== undefined && boundSource === undefined) {
    recordRefusal(connected, refused);
    const text = CONNECT_ERRORS[refused] ?? `ping: connect: ${refused}`;
    const result: ProbeRun = { stdout: "", stderr: `${text}\n`, exitCode: 2 };
    const recorded = trace();
    return recorded ? { ...result, trace: recorded } : result;
  }
  const source = boundSource ?? (connected.ok ? connected.route.source : 0);
  if (connected.ok && refused === undefined) {
    if (connected.route.type === "broadcast") warnings += "WARNING: pinging broadcast address\n";
    const fib = connected.route.fib;
    if (fib) {
      record(simulation, () => ({ namespace, device: connected.route.device.name, stage: "ip_route_output", decision: routeDecision(fib, connected.route.nexthop, source), verdict: "continue", reason: { code: "route-output", choice: routeChoice(namespace, fib), source } }));
    }
  }

  const echoId = world.nextEchoId++ & 0xffff;
  // The ping socket, connected: its echo id is its port; replies and errors land in its queue.
  const pingSocket = socketCreate(world, namespace, "icmp");
  Object.assign(pingSocket, { port: echoId, address: source, remoteAddress: destination, state: "established" });
  const socket = { events: pingSocket.pingEvents! };
  const sentAt = new Map<number, number>();
  const start = world.clock;
  const count = options.count ?? Number.POSITIVE_INFINITY;
  const deadline = options.deadlineSeconds !== undefined ? start + options.deadlineSeconds * 1_000_000 : undefined;
  // A raw socket bound to a device (-I DEV) hears only what arrives on that device:
  // the answer to a local address comes back through lo and never reaches it.
  const deafToReplies = outputInterface !== undefined && connected.ok && connected.route.type === "local" && outputInterface !== connected.route.device.index;
  const received = (): number => (deafToReplies ? 0 : new Set(socket.events.filter((event) => event.kind === "reply").map((event) => event.sequence)).size);
  let timer: number | undefined;
  const sendEcho = (sequence: number) => (running: Simulation) => {
    timer = undefined;
    sentAt.set(sequence, world.clock);
    const packet: Ipv4Packet = {
      source,
      destination,
      ttl: options.ttl,
      transport: { protocol: "icmp", type: ICMP_ECHO, code: 0, id: echoId, sequence },
      payloadLength: 8 + options.size,
    };
    const route = ipRouteOutput(namespace, destination, { ...routeOptions, source });
    const sendRefused = refusal(route);
    // pinger()'s hard local error: counted as sent, and silent (no error is queued on the socket for it).
    if (sendRefused !== undefined) recordRefusal(route, sendRefused);
    else if (route.ok && options.size <= MAXIMUM_PAYLOAD) ipLocalOut(running, namespace, route.route, packet);
    // With a deadline ping keeps sending until -c replies came (the deadline wins over the count).
    const more = deadline !== undefined ? received() < count : sequence < count;
    if (more) timer = timerStart(world, options.intervalMs * 1000, sendEcho(sequence + 1));
  };
  timer = timerStart(world, 0, sendEcho(1));

  // The waits, resumable: a background ping (`ping ... &`) advances as the shell's clock moves.
  let phase = 0;
  let finished = false;
  const answered = (): Set<number> => new Set(socket.events.map((event) => event.sequence));
  const lastSendDue = start + (count - 1) * options.intervalMs * 1000;
  const waitAfterLast = (options.timeoutSeconds ?? 10) * 1_000_000;
  const finishedAll = () => sentAt.size === count && (deafToReplies ? false : answered().size >= count);
  const advance = (until: number): boolean => {
    if (finished) return true;
    if (deadline !== undefined) {
      // Nothing is sent at the deadline itself: ping exits then.
      const stop = () => received() >= count;
      runEvents(simulation, Math.min(until, deadline - 1), stop);
      finished = stop() || world.clock >= deadline - 1;
      return finished;
    }
    if (phase === 0) {
      runEvents(simulation, Math.min(until, lastSendDue));
      if (world.clock < lastSendDue) return false;
      phase = 1;
    }
    runEvents(simulation, Math.min(until, lastSendDue + waitAfterLast), finishedAll);
    finished = finishedAll() || world.clock >= lastSendDue + waitAfterLast;
    return finished;
  };
  // iputils prints each line as it happens (the header before the first send, a reply when it comes) and flushes stdout after each: the lines, with their times.
  // ping_common.c: "from SRC DEV: " with -I DEV, "from SRC : " with -I ADDR (the device name is empty).
  const header = boundSource !== undefined || outputInterface !== undefined ? `PING ${options.destination} (${destinationText}) from ${formatIpv4Address(source)}${outputInterface !== undefined ? interfaceLabel : " "}: ${options.size}(${options.size + 28}) bytes of data.` : `PING ${options.destination} (${destinationText}) ${options.size}(${options.size + 28}) bytes of data.`;
  const printed: { time: number; text: string }[] = [{ time: start, text: `${header}\n` }];
  let taken = 0;
  const rtts: number[] = [];
  let errors = 0;
  const seen = new Set<number>();
  let duplicates = 0;
  let eventsPrinted = 0;
  const printEvents = () => {
    // A raw socket deaf to its replies (-I DEV to a local address) prints none.
    if (deafToReplies) return;
    for (; eventsPrinted < socket.events.length; eventsPrinted++) {
      const event = socket.events[eventsPrinted]!;
      if (event.kind === "reply") {
        const rtt = (event.time - (sentAt.get(event.sequence) ?? event.time)) / 1000;
        if (seen.has(event.sequence)) duplicates++;
        else rtts.push(rtt);
        seen.add(event.sequence);
        if (!options.quiet) printed.push({ time: event.time, text: `${options.size + 8} bytes from ${replyFrom(event.from)}: icmp_seq=${event.sequence} ttl=${event.ttl} time=${formatRtt(rtt)} ms${seen.has(event.sequence) && duplicates > 0 ? " (DUP!)" : ""}\n` });
      } else {
        errors++;
        if (!options.quiet) printed.push({ time: event.time, text: `From ${formatIpv4Address(event.from)} icmp_seq=${event.sequence} ${describeIcmpError(event.type ?? 0, event.code ?? 0)}\n` });
      }
    }
  };
  /** The lines printed since the last call, each with its time. */
  const take = (): { time: number; text: string }[] => {
    printEvents();
    const lines = printed.slice(taken);
    taken = printed.length;
    return lines;
  };
  const finish = (): ProbeRun => {
    printEvents();
    // ping exits: its next send never happens, and its socket closes.
    timerStop(world, timer);
    socketClose(world, namespace, pingSocket);
    if (deafToReplies) socket.events.splice(0);

    const lines: string[] = [];
    const transmitted = sentAt.size;
    const receivedCount = rtts.length;
    const lastSent = Math.max(...sentAt.values(), start);
    const elapsedMs = Math.floor((lastSent - start) / 1000);
    const loss = transmitted === 0 ? 0 : ((transmitted - receivedCount) * 100) / transmitted;
    lines.push("", `--- ${options.destination} ping statistics ---`);
    lines.push(`${transmitted} packets transmitted, ${receivedCount} received${duplicates ? `, +${duplicates} duplicates` : ""}${errors ? `, +${errors} errors` : ""}, ${percent(loss)}% packet loss, time ${elapsedMs}ms`);
    // iputils updates the pipe size as answers (replies or errors) come in: packets sent by then, less those answered before.
    let pipe = 0;
    socket.events.forEach((event, index) => {
      const sentBy = [...sentAt.values()].filter((time) => time <= event.time).length;
      pipe = Math.max(pipe, sentBy - index);
    });
    if (receivedCount > 0) {
      const min = Math.min(...rtts);
      const max = Math.max(...rtts);
      const average = rtts.reduce((sum, rtt) => sum + rtt, 0) / receivedCount;
      const mdev = Math.sqrt(Math.max(0, rtts.reduce((sum, rtt) => sum + rtt * rtt, 0) / receivedCount - average * average));
      lines.push(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${average.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms${pipe > 1 ? `, pipe ${pipe}` : ""}`);
    } else if (pipe > 1) {
      lines.push(`pipe ${pipe}`);
    }
    printed.push({ time: world.clock, text: `${lines.join("\n")}\n${receivedCount > 0 ? "" : "\n"}` });
    const stdout = printed.map((line) => line.text).join("");
    // ping_common.c: with a deadline, fewer replies than -c asked for is a failure.
    const exitCode = receivedCount === 0 ? 1 : deadline !== undefined && options.count !== undefined && receivedCount < options.count ? 1 : 0;
    const result: ProbeRun = { stdout, stderr: warnings, exitCode, timed: printed };
    const recorded = trace();
    return recorded ? { ...result, trace: recorded } : result;
  };
  return { advance, finish, take, stop: () => { timerStop(world, timer); socketClose(world, namespace, pingSocket); } };
}

/** A background ping as a process: runUntil moves it on; it exits after its count or deadline, or when killed (SIGINT prints the summary, as after Ctrl-C). */
export class PingProcess implements CommandProcess {
  private exited: number | undefined;
  private result: ProbeRun | undefined;
  private pending: ProcessOutput = { stdout: "", stderr: "" };

  constructor(
    private readonly session: PingSession,
    private readonly warnings: string,
    /** The virtual time it starts at (its warnings are printed then). */
    startTime: number,
  ) {
    this.pending = { stdout: "", stderr: warnings, timed: warnings === "" ? [] : [{ time: startTime, stream: "stderr", text: warnings }] };
  }

  get exitCode(): number | undefined {
    return this.exited;
  }

  get trace(): Trace | undefined {
    return this.result?.trace;
  }

  runUntil(virtualTime: number): ProcessOutput {
    if (this.exited === undefined) {
      const done = this.session.advance(virtualTime);
      this.collect();
      if (done) this.exit(this.session.finish());
    }
    const output = this.pending;
    this.pending = { stdout: "", stderr: "", timed: [] };
    return output;
  }

  /** The lines printed by now, each at its time. */
  private collect(): void {
    const lines = this.session.take();
    this.pending = { stdout: this.pending.stdout + lines.map((line) => line.text).join(""), stderr: this.pending.stderr, timed: [...(this.pending.timed ?? []), ...lines.map((line) => ({ time: line.time, stream: "stdout" as const, text: line.text }))] };
  }

  kill(signal: string): void {
    if (this.exited !== undefined) return;
    const number = signalNumber(signal);
    if (number === 2) {
      this.collect();
      this.exit(this.session.finish());
      return;
    }
    this.session.stop();
    this.exited = 128 + number;
  }

  /** Its summary (the last of finish()'s lines: the others were taken as they came) and its errors, at the time it exits. */
  private exit(result: ProbeRun): void {
    this.result = result;
    this.exited = result.exitCode;
    const summary = this.session.take();
    const stdout = summary.map((line) => line.text).join("");
    const timed = [...(this.pending.timed ?? []), ...summary.map((line) => ({ time: line.time, stream: "stdout" as const, text: line.text }))];
    const stderr = result.stderr;
    if (stderr !== "") timed.push({ time: summary[summary.length - 1]?.time ?? 0, stream: "stderr", text: stderr });
    this.pending = { stdout: this.pending.stdout + stdout, stderr: this.pending.stderr + stderr, timed };
  }
}
