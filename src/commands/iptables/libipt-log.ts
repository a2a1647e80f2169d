// iptables' LOG target (extensions/libipt_LOG.c: LOG_opts, LOG_parse,
// LOG_save, LOG_print; XTTYPE_SYSLOGLEVEL from libxtables' xtopt.c).
import type { Target } from "../../model/netfilter.js";
import { option, saveString, type XtablesTarget } from "./xtables.js";

type LogTarget = Extract<Target, { kind: "LOG" }>;

const NAME = "LOG";
const DEFAULT_LEVEL = 4;
/** sizeof(ipt_log_info.prefix) - 1: a longer prefix is cut. */
const PREFIX_MAX = 29;

/** xtopt's syslog level names (sorted as libxtables keeps them). */
const LEVELS: readonly (readonly [string, number])[] = [["alert", 1], ["crit", 2], ["debug", 7], ["emerg", 0], ["error", 3], ["info", 6], ["notice", 5], ["panic", 0], ["warning", 4]];
/** LOG_print's names for -L without -n. */
const PRINT_LEVELS: readonly (readonly [string, number])[] = [["alert", 1], ["crit", 2], ["debug", 7], ["emerg", 0], ["error", 3], ["info", 6], ["notice", 5], ["panic", 0], ["warning", 4]];

/** IPT_LOG_* flags with their options, in save order. */
const FLAGS: readonly (readonly [string, number, string])[] = [
  ["log-tcp-sequence", 0x01, "tcp-sequence"],
  ["log-tcp-options", 0x02, "tcp-options"],
  ["log-ip-options", 0x04, "ip-options"],
  ["log-uid", 0x08, "uid"],
  ["log-macdecode", 0x20, "macdecode"],
];

export const libiptLog: XtablesTarget<LogTarget> = {
  name: NAME,
  description: "LOG (its line in the trace)",
  options: [option("log-level"), option("log-prefix"), ...FLAGS.map(([name]) => option(name, false))],
  parse(values, context) {
    let level = DEFAULT_LEVEL;
    const levelValue = values.get("log-level");
    if (levelValue) {
      const text = levelValue.value!;
      const named = LEVELS.find(([name]) => name === text.toLowerCase())?.[1];
      const numeric = /^[0-7]$/.test(text) ? Number(text) : undefined;
      if (named === undefined && numeric === undefined) throw context.problem(`log level "${text}" unknown\n`);
      level = named ?? numeric!;
    }
    const prefix = values.get("log-prefix")?.value ?? "";
    let flags = 0;
    for (const [name, bit] of FLAGS) if (values.has(name)) flags |= bit;
    return { kind: "LOG", level, prefix: prefix.slice(0, PREFIX_MAX), flags };
  },
  save(target) {
    let text = target.prefix !== "" ? ` --log-prefix ${saveString(target.prefix)}` : "";
    if (target.level !== DEFAULT_LEVEL) text += ` --log-level ${target.level}`;
    for (const [name, bit] of FLAGS) if ((target.flags & bit) !== 0) text += ` --${name}`;
    return text;
  },
  print(target, numeric) {
    let text = " LOG";
    if (numeric) text += ` flags ${target.flags} level ${target.level}`;
    else {
      const name = PRINT_LEVELS.find(([, level]) => level === target.level)?.[0];
      text += name !== undefined ? ` level ${name}` : ` UNKNOWN level ${target.level}`;
      for (const [, bit, word] of FLAGS) if ((target.flags & bit) !== 0) text += ` ${word}`;
    }
    if (target.prefix !== "") text += ` prefix "${target.prefix}"`;
    return text;
  },
};
