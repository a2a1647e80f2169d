// The kernel's state texts (ip -j, iptables-save, conntrack -L) made
// comparable: what the kernel picks at random or by the clock (ifindex, MAC
// addresses it generated, ICMP ids and ephemeral ports, timers, counters,
// ping times) is dropped or replaced by a stable placeholder, so the verify
// step can diff the simulator against the kernel. Pure functions.
//
// The simulator models IPv4, so IPv6 addresses, routes, neighbours and flows
// (all derived from random MACs or timers here) are left out.
import type { CommandRecord, NamespaceState } from "../../scenario/result.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface NormaliseContext {
  /** MAC addresses the scenario chose itself (lower case): these stay. */
  readonly explicitMacAddresses: ReadonlySet<string>;
}

const MAC_ADDRESS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
// The kernel's own, not random: loopback's and the Ethernet broadcast.
const FIXED_MAC_ADDRESSES = new Set(["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"]);

/** Every MAC address an `ip` command of the scenario named (`address`, `lladdr`, ...). */
export function explicitMacAddresses(commands: readonly CommandRecord[]): Set<string> {
  return new Set(
    commands
      .filter((command) => command.argv[0] === "ip")
      .flatMap((command) => command.argv.filter((word) => MAC_ADDRESS.test(word)).map((word) => word.toLowerCase())),
  );
}

function keepsMac(mac: Json | undefined, context: NormaliseContext): boolean {
  return typeof mac === "string" && (FIXED_MAC_ADDRESSES.has(mac.toLowerCase()) || context.explicitMacAddresses.has(mac.toLowerCase()));
}

/** Objects with their keys sorted, so equal states print equal. */
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key] ?? null)]));
}

function print(value: Json): string {
  return `${JSON.stringify(canonical(value), null, 2)}\n`;
}

function parseArray(text: string): JsonObject[] {
  if (text.trim() === "") return [];
  const parsed = JSON.parse(text) as Json;
  return Array.isArray(parsed) ? parsed.filter((item): item is JsonObject => item !== null && typeof item === "object" && !Array.isArray(item)) : [];
}

