// -m limit as the kernel runs it for iptables-nft: iptables 1.8.9 (nf_tables)
// turns xt_limit into nft's own limit expression (iptables/nft.c:
// add_nft_limit: rate = mult / avg per unit), so the bucket is
// net/netfilter/nft_limit.c's: tokens in nanoseconds, full (cost x burst)
// when the rule is made, each packet costing unit / rate, refilled by the
// time since the last packet. On the virtual clock it is exact.
import type { LimitMatch } from "../../model/netfilter.js";
import type { XtMatch } from "./xt-match-context.js";

/** XT_LIMIT_SCALE: xt_rateinfo's avg is seconds per packet times this. */
export const XT_LIMIT_SCALE = 10000;
/** nft_limit's default burst when none is given (NFT_LIMIT_PKT_BURST_DEFAULT); iptables' own default is the same. */
export const LIMIT_BURST_DEFAULT = 5;

const MULTIPLIERS = [XT_LIMIT_SCALE * 24 * 60 * 60, XT_LIMIT_SCALE * 60 * 60, XT_LIMIT_SCALE * 60, XT_LIMIT_SCALE];

/** add_nft_limit(): the avg as nft's rate per unit (seconds). */
export function nftLimitRate(avg: number): { rate: number; unit: number } {
  let index = 1;
  for (; index < MULTIPLIERS.length; index++) {
    const multiplier = MULTIPLIERS[index]!;
    if (avg > multiplier || Math.floor(multiplier / avg) < multiplier % avg) break;
  }
  const multiplier = MULTIPLIERS[index - 1]!;
  return { rate: Math.floor(multiplier / avg), unit: multiplier / XT_LIMIT_SCALE };
}

/** nft_limit_init(): the cost of one packet and the bucket's size, in ns. */
function bucket(match: LimitMatch): { cost: number; max: number } {
  const { rate, unit } = nftLimitRate(match.avg);
  const cost = Math.floor((unit * 1e9) / rate);
  return { cost, max: cost * (match.burst === 0 ? LIMIT_BURST_DEFAULT : match.burst) };
}

/** nft_limit_eval(): a packet passes while the bucket holds its cost. `state.credit` is tokens (ns), `state.previous` the last packet's time (µs). */
export const nftLimit: XtMatch<LimitMatch> = {
  needsConntrack: false,
  match(match, context) {
    const { cost, max } = bucket(match);
    const state = match.state;
    const tokens = state.previous === undefined ? max : Math.min(max, state.credit + (context.now - state.previous) * 1000);
    state.previous = context.now;
    if (tokens - cost >= 0) {
      state.credit = tokens - cost;
      return true;
    }
    state.credit = tokens;
    return false;
  },
  mismatch: (match) => ({ match: "limit", credit: match.state.credit, cost: bucket(match).cost }),
};
