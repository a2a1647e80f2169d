// net/netfilter/xt_statistic.c (statistic_mt) and iptables' libxt_statistic.c
// (how the probability is stored and printed).
//
// `--mode nth` is the kernel's exactly: a per-rule counter (info->master->count)
// starting at (every - 1) - packet, matching when it reaches every - 1.
//
// `--mode random` draws get_random_u32() in the kernel. The model has no
// unseeded randomness, so the draw is a hash of the namespace's state: the
// namespace id, the packet's conntrack entry id (a per-namespace counter, so
// every new connection draws afresh), the packet's addresses, protocol and
// ports (ICMP: id and sequence), the rule's number in its chain, and how many
// draws this rule has made (its own state, so identical packets do not all
// draw alike). A run therefore replays exactly, the same script gives the
// same backend choices on every run, and any walk that evaluates the same
// rules (the naive walk and the indexed one) draws the same numbers.
import type { Match } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

export type StatisticMatch = Extract<Match, { kind: "statistic" }>;

/** 2^31: the kernel compares a 31-bit draw with lround(p * 2^31). */
const PROBABILITY_SCALE = 0x80000000;

/** libxt_statistic: `info->u.random.probability = lround(0x80000000 * p)`. */
export function statisticProbability(probability: number): number {
  // lround rounds halves away from zero; p is in [0, 1] so Math.floor(x + 0.5) is the same.
  return Math.floor(PROBABILITY_SCALE * probability + 0.5);
}

/**
 * The probability as iptables prints it: printf("%.11f", probability / 2^31),
 * computed exactly (the value has at most 31 binary digits) and rounded half
 * to even as glibc does, where toFixed would round a tie up.
 */
export function formatStatisticProbability(probability: number): string {
  // probability / 2^31 = probability * 5^31 / 10^31: an exact decimal with 31 digits.
  const scaled = BigInt(probability) * 5n ** 31n;
  const divisor = 10n ** 20n; // keep 11 of the 31 decimals
  let quotient = scaled / divisor;
  const remainder = scaled % divisor;
  const half = divisor / 2n;
  if (remainder > half || (remainder === half && quotient % 2n === 1n)) quotient += 1n;
  const digits = quotient.toString().padStart(12, "0");
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}

/** murmur3's 32-bit finaliser step: mixes one word into the hash. */
function mix(hash: number, word: number): number {
  let value = Math.imul(word | 0, 0xcc9e2d51);
  value = (value << 15) | (value >>> 17);
  value = Math.imul(value, 0x1b873593);
  hash ^= value;
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

function finish(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The model's stand-in for get_random_u32() & 0x7FFFFFFF (see the file's head). */
export function statisticDraw(context: MatchContext, ruleNumber: number, draws: number): number {
  const packet = context.packet;
  const transport = packet.transport;
  const attached = packet.conntrack;
  let hash = mix(0x5eed, context.namespace.id);
  hash = mix(hash, attached !== undefined && attached.namespaceId === context.namespace.id ? (attached.entryId ?? 0) : 0);
  hash = mix(hash, packet.source);
  hash = mix(hash, packet.destination);
  if (transport.protocol === "icmp") {
    hash = mix(hash, 1);
    hash = mix(hash, ((transport.id ?? 0) << 16) | (transport.sequence ?? 0));
  } else {
    hash = mix(hash, transport.protocol === "tcp" ? 6 : 17);
    hash = mix(hash, (transport.sourcePort << 16) | transport.destinationPort);
  }
  hash = mix(hash, ruleNumber);
  hash = mix(hash, draws);
  return finish(hash) & 0x7fffffff;
}

/** statistic_mt(): each packet draws (random) or counts (nth); `mismatch` describes the rule, never draws again. */
export const xtStatistic: XtMatch<StatisticMatch> = {
  needsConntrack: false,
  match(match, context, ruleNumber) {
    let hit: boolean;
    if (match.mode === "random") {
      const draw = statisticDraw(context, ruleNumber, match.state.draws);
      match.state.draws += 1;
      hit = draw < match.probability;
    } else {
      const state = match.state;
      if (state.count === match.every - 1) {
        state.count = 0;
        hit = true;
      } else {
        state.count += 1;
        hit = false;
      }
    }
    return hit !== match.invert;
  },
  mismatch(match) {
    if (match.mode === "random") return { match: "statistic-random", invert: match.invert, probability: match.probability };
    return { match: "statistic-nth", invert: match.invert, packet: match.packet, every: match.every };
  },
};

/** A fresh match as iptables builds it (checkentry sets the nth counter). */
export function createStatisticMatch(options: { mode: "random"; probability: number; invert: boolean } | { mode: "nth"; every: number; packet: number; invert: boolean }): StatisticMatch {
  if (options.mode === "random") return { kind: "statistic", mode: "random", probability: options.probability, invert: options.invert, state: { draws: 0 } };
  return { kind: "statistic", mode: "nth", every: options.every, packet: options.packet, invert: options.invert, state: { count: options.every - 1 - options.packet } };
}
