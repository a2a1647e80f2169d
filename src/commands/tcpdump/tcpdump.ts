// tcpdump 4.99 (tcpdump.c's option parsing and main loop, over libpcap's
// pcap_activate on a PF_PACKET socket): `tcpdump -i DEV [-n] [-e] [-c N]
// [-l] [-q] [-p] [-U] [--immediate-mode] [-Z USER] [expression]`. It opens
// a packet tap on the device (dev.ts: ptype_all), in promiscuous mode
// unless -p, and prints each frame that passes the filter, timestamped on
// the virtual clock. It runs as a process on the world's clock: until -c N
// frames have passed, or until killed, or until the scenario ends. Other
// options are refused by name.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import type { World } from "../../model/world.js";
import { signalNumber } from "../../model/signal.js";
import { createSimulation, devAddTap, devRemoveTap, runEvents } from "../../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome, type CommandProcess, type ProcessOutput, type TimedOutput } from "../command.js";
import { compileFilter, filterMatches, type FilterNode } from "./filter.js";
import { printFrame, TcpSequenceTable, type PrintOptions } from "./print.js";

const VERSION = "tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\nOpenSSL 3.0.19 27 Jan 2026";
const USAGE = `Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]`;

/** tcpdump's getopt string (SHORTOPTS): letters followed by ':' take a value. */
const SHORT_OPTIONS = "aAbB:c:C:dDeE:fF:G:hHi:I#j:JKlLm:M:nNOpq Q:r:s:StT:uUvV:w:W:xXy:Yz:Z:";
const WITH_VALUE = new Set([...SHORT_OPTIONS.matchAll(/(.):/g)].map((match) => match[1]!));
const LETTERS = new Set(SHORT_OPTIONS.replace(/[: ]/g, "").split(""));
/** What the model takes; -Z and -U change nothing it prints (privileges, buffering). */
const MODELLED = new Set(["i", "n", "e", "c", "l", "q", "p", "t", "U", "Z"]);

interface Options {
  device?: string;
  numeric: boolean;
  link: boolean;
  quick: boolean;
  count?: number;
  promiscuous: boolean;
  /** -l: stdout line-buffered (each line written as it is decoded); else stdio's full buffer, written when it fills or at exit. */
  lineBuffered: boolean;
  expression: string[];
  /** How many -t were given: one drops the timestamp (-tt, -ttt, -tttt print other clocks: refused). */
  noTimestamps: number;
}

function parseArguments(argv: readonly string[]): Options {
  const options: Options = { numeric: false, link: false, quick: false, promiscuous: true, lineBuffered: false, expression: [], noTimestamps: 0 };
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--") {
      options.expression.push(...argv.slice(index + 1));
      break;
    }
    if (word.startsWith("--")) {
      const [name, value] = word.slice(2).split("=", 2) as [string, string | undefined];
      if (name === "immediate-mode") continue;
      if (name === "relinquish-privileges") {
        if (value === undefined && argv[++index] === undefined) throw new CommandError(`tcpdump: option '--relinquish-privileges' requires an argument\n${VERSION}\n${USAGE}`, 1);
        continue;
      }
      if (name === "version") throw new UnsupportedError(word, "tcpdump --version is not modelled");
      throw new UnsupportedError(word, `tcpdump ${word} is not modelled`);
    }
    if (!word.startsWith("-") || word === "-") {
      options.expression.push(word);
      continue;
    }
    for (let position = 1; position < word.length; position++) {
      const letter = word[position]!;
      if (!LETTERS.has(letter)) throw new CommandError(`tcpdump: invalid option -- '${letter}'\n${VERSION}\n${USAGE}`, 1);
      if (!MODELLED.has(letter)) throw new UnsupportedError(`-${letter}`, `tcpdump -${letter} is not modelled`);
      let value: string | undefined;
      if (WITH_VALUE.has(letter)) {
        value = position + 1 < word.length ? word.slice(position + 1) : argv[++index];
        if (value === undefined) throw new CommandError(`tcpdump: option requires an argument -- '${letter}'\n${VERSION}\n${USAGE}`, 1);
        position = word.length;
      }
      switch (letter) {
        case "i":
          options.device = value!;
          break;
        case "c": {
          // tcpdump.c: strtol, and a count must be positive.
          if (!/^\s*[+-]?\d+$/.test(value!) || Number(value) <= 0) throw new CommandError(`tcpdump: invalid packet count ${value}`, 1);
          options.count = Number(value);
          break;
        }
        case "n":
          options.numeric = true;
          break;
        case "e":
          options.link = true;
          break;
        case "q":
          options.quick = true;
          break;
        case "p":
          options.promiscuous = false;
          break;
        case "l":
          options.lineBuffered = true;
          break;
        case "t":
          // -tt (seconds since the epoch), -ttt (delta), -tttt (date and time), -ttttt (since the first packet).
          if (++options.noTimestamps > 1) throw new UnsupportedError("-tt", "tcpdump -tt, -ttt, -tttt and -ttttt (timestamps other than the time of day) are not modelled");
          break;
        case "U":
        case "Z":
          // Packet buffering (of -w files), the user to drop to: nothing the model prints depends on them.
          break;
      }
    }
  }
  return options;
}

