// coreutils 9.1 date (src/date.c, gnulib lib/nstrftime.c) on the virtual
// clock: the scenario's time is the world's clock counted from the Unix epoch
// (1970-01-01 00:00:00 UTC when the run starts), in UTC, in the C.UTF-8
// locale, so a run prints the same text every time. What it shows: now, or
// `-d @SECONDS[.FRACTION]`, as the default format, `+FORMAT`, `-I[SPEC]`,
// `-R` or `--rfc-3339=SPEC`. Other date strings (`-d yesterday`), setting the
// clock (`-s`, `MMDDhhmm`), `-r`, `-f`, `--debug`, `--resolution` and time
// zones other than UTC are refused by name: they would differ, not fail.

/** A refusal: the option or word netsim does not model, and why. */
export interface DateUnsupported {
  readonly unsupported: { readonly word: string; readonly detail: string };
}

export interface DateResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface DateEnvironment {
  /** The virtual clock, µs since the epoch. */
  readonly clock: number;
  /** The shell's TZ, when set. */
  readonly tz?: string | undefined;
}

const TRY = "Try 'date --help' for more information.\n";
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** TZ values that mean UTC to glibc: unset, empty, and the UTC zone's names. */
const UTC_ZONES = new Set(["", "UTC", "UTC0", ":UTC", "Etc/UTC", ":Etc/UTC"]);
/** Seconds JavaScript's Date can hold (±100,000,000 days): GNU date reaches further; past this netsim refuses. */
const MAX_SECONDS = 8.64e12;

/** A moment: whole seconds since the epoch (floored) and the nanoseconds past them. */
export interface Moment {
  readonly seconds: number;
  readonly nanoseconds: number;
}

function fail(text: string, exitCode = 1): DateResult {
  return { stdout: "", stderr: text, exitCode };
}

function refuse(word: string, detail: string): DateUnsupported {
  return { unsupported: { word, detail } };
}

/** ISO 8601 week-based year and week (nstrftime's iso_week_days). */
function isoWeek(year: number, yday: number, wday: number): { year: number; week: number } {
  // (yday - wday + ISO_WEEK1_WDAY + big_enough_multiple_of_7) % 7, with Thursday as week 1's day and 378 for the multiple.
  const weekDays = (yday: number, wday: number) => yday - ((yday - wday + 4 + 378) % 7) + 3;
  const leap = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0);
  let days = weekDays(yday, wday);
  let isoYear = year;
  if (days < 0) {
    isoYear--;
    days = weekDays(yday + 365 + leap(isoYear), wday);
  } else {
    const next = weekDays(yday - (365 + leap(year)), wday);
    if (next >= 0) {
      isoYear++;
      days = next;
    }
  }
  return { year: isoYear, week: Math.floor(days / 7) + 1 };
}

const COMPOSITES: Readonly<Record<string, string>> = {
  c: "%a %b %e %H:%M:%S %Y",
  D: "%m/%d/%y",
  F: "%Y-%m-%d",
  r: "%I:%M:%S %p",
  R: "%H:%M",
  T: "%H:%M:%S",
  x: "%m/%d/%y",
  X: "%H:%M:%S",
};

/**
 * nstrftime in the C locale and UTC: flags `-` `_` `0` `^` `#`, a width, the
 * E and O modifiers (no-ops in C), `:` for %z. A conversion it does not know
 * is printed as written, as nstrftime prints it. Flags or a width on a
 * conversion made of others (%c %D %F %r %R %T %x %X) or on %z are refused.
 */
