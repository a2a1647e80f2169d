// The recent match (net/netfilter/xt_recent.c: recent_mt): per-namespace
// tables of addresses with their last hit times, in jiffies (HZ 250, the
// kernel the answers were recorded on) of the virtual clock. --set adds or
// refreshes the packet's address, --rcheck/--update look for --hitcount hits
// within --seconds (--update refreshes on a hit), --remove drops it; the
// tables keep ip_list_tot (200) addresses, least recently used first, each
// with the last ip_pkt_list_tot (20, rounded up to a power of two) times.
import type { RecentEntry, RecentMatch } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

const HZ = 250;
const IP_LIST_TOT = 200;
const IP_PKT_LIST_TOT = 20;

/** A table's time stamps per address: roundup_pow_of_two(ip_pkt_list_tot), or of --hitcount when that is larger. */
function stampsKept(match: RecentMatch): number {
  const wanted = Math.max(IP_PKT_LIST_TOT, match.hitcount ?? 0);
  return 2 ** Math.ceil(Math.log2(wanted));
}

function jiffies(now: number): number {
  return Math.floor((now * HZ) / 1_000_000);
}

function recentTable(context: MatchContext, name: string): RecentEntry[] {
  const state = context.namespace.netfilter!;
  const tables = (state.recent ??= new Map());
  let table = tables.get(name);
  if (!table) tables.set(name, (table = []));
  return table;
}

/** recent_entry_update(): a new time stamp, and the entry to the LRU tail. */
function touch(table: RecentEntry[], entry: RecentEntry, now: number, kept: number): void {
  entry.stamps.push(jiffies(now));
  if (entry.stamps.length > kept) entry.stamps.shift();
  table.splice(table.indexOf(entry), 1);
  table.push(entry);
}

/** recent_mt(): whether the packet matches (after the table changed as the mode says). */
function recentMatches(match: RecentMatch, context: MatchContext): boolean {
  const packet = context.packet;
  const address = ((match.side === "dest" ? packet.destination : packet.source) & match.mask) >>> 0;
  // The TTL as seen before forwarding: one more on the way out of a forwarded packet.
  const ttl = context.out !== undefined && context.hook !== "OUTPUT" ? packet.ttl + 1 : packet.ttl;
  const table = recentTable(context, match.name);
  const wantTtl = match.rttl ? ttl : 0;
  const entry = table.find((candidate) => candidate.address === address && (wantTtl === 0 || candidate.ttl === wantTtl || candidate.ttl === 0));
  let result = match.invert;
  if (entry === undefined) {
    if (match.mode !== "set") return result;
    // recent_entry_init(): the table full, the least recently used goes.
    if (table.length >= IP_LIST_TOT) table.shift();
    table.push({ address, ttl, stamps: [jiffies(context.now)] });
    return !result;
  }
  if (match.mode === "set") result = !result;
  else if (match.mode === "remove") {
    table.splice(table.indexOf(entry), 1);
    result = !result;
  } else {
    const time = jiffies(context.now) - (match.seconds ?? 0) * HZ;
    let hits = 0;
    for (const stamp of entry.stamps) {
      if (match.seconds !== undefined && time > stamp) continue;
      if (match.hitcount === undefined || ++hits >= match.hitcount) {
        result = !result;
        break;
      }
    }
    // recent_entry_reap(): the table's least recently used entry goes when its last hit is older than --seconds.
    if (match.reap) {
      const oldest = table[0];
      if (oldest !== undefined && !(oldest === entry && match.mode === "update") && time > oldest.stamps[oldest.stamps.length - 1]!) table.shift();
    }
  }
  // The kernel tests its `ret` as it is, inversion included.
  if (match.mode === "set" || (match.mode === "update" && result)) {
    if (table.includes(entry)) {
      touch(table, entry, context.now, stampsKept(match));
      entry.ttl = ttl;
    }
  }
  return result;
}

/** XT_RECENT_MAX_NSTAMPS: recent_mt_check() refuses a --hitcount this high. */
const MAX_NSTAMPS = 256;

export const xtRecent: XtMatch<RecentMatch> = {
  needsConntrack: false,
  checkentry: (match) => ((match.hitcount ?? 0) >= MAX_NSTAMPS ? "EINVAL" : undefined),
  match: (match, context) => recentMatches(match, context),
  mismatch(match, context) {
    const address = ((match.side === "dest" ? context.packet.destination : context.packet.source) & match.mask) >>> 0;
    return { match: "recent", name: match.name, address, invert: match.invert, mode: match.mode, seconds: match.seconds, hitcount: match.hitcount };
  },
};