function findDevice(namespace: NetworkNamespace, name: string): NetDevice | undefined {
  for (const device of namespace.devices.values()) if (device.name === name) return device;
  return undefined;
}

/** glibc stdio's buffer for a stdout that is a pipe or a file (st_blksize). */
const STDIO_BUFFER = 4096;

/** How long a foreground tcpdump -c N waits at most (µs): the scenario shell's day of virtual time. */
const FOREGROUND_WAIT_LIMIT = 24 * 3600 * 1e6;

/** The options, and the device netsim can open by name. */
function parseCommandLine(argv: readonly string[]): Options & { readonly device: string } {
  const options = parseArguments(argv);
  if (options.device === undefined) throw new UnsupportedError("tcpdump", "tcpdump without -i DEV (the first interface pcap_findalldevs lists) is not modelled: name the device");
  if (options.device === "any") throw new UnsupportedError("any", "tcpdump -i any (the LINUX_SLL2 pseudo-device) is not modelled: name the device");
  return options as Options & { readonly device: string };
}

/** The check before the run: the options and the filter expression (which the run compiles once the device is found). */
export function checkTcpdump(argv: readonly string[]): undefined {
  compileFilter(parseCommandLine(argv).expression);
  return undefined;
}

export function tcpdump(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const options = parseCommandLine(argv);
  // pcap_compile comes after pcap_activate in tcpdump.c, but a bad expression is what the reader needs to hear first either way; the device is checked first, as tcpdump does.
  const device = findDevice(environment.namespace, options.device);
  if (device === undefined) return { kind: "done", stdout: "", stderr: `tcpdump: ${options.device}: No such device exists\n(No such device exists)\n`, exitCode: 1 };
  if (!device.adminUp) return { kind: "done", stdout: "", stderr: `tcpdump: ${options.device}: That device is not up\n`, exitCode: 1 };
  const filter = compileFilter(options.expression);
  const process = new TcpdumpProcess(environment.world, environment.namespace, device, filter, options);
  if (environment.background || options.count === undefined) return { kind: "process", process };
  // Foreground -c N: the shell waits until tcpdump has its N packets.
  if (!process.runToExit(environment.world.clock + FOREGROUND_WAIT_LIMIT)) {
    process.kill("KILL");
    throw new UnsupportedError("-c", `tcpdump -c ${options.count} in the foreground: fewer than ${options.count} packets came, and nothing more will (or not within a day of virtual time), so the shell would wait forever: start it with & before the traffic`);
  }
  const { stdout, stderr } = process.runUntil(environment.world.clock);
  return { kind: "done", stdout, stderr, exitCode: process.exitCode ?? 0 };
}

/**
 * A running tcpdump: its tap collects what passes the filter as the world
 * runs; runUntil prints what it collected up to then. Runs to -c N, or
 * until killed (TERM, INT and HUP print its statistics first, as its
 * cleanup() does), or the scenario's end.
 */
export class TcpdumpProcess implements CommandProcess {
  /** The lines decoded, each at the time its frame passed. */
  private readonly lines: { time: number; text: string }[] = [];
  private printed = 0;
  /** What stdio holds of the lines decoded and not yet written (without -l). */
  private buffered = "";
  /** Virtual time (µs) it started and exited at. */
  private readonly startTime: number;
  private exitTime = 0;
  private captured = 0;
  private tapId: number | undefined;
  private status: number | undefined;
  private statisticsDue = false;
  private startText: string;
  private readonly sequences = new TcpSequenceTable();
  private readonly printOptions: PrintOptions;