export function formatTime(format: string, moment: Moment): string | DateUnsupported {
  const date = new Date(moment.seconds * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  const hour = date.getUTCHours();
  const minute = date.getUTCMinutes();
  const second = date.getUTCSeconds();
  const wday = date.getUTCDay();
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000);
  let out = "";
  for (let index = 0; index < format.length; index++) {
    const char = format[index]!;
    if (char !== "%") {
      out += char;
      continue;
    }
    const start = index;
    let pad: string | undefined;
    let upcase = false;
    let swapCase = false;
    while (index + 1 < format.length && "-_0^#".includes(format[index + 1]!)) {
      const flag = format[++index]!;
      if (flag === "^") upcase = true;
      else if (flag === "#") swapCase = true;
      else pad = flag;
    }
    let widthText = "";
    while (index + 1 < format.length && /[0-9]/.test(format[index + 1]!)) widthText += format[++index]!;
    const width = widthText === "" ? undefined : Number(widthText);
    let colons = 0;
    while (index + 1 < format.length && format[index + 1] === ":") {
      colons++;
      index++;
    }
    if (index + 1 < format.length && (format[index + 1] === "E" || format[index + 1] === "O") && colons === 0) index++;
    if (index + 1 >= format.length) {
      // A lone % (with flags) at the end: printed as written.
      out += format.slice(start);
      break;
    }
    const conversion = format[++index]!;
    const written = format.slice(start, index + 1);
    const decorated = pad !== undefined || upcase || swapCase || width !== undefined;
    if (colons > 0 && conversion !== "z") {
      out += written;
      continue;
    }
    const number = (value: number, digits: number, fill: "0" | " " = "0"): string => {
      const text = String(value);
      if (pad === "-") return text;
      const padding = pad === "_" ? " " : pad === "0" ? "0" : fill;
      const size = width ?? digits;
      return text.padStart(size, padding);
    };
    const text = (value: string, lowerOnSwap = false): string => {
      let shown = upcase ? value.toUpperCase() : value;
      if (swapCase) shown = lowerOnSwap ? value.toLowerCase() : value.toUpperCase();
      if (width === undefined || pad === "-") return shown;
      return shown.padStart(width, pad === "0" ? "0" : " ");
    };
    if (conversion in COMPOSITES) {
      if (decorated) return refuse(written, `date: flags or a width on %${conversion} are not modelled`);
      const inner = formatTime(COMPOSITES[conversion]!, moment);
      if (typeof inner !== "string") return inner;
      out += inner;
      continue;
    }
    switch (conversion) {
      case "a": out += text(DAYS[wday]!.slice(0, 3)); break;
      case "A": out += text(DAYS[wday]!); break;
      case "b": case "h": out += text(MONTHS[month]!.slice(0, 3)); break;
      case "B": out += text(MONTHS[month]!); break;
      case "C": out += number(Math.floor(year / 100), 2); break;
      case "d": out += number(day, 2); break;
      case "e": out += number(day, 2, " "); break;
      case "g": out += number(isoWeek(year, yday, wday).year % 100, 2); break;
      case "G": out += number(isoWeek(year, yday, wday).year, 4); break;
      case "H": out += number(hour, 2); break;
      case "I": out += number(hour % 12 === 0 ? 12 : hour % 12, 2); break;
      case "j": out += number(yday + 1, 3); break;
      case "k": out += number(hour, 2, " "); break;
      case "l": out += number(hour % 12 === 0 ? 12 : hour % 12, 2, " "); break;
      case "m": out += number(month + 1, 2); break;
      case "M": out += number(minute, 2); break;
      case "n": out += "\n"; break;
      case "N": {
        // %N: nanoseconds, 9 digits; a width keeps that many leading digits.
        if (pad !== undefined || upcase || swapCase) return refuse(written, "date: flags on %N are not modelled");
        out += String(moment.nanoseconds).padStart(9, "0").slice(0, width === undefined || width === 0 ? 9 : Math.min(width, 9)).padEnd(width ?? 9, "0");
        break;
      }
      case "p": out += text(hour < 12 ? "AM" : "PM", true); break;
      // %P is lower case whatever the flags say (nstrftime's to_lowcase wins).
      case "P": out += text(hour < 12 ? "am" : "pm").toLowerCase(); break;
      case "q": out += number(Math.floor(month / 3) + 1, 1); break;
      case "s": out += number(moment.seconds, 1); break;
      case "S": out += number(second, 2); break;
      case "t": out += "\t"; break;
      case "u": out += number(wday === 0 ? 7 : wday, 1); break;
      case "U": out += number(Math.floor((yday + 7 - wday) / 7), 2); break;
      case "V": out += number(isoWeek(year, yday, wday).week, 2); break;
      case "w": out += number(wday, 1); break;
      case "W": out += number(Math.floor((yday + 7 - ((wday + 6) % 7)) / 7), 2); break;
      case "y": out += number(year % 100, 2); break;
      case "Y": out += number(year, 4); break;
      case "z": {
        if (decorated) return refuse(written, "date: flags or a width on %z are not modelled");
        const zone = ["+0000", "+00:00", "+00:00:00", "+00"][colons];
        out += zone ?? written;
        break;
      }
      case "Z": out += text("UTC", true); break;
      case "%":
        if (decorated) return refuse(written, "date: flags or a width on %% are not modelled");
        out += "%";
        break;
      default: out += written;
    }
  }
  return out;
}