function without(object: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

// Kernel-chosen numbers: interface indexes, the peer's index and netns id, queue details.
const LINK_NOISE = ["ifindex", "link_index", "link_netnsid", "stats", "stats64"];

/**
 * A carrier change shows in LOWER_UP at once, but IFF_RUNNING (iproute2's
 * NO-CARRIER is UP without RUNNING) and the operstate follow only when
 * linkwatch runs, up to a second later (linkwatch_fire_event() delays
 * non-urgent events). A snapshot in between is timing, so it is shown as
 * linkwatch will leave it:
 * - carrier just on (a veth whose peer was set up a moment ago): NO-CARRIER
 *   next to LOWER_UP, the old operstate. Settled: no NO-CARRIER, operstate UP.
 * - carrier just off (the peer was set down): UP without LOWER_UP and without
 *   NO-CARRIER, operstate still UP. Settled: NO-CARRIER, and rfc2863_policy()'s
 *   operstate: LOWERLAYERDOWN when the device has a lower link whose ifindex
 *   differs from its own (iflink), else DOWN.
 */
function settleLinkwatch(link: JsonObject): JsonObject {
  const flags = Array.isArray(link.flags) ? link.flags : [];
  if (flags.includes("LOWER_UP") && flags.includes("NO-CARRIER")) {
    return { ...link, flags: flags.filter((flag) => flag !== "NO-CARRIER"), operstate: "UP" };
  }
  if (flags.includes("UP") && !flags.includes("LOWER_UP") && !flags.includes("NO-CARRIER") && link.link_type !== "loopback") {
    const lowerLink = typeof link.link_index === "number" && link.link_index !== link.ifindex;
    return { ...link, flags: ["NO-CARRIER", ...flags], operstate: lowerLink ? "LOWERLAYERDOWN" : "DOWN" };
  }
  return link;
}

function normaliseLinkObject(link: JsonObject, context: NormaliseContext): JsonObject {
  const kept = without(settleLinkwatch(link), LINK_NOISE);
  if (!keepsMac(link.address, context)) delete kept.address;
  if (!keepsMac(link.permaddr, context)) delete kept.permaddr;
  return kept;
}

/** `ip -j link` */
export function normaliseLinks(text: string, context: NormaliseContext): string {
  return print(parseArray(text).map((link) => normaliseLinkObject(link, context)));
}

/** `ip -j addr`: IPv4 addresses only; lifetimes (timers) dropped. */
export function normaliseAddresses(text: string, context: NormaliseContext): string {
  return print(
    parseArray(text).map((link) => {
      const addresses = Array.isArray(link.addr_info) ? link.addr_info : [];
      const ipv4 = addresses
        .filter((address): address is JsonObject => typeof address === "object" && address !== null && !Array.isArray(address) && address.family === "inet")
        .map((address) => without(address, ["valid_life_time", "preferred_life_time"]));
      return { ...normaliseLinkObject(link, context), addr_info: ipv4 };
    }),
  );
}

function isIpv6(text: Json | undefined): boolean {
  return typeof text === "string" && text.includes(":");
}

/** `ip -j route show table all`: IPv4 routes, in the kernel's order. */
export function normaliseRoutes(text: string): string {
  return print(parseArray(text).filter((route) => !isIpv6(route.dst) && !isIpv6(route.gateway) && route.family !== "inet6"));
}

// These differ only by when the last confirmation came (timers): all mean "resolved".
const RESOLVED_NEIGHBOUR_STATES = new Set(["REACHABLE", "STALE", "DELAY", "PROBE"]);
// A resolution without an answer is INCOMPLETE for mcast_solicit × retrans_time
// (3 s), then FAILED. The kernel's clock runs on while the backend takes its
// snapshots (a few hundred ms each) and the simulator's virtual clock does
// not, so which of the two a scenario ends on is timing: both mean "unresolved".
const UNRESOLVED_NEIGHBOUR_STATES = new Set(["INCOMPLETE", "FAILED"]);

/** `ip -j neigh`: IPv4 entries; timer-driven states folded (REACHABLE, <unresolved>), generated MACs replaced. */
export function normaliseNeighbours(text: string, context: NormaliseContext): string {
  return print(
    parseArray(text)
      .filter((entry) => !isIpv6(entry.dst))
      .map((entry) => {
        const states = Array.isArray(entry.state) ? entry.state : [];
        const state = states.map((name) =>
          typeof name !== "string" ? name : RESOLVED_NEIGHBOUR_STATES.has(name) ? "REACHABLE" : UNRESOLVED_NEIGHBOUR_STATES.has(name) ? "<unresolved>" : name,
        );
        const lladdr = entry.lladdr === undefined || keepsMac(entry.lladdr, context) ? entry.lladdr : "<generated>";
        const normalised: JsonObject = { ...entry, state: [...new Set(state)] };
        if (lladdr !== undefined) normalised.lladdr = lladdr;
        return normalised;
      })
      .sort((left, right) => String(left.dst).localeCompare(String(right.dst)) || String(left.dev).localeCompare(String(right.dev))),
  );
}

/** iptables-save without packet/byte counters: `:INPUT ACCEPT [12:3400]` -> `:INPUT ACCEPT`, `[1:84] -A ...` -> `-A ...`. */
export function stripIptablesCounters(text: string): string {
  return text.replace(/^(:\S+ \S+) \[\d+:\d+\]$/gm, "$1").replace(/^\[\d+:\d+\] /gm, "");
}

/** iptables-save: counters and the dated `# Generated by` / `# Completed on` lines dropped. */
export function normaliseIptablesSave(text: string): string {
  return stripIptablesCounters(text)
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n");
}

// net.ipv4.ip_local_port_range's default: a client's source port comes from here.
const EPHEMERAL_PORTS = { first: 32768, last: 60999 };

// TCP states a connection passes through as it closes.
const TCP_TEARDOWN_STATES = new Set(["FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE"]);

/**
 * An assured TCP flow (the handshake completed) that is closing: which
 * teardown state it shows depends on how the client's close (`nc -z` closes
 * at once) races the server's accept and close, so the kernel shows CLOSE in
 * one run and TIME_WAIT in the next for the same scenario (measured on
 * scenarios/docker/docker-host.sh). All of them read "<teardown>".
 */
function foldTeardownState(fields: string[]): string[] {
  if (fields[0] !== "tcp" || !fields.includes("[ASSURED]") || !TCP_TEARDOWN_STATES.has(fields[2] ?? "")) return fields;
  return [fields[0], fields[1] ?? "", "<teardown>", ...fields.slice(3)];
}

/**
 * A source port NAT remapped on a clash (the reply's dport is not the
 * original sport): nf_nat_l4proto_unique_tuple() picks it at random within
 * the port's class, so it reads "<remapped>" (the class is checked by the
 * properties, not here).
 */
function foldRemappedPort(fields: string[]): string[] {
  const ports = fields.map((field, index) => ({ field, index })).filter(({ field }) => /^(sport|dport)=\d+$/.test(field));
  if (ports.length < 4) return fields;
  const originalSource = ports[0]!.field.slice("sport=".length);
  const replyDestination = ports[3]!;
  if (replyDestination.field.slice("dport=".length) === originalSource) return fields;
  return fields.map((field, index) => (index === replyDestination.index ? "dport=<remapped>" : field));
}

/**
 * conntrack -L: the countdown (third field) and `use=` dropped; ICMP ids and
 * ephemeral ports (chosen by ping / the client's kernel) replaced by
 * placeholders numbered in order of appearance, so "the reply keeps the id"
 * still shows; IGMP and IPv6 flows dropped; lines sorted (the kernel lists
 * them in hash order).
 */
export function normaliseConntrack(text: string): string {
  const isEphemeralPort = (field: string) => {
    const port = /^(?:sport|dport)=(\d+)$/.exec(field);
    return port !== null && Number(port[1]) >= EPHEMERAL_PORTS.first && Number(port[1]) <= EPHEMERAL_PORTS.last;
  };
  const isRandom = (field: string) => /^id=\d+$/.test(field) || isEphemeralPort(field);
  const flows = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/))
    .filter(([protocol, number]) => !(protocol === "unknown" && number === "2") && protocol !== "icmpv6")
    .filter((fields) => !fields.some((field) => /^(src|dst)=.*:/.test(field)))
    .map(([protocol = "", number = "", , ...rest]) => [protocol, number, ...rest.filter((field) => !field.startsWith("use="))])
    .map(foldTeardownState)
    .map(foldRemappedPort)
    // Ordered by everything but the random values, so placeholders are numbered the same way every run.
    .map((fields) => ({ fields, shape: fields.map((field) => (isRandom(field) ? "*" : field)).join(" ") }))
    .sort((left, right) => (left.shape < right.shape ? -1 : left.shape > right.shape ? 1 : 0));
  const placeholders = new Map<string, string>();
  const placeholder = (kind: "id" | "port", value: string) => {
    const key = `${kind}:${value}`;
    const existing = placeholders.get(key);
    if (existing) return existing;
    const created = `<${kind}${[...placeholders.keys()].filter((other) => other.startsWith(`${kind}:`)).length + 1}>`;
    placeholders.set(key, created);
    return created;
  };
  return flows
    .map(({ fields }) =>
      fields
        .map((field) => {
          const [name = "", value = ""] = field.split("=");
          if (name === "id" && isRandom(field)) return `id=${placeholder("id", value)}`;
          if (isEphemeralPort(field)) return `${name}=${placeholder("port", value)}`;
          return field;
        })
        .join(" "),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** ping's output without its clock readings (`time=0.071 ms`, `time 1001ms`, the rtt line). */
export function normalisePingOutput(text: string): string {
  return text
    .replace(/time=\d+(\.\d+)? ms/g, "time=<t> ms")
    .replace(/, time \d+ms$/gm, ", time <t>ms")
    .replace(/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt min/avg/max/mdev = <rtt>");
}

/**
 * tcpdump's lines without what the kernel picks at random or reads from the
 * clock: the timestamps go; MAC addresses, ICMP echo ids and ephemeral
 * ports (ip_local_port_range's default, 32768-60999) become placeholders
 * numbered in order of appearance; absolute TCP sequence numbers (the ISN
 * a SYN, SYN-ACK or reset shows, 5 digits or more; relative ones stay) and
 * TS val/ecr (the per-pair random offset plus the clock) become <isn> and
 * <ts>. Window values, flags, lengths and the order of the lines are kept.
 */
export function normaliseTcpdumpOutput(text: string): string {
  const placeholders = new Map<string, string>();
  const counts = new Map<string, number>();
  const placeholder = (kind: string, value: string) => {
    const key = `${kind}:${value}`;
    let found = placeholders.get(key);
    if (found === undefined) {
      const next = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, next);
      found = `<${kind}${next}>`;
      placeholders.set(key, found);
    }
    return found;
  };
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) =>
      line
        .replace(/^\d\d:\d\d:\d\d\.\d{6} /, "")
        .replace(/\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g, (mac) => (mac === "ff:ff:ff:ff:ff:ff" ? mac : placeholder("mac", mac)))
        .replace(/\bid (\d+), seq/g, (_, id: string) => `id ${placeholder("id", id)}, seq`)
        .replace(/(\d+\.\d+\.\d+\.\d+)\.(\d+)\b/g, (whole, address: string, port: string) => (Number(port) >= 32768 && Number(port) <= 60999 ? `${address}.${placeholder("port", port)}` : whole))
        .replace(/\b(seq|ack) (\d{5,})\b/g, (_, word: string) => `${word} <isn>`)
        .replace(/TS val \d+ ecr (\d+)/g, (_, ecr: string) => `TS val <ts> ecr ${ecr === "0" ? "0" : "<ts>"}`),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** One namespace's snapshot in comparable form (same shape, normalised texts). */
export function normaliseNamespaceState(state: NamespaceState, context: NormaliseContext): NamespaceState {
  return {
    namespace: state.namespace,
    link: normaliseLinks(state.link, context),
    addr: normaliseAddresses(state.addr, context),
    route: normaliseRoutes(state.route),
    neigh: normaliseNeighbours(state.neigh, context),
    iptablesSave: normaliseIptablesSave(state.iptablesSave),
    ip6tablesSave: normaliseIptablesSave(state.ip6tablesSave),
    conntrack: normaliseConntrack(state.conntrack),
    nftRuleset: normaliseNftRuleset(state.nftRuleset),
  };
}

/**
 * nft's listing without its rules' and named counters' packet and byte
 * counts (as iptablesSave goes without iptables'), and without the time a
 * dynamic set's element has left (a timer, as conntrack's): each element
 * list on one line, since nft wraps it by the length of those times.
 */
export function normaliseNftRuleset(text: string): string {
  return text
    .replace(/ packets \d+ bytes \d+/g, "")
    .replace(/elements = \{([^}]*)\}/g, (_, elements: string) => `elements = { ${elements.split(",").map((element) => element.trim().replace(/ expires \S+/, "")).join(", ")} }`);
}