  constructor(
    private readonly world: World,
    private readonly namespace: NetworkNamespace,
    private readonly device: NetDevice,
    private readonly filter: FilterNode | undefined,
    private readonly options: Options,
  ) {
    this.printOptions = { numeric: options.numeric, link: options.link, quick: options.quick, timestamp: options.noTimestamps === 0 };
    this.startTime = world.clock;
    this.startText = `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${device.name}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`;
    if (options.promiscuous) device.promiscuity = (device.promiscuity ?? 0) + 1;
    this.tapId = devAddTap(world, namespace.id, device.index, (tapWorld, frame) => this.receive(tapWorld, frame));
  }

  private receive(world: World, frame: EthernetFrame): void {
    if (this.status !== undefined || !filterMatches(this.filter, frame)) return;
    this.lines.push({ time: world.clock, text: `${printFrame(frame, world.clock, this.printOptions, this.sequences)}\n` });
    this.captured++;
    if (this.options.count !== undefined && this.captured >= this.options.count) this.finish(0, true);
  }

  private finish(status: number, statistics: boolean): void {
    if (this.status !== undefined) return;
    this.status = status;
    this.exitTime = this.world.clock;
    this.statisticsDue = statistics;
    if (this.tapId !== undefined) devRemoveTap(this.world, this.tapId);
    this.tapId = undefined;
    if (this.options.promiscuous) this.device.promiscuity = Math.max(0, (this.device.promiscuity ?? 1) - 1);
  }

  private statistics(): string {
    const packets = (count: number) => `${count} packet${count === 1 ? "" : "s"}`;
    return `${packets(this.captured)} captured\n${packets(this.captured)} received by filter\n0 packets dropped by kernel\n`;
  }

  /**
   * In the foreground with -c N the shell waits for tcpdump: the world runs
   * until the Nth packet, or until nothing is left to happen (no pending
   * event: bash would wait forever) or a day of virtual time has gone by.
   * True when it exited.
   */
  runToExit(limit: number): boolean {
    runEvents(createSimulation(this.world, false), limit, () => this.status !== undefined || this.world.pending.length === 0);
    return this.status !== undefined;
  }

  runUntil(virtualTime: number): ProcessOutput {
    // Stops at the Nth packet, so the clock is left where tcpdump exited.
    if (this.status === undefined && virtualTime > this.world.clock) runEvents(createSimulation(this.world, false), virtualTime, () => this.status !== undefined);
    const timed: TimedOutput[] = [];
    if (this.startText !== "") timed.push({ time: this.startTime, stream: "stderr", text: this.startText });
    this.startText = "";
    for (const line of this.lines.slice(this.printed)) {
      if (this.options.lineBuffered) {
        timed.push({ time: line.time, stream: "stdout", text: line.text });
        continue;
      }
      // stdio writes a full buffer at once, lines cut where it ends.
      this.buffered += line.text;
      const full = this.buffered.length - (this.buffered.length % STDIO_BUFFER);
      if (full > 0) timed.push({ time: line.time, stream: "stdout", text: this.buffered.slice(0, full) });
      this.buffered = this.buffered.slice(full);
    }
    this.printed = this.lines.length;
    // At exit stdio writes what it holds, before the statistics (on stderr).
    if (this.status !== undefined && this.buffered !== "") {
      timed.push({ time: this.exitTime, stream: "stdout", text: this.buffered });
      this.buffered = "";
    }
    // -c N reached, or a TERM: the statistics, once.
    if (this.statisticsDue) timed.push({ time: this.exitTime, stream: "stderr", text: this.statistics() });
    this.statisticsDue = false;
    const text = (stream: TimedOutput["stream"]) => timed.filter((piece) => piece.stream === stream).map((piece) => piece.text).join("");
    return { stdout: text("stdout"), stderr: text("stderr"), timed };
  }

  get exitCode(): number | undefined {
    return this.status;
  }

  kill(signal: string): void {
    if (this.status !== undefined) return;
    const number = signalNumber(signal);
    // cleanup(): SIGTERM, SIGINT and SIGHUP end the capture loop; tcpdump prints its statistics and exits 0.
    if (number === 1 || number === 2 || number === 15) {
      // cleanup() starts with putchar('\n') on stdout (measured: a blank line after the last packet, before the statistics on stderr).
      if (this.status === undefined) this.lines.push({ time: this.world.clock, text: "\n" });
      this.finish(0, true);
    }
    else this.finish(128 + number, false);
  }
}