/** `@[+-]SECONDS[.FRACTION]` as date's parse_datetime takes it (spaces after @ allowed); undefined for anything else. */
export function parseEpochDate(text: string): Moment | "invalid" | undefined {
  if (!text.startsWith("@")) return undefined;
  const match = /^@\s*([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return "invalid";
  const whole = Number(match[2]);
  if (whole > MAX_SECONDS) return undefined;
  const nanoseconds = Number((match[3] ?? "").slice(0, 9).padEnd(9, "0"));
  if (match[1] !== "-") return { seconds: whole, nanoseconds };
  return nanoseconds === 0 ? { seconds: -whole, nanoseconds: 0 } : { seconds: -whole - 1, nanoseconds: 1e9 - nanoseconds };
}

type LongOption = { readonly name: string; readonly argument: "none" | "required" | "optional" };

const LONG_OPTIONS: readonly LongOption[] = [
  { name: "date", argument: "required" },
  { name: "debug", argument: "none" },
  { name: "file", argument: "required" },
  { name: "iso-8601", argument: "optional" },
  { name: "reference", argument: "required" },
  { name: "resolution", argument: "none" },
  { name: "rfc-email", argument: "none" },
  { name: "rfc-822", argument: "none" },
  { name: "rfc-2822", argument: "none" },
  { name: "rfc-3339", argument: "required" },
  { name: "set", argument: "required" },
  { name: "uct", argument: "none" },
  { name: "universal", argument: "none" },
  { name: "utc", argument: "none" },
  { name: "help", argument: "none" },
  { name: "version", argument: "none" },
];

const ISO_FORMATS: Readonly<Record<string, string>> = {
  hours: "%Y-%m-%dT%H%:z",
  minutes: "%Y-%m-%dT%H:%M%:z",
  date: "%Y-%m-%d",
  seconds: "%Y-%m-%dT%H:%M:%S%:z",
  ns: "%Y-%m-%dT%H:%M:%S,%N%:z",
};
const RFC_3339_FORMATS: Readonly<Record<string, string>> = {
  date: "%Y-%m-%d",
  seconds: "%Y-%m-%d %H:%M:%S%:z",
  ns: "%Y-%m-%d %H:%M:%S.%N%:z",
};

/** argmatch: an exact name or an unambiguous prefix; else the invalid/ambiguous argument text. */
function argmatch(value: string, option: string, table: Readonly<Record<string, string>>): string | DateResult {
  const names = Object.keys(table);
  if (table[value] !== undefined) return table[value]!;
  const matches = value === "" ? [] : names.filter((name) => name.startsWith(value));
  if (matches.length === 1) return table[matches[0]!]!;
  const kind = matches.length > 1 ? "ambiguous" : "invalid";
  return fail(`date: ${kind} argument ‘${value}’ for ‘--${option}’\nValid arguments are:\n${names.map((name) => `  - ‘${name}’\n`).join("")}${TRY}`);
}

const REFUSED: Readonly<Record<string, string>> = {
  debug: "date --debug is not modelled",
  file: "date -f (dates read from a file) is not modelled",
  reference: "date -r (a file's modification time) is not modelled",
  resolution: "date --resolution is not modelled",
  set: "date -s (setting the system clock) is not modelled",
  help: "date --help is not modelled",
  version: "date --version is not modelled",
};

/** date ARGS on the virtual clock (see the head of this file). */
export function date(argv: readonly string[], environment: DateEnvironment): DateResult | DateUnsupported {
  let utc = false;
  let dateText: string | undefined;
  let outputFormat: string | undefined;
  const operands: string[] = [];
  const setFormat = (format: string): DateResult | undefined => {
    if (outputFormat !== undefined) return fail("date: multiple output formats specified\n");
    outputFormat = format;
    return undefined;
  };
  // getopt_long with permutation: options anywhere, `--` ends them.
  const apply = (name: string, value: string | undefined, written: string): DateResult | DateUnsupported | undefined => {
    if (REFUSED[name] !== undefined) return refuse(written, REFUSED[name]!);
    switch (name) {
      case "date": dateText = value!; return undefined;
      case "uct": case "universal": case "utc": utc = true; return undefined;
      case "rfc-email": case "rfc-822": case "rfc-2822": return setFormat("%a, %d %b %Y %H:%M:%S %z");
      case "iso-8601": {
        const format = value === undefined ? ISO_FORMATS.date! : argmatch(value, "iso-8601", ISO_FORMATS);
        return typeof format === "string" ? setFormat(format) : format;
      }
      case "rfc-3339": {
        const format = argmatch(value!, "rfc-3339", RFC_3339_FORMATS);
        return typeof format === "string" ? setFormat(format) : format;
      }
    }
    return undefined;
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--") {
      operands.push(...argv.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [written, attached] = arg.includes("=") ? [arg.slice(2, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg.slice(2), undefined];
      const exact = LONG_OPTIONS.find((option) => option.name === written);
      const candidates = exact ? [exact] : LONG_OPTIONS.filter((option) => option.name.startsWith(written));
      if (candidates.length === 0) return fail(`date: unrecognized option '${arg}'\n${TRY}`);
      // --rfc-822 and --rfc-2822 are one option; --uct, --universal, --utc another.
      const same = (option: LongOption) => (option.name.startsWith("rfc-") && option.name !== "rfc-3339" ? "rfc-email" : ["uct", "universal", "utc"].includes(option.name) ? "utc" : option.name);
      const distinct = new Map<string, LongOption>();
      for (const option of candidates) if (!distinct.has(same(option))) distinct.set(same(option), option);
      // getopt names the first of options that are one option.
      if (distinct.size > 1) return fail(`date: option '${arg}' is ambiguous; possibilities:${[...distinct.values()].map((option) => ` '--${option.name}'`).join("")}\n${TRY}`);
      const option = candidates[0]!;
      let value = attached;
      if (option.argument === "none" && attached !== undefined) return fail(`date: option '--${option.name}' doesn't allow an argument\n${TRY}`);
      if (option.argument === "required" && value === undefined) {
        if (index + 1 >= argv.length) return fail(`date: option '--${option.name}' requires an argument\n${TRY}`);
        value = argv[++index]!;
      }
      const outcome = apply(option.name, value, arg);
      if (outcome) return outcome;
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let at = 1; at < arg.length; at++) {
        const letter = arg[at]!;
        const names: Record<string, string> = { d: "date", f: "file", I: "iso-8601", r: "reference", R: "rfc-email", s: "set", u: "utc" };
        const name = names[letter];
        if (name === undefined) return fail(`date: invalid option -- '${letter}'\n${TRY}`);
        let value: string | undefined;
        if (letter === "I") {
          value = at + 1 < arg.length ? arg.slice(at + 1) : undefined;
          at = arg.length;
        } else if (["d", "f", "r", "s"].includes(letter)) {
          if (at + 1 < arg.length) value = arg.slice(at + 1);
          else if (index + 1 < argv.length) value = argv[++index]!;
          else return fail(`date: option requires an argument -- '${letter}'\n${TRY}`);
          at = arg.length;
        }
        const outcome = apply(name, value, arg);
        if (outcome) return outcome;
      }
      continue;
    }
    operands.push(arg);
  }
  if (operands.length > 1) return fail(`date: extra operand ‘${operands[1]}’\n${TRY}`);
  const operand = operands[0];
  if (operand !== undefined) {
    if (operand.startsWith("+")) {
      if (outputFormat !== undefined) return fail("date: multiple output formats specified\n");
      outputFormat = operand.slice(1);
    } else if (/^\d{8}(\d{2}){0,2}(\.\d{2})?$/.test(operand)) {
      return refuse(operand, "date MMDDhhmm (setting the system clock) is not modelled");
    } else {
      return fail(`date: invalid date ‘${operand}’\n`);
    }
  }
  if (!utc && environment.tz !== undefined && !UTC_ZONES.has(environment.tz)) {
    return refuse(`TZ=${environment.tz}`, "date in a time zone other than UTC is not modelled (the scenario's clock is UTC)");
  }
  let moment: Moment = { seconds: Math.floor(environment.clock / 1e6), nanoseconds: (environment.clock % 1e6) * 1000 };
  if (dateText !== undefined) {
    const parsed = parseEpochDate(dateText);
    if (parsed === "invalid") return fail(`date: invalid date ‘${dateText}’\n`);
    if (parsed === undefined) return refuse(dateText, "date -d takes only @SECONDS here (other date strings are not modelled)");
    moment = parsed;
  }
  const text = formatTime(outputFormat ?? "%a %b %e %H:%M:%S %Z %Y", moment);
  if (typeof text !== "string") return text;
  return { stdout: `${text}\n`, stderr: "", exitCode: 0 };
}
