// iptables' statistic match (extensions/libxt_statistic.c: statistic_opts,
// statistic_parse, statistic_check, statistic_save, statistic_print). Its
// packet test is the kernel's xt_statistic (src/net/netfilter/xt-statistic.ts).
import type { Match } from "../../model/netfilter.js";
import { createStatisticMatch, formatStatisticProbability, statisticProbability } from "../../net/index.js";
import { option, type XtablesMatch } from "./xtables.js";

type StatisticMatch = Extract<Match, { kind: "statistic" }>;

const NAME = "statistic";

export const libxtStatistic: XtablesMatch<StatisticMatch> = {
  name: NAME,
  description: "`statistic`",
  options: [option("mode"), option("probability", true, true), option("every", true, true), option("packet")],
  /**
   * statistic_parse() per option, then statistic_check() before
   * xtables_options_fcheck() (--mode mandatory; --probability excludes
   * --every and --packet; --every needs --packet), in that order.
   */
  parse(values, context) {
    const invert = [...values.values()].some((entry) => entry.invert);
    const mode = values.get("mode")?.value;
    if (mode !== undefined && mode !== "random" && mode !== "nth") throw context.problem(`Bad mode "${mode}"`);
    const unsigned = (name: "every" | "packet", minimum: number): number => {
      const text = values.get(name)!.value!;
      // xtables_strtoui(): strtoul base 0 (decimal, 0x hex, 0 octal).
      const parsed = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^0[0-7]*$/.test(text) ? parseInt(text, 8) : /^[1-9]\d*$/.test(text) ? Number(text) : Number.NaN;
      if (!(parsed >= minimum && parsed <= 0xffffffff)) throw context.problem(`${NAME}: bad value for option "--${name}", or out of range (${minimum}-4294967295).\n`);
      return parsed;
    };
    let probability = 0;
    if (values.has("probability")) {
      const text = values.get("probability")!.value!;
      const parsed = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
      if (!(parsed >= 0 && parsed <= 1)) throw context.problem(`${NAME}: bad value for option "--probability", or out of range (0-1).\n`);
      probability = statisticProbability(parsed);
    }
    // Without --every the kernel's stored every - 1 stays 0: every packet.
    const every = values.has("every") ? unsigned("every", 1) : 1;
    const packet = values.has("packet") ? unsigned("packet", 0) : 0;
    // mode defaults to 0, XT_STATISTIC_MODE_RANDOM, until --mode says otherwise.
    const random = mode !== "nth";
    if (random && !values.has("probability")) throw context.problem("--probability must be specified when using random mode");
    if (!random && !values.has("every") && !values.has("packet")) throw context.problem("--every and --packet must be specified when using nth mode");
    // statistic_check() compares with every - 1 (already decreased), and only in nth mode.
    if (!random && packet > every - 1) throw context.problem("the --packet p must be 0 <= p <= n-1");
    if (mode === undefined) throw context.problem(`${NAME}: option "--mode" must be specified\n`);
    if (values.has("probability") && values.has("every")) throw context.problem(`${NAME}: option "--probability" cannot be used together with "--every".\n`);
    if (values.has("probability") && values.has("packet")) throw context.problem(`${NAME}: option "--probability" cannot be used together with "--packet".\n`);
    if (values.has("every") && !values.has("packet")) throw context.problem(`${NAME}: option "--every" also requires "--packet".\n`);
    return random ? createStatisticMatch({ mode: "random", probability, invert }) : createStatisticMatch({ mode: "nth", every, packet, invert });
  },
  // statistic_save(): `!` before --probability / --every; --packet always.
  save: (match) =>
    match.mode === "random"
      ? ` --mode random${match.invert ? " !" : ""} --probability ${formatStatisticProbability(match.probability)}`
      : ` --mode nth${match.invert ? " !" : ""} --every ${match.every} --packet ${match.packet}`,
  // statistic_print(): -L leaves out `packet 0`.
  print: (match) =>
    match.mode === "random"
      ? ` statistic mode random${match.invert ? " !" : ""} probability ${formatStatisticProbability(match.probability)}`
      : ` statistic mode nth${match.invert ? " !" : ""} every ${match.every}${match.packet === 0 ? "" : ` packet ${match.packet}`}`,
};
