// conntrack(8) from conntrack-tools 1.4.7 (src/conntrack.c; the default
// output format of libnetfilter_conntrack's nfct_snprintf): -L lists the
// namespace's connections, -C counts them, -F flushes. The countdown is
// read off the virtual clock.
import { formatIpv4Address } from "../model/address.js";
import type { ConntrackEntry, ConntrackTuple } from "../model/conntrack.js";
import { hasConntrackStatus } from "../model/conntrack.js";
import { applyOperation, liveEntries } from "../net/index.js";
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome } from "./command.js";

const VERSION = "conntrack v1.4.7 (conntrack-tools)";
const PROTOCOLS: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17 };

function protocolName(number: number): string {
  return number === 1 ? "icmp" : number === 6 ? "tcp" : number === 17 ? "udp" : "unknown";
}

function tupleText(tuple: ConntrackTuple): string {
  const addresses = `src=${formatIpv4Address(tuple.source)} dst=${formatIpv4Address(tuple.destination)} `;
  if (tuple.protocol === 1) return `${addresses}type=${tuple.icmpType ?? 0} code=${tuple.icmpCode ?? 0} id=${tuple.sourcePort} `;
  if (tuple.protocol === 6 || tuple.protocol === 17) return `${addresses}sport=${tuple.sourcePort} dport=${tuple.destinationPort} `;
  return addresses;
}

/**
 * One line of `conntrack -L`. The kernel reports the seconds left, rounded
 * down; a command runs at least a moment after the last packet, so a
 * fresh 30 s entry shows 29, as on a real host.
 */
export function formatConntrackEntry(entry: ConntrackEntry, now: number): string {
  const remaining = Math.max(0, entry.expires - now);
  const seconds = Math.floor(Math.max(0, remaining - 1) / 1_000_000);
  let line = `${protocolName(entry.original.protocol).padEnd(8)} ${entry.original.protocol} ${seconds} `;
  if (entry.tcpState) line += `${entry.tcpState} `;
  line += tupleText(entry.original);
  if (!hasConntrackStatus(entry, "seenReply")) line += "[UNREPLIED] ";
  line += tupleText(entry.reply);
  if (hasConntrackStatus(entry, "assured")) line += "[ASSURED] ";
  line += `mark=${entry.mark} use=1`;
  return line;
}

/** conntrack's command line, read without a world: the action and the -p filter. */
export function parseConntrack(argv: readonly string[]): { readonly action: "L" | "C" | "F"; readonly protocol?: number } {
  let action: "L" | "C" | "F" | undefined;
  let protocol: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "-L" || word === "--dump") action = "L";
    else if (word === "-C" || word === "--count") action = "C";
    else if (word === "-F" || word === "--flush") action = "F";
    else if (word === "-p" || word === "--proto" || word === "--protonum") {
      const name = argv[++index];
      if (name === undefined) throw new CommandError(`${VERSION}: option \`${word}' requires an argument\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`, 2);
      protocol = /^\d+$/.test(name) ? Number(name) : PROTOCOLS[name];
      if (protocol === undefined) throw new UnsupportedError(name, `conntrack -p ${name} is not modelled`);
    } else if (word === "-n" || word === "--src-nat" || word === "-g" || word === "--dst-nat") throw new UnsupportedError(word, `conntrack ${word} is not modelled`);
    else throw new UnsupportedError(word, `conntrack ${word} is not modelled`);
  }
  if (action === undefined) throw new UnsupportedError("conntrack", "conntrack without -L, -C or -F is not modelled");
  return { action, ...(protocol !== undefined ? { protocol } : {}) };
}

/** The check before the run. */
export function checkConntrack(argv: readonly string[]): undefined {
  parseConntrack(argv);
  return undefined;
}

export function conntrack(argv: readonly string[], environment: CommandEnvironment): CommandOutcome {
  const { action, protocol } = parseConntrack(argv);
  const namespace = environment.namespace;
  const now = environment.world.clock;
  if (action === "F") {
    applyOperation(environment.world, { op: "conntrack-flush", namespaceId: namespace.id, ...(environment.origin ? { origin: environment.origin } : {}) });
    return { kind: "done", stdout: "", stderr: `${VERSION}: connection tracking table has been emptied.\n`, exitCode: 0 };
  }
  const table = namespace.netfilter?.conntrack;
  const entries = (table ? liveEntries(table, now) : []).filter((entry) => protocol === undefined || entry.original.protocol === protocol);
  if (action === "C") return { kind: "done", stdout: `${entries.length}\n`, stderr: "", exitCode: 0 };
  // The kernel lists by hash bucket; newest first is what a small table tends to show.
  const lines = [...entries].sort((a, b) => b.id - a.id).map((entry) => `${formatConntrackEntry(entry, now)}\n`);
  return { kind: "done", stdout: lines.join(""), stderr: `${VERSION}: ${entries.length} flow entries have been shown.\n`, exitCode: 0 };
}
