// iptables' limit match (extensions/libxt_limit.c: parse_rate, limit_parse,
// print_rate, limit_save, limit_print). The rule reaches the kernel as nft's
// limit expression and comes back from it (iptables/nft.c add_nft_limit,
// nft-ruleparse.c: avg = XT_LIMIT_SCALE * unit / rate): what iptables-save
// prints is that round trip, with nft's default burst for a burst of 0.
import type { LimitMatch } from "../../model/netfilter.js";
import { LIMIT_BURST_DEFAULT, XT_LIMIT_SCALE, nftLimitRate } from "../../net/index.js";
import { badValue, option, unsignedValue, type XtablesMatch } from "./xtables.js";

const NAME = "limit";
/** XT_LIMIT_AVG: 3/hour. */
const DEFAULT_AVG = (XT_LIMIT_SCALE * 60 * 60) / 3;
const MAX_BURST = 10000;

const RATES: readonly (readonly [string, number])[] = [
  ["day", XT_LIMIT_SCALE * 24 * 60 * 60],
  ["hour", XT_LIMIT_SCALE * 60 * 60],
  ["min", XT_LIMIT_SCALE * 60],
  ["sec", XT_LIMIT_SCALE],
];

/** parse_rate(): N[/second|/minute|/hour|/day] (any prefix of the unit, any case); undefined when it is not a rate. */
function parseRate(text: string): number | undefined | "too fast" {
  const slash = text.indexOf("/");
  let multiplier = 1;
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    if (unit === "") return undefined;
    const units: [string, number][] = [["second", 1], ["minute", 60], ["hour", 3600], ["day", 86400]];
    const found = units.find(([name]) => name.startsWith(unit));
    if (!found) return undefined;
    multiplier = found[1];
  }
  // atoi(): leading digits.
  const count = Number(/^\s*[+-]?\d*/.exec(text)![0].trim() || "0");
  if (!count || count < 0) return undefined;
  const avg = Math.floor((XT_LIMIT_SCALE * multiplier) / count);
  return avg === 0 ? "too fast" : avg;
}

/** print_rate(): the largest unit that keeps the rate whole. */
function rateText(avg: number): string {
  let index = 1;
  for (; index < RATES.length; index++) {
    const multiplier = RATES[index]![1];
    if (avg > multiplier || Math.floor(multiplier / avg) < multiplier % avg) break;
  }
  const [name, multiplier] = RATES[index - 1]!;
  return `${Math.floor(multiplier / avg)}/${name}`;
}

/** The avg and burst after the trip through nft's limit expression. */
function throughNft(avg: number, burst: number): { avg: number; burst: number } {
  const { rate, unit } = nftLimitRate(avg);
  return { avg: Math.floor((XT_LIMIT_SCALE * unit) / rate), burst: burst === 0 ? LIMIT_BURST_DEFAULT : burst };
}

export const libxtLimit: XtablesMatch<LimitMatch> = {
  name: NAME,
  description: "`limit` (nft's token bucket on the virtual clock)",
  options: [option("limit"), option("limit-burst")],
  parse(values, context) {
    let avg = DEFAULT_AVG;
    const limit = values.get("limit");
    if (limit) {
      const parsed = parseRate(limit.value!);
      if (parsed === "too fast") throw context.problem(`Rate too fast "${limit.value}"\n`);
      if (parsed === undefined) throw context.problem(`bad rate "${limit.value}"'`);
      avg = parsed;
    }
    let burst = LIMIT_BURST_DEFAULT;
    const burstValue = values.get("limit-burst");
    if (burstValue) {
      const parsed = unsignedValue(burstValue.value!, MAX_BURST);
      if (parsed === undefined) throw badValue(context, NAME, "limit-burst", MAX_BURST);
      burst = parsed;
    }
    const stored = throughNft(avg, burst);
    return { kind: "limit", avg: stored.avg, burst: stored.burst, state: { credit: 0, previous: undefined } };
  },
  save: (match) => ` --limit ${rateText(match.avg)}${match.burst === LIMIT_BURST_DEFAULT ? "" : ` --limit-burst ${match.burst}`}`,
  print: (match) => ` limit: avg ${rateText(match.avg)} burst ${match.burst}`,
};
